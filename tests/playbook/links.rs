//! Links and ids as pages and the print page show them: the renderer marks
//! where the way to the site root and the print page's id prefixes go, so
//! text that only looks like a link or an attribute is left as written.

use std::collections::HashSet;

use playbook::markdown::MarkKind;

use crate::Project;
use crate::fuzz_harness::render_page;

/// A page two folders down, so its way back to the root is `../../`.
const NESTED: &str = "content/a/b/page.md";

#[test]
fn text_that_looks_like_a_root_link_is_left_as_written() {
    let page = "# Page\n\nWrite \\~pb-root\\~/x.html in prose and [a link](../../other.md).\n\n\
```\n<a href=\"~pb-root~/x.html\">~pb-root~/</a>\n```\n\nAnd `~pb-root~/inline`.\n";
    let p = built(
        Project::new()
            .file(NESTED, page)
            .file("content/other.md", "# Other\n"),
    );
    for (file, root) in [("a/b/page.html", "../../"), ("print.html", "")] {
        let html = p.read(file);
        for text in [
            "<p>Write ~pb-root~/x.html in prose",
            "<code>&lt;a href=&quot;~pb-root~/x.html&quot;&gt;~pb-root~/&lt;/a&gt;\n</code>",
            "<code>~pb-root~/inline</code>",
            &format!("<a href=\"{root}other.html\">a link</a>"),
        ] {
            assert!(html.contains(text), "{file} lacks {text}: {html}");
        }
    }
}

