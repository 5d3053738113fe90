//! `playbook serve`: files, traversal, live reload, broken saves, and
//! incremental rebuilds that equal a full build.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use playbook::serve::session::Session;
use playbook::site::BuildOptions;

use crate::Project;
use crate::process::Running;

/// A running `playbook serve` on a free port, stopped on drop.
pub struct Server {
    pub process: Running,
    pub port: u16,
}

impl Server {
    pub fn start(project: &Project) -> Server {
        Server::spawn(Server::command(project, &[]))
    }

    /// `playbook serve --port 0 ARGS` in the project.
    pub fn command(project: &Project, args: &[&str]) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("playbook"));
        command
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(project.path())
            .env("NO_COLOR", "1");
        command
    }

    /// Starts `command` and waits for the URL it serves at.
    pub fn spawn(command: Command) -> Server {
        let mut process = Running::spawn(command, "serve");
        let line = process.wait_line("http://127.0.0.1:");
        let rest = line.split("http://127.0.0.1:").nth(1).unwrap();
        let port = rest
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server { process, port }
    }

    /// The next line of output holding `needle`, waiting up to a minute.
    pub fn wait_output(&mut self, needle: &str) -> String {
        self.process.wait_line(needle)
    }

    /// A raw HTTP/1.1 GET: (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        let response = self.request("GET", path, "");
        let status = response[9..12].parse().unwrap();
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// A raw request with extra header lines: the whole response.
    pub fn request(&self, method: &str, path: &str, headers: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    /// Subscribes to live-reload events.
    pub fn events(&self) -> Events {
        self.events_at("/__playbook/events")
    }

    /// Subscribes to live-reload events at `path`, which may carry a query.
    pub fn events_at(&self, path: &str) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Events(BufReader::new(stream))
    }
}

impl Drop for Server {
    /// Stops serve as Ctrl-C would, so it removes its temporary folder;
    /// the process is killed only if it does not stop.
    fn drop(&mut self) {
        self.process.stop("INT", Duration::from_secs(5));
    }
}

pub struct Events(pub BufReader<TcpStream>);

impl Events {
    /// The next event: its id (empty when it has none) and its data.
    pub fn next(&mut self) -> (String, String) {
        let (mut id, mut data) = (String::new(), String::new());
        let mut line = String::new();
        // Keep-alive comments come every few seconds: bound the whole wait.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            assert!(
                std::time::Instant::now() < deadline,
                "no event within a minute"
            );
            line.clear();
            let n = self
                .0
                .read_line(&mut line)
                .expect("an event before the timeout");
            assert!(n > 0, "event stream closed");
            let line = line.trim_end();
            if let Some(value) = line.strip_prefix("id: ") {
                id = value.to_string();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data = value.to_string();
            } else if line.is_empty() && !data.is_empty() {
                return (id, data);
            }
        }
    }

    /// The next event whose JSON contains `needle`.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let mut line = String::new();
        // Keep-alive comments come every few seconds: bound the whole wait.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            assert!(
                std::time::Instant::now() < deadline,
                "no event with {needle} within a minute"
            );
            line.clear();
            let n = self
                .0
                .read_line(&mut line)
                .expect("an event before the timeout");
            assert!(n > 0, "event stream closed while waiting for {needle}");
            if let Some(data) = line.strip_prefix("data: ") {
                if data.contains(needle) {
                    return data.trim().to_string();
                }
            }
        }
    }
}

pub fn project() -> Project {
    Project::new()
        .file(
            "content/index.md",
            "# Home\n\nSee [the other page](other.md#details).\n",
        )
        .file(
            "content/other.md",
            "# Other\n\n## Details\n\nFirst version.\n",
        )
}

