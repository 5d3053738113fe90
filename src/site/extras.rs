//! The site's files beyond its pages: the sidebar script and its no-script
//! page, the print page, 404.html, sitemap.xml and robots.txt.

use std::fmt::{self, Write};
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::content::Visit;
use crate::html::escape;
use crate::markdown::{Mark, marks};

use super::Site;
use super::context::{Shared, join_url, relative_href};
use super::output::{Batch, OutputError};

/// The sidebar of one language as a script: a list with links relative to
/// the site root, which the sidebar component prefixes and marks.
pub fn toc_script(site: &Site, lang: &str) -> String {
    let html = toc_list(site, lang, "");
    format!(
        "window.PLAYBOOK_TOC = {};\n",
        serde_json::to_string(&html).unwrap_or_else(|_| "\"\"".into())
    )
}

/// The nested list of a language's pages, links prefixed with `root`.
fn toc_list(site: &Site, lang: &str, root: &str) -> String {
    let tree = site.book.nav_for(lang);
    let mut out = String::from("<ol class=\"pb-toc\">");
    for visit in tree.root.visits() {
        match visit {
            Visit::Enter(node) => {
                out.push_str("<li>");
                match node.page {
                    Some(p) => {
                        let _ = write!(
                            out,
                            "<a href=\"{}\">{}</a>",
                            escape(&relative_href(root, &site.page(p).output)),
                            escape(&site.entry(p).title)
                        );
                    }
                    None => {
                        let _ = write!(out, "<span>{}</span>", escape(&node.folder_title()));
                    }
                }
                if !node.children.is_empty() {
                    out.push_str("<ol>");
                }
            }
            Visit::Leave(node) => {
                if !node.children.is_empty() {
                    out.push_str("</ol>");
                }
                out.push_str("</li>");
            }
        }
    }
    out.push_str("</ol>");
    out
}

/// The own part of `toc.html`.
#[derive(Serialize)]
struct TocOwn {
    /// The nested list of the language's pages.
    toc: String,
}

/// The own part of `print.html`.
#[derive(Serialize)]
struct PrintOwn {
    articles: Vec<Article>,
}

/// The own part of `search.html` and `404.html`: nothing beyond the
/// common variables.
#[derive(Serialize)]
struct NoOwn {}

#[derive(Serialize)]
struct Article {
    id: String,
    kind: &'static str,
    title: String,
    /// A [`PrintBody`], made into HTML only when the template writes it.
    content: minijinja::Value,
    /// The language's `clause_notice`, for a page with clauses.
    clause_notice: Option<String>,
}

/// The files of one language beyond its pages: sidebar, print page,
/// search page, 404, written into `batch`. Setting `cancel` stops the
/// print page between two pages with [`OutputError::Cancelled`].
pub fn write_language(
    site: &Site,
    shared: &Shared<'_>,
    dir: &Path,
    batch: &Batch,
    lang: &str,
    cancel: Option<&Arc<AtomicBool>>,
) -> Result<(), OutputError> {
    let lang_dir = shared.lang_dir(lang);
    let root = "../".repeat(lang_dir.matches('/').count());
    let here = Here {
        site,
        shared,
        dir,
        batch,
        lang,
        lang_dir: &lang_dir,
        root: &root,
        cancel,
    };
    batch.write(
        &dir.join(&lang_dir).join("toc.js"),
        toc_script(site, lang).as_bytes(),
    )?;

    let toc = toc_list(site, lang, &root);
    here.page("toc.html", None, TocOwn { toc })?;

    let print_root: Arc<str> = root.as_str().into();
    let articles = site
        .pages_in(lang)
        .map(|(id, page)| {
            let entry = site.entry(id);
            let i = id.index();
            Article {
                id: format!("p{i}"),
                kind: page.front.kind.as_str(),
                title: entry.title.clone(),
                content: minijinja::Value::from_object(PrintBody {
                    html: entry.rendered.html.clone(),
                    marks: entry.rendered.marks.clone(),
                    root: print_root.clone(),
                    prefix: format!("p{i}-"),
                    cancel: cancel.cloned(),
                }),
                clause_notice: entry
                    .rendered
                    .features
                    .clauses
                    .then(|| site.book.language(lang).clause_notice.clone()),
            }
        })
        .collect();
    here.page("print.html", None, PrintOwn { articles })?;
    here.page("search.html", None, NoOwn {})?;

    // A 404 page is served for any missing path, so its links cannot be
    // relative to its own folder: with base_url they are absolute.
    let base_href = site
        .book
        .config
        .book
        .base_url
        .as_ref()
        .map(|b| join_url(b, &lang_dir));
    here.page("404.html", base_href, NoOwn {})
}

/// One language's folder of the site, for [`write_language`].
struct Here<'a> {
    site: &'a Site,
    shared: &'a Shared<'a>,
    dir: &'a Path,
    batch: &'a Batch,
    lang: &'a str,
    lang_dir: &'a str,
    root: &'a str,
    cancel: Option<&'a Arc<AtomicBool>>,
}

