//! The content tree: every page and asset under `content/`, read once.
//!
//! [`load`] turns the folder into [`Loaded`]: the pages with parsed front
//! matter, their languages and output paths, in reading order; and the
//! [`Book`] around them: settings, languages, navigation and the assets to
//! copy. It reports every problem it finds rather than the first. It does
//! not render markdown.
//!
//! Pages are indexed by [`PageId`], languages by [`LangId`], assets by
//! [`AssetId`]. The site takes the pages over: each becomes one record
//! there (`site::Entry`), its source together with what rendering made of
//! it.

pub mod ids;
pub mod nav;
pub mod page;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{Config, Language};
use crate::diagnostics::{Diagnostic, SourceFile, display_path};
pub use ids::{AssetId, IdVec, LangId, PageId};
pub use nav::{NavNode, NavTree, Visit};
pub use page::{FrontMatter, Kind, Page};

pub const CONTENT_DIR: &str = "content";

/// A file under `content/` that is copied as it is.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// The content-relative path, which is also its site-relative path.
    pub path: String,
}

/// What a project is around its pages: its settings, languages, reading
/// order and assets.
#[derive(Debug, Clone)]
pub struct Book {
    pub root: PathBuf,
    pub config: Config,
    /// The default language first.
    pub languages: IdVec<LangId, Language>,
    pub assets: IdVec<AssetId, Asset>,
    /// One navigation tree per language.
    pub nav: IdVec<LangId, NavTree>,
}

/// Everything the build reads from a project.
#[derive(Debug)]
pub struct Loaded {
    pub book: Book,
    /// Pages in reading order, the default language first.
    pub pages: IdVec<PageId, Page>,
    /// Problems found while loading; errors among them left out pages.
    pub problems: Vec<Diagnostic>,
}

/// What loading may include.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub drafts: bool,
}

/// Reads the project at `root`: `book.yaml` and `content/`.
///
/// A broken `book.yaml` stops here. Problems with single pages do not: the
/// book comes back without those pages, together with the problems, so one
/// run can report every bad page.
pub fn load(root: &Path, options: LoadOptions) -> Result<Loaded, Vec<Diagnostic>> {
    let config = Config::load(root)?;
    Ok(load_with(root, config, options))
}

fn load_with(root: &Path, config: Config, options: LoadOptions) -> Loaded {
    let languages = config.languages();
    let content_dir = root.join(CONTENT_DIR);
    let (files, mut problems) = walk(root, &content_dir);

    let lang_codes: Vec<&str> = languages.iter().map(|l| l.code.as_str()).collect();
    let default_lang = languages[0].code.as_str();
    let results: Vec<Result<Option<Page>, Diagnostic>> = files
        .pages
        .par_iter()
        .map(|(path, rel)| read_page(root, path, rel, &lang_codes, default_lang, options))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(Some(page)) => pages.push(page),
            Ok(None) => {}
            Err(d) => problems.push(d),
        }
    }
    problems.extend(duplicate_outputs(&pages, &files.assets));

    let (nav, order, nav_problems) = nav::build(&config, &languages, &pages);
    problems.extend(nav_problems);
    let mut slots: Vec<Option<Page>> = pages.into_iter().map(Some).collect();
    let pages: Vec<Page> = order
        .iter()
        .filter_map(|&i| slots[i.index()].take())
        .collect();
    let nav = nav::renumber(nav, &order);
    let book = Book {
        root: root.to_path_buf(),
        config,
        languages: languages.into(),
        assets: files.assets.into(),
        nav: nav.into(),
    };
    Loaded {
        book,
        pages: pages.into(),
        problems,
    }
}

impl Book {
    pub fn language(&self, code: &str) -> &Language {
        self.lang(self.lang_id(code))
    }

    /// The language `code`, or the default for a code the book lacks.
    pub fn lang_id(&self, code: &str) -> LangId {
        LangId::new(
            self.languages
                .iter()
                .position(|l| l.code == code)
                .unwrap_or(0),
        )
    }

    pub fn lang(&self, id: LangId) -> &Language {
        &self.languages[id]
    }

    /// Every language, the default first.
    pub fn lang_ids(&self) -> impl DoubleEndedIterator<Item = LangId> + ExactSizeIterator {
        self.languages.ids()
    }

    /// The tree and index of a language.
    pub fn nav_for(&self, code: &str) -> &NavTree {
        self.nav_of(self.lang_id(code))
    }

    pub fn nav_of(&self, id: LangId) -> &NavTree {
        &self.nav[id]
    }

    /// The asset at content-relative path `path`.
    pub fn asset_at(&self, path: &str) -> Option<AssetId> {
        self.assets
            .iter_ids()
            .find(|(_, a)| a.path == path)
            .map(|(id, _)| id)
    }
}

