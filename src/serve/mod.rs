//! `playbook serve`: build, serve on localhost, watch, rebuild what changed
//! and tell the browser.
//!
//! - [`session`]: the rebuild engine kept alive, with the work no open page
//!   waits for (print page, search index) held back and run on a thread of
//!   its own that the next save cancels.
//! - [`server`]: files, live-reload events and the reload script.
//! - [`watch`]: debounced file events.
//! - [`folder`]: the temporary folder the site is served from.
//! - [`publish`]: `build --watch`, the same session writing the output
//!   folder.
//!
//! One thread rebuilds: it builds the site first, then applies each batch
//! of changes the watcher sends; held-back work runs beside it. A rebuild that panics is contained there:
//! the last good site stays served and the next save rebuilds everything.
//! Stopping (Ctrl-C or SIGTERM) waits for a rebuild under way, then removes
//! the temporary folder.

pub mod folder;
pub mod publish;
pub mod server;
pub mod session;
pub mod watch;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::diagnostics::Diagnostic;
use crate::site::{BuildOptions, OutputError, output};
use server::{Event, Shared};
use session::{Applied, Deferred, Failure, Session, Update};
use watch::Watched;

/// How long serve waits after the last save before rewriting the print
/// page and sidebar, then before re-indexing search, each on a thread of
/// its own that the next save cancels.
const FINISH_PAUSE: Duration = Duration::from_millis(300);
const SEARCH_PAUSE: Duration = Duration::from_millis(1500);
const IDLE: Duration = Duration::from_secs(3600);

