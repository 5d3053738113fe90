//! The preview server: the site's files, the live-reload events and the
//! reload script, on one port.
//!
//! Files are served from the session's output folder with correct content
//! types, `HEAD`, conditional requests and a 404 page; no path can reach
//! outside that folder. Every response says `no-cache`, so a reload always
//! revalidates, and a strong `ETag` makes sure it sees every save.
//!
//! Every update of the site's files gets the next number in a short log.
//! Each page is served with the number it is current as of (in a
//! `Server-Timing` entry, which the page's script can read), and a tab that
//! opens its live-reload stream later passes that number back: the updates
//! it missed while loading are sent first, so a save made while a page was
//! loading is never lost.
//!
//! Only requests that name this machine are answered (see [`host_allowed`]),
//! so a web page whose own name was re-pointed at `127.0.0.1` (DNS
//! rebinding) cannot read drafts or build errors. Live-reload streams are
//! capped at [`MAX_STREAMS`], so open tabs cannot use up the process's file
//! descriptors.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::set_status::SetStatus;

pub const EVENTS_PATH: &str = "/__playbook/events";
pub const SCRIPT_PATH: &str = "/__playbook/reload.js";
const RELOAD_JS: &str = include_str!("reload.js");

/// The most live-reload streams open at once. Each holds a connection (a
/// file descriptor) for as long as its tab is open; a tab over the cap gets
/// `503` and tries again later.
pub const MAX_STREAMS: usize = 64;

/// How many updates the log keeps for tabs that connect late. A tab that
/// missed more is told to reload.
const REMEMBERED: usize = 64;

/// The `Server-Timing` entry that carries a page's place in the log.
const TIMING_NAME: &str = "pb-update";

/// The tag serve adds to every page it writes.
pub fn script_tag() -> String {
    format!("<script src=\"{SCRIPT_PATH}\" defer></script>")
}

/// A message to connected browsers.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event {
    Reload {
        all: bool,
        pages: Vec<String>,
    },
    Css,
    Error {
        text: String,
    },
    /// Something the author should know that is not a build error (the
    /// watcher failed): shown as a banner that stays across reloads.
    Notice {
        text: String,
    },
    Ok,
    /// Serve is stopping: ends every live-reload stream. Never sent to a
    /// browser.
    Stop,
}

impl Event {
    /// Whether the event tells of files that changed, which a tab that
    /// was loading at the time must still hear of.
    fn updates_files(&self) -> bool {
        matches!(self, Event::Reload { .. } | Event::Css)
    }

    fn reload_all() -> Event {
        Event::Reload {
            all: true,
            pages: Vec::new(),
        }
    }
}

/// A place in the update log: which run of serve, and how many updates it
/// had made. Written `RUN.COUNT`, in the pages' `Server-Timing` header and
/// as the id of each event that tells of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    run: u64,
    count: u64,
}

impl Mark {
    fn parse(text: &str) -> Option<Mark> {
        let (run, count) = text.trim().split_once('.')?;
        Some(Mark {
            run: run.parse().ok()?,
            count: count.parse().ok()?,
        })
    }
}

impl std::fmt::Display for Mark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.run, self.count)
    }
}

/// An event as the streams get it: with its place in the log when it tells
/// of an update.
#[derive(Debug, Clone)]
struct Sent {
    mark: Option<Mark>,
    event: Event,
}

/// The latest updates, numbered.
#[derive(Debug)]
struct Log {
    /// Tells this run's numbers from those of an earlier serve, whose pages
    /// a tab may still show.
    run: u64,
    /// Updates made so far.
    count: u64,
    recent: VecDeque<(u64, Event)>,
}

impl Log {
    fn new(run: u64) -> Log {
        Log {
            run,
            count: 0,
            recent: VecDeque::with_capacity(REMEMBERED),
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            run: self.run,
            count: self.count,
        }
    }

    /// Numbers an update and remembers it.
    fn record(&mut self, event: &Event) -> Mark {
        self.count += 1;
        if self.recent.len() == REMEMBERED {
            self.recent.pop_front();
        }
        self.recent.push_back((self.count, event.clone()));
        self.mark()
    }

