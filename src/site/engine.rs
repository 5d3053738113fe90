//! The rebuild engine: one function takes source changes and says what
//! became dirty; one function writes exactly what is dirty.
//!
//! [`Engine::change`] applies a batch of changed source paths to the site
//! in memory and returns a [`Dirty`] set: pages (by [`PageId`]), languages
//! (sidebar, print page, 404), assets, the stylesheet, the search index.
//! [`Engine::publish`] writes that set. A full build is the same pair
//! applied to "everything changed": load, [`Dirty::everything`], publish
//! into a staging folder, swap it in. `serve` and `build --watch` only turn
//! watcher events into changes and publish what is dirty.
//!
//! What each kind of change makes dirty:
//!
//! - a page body: re-render that page and re-check every link anchor
//!   (cheap: no other page is re-rendered for it); dirty are the page, its
//!   language's print page and sidebar files, and search. Metadata other
//!   pages show (see [`context::DEPENDENTS`]) widens that;
//! - a stylesheet of the theme: the stylesheet only, when asset URLs are
//!   fixed (serve); with content-hashed URLs every page names the
//!   stylesheet's hash, so everything;
//! - an asset edited in place: that asset;
//! - anything else (book.yaml, templates, scripts, added, removed or
//!   reordered pages and assets): a fresh load, and everything.
//!
//! A change that does not build leaves the site as it was; its paths stay
//! pending and are applied with the next change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::content::{self, AssetId, CONTENT_DIR, LangId, Page, PageId, Source};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Linker, Rendered};
use crate::theme::{Bundle, Theme};

use super::context::{self, Shared};
use super::output::{self, Batch, OutputError};
use super::{BuildOptions, Entry, Site, extras};

/// What a change made out of date in the written site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirty {
    /// The whole site: written into a fresh folder and swapped in.
    pub everything: bool,
    pub pages: BTreeSet<PageId>,
    /// Languages whose sidebar, print, search and 404 pages are out of
    /// date.
    pub languages: BTreeSet<LangId>,
    /// Of `languages`, those whose sidebar changed: every page shows it,
    /// so they are written with the pages rather than later.
    pub sidebars: BTreeSet<LangId>,
    pub assets: BTreeSet<AssetId>,
    /// The theme's stylesheet.
    pub css: bool,
    /// The search index.
    pub search: bool,
}