/// A rebuild that failed on a file removed during a burst of changes
/// (`rm -rf`, a branch switch) waits until no change has come for this
/// long, then checks again before it reports.
const BURST_QUIET: Duration = Duration::from_millis(150);
/// The longest such a wait lasts, so a file written without end cannot
/// hide an error for ever.
const BURST_LIMIT: Duration = Duration::from_secs(10);

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub host: IpAddr,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
    /// Poll for changes instead of the system's file events.
    pub poll: bool,
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
    #[error("cannot open the project folder {}: {source}", .path.display())]
    Project {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot watch the project: {0}")]
    Watch(#[from] notify::Error),
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot prepare the temporary folder: {0}")]
    Output(#[from] OutputError),
}

/// How to report to the terminal.
pub trait Reporter: Clone + Send + 'static {
    fn info(&self, line: &str);
    fn diagnostics(&self, diagnostics: &[Diagnostic]);
}

/// What the rebuild thread is told.
enum Message {
    Watched(Watched),
    /// Held-back work with this id ended on its own thread.
    Deferred(u64),
    Stop,
}

/// Runs until Ctrl-C or SIGTERM.
pub fn serve(
    root: &Path,
    options: ServeOptions,
    reporter: impl Reporter,
) -> Result<(), ServeError> {
    let root = root.canonicalize()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let _context = runtime.enter();
    // From here on a stop signal is ours to handle, so the temporary
    // folder is removed even when it comes during the first build.
    let mut stops = listen_for_stop()?;
    raise_open_file_limit();
    folder::remove_stale(&std::env::temp_dir(), &reporter);
    let temp = folder::create()?;
    let out = temp.path().join("site");
    let build_options = BuildOptions {
        out: Some(out.clone()),
        drafts: options.drafts,
        live_reload: Some(server::script_tag()),
        fixed_asset_urls: true,
        skip_search: false,
        whole_publishes: false,
    };
    let shared = Shared::new();

    // Watch before the first build, so no save during it is missed.
    let (sender, messages) = mpsc::channel::<Message>();
    let watch_sender = sender.clone();
    let watcher = watch::watch(&root, options.poll, move |watched| {
        let _ = watch_sender.send(Message::Watched(watched));
    })?;
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let busy = Arc::new(AtomicBool::new(true));
    let rebuilder = Rebuilder {
        busy: Arc::clone(&busy),
        root: root.clone(),
        options: build_options,
        out,
        shared: Arc::clone(&shared),
        reporter: reporter.clone(),
        session: None,
        warned: ShownWarnings::default(),
        messages,
        sender: sender.clone(),
        watcher,
    };
    let thread = std::thread::Builder::new()
        .name("playbook-rebuild".into())
        .spawn(move || rebuilder.run(ready_tx))?;

    let built = runtime.block_on(async {
        tokio::select! {
            built = ready_rx => built.ok(),
            _ = signalled(&mut stops, 1) => None,
        }
    });
    let Some(built) = built else {
        let _ = sender.send(Message::Stop);
        stop(&runtime, thread, &busy, stops, temp, &reporter);
        return Ok(());
    };

    let bound = runtime
        .block_on(bind(options.host, options.port))
        .and_then(|listener| Ok((listener.local_addr()?, listener)));
    let (addr, listener) = match bound {
        Ok(bound) => bound,
        Err(err) => {
            let _ = sender.send(Message::Stop);
            stop(&runtime, thread, &busy, stops, temp, &reporter);
            return Err(err);
        }
    };
    // Port 0 asks the system for any free port: that is not a fallback.
    if options.port != 0 && addr.port() != options.port {
        reporter.info(&format!(
            "port {} is in use; using {} instead",
            options.port,
            addr.port()
        ));
    }
    if server::all_interfaces(options.host) {
        reporter.info(&format!(
            "warning: listening on every interface ({}): anyone who can reach this machine \
can read the site, its drafts and its build errors",
            options.host
        ));
    }
    let url = format!(
        "http://{}/",
        SocketAddr::new(browse_host(addr.ip()), addr.port())
    );
    reporter.info(&format!(
        "Serving {} at {url} (Ctrl-C to stop)",
        root.display()
    ));
    if let Some(pages) = built {
        reporter.info(&format!("  built {pages} pages"));
    }
    if options.open {
        open_browser(&url, &reporter);
    }

    let app = server::router(temp.path().join("site"), Arc::clone(&shared), options.host);
    let mut shutdown = stops.clone();
    let served = runtime.block_on(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                signalled(&mut shutdown, 1).await;
                // A graceful shutdown waits for every response to end, and
                // a browser tab's live-reload stream never does by itself.
                shared.send(Event::Stop);
            })
            .await
    });
    let _ = sender.send(Message::Stop);
    stop(&runtime, thread, &busy, stops, temp, &reporter);
    served?;
    Ok(())
}

/// Counts stop signals (Ctrl-C, and SIGTERM on Unix) from now on.
fn listen_for_stop() -> std::io::Result<tokio::sync::watch::Receiver<u32>> {
    let (count, stops) = tokio::sync::watch::channel(0u32);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                count.send_modify(|n| *n += 1);
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            count.send_modify(|n| *n += 1);
        }
    });
    Ok(stops)
}

/// Resolves once `times` stop signals have come.
async fn signalled(stops: &mut tokio::sync::watch::Receiver<u32>, times: u32) {
    if stops.wait_for(|n| *n >= times).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Waits for the rebuild thread to end, then removes the temporary
/// folder. A second stop signal quits at once; the folder is then left
/// for the next serve to remove.
fn stop(
    runtime: &tokio::runtime::Runtime,
    thread: std::thread::JoinHandle<()>,
    busy: &AtomicBool,
    mut stops: tokio::sync::watch::Receiver<u32>,
    temp: tempfile::TempDir,
    reporter: &impl Reporter,
) {
    if busy.load(Ordering::Acquire) && !thread.is_finished() {
        reporter.info("Stopping: waiting for the rebuild under way (Ctrl-C again to quit at once)");
    }
    let seen = *stops.borrow();
    runtime.block_on(async {
        tokio::select! {
            _ = tokio::task::spawn_blocking(move || thread.join()) => {}
            _ = signalled(&mut stops, seen + 1) => {
                reporter.info("Stopped at once; the next serve removes the temporary folder.");
                std::process::exit(130);
            }
        }
    });
    if let Err(err) = temp.close() {
        reporter.info(&format!("  could not remove the temporary folder: {err}"));
    }
    reporter.info("Stopped.");
}

/// The address to show for `ip`: loopback when serve listens on every
/// interface, since a browser cannot open `0.0.0.0`.
fn browse_host(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}

/// Lifts the soft limit on open files to the hard one: each browser tab
/// holds a connection, and a large site has many files to write.
fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current == limit.maximum {
            return;
        }
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_err() {
            // macOS refuses an unlimited soft limit; OPEN_MAX is its most.
            let _ = setrlimit(
                Resource::Nofile,
                Rlimit {
                    current: Some(10_240).max(limit.current),
                    maximum: limit.maximum,
                },
            );
        }
    }
}

