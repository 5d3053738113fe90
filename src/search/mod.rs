//! The full-text search index, built at build time and searched in the
//! browser with no server.
//!
//! Each language gets its own index under `search/<lang>/`, built from
//! every page's title and the text its body recorded as it rendered
//! ([`SearchText`]): the text of pages, decision trees (questions,
//! outcomes, checklists) and clauses. Words are stemmed with
//! Snowball (Finnish and English among others) and the index is cut into
//! chunks the browser loads only when a query needs them, so a large site
//! never makes a reader download everything. The theme's `search.js`
//! reads it; titles, sections and snippets come from the result pages
//! themselves.

mod index;
mod text;

pub use text::{Field, SearchText};

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::PageId;
use crate::site::context::relative_href;
use crate::site::{OutputError, Site, output};
use index::{Document, Index};

/// The folder the index is written to, one subfolder per language.
pub const DIR: &str = "search";

/// Builds the index for every page of `site` and writes it into `dir`.
/// Returns the number of files written.
pub fn write_index(site: &Site, dir: &Path) -> Result<usize, OutputError> {
    prepare(site, dir)?.commit()
}

/// Builds the index for every page of `site` into a fresh folder in `dir`,
/// which [`Prepared::commit`] puts in place of the last index.
pub fn prepare(site: &Site, dir: &Path) -> Result<Prepared, OutputError> {
    let mut files = Vec::new();
    for language in &site.book.languages {
        // Page URLs are read by search.js after the page's way to the
        // root, like every other relative link.
        let pages: Vec<(PageId, String)> = site
            .pages_in(&language.code)
            .map(|(id, page)| (id, relative_href("", &page.output)))
            .collect();
        let documents: Vec<Document> = pages
            .iter()
            .map(|(id, url)| {
                let entry = site.entry(*id);
                Document {
                    url,
                    title: &entry.title,
                    text: &entry.rendered.search,
                }
            })
            .collect();
        let index = Index::build(&documents, &text::Stemmer::for_language(&language.code));
        files.extend(
            index
                .files()
                .into_iter()
                .map(|(name, body)| (format!("{}/{name}", language.code), body)),
        );
    }
    // A re-index (in `serve`) may have fewer chunks than the last one:
    // write a fresh folder, to swap in whole, so no stale chunk is left.
    let fresh = dir.join(format!(".{DIR}-new"));
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).map_err(io(&fresh))?;
    }
    let prepared = Prepared {
        dir: dir.to_path_buf(),
        fresh,
        files: files.len(),
        committed: false,
    };
    files
        .par_iter()
        .map(|(name, body)| output::write(&prepared.fresh.join(name), body.as_bytes()))
        .collect::<Result<(), OutputError>>()?;
    Ok(prepared)
}

/// A search index written and not yet in place; removed if dropped.
#[derive(Debug)]
pub struct Prepared {
    /// The site's folder.
    dir: PathBuf,
    fresh: PathBuf,
    files: usize,
    committed: bool,
}

impl Prepared {
    /// Puts the index in place of the last one. Returns the number of
    /// files it has.
    pub fn commit(mut self) -> Result<usize, OutputError> {
        // The same exchange as a whole site's, so a search while serve
        // re-indexes never finds the folder missing.
        let target = self.dir.join(DIR);
        if target.exists() {
            let aside = self.dir.join(format!(".{DIR}-old"));
            if aside.exists() {
                std::fs::remove_dir_all(&aside).map_err(io(&aside))?;
            }
            let (old, _) = output::swap(&self.fresh, &target, &aside)?;
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            std::fs::rename(&self.fresh, &target).map_err(io(&target))?;
        }
        self.committed = true;
        Ok(self.files)
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.fresh);
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + use<> {
    let path = path.to_path_buf();
    move |source| OutputError::Write { path, source }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trees_and_clauses_are_indexed_per_language() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let options = crate::site::BuildOptions::default();
        let site =
            crate::site::Site::load(&root, &options).unwrap_or_else(|_| panic!("fixture loads"));
        let out = tempfile::tempdir().expect("a temporary folder");
        let written = super::write_index(&site, out.path()).expect("the index is written");
        let read = |name: &str| {
            std::fs::read_to_string(out.path().join("search").join(name)).expect("index file")
        };
        let en_words = read("en/w0.json");
        assert!(
            en_words.contains("\"profitable\""),
            "tree questions are indexed"
        );
        assert!(en_words.contains("\"refunds\""), "clauses are indexed");
        let fi_meta = read("fi/meta.json");
        assert!(fi_meta.contains("\"fi/guides/steps.html\""), "{fi_meta}");
        assert!(
            !read("en/meta.json").contains("\"fi/"),
            "one index per language"
        );
        let files_in = |lang: &str| {
            std::fs::read_dir(out.path().join("search").join(lang)).map_or(0, Iterator::count)
        };
        assert_eq!(
            written,
            files_in("en") + files_in("fi"),
            "the count is of files written"
        );
    }
}
