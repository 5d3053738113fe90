//! The site's files beyond its pages: the sidebar script and its no-script
//! page, the print page, 404.html, sitemap.xml and robots.txt.

use std::fmt::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Visit;
use crate::html::escape;

use super::context::{Shared, join_url, relative_href};
use super::output::{self, OutputError};
use super::{ROOT_MARKER, Site};

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
                            escape(&relative_href(root, &site.book.pages[p].output)),
                            escape(&site.titles[p])
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
    content: String,
    /// The language's `clause_notice`, for a page with clauses.
    clause_notice: Option<String>,
}

/// The files of one language beyond its pages: sidebar, print page,
/// search page, 404.
pub fn write_language(
    site: &Site,
    shared: &Shared<'_>,
    dir: &Path,
    lang: &str,
) -> Result<(), OutputError> {
    let lang_dir = shared.lang_dir(lang);
    let root = "../".repeat(lang_dir.matches('/').count());
    let here = Here {
        site,
        shared,
        dir,
        lang,
        lang_dir: &lang_dir,
        root: &root,
    };
    output::write(
        &dir.join(&lang_dir).join("toc.js"),
        toc_script(site, lang).as_bytes(),
    )?;

    let toc = toc_list(site, lang, &root);
    here.page("toc.html", None, TocOwn { toc })?;

    let pages: Vec<_> = site.book.pages_in(lang).collect();
    let articles = pages
        .into_par_iter()
        .map(|(i, page)| {
            let prefix = format!("p{i}-");
            Article {
                id: format!("p{i}"),
                kind: page.front.kind.as_str(),
                title: site.titles[i].clone(),
                content: print_html(&site.rendered[i].html, &root, &prefix),
                clause_notice: site.rendered[i]
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
    lang: &'a str,
    lang_dir: &'a str,
    root: &'a str,
}

impl Here<'_> {
    /// Renders the template named `file` and writes the result as `file`
    /// in the language's folder. Every language has each of these files,
    /// so the language switcher links to the same file in the others.
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
        let html = self
            .site
            .theme
            .render(file, view)
            .map_err(OutputError::Template)?;
        output::write(&self.dir.join(self.lang_dir).join(file), html.as_bytes())
    }
}

/// The files of the whole site: robots.txt and sitemap.xml.
pub fn write_site(site: &Site, dir: &Path) -> Result<(), OutputError> {
    output::write(&dir.join("robots.txt"), robots(site).as_bytes())?;
    if let Some(base) = &site.book.config.book.base_url {
        output::write(&dir.join("sitemap.xml"), sitemap(site, base).as_bytes())?;
    }
    Ok(())
}

/// One page's HTML as the print page holds it, in one pass: links to the
/// site root made relative to the print page, and ids (with the links and
/// labels that point at them) prefixed so they stay unique among all the
/// pages. Rendered HTML escapes `"` in text, so `="` only ever opens an
/// attribute value.
fn print_html(html: &str, root: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(at) = rest.find("=\"") {
        let (head, tail) = rest.split_at(at + 2);
        out.push_str(head);
        rest = tail;
        let name = head[..at]
            .rsplit(|c: char| c.is_ascii_whitespace())
            .next()
            .unwrap_or("");
        match name {
            "id" | "for" => out.push_str(prefix),
            "href" | "xlink:href" if rest.starts_with('#') => {
                out.push('#');
                out.push_str(prefix);
                rest = &rest[1..];
            }
            "aria-labelledby" | "aria-describedby" | "aria-controls" => {
                let end = rest.find('"').unwrap_or(rest.len());
                for (i, id) in rest[..end].split_whitespace().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(prefix);
                    out.push_str(id);
                }
                rest = &rest[end..];
            }
            _ => {}
        }
        if let Some(after) = rest.strip_prefix(ROOT_MARKER) {
            out.push_str(root);
            rest = after;
        }
    }
    out.push_str(rest);
    out
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
    for page in &site.book.pages {
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
    use super::print_html;

    #[test]
    fn print_ids_are_prefixed_consistently() {
        let html = r##"<h2 id="a">A</h2><a href="#a">x</a><section aria-labelledby="t-title b"><label for="f">F</label><input id="f" data-id="keep"><a href="~pb-root~/x.html">y</a><img src="~pb-root~/i.png" alt="a=&quot;b&quot;"><p>id="not-an-attribute"</p>"##;
        let out = print_html(html, "../", "p1-");
        assert_eq!(
            out,
            r##"<h2 id="p1-a">A</h2><a href="#p1-a">x</a><section aria-labelledby="p1-t-title p1-b"><label for="p1-f">F</label><input id="p1-f" data-id="keep"><a href="../x.html">y</a><img src="../i.png" alt="a=&quot;b&quot;"><p>id="not-an-attribute"</p>"##
        );
    }
}