/// Why an attempt to update the site did not go through.
enum Problem {
    Failed(Failure),
    /// The rebuild panicked; the text says where and why.
    Crashed(String),
}

/// Owns the session and applies every change, one batch at a time.
struct Rebuilder<R: Reporter> {
    /// Set while a build or rebuild runs.
    busy: Arc<AtomicBool>,
    root: PathBuf,
    options: BuildOptions,
    out: PathBuf,
    shared: Arc<Shared>,
    reporter: R,
    session: Option<Session>,
    /// Every warning shown so far: code, location and message.
    warned: ShownWarnings,
    messages: mpsc::Receiver<Message>,
    /// For held-back work to say it ended.
    sender: mpsc::Sender<Message>,
    watcher: watch::Watcher,
}

impl<R: Reporter> Rebuilder<R> {
    fn run(mut self, ready: tokio::sync::oneshot::Sender<Option<usize>>) {
        let built = match self.update(Vec::new()) {
            Ok(_) => self.session.as_ref().map(|s| s.site().page_count()),
            Err(problem) => {
                self.report(problem);
                if let Err(err) = write_placeholder(&self.out) {
                    self.reporter.info(&format!("  error: {err}"));
                }
                None
            }
        };
        self.busy.store(false, Ordering::Release);
        if ready.send(built).is_err() {
            return;
        }
        loop {
            // Work no open page waits for (the print page, the search
            // index) starts once the author pauses, on a thread of its own
            // that the next save cancels, so no save waits for it.
            let wait = match &self.session {
                Some(s) if s.deferred_running() => IDLE,
                Some(s) if s.has_deferred() => FINISH_PAUSE,
                Some(s) if s.search_stale() => SEARCH_PAUSE,
                _ => IDLE,
            };
            let first = match self.messages.recv_timeout(wait) {
                Ok(Message::Watched(watched)) => watched,
                Ok(Message::Deferred(id)) => {
                    self.deferred_done(id);
                    continue;
                }
                Ok(Message::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.start_deferred();
                    continue;
                }
            };
            let mut batch = Batch::default();
            batch.add(first);
            // Fold batches that queued up during the last rebuild.
            let mut ended = Vec::new();
            while let Ok(message) = self.messages.try_recv() {
                match message {
                    Message::Watched(watched) => batch.add(watched),
                    Message::Deferred(id) => ended.push(id),
                    Message::Stop => return,
                }
            }
            self.busy.store(true, Ordering::Release);
            let going_on = self.handle(batch).is_some();
            self.busy.store(false, Ordering::Release);
            if !going_on {
                return;
            }
            for id in ended {
                self.deferred_done(id);
            }
        }
    }