struct Files {
    /// (absolute path, content-relative path)
    pages: Vec<(PathBuf, String)>,
    assets: Vec<Asset>,
}

/// Lists markdown pages and assets, skipping hidden and editor files and
/// links that lead out of the project.
fn walk(root: &Path, content_dir: &Path) -> (Files, Vec<Diagnostic>) {
    let mut files = Files {
        pages: Vec::new(),
        assets: Vec::new(),
    };
    let mut problems = Vec::new();
    if !content_dir.is_dir() {
        problems.push(
            Diagnostic::error(
                "content::missing",
                format!("there is no `{CONTENT_DIR}/` folder in {}", root.display()),
            )
            .with_help("put the playbook's markdown pages in `content/`, or run `playbook init`"),
        );
        return (files, problems);
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || e.path()
                    .strip_prefix(root)
                    .is_ok_and(|rel| classify(rel) != Source::Ignored)
        });
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| display_path(root, p))
                    .unwrap_or_default();
                problems.push(
                    Diagnostic::error(
                        "content::unreadable",
                        format!("cannot read `{path}`: {err}"),
                    )
                    .with_help("check that the file exists and is readable"),
                );
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().is_dir();
        let what = if is_dir { "folder" } else { "file" };
        // A name that is not UTF-8 has no faithful URL or title: it would
        // be published under a mangled name.
        let left_out = if entry.file_name().to_str().is_none() {
            Some(
                Diagnostic::warning(
                    "content::name-not-utf8",
                    format!(
                        "the {what} `{}` has a name that is not UTF-8; it is left out",
                        display_path(root, path)
                    ),
                )
                .with_help("rename it using UTF-8 (the name above shows the bad bytes as �)"),
            )
        } else if links_outside(&entry, &canonical_root) {
            Some(Diagnostic::warning(
                "content::outside-link",
                format!(
                    "`{}` is a link to a {what} outside the project; it is left out",
                    display_path(root, path)
                ),
            ))
        } else {
            None
        };
        if let Some(warning) = left_out {
            problems.push(warning);
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if is_dir || !entry.file_type().is_file() {
            continue;
        }
        let rel = display_path(content_dir, path);
        match path.strip_prefix(root).map(classify) {
            Ok(Source::Page) => files.pages.push((path.to_path_buf(), rel)),
            Ok(Source::Asset) => files.assets.push(Asset {
                source: path.to_path_buf(),
                path: rel,
            }),
            _ => {}
        }
    }
    (files, problems)
}

/// Whether a walked entry is a link (to a file or a folder) whose target
/// is not inside `canonical_root`, the project's symlink-resolved folder.
/// Links are followed only while they stay in the project.
pub fn links_outside(entry: &walkdir::DirEntry, canonical_root: &Path) -> bool {
    entry.path_is_symlink()
        && !entry
            .path()
            .canonicalize()
            .is_ok_and(|target| target.starts_with(canonical_root))
}

/// What a path of the project is to the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// `book.yaml`.
    Config,
    /// A stylesheet of a theme (outside its `static/` folder).
    Stylesheet,
    /// Any other path of a theme: templates, scripts, strings, static
    /// files, folders, and `themes/` itself.
    Theme,
    /// A markdown page under `content/`.
    Page,
    /// Any other file under `content/`, copied as it is; for the watcher,
    /// also a folder there, or `content/` itself (added, removed, renamed).
    Asset,
    /// Not part of the build: hidden and editor files, or anything in a
    /// hidden or ignored folder, or outside `content/` and `themes/`.
    Ignored,
}

/// Classifies `rel`, a path relative to the project's folder. The content
/// walk and the watcher both ask this, so they agree on every path.
pub fn classify(rel: &Path) -> Source {
    use std::path::Component;
    let mut names = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => names.push(name.to_string_lossy()),
            Component::CurDir => {}
            // Absolute or climbing paths are not inside the project.
            _ => return Source::Ignored,
        }
    }
    if names.iter().any(|name| is_ignored(name)) {
        return Source::Ignored;
    }
    match names.as_slice() {
        [name] if name == crate::config::FILE_NAME => Source::Config,
        [first, ..] if first == crate::theme::THEMES_DIR => {
            let stylesheet = names.last().is_some_and(|n| n.ends_with(".css"))
                && names.get(2).is_some_and(|n| n != "static");
            if stylesheet {
                Source::Stylesheet
            } else {
                Source::Theme
            }
        }
        [first, ..] if first == CONTENT_DIR => {
            if names.last().is_some_and(|n| n.ends_with(".md")) {
                Source::Page
            } else {
                Source::Asset
            }
        }
        _ => Source::Ignored,
    }
}

/// Hidden files, and the temporary and backup files editors leave behind.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.contains("___jb_")
        || name == "4913"
}