    /// What a tab that is current as of `since` has missed: the updates
    /// after it, or a reload when they are no longer all known (too many,
    /// or the page came from another run of serve).
    fn since(&self, since: Mark) -> Vec<Sent> {
        let known = self.count - self.recent.len() as u64;
        if since.run != self.run || since.count > self.count || since.count < known {
            return vec![Sent {
                mark: Some(self.mark()),
                event: Event::reload_all(),
            }];
        }
        self.recent
            .iter()
            .filter(|(count, _)| *count > since.count)
            .map(|(count, event)| Sent {
                mark: Some(Mark {
                    run: self.run,
                    count: *count,
                }),
                event: event.clone(),
            })
            .collect()
    }
}

/// What the server shares with the rebuild loop.
pub struct Shared {
    events: broadcast::Sender<Sent>,
    /// The current build error, shown to browsers as they connect.
    pub error: Mutex<Option<String>>,
    /// The current notice, shown to browsers as they connect.
    pub notice: Mutex<Option<String>>,
    /// Live-reload streams open now.
    streams: AtomicUsize,
    log: Mutex<Log>,
}

impl Shared {
    pub fn new() -> Arc<Self> {
        let (events, _) = broadcast::channel(64);
        // Any number that differs between runs will do: the start time.
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Arc::new(Shared {
            events,
            error: Mutex::new(None),
            notice: Mutex::new(None),
            streams: AtomicUsize::new(0),
            log: Mutex::new(Log::new(run)),
        })
    }

    /// Sends `event` to every connected browser. Send an update only once
    /// its files are written: a page served after this carries its number.
    pub fn send(&self, event: Event) {
        match &event {
            Event::Notice { text } => {
                if let Ok(mut notice) = self.notice.lock() {
                    *notice = Some(text.clone());
                }
            }
            Event::Stop => {}
            other => {
                if let Ok(mut error) = self.error.lock() {
                    *error = match other {
                        Event::Error { text } => Some(text.clone()),
                        _ => None,
                    };
                }
            }
        }
        // Numbered and sent under one lock, so a stream that opens reads
        // the log and subscribes at one point between two updates.
        let mut log = self.log();
        let mark = event.updates_files().then(|| log.record(&event));
        // No browser connected is not an error.
        let _ = self.events.send(Sent { mark, event });
    }

    /// The place in the log of the files as they are now.
    pub fn mark(&self) -> Mark {
        self.log().mark()
    }

    fn log(&self) -> MutexGuard<'_, Log> {
        // The log holds no invariant a panic could break half-way.
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Holds one of the [`MAX_STREAMS`] places while its stream is open.
struct StreamPlace(Arc<Shared>);

impl StreamPlace {
    fn take(shared: &Arc<Shared>) -> Option<StreamPlace> {
        shared
            .streams
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < MAX_STREAMS).then_some(open + 1)
            })
            .ok()
            .map(|_| StreamPlace(Arc::clone(shared)))
    }
}

impl Drop for StreamPlace {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether a request's `Host` names this server: `localhost`, a name under
/// `.localhost`, an address in 127.0.0.0/8, `[::1]`, or the address serve
/// listens on (`--host`), each with or without a port. Listening on every
/// interface (`0.0.0.0`, `::`), any address literal is accepted too, since
/// the machine may have many; names other than localhost never are, as a
/// rebinding attack needs one.
pub fn host_allowed(host: &str, listening: IpAddr) -> bool {
    let host = host.trim().trim_end_matches('.');
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, "")) => inner,
            Some((inner, port)) if port.strip_prefix(':').is_some_and(valid_port) => inner,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if valid_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    let Ok(addr) = name.parse::<IpAddr>() else {
        return false;
    };
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    };
    addr.is_loopback() || addr == listening || listening.is_unspecified()
}

fn valid_port(port: &str) -> bool {
    port.parse::<u16>().is_ok()
}

