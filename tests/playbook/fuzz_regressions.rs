//! Every input the fuzzers ever found a problem with, replayed through the
//! code each fuzz target runs (`tests/fuzz/harness.rs`).
//!
//! Each stored input runs in a child process (this test binary, re-run on
//! one input) so an input that overflows the stack or aborts fails its own
//! check with its file name instead of taking the whole suite down. An
//! error from the input is fine; the code has to return.

use crate::fuzz_harness as harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const INPUT_VAR: &str = "PLAYBOOK_FUZZ_INPUT";
const TARGET_VAR: &str = "PLAYBOOK_FUZZ_TARGET";
/// A bound, not a benchmark: the stored inputs are at most a few hundred
/// kilobytes, which linear code handles in well under a second even in a
/// debug build. One still running after this is stuck or quadratic.
const LIMIT: Duration = Duration::from_secs(20);

fn stored_inputs() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let mut inputs = Vec::new();
    for target in harness::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && !p.ends_with("README.md"))
            .collect();
        files.sort();
        inputs.extend(files.into_iter().map(|p| (target.to_string(), p)));
    }
    inputs
}

/// The child side: runs one input when the parent asks for it, else
/// nothing.
#[test]
fn replay_one_stored_input() {
    let (Ok(target), Ok(path)) = (std::env::var(TARGET_VAR), std::env::var(INPUT_VAR)) else {
        return;
    };
    let data = std::fs::read(&path).expect("stored input");
    harness::run(&target, &data);
}

#[test]
fn every_stored_fuzz_input_returns() {
    let exe = std::env::current_exe().expect("test binary");
    let mut failures = Vec::new();
    let inputs = stored_inputs();
    for (target, path) in &inputs {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "fuzz_regressions::replay_one_stored_input",
                "--test-threads=1",
            ])
            .env(TARGET_VAR, target)
            .env(INPUT_VAR, path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the test binary on one input");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the child") {
                break Some(status);
            }
            if started.elapsed() > LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let name = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path)
            .display()
            .to_string();
        match status {
            Some(status) if status.success() => {}
            Some(status) => {
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    use std::io::Read;
                    let _ = stderr.read_to_string(&mut err);
                }
                let tail: String = err.lines().rev().take(6).collect::<Vec<_>>().join(" | ");
                failures.push(format!("{name}: {status}: {tail}"));
            }
            None => failures.push(format!("{name}: still running after {LIMIT:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} stored inputs did not return cleanly:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}
