//! `playbook init`: a new playbook that builds at once, with one page of
//! each kind, a decision tree and a clause to copy from.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use thiserror::Error;

static SCAFFOLD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/init/scaffold");

#[derive(Debug, Error)]
pub enum InitError {
    #[error("`{}` already exists; nothing was written", .0.display())]
    Exists(PathBuf),
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes the scaffold into `dir`, refusing to overwrite any file.
pub fn init(dir: &Path, title: &str) -> Result<Vec<PathBuf>, InitError> {
    let mut files = Vec::new();
    collect(&SCAFFOLD, &mut files);
    for (path, _) in &files {
        let target = dir.join(path);
        if target.exists() {
            return Err(InitError::Exists(target));
        }
    }
    let mut written = Vec::new();
    for (path, contents) in files {
        let target = dir.join(&path);
        let io = |source| InitError::Io {
            path: target.clone(),
            source,
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        // JSON strings are valid YAML scalars, quotes and colons included.
        let title_yaml = serde_json::to_string(title).unwrap_or_default();
        let text = String::from_utf8_lossy(contents).replace("{{title_yaml}}", &title_yaml);
        std::fs::write(&target, text).map_err(io)?;
        written.push(target);
    }
    Ok(written)
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(PathBuf, &'static [u8])>) {
    for file in dir.files() {
        out.push((file.path().to_path_buf(), file.contents()));
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}
