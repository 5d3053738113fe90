//! The preview server: the site's files, the live-reload events and the
//! reload script, on one port.
//!
//! Files are served from the session's output folder with correct content
//! types, `HEAD`, conditional requests and a 404 page; no path can reach
//! outside that folder. Every response says `no-cache`, so a reload always
//! revalidates, and a strong `ETag` makes sure it sees every save.
//!
//! Only requests that name this machine are answered (see [`host_allowed`]),
//! so a web page whose own name was re-pointed at `127.0.0.1` (DNS
//! rebinding) cannot read drafts or build errors. Live-reload streams are
//! capped at [`MAX_STREAMS`], so open tabs cannot use up the process's file
//! descriptors.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
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

/// What the server shares with the rebuild loop.
pub struct Shared {
    pub events: broadcast::Sender<Event>,
    /// The current build error, shown to browsers as they connect.
    pub error: Mutex<Option<String>>,
    /// The current notice, shown to browsers as they connect.
    pub notice: Mutex<Option<String>>,
    /// Live-reload streams open now.
    streams: AtomicUsize,
}

impl Shared {
    pub fn new() -> Arc<Self> {
        let (events, _) = broadcast::channel(64);
        Arc::new(Shared {
            events,
            error: Mutex::new(None),
            notice: Mutex::new(None),
            streams: AtomicUsize::new(0),
        })
    }

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
        // No browser connected is not an error.
        let _ = self.events.send(event);
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
    let dir: Arc<Path> = Arc::from(dir);
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(dir, entity_tags))
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

/// Strong entity tags for the site's files.
///
/// `Last-Modified` counts whole seconds, so a page rebuilt in the same
/// second as the copy a browser holds would be answered `304` and the reload
/// would show the old page. The tag is made from the file's length and its
/// full modification time, so every save changes it. When a request carries
/// `If-None-Match`, the tag decides and `If-Modified-Since` is ignored, as
/// RFC 9110 (section 13.2.2) asks.
async fn entity_tags(State(dir): State<Arc<Path>>, mut request: Request, next: Next) -> Response {
    let Some(tag) = entity_tag(&dir, request.uri().path()) else {
        return next.run(request).await;
    };
    let headers = request.headers_mut();
    if let Some(wanted) = headers.get(header::IF_NONE_MATCH) {
        let fresh = tag_matches(wanted.as_bytes(), tag.as_bytes());
        headers.remove(header::IF_MODIFIED_SINCE);
        if fresh && matches!(*request.method(), Method::GET | Method::HEAD) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            set_tag(response.headers_mut(), &tag);
            return response;
        }
    }
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        set_tag(response.headers_mut(), &tag);
    }
    response
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

async fn events(State(shared): State<Arc<Shared>>) -> Response {
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
    let notice = shared
        .notice
        .lock()
        .ok()
        .and_then(|e| e.clone())
        .map(|text| Event::Notice { text });
    let current = shared
        .error
        .lock()
        .ok()
        .and_then(|e| e.clone())
        .map(|text| Event::Error { text });
    let receiver = shared.events.subscribe();
    let first = tokio_stream::iter(notice.into_iter().chain(current));
    let rest = BroadcastStream::new(receiver).filter_map(Result::ok);
    let stream = first
        .chain(rest)
        .take_while(|event| !matches!(event, Event::Stop))
        .map(move |event| {
            // The stream owns its place and gives it back when it ends.
            let _place = &place;
            let data = serde_json::to_string(&event).unwrap_or_default();
            Ok::<_, Infallible>(SseEvent::default().data(data))
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
