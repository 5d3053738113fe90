//! Save-to-reload latency of `playbook serve`: the time from writing a
//! page to the reload event reaching a connected browser (an SSE client).
//!
//! Usage: cargo run --release --example reload-latency -- <PLAYBOOK_DIR> [EDITS]
//! Runs target/release/playbook (or $PLAYBOOK_BIN) and prints the median
//! and p95 over the edits.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(
        args.next()
            .expect("usage: reload-latency <PLAYBOOK_DIR> [EDITS]"),
    );
    let edits: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let binary = std::env::var("PLAYBOOK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/playbook")
        });
    let mut child = Command::new(&binary)
        .args(["serve", "--port", "0"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start playbook serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let started = Instant::now();
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
    println!("serve ready after {} ms", started.elapsed().as_millis());
    // Keep reading serve's output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});

    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET /__playbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .expect("request");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut events = BufReader::new(stream);

    let page = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "md")
                && p.file_name().is_some_and(|n| n != "index.md")
        })
        .expect("a page to edit");
    let original = std::fs::read_to_string(&page).expect("read page");
    let mut times = Vec::with_capacity(edits);
    // Let the first build's files reach the disk before timing saves: the
    // kernel's writeback of a large site otherwise stalls the first ones.
    std::thread::sleep(Duration::from_secs(8));
    for k in 0..edits {
        let t = Instant::now();
        std::fs::write(&page, format!("{original}\nEdit number {k}.\n")).expect("write page");
        let mut line = String::new();
        loop {
            line.clear();
            events.read_line(&mut line).expect("an event");
            if line.starts_with("data: ") && line.contains("reload") {
                break;
            }
        }
        times.push(t.elapsed());
        // Space the saves like a person would, but under serve's pause
        // before re-indexing search.
        std::thread::sleep(Duration::from_millis(200));
    }
    std::fs::write(&page, original).expect("restore page");
    // Stop serve as Ctrl-C would, so it removes its temporary folder.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "save-to-reload over {edits} edits: median {:.1} ms, p95 {:.1} ms",
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)])
    );
}
