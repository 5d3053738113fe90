//! Links between pages: relative `.md` links become relative `.html` links,
//! and every internal link is recorded so the build can check it once all
//! pages have rendered.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::content::{Asset, AssetId, IdVec, Page, PageId};
use crate::diagnostics::Diagnostic;
use crate::html::percent_decode;
use crate::site::context::relative_href;

use super::Rendered;
use super::marks::Html;

/// What an internal link points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Another page of the book.
    Page(PageId),
    /// The linking page itself (`#anchor`).
    SamePage,
}

/// An internal link with a fragment, checked after rendering.
#[derive(Debug, Clone)]
pub struct PageLink {
    pub target: LinkTarget,
    pub anchor: String,
    pub span: Range<usize>,
}

/// A link's destination as the page writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Href {
    /// Written as the author wrote it: external, unusual or broken links.
    AsWritten(String),
    /// A site-relative URL, written after the way back to the site root.
    Rooted(String),
    /// `#` and an id on the same page.
    SamePage(String),
}

impl Href {
    /// Writes the destination as an `href` or `src` value, with the mark
    /// its kind needs.
    pub fn write(&self, out: &mut Html) {
        match self {
            Href::AsWritten(url) => out.url(url),
            Href::Rooted(url) => {
                out.root();
                out.url(url);
            }
            Href::SamePage(fragment) => {
                out.push_str("#");
                // The id is marked as written, escaped like the rest of
                // the URL.
                out.mark_id();
                out.url(fragment);
            }
        }
    }
}

/// Resolves links against the pages and assets of a book.
pub struct Linker<'a> {
    pages: HashMap<&'a str, PageId>,
    outputs: IdVec<PageId, &'a str>,
    paths: IdVec<PageId, &'a str>,
    assets: HashSet<&'a str>,
    folders: HashSet<String>,
}

impl<'a> Linker<'a> {
    /// `pages` are every page of the book, in id order.
    pub fn new(
        pages: impl IntoIterator<Item = &'a Page>,
        assets: &'a IdVec<AssetId, Asset>,
    ) -> Self {
        let pages: IdVec<PageId, &Page> = pages.into_iter().collect();
        let mut folders = HashSet::new();
        for page in &pages {
            let mut folder = page.section.as_str();
            // A folder already known has its parents known too.
            while !folders.contains(folder) {
                folders.insert(folder.to_string());
                match folder.rfind('/') {
                    Some(i) => folder = &folder[..i],
                    None if !folder.is_empty() => folder = "",
                    None => break,
                }
            }
        }
        Linker {
            pages: pages
                .iter_ids()
                .map(|(id, p)| (p.path.as_str(), id))
                .collect(),
            outputs: pages.iter().map(|p| p.output.as_str()).collect(),
            paths: pages.iter().map(|p| p.path.as_str()).collect(),
            assets: assets.iter().map(|a| a.path.as_str()).collect(),
            folders,
        }
    }

    /// The page a content-relative path names, if any.
    pub fn page(&self, path: &str) -> Option<PageId> {
        self.pages.get(path).copied()
    }