/// Lets the watcher settle before an edit, so it sees the edit.
pub fn settle() {
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn serves_pages_with_the_reload_script_and_a_404_page() {
    let project = project();
    let server = Server::start(&project);
    let (status, body) = server.get("/other.html");
    assert_eq!(status, 200);
    assert!(body.contains("First version."));
    assert!(body.contains("/__playbook/reload.js"));
    let (status, body) = server.get("/nope.html");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
    let (status, body) = server.get("/__playbook/reload.js");
    assert_eq!(status, 200);
    assert!(body.contains("EventSource"));
}

#[test]
fn ctrl_c_stops_serve_while_a_browser_listens_for_reloads() {
    let project = project();
    let mut server = Server::start(&project);
    let mut events = server.events();
    let mut status_line = String::new();
    events.0.read_line(&mut status_line).unwrap();
    assert!(status_line.starts_with("HTTP/1.1 200"), "{status_line}");
    let status = server
        .process
        .stop("INT", Duration::from_secs(10))
        .expect("serve stops within 10 s though a reload stream is open");
    assert!(status.success(), "{status}");
    let mut rest = Vec::new();
    events
        .0
        .read_to_end(&mut rest)
        .expect("the stream ends cleanly");
}

#[test]
fn head_and_conditional_requests_and_content_types() {
    let project = project().file(
        "content/picture.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let server = Server::start(&project);
    let head = server.request("HEAD", "/other.html", "");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_lowercase().contains("content-type: text/html"),
        "{head}"
    );
    assert!(!head.contains("First version."), "HEAD has no body");
    let modified = head
        .lines()
        .find_map(|l| {
            l.to_lowercase()
                .starts_with("last-modified:")
                .then(|| l[14..].trim().to_string())
        })
        .expect("a Last-Modified header");
    let again = server.request(
        "GET",
        "/other.html",
        &format!("If-Modified-Since: {modified}\r\n"),
    );
    assert!(again.starts_with("HTTP/1.1 304"), "{again}");
    let tag = header(&head, "etag").expect("an ETag header");
    let again = server.request("GET", "/other.html", &format!("If-None-Match: {tag}\r\n"));
    assert!(again.starts_with("HTTP/1.1 304"), "{again}");
    assert_eq!(header(&again, "etag").as_deref(), Some(tag.as_str()));
    for (path, kind) in [
        ("/assets/playbook.css", "text/css"),
        ("/assets/playbook.js", "javascript"),
        ("/picture.svg", "image/svg+xml"),
    ] {
        let head = server.request("HEAD", path, "");
        assert!(head.to_lowercase().contains(kind), "{path}: {head}");
    }
}

/// A header's value in a raw response.
pub fn header(response: &str, name: &str) -> Option<String> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

#[test]
fn a_reload_after_a_save_in_the_same_second_gets_the_new_page() {
    let project = project();
    let server = Server::start(&project);
    let head = server.request("HEAD", "/other.html", "");
    let tag = header(&head, "etag").expect("an ETag header");
    let mut events = server.events();
    settle();
    let project = project.file(
        "content/other.md",
        "# Other\n\n## Details\n\nSaved within the second.\n",
    );
    events.wait_for("reload");
    // `Last-Modified` counts whole seconds, so a browser's copy from the
    // same second as the save looks fresh by date. A date far ahead stands
    // in for that; the old tag must still get the new page.
    let reloaded = server.request(
        "GET",
        "/other.html",
        &format!("If-None-Match: {tag}\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"),
    );
    assert!(reloaded.starts_with("HTTP/1.1 200"), "{reloaded}");
    assert!(reloaded.contains("Saved within the second."), "{reloaded}");
    assert_ne!(header(&reloaded, "etag"), Some(tag));
    drop(project);
}

/// The place in serve's update log a response says it is current as of.
fn served_at(response: &str) -> String {
    let timing = header(response, "server-timing").expect("a Server-Timing header");
    let (_, rest) = timing
        .split_once("pb-update;desc=\"")
        .expect("the pb-update entry");
    rest.split('"').next().unwrap().to_string()
}

#[test]
fn a_tab_that_opens_its_stream_after_an_update_still_hears_of_it() {
    let project = project();
    let server = Server::start(&project);
    let mut watching = server.events();
    // A tab gets the page, then is slow to open its stream.
    let page = server.request("GET", "/other.html", "");
    assert!(page.contains("First version."), "{page}");
    let loaded_at = served_at(&page);
    settle();
    let project = project.file(
        "content/other.md",
        "# Other\n\n## Details\n\nSecond version.\n",
    );
    watching.wait_for("other.html");
    // Then the work done once the author pauses: the print page and the
    // search index.
    watching.wait_for("print.html");
    watching.wait_for("search.html");
    let mut late = server.events_at(&format!("/__playbook/events?since={loaded_at}"));
    let (id, missed) = late.next();
    assert!(
        missed.contains("\"reload\"") && missed.contains("other.html"),
        "{missed}"
    );
    // A page served now is current: its stream starts with nothing missed,
    // and the next update is the first event it hears.
    let page = server.request("GET", "/other.html", "");
    let now = served_at(&page);
    assert_ne!(now, loaded_at);
    let mut current = server.events_at(&format!("/__playbook/events?since={now}"));
    settle();
    let project = project.file(
        "content/index.md",
        "# Home\n\nSee [the other page](other.md#details). Edited.\n",
    );
    let (next_id, event) = current.next();
    assert!(event.contains("index.html"), "{event}");
    assert_ne!(next_id, id);
    // A browser that re-opens a dropped stream names the last event it
    // had, and is sent what came after it.
    let mut reopened = server.events_at(&format!("/__playbook/events?since={loaded_at}"));
    let (first, _) = reopened.next();
    assert_eq!(first, id);
    drop(project);
}

#[test]
fn a_tab_from_another_run_of_serve_is_told_to_reload() {
    let project = project();
    let server = Server::start(&project);
    let mut events = server.events_at("/__playbook/events?since=1.0");
    let (_, event) = events.next();
    assert!(event.contains("\"all\":true"), "{event}");
    // A page's tag names its place in the log, so a cached copy is never
    // taken for a current one.
    let page = server.request("HEAD", "/other.html", "");
    let tag = header(&page, "etag").unwrap();
    assert!(tag.contains(&served_at(&page)), "{tag}");
    drop(project);
}

#[test]
fn an_atomic_save_and_editor_swap_files() {
    let project = project();
    let server = Server::start(&project);
    let mut events = server.events();
    settle();
    // Vim and many editors write a swap or temporary file, then rename it
    // over the original.
    let dir = project.path().join("content");
    std::fs::write(dir.join(".other.md.swp"), "swap").unwrap();
    std::fs::write(dir.join("other.md~"), "backup").unwrap();
    std::fs::write(
        dir.join("other.md.tmp"),
        "# Other\n\n## Details\n\nSaved atomically.\n",
    )
    .unwrap();
    std::fs::rename(dir.join("other.md.tmp"), dir.join("other.md")).unwrap();
    let event = events.wait_for("reload");
    assert!(
        event.contains("other.html") || event.contains("\"all\":true"),
        "{event}"
    );
    assert!(server.get("/other.html").1.contains("Saved atomically."));
    assert_eq!(
        server.get("/.other.md.swp").0,
        404,
        "swap files are never published"
    );
}

#[test]
fn traversal_attempts_get_404() {
    let project = project();
    let server = Server::start(&project);
    for path in [
        "/../book.yaml",
        "/%2e%2e/book.yaml",
        "/%2E%2E%2Fbook.yaml",
        "/assets/..%2f..%2fbook.yaml",
        "/..\\book.yaml",
        "/%00",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(
            !body.contains("title: Test book"),
            "{path} leaked book.yaml"
        );
    }
}

#[test]
fn an_edit_sends_a_reload_and_serves_the_new_content() {
    let project = project();
    let server = Server::start(&project);
    let mut events = server.events();
    settle();
    let project = project.file(
        "content/other.md",
        "# Other\n\n## Details\n\nSecond version.\n",
    );
    let event = events.wait_for("reload");
    assert!(event.contains("other.html"), "{event}");
    assert!(server.get("/other.html").1.contains("Second version."));
    drop(project);
}

#[test]
fn a_broken_edit_keeps_the_old_page_and_shows_the_overlay_until_fixed() {
    let project = project();
    let server = Server::start(&project);
    let mut events = server.events();
    settle();
    let project = project.file("content/other.md", "# Other\n\nThe anchor is gone.\n");
    let event = events.wait_for("\"error\"");
    assert!(
        event.contains("has no heading or anchor `#details`"),
        "{event}"
    );
    assert!(event.contains("content/index.md:3:"), "{event}");
    assert!(
        server.get("/other.html").1.contains("First version."),
        "the last good page stays"
    );
    // A browser that connects now sees the error at once.
    server.events().wait_for("\"error\"");

    let _project = project.file("content/other.md", "# Other\n\n## Details\n\nFixed.\n");
    events.wait_for("reload");
    assert!(server.get("/other.html").1.contains("Fixed."));
}

#[test]
fn adding_deleting_and_renaming_files() {
    let project = project();
    let server = Server::start(&project);
    let mut events = server.events();
    settle();
    let project = project.file("content/new.md", "# Brand new\n");
    events.wait_for("reload");
    assert!(server.get("/new.html").1.contains("Brand new"));
    assert!(server.get("/toc.js").1.contains("new.html"));

    settle();
    std::fs::rename(
        project.path().join("content/new.md"),
        project.path().join("content/renamed.md"),
    )
    .unwrap();
    events.wait_for("reload");
    assert_eq!(server.get("/new.html").0, 404);
    assert!(server.get("/renamed.html").1.contains("Brand new"));

    settle();
    std::fs::remove_file(project.path().join("content/renamed.md")).unwrap();
    events.wait_for("reload");
    assert_eq!(server.get("/renamed.html").0, 404);
}

/// Every file under `dir`, relative path → bytes.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn incremental_rebuilds_equal_a_full_build() {
    let project = Project::fixture("basic");
    let root = project.path().canonicalize().unwrap();
    let options = BuildOptions {
        live_reload: Some("<script src=\"/__playbook/reload.js\" defer></script>".into()),
        fixed_asset_urls: true,
        ..BuildOptions::default()
    };
    let served = tempfile::tempdir().unwrap();
    let out = served.path().join("site");
    let mut session =
        Session::start(&root, options.clone(), &out).unwrap_or_else(|_| panic!("start"));

    let edits: [(&str, &str); 4] = [
        // A body edit.
        (
            "content/guides/steps.md",
            "---\ntitle: Steps\nkind: how-to\nweight: 2\n---\n\n## The steps\n\nNew body.\n\n## Mitä sanoa?\n",
        ),
        // A title change shows in neighbours, the sidebar and the home page.
        (
            "content/first.md",
            "---\ntitle: A new title\nweight: 1\n---\n\nText.\n",
        ),
        // A reorder.
        (
            "content/first.md",
            "---\ntitle: A new title\nweight: -5\n---\n\nText.\n",
        ),
        // A stylesheet.
        ("themes/default/css/zz-extra.css", "body { outline: 0; }\n"),
    ];
    for (path, text) in edits {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        session
            .apply([full])
            .unwrap_or_else(|_| panic!("apply {path}"))
            .expect("a change");
        session.finish().unwrap();
        session.refresh_search().unwrap();

        let fresh = tempfile::tempdir().unwrap();
        let full = BuildOptions {
            out: Some(fresh.path().join("site")),
            ..options.clone()
        };
        playbook::site::build(&root, &full).unwrap_or_else(|_| panic!("build"));
        let (a, b) = (snapshot(&out), snapshot(&fresh.path().join("site")));
        let differing: Vec<&String> = a
            .keys()
            .chain(b.keys())
            .filter(|k| a.get(*k) != b.get(*k))
            .collect();
        if let Some(first) = differing.first() {
            let show = |m: &std::collections::BTreeMap<String, Vec<u8>>| {
                m.get(*first)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default()
            };
            let (x, y) = (show(&a), show(&b));
            let at = x
                .bytes()
                .zip(y.bytes())
                .position(|(p, q)| p != q)
                .unwrap_or(0);
            panic!(
                "after editing {path}, these differ from a full build: {differing:?}\nfirst difference in {first}: {:?} vs {:?}",
                x.chars()
                    .skip(at.saturating_sub(80))
                    .take(160)
                    .collect::<String>(),
                y.chars()
                    .skip(at.saturating_sub(80))
                    .take(160)
                    .collect::<String>()
            );
        }
    }
}

#[test]
fn a_body_edit_rerenders_only_that_page() {
    let project = Project::fixture("basic");
    let root = project.path().canonicalize().unwrap();
    let served = tempfile::tempdir().unwrap();
    let mut session = Session::start(&root, BuildOptions::default(), &served.path().join("site"))
        .unwrap_or_else(|_| panic!("start"));
    let path = root.join("content/guides/clause.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Second paragraph.", "Another paragraph.");
    std::fs::write(&path, text).unwrap();
    let applied = session
        .apply([path])
        .unwrap_or_else(|_| panic!("apply"))
        .unwrap();
    assert_eq!(applied.rendered, 1);
    assert_eq!(
        applied.update,
        playbook::serve::session::Update::Pages(vec!["guides/clause.html".into()])
    );
}
