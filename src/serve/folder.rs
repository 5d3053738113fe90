//! The temporary folder serve builds into and serves from.
//!
//! It is named `playbook-serve-<pid>-<random>` and holds a marker file, so
//! that a serve that was killed (`kill -9`, a crash, a power cut) can have
//! its folder removed by the next one: only folders with that name, of a
//! process that is gone, holding the marker, directly in the temporary
//! folder and not through a link, are ever removed.

use std::path::Path;

use crate::site::{OutputError, output};

use super::Reporter;

const PREFIX: &str = "playbook-serve-";
const MARKER: &str = ".playbook-serve";
const MARKER_TEXT: &str = "A temporary folder of `playbook serve`; removed when it stops.\n";

/// Creates this process's folder, with its marker.
pub fn create() -> Result<tempfile::TempDir, OutputError> {
    let temp = tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .tempdir()
        .map_err(|source| OutputError::Write {
            path: std::env::temp_dir(),
            source,
        })?;
    output::write(&temp.path().join(MARKER), MARKER_TEXT.as_bytes())?;
    Ok(temp)
}

/// Removes the folders in `tmp` left by serves whose process is gone.
pub fn remove_stale(tmp: &Path, reporter: &impl Reporter) {
    let (Ok(entries), Ok(tmp)) = (std::fs::read_dir(tmp), tmp.canonicalize()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner) else {
            continue;
        };
        if pid == std::process::id() || alive(pid) {
            continue;
        }
        let path = entry.path();
        let is_folder = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let inside = path
            .canonicalize()
            .is_ok_and(|real| real.parent() == Some(tmp.as_path()));
        let marked = std::fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.is_file())
            && std::fs::read_to_string(path.join(MARKER)).is_ok_and(|text| text == MARKER_TEXT);
        if !(is_folder && inside && marked) {
            continue;
        }
        match std::fs::remove_dir_all(&path) {
            Ok(()) => reporter.info(&format!(
                "  removed {}, left by a serve that did not stop cleanly",
                path.display()
            )),
            Err(err) => reporter.info(&format!(
                "  could not remove {}, left by an earlier serve: {err}",
                path.display()
            )),
        }
    }
}

/// The process id in a folder name `playbook-serve-<pid>-<random>`.
fn owner(name: &str) -> Option<u32> {
    let (pid, random) = name.strip_prefix(PREFIX)?.split_once('-')?;
    let ok = !random.is_empty()
        && random.chars().all(|c| c.is_ascii_alphanumeric())
        && !pid.starts_with('0')
        && pid.chars().all(|c| c.is_ascii_digit());
    ok.then(|| pid.parse().ok()).flatten()
}

/// Whether a process with this id exists. When unsure, it does.
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        use rustix::process::{Pid, test_kill_process};
        let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
            return true;
        };
        !matches!(test_kill_process(pid), Err(rustix::io::Errno::SRCH))
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_ours_give_a_process() {
        assert_eq!(owner("playbook-serve-1234-AbC9z"), Some(1234));
        assert_eq!(owner("playbook-serve-AbC9z"), None, "an old name");
        assert_eq!(owner("playbook-serve-1234-"), None);
        assert_eq!(owner("playbook-serve-1234-a/b"), None);
        assert_eq!(owner("playbook-serve-0123-abc"), None);
        assert_eq!(owner("playbook-serve--abc"), None);
        assert_eq!(owner("other-1234-abc"), None);
    }
}