pub fn read_page(
    root: &Path,
    path: &Path,
    rel: &str,
    languages: &[&str],
    default_lang: &str,
    options: LoadOptions,
) -> Result<Option<Page>, Diagnostic> {
    let name = display_path(root, path);
    let bytes = std::fs::read(path).map_err(|err| {
        Diagnostic::error(
            "content::unreadable",
            format!("cannot read `{name}`: {err}"),
        )
        .with_help("check that the file exists and is readable")
    })?;
    let text = match crate::diagnostics::decode(&bytes) {
        Ok(text) => crate::markdown::replace_nul(text).into_owned(),
        Err(err) => {
            let valid = err.valid_up_to();
            let bad_len = err.error_len().unwrap_or(1);
            let lossy = crate::diagnostics::decode_lossy(&bytes).into_owned();
            let source = SourceFile::new(name.clone(), lossy);
            // In the lossy text the bad bytes became one replacement character.
            return Err(Diagnostic::error(
                "content::not-utf8",
                format!("`{name}` is not valid UTF-8"),
            )
            .at(&source, valid..valid + '\u{fffd}'.len_utf8())
            .with_label(format!("{bad_len} invalid byte(s) here"))
            .with_help(
                "save the file as UTF-8 (in most editors: File › Save with encoding › UTF-8)",
            ));
        }
    };
    let source = SourceFile::new(name, text);
    let (front, body) = page::parse_front_matter(&source)?;
    if front.draft && !options.drafts {
        return Ok(None);
    }
    let (key, lang) = split_language(rel, languages, default_lang);
    let section = match key.rfind('/') {
        Some(i) => key[..i].to_string(),
        None => String::new(),
    };
    let is_index = key == "index.md" || key.ends_with("/index.md");
    let mut output = format!("{}.html", key.trim_end_matches(".md"));
    if lang != default_lang {
        output = format!("{lang}/{output}");
    }
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    Ok(Some(Page {
        source,
        path: rel.to_string(),
        key,
        lang,
        output,
        front,
        body,
        section,
        is_index,
        modified,
    }))
}

/// `a/b.fi.md` is the Finnish translation of `a/b.md` when `fi` is a
/// language of the book.
fn split_language(rel: &str, languages: &[&str], default_lang: &str) -> (String, String) {
    let stem = rel.trim_end_matches(".md");
    if let Some((base, lang)) = stem.rsplit_once('.') {
        if languages.contains(&lang) && lang != default_lang && !base.ends_with('/') {
            return (format!("{base}.md"), lang.to_string());
        }
    }
    (rel.to_string(), default_lang.to_string())
}

fn duplicate_outputs(pages: &[Page], assets: &[Asset]) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut problems = Vec::new();
    let outputs = pages
        .iter()
        .map(|p| (p.output.as_str(), p.source.name.as_str()))
        .chain(assets.iter().map(|a| (a.path.as_str(), a.path.as_str())));
    for (output, source) in outputs {
        if let Some(first) = seen.insert(output, source) {
            problems.push(
                Diagnostic::error(
                    "content::duplicate-output",
                    format!("`{source}` and `{first}` would both be written to `{output}`"),
                )
                .with_help("rename or move one of them"),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_suffixes_mark_translations() {
        let langs = ["en", "fi"];
        assert_eq!(
            split_language("a/b.fi.md", &langs, "en"),
            ("a/b.md".to_string(), "fi".to_string())
        );
        assert_eq!(
            split_language("a/b.de.md", &langs, "en"),
            ("a/b.de.md".to_string(), "en".to_string())
        );
        assert_eq!(
            split_language("index.md", &langs, "en"),
            ("index.md".to_string(), "en".to_string())
        );
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [".b.md.swp", "b.md~", "#b.md#", "b.md___jb_tmp___", "4913"] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("b.md"));
    }

    #[test]
    fn paths_are_classified_once_for_walk_and_watcher() {
        let cases = [
            ("book.yaml", Source::Config),
            ("content/a.md", Source::Page),
            ("content/img/logo.png", Source::Asset),
            ("content/notes~/x.md", Source::Ignored),
            ("content/.drafts/x.md", Source::Ignored),
            ("content/#old#/x.md", Source::Ignored),
            ("content/a.md.swp", Source::Ignored),
            ("themes/default/css/extra.css", Source::Stylesheet),
            ("themes/default/static/x.css", Source::Theme),
            ("themes/default/templates/page.html", Source::Theme),
            ("themes/.git/x.css", Source::Ignored),
            ("README.md", Source::Ignored),
            ("content", Source::Asset),
            ("themes", Source::Theme),
        ];
        for (path, source) in cases {
            assert_eq!(classify(Path::new(path)), source, "{path}");
        }
    }
}
