//! `playbook serve`: build, serve on localhost, watch, rebuild what changed
//! and tell the browser.
//!
//! - [`session`]: incremental rebuilds that keep the last good site.
//! - [`server`]: files, live-reload events and the reload script.
//! - [`watch`]: debounced file events.

pub mod server;
pub mod session;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use thiserror::Error;

use crate::diagnostics::Diagnostic;
use crate::site::BuildOptions;
use server::Event;
use session::{Failure, Session, Update};

/// How long serve waits after the last save before rewriting the print
/// page and sidebar, then before re-indexing search.
const FINISH_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);
const SEARCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(1500);
const IDLE: std::time::Duration = std::time::Duration::from_secs(3600);

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub host: IpAddr,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
}

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on {host}: ports {first} to {last} are all in use")]
    NoFreePort { host: IpAddr, first: u16, last: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot watch the project: {0}")]
    Watch(#[from] notify::Error),
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
}

/// How to report to the terminal.
pub trait Reporter: Clone + Send + 'static {
    fn info(&self, line: &str);
    fn diagnostics(&self, diagnostics: &[Diagnostic]);
}

/// Runs until Ctrl-C.
pub fn serve(
    root: &Path,
    options: ServeOptions,
    reporter: impl Reporter,
) -> Result<(), ServeError> {
    let root = root.canonicalize()?;
    let temp = tempfile::Builder::new()
        .prefix("playbook-serve-")
        .tempdir()?;
    let out = temp.path().join("site");
    let build_options = BuildOptions {
        out: Some(out.clone()),
        drafts: options.drafts,
        live_reload: Some(server::script_tag()),
        fixed_asset_urls: true,
        skip_search: false,
    };
    let shared = server::Shared::new();

    let mut session = match Session::start(&root, build_options.clone(), &out) {
        Ok(session) => Some(session),
        Err(failure) => {
            let text = report_failure(&failure, &reporter);
            write_placeholder(&out)?;
            shared.send(Event::Error { text });
            None
        }
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime.block_on(bind(options.host, options.port))?;
    let addr = listener.local_addr()?;
    // Port 0 asks the system for any free port: that is not a fallback.
    if options.port != 0 && addr.port() != options.port {
        reporter.info(&format!(
            "port {} is in use; using {} instead",
            options.port,
            addr.port()
        ));
    }
    // Watch before announcing the URL, so no save after it is missed.
    let (sender, batches) = mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = watch::watch(&root, sender)?;
    let url = format!("http://{}/", addr);
    reporter.info(&format!(
        "Serving {} at {url} (Ctrl-C to stop)",
        root.display()
    ));
    if let Some(session) = &session {
        reporter.info(&format!(
            "  built {} pages",
            session.site().book.pages.len()
        ));
    }
    if options.open {
        open_browser(&url, &reporter);
    }

    let rebuild_shared = Arc::clone(&shared);
    let rebuild_reporter = reporter.clone();
    std::thread::spawn(move || {
        loop {
            // Work no open page waits for (the print page, the search
            // index) is done once the author pauses, not on every save.
            let wait = match &session {
                Some(s) if s.has_deferred() => FINISH_PAUSE,
                Some(s) if s.search_stale() => SEARCH_PAUSE,
                _ => IDLE,
            };
            let mut paths = match batches.recv_timeout(wait) {
                Ok(paths) => paths,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(session) = session.as_mut() {
                        let done = if session.has_deferred() {
                            session.finish()
                        } else if session.search_stale() {
                            session.refresh_search()
                        } else {
                            Ok(())
                        };
                        if let Err(err) = done {
                            rebuild_reporter.info(&format!("  error: {err}"));
                        }
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            // Fold batches that queued up during the last rebuild.
            while let Ok(more) = batches.try_recv() {
                paths.extend(more);
            }
            // content/ or themes/ created (or replaced) while serving.
            watch::watch_new_folders(&mut watcher, &root, &paths);
            let result = match session.as_mut() {
                Some(session) => session.apply(paths),
                None => match Session::start(&root, build_options.clone(), &out) {
                    Ok(started) => {
                        let pages = started.site().book.pages.len();
                        session = Some(started);
                        Ok(Some(session::Applied {
                            update: Update::All,
                            changed: "the project".to_string(),
                            rendered: pages,
                            elapsed: std::time::Duration::ZERO,
                        }))
                    }
                    Err(failure) => Err(failure),
                },
            };
            match result {
                Ok(Some(applied)) => {
                    rebuild_reporter.info(&format!(
                        "  {} → {} page{} re-rendered in {} ms",
                        applied.changed,
                        applied.rendered,
                        if applied.rendered == 1 { "" } else { "s" },
                        applied.elapsed.as_millis()
                    ));
                    rebuild_shared.send(match applied.update {
                        Update::Css => Event::Css,
                        Update::All => Event::Reload {
                            all: true,
                            pages: Vec::new(),
                        },
                        Update::Pages(pages) => Event::Reload { all: false, pages },
                    });
                }
                Ok(None) => {}
                Err(failure) => {
                    let text = report_failure(&failure, &rebuild_reporter);
                    rebuild_shared.send(Event::Error { text });
                }
            }
        }
    });

    let app = server::router(temp.path().join("site"), Arc::clone(&shared));
    runtime.block_on(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                stop_signal().await;
                // A graceful shutdown waits for every response to end, and
                // a browser tab's live-reload stream never does by itself.
                shared.send(Event::Stop);
            })
            .await
    })?;
    reporter.info("Stopped.");
    Ok(())
}

/// Ctrl-C, or on Unix a polite `kill` (SIGTERM): either stops serve
/// cleanly, removing its temporary folder.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Binds `port`, or the next free one of the twenty after it.
async fn bind(host: IpAddr, port: u16) -> Result<tokio::net::TcpListener, ServeError> {
    let last = port.saturating_add(20);
    for candidate in port..=last {
        let addr = SocketAddr::new(host, candidate);
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(source) => return Err(ServeError::Bind { addr, source }),
        }
    }
    Err(ServeError::NoFreePort {
        host,
        first: port,
        last,
    })
}

fn report_failure(failure: &Failure, reporter: &impl Reporter) -> String {
    match failure {
        Failure::Content(diagnostics) => {
            reporter.diagnostics(diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            reporter.info(&format!(
                "  the change did not build ({errors} error{}); still serving the last good site",
                if errors == 1 { "" } else { "s" }
            ));
            diagnostics
                .iter()
                .map(|d| d.render(false))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Failure::Output(err) => {
            reporter.info(&format!("  error: {err}"));
            err.to_string()
        }
    }
}

/// A page to show until the first good build, so the browser can show the
/// errors and reload when they are fixed.
fn write_placeholder(out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>\
<body><main><h1>The playbook does not build yet</h1><p>The errors are shown above and in the terminal.</p></main>{}</body></html>",
        server::script_tag()
    );
    std::fs::write(out.join("index.html"), &html)?;
    std::fs::write(out.join("404.html"), &html)
}

fn open_browser(url: &str, reporter: &impl Reporter) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        reporter.info(&format!("  could not open a browser; visit {url}"));
    }
}
