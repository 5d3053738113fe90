//! The preview server: the site's files, the live-reload events and the
//! reload script, on one port.
//!
//! Files are served from the session's output folder with correct content
//! types, `HEAD`, conditional requests and a 404 page; no path can reach
//! outside that folder. Every response says `no-cache`, so a reload always
//! revalidates.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
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
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback_service(files)
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
