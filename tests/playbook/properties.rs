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
const OPTIONAL: &[&str] = &["a.md", "sub/index.md", "sub/c.md", "index.fi.md", "a.fi.md"];
const TITLES: &[Option<&str>] = &[None, Some("First"), Some("Second title"), Some("Ärsyttävä")];
const BODIES: &[&str] = &[
    "# Heading\n\nText one.\n",
    "Some *text* with a [link](/index.md) and [the tree](/tree.md#decide).\n\n## Part\n",
    "## Steps\n\n- [ ] one\n- [ ] two\n",
    "```clause title=\"C\"\n[[Name]] agrees.\n```\n",
];

#[derive(Debug, Clone)]
enum Edit {
    Body(usize, usize),
    Title(usize, usize),
    Add(usize),
    Remove(usize),
    BreakTree,
    FixTree,
}

fn edit() -> impl Strategy<Value = Edit> {
    let page = 0..OPTIONAL.len() + 1;
    // Body and title edits take serve's incremental path; the rest mostly
    // rebuild everything, so they come less often.
    prop_oneof![
        4 => (page.clone(), 0..BODIES.len()).prop_map(|(p, b)| Edit::Body(p, b)),
        2 => (page, 0..TITLES.len()).prop_map(|(p, t)| Edit::Title(p, t)),
        1 => (0..OPTIONAL.len()).prop_map(Edit::Add),
        1 => (0..OPTIONAL.len()).prop_map(Edit::Remove),
        1 => Just(Edit::BreakTree),
        1 => Just(Edit::FixTree),
    ]
}

/// The project as the edits left it: page path to (title, body).
struct Model {
    root: PathBuf,
    pages: BTreeMap<&'static str, (usize, usize)>,
    tree_broken: bool,
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

    /// Writes one page as the model has it, or removes it.
    fn write(&self, name: &str) -> PathBuf {
        let path = self.path(name);
        match self.pages.get(name) {
            Some(&(title, body)) => {
                let mut text = String::new();
                if let Some(title) = TITLES[title] {
                    text.push_str(&format!("---\ntitle: {title}\n---\n"));
                }
                text.push_str(BODIES[body]);
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

    /// Applies one edit to the files; returns the paths it touched.
    fn apply(&mut self, edit: &Edit) -> Vec<PathBuf> {
        match *edit {
            Edit::Body(page, body) => {
                let name = Model::name(page);
                self.pages.entry(name).or_insert((0, 0)).1 = body;
                vec![self.write(name)]
            }
            Edit::Title(page, title) => {
                let name = Model::name(page);
                self.pages.entry(name).or_insert((0, 0)).0 = title;
                vec![self.write(name)]
            }
            Edit::Add(i) => {
                self.pages.entry(OPTIONAL[i]).or_insert((1, 0));
                vec![self.write(OPTIONAL[i])]
            }
            Edit::Remove(i) => {
                self.pages.remove(OPTIONAL[i]);
                vec![self.write(OPTIONAL[i])]
            }
            Edit::BreakTree => {
                self.tree_broken = true;
                vec![self.write_tree()]
            }
            Edit::FixTree => {
                self.tree_broken = false;
                vec![self.write_tree()]
            }
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

fn check_edits(edits: &[Edit]) -> Result<(), TestCaseError> {
    let project = tempfile::tempdir().expect("project folder");
    let outputs = tempfile::tempdir().expect("output folder");
    let root = project.path().to_path_buf();
    std::fs::write(
        root.join("book.yaml"),
        "title: Props\nlanguages:\n  fi:\n    title: Ominaisuudet\n",
    )
    .expect("write book.yaml");
    let mut model = Model {
        root: root.clone(),
        pages: BTreeMap::from([("index.md", (1, 0))]),
        tree_broken: false,
    };
    model.write("index.md");
    model.write_tree();

    let options = BuildOptions {
        fixed_asset_urls: true,
        ..BuildOptions::default()
    };
    let served = outputs.path().join("serve");
    let mut session = match Session::start(&root, options.clone(), &served) {
        Ok(session) => session,
        Err(failure) => return Err(TestCaseError::fail(format!("start: {failure:?}"))),
    };
    let mut steps = edits.to_vec();
    steps.push(Edit::FixTree);
    for (n, step) in steps.iter().enumerate() {
        let changed = model.apply(step);
        match session.apply(changed) {
            Ok(_) => {
                prop_assert!(
                    !model.tree_broken,
                    "step {n} {step:?}: a broken tree was accepted"
                );
                session.finish().expect("write deferred files");
            }
            Err(Failure::Content(problems)) => {
                let codes: Vec<_> = problems.iter().map(|d| d.render(false)).collect();
                prop_assert!(
                    model.tree_broken,
                    "step {n} {step:?}: a valid project was refused:\n{}",
                    codes.join("\n")
                );
            }
            Err(Failure::Output(err)) => {
                return Err(TestCaseError::fail(format!("step {n}: {err}")));
            }
        }
    }
    session.refresh_search().expect("write the search index");

    let built = outputs.path().join("build");
    let full = BuildOptions {
        out: Some(built.clone()),
        ..options
    };
    site::build(&root, &full).expect("a full build of the same project");
    let (served, built) = (files(&served), files(&built));
    let only_serve: Vec<_> = served.keys().filter(|k| !built.contains_key(*k)).collect();
    let only_build: Vec<_> = built.keys().filter(|k| !served.contains_key(*k)).collect();
    prop_assert!(
        only_serve.is_empty() && only_build.is_empty(),
        "files only in serve's folder: {only_serve:?}; only in the build: {only_build:?}"
    );
    for (path, bytes) in &served {
        let other = &built[path];
        prop_assert!(
            bytes == other,
            "{path} differs after {edits:?}\n{}",
            first_difference(bytes, other)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(16))]

    #[test]
    fn incremental_rebuilds_equal_a_full_build(edits in prop::collection::vec(edit(), 1..8)) {
        check_edits(&edits)?;
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
