//! The full-text search index, built at build time with Pagefind.
//!
//! Each page is indexed from a small document holding its title and
//! rendered body: the text of pages, decision trees (questions, outcomes,
//! checklists) and clauses. Pagefind splits the index per language (with
//! stemming, Finnish included) and into chunks the browser loads only when
//! a search needs them, so a large site never makes a reader download
//! everything. Its browser code comes with the index, under `pagefind/`.

use std::path::Path;

use crate::html::escape;
use crate::site::{OutputError, ROOT_MARKER, Site, output};

/// The folder the index and Pagefind's browser code are written to.
pub const DIR: &str = "pagefind";

/// Builds the index for every page of `site` and writes it into `dir`.
/// Returns the number of files written.
pub fn write_index(site: &Site, dir: &Path) -> Result<usize, OutputError> {
    let failed = |what: String| OutputError::Search(what);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let files = runtime.block_on(async {
        let options = pagefind::options::PagefindServiceConfig::builder()
            .keep_index_url(true)
            .build();
        let mut index =
            pagefind::api::PagefindIndex::new(Some(options)).map_err(|e| failed(e.to_string()))?;
        for (i, page) in site.book.pages.iter().enumerate() {
            index
                .add_html_file(None, Some(page.output.clone()), document(site, i))
                .await
                .map_err(|e| failed(format!("{}: {e}", page.source.name)))?;
        }
        index.get_files().await.map_err(|e| failed(e.to_string()))
    })?;
    // Index files are named by content hash: write a fresh folder and swap
    // it in, so no stale chunk outlives a re-index.
    let fresh = dir.join(format!(".{DIR}-new"));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, source }
    };
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).map_err(io(&fresh))?;
    }
    let mut count = 0;
    for file in files {
        let rel = file.filename.strip_prefix(DIR).unwrap_or(&file.filename);
        let name = rel.to_string_lossy();
        // The theme has its own search box; Pagefind's ready-made UIs and
        // highlighter are not needed.
        if name.contains("-ui.") || name.starts_with("pagefind-highlight") {
            continue;
        }
        output::write(&fresh.join(rel), &file.contents)?;
        count += 1;
    }
    let target = dir.join(DIR);
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(io(&target))?;
    }
    std::fs::rename(&fresh, &target).map_err(io(&target))?;
    Ok(count)
}

/// The document Pagefind reads for page `i`: only what a reader searches.
fn document(site: &Site, i: usize) -> String {
    let page = &site.book.pages[i];
    let title = escape(&site.titles[i]);
    let body = searchable(&site.rendered[i].html);
    format!(
        "<html lang=\"{lang}\"><head><title>{title}</title></head><body><main data-pagefind-body>\
<h1 data-pagefind-meta=\"title\">{title}</h1>{body}</main></body></html>",
        lang = escape(&page.lang),
    )
}

/// The text of a rendered page as Pagefind needs it: headings with their
/// ids (so results can link to a section) and everything else as plain
/// text. Diagrams, form fields and heading anchors are left out. Handing
/// Pagefind this instead of the page's full markup makes indexing several
/// times faster.
fn searchable(html: &str) -> String {
    const SKIP: [(&str, &str); 4] = [
        ("<svg", "</svg>"),
        ("<details class=\"pb-tree__diagram\"", "</details>"),
        ("<fieldset", "</fieldset>"),
        ("<a class=\"pb-anchor\"", "</a>"),
    ];
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    'scan: while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        for (start, end) in SKIP {
            if rest.starts_with(start) {
                rest = rest.find(end).map_or("", |i| &rest[i + end.len()..]);
                continue 'scan;
            }
        }
        let close = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..close];
        let is_heading = |t: &str| {
            let b = t.as_bytes();
            b.len() > 2
                && (b[1] == b'h' || (b[1] == b'/' && b.get(2) == Some(&b'h')))
                && b.iter()
                    .skip(1)
                    .find(|c| c.is_ascii_digit())
                    .is_some_and(|d| (b'1'..=b'6').contains(d))
                && t.split([' ', '>'])
                    .next()
                    .is_some_and(|n| n.trim_start_matches("</").trim_start_matches('<').len() == 2)
        };
        if is_heading(tag) {
            out.push_str(tag);
        } else {
            out.push(' ');
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out.replace(ROOT_MARKER, "")
}

#[cfg(test)]
mod tests {
    #[test]
    fn searchable_text_keeps_headings_and_drops_markup() {
        let html = r##"<h2 id="what-to-say">What to say <a class="pb-anchor" href="#what-to-say">#</a></h2>
<p>Call <em>them</em>.</p><svg><text>Diagram</text></svg><fieldset><label>Provider</label></fieldset><pre><span class="hl-x">fn</span></pre>"##;
        let text = super::searchable(html);
        assert!(
            text.contains(r#"<h2 id="what-to-say">What to say </h2>"#),
            "{text}"
        );
        assert!(text.contains("Call  them"), "{text}");
        assert!(text.contains("fn"));
        assert!(
            !text.contains("Diagram") && !text.contains("Provider") && !text.contains('#'),
            "{text}"
        );
    }

    #[test]
    fn the_indexed_document_holds_trees_and_clauses() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let options = crate::site::BuildOptions::default();
        let site =
            crate::site::Site::load(&root, &options).unwrap_or_else(|_| panic!("fixture loads"));
        let find = |path: &str| site.book.pages.iter().position(|p| p.path == path).unwrap();
        let tree = super::document(&site, find("guides/tree.md"));
        assert!(tree.contains("Is the client profitable?"));
        assert!(tree.contains("Call them"), "outcome checklists are indexed");
        assert!(tree.contains("data-pagefind-body"));
        let clause = super::document(&site, find("guides/clause.md"));
        assert!(clause.contains("refunds"));
        assert!(clause.contains(r#"<html lang="en">"#));
        assert!(!clause.contains("~pb-root~"));
    }
}
