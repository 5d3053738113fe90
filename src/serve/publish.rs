//! `playbook build --watch`: build into the output folder, then rebuild on
//! every save, for authors who preview through their own server.
//!
//! It runs the [`Session`] serve runs (the rebuild engine of
//! [`crate::site::engine`]), with the output folder as the session's folder and the options of `build` (no live-reload script,
//! content-hashed asset URLs). Every publish is atomic: each save's site,
//! written beside the output folder (the files it did not change as hard
//! links), is swapped in whole, so a program reading the folder sees the
//! site before the save or after it. A save that does not build keeps the
//! last good site and reports the errors. Ctrl-C or
//! SIGTERM stops it once the rebuild under way is done.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use crate::config::Config;
use crate::content::{self, Source};
use crate::site::BuildOptions;

use super::session::{Failure, Session};
use super::watch;
use super::{Batch, Message, Reporter, ServeError, listen_for_stop, panic_text, signalled};

/// How `build --watch` runs.
#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    /// `-o`: where to write the site; else `output:` in book.yaml, else
    /// `public/`.
    pub out: Option<PathBuf>,
    pub drafts: bool,
    /// Poll for changes instead of the system's file events.
    pub poll: bool,
}

/// Builds, then rebuilds on every change until Ctrl-C or SIGTERM.
pub fn build_watch(
    root: &Path,
    options: WatchOptions,
    reporter: impl Reporter,
) -> Result<(), ServeError> {
    let root = root.canonicalize().map_err(|source| ServeError::Project {
        path: root.to_path_buf(),
        source,
    })?;
    let (sender, messages) = mpsc::channel::<Message>();
    // Signals are heard on a thread of their own; the rebuilds run here.
    // The first asks the loop to stop after the rebuild under way; a
    // second quits at once (every publish is atomic, so the site on disk
    // is whole either way).
    let (ready_tx, ready_rx) = mpsc::channel::<std::io::Result<()>>();
    let stop_sender = sender.clone();
    let stop_reporter = reporter.clone();
    std::thread::Builder::new()
        .name("playbook-signals".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(err) => {
                    let _ = ready_tx.send(Err(err));
                    return;
                }
            };
            runtime.block_on(async move {
                let stops = match listen_for_stop() {
                    Ok(stops) => stops,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                let mut first = stops.clone();
                signalled(&mut first, 1).await;
                stop_reporter.info(
                    "Stopping: waiting for the publish under way (Ctrl-C again to quit at once)",
                );
                let _ = stop_sender.send(Message::Stop);
                let mut second = stops;
                signalled(&mut second, 2).await;
                std::process::exit(130);
            })
        })?;
    ready_rx
        .recv()
        .map_err(|_| std::io::Error::other("the signal thread did not start"))??;
    let watch_sender = sender;
    // Watch before the first build, so no save during it is missed.
    let mut watcher = watch::watch(&root, options.poll, move |watched| {
        let _ = watch_sender.send(Message::Watched(watched));
    })?;

    let build_options = BuildOptions {
        out: options.out.clone(),
        drafts: options.drafts,
        whole_publishes: true,
        ..BuildOptions::default()
    };
    let mut publisher = Publisher {
        root: root.clone(),
        options: build_options,
        reporter: reporter.clone(),
        session: None,
        warned: super::ShownWarnings::default(),
    };
    publisher.update(Vec::new());
    reporter.info("Watching for changes (Ctrl-C to stop)");
    loop {
        let mut batch = Batch::default();
        match messages.recv() {
            Ok(Message::Watched(watched)) => batch.add(watched),
            Ok(Message::Deferred(_)) => continue,
            Ok(Message::Stop) | Err(_) => break,
        }
        while let Ok(message) = messages.try_recv() {
            match message {
                Message::Watched(watched) => batch.add(watched),
                Message::Deferred(_) => {}
                Message::Stop => {
                    reporter.info("Stopped.");
                    return Ok(());
                }
            }
        }
        for text in &batch.errors {
            reporter.info(&format!("  watcher error: {text}"));
        }
        if batch.rescan || !batch.errors.is_empty() {
            reporter.info("  the watcher may have missed changes; rebuilding everything");
            if let Some(session) = publisher.session.as_mut() {
                session.invalidate();
            }
        }
        watch::watch_new_folders(&mut watcher, &root, &batch.paths);
        // The output folder may lie in the project: its own writes (and
        // any other path that is not a source) must not start a rebuild,
        // least of all after one that failed, which retries everything.
        let rescan = batch.rescan || !batch.errors.is_empty();
        let sources: Vec<PathBuf> = batch
            .paths
            .into_iter()
            .filter(|p| {
                p.strip_prefix(&root)
                    .is_ok_and(|rel| content::classify(rel) != Source::Ignored)
            })
            .collect();
        if sources.is_empty() && !rescan {
            continue;
        }
        publisher.update(sources);
    }
    reporter.info("Stopped.");
    Ok(())
}

