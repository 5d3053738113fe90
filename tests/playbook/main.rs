//! Integration tests: each runs the `playbook` binary on a small project
//! written into a temporary folder, or on a fixture under tests/fixtures/.

#[path = "../fuzz/harness.rs"]
#[allow(dead_code)]
mod fuzz_harness;

mod build;
mod check;
mod errors;
mod fuzz_regressions;
mod init;
mod links;
mod nul;
mod output;
mod process;
mod properties;
mod safety_input;
mod safety_output;
mod safety_serve;
mod safety_web;
mod search;
mod serve;
mod themes;
mod watch;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A playbook project in a temporary folder.
pub struct Project {
    dir: TempDir,
}

impl Default for Project {
    fn default() -> Self {
        Project::new()
    }
}

impl Project {
    /// An empty project with just a title.
    pub fn new() -> Self {
        let project = Project {
            dir: tempfile::tempdir().expect("temporary folder"),
        };
        project.file("book.yaml", "title: Test book\n")
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        let project = Project {
            dir: tempfile::tempdir().expect("temporary folder"),
        };
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        for entry in walkdir::WalkDir::new(&source) {
            let entry = entry.expect("fixture entry");
            let rel = entry.path().strip_prefix(&source).expect("inside fixture");
            let target = project.path().join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).expect("create folder");
            } else {
                std::fs::copy(entry.path(), &target).expect("copy fixture file");
            }
        }
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file, creating its folders.
    pub fn file(self, path: &str, contents: &str) -> Self {
        self.bytes(path, contents.as_bytes())
    }

    pub fn bytes(self, path: &str, contents: &[u8]) -> Self {
        let target = self.path().join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("create folder");
        std::fs::write(&target, contents).expect("write file");
        self
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("playbook").expect("playbook binary");
        cmd.current_dir(self.path()).env("NO_COLOR", "1");
        cmd
    }

    /// Runs `playbook build` in the project.
    pub fn build(&self) -> Run {
        Run(self.cmd().arg("build").output().expect("run playbook"))
    }

    pub fn out(&self, path: &str) -> PathBuf {
        self.path().join("public").join(path)
    }

    /// A file of the built site, as text.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.out(path))
            .unwrap_or_else(|err| panic!("cannot read public/{path}: {err}"))
    }
}

/// The result of one run of the binary.
pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    #[track_caller]
    pub fn succeeds(self) -> Self {
        assert_eq!(
            self.code(),
            0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Asserts a content error (exit 1) whose output names `needles`.
    #[track_caller]
    pub fn fails_with(self, needles: &[&str]) -> Self {
        let err = self.stderr();
        assert_eq!(self.code(), 1, "expected exit 1\nstderr:\n{err}");
        for needle in needles {
            assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
        }
        self
    }
}