impl Dirty {
    /// Everything: what a full build writes.
    pub fn everything() -> Dirty {
        Dirty {
            everything: true,
            search: true,
            css: true,
            ..Dirty::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Dirty::default()
    }

    /// Adds `other` to this set.
    pub fn merge(&mut self, other: Dirty) {
        self.everything |= other.everything;
        self.pages.extend(other.pages);
        self.languages.extend(other.languages);
        self.sidebars.extend(other.sidebars);
        self.assets.extend(other.assets);
        self.css |= other.css;
        self.search |= other.search;
    }

    /// Takes out the part no open page waits for: the print, search and
    /// 404 pages of languages whose sidebar did not change, and the search
    /// index. Nothing when everything is dirty (a full publish writes it
    /// all into a fresh folder).
    pub fn take_deferred(&mut self) -> Dirty {
        if self.everything {
            return Dirty::default();
        }
        let languages: BTreeSet<LangId> =
            self.languages.difference(&self.sidebars).copied().collect();
        self.languages = self.sidebars.clone();
        Dirty {
            languages,
            search: std::mem::take(&mut self.search),
            ..Dirty::default()
        }
    }
}

/// Why a change did not go through.
#[derive(Debug)]
pub enum Failure {
    /// The author's content has errors; the last good site stays.
    Content(Vec<Diagnostic>),
    Output(OutputError),
}

impl From<OutputError> for Failure {
    /// A template error is the author's to fix, and is shown like the
    /// content's errors.
    fn from(err: OutputError) -> Self {
        match err {
            OutputError::Template(d) => Failure::Content(vec![d]),
            err => Failure::Output(err),
        }
    }
}

/// An applied change.
#[derive(Debug)]
pub struct Changed {
    pub dirty: Dirty,
    /// What changed, for the terminal: `content/a.md`, `2 files`…
    pub what: String,
    /// Pages rendered again.
    pub rendered: usize,
}

/// The last good site, kept in memory, and the changes not yet applied.
pub struct Engine {
    root: PathBuf,
    options: BuildOptions,
    site: Site,
    pending: BTreeSet<PathBuf>,
    /// The last change failed: the next one loads everything again.
    broken: bool,
}

impl Engine {
    /// Loads, renders and checks the project at `root`. Publish
    /// [`Dirty::everything`] to write it.
    pub fn load(root: &Path, options: BuildOptions) -> Result<Engine, Vec<Diagnostic>> {
        let site = Site::load(root, &options)?;
        Ok(Engine {
            root: root.to_path_buf(),
            options,
            site,
            pending: BTreeSet::new(),
            broken: false,
        })
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Gives the site up, for a build that is done with the engine.
    pub fn into_site(self) -> Site {
        self.site
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// Makes the next [`Engine::change`] load everything again, even with
    /// no changed path: after lost watcher events, a publish that failed,
    /// or a rebuild that crashed half-way.
    pub fn invalidate(&mut self) {
        self.broken = true;
    }

    /// What `path` is to the build: the same answer the content walk gets.
    fn kind(&self, path: &Path) -> Source {
        match path.strip_prefix(&self.root) {
            Ok(rel) => content::classify(rel),
            Err(_) => Source::Ignored,
        }
    }

    /// Applies a batch of changed source paths to the site in memory and
    /// returns what became dirty. `Ok(None)` when no path mattered.
    pub fn change(
        &mut self,
        changed: impl IntoIterator<Item = PathBuf>,
    ) -> Result<Option<Changed>, Failure> {
        for path in changed {
            if self.kind(&path) != Source::Ignored {
                self.pending.insert(path);
            }
        }
        if self.pending.is_empty() && !self.broken {
            return Ok(None);
        }
        let paths: Vec<PathBuf> = self.pending.iter().cloned().collect();
        let what = describe(&self.root, &paths);
        let kinds: BTreeSet<Source> = paths.iter().map(|p| self.kind(p)).collect();
        // With content-hashed asset URLs every page names the stylesheet's
        // hash: a new stylesheet means new pages, so everything.
        let hashed_css = !self.options.fixed_asset_urls && kinds.contains(&Source::Stylesheet);
        let result = if self.broken
            || hashed_css
            || kinds
                .iter()
                .any(|k| matches!(k, Source::Config | Source::Theme))
        {
            self.reload()
        } else if kinds.iter().all(|k| *k == Source::Stylesheet) {
            self.restyle()
        } else {
            self.update_content(&paths)
        };
        match result {
            Ok((dirty, rendered)) => {
                self.pending.clear();
                self.broken = false;
                Ok(Some(Changed {
                    dirty,
                    what,
                    rendered,
                }))
            }
            Err(failure) => {
                self.broken = true;
                Err(failure)
            }
        }
    }

    /// Everything changed: load the project again.
    fn reload(&mut self) -> Result<(Dirty, usize), Failure> {
        let site = Site::load(&self.root, &self.options).map_err(Failure::Content)?;
        self.site = site;
        Ok((Dirty::everything(), self.site.page_count()))
    }

    fn restyle(&mut self) -> Result<(Dirty, usize), Failure> {
        let theme =
            Theme::load(&self.root, &self.site.book.config.book.theme).map_err(Failure::Content)?;
        self.site.theme = Arc::new(theme);
        let dirty = Dirty {
            css: true,
            ..Dirty::default()
        };
        Ok((dirty, 0))
    }

    /// Page bodies and assets edited in place; anything structural loads
    /// everything again.
    fn update_content(&mut self, paths: &[PathBuf]) -> Result<(Dirty, usize), Failure> {
        let content_dir = self.root.join(CONTENT_DIR);
        let mut edits: Vec<(PageId, Page)> = Vec::new();
        let mut dirty = Dirty::default();
        let mut problems = Vec::new();
        for path in paths {
            let rel = crate::diagnostics::display_path(&content_dir, path);
            let exists = path.is_file();
            if self.kind(path) == Source::Asset {
                match self.site.book.asset_at(&rel) {
                    Some(i) if exists => {
                        dirty.assets.insert(i);
                    }
                    // An added or removed asset can mend or break links.
                    _ => return self.reload(),
                }
                continue;
            }
            let Some(index) = self.site.page_at(&rel) else {
                return self.reload();
            };
            if !exists {
                return self.reload();
            }
            let languages: Vec<&str> = self
                .site
                .book
                .languages
                .iter()
                .map(|l| l.code.as_str())
                .collect();
            let drafts = content::LoadOptions {
                drafts: self.options.drafts,
            };
            match content::read_page(&self.root, path, &rel, &languages, languages[0], drafts) {
                Ok(Some(page)) => edits.push((index, page)),
                // It became a draft: it leaves the site.
                Ok(None) => return self.reload(),
                Err(d) => problems.push(d),
            }
        }
        if !problems.is_empty() {
            return Err(Failure::Content(problems));
        }

        // Render the edits, then swap them in, keeping the old pages to put
        // back if the result does not check. Body edits move no page, so
        // one linker serves them all.
        let linker = Linker::new(self.site.pages(), &self.site.book.assets);
        let rendered: Vec<(PageId, Page, Rendered)> = edits
            .into_iter()
            .map(|(index, page)| {
                let strings = self.site.strings_for(&page.lang);
                let rendered = markdown::render(&page, &linker, &self.site.theme, strings);
                (index, page, rendered)
            })
            .collect();
        drop(linker);
        let mut previous: Vec<(PageId, Entry)> = Vec::new();
        for (index, page, rendered) in rendered {
            let old = self.site.replace_page(index, Entry::new(page, rendered));
            previous.push((index, old));
        }
        let edited: Vec<PageId> = previous.iter().map(|(i, _)| *i).collect();
        self.site.recheck_anchors(&edited);
        let restore = |site: &mut Site, previous: Vec<(PageId, Entry)>| {
            for (index, entry) in previous.into_iter().rev() {
                site.replace_page(index, entry);
            }
            site.recheck_anchors(&edited);
        };
        // What other pages show of each edited page.
        let mut shown = context::Dependents::default();
        for (index, old) in &previous {
            let entry = self.site.entry(*index);
            let page = &entry.page;
            let old = context::PageMeta::of(&old.page, &old.title);
            let new = context::PageMeta::of(page, &entry.title);
            let changed = context::dependents(&old, &new);
            if changed.order {
                // The reading order and navigation trees come from loading.
                restore(&mut self.site, previous);
                return self.reload();
            }
            let lang = self.site.book.lang_id(&page.lang);
            dirty.pages.insert(*index);
            dirty.languages.insert(lang);
            if changed.language_pages {
                dirty
                    .pages
                    .extend(self.site.pages_in(&page.lang).map(|(i, _)| i));
            }
            if changed.sidebar {
                dirty.sidebars.insert(lang);
            }
            shown.merge(changed);
        }
        let problems = self.site.check();
        if problems.iter().any(Diagnostic::is_error) {
            restore(&mut self.site, previous);
            return Err(Failure::Content(problems));
        }
        self.site.warnings = problems;
        dirty.search = !previous.is_empty();
        Ok((dirty, previous.len()))
    }

    /// Writes what is dirty; see [`publish`].
    pub fn publish(&self, dirty: &Dirty, out: &Path) -> Result<PathBuf, OutputError> {
        publish(&self.site, &self.root, &self.options, dirty, out)
    }
}

/// Writes what is dirty of `site` for the project at `root`. Everything
/// is written into a fresh staging folder swapped in for `out`. Less is
/// written in place, each file replaced whole; or, with
/// [`BuildOptions::whole_publishes`], into a staging folder holding the
/// rest of the site as hard links, swapped in whole.
pub fn publish(
    site: &Site,
    root: &Path,
    options: &BuildOptions,
    dirty: &Dirty,
    out: &Path,
) -> Result<PathBuf, OutputError> {
    if dirty.is_empty() {
        return Ok(out.to_path_buf());
    }
    let everything = Dirty::everything();
    let (dirty, staging) = if dirty.everything {
        (dirty, Some(output::Staging::new(out, root)?))
    } else if options.whole_publishes {
        match output::Staging::of_site(out, root)? {
            Some(staging) => (dirty, Some(staging)),
            // No site there any more to add the change to.
            None => (&everything, Some(output::Staging::new(out, root)?)),
        }
    } else {
        (dirty, None)
    };
    match staging {
        Some(staging) => {
            write(site, options, dirty, staging.dir(), &Background::none())?;
            staging.commit()
        }
        None => {
            write(site, options, dirty, out, &Background::none())?;
            Ok(out.to_path_buf())
        }
    }
}

/// How a write runs beside a rebuild that must not wait for it.
pub struct Background<'a> {
    /// Set to stop the write between files, between languages, and
    /// between the pages of a print page.
    pub cancel: Arc<AtomicBool>,
    /// The threads it runs on, search indexing included, so that it never
    /// holds up the threads a save is written with.
    pub pool: Option<&'a rayon::ThreadPool>,
}

impl Background<'_> {
    /// In the foreground: never cancelled, on the common threads.
    fn none() -> Background<'static> {
        Background {
            cancel: Arc::new(AtomicBool::new(false)),
            pool: None,
        }
    }
}

