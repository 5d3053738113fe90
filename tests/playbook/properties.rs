//! Property tests: random edit sequences, links and headings, checked
//! against what the code promises rather than against fixed examples.
//! Case counts are small so the suite stays fast; a failure prints the
//! smallest case proptest could shrink it to.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use playbook::html::percent_decode;
use playbook::markdown::links::resolve;
use playbook::serve::session::{Failure, Session};
use playbook::site::{self, BuildOptions};
use proptest::prelude::*;
use proptest::sample::select;

use crate::fuzz_harness::render_page;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------
// Incremental rebuilds equal a full build.

/// Pages that may come and go; `index.md` and `tree.md` are always there.
/// `.fi.md` pages are translations (book.yaml has a `fi` language).
const OPTIONAL: &[&str] = &[
    "a.md",
    "sub/index.md",
    "sub/c.md",
    "index.fi.md",
    "a.fi.md",
    "sub/c.fi.md",
];
const TITLES: &[Option<&str>] = &[None, Some("First"), Some("Second title"), Some("Ärsyttävä")];
/// Front matter other pages show (descriptions, kinds) or that reorders
/// (weights).
const METAS: &[&str] = &[
    "",
    "description: Short\n",
    "kind: how-to\n",
    "weight: 3\n",
    "kind: clause\ndescription: Other\n",
];
/// One body shows the asset, another links to a heading of `a.md`'s
/// second body: each builds only while what it points at is there.
const BODIES: &[&str] = &[
    "# Heading\n\nText one.\n",
    "Some *text* with a [link](/index.md) and [the tree](/tree.md#decide).\n\n## Part\n",
    "## Steps\n\n- [ ] one\n- [ ] two\n",
    "```clause title=\"C\"\n[[Name]] agrees.\n```\n",
    "![The logo](/logo.png)\n",
    "See [a part](/a.md#part).\n",
];
const IMAGE_BODY: usize = 4;
const PART_LINK_BODY: usize = 5;
/// The body of `a.md` with the `#part` heading.
const PART_BODY: usize = 1;
const ASSETS: &[&[u8]] = &[b"\x89PNG one", b"\x89PNG two"];
const STYLES: &[&str] = &["body { outline: 0; }\n", ".pb-main { margin: 1px; }\n"];
const TEMPLATES: &[&str] = &[
    "{% extends \"base.html\" %}{% block title %}Lost · {{ site.title }}{% endblock %}{% block body %}<main>{{ strings[\"404.text\"] }}</main>{% endblock %}\n",
    "{% extends \"base.html\" %}{% block title %}Gone{% endblock %}{% block body %}<main>Gone: <a href=\"{{ site.home }}\">home</a></main>{% endblock %}\n",
];
const CONFIGS: &[&str] = &[
    "title: Props\nlanguages:\n  fi:\n    title: Ominaisuudet\n",
    "title: Props renamed\ndescription: About it\nlanguages:\n  fi:\n    title: Ominaisuudet\n",
    "title: Props\nbase_url: https://example.com/docs\nlanguages:\n  fi:\n    title: Ominaisuudet\n",
];

#[derive(Debug, Clone)]
enum Edit {
    Body(usize, usize),
    Title(usize, usize),
    Meta(usize, usize),
    Add(usize),
    Remove(usize),
    Rename(usize, usize),
    BreakTree,
    FixTree,
    /// Adds, changes or (with `None`) removes `content/logo.png`.
    Asset(Option<usize>),
    /// A stylesheet of the project's theme.
    Css(Option<usize>),
    /// The project's `404.html` template.
    Template(Option<usize>),
    Config(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let page = 0..OPTIONAL.len() + 1;
    let optional = 0..OPTIONAL.len();
    // Body, title and front-matter edits take the incremental path; the
    // rest mostly rebuild everything, so they come less often.
    prop_oneof![
        4 => (page.clone(), 0..BODIES.len()).prop_map(|(p, b)| Edit::Body(p, b)),
        2 => (page.clone(), 0..TITLES.len()).prop_map(|(p, t)| Edit::Title(p, t)),
        3 => (page, 0..METAS.len()).prop_map(|(p, m)| Edit::Meta(p, m)),
        1 => optional.clone().prop_map(Edit::Add),
        1 => optional.clone().prop_map(Edit::Remove),
        1 => (optional.clone(), optional).prop_map(|(a, b)| Edit::Rename(a, b)),
        1 => Just(Edit::BreakTree),
        1 => Just(Edit::FixTree),
        1 => prop::option::of(0..ASSETS.len()).prop_map(Edit::Asset),
        1 => prop::option::of(0..STYLES.len()).prop_map(Edit::Css),
        1 => prop::option::of(0..TEMPLATES.len()).prop_map(Edit::Template),
        1 => (0..CONFIGS.len()).prop_map(Edit::Config),
    ]
}

/// One page as the edits left it: indices into TITLES, BODIES, METAS.
#[derive(Debug, Clone, Copy)]
struct PageModel {
    title: usize,
    body: usize,
    meta: usize,
}

const NEW_PAGE: PageModel = PageModel {
    title: 0,
    body: 0,
    meta: 0,
};

/// The project as the edits left it.
struct Model {
    root: PathBuf,
    pages: BTreeMap<&'static str, PageModel>,
    tree_broken: bool,
    asset: Option<usize>,
}

impl Model {
    fn name(page: usize) -> &'static str {
        if page == 0 {
            "index.md"
        } else {
            OPTIONAL[page - 1]
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join("content").join(name)
    }