#[test]
fn raw_html_is_printed_as_written() {
    let page = "# Page\n\n<div class=\"note\">\nSet id=\"main\" and href=\"#top\" and for=\"x\".\n</div>\n\n\
See <a href=\"other.md\" id=\"raw\">raw</a>, <abbr title='x id=\"y\"'>X</abbr> and [the top](#page).\n";
    let p = built(Project::new().file(NESTED, page));
    let print = p.read("print.html");
    let i = page_number(&print, "Page");
    let top = format!(r##"<a href="#p{i}-page">the top</a>"##);
    for raw in [
        r##"Set id="main" and href="#top" and for="x"."##,
        r#"<a href="other.md" id="raw">raw</a>"#,
        r#"<abbr title='x id="y"'>X</abbr>"#,
        &top,
    ] {
        assert!(print.contains(raw), "print.html lacks {raw}: {print}");
    }
    let page = p.read("a/b/page.html");
    assert!(
        page.contains(r##"Set id="main" and href="#top""##),
        "{page}"
    );
    assert!(
        page.contains(r#"<a href="other.md" id="raw">raw</a>"#),
        "{page}"
    );
}

#[test]
fn the_print_page_has_unique_ids_and_every_reference_resolves() {
    let shared = |other: &str| {
        format!(
            "# Notes\n\n## Steps\n\nSee [the steps](#steps), [theirs]({other}#steps) and a note.[^1]\n\n\
## Steps\n\nAgain.\n\n[^1]: The note.\n\n\
```clause title=\"Fee\"\n[[Client]] pays.\n```\n\n\
```decision-tree\ntitle: Keep?\nnodes:\n  start:\n    question: Keep?\n    help: See [the steps](#steps).\n    answers:\n      - label: \"Yes\"\n        next: stay\n      - label: \"No\"\n        next: go\n  stay:\n    outcome: Keep\n  go:\n    outcome: Drop\n```\n"
        )
    };
    let p = built(
        Project::new()
            .file("content/index.md", &shared("a/b/page.md"))
            .file(NESTED, &shared("../../index.md")),
    );
    let print = p.read("print.html");
    let mut ids = HashSet::new();
    for (_, attrs) in &tags(&print) {
        for (name, value) in attrs {
            if name == "id" {
                assert!(
                    ids.insert(value.clone()),
                    "id `{value}` twice in print.html"
                );
            }
        }
    }
    // The pages' part: the theme's own controls name elements its
    // scripts add.
    let main = &print[print.find("<main").unwrap()..print.find("</main>").unwrap()];
    let mut references = 0;
    for (tag, attrs) in &tags(main) {
        for (name, value) in attrs {
            let named = named_ids(name, value);
            for id in named {
                references += 1;
                assert!(
                    ids.contains(id),
                    "<{tag} {name}=\"{value}\"> names no id of print.html"
                );
            }
        }
    }
    // Headings, anchors, footnotes, the trees' answers, labels and
    // diagram arrows, in both pages.
    assert!(references > 40, "{references} references");
}

#[test]
fn an_email_autolink_is_a_mailto_link_not_a_missing_file() {
    let p = built(Project::new().file("content/index.md", "# Home\n\nMail <me@example.org>.\n"));
    let home = p.read("index.html");
    assert!(
        home.contains(r#"<a href="mailto:me@example.org">me@example.org</a>"#),
        "{home}"
    );
}

#[test]
fn every_mark_sits_at_the_start_of_a_url_or_an_id() {
    let page = "# Fuzz [home](../index.md)\n\n## Steps {#steps}\n\n\
See [call](call.md#before), [the form](form.pdf?x=1#p2 \"Form\"), [here](#steps), \
![a *form*](form.pdf \"t\") and a note.[^n]\n\n\
<a href=\"call.md\" id=\"raw\">raw</a>\n\n\
| [t](../index.md#start-here) | ![i](form.pdf) |\n|---|---|\n| a | b |\n\n\
[^n]: The [note](call.md).\n\n\
```clause title=\"Fee\"\n[[Client]] pays.\n```\n\n\
```decision-tree\ntitle: Keep?\nnodes:\n  start:\n    question: Keep?\n    help: See [the call](call.md).\n    answers:\n      - label: \"Yes\"\n        next: stay\n      - label: \"No\"\n        next: go\n  stay:\n    outcome: Keep\n    text: Read [the form](form.pdf).\n  go:\n    outcome: Drop\n```\n";
    let rendered = render_page(page).expect("renders");
    let errors: Vec<_> = rendered
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let html = &*rendered.html;
    let (mut roots, mut ids) = (Vec::new(), 0);
    for mark in rendered.marks.iter() {
        let before = &html[..mark.at];
        let after = &html[mark.at..];
        match mark.kind {
            MarkKind::Root => {
                assert!(
                    before.ends_with("href=\"") || before.ends_with("src=\""),
                    "a root mark after {:?}",
                    &before[before.len().saturating_sub(40)..]
                );
                roots.push(&after[..after.find('"').unwrap_or(after.len())]);
            }
            MarkKind::Id => {
                let attribute = ["id=\"", "href=\"#", "for=\"", "url(#", "labelledby=\""]
                    .iter()
                    .any(|a| before.ends_with(a));
                let another = before.ends_with(' ')
                    && before[..before.len() - 1].ends_with(|c: char| c != '"');
                assert!(
                    attribute || another,
                    "an id mark after {:?}",
                    &before[before.len().saturating_sub(40)..]
                );
                ids += 1;
            }
        }
    }
    assert_eq!(
        roots,
        [
            "index.html",
            "how-to/call.html#before",
            "how-to/form.pdf?x=1#p2",
            "how-to/form.pdf",
            "index.html#start-here",
            "how-to/form.pdf",
            "how-to/call.html",
            "how-to/call.html",
            "how-to/form.pdf",
        ],
        "{html}"
    );
    assert!(ids > 30, "{ids} id marks: {html}");
    assert!(
        html.contains(r#"<a href="call.md" id="raw">raw</a>"#),
        "{html}"
    );
}

/// The ids an attribute names: a `#` link's, a label's, ARIA references
/// and an SVG `url(#…)`.
fn named_ids<'a>(name: &str, value: &'a str) -> Vec<&'a str> {
    match name {
        "href" => value.strip_prefix('#').into_iter().collect(),
        "for" => vec![value],
        "aria-labelledby" | "aria-describedby" | "aria-controls" => {
            value.split_whitespace().collect()
        }
        _ => value
            .strip_prefix("url(#")
            .and_then(|v| v.strip_suffix(')'))
            .into_iter()
            .collect(),
    }
}

/// Builds the project, which must succeed.
fn built(project: Project) -> Project {
    project.build().succeeds();
    project
}

/// The number in the print page's ids of the page titled `title`.
fn page_number(print: &str, title: &str) -> String {
    let heading = format!("\">{title}</h2>");
    let end = print.find(&heading).expect("the page's title");
    let start = print[..end].rfind("id=\"p").expect("the title's id") + 5;
    print[start..end].trim_end_matches("-title").to_string()
}

/// The start tags of an HTML document with their attributes, read as a
/// browser tokenizes them: text, comments and the contents of `script` and
/// `style` are skipped, and attribute values may be quoted either way or
/// not at all. Character references are left as written.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                rest = rest.get(1..).unwrap_or("");
                break;
            }
            let key_end = rest
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
                .unwrap_or(rest.len())
                .max(1);
            let key = rest[..key_end].to_ascii_lowercase();
            rest = rest[key_end..].trim_start();
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let (v, tail) = match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let body = &after[1..];
                        let end = body.find(q).unwrap_or(body.len());
                        (&body[..end], body.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                value = v.to_string();
                rest = tail;
            }
            attrs.push((key, value));
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = rest.find(&close).map_or("", |end| &rest[end..]);
        }
        out.push((name, attrs));
    }
    out
}