/// Writes what is dirty of `site` into `dir`. Returns whether it wrote
/// everything it was asked: `false` when cancelled.
///
/// Every file is written beside its target first, and all replace their
/// targets only once each was written: a template error on one page, a
/// full disk or a cancel leaves every file of `dir` as it was.
pub fn write(
    site: &Site,
    options: &BuildOptions,
    dirty: &Dirty,
    dir: &Path,
    background: &Background<'_>,
) -> Result<bool, OutputError> {
    fn in_pool<T: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> T + Send) -> T {
        match pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }
    if dirty.everything {
        output::mark(dir)?;
    }
    let batch = Batch::new();
    // The search index needs only the rendered pages: build it on its own
    // thread while the rest is written. Each part enters the pool on its
    // own: a pool thread that waited for the indexing thread would never
    // run the indexing.
    let (written, index) = std::thread::scope(|scope| {
        let search = (dirty.search && !options.skip_search).then(|| {
            scope.spawn(|| {
                let started = Instant::now();
                let index = in_pool(background.pool, || crate::search::prepare(site, dir));
                site.time("search index (alongside the rest)", started.elapsed());
                index
            })
        });
        let written = in_pool(background.pool, || {
            write_files(site, options, dirty, dir, &batch, &background.cancel)
        });
        let index = match search {
            Some(search) => Some(
                search
                    .join()
                    .map_err(|_| OutputError::Search("the indexing thread panicked".into()))?,
            ),
            None => None,
        };
        Ok::<_, OutputError>((written?, index.transpose()?))
    })?;
    if !written {
        return Ok(false);
    }
    batch.commit()?;
    if let Some(index) = index {
        index.commit()?;
    }
    Ok(true)
}

