//! Load check of `playbook serve`: many readers while an author saves.
//!
//! Usage: cargo run --release --example load-check -- [--clients N]
//!        [--seconds S] [--dir PLAYBOOK_DIR]
//!
//! Copies the playbook (the bundled one by default) to a temporary folder,
//! starts target/release/playbook (or $PLAYBOOK_BIN) serving it on a free
//! loopback port, and runs N client threads that fetch its pages over
//! HTTP/1.1 for S seconds while an editor thread saves one page every
//! 50 ms, changing its title every other save (which rewrites every page
//! of its language). Every response is classified; the table counts the
//! bad ones: an error status, an empty body, a body shorter than its
//! Content-Length, a page without `</html>`, or a failed connection.
//! Exits 1 when any response was bad.

mod serve;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    non_2xx: AtomicU64,
    empty: AtomicU64,
    short: AtomicU64,
    truncated: AtomicU64,
    failed: AtomicU64,
}

enum Outcome {
    Ok,
    Non2xx,
    Empty,
    Short,
    Truncated,
    Failed,
}

struct Args {
    clients: usize,
    seconds: u64,
    dir: PathBuf,
}

fn args() -> Args {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut parsed = Args {
        clients: 8,
        seconds: 10,
        dir: manifest,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let value = it.next().unwrap_or_else(|| usage(&arg));
        match arg.as_str() {
            "--clients" => parsed.clients = value.parse().unwrap_or_else(|_| usage(&arg)),
            "--seconds" => parsed.seconds = value.parse().unwrap_or_else(|_| usage(&arg)),
            "--dir" => parsed.dir = PathBuf::from(value),
            _ => usage(&arg),
        }
    }
    parsed.clients = parsed.clients.clamp(1, 256);
    parsed.seconds = parsed.seconds.clamp(1, 600);
    parsed
}

fn usage(arg: &str) -> ! {
    eprintln!("bad argument {arg}");
    eprintln!("usage: load-check [--clients N] [--seconds S] [--dir PLAYBOOK_DIR]");
    std::process::exit(2);
}

/// Copies book.yaml, content/ and themes/ of `from` into `to`.
fn copy_project(from: &Path, to: &Path) {
    std::fs::copy(from.join("book.yaml"), to.join("book.yaml")).expect("copy book.yaml");
    for dir in ["content", "themes"] {
        let source = from.join(dir);
        for entry in walkdir::WalkDir::new(&source)
            .into_iter()
            .filter_map(Result::ok)
        {
            let rel = entry.path().strip_prefix(from).expect("inside the project");
            let target = to.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).expect("create folder");
            } else if entry.file_type().is_file() {
                std::fs::copy(entry.path(), &target).expect("copy file");
            }
        }
    }
}

/// Site paths of the default language's pages: `a/b.md` is `/a/b.html`.
fn page_urls(root: &Path) -> Vec<String> {
    let content = root.join("content");
    let mut urls: Vec<String> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&content).ok()?.to_str()?.to_string();
            let stem = rel.strip_suffix(".md")?;
            // Translations (`a.fi.md`) live under their language folder.
            if stem.rsplit('/').next()?.contains('.') {
                return None;
            }
            Some(format!("/{stem}.html"))
        })
        .collect();
    urls.sort();
    urls
}

/// Decodes a chunked body; None when it ends early.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

fn fetch(port: u16, path: &str) -> Outcome {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return Outcome::Failed;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return Outcome::Failed;
    }
    let mut response = Vec::new();
    if stream.read_to_end(&mut response).is_err() {
        return Outcome::Failed;
    }
    let Some(split) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Outcome::Failed;
    };
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let body = &response[split + 4..];
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if !(200..300).contains(&status) {
        return Outcome::Non2xx;
    }
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
    };
    let body = if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
        match dechunk(body) {
            Some(body) => body,
            None => return Outcome::Short,
        }
    } else {
        if let Some(length) = header("content-length:").and_then(|v| v.parse::<usize>().ok()) {
            if body.len() < length {
                return Outcome::Short;
            }
        }
        body.to_vec()
    };
    if body.is_empty() {
        return Outcome::Empty;
    }
    if !String::from_utf8_lossy(&body).contains("</html>") {
        return Outcome::Truncated;
    }
    Outcome::Ok
}

