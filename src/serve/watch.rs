//! Watching the project: content/, themes/ and book.yaml, debounced, with
//! each batch of changed paths sent to the rebuild loop.
//!
//! Editors save in many ways (in place, or to a temporary file renamed over
//! the original); the debouncer folds each save into one batch, and the
//! session ignores swap and backup files by name.
//!
//! The watcher's own troubles are passed on too, never dropped: lost events
//! (a full kernel queue) ask for a full rebuild, and errors (such as the
//! system's limit on watched folders) are reported to the author, since
//! saves may go unseen after them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, RecommendedCache, new_debouncer, new_debouncer_opt,
};

/// How long the watcher waits for a save to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(20);

/// How often `--poll` looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// What the watcher tells the rebuild loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// These paths changed.
    Paths(Vec<PathBuf>),
    /// Events were lost: only a full rebuild is sure to be right.
    Rescan,
    /// The watcher failed; saves may go unseen. The text says why.
    Error(String),
}

/// The native watcher (inotify, FSEvents…), or `--poll`'s.
pub enum Watcher {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, RecommendedCache>),
}

impl Watcher {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.unwatch(path),
            Watcher::Poll(d) => d.unwatch(path),
        }
    }
}

/// Starts watching `root`, by polling every [`POLL_INTERVAL`] when `poll`
/// (for network, VM and container filesystems, whose changes the native
/// watcher never hears of). Polling compares contents, not just times:
/// the poller keeps modification times in whole seconds, so a second save
/// within the same second would otherwise go unseen. Dropping the result
/// stops it.
pub fn watch(
    root: &Path,
    poll: bool,
    send: impl Fn(Watched) + Send + 'static,
) -> notify::Result<Watcher> {
    let handler = move |result: DebounceEventResult| forward(result, &send);
    let mut watcher = if poll {
        Watcher::Poll(new_debouncer_opt::<_, PollWatcher, RecommendedCache>(
            DEBOUNCE,
            Some(DEBOUNCE / 2),
            handler,
            RecommendedCache::new(),
            notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true),
        )?)
    } else {
        Watcher::Native(new_debouncer(DEBOUNCE, Some(DEBOUNCE / 2), handler)?)
    };
    // The project folder itself, not recursively: book.yaml, and content/
    // or themes/ appearing or being replaced.
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for dir in WATCHED {
        let path = root.join(dir);
        if path.is_dir() {
            watcher.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(watcher)
}

/// Turns what the debouncer reports into messages for the rebuild loop.
pub fn forward(result: DebounceEventResult, send: &impl Fn(Watched)) {
    match result {
        Ok(events) => {
            let rescan = events.iter().any(|e| e.event.need_rescan());
            let mut paths: Vec<PathBuf> = events
                .into_iter()
                .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                .flat_map(|e| e.event.paths.clone())
                .collect();
            paths.sort();
            paths.dedup();
            #[cfg(debug_assertions)]
            if let Some(error) = test_error(&paths) {
                return forward(Err(vec![error]), send);
            }
            if rescan {
                send(Watched::Rescan);
            } else if !paths.is_empty() {
                send(Watched::Paths(paths));
            }
        }
        Err(errors) => {
            let text = errors
                .iter()
                .map(describe_error)
                .collect::<Vec<_>>()
                .join("\n");
            send(Watched::Error(text));
        }
    }
}

/// Debug builds only: a batch naming a file called
/// `$PLAYBOOK_TEST_WATCH_ERROR_ON_SAVE_OF` is lost and reported as a
/// watcher error, so tests can check what serve does with one. Release
/// builds have no such switch.
#[cfg(debug_assertions)]
fn test_error(paths: &[PathBuf]) -> Option<notify::Error> {
    let name = std::env::var_os("PLAYBOOK_TEST_WATCH_ERROR_ON_SAVE_OF")?;
    paths
        .iter()
        .any(|p| p.file_name() == Some(name.as_os_str()))
        .then(|| notify::Error::generic("test error: the events of this save were lost"))
}

fn describe_error(error: &notify::Error) -> String {
    let paths = error
        .paths
        .iter()
        .map(|p| format!(" (`{}`)", p.display()))
        .collect::<String>();
    match error.kind {
        notify::ErrorKind::MaxFilesWatch => format!(
            "the system's limit on watched folders is reached{paths}: saves there are not seen. \
Raise it (sysctl fs.inotify.max_user_watches) or restart serve with --poll"
        ),
        _ => format!(
            "{error}{paths}: some saves may not be seen; on a network, VM or container filesystem, restart serve with --poll"
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{Event, Flag};
    use notify_debouncer_full::DebouncedEvent;
    use std::sync::mpsc;
    use std::time::Instant;

    fn channel() -> (impl Fn(Watched), mpsc::Receiver<Watched>) {
        let (tx, rx) = mpsc::channel();
        (move |w| tx.send(w).unwrap(), rx)
    }

    #[test]
    fn watcher_errors_reach_the_rebuild_loop() {
        let (tx, rx) = channel();
        let error = notify::Error::new(notify::ErrorKind::MaxFilesWatch)
            .add_path(PathBuf::from("/book/content/deep"));
        forward(Err(vec![error]), &tx);
        let Ok(Watched::Error(text)) = rx.try_recv() else {
            panic!("the error was dropped");
        };
        assert!(text.contains("limit on watched folders"), "{text}");
        assert!(text.contains("/book/content/deep"), "{text}");
        assert!(text.contains("--poll"), "{text}");

        forward(Err(vec![notify::Error::generic("queue gone")]), &tx);
        let Ok(Watched::Error(text)) = rx.try_recv() else {
            panic!("the error was dropped");
        };
        assert!(text.contains("queue gone"), "{text}");
    }

    #[test]
    fn lost_events_ask_for_a_full_rebuild() {
        let (tx, rx) = channel();
        let overflow = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        let edit = Event::new(EventKind::Any).add_path(PathBuf::from("/book/content/a.md"));
        let now = Instant::now();
        forward(
            Ok(vec![
                DebouncedEvent::new(edit.clone(), now),
                DebouncedEvent::new(overflow, now),
            ]),
            &tx,
        );
        assert_eq!(rx.try_recv(), Ok(Watched::Rescan));
        forward(Ok(vec![DebouncedEvent::new(edit, now)]), &tx);
        assert_eq!(
            rx.try_recv(),
            Ok(Watched::Paths(vec![PathBuf::from("/book/content/a.md")]))
        );
    }
}
