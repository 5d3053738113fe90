//! Incremental rebuilds for `serve`.
//!
//! A [`Session`] keeps the last good [`Site`] in memory and its files in a
//! folder. Each batch of changed paths is classified and only the work that
//! kind of change needs is done:
//!
//! - a page body: re-render that page, re-check every link anchor (cheap:
//!   no page is re-rendered for it), write the page and its language's
//!   print page; if its title or description changed, re-template the
//!   language's pages too, since navigation and the home page show them;
//! - a stylesheet of the theme: write the stylesheet only, when asset URLs
//!   are fixed (serve); with content-hashed URLs (build) every page names
//!   the stylesheet's hash, so a full rebuild;
//! - an asset edited in place: copy it;
//! - anything else (book.yaml, templates, scripts, added, removed or
//!   reordered pages and assets): a full rebuild, swapped in atomically.
//!
//! A change that breaks the build leaves the site and its files as they
//! were; the paths stay pending and are applied with the next change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::content::{self, CONTENT_DIR, Page, Source};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Linker, Rendered};
use crate::site::{self, BuildOptions, OutputError, Site, context::Shared, output};
use crate::theme::Theme;

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

/// Why a rebuild did not go through.
#[derive(Debug)]
pub enum Failure {
    /// The author's content has errors; the last good site stays.
    Content(Vec<Diagnostic>),
    Output(OutputError),
}

impl From<OutputError> for Failure {
    fn from(err: OutputError) -> Self {
        Failure::Output(err)
    }
}

pub struct Session {
    root: PathBuf,
    options: BuildOptions,
    out: PathBuf,
    site: Site,
    pending: BTreeSet<PathBuf>,
    /// The last batch failed: the next one rebuilds from scratch.
    broken: bool,
    /// Pages changed since the search index was last written.
    search_stale: bool,
    /// Languages whose sidebar, print page and 404 page still need
    /// rewriting after a page edit; see [`Session::finish`].
    deferred: BTreeSet<String>,
}