    /// Applies one batch and tells the terminal and the browsers. `None`
    /// when serve is stopping.
    fn handle(&mut self, batch: Batch) -> Option<()> {
        for text in &batch.errors {
            self.reporter.info(&format!("  watcher error: {text}"));
            self.shared.send(Event::Notice {
                text: format!("File watching failed: {text}"),
            });
        }
        if batch.rescan || !batch.errors.is_empty() {
            self.reporter
                .info("  the watcher may have missed changes; rebuilding everything");
            if let Some(session) = self.session.as_mut() {
                session.invalidate();
            }
        }
        // content/ or themes/ created (or replaced) while serving.
        watch::watch_new_folders(&mut self.watcher, &self.root, &batch.paths);
        let vanished = batch.paths.iter().any(|p| !p.exists());
        let mut result = self.update(batch.paths);
        let deadline = Instant::now() + BURST_LIMIT;
        while let Err(Problem::Failed(failure)) = &result {
            let unreadable = missing_file(failure);
            if !(unreadable || vanished) || Instant::now() >= deadline {
                break;
            }
            // Files went away while this rebuild read them: wait for the
            // burst to end, then look again.
            let more = self.quiet(deadline)?;
            if more.paths.is_empty() && !unreadable {
                break;
            }
            result = self.update(more.paths);
        }
        match result {
            Ok(Some(applied)) => self.applied(applied),
            Ok(None) => {}
            Err(problem) => self.report(problem),
        }
        Some(())
    }

    /// Gathers changes until none has come for [`BURST_QUIET`] or the
    /// deadline passes. `None` when serve is stopping.
    fn quiet(&mut self, deadline: Instant) -> Option<Batch> {
        let mut batch = Batch::default();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(BURST_QUIET.min(left)) {
                Ok(Message::Watched(watched)) => batch.add(watched),
                Ok(Message::Deferred(id)) => self.deferred_done(id),
                Ok(Message::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(mpsc::RecvTimeoutError::Timeout) => return Some(batch),
            }
        }
    }

    /// Builds the site if there is no good one yet, else applies `paths`.
    /// A panic is caught: the session may then be half-updated, so the
    /// next change rebuilds everything.
    fn update(&mut self, paths: Vec<PathBuf>) -> Result<Option<Applied>, Problem> {
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
            #[cfg(debug_assertions)]
            test_crash(&paths);
            match self.session.as_mut() {
                Some(session) => session.apply(paths),
                None => {
                    let started = Instant::now();
                    let session = Session::start(&self.root, self.options.clone(), &self.out)?;
                    let rendered = session.site().page_count();
                    self.session = Some(session);
                    Ok(Some(Applied {
                        update: Update::All,
                        changed: "the project".to_string(),
                        rendered,
                        elapsed: started.elapsed(),
                    }))
                }
            }
        }));
        match caught {
            Ok(result) => {
                let result = result.map_err(Problem::Failed)?;
                self.warn();
                Ok(result)
            }
            Err(payload) => {
                if let Some(session) = self.session.as_mut() {
                    session.invalidate();
                }
                Err(Problem::Crashed(panic_text(payload.as_ref())))
            }
        }
    }

    /// Starts the print page, sidebar and search index on a thread of
    /// their own, once the author pauses.
    fn start_deferred(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let sender = self.sender.clone();
        session.start_deferred(move |id| {
            let _ = sender.send(Message::Deferred(id));
        });
    }

    /// Reloads the tabs on the pages held-back work rewrote, or reports
    /// why it did not.
    fn deferred_done(&mut self, id: u64) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        match session.deferred_done(id) {
            // Tabs on the print, sidebar or search pages now rewritten.
            Some(Deferred::Done(pages)) if !pages.is_empty() => {
                self.shared.send(Event::Reload { all: false, pages });
            }
            Some(Deferred::Failed(err)) => self.reporter.info(&format!("  error: {err}")),
            Some(Deferred::Crashed(why)) => {
                session.invalidate();
                self.report(Problem::Crashed(why));
            }
            Some(Deferred::Done(_) | Deferred::Cancelled) | None => {}
        }
    }

    fn applied(&mut self, applied: Applied) {
        self.reporter.info(&format!(
            "  {} → {} page{} re-rendered in {} ms",
            applied.changed,
            applied.rendered,
            if applied.rendered == 1 { "" } else { "s" },
            applied.elapsed.as_millis()
        ));
        self.shared.send(match applied.update {
            Update::Css => Event::Css,
            Update::All => Event::Reload {
                all: true,
                pages: Vec::new(),
            },
            Update::Pages(pages) => Event::Reload { all: false, pages },
        });
    }

    fn report(&self, problem: Problem) {
        let text = match problem {
            Problem::Failed(failure) => report_failure(&failure, &self.reporter),
            Problem::Crashed(why) => {
                let text = format!(
                    "the rebuild crashed: {why}\nStill serving the last good site; \
the next save rebuilds everything. This is a bug in playbook."
                );
                for line in text.lines() {
                    self.reporter.info(&format!("  {line}"));
                }
                text
            }
        };
        self.shared.send(Event::Error { text });
    }

    /// Shows each warning of the current site once, when it first appears.
    fn warn(&mut self) {
        if let Some(session) = &self.session {
            self.warned.show_new(session.site(), &self.reporter);
        }
    }
}

