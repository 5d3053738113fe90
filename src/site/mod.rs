//! The build: load, render, check, then write the site atomically.
//!
//! [`Site::load`] reads the project and renders every page in memory
//! (in parallel), then checks links across pages. The [`engine`] turns
//! changes into what is out of date and writes it through the theme: a
//! build is the engine applied to everything; `serve` and `build --watch`
//! keep it alive and re-render only what a change touches.
//!
//! Each page is one [`Entry`] of the site, under its [`PageId`]: its
//! source, its rendered HTML and its title. The [`Book`] beside them holds
//! what is not a page: settings, languages, navigation and assets.
//! Languages are [`LangId`]s into `book.languages`, and into everything
//! kept per language.

pub mod context;
pub mod engine;
mod extras;
pub mod output;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use thiserror::Error;

use crate::content::{self, Book, IdVec, LangId, LoadOptions, Loaded, Page, PageId};
use crate::diagnostics::{self, Diagnostic};
use crate::markdown::{self, LinkTarget, Linker, Rendered};
use crate::theme::{Bundle, Strings, Theme};
use engine::{Dirty, Engine};
pub use output::OutputError;

/// How a build runs.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Where to write the site; `None` for `output:` in book.yaml or `public/`.
    pub out: Option<PathBuf>,
    pub drafts: bool,
    /// A script tag `serve` injects for live reload; never set by `build`.
    pub live_reload: Option<String>,
    /// Leave content hashes out of asset URLs, so a stylesheet edit changes
    /// one file and no page (`serve` sends no-cache headers instead).
    pub fixed_asset_urls: bool,
    /// Leave the search index out (serve indexes in the background).
    pub skip_search: bool,
    /// Publish each change as a whole, all at once: written beside the
    /// output folder with the rest of the site (as hard links) and swapped
    /// in, nothing held back for later. For `build --watch`, whose folder
    /// other programs read; `serve` replaces changed files in place.
    pub whole_publishes: bool,
}

#[derive(Debug, Error)]
pub enum BuildError {
    #[error("the playbook has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub out: PathBuf,
    pub warnings: Vec<Diagnostic>,
    /// How long each stage took, for `build -v`.
    pub timings: Vec<(&'static str, Duration)>,
    /// Missing and outdated translations, for `build -v`.
    pub translations: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// Builds the project at `root` and swaps the result into the output
/// folder: the engine with everything dirty.
pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let engine = Engine::load(root, options.clone()).map_err(BuildError::Content)?;
    let out = engine
        .site()
        .book
        .config
        .output_dir(root, options.out.as_deref());
    let out = engine.publish(&Dirty::everything(), &out)?;
    let site = engine.into_site();
    Ok(BuildReport {
        pages: site.page_count(),
        out,
        translations: crate::check::translations(&site),
        timings: site.timings(),
        warnings: site.warnings,
        elapsed: started.elapsed(),
    })
}

/// A loaded, rendered and checked site, ready to write. Cloning it is
/// cheap next to loading: rendered pages and the theme are shared.
pub struct Site {
    pub book: Book,
    /// Every page, in reading order.
    pages: IdVec<PageId, Entry>,
    pub theme: Arc<Theme>,
    /// Theme strings per language.
    pub strings: IdVec<LangId, Strings>,
    pub warnings: Vec<Diagnostic>,
    /// The warnings of loading (the content walk, the theme's strings),
    /// which no re-render of a page changes: [`Site::check`] reports them
    /// again with each page edit.
    load_warnings: Vec<Diagnostic>,
    timings: Mutex<Vec<(&'static str, Duration)>>,
}

impl Clone for Site {
    fn clone(&self) -> Self {
        Site {
            book: self.book.clone(),
            pages: self.pages.clone(),
            theme: Arc::clone(&self.theme),
            strings: self.strings.clone(),
            warnings: self.warnings.clone(),
            load_warnings: self.load_warnings.clone(),
            timings: Mutex::new(Vec::new()),
        }
    }
}

impl Site {
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
        let drafts = options.drafts;
        let started = Instant::now();
        let loaded = content::load(root, LoadOptions { drafts })?;
        let theme = Theme::load(root, &loaded.book.config.book.theme)?;
        let load_took = started.elapsed();
        let site = Site::render(loaded, theme)?;
        site.time("load", load_took);
        site.time("render and check", started.elapsed() - load_took);
        Ok(site)
    }

    /// Records how long a stage took, for `build -v`.
    pub(crate) fn time(&self, stage: &'static str, took: Duration) {
        if let Ok(mut timings) = self.timings.lock() {
            timings.push((stage, took));
        }
    }