impl Here<'_> {
    /// Renders the template named `file` and writes the result as `file`
    /// in the language's folder, as it renders. Every language has each of
    /// these files, so the language switcher links to the same file in the
    /// others.
    fn page(
        &self,
        file: &str,
        base_href: Option<String>,
        own: impl Serialize,
    ) -> Result<(), OutputError> {
        let shared = self.shared;
        let view = shared.view(
            self.lang,
            self.root.to_string(),
            base_href,
            |code| Some(format!("{}{file}", shared.lang_dir(code))),
            own,
        );
        let path = self.dir.join(self.lang_dir).join(file);
        self.batch.write_with(&path, |f| {
            let mut out = Keep {
                to: io::BufWriter::with_capacity(64 * 1024, f),
                error: None,
            };
            let rendered = self.site.theme.render_to_write(file, view, &mut out);
            let flushed = io::Write::flush(&mut out.to);
            let io_error = |source| OutputError::Write {
                path: path.clone(),
                source,
            };
            if let Some(error) = out.error {
                return Err(io_error(error));
            }
            if self.cancel.is_some_and(|c| c.load(Ordering::Acquire)) {
                // The file is left unwritten: its last version stays.
                return Err(OutputError::Cancelled);
            }
            rendered.map_err(OutputError::Template)?;
            flushed.map_err(io_error)
        })
    }
}

/// A writer that keeps its first error, so a failed write is reported as
/// one rather than as a template error.
struct Keep<W> {
    to: W,
    error: Option<io::Error>,
}

impl<W: io::Write> io::Write for Keep<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.to.write(buf).map_err(|error| {
            let kind = error.kind();
            self.error.get_or_insert(error);
            io::Error::from(kind)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.to.flush()
    }
}

/// One page's body as the print page holds it: links to pages and files
/// made relative to the print page, and ids (with the links, labels and
/// references that name them) prefixed so they stay unique among all the
/// pages. Each is made when the template writes it, so the bodies of all
/// pages are never held twice.
#[derive(Debug)]
struct PrintBody {
    html: Arc<str>,
    marks: Arc<[Mark]>,
    /// The print page's way back to the site root.
    root: Arc<str>,
    prefix: String,
    /// Once set, the bodies left are skipped: the page will not be kept.
    cancel: Option<Arc<AtomicBool>>,
}

impl minijinja::value::Object for PrintBody {
    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Acquire))
        {
            return Ok(());
        }
        marks::write_placed(f, &self.html, &self.marks, &self.root, &self.prefix)
    }
}

/// The files of the whole site: robots.txt and sitemap.xml.
pub fn write_site(site: &Site, dir: &Path, batch: &Batch) -> Result<(), OutputError> {
    batch.write(&dir.join("robots.txt"), robots(site).as_bytes())?;
    if let Some(base) = &site.book.config.book.base_url {
        batch.write(&dir.join("sitemap.xml"), sitemap(site, base).as_bytes())?;
    }
    Ok(())
}

fn robots(site: &Site) -> String {
    let mut out = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = &site.book.config.book.base_url {
        let _ = writeln!(out, "Sitemap: {}", join_url(base, "sitemap.xml"));
    }
    out
}

fn sitemap(site: &Site, base: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in site.pages() {
        let _ = writeln!(
            out,
            "  <url><loc>{}</loc></url>",
            escape(&join_url(base, &page.output))
        );
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::BuildOptions;

    /// A cancelled print page stops at its first page and leaves the last
    /// one in place: its file is replaced only once it is whole.
    #[test]
    fn a_cancelled_print_page_leaves_the_last_one() {
        let project = tempfile::tempdir().unwrap();
        std::fs::write(project.path().join("book.yaml"), "title: T\n").unwrap();
        std::fs::create_dir(project.path().join("content")).unwrap();
        for i in 0..3 {
            std::fs::write(
                project.path().join(format!("content/p{i}.md")),
                format!("# Page {i}\n"),
            )
            .unwrap();
        }
        let options = BuildOptions::default();
        let site = Site::load(project.path(), &options).unwrap();
        let bundle = site.bundle();
        let shared = Shared::new(&site, &bundle, &options);
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("print.html"), "the last print page").unwrap();

        let cancel = Arc::new(AtomicBool::new(true));
        let batch = Batch::new();
        let written = write_language(&site, &shared, out.path(), &batch, "en", Some(&cancel));
        assert!(
            matches!(written, Err(OutputError::Cancelled)),
            "{written:?}"
        );
        drop(batch);
        let print = std::fs::read_to_string(out.path().join("print.html")).unwrap();
        assert_eq!(print, "the last print page");
        let leftovers = std::fs::read_dir(out.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".playbook-"))
            .count();
        assert_eq!(leftovers, 0, "no temporary file is left");

        cancel.store(false, Ordering::Release);
        let batch = Batch::new();
        write_language(&site, &shared, out.path(), &batch, "en", Some(&cancel)).unwrap();
        batch.commit().unwrap();
        let print = std::fs::read_to_string(out.path().join("print.html")).unwrap();
        assert!(print.contains("Page 2"), "{print}");
    }
}
