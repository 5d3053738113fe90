//! `playbook serve` under strain and attack: many tabs, foreign Host
//! headers, watcher failures, crashed rebuilds, bursts of deletions,
//! warnings, and stops that must leave no temporary folder behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::Project;
use crate::process::Running;
use crate::serve::{Server, project, settle};

/// The cap serve puts on live-reload streams.
const MAX_STREAMS: usize = 64;

/// The status line and headers of a response that may never end.
fn response_head(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("a response");
        head.push_str(&line);
        if n == 0 || line == "\r\n" {
            return head;
        }
    }
}

fn open_stream(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET /__playbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    stream
}

#[test]
fn live_reload_streams_are_capped_and_pages_still_load() {
    let project = project();
    let server = Server::start(&project);
    let mut open = Vec::new();
    for i in 0..MAX_STREAMS {
        let mut stream = open_stream(server.port);
        let head = response_head(&mut stream);
        assert!(head.starts_with("HTTP/1.1 200"), "stream {i}: {head}");
        open.push(stream);
    }
    let mut over = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    write!(
        over,
        "GET /__playbook/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    over.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut refused = String::new();
    // A stream that was let in never ends: the timeout ends the read.
    let _ = over.read_to_string(&mut refused);
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(
        refused.contains("too many live-reload connections"),
        "{refused}"
    );
    assert!(refused.to_lowercase().contains("retry-after:"), "{refused}");
    // The server still answers pages.
    let (status, body) = server.get("/other.html");
    assert_eq!(status, 200);
    assert!(body.contains("First version."));
    // And the reload script knows to try again later.
    let (_, script) = server.get("/__playbook/reload.js");
    assert!(script.contains("EventSource.CLOSED"), "{script}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_open_file_limit_is_raised_to_the_hard_limit() {
    let project = project();
    let binary = assert_cmd::cargo::cargo_bin("playbook");
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -Sn 256 && exec \"$0\" serve --port 0")
        .arg(&binary)
        .current_dir(project.path())
        .env("NO_COLOR", "1");
    let server = Server::spawn(command);
    let limits =
        std::fs::read_to_string(format!("/proc/{}/limits", server.process.child.id())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a line for open files");
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_ne!(numbers[0], "256", "the soft limit was left: {line}");
    assert_eq!(numbers[0], numbers[1], "soft is not hard: {line}");
}

/// A raw GET naming `host`: the whole response.
fn get_as(port: u16, path: &str, host: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn requests_for_other_hosts_are_refused() {
    let project = project().file("content/secret.md", "---\ndraft: true\n---\n# Secret\n");
    let server = Server::start(&project);
    let port = server.port;
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
    ] {
        for path in ["/other.html", "/__playbook/events"] {
            let response = get_as(port, path, &host);
            assert!(response.starts_with("HTTP/1.1 403"), "{host}: {response}");
            assert!(
                response.contains("answers only requests for localhost"),
                "{host}: {response}"
            );
            assert!(!response.contains("First version."), "{host}: {response}");
        }
    }
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("book.localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("127.0.0.2:{port}"),
        format!("[::1]:{port}"),
    ] {
        let response = get_as(port, "/other.html", &host);
        assert!(response.starts_with("HTTP/1.1 200"), "{host}: {response}");
        assert!(response.contains("First version."), "{host}");
    }
}

#[test]
fn listening_on_every_interface_warns() {
    let project = project();
    let server = Server::spawn(Server::command(&project, &["--host", "0.0.0.0"]));
    assert!(
        server
            .process
            .seen
            .iter()
            .any(|l| l.contains("warning: listening on every interface")),
        "{:?}",
        server.process.seen
    );
    // The URL shown is one a browser can open, and the Host check lets it in.
    assert!(server.get("/other.html").1.contains("First version."));
}

#[test]
fn poll_sees_saves() {
    let project = project();
    let server = Server::spawn(Server::command(&project, &["--poll"]));
    let mut events = server.events();
    settle();
    let project = project.file(
        "content/other.md",
        "# Other\n\n## Details\n\nPolled version.\n",
    );
    events.wait_for("reload");
    assert!(server.get("/other.html").1.contains("Polled version."));
    drop(project);
}

#[test]
fn watcher_errors_are_reported_and_everything_is_rebuilt() {
    let project = project();
    let mut command = Server::command(&project, &[]);
    command.env("PLAYBOOK_TEST_WATCH_ERROR_ON_SAVE_OF", "lost.md");
    let mut server = Server::spawn(command);
    let mut events = server.events();
    settle();
    // The watcher loses this save and says so.
    let project = project.file("content/lost.md", "# Lost and found\n");
    let notice = events.wait_for("\"notice\"");
    assert!(notice.contains("File watching failed"), "{notice}");
    assert!(notice.contains("events of this save were lost"), "{notice}");
    let event = events.wait_for("reload");
    assert!(event.contains("\"all\":true"), "{event}");
    // The full rebuild found the page whose event was lost.
    assert!(server.get("/lost.html").1.contains("Lost and found"));
    server.wait_output("watcher error: test error");
    server.wait_output("rebuilding everything");
    // A tab opened later sees the notice too.
    server.events().wait_for("\"notice\"");
    drop(project);
}

#[test]
fn a_crashed_rebuild_keeps_the_site_and_the_next_save_rebuilds_it() {
    let project = project();
    let mut command = Server::command(&project, &[]);
    command.env("PLAYBOOK_TEST_CRASH_ON_SAVE_OF", "boom.md");
    let mut server = Server::spawn(command);
    let mut events = server.events();
    settle();
    let project = project.file("content/boom.md", "# Boom\n");
    let error = events.wait_for("\"error\"");
    assert!(error.contains("the rebuild crashed"), "{error}");
    assert!(error.contains("set to crash the rebuild"), "{error}");
    server.wait_output("the rebuild crashed");
    assert!(
        server.get("/other.html").1.contains("First version."),
        "the last good site stays"
    );

    settle();
    let project = project.file(
        "content/other.md",
        "# Other\n\n## Details\n\nAfter the crash.\n",
    );
    let event = events.wait_for("reload");
    assert!(event.contains("\"all\":true"), "a full rebuild: {event}");
    assert!(server.get("/other.html").1.contains("After the crash."));
    assert!(server.get("/boom.html").1.contains("Boom"));
    drop(project);
}

#[test]
fn deleting_many_pages_reports_no_error_on_the_way() {
    let mut project = project();
    for i in 0..600 {
        project = project.file(
            &format!("content/many/page-{i:03}.md"),
            &format!("# Page {i}\n\nSome text for page {i}.\n"),
        );
    }
    let server = Server::start(&project);
    let mut events = server.events();
    settle();
    // As `rm -rf` does: one file after another, in no order a rebuild
    // reading them would follow, then the folder.
    let many = project.path().join("content/many");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&many)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.reverse();
    for (i, file) in files.iter().enumerate() {
        std::fs::remove_file(file).unwrap();
        if i % 2 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    std::fs::remove_dir(&many).unwrap();
    settle();
    let project = project.file("content/index.md", "# Home\n\nAll gone.\n");
    loop {
        let event = events.wait_for("\"type\"");
        assert!(
            !event.contains("\"error\""),
            "an error flashed during the deletion: {event}"
        );
        if event.contains("reload") && server.get("/index.html").1.contains("All gone.") {
            break;
        }
    }
    assert_eq!(server.get("/many/page-000.html").0, 404);
    drop(project);
}

#[test]
fn each_warning_shows_once_in_the_terminal_and_not_as_an_error() {
    let project = project()
        .file(
            "content/pic.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .file(
            "content/index.md",
            "# Home\n\n![](pic.svg)\n\nSee [the other page](other.md#details).\n",
        );
    let mut server = Server::start(&project);
    // Warnings go to stderr and the URL to stdout, read on two threads:
    // the warning may arrive on either side of the URL.
    if !server
        .process
        .seen
        .iter()
        .any(|l| l.contains("image has no alt text"))
    {
        server.wait_output("image has no alt text");
    }
    let mut events = server.events();
    settle();
    let project = project.file(
        "content/other.md",
        "# Other\n\n## Details\n\nSecond version.\n",
    );
    events.wait_for("reload");
    settle();
    let project = project.file(
        "content/other.md",
        "# Other\n\n## Details\n\n![](pic.svg)\n",
    );
    let event = events.wait_for("\"type\"");
    assert!(event.contains("reload"), "a warning is no error: {event}");
    server.wait_output("content/other.md:");
    let shown = server
        .process
        .seen
        .iter()
        .filter(|l| l.contains("image has no alt text"))
        .count();
    assert_eq!(
        shown,
        2,
        "each warning once:\n{}",
        server.process.seen.join("\n")
    );
    drop(project);
}

/// A project big enough that a full build takes a moment.
fn big_project() -> Project {
    let mut project = project();
    for i in 0..1500 {
        project = project.file(
            &format!("content/part-{}/page-{i:04}.md", i / 100),
            &format!(
                "# Page {i}\n\nSome text for page {i}, long enough to render.\n\n## More\n\nText.\n"
            ),
        );
    }
    project
}

/// The folders serve made in `tmp`.
fn serve_folders(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("playbook-serve-"))
        })
        .collect()
}