/// Answers `403` to a request whose `Host` is not this machine.
async fn check_host(State(listening): State<IpAddr>, request: Request, next: Next) -> Response {
    let host = request
        .uri()
        .authority()
        .map(|a| {
            a.as_str()
                .rsplit('@')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .or_else(|| {
            request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        });
    match host {
        Some(host) if host_allowed(&host, listening) => next.run(request).await,
        _ => (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "playbook serve answers only requests for localhost or the address it listens on: \
the Host header names another site.\n",
        )
            .into_response(),
    }
}

/// Whether `host` listens on every interface.
pub fn all_interfaces(host: IpAddr) -> bool {
    host == IpAddr::V4(Ipv4Addr::UNSPECIFIED) || host == IpAddr::V6(Ipv6Addr::UNSPECIFIED)
}

pub fn router(dir: PathBuf, shared: Arc<Shared>, listening: IpAddr) -> Router {
    let not_found = SetStatus::new(ServeFile::new(dir.join("404.html")), StatusCode::NOT_FOUND);
    let files = ServeDir::new(&dir)
        .append_index_html_on_directories(true)
        .not_found_service(not_found);
    let site = Arc::new(Site {
        dir,
        shared: Arc::clone(&shared),
    });
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(site, entity_tags))
        .layer(middleware::from_fn(refuse_traversal))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn_with_state(listening, check_host))
        .with_state(shared)
}

/// Any `..` segment, encoded or not, and backslashes or NULs, get a 404
/// before a file is looked up.
async fn refuse_traversal(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let decoded = crate::html::percent_decode(path);
    let bad = decoded.split(['/', '\\']).any(|segment| segment == "..")
        || decoded.contains('\0')
        || decoded.contains('\\');
    if bad {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// The served folder, and the log its files are current as of.
struct Site {
    dir: PathBuf,
    shared: Arc<Shared>,
}

/// Strong entity tags for the site's files, and each response's place in
/// the update log.
///
/// `Last-Modified` counts whole seconds, so a page rebuilt in the same
/// second as the copy a browser holds would be answered `304` and the reload
/// would show the old page. The tag is made from the file's length and its
/// full modification time, so every save changes it. When a request carries
/// `If-None-Match`, the tag decides and `If-Modified-Since` is ignored, as
/// RFC 9110 (section 13.2.2) asks.
///
/// The place in the log is read before the file, so the file served is at
/// least that current (an update is sent only after its files are written).
/// A page's tag includes it too: a `304` never hands a tab a copy that
/// claims an older place than the one it is shown with.
async fn entity_tags(State(site): State<Arc<Site>>, mut request: Request, next: Next) -> Response {
    let mark = site.shared.mark();
    let timing = HeaderValue::from_str(&format!("{TIMING_NAME};desc=\"{mark}\"")).ok();
    let stamp = |mut response: Response| {
        if let Some(timing) = &timing {
            response
                .headers_mut()
                .insert(HeaderName::from_static("server-timing"), timing.clone());
        }
        response
    };
    let Some(mut tag) = entity_tag(&site.dir, request.uri().path()) else {
        return stamp(next.run(request).await);
    };
    if is_page(request.uri().path()) {
        tag.insert_str(tag.len() - 1, &format!("-{mark}"));
    }
    let headers = request.headers_mut();
    if let Some(wanted) = headers.get(header::IF_NONE_MATCH) {
        let fresh = tag_matches(wanted.as_bytes(), tag.as_bytes());
        headers.remove(header::IF_MODIFIED_SINCE);
        if fresh && matches!(*request.method(), Method::GET | Method::HEAD) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            set_tag(response.headers_mut(), &tag);
            return stamp(response);
        }
    }
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        set_tag(response.headers_mut(), &tag);
    }
    stamp(response)
}

/// Whether a URL path names a page (which runs the reload script), not a
/// stylesheet, script or asset.
fn is_page(url_path: &str) -> bool {
    url_path.ends_with('/') || url_path.ends_with(".html")
}

