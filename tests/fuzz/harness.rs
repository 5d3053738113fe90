//! What each fuzz target does with one input.
//!
//! The fuzz targets under `fuzz_targets/` call these, and so does the
//! regression test in `tests/playbook/fuzz_regressions.rs`, which replays
//! every input stored under `regressions/<target>/`. Every function takes
//! raw bytes, reads them the way the build reads a file (invalid UTF-8
//! becomes U+FFFD), runs the same code the build runs and renders every
//! diagnostic, so slow error reporting shows up as well as panics.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use playbook::blocks::{self, BlockContext, Fence};
use playbook::config::Config;
use playbook::content::page::parse_front_matter;
use playbook::content::{Asset, AssetId, FrontMatter, IdVec, Page, PageId};
use playbook::diagnostics::{Diagnostic, SourceFile};
use playbook::markdown::slug::IdSet;
use playbook::markdown::{self, Linker, Rendered};
use playbook::theme::{Strings, Theme};

/// The fuzz targets, by the name of their folder of stored inputs.
pub const TARGETS: &[&str] = &["page", "front_matter", "tree", "config"];

/// Runs the target called `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "page" => page(data),
        "front_matter" => front_matter(data),
        "tree" => tree(data),
        "config" => config(data),
        other => panic!("no fuzz target called {other}"),
    }
}

/// A whole page file: front matter, then markdown with clauses and trees,
/// rendered as a page of a small book with pages, folders and an asset to
/// link to.
pub fn page(data: &[u8]) {
    match render_page(&text(data)) {
        Ok(rendered) => report(&rendered.diagnostics),
        Err(d) => report(&[d]),
    }
}

/// Renders a page file as `content/how-to/fuzz.md` of the fixture book.
pub fn render_page(text: &str) -> Result<Rendered, Diagnostic> {
    let fixture = fixture();
    let source = SourceFile::new(PAGE_PATH, text.to_string());
    let (front, body) = parse_front_matter(&source)?;
    let page = make_page(source, front, body);
    let rendered = markdown::render(&page, &fixture.linker, &fixture.theme, &fixture.strings);
    let _ = playbook::site::title_of(&page, &rendered);
    Ok(rendered)
}

/// The front matter of a page file.
pub fn front_matter(data: &[u8]) {
    let source = SourceFile::new(PAGE_PATH, text(data));
    if let Err(d) = parse_front_matter(&source) {
        report(&[d]);
    }
}

/// The body of a `decision-tree` fence, parsed, checked and rendered.
pub fn tree(data: &[u8]) {
    let fixture = fixture();
    let body = text(data);
    let open = "```decision-tree\n";
    let file = format!("{open}{body}```\n");
    let len = file.len();
    let source = SourceFile::new(PAGE_PATH, file);
    let page = make_page(source, FrontMatter::default(), 0..len);
    let pieces = [(0, open.len())];
    let fence = Fence {
        info: blocks::tree::FENCE,
        body: &page.source.text[open.len()..open.len() + body.len()],
        pieces: &pieces,
        span: 0..len,
    };
    let ctx = BlockContext::new(&page, &fixture.theme, &fixture.strings, &fixture.linker);
    let mut out = Rendered::default();
    let _ = blocks::tree::render(&fence, &ctx, &mut IdSet::default(), &mut out);
    report(&out.diagnostics);
}

/// A `book.yaml`.
pub fn config(data: &[u8]) {
    match Config::parse(SourceFile::new("book.yaml", text(data))) {
        Ok(config) => {
            let _ = config.languages();
        }
        Err(diagnostics) => report(&diagnostics),
    }
}

const PAGE_PATH: &str = "how-to/fuzz.md";

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let _ = d.render(false);
    }
}

fn make_page(source: Arc<SourceFile>, front: FrontMatter, body: std::ops::Range<usize>) -> Page {
    let path = source.name.clone();
    Page {
        source,
        key: path.clone(),
        output: path.replace(".md", ".html"),
        lang: "en".to_string(),
        section: path.rsplit_once('/').map_or("", |(s, _)| s).to_string(),
        is_index: path.ends_with("index.md"),
        path,
        front,
        body,
        modified: None,
    }
}

/// The pages and assets every input is linked against, and the theme it
/// is rendered with, made once.
struct Fixture {
    linker: Linker<'static>,
    theme: Theme,
    strings: Strings,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let pages = [
            ("index.md", "# Home\n\n## Start here\n"),
            ("how-to/index.md", "# How to\n"),
            ("how-to/call.md", "# Call\n\n## Before the call {#before}\n"),
            (PAGE_PATH, "# Fuzz\n"),
            ("clauses/index.md", "# Clauses\n"),
        ]
        .into_iter()
        .map(|(path, body)| {
            let source = SourceFile::new(path, body.to_string());
            let len = body.len();
            make_page(source, FrontMatter::default(), 0..len)
        })
        .collect();
        let pages: &'static IdVec<PageId, Page> = Box::leak(Box::new(pages));
        let assets: &'static IdVec<AssetId, Asset> = Box::leak(Box::new(
            vec![Asset {
                source: std::path::PathBuf::from("/nonexistent-fuzz-root/content/how-to/form.pdf"),
                path: "how-to/form.pdf".to_string(),
            }]
            .into(),
        ));
        let theme = Theme::load(Path::new("/nonexistent-fuzz-root"), "default")
            .expect("the built-in theme loads");
        Fixture {
            linker: Linker::new(pages, assets),
            strings: theme.strings("en"),
            theme,
        }
    })
}
