//! A full build of the fixture book: what lands where, and what it says.

use crate::Project;

fn built() -> Project {
    let project = Project::fixture("basic");
    let run = project.build().succeeds();
    assert!(
        run.stdout().starts_with("Built 8 pages in "),
        "{}",
        run.stdout()
    );
    project
}

#[test]
fn pages_land_at_their_html_paths_and_drafts_stay_out() {
    let p = built();
    for path in [
        "index.html",
        "first.html",
        "last.html",
        "guides/index.html",
        "guides/steps.html",
        "guides/clause.html",
        "guides/tree.html",
        "fi/guides/steps.html",
        "img/diagram.svg",
        "404.html",
        "print.html",
        "fi/print.html",
        "toc.js",
        "toc.html",
        "sitemap.xml",
        "robots.txt",
        "assets/playbook.css",
        "assets/playbook.js",
    ] {
        assert!(p.out(path).is_file(), "missing public/{path}");
    }
    assert!(!p.out("draft.html").exists());
}

#[test]
fn links_between_pages_are_relative_html_links() {
    let p = built();
    let index = p.read("index.html");
    assert!(
        index.contains(r##"href="guides/steps.html#the-steps""##),
        "{index}"
    );
    assert!(
        index.contains(r#"href="guides/index.html""#),
        "folder links open the index page"
    );
    let steps = p.read("guides/steps.html");
    assert!(steps.contains(r#"href="../assets/playbook.css?v="#));
    assert!(steps.contains(r#"href="../index.html""#));
    let fi = p.read("fi/guides/steps.html");
    assert!(
        fi.contains(r##"href="../../guides/steps.html#the-steps""##),
        "{fi}"
    );
    assert!(!index.contains("href=\"/"), "no root-absolute links");
}

#[test]
fn the_reading_order_follows_nav_then_weight_then_name() {
    let p = built();
    let toc = p.read("toc.js");
    let order: Vec<usize> = [
        "index.html",
        "guides/index.html",
        "guides/tree.html",
        "guides/steps.html",
        "guides/clause.html",
        "last.html",
        "first.html",
    ]
    .iter()
    .map(|page| {
        toc.find(&format!("\\\"{page}\\\""))
            .unwrap_or_else(|| panic!("{page} not in toc: {toc}"))
    })
    .collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted, "{toc}");
    let first = p.read("last.html");
    assert!(
        first.contains(r#"rel="next""#) && first.contains("first.html"),
        "last → first by weight"
    );
}

#[test]
fn headings_get_ids_anchor_links_and_a_table_of_contents() {
    let p = built();
    let steps = p.read("guides/steps.html");
    assert!(steps.contains(r#"<h2 id="mitä-sanoa">"#), "{steps}");
    assert!(steps.contains(r##"<a class="pb-anchor" href="#mitä-sanoa""##));
    assert!(steps.contains(
        r##"<li class="pb-onthispage__level-2"><a href="#the-steps">The steps</a></li>"##
    ));
}

#[test]
fn gfm_features_render() {
    let p = built();
    let index = p.read("index.html");
    assert!(index.contains(r#"<div class="pb-alert pb-alert--warning" role="note">"#));
    assert!(index.contains("<table>"));
    assert!(index.contains("footnote-definition"));
    let first = p.read("first.html");
    assert!(first.contains("<del>strike</del>"));
    assert!(first.contains("“quotes”"), "smart punctuation");
    let steps = p.read("guides/steps.html");
    assert!(
        steps.contains(
            r#"class="pb-task" data-item="call-the-client" aria-label="Call the client""#
        ),
        "{steps}"
    );
    assert!(steps.contains(r#"aria-label="Write it down" checked"#));
}

#[test]
fn code_is_highlighted_at_build_time_and_unknown_languages_stay_plain() {
    let p = built();
    let steps = p.read("guides/steps.html");
    assert!(steps.contains(r#"<pre class="pb-code" data-lang="rust""#));
    assert!(steps.contains(r#"<span class="hl-"#));
    assert!(steps.contains("&lt;plain&gt;"));
    let css = p.read("assets/playbook.css");
    assert!(
        css.contains(".hl-"),
        "syntax colours are in the one stylesheet"
    );
    assert!(css.contains("prefers-color-scheme: dark"));
}

#[test]
fn clauses_have_fields_and_read_without_javascript() {
    let p = built();
    let clause = p.read("guides/clause.html");
    assert!(clause.contains(r#"<span class="pb-field" data-field="Provider">[Provider]</span>"#));
    assert_eq!(
        clause
            .matches(r#"<input type="text" data-field="Provider""#)
            .count(),
        1,
        "one field per name"
    );
    assert!(clause.contains("<p>Second paragraph.</p>"));
    assert!(clause.contains("Sample clauses are not legal advice"));
    assert!(
        !p.read("index.html").contains("not legal advice"),
        "the notice only shows with clauses"
    );
}

#[test]
fn trees_are_walkable_without_javascript() {
    let p = built();
    let tree = p.read("guides/tree.html");
    assert!(tree.contains(r#"id="keep--profitable""#));
    assert!(
        tree.contains(
            r##"<a class="pb-answer" href="#keep--end" data-next="end" data-answer="no">No<span class="pb-answer__goto" aria-hidden="true"> → 3</span></a>"##
        ),
        "{tree}"
    );
    assert!(tree.contains(r#"<svg class="pb-diagram""#));
    assert!(
        tree.contains(r#"href="steps.html""#) || tree.contains(r#"href="../guides/steps.html""#),
        "links in help are rewritten"
    );
}

#[test]
fn links_may_point_at_a_tree_and_its_title() {
    let tree = "```decision-tree\nid: keep\ntitle: Keep?\nnodes:\n  start:\n    question: Keep?\n    answers:\n      - label: \"Yes\"\n        next: a\n      - label: \"No\"\n        next: b\n  a:\n    outcome: A\n  b:\n    outcome: B\n```\n";
    let p = Project::new()
        .file(
            "content/index.md",
            &format!("# Home\n\n[The tree](#keep), [its title](#keep-title).\n\n{tree}"),
        )
        .file(
            "content/other.md",
            "# Other\n\n[That tree](index.md#keep).\n",
        );
    p.build().succeeds();
    assert!(p.read("other.html").contains("href=\"index.html#keep\""));
}

#[test]
fn everything_from_yaml_is_escaped() {
    let p = built();
    let index = p.read("index.html");
    assert!(index.contains("Fixture &lt;Book&gt;"));
    assert!(!index.contains("Fixture <Book>"));
}

#[test]
fn languages_get_their_own_tree_switcher_and_alternates() {
    let p = built();
    let fi = p.read("fi/guides/steps.html");
    assert!(fi.contains(r#"<html lang="fi""#));
    assert!(fi.contains(r#"<link rel="alternate" hreflang="en" href="https://example.org/book/guides/steps.html">"#), "{fi}");
    let en = p.read("guides/clause.html");
    assert!(
        en.contains("(not translated)"),
        "a page without a translation says so"
    );
    assert!(p.read("fi/toc.js").contains("fi/guides/steps.html"));
    assert!(!p.read("fi/toc.js").contains("\\\"guides/clause.html"));
}

#[test]
fn sitemap_robots_and_canonical_links_use_base_url() {
    let p = built();
    let sitemap = p.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/book/guides/steps.html</loc>"));
    assert!(
        p.read("robots.txt")
            .contains("Sitemap: https://example.org/book/sitemap.xml")
    );
    assert!(
        p.read("index.html")
            .contains(r#"<link rel="canonical" href="https://example.org/book/index.html">"#)
    );
}

#[test]
fn the_print_page_holds_every_page_in_order_with_unique_ids() {
    let p = built();
    let print = p.read("print.html");
    let a = print.find("Welcome").unwrap();
    let b = print.find("Between, by weight").unwrap();
    assert!(a < b);
    assert!(print.contains(r#"id="p"#));
    let ids: Vec<&str> = print
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids in print.html");
}

#[test]
fn the_sidebar_is_not_copied_into_every_page() {
    let p = built();
    let page = p.read("guides/steps.html");
    assert!(
        !page.contains("Between, by weight"),
        "other pages' titles stay out of a page, except prev/next"
    );
    assert!(page.contains("toc.js?v="));
    assert!(page.contains(r#"<noscript><iframe class="pb-sidebar__frame" src="../toc.html""#));
}

#[test]
fn the_build_output_is_snapshot_stable() {
    let p = built();
    let html = p.read("guides/tree.html");
    let start = html.find("<div class=\"pb-content\">").unwrap();
    let end = html.find("<details").unwrap();
    insta::assert_snapshot!("tree_page_body", &html[start..end]);
}

#[test]
fn the_print_page_shows_the_clause_notice_with_clauses_in_each_language() {
    let clause = "# Terms\n\n```clause title=\"Fee\"\n[[Client]] pays.\n```\n";
    let p = Project::new()
        .file(
            "book.yaml",
            "title: Print\nclause_notice: Not legal advice, EN.\nlanguages:\n  fi:\n    title: Tulosta\n    clause_notice: Ei oikeudellista neuvontaa, FI.\n",
        )
        .file("content/index.md", "# Home\n\nNo clauses here.\n")
        .file("content/index.fi.md", "# Koti\n\nEi lausekkeita.\n")
        .file("content/terms.md", clause)
        .file("content/terms.fi.md", clause);
    p.build().succeeds();
    for (print, notice) in [
        ("print.html", "Not legal advice, EN."),
        ("fi/print.html", "Ei oikeudellista neuvontaa, FI."),
    ] {
        let html = p.read(print);
        assert_eq!(html.matches(notice).count(), 1, "{print}: {html}");
        // In the article of the page with the clause, before the clause.
        let article = html.split("<article").find(|a| a.contains(notice)).unwrap();
        assert!(article.contains("pb-print__title\" id=\"p"), "{article}");
        let clause = article.find("class=\"pb-clause\"").expect("{article}");
        assert!(article.find(notice).unwrap() < clause, "{article}");
    }
}

#[test]
fn theme_strings_are_checked_against_english_and_fall_back_per_key() {
    let p = Project::new()
        .file(
            "book.yaml",
            "title: T\nlanguage: sv\nlanguages:\n  fi:\n    title: F\n",
        )
        .file("content/index.md", "# Hej\n")
        .file("content/index.fi.md", "# Moi\n")
        // Replaces the built-in fi.yaml: one key translated, one misspelt.
        .file(
            "themes/default/i18n/fi.yaml",
            "nav.contents: Sisältö FI\nsearch.lable: Haku\n",
        );
    let run = p.build().succeeds();
    // Messages are wrapped to the terminal's width.
    let said = run
        .stderr()
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("the theme has no strings for the language `sv`"),
        "{said}"
    );
    // One warning names every missing key, and only those.
    assert_eq!(said.matches("theme::string-missing").count(), 1, "{said}");
    assert!(
        said.contains("the English strings are shown for them"),
        "{said}"
    );
    assert!(said.contains("`theme.dark`"), "{said}");
    assert!(!said.contains("`nav.contents`"), "{said}");
    assert!(
        said.contains("themes/default/i18n/fi.yaml:2:1: the `fi` strings have `search.lable`"),
        "{said}"
    );
    assert!(said.contains("did you mean `search.label`?"), "{said}");
    let fi = p.read("fi/index.html");
    assert!(fi.contains("Sisältö FI"), "the translated key is used");
    assert!(
        fi.contains("\"theme.dark\":\"Dark theme\""),
        "English for the missing key alone"
    );
}

#[test]
fn the_built_in_strings_have_every_english_key() {
    let run = Project::new()
        .file("book.yaml", "title: T\nlanguages:\n  fi:\n    title: F\n")
        .file("content/index.md", "# Hi\n")
        .build()
        .succeeds();
    assert!(!run.stderr().contains("theme::string"), "{}", run.stderr());
}

#[test]
fn a_folder_without_an_index_page_has_a_title_and_sorts_by_its_pages() {
    let page = |title: &str, weight: i64| format!("---\nweight: {weight}\n---\n# {title}\n");
    let p = Project::new()
        .file("content/index.md", "# Home\n")
        .file("content/before.md", &page("Before", 1))
        .file("content/during-work/call.md", &page("Call", 5))
        .file("content/during-work/write.md", &page("Write", 6))
        .file("content/after.md", &page("After", 10));
    p.build().succeeds();
    let toc = p.read("toc.js");
    let order: Vec<usize> = [
        "Before",
        "<span>During work</span>",
        "Call",
        "Write",
        "After",
    ]
    .iter()
    .map(|s| toc.find(s).unwrap_or_else(|| panic!("{s} in {toc}")))
    .collect();
    assert!(order.is_sorted(), "{toc}");
}

/// `nav:` may name a folder that holds only a subfolder with an index
/// page, whichever page the book reads first.
#[test]
fn nav_may_name_a_folder_that_holds_only_an_indexed_subfolder() {
    let p = Project::new()
        .file("book.yaml", "title: T\nnav: [\"x/y/\", x/]\n")
        .file("content/index.md", "# Home\n")
        .file("content/x/y/z/index.md", "# Zed\n");
    p.build().succeeds();
    let toc = p.read("toc.js");
    assert!(toc.contains("x/y/z/index.html"), "{toc}");
}