    /// Whether the project as it stands builds.
    fn valid(&self) -> bool {
        let shows_missing_asset =
            self.asset.is_none() && self.pages.values().any(|p| p.body == IMAGE_BODY);
        let part_missing = self.pages.get("a.md").is_none_or(|a| a.body != PART_BODY);
        let links_missing_part =
            part_missing && self.pages.values().any(|p| p.body == PART_LINK_BODY);
        !self.tree_broken && !shows_missing_asset && !links_missing_part
    }

    /// Writes one page as the model has it, or removes it.
    fn write(&self, name: &str) -> PathBuf {
        let path = self.path(name);
        match self.pages.get(name) {
            Some(page) => {
                let mut front = String::new();
                if let Some(title) = TITLES[page.title] {
                    front.push_str(&format!("title: {title}\n"));
                }
                front.push_str(METAS[page.meta]);
                let mut text = String::new();
                if !front.is_empty() {
                    text.push_str(&format!("---\n{front}---\n"));
                }
                text.push_str(BODIES[page.body]);
                std::fs::create_dir_all(path.parent().expect("folder")).expect("create folder");
                std::fs::write(&path, text).expect("write page");
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
        path
    }

    fn write_tree(&self) -> PathBuf {
        let next = if self.tree_broken { "nowhere" } else { "done" };
        let text = format!(
            "# Decide\n\n```decision-tree\nid: pick\ntitle: Pick\nstart: q\nnodes:\n  q:\n    question: Which?\n    answers:\n      - label: A\n        next: {next}\n      - label: B\n        next: done\n  done:\n    outcome: Done\n```\n"
        );
        let path = self.path("tree.md");
        std::fs::write(&path, text).expect("write tree page");
        path
    }

    /// Writes `bytes` to the project-relative `rel`, or removes it.
    fn put(&self, rel: &str, bytes: Option<&[u8]>) -> PathBuf {
        let path = self.root.join(rel);
        match bytes {
            Some(bytes) => {
                std::fs::create_dir_all(path.parent().expect("folder")).expect("create folder");
                std::fs::write(&path, bytes).expect("write file");
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
        path
    }

    /// Applies one edit to the files; returns the paths it touched.
    fn apply(&mut self, edit: &Edit) -> Vec<PathBuf> {
        match *edit {
            Edit::Body(page, body) => {
                let name = Model::name(page);
                self.pages.entry(name).or_insert(NEW_PAGE).body = body;
                vec![self.write(name)]
            }
            Edit::Title(page, title) => {
                let name = Model::name(page);
                self.pages.entry(name).or_insert(NEW_PAGE).title = title;
                vec![self.write(name)]
            }
            Edit::Meta(page, meta) => {
                let name = Model::name(page);
                self.pages.entry(name).or_insert(NEW_PAGE).meta = meta;
                vec![self.write(name)]
            }
            Edit::Add(i) => {
                self.pages.entry(OPTIONAL[i]).or_insert(PageModel {
                    title: 1,
                    ..NEW_PAGE
                });
                vec![self.write(OPTIONAL[i])]
            }
            Edit::Remove(i) => {
                self.pages.remove(OPTIONAL[i]);
                vec![self.write(OPTIONAL[i])]
            }
            Edit::Rename(from, to) => {
                let (a, b) = (OPTIONAL[from], OPTIONAL[to]);
                if from == to || !self.pages.contains_key(a) || self.pages.contains_key(b) {
                    return Vec::new();
                }
                let page = self.pages.remove(a).expect("present");
                self.pages.insert(b, page);
                let (old, new) = (self.path(a), self.path(b));
                std::fs::create_dir_all(new.parent().expect("folder")).expect("create folder");
                std::fs::rename(&old, &new).expect("rename page");
                vec![old, new]
            }
            Edit::BreakTree => {
                self.tree_broken = true;
                vec![self.write_tree()]
            }
            Edit::FixTree => {
                self.tree_broken = false;
                vec![self.write_tree()]
            }
            Edit::Asset(asset) => {
                self.asset = asset;
                vec![self.put("content/logo.png", asset.map(|a| ASSETS[a]))]
            }
            Edit::Css(style) => vec![self.put(
                "themes/default/css/zz-extra.css",
                style.map(|s| STYLES[s].as_bytes()),
            )],
            Edit::Template(template) => vec![self.put(
                "themes/default/templates/404.html",
                template.map(|t| TEMPLATES[t].as_bytes()),
            )],
            Edit::Config(config) => vec![self.put("book.yaml", Some(CONFIGS[config].as_bytes()))],
        }
    }
}

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk output"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside output");
            (
                rel.display().to_string(),
                std::fs::read(e.path()).expect("read output file"),
            )
        })
        .collect()
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    for (n, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  serve: {x}\n  build: {y}", n + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

/// How a step's held-back files (print, search and 404 pages, the search
/// index) are written.
#[derive(Debug, Clone, Copy)]
enum Finish {
    /// At once, as `build --watch` does; then the folder is compared with
    /// a full build.
    Now,
    /// On a thread of their own, as serve does; the next step's change
    /// cancels it if it is still going.
    Background,
    /// Not before the next step.
    Later,
}

fn finish() -> impl Strategy<Value = Finish> {
    prop_oneof![
        2 => Just(Finish::Now),
        1 => Just(Finish::Background),
        1 => Just(Finish::Later),
    ]
}

/// Compares `served` with a fresh full build of the project at `root`.
fn same_as_a_build(
    served: &Path,
    root: &Path,
    options: &BuildOptions,
    after: &str,
) -> Result<(), TestCaseError> {
    let outputs = tempfile::tempdir().expect("output folder");
    let built = outputs.path().join("build");
    let full = BuildOptions {
        out: Some(built.clone()),
        ..options.clone()
    };
    site::build(root, &full).expect("a full build of the same project");
    let (served, built) = (files(served), files(&built));
    let only_serve: Vec<_> = served.keys().filter(|k| !built.contains_key(*k)).collect();
    let only_build: Vec<_> = built.keys().filter(|k| !served.contains_key(*k)).collect();
    prop_assert!(
        only_serve.is_empty() && only_build.is_empty(),
        "after {after}: files only in serve's folder: {only_serve:?}; only in the build: {only_build:?}"
    );
    for (path, bytes) in &served {
        let other = &built[path];
        prop_assert!(
            bytes == other,
            "{path} differs after {after}\n{}",
            first_difference(bytes, other)
        );
    }
    Ok(())
}

fn check_edits(
    edits: &[(Edit, Finish)],
    fixed_asset_urls: bool,
    whole_publishes: bool,
) -> Result<(), TestCaseError> {
    let project = tempfile::tempdir().expect("project folder");
    let outputs = tempfile::tempdir().expect("output folder");
    let root = project.path().canonicalize().expect("project path");
    std::fs::write(root.join("book.yaml"), CONFIGS[0]).expect("write book.yaml");
    let mut model = Model {
        root: root.clone(),
        // Some pages from the start, so that edits to them take the
        // incremental path.
        pages: ["index.md", "a.md", "sub/c.md", "a.fi.md"]
            .into_iter()
            .map(|name| {
                let page = PageModel {
                    title: 1,
                    ..NEW_PAGE
                };
                (name, page)
            })
            .collect(),
        tree_broken: false,
        asset: None,
    };
    for name in model.pages.keys() {
        model.write(name);
    }
    model.write_tree();

    let options = BuildOptions {
        fixed_asset_urls,
        whole_publishes,
        ..BuildOptions::default()
    };
    let served = outputs.path().join("serve");
    let mut session = match Session::start(&root, options.clone(), &served) {
        Ok(session) => session,
        Err(failure) => return Err(TestCaseError::fail(format!("start: {failure:?}"))),
    };
    let mut steps = edits.to_vec();
    // End on a project that builds.
    steps.push((Edit::FixTree, Finish::Later));
    steps.push((Edit::Asset(Some(0)), Finish::Now));
    for (n, (step, finish)) in steps.iter().enumerate() {
        let changed = model.apply(step);
        match session.apply(changed) {
            Ok(_) => {
                prop_assert!(
                    model.valid(),
                    "step {n} {step:?}: a project that should not build was accepted"
                );
            }
            Err(Failure::Content(problems)) => {
                let codes: Vec<_> = problems.iter().map(|d| d.render(false)).collect();
                prop_assert!(
                    !model.valid(),
                    "step {n} {step:?}: a valid project was refused:\n{}",
                    codes.join("\n")
                );
            }
            Err(Failure::Output(err)) => {
                return Err(TestCaseError::fail(format!("step {n}: {err}")));
            }
        }
        match finish {
            Finish::Now => {
                session.finish().expect("write held-back files");
                session.refresh_search().expect("write the search index");
                if model.valid() {
                    let after = format!("step {n} of {:?}", &steps[..=n]);
                    same_as_a_build(&served, &root, &options, &after)?;
                }
            }
            Finish::Background => {
                session.start_deferred(|_| {});
            }
            Finish::Later => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn incremental_rebuilds_equal_a_full_build(
        edits in prop::collection::vec((edit(), finish()), 1..10),
        fixed_asset_urls in any::<bool>(),
        whole_publishes in any::<bool>(),
    ) {
        check_edits(&edits, fixed_asset_urls, whole_publishes)?;
    }
}

/// Sequences that random ones reach too seldom to rely on.
#[test]
fn incremental_rebuilds_equal_a_full_build_in_rare_sequences() {
    use Edit::{Body, Meta};
    use Finish::Now;
    let a = 1;
    let index = 0;
    let sequences: [&[(Edit, Finish)]; 4] = [
        // Front matter only the home page's cards show.
        &[(Meta(a, 1), Now)],
        &[(Meta(a, 2), Now)],
        &[(Meta(a, 4), Now)],
        // A heading another page links to goes away, and comes back.
        &[
            (Body(a, PART_BODY), Now),
            (Body(index, PART_LINK_BODY), Now),
            (Body(a, 0), Now),
            (Body(a, PART_BODY), Now),
        ],
    ];
    for edits in sequences {
        for whole_publishes in [false, true] {
            check_edits(edits, true, whole_publishes)
                .unwrap_or_else(|err| panic!("{edits:?}: {err}"));
        }
    }
}

// ---------------------------------------------------------------------
// Link resolution and percent-decoding.

fn segment() -> impl Strategy<Value = &'static str> {
    select(&["a", "b", "c.md", "..", ".", "", "x y", "ä.md"][..])
}

/// A content-relative page path: folders, then a file.
fn page_path() -> impl Strategy<Value = String> {
    prop::collection::vec(select(&["a", "b", "ä"][..]), 0..4).prop_map(|mut dirs| {
        dirs.push("p.md");
        dirs.join("/")
    })
}

fn link() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(segment(), 0..7)).prop_map(|(absolute, segs)| {
        let link = segs.join("/");
        if absolute { format!("/{link}") } else { link }
    })
}

/// Whether `link` climbs above the content root from `from`, counted the
/// plain way: one level down per named folder, one up per `..`.
fn climbs_out(from: &str, link: &str) -> bool {
    let mut depth: i64 = if link.starts_with('/') {
        0
    } else {
        from.matches('/').count() as i64
    };
    for segment in link.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

/// `%XX` decoded only where XX are two hex digits, as `percent_decode`
/// documents; everything else stays as written.
fn decode_model(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn escape_all(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn resolve_never_leaves_the_root_and_folds_every_dot(from in page_path(), link in link()) {
        let resolved = resolve(&from, &link);
        prop_assert_eq!(resolved.is_none(), climbs_out(&from, &link));
        if let Some(path) = resolved {
            prop_assert!(!path.starts_with('/'));
            if !path.is_empty() {
                for part in path.split('/') {
                    prop_assert!(!matches!(part, "" | "." | ".."), "{path:?} has {part:?}");
                }
            }
            // A resolved path is a fixed point: written from the root, it
            // resolves to itself from any page.
            prop_assert_eq!(resolve(&from, &format!("/{path}")), Some(path.clone()));
            prop_assert_eq!(resolve("deep/er/x.md", &format!("/{path}")), Some(path.clone()));
            // `./` in front changes nothing.
            if !link.starts_with('/') {
                prop_assert_eq!(resolve(&from, &format!("./{link}")), Some(path));
            }
        }
    }

    #[test]
    fn a_decoded_link_never_leaves_the_root(
        from in page_path(),
        segs in prop::collection::vec(select(&["..", "%2e%2e", "%2E.", "a", "%2f", "..%2f.."][..]), 0..6),
    ) {
        let link = segs.join("/");
        let decoded = percent_decode(&link);
        if let Some(path) = resolve(&from, &decoded) {
            prop_assert!(path.split('/').all(|p| p != ".."), "{link:?} became {path:?}");
        }
    }

    #[test]
    fn percent_decoding_reverses_percent_encoding(text in any::<String>()) {
        prop_assert_eq!(percent_decode(&escape_all(&text)), text);
    }

    #[test]
    fn text_without_percent_signs_is_unchanged(text in any::<String>()) {
        let text = text.replace('%', "");
        prop_assert_eq!(percent_decode(&text), text);
    }

    #[test]
    fn only_two_hex_digits_make_an_escape(
        parts in prop::collection::vec(select(&["%", "+", "-", "1", "f", "G", "a", " ", "ä", "2e"][..]), 0..12),
    ) {
        let text = parts.concat();
        prop_assert_eq!(percent_decode(&text), decode_model(&text), "input {:?}", text);
    }
}

// ---------------------------------------------------------------------
// Heading ids.

fn block() -> impl Strategy<Value = String> {
    let heading = (
        select(&["#", "##", "###"][..]),
        select(
            &[
                "A",
                "a",
                "A 1",
                "a-1",
                "1",
                "Steps",
                "Pick",
                "Pick title",
                "Clause C",
                "ä Ö",
            ][..],
        ),
        select(&["", " {#a}", " {#a-1}", " {#pick}", " {#steps}"][..]),
    )
        .prop_map(|(level, text, id)| format!("{level} {text}{id}\n"));
    prop_oneof![
        4 => heading,
        1 => Just("Text with a note.[^1]\n\n[^1]: The note.\n".to_string()),
        1 => Just("```clause title=\"C\"\n[[Name]] agrees.\n```\n".to_string()),
        1 => Just("```decision-tree\nid: pick\ntitle: Pick\nstart: q\nnodes:\n  q:\n    question: Which?\n    answers:\n      - label: A\n        next: done\n      - label: B\n        next: done\n  done:\n    outcome: Done\n```\n".to_string()),
        1 => Just("- [ ] A task\n- [ ] Another task\n".to_string()),
    ]
}

/// The values of every `id="…"` attribute in `html`.
fn ids_in(html: &str) -> Vec<String> {
    html.match_indices(" id=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap_or(rest.len())].to_string()
        })
        .collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_id_on_a_page_is_unique(blocks in prop::collection::vec(block(), 1..10)) {
        // One footnote definition per label: a repeated one is the author's.
        let mut footnote = false;
        let blocks: Vec<String> = blocks
            .into_iter()
            .filter(|b| !b.contains("[^1]") || !std::mem::replace(&mut footnote, true))
            .collect();
        let page = blocks.join("\n");
        let rendered = render_page(&page).expect("no front matter to fail");
        // Ids the author repeated are reported as errors instead.
        if rendered.diagnostics.iter().any(|d| d.is_error()) {
            return Ok(());
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for id in ids_in(&rendered.html) {
            *seen.entry(id).or_default() += 1;
        }
        let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        prop_assert!(repeated.is_empty(), "repeated ids {repeated:?} in:\n{page}");
        let toc: HashSet<_> = rendered.toc.iter().map(|h| &h.id).collect();
        prop_assert_eq!(toc.len(), rendered.toc.len());
    }
}