/// Marks cross the theme's block templates as a NUL and a letter; a NUL in
/// an author's text is replaced when it is escaped, so it can never pass
/// for one and move an id prefix into the text.
#[test]
fn a_nul_in_a_tree_cannot_pass_for_a_mark() {
    let tree = "```decision-tree\nid: t\ntitle: \"Keep\\0i?\"\nnodes:\n  start:\n    question: \"Go\\0r on?\"\n    answers:\n      - label: \"Yes\\0i\"\n        next: stay\n      - label: \"No\"\n        next: go\n  stay:\n    outcome: \"Keep\\0i\"\n    checklist: [\"Tick\\0i\"]\n  go:\n    outcome: Drop\n```\n";
    let p = built(Project::new().file("content/index.md", &format!("# Home\n\n{tree}")));
    let page = p.read("index.html");
    let print = p.read("print.html");
    for html in [&page, &print] {
        assert!(!html.contains('\0'), "a NUL in the output");
        for text in [
            "Keep\u{FFFD}i?",
            "Go\u{FFFD}r on?",
            "Yes\u{FFFD}i",
            "Tick\u{FFFD}i",
        ] {
            assert!(html.contains(text), "{text} not written as given");
        }
    }
    assert!(page.contains("id=\"t--start\""), "{page}");
    assert!(print.contains("id=\"p0-t--start\""), "{print}");
}

/// A tree's help, outcome text and checklist items are markdown like the
/// page's own: links and images are rewritten and checked, and placed by
/// position on the page and on the print page.
#[test]
fn links_and_images_inside_trees_are_rewritten_and_checked() {
    let tree = |image: &str| {
        format!(
            "```decision-tree\nid: t\ntitle: Keep?\nnodes:\n  start:\n    question: Keep?\n    help: \"See ![the chart]({image}) and a note[^1].\"\n    answers:\n      - label: \"Yes\"\n        next: stay\n      - label: \"No\"\n        next: go\n  stay:\n    outcome: Keep\n    checklist: [\"Read [the home page](../../index.md)\"]\n  go:\n    outcome: Drop\n    text: \"![Chart](../../chart.png)\"\n```\n"
        )
    };
    let p = built(
        Project::new()
            .file("content/index.md", "# Home\n")
            .file("content/chart.png", "png")
            .file(NESTED, &format!("# Nested\n\n{}", tree("../../chart.png"))),
    );
    let page = p.read(&NESTED.replace("content/", "").replace(".md", ".html"));
    assert!(
        page.contains("<img src=\"../../chart.png\" alt=\"the chart\" />"),
        "{page}"
    );
    assert!(
        page.contains("href=\"../../index.html\">the home page</a>"),
        "{page}"
    );
    assert!(
        page.contains("a note[^1]."),
        "a footnote in a block is text: {page}"
    );
    let print = p.read("print.html");
    assert!(
        print.contains("<img src=\"chart.png\" alt=\"the chart\" />"),
        "{print}"
    );
    assert!(
        print.contains("href=\"index.html\">the home page</a>"),
        "{print}"
    );

    let broken = Project::new()
        .file("content/index.md", "# Home\n")
        .file(NESTED, &format!("# Nested\n\n{}", tree("missing.png")));
    broken
        .build()
        .fails_with(&["content/a/b/page.md", "missing.png"]);
}

