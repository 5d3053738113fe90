//! The rebuild [`Engine`] kept alive for `serve` and `build --watch`, with
//! the work no open page waits for held back.
//!
//! A [`Session`] applies each batch of changed paths through the engine and
//! publishes what became dirty into its folder at once. For `serve`, the
//! print, search and 404 pages of a language whose sidebar did not change,
//! and the search index, are held back: written on a thread of their own
//! from a snapshot of the site ([`Session::start_deferred`]), or at once
//! ([`Session::finish`], [`Session::refresh_search`]). A newer change
//! cancels that thread between files and languages, and the files it had
//! to write stay out of date until the next run, so a save never waits for
//! it. `build --watch` publishes each change whole
//! ([`BuildOptions::whole_publishes`]) and holds nothing back.
//!
//! A change that breaks the build leaves the site and its files as they
//! were; the paths stay pending and are applied with the next change.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crate::content::LangId;
use crate::site::engine::{self, Dirty, Engine};
use crate::site::{BuildOptions, OutputError, Site};

pub use crate::site::engine::Failure;

/// What the browser should do after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// Swap the stylesheet in place.
    Css,
    /// Reload tabs showing these site-relative pages.
    Pages(Vec<String>),
    /// Reload every tab.
    All,
}

/// A successful rebuild.
#[derive(Debug)]
pub struct Applied {
    pub update: Update,
    /// What changed, for the terminal: `content/a.md`, `2 files`…
    pub changed: String,
    pub rendered: usize,
    pub elapsed: Duration,
}

/// How a run of held-back work ended.
#[derive(Debug)]
pub enum Deferred {
    /// Written: the site-relative pages a tab may show, to reload.
    Done(Vec<String>),
    /// A newer change cancelled it; its files are held back again.
    Cancelled,
    Failed(OutputError),
    /// It panicked; the text says where and why.
    Crashed(String),
}

/// Held-back work running on a thread of its own.
struct Job {
    id: u64,
    /// What it writes, held back again if it is cancelled.
    dirty: Dirty,
    cancel: Arc<AtomicBool>,
    /// How it ended, sent once its files are written, before its snapshot
    /// of the site is freed (at its low priority): collecting it never
    /// waits for that.
    ended: mpsc::Receiver<Deferred>,
}