/// Owns the session: the last good site and its output folder.
struct Publisher<R: Reporter> {
    root: PathBuf,
    options: BuildOptions,
    reporter: R,
    session: Option<Session>,
    /// Every warning shown so far: code, location and message.
    warned: super::ShownWarnings,
}

impl<R: Reporter> Publisher<R> {
    /// Builds everything while there is no good site yet, else applies
    /// `paths`; then reports. A panic is contained: the site on disk stays
    /// as it was and the next change rebuilds everything.
    fn update(&mut self, paths: Vec<PathBuf>) {
        let started = Instant::now();
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| self.publish(paths)));
        match caught {
            Ok(Ok(Some(what))) => {
                self.warn();
                let out = self.session.as_ref().map(|s| s.out().display().to_string());
                self.reporter.info(&format!(
                    "  {what} → published in {} ms → {}",
                    started.elapsed().as_millis(),
                    out.unwrap_or_default()
                ));
            }
            Ok(Ok(None)) => {}
            Ok(Err(failure)) => self.report(&failure),
            Err(payload) => {
                if let Some(session) = self.session.as_mut() {
                    session.invalidate();
                }
                self.reporter.info(&format!(
                    "  the rebuild crashed: {}; the last good site stays. This is a bug in playbook.",
                    panic_text(payload.as_ref())
                ));
            }
        }
    }

    /// What was published, or `None` when no change mattered.
    fn publish(&mut self, paths: Vec<PathBuf>) -> Result<Option<String>, Failure> {
        // `output:` in book.yaml may have changed: a new folder gets the
        // whole site (the old one is left as it is).
        let config_changed = paths.iter().any(|p| {
            p.strip_prefix(&self.root)
                .is_ok_and(|rel| content::classify(rel) == Source::Config)
        });
        let reloaded = config_changed.then(|| Config::load(&self.root));
        if let (Some(session), Some(Ok(config))) = (&self.session, reloaded) {
            let out = self.out_dir(&config)?;
            if session.out() != out {
                self.reporter.info(&format!(
                    "  the output folder is now {}; {} is left as it was",
                    out.display(),
                    session.out().display()
                ));
                self.session = None;
            }
        }
        let Some(session) = self.session.as_mut() else {
            let config = Config::load(&self.root).map_err(Failure::Content)?;
            let out = self.out_dir(&config)?;
            let session = Session::start(&self.root, self.options.clone(), &out)?;
            let pages = session.site().page_count();
            self.session = Some(session);
            return Ok(Some(format!(
                "built {pages} page{}",
                if pages == 1 { "" } else { "s" }
            )));
        };
        let Some(applied) = session.apply(paths)? else {
            return Ok(None);
        };
        Ok(Some(format!(
            "{} ({} page{} re-rendered)",
            applied.changed,
            applied.rendered,
            if applied.rendered == 1 { "" } else { "s" }
        )))
    }

    /// The absolute output folder `config` and `-o` name.
    fn out_dir(&self, config: &Config) -> Result<PathBuf, Failure> {
        let out = config.output_dir(&self.root, self.options.out.as_deref());
        std::path::absolute(&out).map_err(|source| {
            Failure::Output(crate::site::OutputError::Write { path: out, source })
        })
    }

    /// Shows each warning of the current site once, when it first appears.
    fn warn(&mut self) {
        if let Some(session) = &self.session {
            self.warned.show_new(session.site(), &self.reporter);
        }
    }

    fn report(&self, failure: &Failure) {
        let (what, kept) = match &self.session {
            Some(session) => (
                "the change did not build",
                format!("the last good site stays in {}", session.out().display()),
            ),
            None => (
                "the build failed",
                "the previous site, if any, was left untouched".to_string(),
            ),
        };
        match failure {
            Failure::Content(diagnostics) => {
                self.reporter.diagnostics(diagnostics);
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                self.reporter.info(&format!(
                    "  error: {what} ({errors} error{}); {kept}",
                    if errors == 1 { "" } else { "s" }
                ));
            }
            Failure::Output(err) => {
                self.reporter.info(&format!("  error: {err}; {kept}"));
            }
        }
    }
}