fn main() {
    let args = args();
    let binary = std::env::var("PLAYBOOK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/playbook")
        });
    if !binary.is_file() {
        eprintln!(
            "{} is missing: run `cargo build --release` first",
            binary.display()
        );
        std::process::exit(2);
    }
    let project = tempfile::tempdir().expect("temporary folder");
    let root = project.path().to_path_buf();
    copy_project(&args.dir, &root);
    let urls = page_urls(&root);
    let edited_rel = urls
        .iter()
        .find(|u| !u.ends_with("index.html"))
        .expect("a page that is not an index")
        .trim_start_matches('/')
        .trim_end_matches(".html")
        .to_string();
    let edited = root.join("content").join(format!("{edited_rel}.md"));
    let original = std::fs::read_to_string(&edited).expect("read the edited page");
    let edited_url = format!("/{edited_rel}.html");

    let (mut child, port) = serve::start(&binary, &root, Stdio::null());
    // The first build is done when serve prints its URL; wait for one page.
    let ready = Instant::now();
    while !matches!(fetch(port, &edited_url), Outcome::Ok) {
        assert!(
            ready.elapsed() < Duration::from_secs(60),
            "serve never served {edited_url}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let counts = Arc::new(Counts::default());
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let editor = {
        let stop = Arc::clone(&stop);
        let edited = edited.clone();
        let original = original.clone();
        std::thread::spawn(move || {
            let mut saves = 0u64;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                // Every other save renames the page, so every page of its
                // language is rewritten, not just this one.
                let title = if saves % 4 < 2 {
                    "Load check"
                } else {
                    "Load check, renamed"
                };
                let body = strip_front_matter(&original);
                let text = format!("---\ntitle: {title}\n---\n{body}\n\nSave number {saves}.\n");
                std::fs::write(&edited, text).expect("save the page");
                saves += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            saves
        })
    };
    let started = Instant::now();
    let clients: Vec<_> = (0..args.clients)
        .map(|c| {
            let counts = Arc::clone(&counts);
            let urls = urls.clone();
            let edited_url = edited_url.clone();
            std::thread::spawn(move || {
                let mut k = c;
                while Instant::now() < deadline {
                    // Half the requests go to the page being saved.
                    let url = if k % 2 == 0 {
                        &edited_url
                    } else {
                        &urls[k / 2 % urls.len()]
                    };
                    let counter = match fetch(port, url) {
                        Outcome::Ok => &counts.ok,
                        Outcome::Non2xx => &counts.non_2xx,
                        Outcome::Empty => &counts.empty,
                        Outcome::Short => &counts.short,
                        Outcome::Truncated => &counts.truncated,
                        Outcome::Failed => &counts.failed,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                    k += 1;
                }
            })
        })
        .collect();
    for client in clients {
        let _ = client.join();
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let saves = editor.join().unwrap_or(0);
    // Stop serve as Ctrl-C would, so it removes its temporary folder.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();

    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let bad = get(&counts.non_2xx)
        + get(&counts.empty)
        + get(&counts.short)
        + get(&counts.truncated)
        + get(&counts.failed);
    let total = bad + get(&counts.ok);
    println!(
        "load check: {} clients for {:.1} s, {} pages, {saves} saves of {edited_url}",
        args.clients,
        elapsed.as_secs_f64(),
        urls.len()
    );
    println!("| responses | count |");
    println!("|---|---:|");
    for (name, value) in [
        ("total", total),
        ("ok (2xx, complete page)", get(&counts.ok)),
        ("non-2xx status", get(&counts.non_2xx)),
        ("empty body", get(&counts.empty)),
        ("short read (< Content-Length)", get(&counts.short)),
        ("truncated (no </html>)", get(&counts.truncated)),
        ("connection failed", get(&counts.failed)),
        ("bad in all", bad),
    ] {
        println!("| {name} | {value} |");
    }
    println!(
        "{:.0} requests/s",
        total as f64 / elapsed.as_secs_f64().max(0.001)
    );
    if bad > 0 {
        std::process::exit(1);
    }
}

fn strip_front_matter(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            return &rest[end + 5..];
        }
    }
    text
}
