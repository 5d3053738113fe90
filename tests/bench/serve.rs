//! Starting `playbook serve` for a benchmark.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts `binary serve --port 0 root` and waits for the port it serves
/// at. Its stderr goes to `stderr`; its stdout is read on and dropped, so
/// serve never blocks on a full pipe.
pub fn start(binary: &Path, root: &Path, stderr: Stdio) -> (Child, u16) {
    let mut child = Command::new(binary)
        .args(["serve", "--port", "0"])
        .arg(root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|err| panic!("start {}: {err}", binary.display()));
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let port: u16 = loop {
        let line = lines
            .next()
            .expect("serve prints its URL")
            .expect("read line");
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest
                .split('/')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("a port");
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, port)
}
