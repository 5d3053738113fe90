//! The preview server: the site's files, the live-reload events and the
//! reload script, on one port.
//!
//! Files are served from the session's output folder with correct content
//! types, `HEAD`, conditional requests and a 404 page; no path can reach
//! outside that folder. Every response says `no-cache`, so a reload always
//! revalidates, and a strong `ETag` makes sure it sees every save.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
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
}

impl Shared {
    pub fn new() -> Arc<Self> {
        let (events, _) = broadcast::channel(64);
        Arc::new(Shared {
            events,
            error: Mutex::new(None),
        })
    }

    pub fn send(&self, event: Event) {
        if let Ok(mut error) = self.error.lock() {
            match &event {
                Event::Error { text } => *error = Some(text.clone()),
                Event::Stop => {}
                _ => *error = None,
            }
        }
        // No browser connected is not an error.
        let _ = self.events.send(event);
    }
}

pub fn router(dir: PathBuf, shared: Arc<Shared>) -> Router {
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

async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let current = shared
        .error
        .lock()
        .ok()
        .and_then(|e| e.clone())
        .map(|text| Event::Error { text });
    let receiver = shared.events.subscribe();
    let first = tokio_stream::iter(current);
    let rest = BroadcastStream::new(receiver).filter_map(Result::ok);
    let stream = first
        .chain(rest)
        .take_while(|event| !matches!(event, Event::Stop))
        .map(|event| {
            let data = serde_json::to_string(&event).unwrap_or_default();
            Ok::<_, Infallible>(SseEvent::default().data(data))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
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
    fn if_none_match_lists_weak_tags_and_star() {
        let tag = b"\"c-1.2\"";
        assert!(tag_matches(b"\"c-1.2\"", tag));
        assert!(tag_matches(b"\"a\", W/\"c-1.2\"", tag));
        assert!(tag_matches(b"*", tag));
        assert!(!tag_matches(b"\"c-1.3\"", tag));
        assert!(!tag_matches(b"", tag));
    }
}
