//! Hostile text in names and attributes never becomes markup, and nothing
//! outside the project is published.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::Project;

/// Every file of the built site, as (site path, text).
fn site_files(project: &Project) -> Vec<(String, String)> {
    let out = project.out("");
    walkdir::WalkDir::new(&out)
        .into_iter()
        .map(|e| e.expect("site entry"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&out).expect("inside the site");
            let bytes = std::fs::read(e.path()).expect("read");
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (rel.to_string_lossy().into_owned(), text)
        })
        .collect()
}

#[test]
fn page_names_that_read_as_url_schemes_stay_relative_links() {
    let project = Project::new()
        .file(
            "content/index.md",
            "# Home\n\nSee [the contract](./re:contract.md) and ![chart](./img:x.png).\n",
        )
        .file(
            "content/javascript:alert(1);x.md",
            "---\ntitle: Script page\n---\nText of the script page.\n",
        )
        .file(
            "content/re:contract.md",
            "---\ntitle: Contract\nkind: clause\n---\nText of the contract page.\n",
        )
        .file("content/img:x.png", "not really a png");
    project.build().succeeds();

    for (path, text) in site_files(&project) {
        for scheme in ["javascript:", "re:", "img:"] {
            for attr in ["href", "src"] {
                for quote in ["\"", "\\\""] {
                    let bad = format!("{attr}={quote}{scheme}");
                    assert!(!text.contains(&bad), "{path} has {bad}:\n{text}");
                }
            }
        }
    }

    let index = project.read("index.html");
    // A link in markdown, an image, a home card, and the next link.
    assert!(index.contains(r#"href="./re:contract.html""#), "{index}");
    assert!(index.contains(r#"src="./img:x.png""#), "{index}");
    assert!(
        index.contains(r#"<a href="./javascript:alert(1);x.html">Script page</a>"#),
        "home card: {index}"
    );
    assert!(
        index.contains(r#"class="pb-pagination__next" href="./javascript:alert(1);x.html""#),
        "next link: {index}"
    );
    let contract = project.read("re:contract.html");
    assert!(
        contract.contains(r#"class="pb-pagination__prev" href="./javascript:alert(1);x.html""#),
        "previous link: {contract}"
    );
    // The sidebar script and its no-script page.
    let toc_js = project.read("toc.js");
    assert!(
        toc_js.contains(r#"href=\"./javascript:alert(1);x.html\""#),
        "{toc_js}"
    );
    assert!(
        toc_js.contains(r#"href=\"./re:contract.html\""#),
        "{toc_js}"
    );
    let toc_html = project.read("toc.html");
    assert!(
        toc_html.contains(r#"href="./javascript:alert(1);x.html""#),
        "{toc_html}"
    );
    // The search index's page URLs, which search.js puts after the root.
    let meta = project.read("search/en/meta.json");
    assert!(meta.contains(r#""./javascript:alert(1);x.html""#), "{meta}");
    assert!(meta.contains(r#""./re:contract.html""#), "{meta}");
    assert!(!meta.contains(r#""javascript:"#), "{meta}");
    assert!(!meta.contains(r#""re:"#), "{meta}");
}

#[test]
fn a_folder_link_leading_outside_the_project_is_left_out_with_a_warning() {
    let outside = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir_all(outside.path().join("keys")).unwrap();
    std::fs::write(outside.path().join("keys/id_rsa"), "PRIVATE KEY").unwrap();
    std::fs::write(outside.path().join("keys/notes.md"), "# Secret notes\n").unwrap();

    let project = Project::new()
        .file("content/index.md", "# Home\n")
        .file("shared/inside.md", "# Shared inside\n");
    std::os::unix::fs::symlink(
        outside.path().join("keys"),
        project.path().join("content/keys"),
    )
    .unwrap();
    // A folder link that stays in the project is followed.
    std::os::unix::fs::symlink(
        project.path().join("shared"),
        project.path().join("content/shared"),
    )
    .unwrap();

    let run = project.build().succeeds();
    let err = run.stderr();
    assert!(
        err.contains("`content/keys` is a link to a folder outside the project; it is left out"),
        "{err}"
    );
    assert!(
        !project.out("keys").exists(),
        "the outside folder was published"
    );
    for (path, text) in site_files(&project) {
        assert!(!text.contains("PRIVATE KEY"), "{path}");
        assert!(!text.contains("Secret notes"), "{path}");
    }
    assert!(project.read("shared/inside.html").contains("Shared inside"));
}

#[test]
fn a_name_that_is_not_utf8_is_left_out_with_a_warning() {
    let project = Project::new().file("content/index.md", "# Home\n");
    let content = project.path().join("content");
    let name = |bytes: &[u8]| std::ffi::OsStr::from_bytes(bytes).to_os_string();
    std::fs::write(content.join(name(b"bad\xff\xfename.html")), "<p>x</p>").unwrap();
    std::fs::write(content.join(name(b"page\xff.md")), "# Mangled page\n").unwrap();
    std::fs::create_dir(content.join(name(b"dir\xff"))).unwrap();
    std::fs::write(
        content.join(name(b"dir\xff")).join("in.md"),
        "# In a bad folder\n",
    )
    .unwrap();

    let run = project.build().succeeds();
    let err = run.stderr();
    for shown in [
        "the file `content/bad\u{fffd}\u{fffd}name.html` has a name that is not UTF-8; it is left out",
        "the file `content/page\u{fffd}.md` has a name that is not UTF-8; it is left out",
        "the folder `content/dir\u{fffd}` has a name that is not UTF-8; it is left out",
    ] {
        assert!(err.contains(shown), "stderr lacks {shown:?}:\n{err}");
    }
    let names: Vec<String> = std::fs::read_dir(project.out(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains('\u{fffd}')),
        "mangled names in the site: {names:?}"
    );
    for (path, text) in site_files(&project) {
        assert!(!text.contains("Mangled page"), "{path}");
        assert!(!text.contains("In a bad folder"), "{path}");
    }
}

/// A folder of templates that mark every page they render.
fn hostile_theme(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("templates/page.html"), "HOSTILE THEME").unwrap();
}

#[test]
fn a_theme_name_may_not_climb_out_of_themes() {
    let outside = tempfile::tempdir().expect("temporary folder");
    hostile_theme(outside.path());
    let mut project = Project::new().file("content/index.md", "# Home\n");
    hostile_theme(&project.path().join("elsewhere"));
    let absolute = outside.path().display().to_string();
    for theme in ["../elsewhere", "themes/../../x", absolute.as_str()] {
        project = project.file("book.yaml", &format!("title: T\ntheme: {theme}\n"));
        project.build().fails_with(&[
            &format!("`{theme}` is not a theme name"),
            "book.yaml:2:1",
            "its name is letters, digits",
        ]);
        assert!(!project.out("index.html").exists());
    }
}

#[test]
fn a_theme_folder_linking_outside_the_project_is_refused() {
    let outside = tempfile::tempdir().expect("temporary folder");
    hostile_theme(outside.path());
    let project = Project::new()
        .file("book.yaml", "title: T\ntheme: evil\n")
        .file("content/index.md", "# Home\n");
    std::fs::create_dir(project.path().join("themes")).unwrap();
    std::os::unix::fs::symlink(outside.path(), project.path().join("themes/evil")).unwrap();
    project
        .build()
        .fails_with(&["`themes/evil` leads outside the project's `themes/` folder"]);
    assert!(!project.out("index.html").exists());
}

#[test]
fn a_link_inside_a_theme_leading_outside_the_project_is_refused() {
    let outside = tempfile::tempdir().expect("temporary folder");
    std::fs::write(outside.path().join("id_rsa"), "PRIVATE KEY").unwrap();
    let project = Project::new()
        .file("book.yaml", "title: T\ntheme: mine\n")
        .file("content/index.md", "# Home\n")
        .file("themes/mine/static/site.txt", "fine");
    std::os::unix::fs::symlink(
        outside.path().join("id_rsa"),
        project.path().join("themes/mine/static/id_rsa"),
    )
    .unwrap();
    project
        .build()
        .fails_with(&["`themes/mine/static/id_rsa` is a link to outside the project"]);
    assert!(!project.out("assets/id_rsa").exists());
}

#[test]
fn a_theme_file_whose_name_is_not_utf8_is_refused() {
    let project = Project::new()
        .file("book.yaml", "title: T\ntheme: mine\n")
        .file("content/index.md", "# Home\n");
    let dir = project.path().join("themes/mine/static");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"logo\xff.svg")),
        "<svg/>",
    )
    .unwrap();
    project
        .build()
        .fails_with(&["`themes/mine/static/logo\u{fffd}.svg` has a name that is not UTF-8"]);
    assert!(!project.out("index.html").exists());
}

#[test]
fn heading_attributes_drop_event_handlers_and_odd_names() {
    let project = Project::new().file(
        "content/index.md",
        "# Home\n\n## Title {onfocus=alert(1) autofocus tabindex=0 ONCLICK=x x/onmouseover=alert(2) data-note=a\"b}\n",
    );
    let run = project.build().succeeds();
    let html = project.read("index.html");
    let start = html.find("<h2 id=\"title\"").expect("the heading");
    let tag = &html[start..start + html[start..].find('>').unwrap() + 1];
    assert_eq!(
        tag,
        r#"<h2 id="title" autofocus tabindex="0" data-note="a&quot;b">"#
    );
    let lower = html.to_ascii_lowercase();
    for handler in ["onfocus", "onclick", "onmouseover"] {
        assert!(!lower.contains(handler), "{handler} in:\n{html}");
    }
    let err = run.stderr();
    assert!(
        err.contains("the heading attribute `onfocus` is left out"),
        "{err}"
    );
    assert!(
        err.contains("the heading attribute `x/onmouseover` is left out"),
        "{err}"
    );
}

#[test]
fn heading_attributes_cannot_set_the_id_or_name_other_ids() {
    let project = Project::new().file(
        "content/index.md",
        "# Home\n\n## Title {#mine ID=other for=x aria-controls=y Aria-LabelledBy=z title=t}\n",
    );
    let run = project.build().succeeds();
    let html = project.read("index.html");
    let start = html.find("<h2 ").expect("the heading");
    let tag = &html[start..start + html[start..].find('>').unwrap() + 1];
    assert_eq!(tag, r#"<h2 id="mine" title="t">"#);
    let err = run.stderr();
    for name in ["ID", "for", "aria-controls", "Aria-LabelledBy"] {
        assert!(
            err.contains(&format!("the heading attribute `{name}` is left out")),
            "{name}: {err}"
        );
    }
    assert!(err.contains("`{#my-id}`"), "{err}");
}

fn two_languages(book: &str) -> Project {
    Project::new()
        .file("book.yaml", book)
        .file("content/index.md", "# Home\n")
        .file("content/index.fi.md", "# Koti\n")
        .file("content/call.md", "# Call\n")
        .file("content/call.fi.md", "# Soita\n")
}

#[test]
fn hreflang_links_are_absolute_from_base_url() {
    let project = two_languages(
        "title: T\nbase_url: https://example.org/book/\nlanguages:\n  fi:\n    title: K\n",
    );
    project.build().succeeds();
    for page in ["call.html", "fi/call.html"] {
        let html = project.read(page);
        assert!(
            html.contains(
                r#"<link rel="alternate" hreflang="en" href="https://example.org/book/call.html">"#
            ),
            "{page}: {html}"
        );
        assert!(
            html.contains(r#"<link rel="alternate" hreflang="fi" href="https://example.org/book/fi/call.html">"#),
            "{page}: {html}"
        );
    }
}

#[test]
fn without_base_url_there_are_no_hreflang_links() {
    let project = two_languages("title: T\nlanguages:\n  fi:\n    title: K\n");
    project.build().succeeds();
    for (page, other) in [("call.html", "fi"), ("fi/call.html", "en")] {
        let html = project.read(page);
        assert!(!html.contains("rel=\"alternate\""), "{page}: {html}");
        // The language switcher still links the translation.
        assert!(
            html.contains(&format!("hreflang=\"{other}\"")),
            "{page}: {html}"
        );
    }
}

/// A theme that escapes with `|e` (or `|escape`) as well as printing gets
/// the same escaping: a NUL in an author's text becomes U+FFFD and cannot
/// pass for a mark, which would put the way to the site root or the print
/// page's id prefix into the text.
#[test]
fn a_nul_escaped_with_the_e_filter_cannot_pass_for_a_mark() {
    let tree = "```decision-tree\nid: t\ntitle: \"Keep\\0r\\0i?\"\nnodes:\n  start:\n    question: Go on?\n    answers:\n      - label: \"Yes\"\n        next: stay\n      - label: \"No\"\n        next: go\n  stay:\n    outcome: Stay\n  go:\n    outcome: Drop\n```\n";
    let project = Project::new()
        .file("content/index.md", "# Home\n")
        .file("content/guide/page.md", &format!("# Page\n\n{tree}"))
        .file(
            "themes/default/templates/blocks/tree.html",
            "<section id=\"{{ tree.id|id }}\"><h2>{{ tree.title|e }}</h2><p>{{ tree.title|escape }}</p></section>\n",
        );
    project.build().succeeds();
    let page = project.read("guide/page.html");
    let print = project.read("print.html");
    for html in [&page, &print] {
        assert!(!html.contains('\0'), "a NUL in the output");
        assert_eq!(
            html.matches("Keep\u{FFFD}r\u{FFFD}i?").count(),
            2,
            "the title as written, twice: {html}"
        );
    }
    assert!(page.contains("<section id=\"t\">"), "{page}");
    assert!(print.contains("<section id=\"p1-t\">"), "{print}");
}