/// Waits until a full build is writing its staging folder in `tmp`.
fn wait_for_staging(tmp: &Path) {
    for _ in 0..2000 {
        let staging = serve_folders(tmp).iter().any(|folder| {
            std::fs::read_dir(folder).is_ok_and(|mut entries| {
                entries.any(|e| {
                    e.is_ok_and(|e| e.file_name().to_string_lossy().contains(".building-"))
                })
            })
        });
        if staging {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("no build started in {}", tmp.display());
}

#[cfg(unix)]
#[test]
fn a_stop_during_a_full_rebuild_removes_the_temporary_folder() {
    let project = big_project();
    let tmp = tempfile::tempdir().unwrap();
    let mut command = Server::command(&project, &[]);
    command.env("TMPDIR", tmp.path());
    let mut server = Server::spawn(command);
    assert_eq!(serve_folders(tmp.path()).len(), 1);
    settle();
    let project = project.file("book.yaml", "title: Test book\n# a full rebuild\n");
    wait_for_staging(tmp.path());
    let status = server
        .process
        .stop("TERM", Duration::from_secs(60))
        .expect("serve stops within a minute");
    assert!(status.success(), "{status}");
    assert_eq!(serve_folders(tmp.path()), Vec::<PathBuf>::new());
    drop(project);
}

#[cfg(unix)]
#[test]
fn a_stop_during_the_first_build_removes_the_temporary_folder() {
    let project = big_project();
    let tmp = tempfile::tempdir().unwrap();
    let mut command = Server::command(&project, &[]);
    command.env("TMPDIR", tmp.path());
    let mut serve = Running::spawn(command, "serve");
    wait_for_staging(tmp.path());
    let status = serve
        .stop("INT", Duration::from_secs(60))
        .expect("serve stops within a minute");
    assert!(status.success(), "{status}");
    assert_eq!(serve_folders(tmp.path()), Vec::<PathBuf>::new());
}

#[cfg(unix)]
#[test]
fn the_next_serve_removes_the_folder_of_a_killed_one_and_nothing_else() {
    let project = project();
    let tmp = tempfile::tempdir().unwrap();
    let start = || {
        let mut command = Server::command(&project, &[]);
        command.env("TMPDIR", tmp.path());
        Server::spawn(command)
    };
    let mut killed = start();
    let left = serve_folders(tmp.path());
    assert_eq!(left.len(), 1, "{left:?}");
    killed.process.child.kill().unwrap();
    killed.process.child.wait().unwrap();
    assert!(left[0].exists(), "kill -9 leaves the folder");

    // Look-alikes that are not a dead serve's: no marker, or a live process.
    let unmarked = tmp.path().join("playbook-serve-4000000-abc123");
    std::fs::create_dir(&unmarked).unwrap();
    std::fs::write(unmarked.join("keep.txt"), "not serve's").unwrap();
    let living = tmp
        .path()
        .join(format!("playbook-serve-{}-abc123", std::process::id()));
    std::fs::create_dir(&living).unwrap();
    std::fs::copy(
        left[0].join(".playbook-serve"),
        living.join(".playbook-serve"),
    )
    .unwrap();

    let next = start();
    assert!(
        next.process
            .seen
            .iter()
            .any(|l| l.contains("left by a serve that did not stop cleanly")),
        "{:?}",
        next.process.seen
    );
    assert!(!left[0].exists(), "the killed serve's folder is removed");
    assert!(unmarked.join("keep.txt").exists());
    assert!(living.join(".playbook-serve").exists());
    assert_eq!(serve_folders(tmp.path()).len(), 3);
    drop(next);
}