/// The warnings already shown, so that each is shown once, when it first
/// appears, however many rebuilds keep it.
#[derive(Default)]
pub(crate) struct ShownWarnings(HashSet<String>);

impl ShownWarnings {
    /// Reports the warnings of `site` not shown before.
    pub(crate) fn show_new(&mut self, site: &crate::site::Site, reporter: &impl Reporter) {
        let new: Vec<Diagnostic> = site
            .warnings
            .iter()
            // The same warning: code, location and message.
            .filter(|d| {
                self.0.insert(format!(
                    "{}\u{0}{:?}\u{0}{}",
                    d.code,
                    d.position(),
                    d.message
                ))
            })
            .cloned()
            .collect();
        if !new.is_empty() {
            reporter.diagnostics(&new);
        }
    }
}

/// Changes gathered from one or more watcher messages.
#[derive(Default)]
struct Batch {
    paths: Vec<PathBuf>,
    rescan: bool,
    errors: Vec<String>,
}

impl Batch {
    fn add(&mut self, watched: Watched) {
        match watched {
            Watched::Paths(paths) => self.paths.extend(paths),
            Watched::Rescan => self.rescan = true,
            Watched::Error(text) => self.errors.push(text),
        }
    }
}

/// Whether a failure came from a file that was not there to read.
fn missing_file(failure: &Failure) -> bool {
    match failure {
        Failure::Content(diagnostics) => {
            diagnostics.iter().any(|d| d.code == "content::unreadable")
        }
        Failure::Output(OutputError::Read { source, .. } | OutputError::Write { source, .. }) => {
            source.kind() == std::io::ErrorKind::NotFound
        }
        Failure::Output(_) => false,
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unknown panic".to_string())
}

/// Debug builds only: a batch naming a file called
/// `$PLAYBOOK_TEST_CRASH_ON_SAVE_OF` panics, so tests can check that a
/// crashed rebuild is contained. Release builds have no such switch.
#[cfg(debug_assertions)]
fn test_crash(paths: &[PathBuf]) {
    if let Some(name) = std::env::var_os("PLAYBOOK_TEST_CRASH_ON_SAVE_OF") {
        if paths
            .iter()
            .any(|p| p.file_name() == Some(name.as_os_str()))
        {
            panic!("test crash: a save of {name:?} was set to crash the rebuild");
        }
    }
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
fn write_placeholder(out: &Path) -> Result<(), OutputError> {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>\
<body><main><h1>The playbook does not build yet</h1><p>The errors are shown above and in the terminal.</p></main>{}</body></html>",
        server::script_tag()
    );
    output::write(&out.join("index.html"), html.as_bytes())?;
    output::write(&out.join("404.html"), html.as_bytes())
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