    /// Each stage of the build so far and how long it took.
    pub fn timings(&self) -> Vec<(&'static str, Duration)> {
        self.timings.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Renders every page and checks the links between them. The problems
    /// of loading are reported together with these.
    pub fn render(loaded: Loaded, theme: Theme) -> Result<Site, Vec<Diagnostic>> {
        let Loaded {
            book,
            pages,
            problems,
        } = loaded;
        let strings: IdVec<LangId, Strings> = book
            .languages
            .iter()
            .map(|l| theme.strings(&l.code))
            .collect();
        let mut problems = problems;
        problems.extend(theme.language_warnings(book.languages.iter().map(|l| l.code.as_str())));
        problems.extend(theme.file_warnings().iter().cloned());
        let lang_index: HashMap<&str, LangId> = book
            .lang_ids()
            .map(|l| (book.lang(l).code.as_str(), l))
            .collect();
        let linker = Linker::new(&pages, &book.assets);
        let rendered: Vec<Rendered> = pages
            .as_slice()
            .par_iter()
            .map(|page| {
                let strings = &strings[lang_index[page.lang.as_str()]];
                markdown::render(page, &linker, &theme, strings)
            })
            .collect();
        drop(linker);
        let pages = pages
            .into_iter()
            .zip(rendered)
            .map(|(page, rendered)| Entry::new(page, rendered))
            .collect();
        let mut site = Site {
            book,
            pages,
            theme: Arc::new(theme),
            strings,
            warnings: Vec::new(),
            load_warnings: problems.iter().filter(|d| !d.is_error()).cloned().collect(),
            timings: Mutex::new(Vec::new()),
        };
        site.check_anchors_of(site.page_ids().collect());
        let problems = site.problems(problems);
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        site.warnings = problems;
        Ok(site)
    }

    /// Page `id`: its source, rendering and title.
    pub fn entry(&self, id: PageId) -> &Entry {
        &self.pages[id]
    }

    /// Every page with its id, in reading order.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = (PageId, &Entry)> {
        self.pages.iter_ids()
    }

    /// The source of page `id`.
    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id].page
    }

    /// Every page's id, in reading order.
    pub fn page_ids(&self) -> impl DoubleEndedIterator<Item = PageId> + ExactSizeIterator + use<> {
        self.pages.ids()
    }

    /// Every page's source, in reading order.
    pub fn pages(&self) -> impl DoubleEndedIterator<Item = &Page> + ExactSizeIterator {
        self.pages.iter().map(|entry| &entry.page)
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The page at content-relative path `path`.
    pub fn page_at(&self, path: &str) -> Option<PageId> {
        self.entries()
            .find(|(_, entry)| entry.page.path == path)
            .map(|(id, _)| id)
    }

    /// Pages of one language, in reading order.
    pub fn pages_in<'a>(&'a self, code: &'a str) -> impl Iterator<Item = (PageId, &'a Page)> + 'a {
        self.entries()
            .map(|(id, entry)| (id, &entry.page))
            .filter(move |(_, page)| page.lang == code)
    }

    /// Puts `entry` in place of page `id`, and returns the one it replaced.
    pub(crate) fn replace_page(&mut self, id: PageId, entry: Entry) -> Entry {
        std::mem::replace(&mut self.pages[id], entry)
    }

    /// The theme strings of language `lang`.
    pub fn strings_of(&self, lang: LangId) -> &Strings {
        &self.strings[lang]
    }

    pub fn strings_for(&self, lang: &str) -> &Strings {
        self.strings_of(self.book.lang_id(lang))
    }

    /// The theme's stylesheet and script, with the syntax colours.
    pub fn bundle(&self) -> Bundle {
        self.theme.bundle(markdown::highlight::stylesheet())
    }

    /// Every problem of the rendered pages and the links between them,
    /// with the warnings of loading.
    pub fn check(&self) -> Vec<Diagnostic> {
        self.problems(self.load_warnings.clone())
    }

    /// Checks again the anchors of the links from the `changed` pages and
    /// of every link to them, after their rendering changed (and before
    /// [`Site::check`]). Other links are as they were checked.
    pub fn recheck_anchors(&mut self, changed: &[PageId]) {
        if changed.is_empty() {
            return;
        }
        let mut is_changed: IdVec<PageId, bool> = self.pages.iter().map(|_| false).collect();
        for &id in changed {
            is_changed[id] = true;
        }
        // A flag per page rather than a hashed set: every link is looked at.
        let affected: Vec<PageId> = self
            .entries()
            .filter(|(id, entry)| {
                is_changed[*id]
                    || entry.rendered.links.iter().any(|link| match link.target {
                        LinkTarget::Page(t) => is_changed[t],
                        LinkTarget::SamePage => false,
                    })
            })
            .map(|(id, _)| id)
            .collect();
        self.check_anchors_of(affected);
    }

    /// Checks the anchors of the links from the pages `ids`, and keeps what
    /// it finds with each page.
    fn check_anchors_of(&mut self, ids: Vec<PageId>) {
        let found: Vec<Vec<Diagnostic>> = ids
            .iter()
            .map(|&id| check_anchors(&self.pages, id))
            .collect();
        for (id, found) in ids.into_iter().zip(found) {
            self.pages[id].anchor_problems = found;
        }
    }

    /// Every problem: from loading, from each page, and across pages.
    fn problems(&self, load_problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut problems = load_problems;
        for entry in &self.pages {
            problems.extend(entry.rendered.diagnostics.iter().cloned());
            problems.extend(entry.anchor_problems.iter().cloned());
        }
        diagnostics::sort(&mut problems);
        problems
    }
}

