//! A long-running playbook process under test (`serve`, `build --watch`):
//! its output lines as they come, and stopping it with a signal.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a wait for output lasts before the test fails.
const OUTPUT_WAIT: Duration = Duration::from_secs(60);

/// A started process, its stdout and stderr read line by line. Killed on
/// drop if it still runs.
pub struct Running {
    pub child: Child,
    /// Names the process in failures: `serve`, `build --watch`.
    name: &'static str,
    /// Lines of stdout and stderr, as they come. They come through two
    /// pipes, so a line of one may come before an earlier line of the
    /// other.
    output: mpsc::Receiver<String>,
    /// Every line read from `output` so far.
    pub seen: Vec<String>,
}

impl Running {
    /// Starts `command` with its stdout and stderr piped.
    pub fn spawn(mut command: Command, name: &'static str) -> Running {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("start {name}: {err}"));
        let (tx, output) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        forward(stdout, tx.clone());
        forward(stderr, tx);
        Running {
            child,
            name,
            output,
            seen: Vec::new(),
        }
    }

    /// The next line holding `needle`, waiting up to a minute.
    pub fn wait_line(&mut self, needle: &str) -> String {
        loop {
            let line = self.next_line(&[needle]);
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Every line printed since line `from` of [`Running::seen`], once
    /// they hold all of `needles`, waiting up to a minute.
    pub fn wait_all(&mut self, from: usize, needles: &[&str]) -> String {
        loop {
            let text = self.seen[from..].join("\n");
            if needles.iter().all(|n| text.contains(n)) {
                return text;
            }
            self.next_line(needles);
        }
    }

    /// Every line printed from now until one holds `needle`.
    pub fn wait_lines(&mut self, needle: &str) -> String {
        let from = self.seen.len();
        self.wait_all(from, &[needle])
    }

    /// Sends `signal` (`INT`, `TERM`…) and waits up to `within` for the
    /// process to end: its exit status, or `None` if it still runs.
    pub fn stop(&mut self, signal: &str, within: Duration) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The next line of output, kept in `seen`; fails the test after a
    /// minute without one.
    fn next_line(&mut self, waiting_for: &[&str]) -> String {
        let line = self.output.recv_timeout(OUTPUT_WAIT).unwrap_or_else(|_| {
            panic!(
                "{} printed no line with {waiting_for:?}; it printed:\n{}",
                self.name,
                self.seen.join("\n")
            )
        });
        self.seen.push(line.clone());
        line
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends each line of `pipe` to `tx`, on a thread of its own.
fn forward(pipe: impl Read + Send + 'static, tx: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
}