impl Session {
    /// Builds the whole site into `out`.
    pub fn start(root: &Path, options: BuildOptions, out: &Path) -> Result<Session, Failure> {
        let site = Site::load(root, &options).map_err(Failure::Content)?;
        write_full(&site, &options, out, root)?;
        Ok(Session {
            root: root.to_path_buf(),
            options,
            out: out.to_path_buf(),
            site,
            pending: BTreeSet::new(),
            broken: false,
            search_stale: false,
            deferred: BTreeSet::new(),
        })
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Makes the next [`Session::apply`] rebuild everything, even with no
    /// changed path: after lost watcher events, or a rebuild that crashed
    /// half-way.
    pub fn invalidate(&mut self) {
        self.broken = true;
    }

    /// Rewrites what a page edit affects but no open page shows at once:
    /// the sidebar, the print page (which holds every page, so it is the
    /// largest file) and the 404 page. Serve calls this right after telling
    /// the browser to reload, so the reload never waits for it.
    ///
    /// Returns the site-relative pages it rewrote that a tab may show (each
    /// language's print page and no-script sidebar), to reload.
    pub fn finish(&mut self) -> Result<Vec<String>, OutputError> {
        if self.deferred.is_empty() {
            return Ok(Vec::new());
        }
        let bundle = self.site.bundle();
        let shared = Shared::new(&self.site, &bundle, &self.options);
        let mut shown = Vec::new();
        for lang in std::mem::take(&mut self.deferred) {
            site::write_language_files(&self.site, &shared, &self.out, &lang)?;
            shown.extend(self.language_pages(&lang));
        }
        Ok(shown)
    }

    /// The pages of a language that show every page: its print page and
    /// its no-script sidebar, site-relative.
    fn language_pages(&self, lang: &str) -> [String; 2] {
        let dir = self.lang_dir(lang);
        [format!("{dir}print.html"), format!("{dir}toc.html")]
    }

    /// `""` for the default language, else `fi/`.
    fn lang_dir(&self, lang: &str) -> String {
        match self.site.book.languages.first() {
            Some(first) if first.code != lang => format!("{lang}/"),
            _ => String::new(),
        }
    }

    /// Whether [`Session::finish`] has work to do.
    pub fn has_deferred(&self) -> bool {
        !self.deferred.is_empty()
    }

    /// Whether edits since the last index make search out of date.
    pub fn search_stale(&self) -> bool {
        self.search_stale
    }

    /// Rewrites the search index, which page edits leave alone so that a
    /// save reloads at once; serve calls this when the author pauses.
    ///
    /// Returns each language's search page, whose results come from the
    /// index, to reload; nothing when the index was not rewritten.
    pub fn refresh_search(&mut self) -> Result<Vec<String>, OutputError> {
        let mut shown = Vec::new();
        if self.search_stale && !self.options.skip_search {
            crate::search::write_index(&self.site, &self.out)?;
            shown = self
                .site
                .book
                .languages
                .iter()
                .map(|l| format!("{}search.html", self.lang_dir(&l.code)))
                .collect();
        }
        self.search_stale = false;
        Ok(shown)
    }

    /// What `path` is to the build: the same answer the content walk gets.
    fn kind(&self, path: &Path) -> Source {
        match path.strip_prefix(&self.root) {
            Ok(rel) => content::classify(rel),
            Err(_) => Source::Ignored,
        }
    }

    /// Applies a batch of changed paths. `Ok(None)` when none mattered.
    pub fn apply(
        &mut self,
        changed: impl IntoIterator<Item = PathBuf>,
    ) -> Result<Option<Applied>, Failure> {
        let started = Instant::now();
        for path in changed {
            if self.kind(&path) != Source::Ignored {
                self.pending.insert(path);
            }
        }
        if self.pending.is_empty() && !self.broken {
            return Ok(None);
        }
        let paths: Vec<PathBuf> = self.pending.iter().cloned().collect();
        let changed = describe(&self.root, &paths);
        let kinds: BTreeSet<Source> = paths.iter().map(|p| self.kind(p)).collect();
        // With content-hashed asset URLs every page names the stylesheet's
        // hash: a new stylesheet means new pages, so a full rebuild.
        let hashed_css = !self.options.fixed_asset_urls && kinds.contains(&Source::Stylesheet);
        let result = if self.broken
            || hashed_css
            || kinds
                .iter()
                .any(|k| matches!(k, Source::Config | Source::Theme))
        {
            self.rebuild()
        } else if kinds.iter().all(|k| *k == Source::Stylesheet) {
            self.restyle()
        } else {
            self.update_content(&paths)
        };
        match result {
            Ok((update, rendered)) => {
                self.pending.clear();
                self.broken = false;
                Ok(Some(Applied {
                    update,
                    changed,
                    rendered,
                    elapsed: started.elapsed(),
                }))
            }
            Err(failure) => {
                self.broken = true;
                Err(failure)
            }
        }
    }

    /// A full build, swapped in only when it succeeds.
    fn rebuild(&mut self) -> Result<(Update, usize), Failure> {
        let site = Site::load(&self.root, &self.options).map_err(Failure::Content)?;
        write_full(&site, &self.options, &self.out, &self.root)?;
        let rendered = site.book.pages.len();
        self.site = site;
        self.deferred.clear();
        self.search_stale = false;
        Ok((Update::All, rendered))
    }

    fn restyle(&mut self) -> Result<(Update, usize), Failure> {
        let theme =
            Theme::load(&self.root, &self.site.book.config.book.theme).map_err(Failure::Content)?;
        self.site.theme = theme;
        let bundle = self.site.bundle();
        output::write(&self.out.join("assets/playbook.css"), bundle.css.as_bytes())?;
        Ok((Update::Css, 0))
    }

    /// Page bodies and assets edited in place; anything structural falls
    /// back to a full rebuild.
    fn update_content(&mut self, paths: &[PathBuf]) -> Result<(Update, usize), Failure> {
        let content_dir = self.root.join(CONTENT_DIR);
        let mut edits: Vec<(usize, Page)> = Vec::new();
        let mut assets: Vec<usize> = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            let rel = crate::diagnostics::display_path(&content_dir, path);
            let exists = path.is_file();
            if self.kind(path) == Source::Asset {
                match self.site.book.assets.iter().position(|a| a.path == rel) {
                    Some(i) if exists => assets.push(i),
                    // An added or removed asset can mend or break links.
                    _ => return self.rebuild(),
                }
                continue;
            }
            let Some(index) = self.site.book.pages.iter().position(|p| p.path == rel) else {
                return self.rebuild();
            };
            if !exists {
                return self.rebuild();
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
                Ok(Some(page)) => {
                    let old = &self.site.book.pages[index].front;
                    let reordered = old.kind != page.front.kind
                        || old.weight != page.front.weight
                        || old.draft != page.front.draft;
                    if reordered {
                        return self.rebuild();
                    }
                    edits.push((index, page));
                }
                // It became a draft: it leaves the site.
                Ok(None) => return self.rebuild(),
                Err(d) => problems.push(d),
            }
        }
        if !problems.is_empty() {
            return Err(Failure::Content(problems));
        }

        // Render the edits, then swap them in, keeping the old pages to put
        // back if the result does not check. Body edits move no page, so
        // one linker serves them all.
        let linker = Linker::new(&self.site.book);
        let rendered: Vec<(usize, Page, Rendered)> = edits
            .into_iter()
            .map(|(index, page)| {
                let strings = self.site.strings_for(&page.lang);
                let rendered = markdown::render(&page, &linker, &self.site.theme, strings);
                (index, page, rendered)
            })
            .collect();
        drop(linker);
        let mut previous: Vec<(usize, Page, Rendered, String)> = Vec::new();
        for (index, page, rendered) in rendered {
            let old_page = std::mem::replace(&mut self.site.book.pages[index], page);
            let old_rendered = std::mem::replace(&mut self.site.rendered[index], rendered);
            let title = site::title_of(&self.site.book.pages[index], &self.site.rendered[index]);
            let old_title = std::mem::replace(&mut self.site.titles[index], title);
            previous.push((index, old_page, old_rendered, old_title));
        }
        let problems = self.site.check();
        if problems.iter().any(Diagnostic::is_error) {
            for (index, page, rendered, title) in previous {
                self.site.book.pages[index] = page;
                self.site.rendered[index] = rendered;
                self.site.titles[index] = title;
            }
            return Err(Failure::Content(problems));
        }
        self.site.warnings = problems;

        for &i in &assets {
            site::copy_asset(&self.site.book.assets[i], &self.out)?;
        }
        let bundle = self.site.bundle();
        let shared = Shared::new(&self.site, &bundle, &self.options);
        let mut pages: BTreeSet<usize> = BTreeSet::new();
        let mut languages: BTreeSet<String> = BTreeSet::new();
        let mut sidebar_changed = false;
        for (index, old_page, _, old_title) in &previous {
            let page = &self.site.book.pages[*index];
            pages.insert(*index);
            languages.insert(page.lang.clone());
            let meta_changed = *old_title != self.site.titles[*index]
                || old_page.front.description != page.front.description;
            if meta_changed {
                sidebar_changed = true;
                // Titles and descriptions show in the sidebar, previous and
                // next links, breadcrumbs and the home page.
                pages.extend(self.site.book.pages_in(&page.lang).map(|(i, _)| i));
            }
        }
        let rendered = previous.len();
        self.search_stale = true;
        self.site.write_pages(
            &shared,
            &self.out,
            pages.iter().copied().collect::<Vec<_>>(),
        )?;
        let mut shown: Vec<String> = pages
            .iter()
            .map(|&i| self.site.book.pages[i].output.clone())
            .collect();
        if sidebar_changed {
            // The sidebar shows the new title: write it before the reload.
            for lang in &languages {
                site::write_language_files(&self.site, &shared, &self.out, lang)?;
                shown.extend(self.language_pages(lang));
            }
        } else {
            // Their tabs reload when [`Session::finish`] writes them.
            self.deferred.extend(languages);
        }
        let update = if assets.is_empty() {
            Update::Pages(shown)
        } else {
            Update::All
        };
        Ok((update, rendered))
    }
}

/// Writes the whole site to a staging folder and swaps it in for `out`.
fn write_full(
    site: &Site,
    options: &BuildOptions,
    out: &Path,
    root: &Path,
) -> Result<(), OutputError> {
    let staging = output::Staging::new(out, root)?;
    site.write(staging.dir(), options)?;
    staging.commit()?;
    Ok(())
}

fn describe(root: &Path, paths: &[PathBuf]) -> String {
    match paths {
        [] => "the project".to_string(),
        [one] => crate::diagnostics::display_path(root, one),
        many => format!("{} files", many.len()),
    }
}