/// One page of the site: its source, and what rendering made of it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub page: Page,
    /// Shared with snapshots of the site (see [`Site`]'s clone).
    pub rendered: Arc<Rendered>,
    /// See [`title_of`].
    pub title: String,
    /// The links of the page whose `#anchor` their target lacks. Kept, so
    /// that an edit re-checks only the links from and to the pages it
    /// changed ([`Site::recheck_anchors`]).
    anchor_problems: Vec<Diagnostic>,
}

impl Entry {
    /// A rendered page, its links' anchors not checked yet.
    pub fn new(page: Page, rendered: Rendered) -> Entry {
        Entry {
            title: title_of(&page, &rendered),
            rendered: Arc::new(rendered),
            page,
            anchor_problems: Vec::new(),
        }
    }
}

/// A page's title: its front matter's, else its first `#` heading, else
/// its file name.
pub fn title_of(page: &Page, rendered: &Rendered) -> String {
    page.front
        .title
        .clone()
        .or_else(|| rendered.h1.clone())
        .unwrap_or_else(|| page.stem_title())
}

/// Copies one file from content/ into the site, with the rest of `batch`.
pub fn copy_asset(
    asset: &crate::content::Asset,
    dir: &Path,
    batch: &output::Batch,
) -> Result<(), OutputError> {
    batch.copy(&asset.source, &dir.join(&asset.path))
}

/// Checks the `#anchor` of every internal link of page `id` against the
/// ids its target page really has.
fn check_anchors(pages: &IdVec<PageId, Entry>, id: PageId) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let (page, r) = (&pages[id].page, &pages[id].rendered);
    let mut suggestions = diagnostics::Suggestions::default();
    for link in &r.links {
        let target = match link.target {
            LinkTarget::Page(t) => t,
            LinkTarget::SamePage => id,
        };
        let anchors = &pages[target].rendered.anchors;
        if anchors.contains(&link.anchor) {
            continue;
        }
        let target_name = &pages[target].page.source.name;
        let d = Diagnostic::error(
            "link::missing-anchor",
            format!(
                "`{target_name}` has no heading or anchor `#{}`",
                link.anchor
            ),
        )
        .at(&page.source, link.span.clone())
        .with_label("no such anchor");
        let d = match suggestions.closest(&link.anchor, anchors.iter().map(String::as_str)) {
            Some(close) => d.with_help(format!("did you mean `#{close}`?")),
            None => d.with_help(
                "anchors are heading texts in lowercase with dashes, such as `#what-to-say`",
            ),
        };
        problems.push(d);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asset_that_cannot_be_read_is_not_called_a_write_error() {
        let tmp = tempfile::tempdir().unwrap();
        let asset = crate::content::Asset {
            source: tmp.path().join("content/missing.png"),
            path: "missing.png".into(),
        };
        let err = copy_asset(&asset, &tmp.path().join("site"), &output::Batch::new()).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, OutputError::Read { .. }), "{err:?}");
        assert!(
            text.starts_with(&format!("cannot read `{}`", asset.source.display())),
            "{text}"
        );
    }

    #[test]
    fn an_asset_that_cannot_be_written_names_its_target() {
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("logo.png");
        std::fs::write(&source, "png").unwrap();
        // A file where the site's folder should be.
        let site = tmp.path().join("site");
        std::fs::write(&site, "").unwrap();
        let asset = crate::content::Asset {
            source,
            path: "img/logo.png".into(),
        };
        let err = copy_asset(&asset, &site, &output::Batch::new()).unwrap_err();
        assert!(matches!(err, OutputError::Write { .. }), "{err:?}");
        assert!(err.to_string().contains("cannot write"), "{err}");
        assert!(err.to_string().contains("site"), "{err}");
    }

    #[test]
    fn a_copied_asset_has_the_source_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("logo.png");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&source, &bytes).unwrap();
        let asset = crate::content::Asset {
            source,
            path: "img/logo.png".into(),
        };
        let batch = output::Batch::new();
        copy_asset(&asset, &tmp.path().join("site"), &batch).unwrap();
        batch.commit().unwrap();
        assert_eq!(
            std::fs::read(tmp.path().join("site/img/logo.png")).unwrap(),
            bytes
        );
    }
}