    /// Rewrites `dest` as written on `page`, recording problems and links to
    /// check in `out`. External and unusual links come back as written.
    pub fn rewrite(&self, page: &Page, dest: &str, span: Range<usize>, out: &mut Rendered) -> Href {
        let as_written = || Href::AsWritten(dest.to_string());
        if is_external(dest) {
            return as_written();
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let span = url_span(&page.source.text, span, dest);
        if path.is_empty() {
            if let Some(anchor) = fragment.filter(|f| !f.is_empty()) {
                out.links.push(PageLink {
                    target: LinkTarget::SamePage,
                    anchor: percent_decode(anchor),
                    span,
                });
                if query.is_none() {
                    return Href::SamePage(anchor.to_string());
                }
            }
            return as_written();
        }
        let decoded = percent_decode(path);
        let Some(resolved) = resolve(&page.path, &decoded) else {
            out.diagnostics.push(
                Diagnostic::error(
                    "link::outside",
                    format!("link `{dest}` leads outside content/"),
                )
                .at(&page.source, span)
                .with_help("link to pages and files inside the content folder"),
            );
            return as_written();
        };
        let suffix = |s: &str| {
            let mut s = s.to_string();
            if let Some(q) = query {
                s.push('?');
                s.push_str(q);
            }
            if let Some(f) = fragment {
                s.push('#');
                s.push_str(f);
            }
            s
        };
        let page_index = if resolved.ends_with(".md") {
            self.page(&resolved)
        } else if self.folders.contains(resolved.trim_end_matches('/')) || decoded.ends_with('/') {
            let folder = resolved.trim_end_matches('/');
            let index = if folder.is_empty() {
                "index.md".to_string()
            } else {
                format!("{folder}/index.md")
            };
            // A folder link opens its index page, also from disk.
            match self.page(&index) {
                Some(i) => Some(i),
                None if self.folders.contains(folder) => {
                    out.diagnostics.push(
                        Diagnostic::error(
                            "link::missing-page",
                            format!("link `{dest}` points at a folder with no index.md"),
                        )
                        .at(&page.source, span),
                    );
                    return as_written();
                }
                None => None,
            }
        } else if self.assets.contains(resolved.as_str()) {
            out.targets.push(resolved.clone());
            return Href::Rooted(suffix(&relative_href("", &resolved)));
        } else {
            let candidates = self.assets.iter().copied();
            out.diagnostics.push(
                Diagnostic::error(
                    "link::missing-file",
                    format!("link to a missing file `{dest}`"),
                )
                .at(&page.source, span)
                .with_label("no such file under content/")
                .suggest_within(&mut out.suggestions, &resolved, candidates),
            );
            return as_written();
        };
        let Some(index) = page_index else {
            let candidates = self.pages.keys().copied();
            let mut d = Diagnostic::error(
                "link::missing-page",
                format!("link to a missing page `{dest}`"),
            )
            .at(&page.source, span)
            .with_label("no such page under content/");
            d = match out.suggestions.closest(&resolved, candidates) {
                Some(close) => d.with_help(format!(
                    "did you mean `{}`?",
                    relative_to(&page.path, close)
                )),
                None => d.with_help("check the path, relative to this page's folder"),
            };
            out.diagnostics.push(d);
            return as_written();
        };
        out.targets.push(self.paths[index].to_string());
        if let Some(anchor) = fragment.filter(|f| !f.is_empty()) {
            out.links.push(PageLink {
                target: LinkTarget::Page(index),
                anchor: percent_decode(anchor),
                span,
            });
        }
        let mut href = relative_href("", self.outputs[index]);
        if let Some(f) = fragment {
            href.push('#');
            href.push_str(f);
        }
        Href::Rooted(href)
    }
}

fn is_external(dest: &str) -> bool {
    dest.starts_with("//")
        || dest.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
}

/// The span of `dest` inside a link's source, else the whole link.
fn url_span(text: &str, link: Range<usize>, dest: &str) -> Range<usize> {
    text.get(link.clone())
        .and_then(|s| s.rfind(dest))
        .map(|i| link.start + i..link.start + i + dest.len())
        .unwrap_or(link)
}

/// Joins a link to the folder of `from` (both content-relative) and folds
/// `.` and `..`. A leading `/` means the content root. None when the link
/// climbs above it.
pub fn resolve(from: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    if !link.starts_with('/') {
        parts.pop();
    }
    for segment in link.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The way to write a link to `to` from the page at `from`.
fn relative_to(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    let from_dir: Vec<&str> = from.split('/').take(depth).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dir.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_the_page_folder() {
        assert_eq!(resolve("how-to/a.md", "../b.md").as_deref(), Some("b.md"));
        assert_eq!(
            resolve("how-to/a.md", "c.md").as_deref(),
            Some("how-to/c.md")
        );
        assert_eq!(resolve("a.md", "/x/y.md").as_deref(), Some("x/y.md"));
        assert_eq!(resolve("a.md", "../../etc/passwd"), None);
    }

    #[test]
    fn suggestions_are_written_relative_to_the_page() {
        assert_eq!(
            relative_to("how-to/a.md", "how-not-to/b.md"),
            "../how-not-to/b.md"
        );
        assert_eq!(relative_to("how-to/a.md", "how-to/b.md"), "b.md");
        assert_eq!(relative_to("a.md", "how-to/b.md"), "how-to/b.md");
    }

    #[test]
    fn external_links_are_left_alone() {
        assert!(is_external("https://example.org"));
        assert!(is_external("mailto:a@b.c"));
        assert!(!is_external("a.md"));
        assert!(!is_external("../a.md#x:y"));
    }
}
