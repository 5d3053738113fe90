//! Watching the project: content/, themes/ and book.yaml, debounced, with
//! each batch of changed paths sent to the rebuild loop.
//!
//! Editors save in many ways (in place, or to a temporary file renamed over
//! the original); the debouncer folds each save into one batch, and the
//! session ignores swap and backup files by name.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// How long the watcher waits for a save to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(20);

pub type Watcher = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// Starts watching `root`. Dropping the result stops it.
pub fn watch(root: &Path, batches: Sender<Vec<PathBuf>>) -> notify::Result<Watcher> {
    let mut debouncer = new_debouncer(
        DEBOUNCE,
        Some(DEBOUNCE / 2),
        move |result: DebounceEventResult| {
            let Ok(events) = result else { return };
            let mut paths: Vec<PathBuf> = events
                .into_iter()
                .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                .flat_map(|e| e.event.paths.clone())
                .collect();
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                let _ = batches.send(paths);
            }
        },
    )?;
    // The project folder itself, not recursively: book.yaml, and content/
    // or themes/ appearing or being replaced.
    debouncer.watch(root, RecursiveMode::NonRecursive)?;
    for dir in WATCHED {
        let path = root.join(dir);
        if path.is_dir() {
            debouncer.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(debouncer)
}

const WATCHED: [&str; 2] = [crate::content::CONTENT_DIR, crate::theme::THEMES_DIR];

/// Starts watching content/ or themes/ when a batch shows it was created
/// or replaced, so a theme folder made while serving is seen too.
pub fn watch_new_folders(watcher: &mut Watcher, root: &Path, paths: &[PathBuf]) {
    for dir in WATCHED {
        let path = root.join(dir);
        if paths.contains(&path) && path.is_dir() {
            let _ = watcher.unwatch(&path);
            let _ = watcher.watch(&path, RecursiveMode::Recursive);
        }
    }
}