/// The tag of the file a URL path names (`folder/` means its index.html),
/// or `None` when it names no file.
fn entity_tag(dir: &Path, url_path: &str) -> Option<String> {
    let decoded = crate::html::percent_decode(url_path);
    let mut file = dir.join(decoded.trim_start_matches('/'));
    if decoded.ends_with('/') {
        file.push("index.html");
    }
    let metadata = std::fs::metadata(&file).ok().filter(|m| m.is_file())?;
    let modified = metadata
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "\"{:x}-{:x}.{:x}\"",
        metadata.len(),
        modified.as_secs(),
        modified.subsec_nanos()
    ))
}

/// Whether an `If-None-Match` value (`*`, or a list of tags, weak or not)
/// names `tag`.
fn tag_matches(wanted: &[u8], tag: &[u8]) -> bool {
    wanted.split(|&b| b == b',').any(|candidate| {
        let candidate = candidate.trim_ascii();
        let candidate = candidate.strip_prefix(b"W/").unwrap_or(candidate);
        candidate == b"*" || candidate == tag
    })
}

fn set_tag(headers: &mut HeaderMap, tag: &str) {
    if let Ok(value) = HeaderValue::from_str(tag) {
        headers.insert(header::ETAG, value);
    }
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        RELOAD_JS,
    )
}