pub struct Session {
    engine: Engine,
    out: PathBuf,
    /// Dirty files not yet written: print, search and 404 pages, and the
    /// search index.
    deferred: Dirty,
    job: Option<Job>,
    jobs: u64,
    /// The threads held-back work runs on, apart from the ones a save
    /// renders and writes with.
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl Session {
    /// Builds the whole site into `out`.
    pub fn start(root: &Path, options: BuildOptions, out: &Path) -> Result<Session, Failure> {
        let engine = Engine::load(root, options).map_err(Failure::Content)?;
        engine.publish(&Dirty::everything(), out)?;
        Ok(Session {
            engine,
            out: out.to_path_buf(),
            deferred: Dirty::default(),
            job: None,
            jobs: 0,
            pool: None,
        })
    }

    pub fn site(&self) -> &Site {
        self.engine.site()
    }

    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Makes the next [`Session::apply`] rebuild everything, even with no
    /// changed path: after lost watcher events, or a rebuild that crashed
    /// half-way.
    pub fn invalidate(&mut self) {
        self.engine.invalidate();
    }

    /// Applies a batch of changed paths and publishes what became dirty,
    /// but the held-back part. `Ok(None)` when no path mattered.
    pub fn apply(
        &mut self,
        changed: impl IntoIterator<Item = PathBuf>,
    ) -> Result<Option<Applied>, Failure> {
        let started = Instant::now();
        let Some(changed) = self.engine.change(changed)? else {
            return Ok(None);
        };
        let mut dirty = changed.dirty;
        // A fresh folder must not receive a stale file from a run still
        // going: wait for it to stop. Otherwise it need not stop before
        // this publish; what it had to write is held back again.
        self.supersede(dirty.everything);
        if dirty.everything {
            self.deferred = Dirty::default();
        }
        if !self.engine.options().whole_publishes {
            let later = dirty.take_deferred();
            self.deferred.merge(later);
        }
        if let Err(err) = self.engine.publish(&dirty, &self.out) {
            // The site in memory holds the change that failed: nothing may
            // be written from it. The next change loads and writes
            // everything again.
            self.engine.invalidate();
            self.deferred = Dirty::default();
            return Err(err.into());
        }
        let update = if dirty.everything || !dirty.assets.is_empty() {
            Update::All
        } else if dirty.pages.is_empty() && dirty.languages.is_empty() && dirty.css {
            Update::Css
        } else {
            let site = self.engine.site();
            let mut shown: Vec<String> = dirty
                .pages
                .iter()
                .map(|&id| site.page(id).output.clone())
                .collect();
            for &l in &dirty.languages {
                shown.extend(self.language_pages(l));
            }
            Update::Pages(shown)
        };
        Ok(Some(Applied {
            update,
            changed: changed.what,
            rendered: changed.rendered,
            elapsed: started.elapsed(),
        }))
    }

    /// Cancels held-back work under way and holds its files back again;
    /// with `wait`, until its thread has ended.
    fn supersede(&mut self, wait: bool) {
        if let Some(job) = self.job.as_mut() {
            job.cancel.store(true, Ordering::Release);
            self.deferred.merge(std::mem::take(&mut job.dirty));
        }
        if wait {
            if let Some(job) = self.job.take() {
                // Its files are written once it says how it ended; freeing
                // its snapshot is left to it.
                let _ = job.ended.recv();
            }
        }
    }

    /// Rewrites, now, what a page edit affects but no open page shows at
    /// once: the sidebar, the print page (which holds every page, so it is
    /// the largest file) and the 404 page.
    ///
    /// Returns the site-relative pages it rewrote that a tab may show (each
    /// language's print page and no-script sidebar), to reload.
    pub fn finish(&mut self) -> Result<Vec<String>, OutputError> {
        self.supersede(true);
        let dirty = Dirty {
            languages: std::mem::take(&mut self.deferred.languages),
            ..Dirty::default()
        };
        self.engine.publish(&dirty, &self.out)?;
        Ok(self.shown(&dirty))
    }

    /// Rewrites the search index now, which page edits hold back so that a
    /// save reloads at once.
    ///
    /// Returns each language's search page, whose results come from the
    /// index, to reload; nothing when the index was not rewritten.
    pub fn refresh_search(&mut self) -> Result<Vec<String>, OutputError> {
        self.supersede(true);
        let dirty = Dirty {
            search: std::mem::take(&mut self.deferred.search),
            ..Dirty::default()
        };
        self.engine.publish(&dirty, &self.out)?;
        Ok(self.shown(&dirty))
    }

    /// Whether language files are held back; see [`Session::finish`].
    pub fn has_deferred(&self) -> bool {
        !self.deferred.languages.is_empty()
    }

    /// Whether edits since the last index make search out of date.
    pub fn search_stale(&self) -> bool {
        self.deferred.search
    }

    /// Whether held-back work runs on its own thread.
    pub fn deferred_running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts the held-back work on a thread of its own, from a snapshot of
    /// the site: the language files if any are held back, else the search
    /// index. `done` is called on that thread with the run's id when it
    /// ends; then call [`Session::deferred_done`]. `None` when a run is
    /// still going or nothing is held back.
    pub fn start_deferred(&mut self, done: impl FnOnce(u64) + Send + 'static) -> Option<u64> {
        if self.job.is_some() {
            return None;
        }
        if self.engine.options().skip_search {
            self.deferred.search = false;
        }
        let dirty = if !self.deferred.languages.is_empty() {
            Dirty {
                languages: std::mem::take(&mut self.deferred.languages),
                ..Dirty::default()
            }
        } else if self.deferred.search {
            self.deferred.search = false;
            Dirty {
                search: true,
                ..Dirty::default()
            }
        } else {
            return None;
        };
        self.jobs += 1;
        let id = self.jobs;
        let mut site = self.engine.site().clone();
        // A theme of its own: the template store's lock is then never held
        // by this low-priority thread while a save renders its page.
        site.theme = Arc::new(crate::theme::Theme::clone(&site.theme));
        let options = self.engine.options().clone();
        let out = self.out.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        let pool = self.pool();
        let (job_dirty, job_cancel) = (dirty.clone(), Arc::clone(&cancel));
        let (send, ended) = mpsc::channel();
        let run = move || {
            let background = engine::Background {
                cancel: Arc::clone(&job_cancel),
                pool: pool.as_deref(),
            };
            let written = std::panic::catch_unwind(AssertUnwindSafe(|| {
                engine::write(&site, &options, &job_dirty, &out, &background)
            }));
            let _ = send.send(match written {
                Ok(Ok(true)) => Deferred::Done(Vec::new()),
                Ok(Ok(false)) => Deferred::Cancelled,
                Ok(Err(err)) => Deferred::Failed(err),
                Err(payload) => Deferred::Crashed(super::panic_text(payload.as_ref())),
            });
            done(id);
        };
        match std::thread::Builder::new()
            .name("playbook-deferred".into())
            .spawn(run)
        {
            // The thread is not joined: it says how it ended through
            // `ended`, then frees its snapshot on its own.
            Ok(_) => {
                self.job = Some(Job {
                    id,
                    dirty,
                    cancel,
                    ended,
                });
                Some(id)
            }
            Err(_) => {
                // No thread: the work stays held back for the next try.
                self.deferred.merge(dirty);
                None
            }
        }
    }

    /// Collects the run `id` once its thread has said it ended. `None` for
    /// a run already collected.
    pub fn deferred_done(&mut self, id: u64) -> Option<Deferred> {
        if self.job.as_ref().is_none_or(|job| job.id != id) {
            return None;
        }
        let job = self.job.take()?;
        let cancelled = job.cancel.load(Ordering::Acquire);
        // Sent before `done` was called; the thread itself is left to end.
        let ended = job
            .ended
            .recv()
            .unwrap_or_else(|_| Deferred::Crashed("the thread ended without a word".into()));
        Some(match ended {
            _ if cancelled => Deferred::Cancelled,
            Deferred::Done(_) => Deferred::Done(self.shown(&job.dirty)),
            other => other,
        })
    }

    /// One thread for held-back work, made once.
    fn pool(&mut self) -> Option<Arc<rayon::ThreadPool>> {
        if self.pool.is_none() {
            self.pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(|_| "playbook-deferred-pool".into())
                .start_handler(|_| lower_priority())
                .build()
                .ok()
                .map(Arc::new);
        }
        self.pool.clone()
    }

    /// The site-relative pages a tab may show that writing `dirty`'s
    /// held-back part rewrote.
    fn shown(&self, dirty: &Dirty) -> Vec<String> {
        let mut shown = Vec::new();
        for &l in &dirty.languages {
            shown.extend(self.language_pages(l));
        }
        if dirty.search && !self.engine.options().skip_search {
            let site = self.engine.site();
            shown.extend(
                site.book
                    .lang_ids()
                    .map(|l| format!("{}search.html", self.lang_dir(l))),
            );
        }
        shown
    }

    /// The pages of a language that show every page: its print page and
    /// its no-script sidebar, site-relative.
    fn language_pages(&self, lang: LangId) -> [String; 2] {
        let dir = self.lang_dir(lang);
        [format!("{dir}print.html"), format!("{dir}toc.html")]
    }

    /// `""` for the default language, else `fi/`.
    fn lang_dir(&self, lang: LangId) -> String {
        if lang.is_default() {
            String::new()
        } else {
            format!("{}/", self.engine.site().book.lang(lang).code)
        }
    }
}

/// Lowers the calling thread's scheduling priority as far as it goes, so
/// held-back work yields the processor to the rebuilds of saves. On Linux
/// the priority is a thread's own; elsewhere it would be the whole
/// process's, so it is left alone.
fn lower_priority() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = rustix::process::nice(19);
}

impl Drop for Session {
    /// Held-back work stops before the folder it writes can go away.
    fn drop(&mut self) {
        self.supersede(true);
    }
}
