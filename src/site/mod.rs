//! The build: load, render, check, then write the site atomically.
//!
//! [`Site::load`] reads the project and renders every page in memory
//! (in parallel), then checks links across pages. The [`engine`] turns
//! changes into what is out of date and writes it through the theme: a
//! build is the engine applied to everything; `serve` and `build --watch`
//! keep it alive and re-render only what a change touches.
//!
//! A page is two records under one [`PageId`]: its source ([`Page`], in
//! [`Book`], read by loading) and its [`Rendition`] (the rendered HTML and
//! the title, in [`Site`], made by rendering). Languages are [`LangId`]s
//! into `book.languages`, and into everything kept per language.

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

use crate::content::{Book, IdVec, LangId, LoadOptions, Page, PageId};
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
        pages: site.book.pages.len(),
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
    pub theme: Arc<Theme>,
    /// Theme strings per language.
    pub strings: IdVec<LangId, Strings>,
    /// What rendering made of each page, by [`PageId`] like `book.pages`.
    renditions: IdVec<PageId, Rendition>,
    pub warnings: Vec<Diagnostic>,
    /// The warnings of loading (the content walk, the theme's strings),
    /// which no re-render of a page changes: [`Site::check`] reports them
    /// again with each page edit.
    load_warnings: Vec<Diagnostic>,
    /// Per page: its links whose `#anchor` its target lacks. Kept, so that
    /// an edit re-checks only the links from and to the pages it changed.
    anchor_problems: IdVec<PageId, Vec<Diagnostic>>,
    timings: Mutex<Vec<(&'static str, Duration)>>,
}

impl Clone for Site {
    fn clone(&self) -> Self {
        Site {
            book: self.book.clone(),
            theme: Arc::clone(&self.theme),
            strings: self.strings.clone(),
            renditions: self.renditions.clone(),
            warnings: self.warnings.clone(),
            load_warnings: self.load_warnings.clone(),
            anchor_problems: self.anchor_problems.clone(),
            timings: Mutex::new(Vec::new()),
        }
    }
}

impl Site {
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
        let drafts = options.drafts;
        let started = Instant::now();
        let (book, load_problems) = Book::load(root, LoadOptions { drafts })?;
        let theme = Theme::load(root, &book.config.book.theme)?;
        let loaded = started.elapsed();
        let site = Site::render(book, theme, load_problems)?;
        site.time("load", loaded);
        site.time("render and check", started.elapsed() - loaded);
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

    /// Renders every page and checks the links between them. `problems`
    /// holds earlier ones (from loading), reported together with these.
    pub fn render(
        book: Book,
        theme: Theme,
        problems: Vec<Diagnostic>,
    ) -> Result<Site, Vec<Diagnostic>> {
        let strings: IdVec<LangId, Strings> = book
            .languages
            .iter()
            .map(|l| theme.strings(&l.code))
            .collect();
        let mut problems = problems;
        problems.extend(theme.language_warnings(book.languages.iter().map(|l| l.code.as_str())));
        let lang_index: HashMap<&str, LangId> = book
            .lang_ids()
            .map(|l| (book.lang(l).code.as_str(), l))
            .collect();
        let linker = Linker::new(&book);
        let renditions: Vec<Rendition> = book
            .pages
            .as_slice()
            .par_iter()
            .map(|page| {
                let strings = &strings[lang_index[page.lang.as_str()]];
                Rendition::new(page, markdown::render(page, &linker, &theme, strings))
            })
            .collect();
        let renditions = IdVec::from(renditions);
        let mut site = Site {
            book,
            theme: Arc::new(theme),
            strings,
            renditions,
            warnings: Vec::new(),
            load_warnings: problems.iter().filter(|d| !d.is_error()).cloned().collect(),
            anchor_problems: IdVec::new(),
            timings: Mutex::new(Vec::new()),
        };
        site.anchor_problems = site
            .book
            .page_ids()
            .map(|id| check_anchors(&site.book, &site.renditions, id))
            .collect();
        let problems = site.problems(problems);
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        site.warnings = problems;
        Ok(site)
    }

    /// What rendering made of page `id`.
    pub fn entry(&self, id: PageId) -> &Rendition {
        &self.renditions[id]
    }

    /// Every page's rendition, by id.
    pub fn entries(&self) -> impl Iterator<Item = (PageId, &Rendition)> {
        self.renditions.iter_ids()
    }

    /// Puts in a page and its rendition in place of page `id`'s, and
    /// returns the ones it replaced.
    pub(crate) fn replace_page(
        &mut self,
        id: PageId,
        page: Page,
        rendition: Rendition,
    ) -> (Page, Rendition) {
        let old_page = std::mem::replace(self.book.page_mut(id), page);
        let old = std::mem::replace(&mut self.renditions[id], rendition);
        (old_page, old)
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
        let mut is_changed: IdVec<PageId, bool> = self.renditions.iter().map(|_| false).collect();
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
        for id in affected {
            self.anchor_problems[id] = check_anchors(&self.book, &self.renditions, id);
        }
    }

    /// Every problem: from loading, from each page, and across pages.
    fn problems(&self, load_problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut problems = load_problems;
        for entry in &self.renditions {
            problems.extend(entry.rendered.diagnostics.iter().cloned());
        }
        for found in &self.anchor_problems {
            problems.extend(found.iter().cloned());
        }
        diagnostics::sort(&mut problems);
        problems
    }
}

/// What rendering made of one page: the other half of its [`Page`].
#[derive(Debug, Clone)]
pub struct Rendition {
    pub rendered: Arc<Rendered>,
    /// See [`title_of`].
    pub title: String,
}

impl Rendition {
    pub fn new(page: &Page, rendered: Rendered) -> Rendition {
        Rendition {
            title: title_of(page, &rendered),
            rendered: Arc::new(rendered),
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

/// Copies one file from content/ into the site, atomically.
pub fn copy_asset(asset: &crate::content::Asset, dir: &Path) -> Result<(), OutputError> {
    output::copy(&asset.source, &dir.join(&asset.path))
}

/// Checks the `#anchor` of every internal link of page `i` against the
/// ids its target page really has.
fn check_anchors(
    book: &Book,
    renditions: &IdVec<PageId, Rendition>,
    id: PageId,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let (page, r) = (book.page(id), &renditions[id].rendered);
    let mut suggestions = diagnostics::Suggestions::default();
    for link in &r.links {
        let target = match link.target {
            LinkTarget::Page(t) => t,
            LinkTarget::SamePage => id,
        };
        let anchors = &renditions[target].rendered.anchors;
        if anchors.contains(&link.anchor) {
            continue;
        }
        let target_name = &book.page(target).source.name;
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
        let err = copy_asset(&asset, &tmp.path().join("site")).unwrap_err();
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
        let err = copy_asset(&asset, &site).unwrap_err();
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
        copy_asset(&asset, &tmp.path().join("site")).unwrap();
        assert_eq!(
            std::fs::read(tmp.path().join("site/img/logo.png")).unwrap(),
            bytes
        );
    }
}