fn write_files(
    site: &Site,
    options: &BuildOptions,
    dirty: &Dirty,
    dir: &Path,
    batch: &Batch,
    cancel: &Arc<AtomicBool>,
) -> Result<bool, OutputError> {
    let bundle = site.bundle();
    let shared = Shared::new(site, &bundle, options);
    let pages: Vec<PageId> = if dirty.everything {
        site.page_ids().collect()
    } else {
        dirty.pages.iter().copied().collect()
    };
    // The pages and the rest (whose print pages are large) are written
    // side by side, so neither waits for the other.
    let (pages, rest) = rayon::join(
        || {
            let started = Instant::now();
            let written = write_pages(site, &shared, dir, batch, pages);
            if dirty.everything {
                site.time("write pages", started.elapsed());
            }
            written
        },
        || {
            let started = Instant::now();
            let written = write_rest(site, &shared, &bundle, dirty, dir, batch, cancel);
            if dirty.everything {
                site.time("assets, sidebar, print and 404 pages", started.elapsed());
            }
            written
        },
    );
    pages?;
    rest
}

/// Everything dirty but the pages: assets, the theme's files, and each
/// language's sidebar, print, search and 404 pages.
fn write_rest(
    site: &Site,
    shared: &Shared<'_>,
    bundle: &Bundle,
    dirty: &Dirty,
    dir: &Path,
    batch: &Batch,
    cancel: &Arc<AtomicBool>,
) -> Result<bool, OutputError> {
    let assets: Vec<AssetId> = if dirty.everything {
        site.book.assets.ids().collect()
    } else {
        dirty.assets.iter().copied().collect()
    };
    assets
        .into_par_iter()
        .map(|id| super::copy_asset(&site.book.assets[id], dir, batch))
        .collect::<Result<(), OutputError>>()?;
    if dirty.everything || dirty.css {
        batch.write(&dir.join("assets/playbook.css"), bundle.css.as_bytes())?;
    }
    if dirty.everything {
        batch.write(&dir.join("assets/playbook.js"), bundle.js.as_bytes())?;
        for (path, bytes) in site.theme.static_files() {
            batch.write(&dir.join("assets").join(path), bytes)?;
        }
    }
    let languages: Vec<LangId> = if dirty.everything {
        site.book.lang_ids().collect()
    } else {
        dirty.languages.iter().copied().collect()
    };
    if dirty.everything {
        languages
            .par_iter()
            .map(|&l| {
                extras::write_language(site, shared, dir, batch, &site.book.lang(l).code, None)
            })
            .collect::<Result<(), OutputError>>()?;
        extras::write_site(site, dir, batch)?;
        return Ok(true);
    }
    for l in languages {
        if cancel.load(Ordering::Acquire) {
            return Ok(false);
        }
        let code = &site.book.lang(l).code;
        match extras::write_language(site, shared, dir, batch, code, Some(cancel)) {
            // Stopped half-way through a print page.
            Err(OutputError::Cancelled) => return Ok(false),
            written => written?,
        }
    }
    Ok(!cancel.load(Ordering::Acquire))
}

/// Writes the given pages, in parallel.
fn write_pages(
    site: &Site,
    shared: &Shared<'_>,
    dir: &Path,
    batch: &Batch,
    pages: Vec<PageId>,
) -> Result<(), OutputError> {
    pages
        .into_par_iter()
        .map(|i| {
            let html = shared.page_html(i).map_err(OutputError::Template)?;
            batch.write(&dir.join(&site.page(i).output), html.as_bytes())
        })
        .collect()
}

fn describe(root: &Path, paths: &[PathBuf]) -> String {
    match paths {
        [] => "the project".to_string(),
        [one] => crate::diagnostics::display_path(root, one),
        many => format!("{} files", many.len()),
    }
}
