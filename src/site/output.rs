//! Atomic output: the site is written to a staging folder beside the
//! output folder and swapped in only when the whole build succeeded, so a
//! failed build never touches the last good site.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum OutputError {
    #[error("refusing to write the site to `{}`: {reason}", path.display())]
    Unsafe { path: PathBuf, reason: &'static str },
    #[error("{}", .0.render(false))]
    Template(crate::diagnostics::Diagnostic),
    #[error("cannot build the search index: {0}")]
    Search(String),
    #[error("cannot write `{}`: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A staging folder that becomes the output folder on [`Staging::commit`]
/// and is removed if dropped before that.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Prepares a staging folder for `target`. Refuses targets that would
    /// replace the project itself or its sources.
    pub fn new(target: &Path, project: &Path) -> Result<Staging, OutputError> {
        let target = absolute(target);
        let project = absolute(project);
        let unsafe_target = |reason| OutputError::Unsafe {
            path: target.clone(),
            reason,
        };
        if project.starts_with(&target) {
            return Err(unsafe_target("it holds the playbook project itself"));
        }
        for source in ["content", "themes", "src", ".git"] {
            if target.starts_with(project.join(source)) {
                return Err(unsafe_target("it is inside the project's sources"));
            }
        }
        let parent = target
            .parent()
            .ok_or_else(|| unsafe_target("it has no parent folder"))?;
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".to_string());
        let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        Ok(Staging {
            target,
            dir,
            committed: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staging folder in for the output folder.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(io_err(&self.target))?;
        }
        if let Err(err) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                // Put the previous site back before reporting.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(io_err(&self.target)(err));
        }
        self.committed = true;
        if had_old {
            remove_tree(&old);
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes a folder, deleting its files in parallel: an old site of ten
/// thousand pages takes seconds to remove one file at a time.
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    let _ = std::fs::remove_dir_all(dir);
}

fn absolute(path: &Path) -> PathBuf {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // Fold `.` and `..` without touching the disk: the folder may not exist.
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Writes a file, creating its folder.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    std::fs::write(path, bytes).map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_and_its_sources_are_never_targets() {
        let project = Path::new("/tmp/book");
        assert!(Staging::new(Path::new("/tmp/book"), project).is_err());
        assert!(Staging::new(Path::new("/tmp"), project).is_err());
        assert!(Staging::new(Path::new("/tmp/book/content/out"), project).is_err());
        assert!(Staging::new(Path::new("/tmp/book/content/../content"), project).is_err());
    }

    #[test]
    fn a_dropped_staging_folder_leaves_the_old_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("index.html"), "old").unwrap();
        {
            let staging = Staging::new(&out, &tmp.path().join("book")).unwrap();
            std::fs::write(staging.dir().join("index.html"), "new").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
        let staging = Staging::new(&out, &tmp.path().join("book")).unwrap();
        std::fs::write(staging.dir().join("index.html"), "new").unwrap();
        staging.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }
}
