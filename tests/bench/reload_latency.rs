//! Save-to-served latency of `playbook serve`: the time from writing a page
//! to the new page being served over HTTP, as a browser gets it: the
//! reload event reaches a connected client (an SSE stream), which then
//! fetches the page; the time stops when the fetched page holds the edit.
//!
//! Usage: cargo run --release --example reload-latency -- <PLAYBOOK_DIR>
//!        [EDITS] [--gap SECONDS]...
//! Runs target/release/playbook (or $PLAYBOOK_BIN). Each `--gap` is one
//! rhythm: EDITS saves, each started SECONDS after the one before (or at
//! once, when the last one took longer). Without `--gap`, 0.2 s. Prints the
//! median, p95 and maximum of each rhythm, and a table row per rhythm.

mod serve;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let usage = "usage: reload-latency <PLAYBOOK_DIR> [EDITS] [--gap SECONDS]...";
    let mut root = None;
    let mut edits: usize = 30;
    let mut gaps: Vec<f64> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--gap" {
            let gap = args.next().and_then(|g| g.parse().ok()).expect(usage);
            gaps.push(gap);
        } else if root.is_none() {
            root = Some(PathBuf::from(arg));
        } else {
            edits = arg.parse().expect(usage);
        }
    }
    let root = root.expect(usage);
    if gaps.is_empty() {
        gaps.push(0.2);
    }
    let binary = std::env::var("PLAYBOOK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/playbook")
        });
    let started = Instant::now();
    let (mut child, port) = serve::start(&binary, &root, Stdio::inherit());
    println!("serve ready after {} ms", started.elapsed().as_millis());

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
    let url = site_path(&root.join("content"), &page);
    let original = std::fs::read_to_string(&page).expect("read page");
    // Let the first build's files reach the disk before timing saves: the
    // kernel's writeback of a large site otherwise stalls the first ones.
    std::thread::sleep(Duration::from_secs(8));
    let mut rows = Vec::new();
    let mut k = 0;
    for &gap in &gaps {
        let gap_time = Duration::from_secs_f64(gap);
        let mut times = Vec::with_capacity(edits);
        let mut last_save: Option<Instant> = None;
        for _ in 0..edits {
            if let Some(last) = last_save {
                std::thread::sleep(gap_time.saturating_sub(last.elapsed()));
            }
            k += 1;
            let marker = format!("Edit number {k}.");
            let t = Instant::now();
            last_save = Some(t);
            std::fs::write(&page, format!("{original}\n{marker}\n")).expect("write page");
            wait_for_reload(&mut events, &url);
            // The event may be an earlier save's: fetch until the page
            // holds this one.
            while !fetch(port, &url).contains(&marker) {
                wait_for_reload(&mut events, &url);
            }
            times.push(t.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let (median, p95, max) = (
            ms(times[times.len() / 2]),
            ms(times[(times.len() * 95 / 100).min(times.len() - 1)]),
            ms(times[times.len() - 1]),
        );
        println!(
            "gap {gap} s, {edits} edits: save-to-served median {median:.1} ms, p95 {p95:.1} ms, max {max:.1} ms"
        );
        rows.push(format!(
            "| {gap} s | {median:.1} ms | {p95:.1} ms | {max:.1} ms |"
        ));
    }
    std::fs::write(&page, original).expect("restore page");
    // Stop serve as Ctrl-C would, so it removes its temporary folder.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    println!("\n| gap between saves | median | p95 | max |\n|---|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
}

/// The site path of the page at `page`: `s000/p00001.html`.
fn site_path(content: &Path, page: &Path) -> String {
    let rel = page.strip_prefix(content).expect("a page under content/");
    let rel = rel.with_extension("html");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads live-reload events until one reloads `url` (or every page).
fn wait_for_reload(events: &mut BufReader<TcpStream>, url: &str) {
    let mut line = String::new();
    loop {
        line.clear();
        events.read_line(&mut line).expect("an event");
        if line.starts_with("data: ")
            && line.contains("reload")
            && (line.contains(&format!("\"{url}\"")) || line.contains("\"all\":true"))
        {
            return;
        }
    }
}

/// The body of `GET /url`.
fn fetch(port: u16, url: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET /{url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
}