/// Every reference to an id that the theme's pages write (`for`, ARIA
/// references, `#` links) names an element of the same page, on the
/// pages that have no sidebar too.
#[test]
fn every_page_kind_names_only_ids_it_has() {
    let p = built(
        Project::new()
            .file(
                "content/index.md",
                "# Home\n\n## Part\n\nSee [part](#part).\n",
            )
            .file("content/other.md", "# Other\n"),
    );
    for path in [
        "index.html",
        "other.html",
        "print.html",
        "search.html",
        "404.html",
    ] {
        let html = p.read(path);
        let tags = tags(&html);
        let ids: HashSet<&str> = tags
            .iter()
            .flat_map(|(_, attrs)| attrs.iter())
            .filter(|(name, _)| name == "id")
            .map(|(_, value)| value.as_str())
            .collect();
        for (tag, attrs) in &tags {
            for (name, value) in attrs {
                let named = named_ids(name, value);
                for id in named {
                    assert!(
                        ids.contains(id),
                        "{path}: <{tag} {name}=\"{value}\"> names no id of the page"
                    );
                }
            }
        }
    }
}

/// File and folder names with characters a URL reads otherwise (`?`, `#`,
/// `%`, a space) give links that reach them: every relative `href` and
/// `src` on every page, decoded as a browser decodes it, names a file of
/// the site.
#[test]
fn names_with_url_characters_are_linked_encoded() {
    let p = built(
        Project::new()
            .file(
                "content/index.md",
                "# Home\n\n[Now](what%3F.md), [hash](a%23b.md), [all](100%25.md), [deep](q%3F/x%20y.md), ![pic](img%231.png)\n",
            )
            .file("content/what?.md", "# What now?\n")
            .file("content/a#b.md", "# A hash\n")
            .file("content/100%.md", "# All of it\n")
            .file("content/q?/x y.md", "# Deep\n\n[Back](../what%3F.md)\n")
            .file("content/img#1.png", "png"),
    );
    let site = p.out("");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let dir = entry.path().parent().unwrap();
        for (_, attrs) in tags(&html) {
            for (name, value) in attrs {
                if name != "href" && name != "src" {
                    continue;
                }
                let value = value.replace("&amp;", "&");
                if value.starts_with('#') || value.contains("://") || value.starts_with("mailto:") {
                    continue;
                }
                let path = value.split(['#', '?']).next().unwrap();
                if path.is_empty() || path.starts_with("data:") {
                    continue;
                }
                let decoded = playbook::html::percent_decode(path);
                let target = dir.join(&decoded);
                let target = if path.ends_with('/') {
                    target.join("index.html")
                } else {
                    target
                };
                assert!(
                    target.exists(),
                    "{}: `{value}` names no file ({})",
                    entry.path().display(),
                    target.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked} links checked");
    let home = p.read("index.html");
    for href in [
        "what%3F.html",
        "a%23b.html",
        "100%25.html",
        "q%3F/x%20y.html",
        "img%231.png",
    ] {
        assert!(home.contains(href), "{href} not in the home page");
    }
}