async fn events(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(place) = StreamPlace::take(&shared) else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::RETRY_AFTER, "10"),
            ],
            format!(
                "too many live-reload connections ({MAX_STREAMS} tabs are open); \
this tab will not reload by itself until some are closed\n"
            ),
        )
            .into_response();
    };
    // A stream the browser re-opens names the last event it had; a new
    // one, the update its page was served at.
    let since = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(Mark::parse)
        .or_else(|| {
            query
                .as_deref()
                .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("since=")))
                .and_then(Mark::parse)
        });
    let (missed, receiver) = {
        let log = shared.log();
        let missed = since.map(|since| log.since(since)).unwrap_or_default();
        (missed, shared.events.subscribe())
    };
    let unnumbered = |event| Sent { mark: None, event };
    let notice = shared
        .notice
        .lock()
        .ok()
        .and_then(|e| e.clone())
        .map(|text| unnumbered(Event::Notice { text }));
    let current = shared
        .error
        .lock()
        .ok()
        .and_then(|e| e.clone())
        .map(|text| unnumbered(Event::Error { text }));
    // Missed updates first: the error overlay, once shown, reloads on any
    // update, and a missed one may name another page.
    let first = tokio_stream::iter(missed.into_iter().chain(notice).chain(current));
    let rest = BroadcastStream::new(receiver).map(move |received| match received {
        Ok(sent) => sent,
        // Too slow to keep up: which updates were dropped is unknown.
        Err(BroadcastStreamRecvError::Lagged(_)) => unnumbered(Event::reload_all()),
    });
    let stream = first
        .chain(rest)
        .take_while(|sent| !matches!(sent.event, Event::Stop))
        .map(move |sent| {
            // The stream owns its place and gives it back when it ends.
            let _place = &place;
            let data = serde_json::to_string(&sent.event).unwrap_or_default();
            let event = SseEvent::default().data(data);
            Ok::<_, Infallible>(match sent.mark {
                Some(mark) => event.id(mark.to_string()),
                None => event,
            })
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn a_save_in_the_same_second_changes_the_tag() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.html");
        let write = |text: &str, nanos: u32| {
            std::fs::write(&page, text).unwrap();
            let file = std::fs::File::options().write(true).open(&page).unwrap();
            file.set_modified(UNIX_EPOCH + Duration::new(1_800_000_000, nanos))
                .unwrap();
        };
        write("<p>first</p>", 100);
        let first = entity_tag(dir.path(), "/page.html").unwrap();
        // Same length, same second: only the full time tells them apart.
        write("<p>again</p>", 900_000_000);
        let second = entity_tag(dir.path(), "/page.html").unwrap();
        assert_ne!(first, second);
        assert!(second.starts_with('"') && second.ends_with('"'), "{second}");
    }

    #[test]
    fn folders_mean_their_index_and_missing_files_have_no_tag() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("fi")).unwrap();
        std::fs::write(dir.path().join("fi/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("mitä.html"), "x").unwrap();
        assert!(entity_tag(dir.path(), "/fi/").is_some());
        assert!(entity_tag(dir.path(), "/mit%C3%A4.html").is_some());
        assert_eq!(entity_tag(dir.path(), "/fi"), None, "serve redirects it");
        assert_eq!(entity_tag(dir.path(), "/missing.html"), None);
        assert_eq!(entity_tag(dir.path(), "/__playbook/events"), None);
    }

    #[test]
    fn only_hosts_naming_this_machine_are_answered() {
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for host in [
            "localhost",
            "localhost:3000",
            "LOCALHOST.",
            "book.localhost:3000",
            "127.0.0.1",
            "127.0.0.1:3000",
            "127.8.9.10:80",
            "[::1]",
            "[::1]:3000",
            "[::ffff:127.0.0.1]:3000",
        ] {
            assert!(host_allowed(host, loopback), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "192.168.1.5:3000",
            "[::2]:3000",
            "localhost:port",
            "[::1]x",
            "[::1]3000",
        ] {
            assert!(!host_allowed(host, loopback), "{host}");
        }
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        assert!(host_allowed("192.168.1.5:3000", lan));
        assert!(host_allowed("localhost:3000", lan));
        assert!(!host_allowed("192.168.1.6:3000", lan));
        let v6: IpAddr = "fd00::5".parse().unwrap();
        assert!(host_allowed("[fd00::5]:3000", v6));
        let everywhere: IpAddr = "0.0.0.0".parse().unwrap();
        assert!(host_allowed("10.1.2.3:3000", everywhere));
        assert!(!host_allowed("evil.example:3000", everywhere));
    }

    fn page(name: &str) -> Event {
        Event::Reload {
            all: false,
            pages: vec![name.to_string()],
        }
    }

    fn counts(sent: &[Sent]) -> Vec<u64> {
        sent.iter()
            .filter_map(|s| s.mark.map(|m| m.count))
            .collect()
    }

    #[test]
    fn a_late_stream_gets_the_updates_after_its_mark_or_a_reload() {
        let mut log = Log::new(7);
        let start = log.mark();
        assert!(log.since(start).is_empty());
        log.record(&page("a.html"));
        let middle = log.record(&Event::Css);
        log.record(&page("b.html"));
        assert_eq!(counts(&log.since(start)), [1, 2, 3]);
        assert_eq!(counts(&log.since(middle)), [3]);
        assert!(log.since(log.mark()).is_empty());
        // Another run, a place ahead of the log, or one older than what it
        // keeps: what was missed is unknown, so reload.
        for stale in [Mark { run: 6, count: 1 }, Mark { run: 7, count: 9 }] {
            let sent = log.since(stale);
            assert_eq!(sent.len(), 1);
            assert!(matches!(sent[0].event, Event::Reload { all: true, .. }));
        }
        for _ in 0..REMEMBERED {
            log.record(&Event::Css);
        }
        let sent = log.since(middle);
        assert!(matches!(
            sent[..],
            [Sent {
                event: Event::Reload { all: true, .. },
                ..
            }]
        ));
        assert_eq!(log.since(Mark { run: 7, count: 3 }).len(), REMEMBERED);
    }

    #[test]
    fn marks_read_back_what_they_write() {
        let mark = Mark {
            run: 1764000000000,
            count: 42,
        };
        assert_eq!(Mark::parse(&mark.to_string()), Some(mark));
        for bad in ["", "1", "1.", ".2", "a.b", "1.2.3", "-1.2"] {
            assert_eq!(Mark::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn if_none_match_lists_weak_tags_and_star() {
        let tag = b"\"c-1.2\"";
        assert!(tag_matches(b"\"c-1.2\"", tag));
        assert!(tag_matches(b"\"a\", W/\"c-1.2\"", tag));
        assert!(tag_matches(b"*", tag));
        assert!(!tag_matches(b"\"c-1.3\"", tag));
        assert!(!tag_matches(b"", tag));
    }
}
