//! A project's theme: extending the built-in templates, strict variables,
//! and the context every page-like template receives; the README's Theme
//! reference against the theme's files.

use crate::{Project, Run};

fn book() -> Project {
    Project::new()
        .file("book.yaml", "title: T\nlanguages:\n  fi:\n    title: F\n")
        .file("content/index.md", "# Home\n\nHello.\n")
        .file("content/index.fi.md", "# Koti\n")
}

#[test]
fn a_project_template_can_extend_the_built_in_one_and_change_one_block() {
    let p = book().file(
        "themes/default/templates/page.html",
        "{% extends \"builtin/page.html\" %}\n{% block body_class %}my-body{% endblock %}\n",
    );
    p.build().succeeds();
    let index = p.read("index.html");
    assert!(index.contains("<body class=\"my-body\">"), "{index}");
    assert!(
        !index.contains("pb-kind-"),
        "the block is replaced: {index}"
    );
    // The rest is the built-in markup.
    assert!(index.contains("data-page=\"index.html\""), "{index}");
    assert!(index.contains("<div class=\"pb-content\">"), "{index}");
    assert!(index.contains("<p>Hello.</p>"), "{index}");
    assert!(index.contains("id=\"pb-strings\""), "{index}");
    assert!(index.contains("class=\"pb-footer\""), "{index}");
}

#[test]
fn a_misspelt_variable_in_a_project_template_is_a_located_error() {
    let p = book().file(
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}\n{% block body %}\n<p>{{ site.titel }}</p>\n{% endblock %}\n",
    );
    let run = p.build().fails_with(&[
        "themes/default/templates/404.html:3:",
        "undefined",
        "<p>{{ site.titel }}</p>",
    ]);
    assert!(
        !run.stderr().contains("(built-in theme)"),
        "{}",
        run.stderr()
    );
    assert!(!p.out("404.html").exists(), "no page with a hole in it");
}

#[test]
fn a_misspelt_variable_in_a_built_in_block_is_located_in_the_project_file() {
    let p = book().file(
        "themes/default/templates/page.html",
        "{% extends \"builtin/page.html\" %}\n{% block title %}{{ page.titel }}{% endblock %}\n",
    );
    p.build()
        .fails_with(&["themes/default/templates/page.html:2:", "undefined"]);
}

/// Prints the variables every page-like template receives.
const COMMON: &str = "{% extends \"base.html\" %}{% block body %}\
<pre id=\"common\">lang={{ lang }} root={{ root }} title={{ site.title }} \
home={{ site.home }} print={{ site.print }} search={{ site.search }} \
css={{ assets.css }} toc={{ assets.toc_html }} label={{ strings[\"search.label\"] }} \
json={{ strings_json|length > 2 }} base={{ base_href is none }} \
languages={% for l in languages %}{{ l.code }}:{{ l.href }}:{{ l.current }};{% endfor %}</pre>\
{% endblock %}";

#[test]
fn every_page_like_template_reads_the_same_common_variables() {
    let mut p = book();
    for name in ["page", "print", "search", "404"] {
        p = p.file(&format!("themes/default/templates/{name}.html"), COMMON);
    }
    p.build().succeeds();
    for (file, own) in [
        ("index.html", "index.html"),
        ("print.html", "print.html"),
        ("search.html", "search.html"),
        ("404.html", "404.html"),
    ] {
        let html = p.read(file);
        let expected = "lang=en root= title=T home=index.html print=print.html \
search=search.html css=assets/playbook.css?v=";
        assert!(html.contains(expected), "{file}: {html}");
        assert!(
            html.contains(
                "toc=toc.html label=Search json=True base=True \
languages=en:"
            ),
            "{file}: {html}"
        );
        assert!(
            html.contains(&format!("languages=en:{own}:True;fi:fi/{own}:False;</pre>")),
            "{file}: {html}"
        );
        let fi = p.read(&format!("fi/{file}"));
        assert!(
            fi.contains("lang=fi root=../ title=F home=../fi/index.html"),
            "fi/{file}: {fi}"
        );
        assert!(
            fi.contains(&format!(
                "languages=en:../{own}:False;fi:../fi/{own}:True;</pre>"
            )),
            "fi/{file}: {fi}"
        );
    }
}

#[test]
fn a_project_template_under_builtin_is_a_warning_that_names_it() {
    let p = book()
        .file(
            "themes/default/templates/builtin/page.html",
            "{% extends \"base.html\" %}{% block body %}MINE{% endblock %}\n",
        )
        .file("themes/default/templates/builtin/extra.html", "Extra\n");
    for command in ["check", "build"] {
        let run = Run(p.cmd().arg(command).output().unwrap()).succeeds();
        // Messages are wrapped to the terminal's width, inside paths too:
        // compared without spaces.
        let said: String = run
            .stderr()
            .split_whitespace()
            .filter(|w| *w != "│")
            .collect();
        for needle in [
            "theme::reserved-name",
            "themes/default/templates/builtin/page.html:1:1: \
`themes/default/templates/builtin/page.html` is not used: \
names under `builtin/` are reserved for the built-in templates",
            "to replace the built-in `page.html`, move the file to \
`themes/default/templates/page.html`; it can still extend `builtin/page.html`",
            "themes/default/templates/builtin/extra.html:1:1: \
`themes/default/templates/builtin/extra.html` is not used",
            "move the file out of `themes/default/templates/builtin/`, \
such as to `themes/default/templates/extra.html`",
        ] {
            let needle = needle.replace(' ', "");
            assert!(
                said.contains(&needle),
                "{command}: lacks {needle:?}: {said}"
            );
        }
        if command == "check" {
            // Two pages without a description, and these two.
            assert!(said.contains("checkpassed:0errors,4warnings"), "{said}");
        }
    }
    let index = p.read("index.html");
    assert!(!index.contains("MINE"), "the file is not used: {index}");
}

#[test]
fn a_project_english_strings_file_falls_back_to_the_built_in_one_per_key() {
    let p = Project::new()
        .file("content/index.md", "# Home\n")
        .file("themes/default/i18n/en.yaml", "nav.menu: Open the menu\n");
    p.build().succeeds();
    let index = p.read("index.html");
    assert!(index.contains(">Open the menu</button>"), "{index}");
    assert!(index.contains(">Skip to content</a>"), "{index}");
}

/// A page with every block a theme writes, its author text hostile.
const BLOCKS_PAGE: &str = r#"# Blocks

## Use `<script>x</script>` "here"

> [!NOTE]
> Read this first: 1 < 2 & 3.

```clause title="Pay <b>now</b>"
If [[Client <x>]] pays, [[Provider]] says "thanks" & <em>more</em>.
```

```decision-tree
id: pick
title: Pick <script>alert(1)</script>
nodes:
  q:
    question: Is it <script>bad</script>?
    answers:
      - label: "Yes <i>"
        next: done
      - label: "No"
        next: other
  done:
    outcome: Done <b>now</b>
    checklist:
      - Tick it
  other:
    outcome: Other
```
"#;

fn blocks_book() -> Project {
    Project::new().file("content/index.md", BLOCKS_PAGE).file(
        "themes/default/i18n/en.yaml",
        "alert.note: \"Note <script>n</script>\"\n",
    )
}

/// No author value reaches the page unescaped, whichever template writes it.
fn assert_escaped(html: &str) {
    for raw in [
        "<script>alert(1)",
        "<script>bad",
        "<script>x",
        "<script>n",
        "<b>now",
        "<x>",
        "<i>\"",
        "<em>more",
        "\"thanks\"",
    ] {
        assert!(!html.contains(raw), "{raw} is not escaped: {html}");
    }
}

#[test]
fn the_built_in_block_templates_escape_every_author_value() {
    let p = blocks_book();
    p.build().succeeds();
    let html = p.read("index.html");
    assert_escaped(&html);
    for escaped in [
        "<h2 class=\"pb-tree__title\" id=\"pick-title\">Pick &lt;script&gt;alert(1)&lt;/script&gt;</h2>",
        "<span class=\"pb-node__number\">1.</span> Is it &lt;script&gt;bad&lt;/script&gt;?</h3>",
        "data-answer=\"yes-i\">Yes &lt;i&gt;<span class=\"pb-answer__goto\"",
        "<span class=\"pb-node__number\">2.</span> Done &lt;b&gt;now&lt;/b&gt;</h3>",
        "<figcaption class=\"pb-clause__title\">Pay &lt;b&gt;now&lt;/b&gt;</figcaption>",
        "<span class=\"pb-field\" data-field=\"Client &lt;x&gt;\">[Client &lt;x&gt;]</span>",
        " says &quot;thanks&quot; &amp; &lt;em&gt;more&lt;/em&gt;.</p>",
        "aria-label=\"Link to this section: Use &lt;script&gt;x&lt;/script&gt;",
        "<p class=\"pb-alert__title\">Note &lt;script&gt;n&lt;/script&gt;</p>",
        // Markdown escapes the alert's text once; the template adds nothing.
        "<p>Read this first: 1 &lt; 2 &amp; 3.</p>\n</div>\n",
    ] {
        assert!(html.contains(escaped), "{escaped}: {html}");
    }
}

#[test]
fn a_project_theme_replaces_each_block_template() {
    let p = blocks_book()
        .file(
            "themes/default/templates/blocks/result.html",
            "<div class=\"my-result\" data-x=\"{{ node.heading }}\">{{ node.heading }} \
{% for item in node.checklist %}{{ item.html }}{% endfor %}</div>\n",
        )
        .file(
            "themes/default/templates/blocks/clause.html",
            "<div class=\"my-clause\" id=\"{{ clause.id }}\" title=\"{{ clause.title }}\">\
{% for p in clause.paragraphs %}{% for piece in p %}{% if piece.field %}<i data-f=\"{{ piece.field }}\">{{ piece.field }}</i>{% else %}{{ piece.text }}{% endif %}{% endfor %}{% endfor %}\
{% for f in clause.fields %}<b title=\"{{ f }}\"></b>{% endfor %}</div>\n",
        )
        .file(
            "themes/default/templates/blocks/heading-anchor.html",
            " <a class=\"my-anchor\" href=\"#{{ heading.id }}\" title=\"{{ heading.text }}\" data-level=\"{{ heading.level }}\">¶</a>",
        )
        .file(
            "themes/default/templates/blocks/alert.html",
            "<aside class=\"my-alert my-alert--{{ alert.kind }}\" title=\"{{ alert.title }}\">{{ alert.content }}</aside>\n",
        );
    p.build().succeeds();
    let html = p.read("index.html");
    assert_escaped(&html);
    for shown in [
        // The built-in tree.html includes the project's result.html.
        "<div class=\"my-result\" data-x=\"Done &lt;b&gt;now&lt;/b&gt;\">Done &lt;b&gt;now&lt;/b&gt; Tick it</div>\n",
        "<div class=\"my-result\" data-x=\"Other\">Other </div>\n",
        "<section class=\"pb-node pb-node--question pb-node--start\" id=\"pick--q\"",
        "<div class=\"my-clause\" id=\"clause-pay-bnowb\" title=\"Pay &lt;b&gt;now&lt;/b&gt;\">If <i data-f=\"Client &lt;x&gt;\">Client &lt;x&gt;</i> pays,",
        "<b title=\"Client &lt;x&gt;\"></b><b title=\"Provider\"></b></div>\n",
        "<h1 id=\"blocks\">Blocks <a class=\"my-anchor\" href=\"#blocks\" title=\"Blocks\" data-level=\"1\">¶</a></h1>\n",
        "title=\"Use &lt;script&gt;x&lt;/script&gt; “here”\" data-level=\"2\">¶</a></h2>",
        "<aside class=\"my-alert my-alert--note\" title=\"Note &lt;script&gt;n&lt;/script&gt;\">\n<p>Read this first: 1 &lt; 2 &amp; 3.</p>\n</aside>\n",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    for gone in [
        "pb-node--outcome",
        "pb-clause__title",
        "pb-anchor",
        "pb-alert--note",
    ] {
        assert!(!html.contains(gone), "{gone}: {html}");
    }
}

#[test]
fn a_project_block_template_can_extend_the_built_in_one() {
    let p = blocks_book()
        .file(
            "themes/default/templates/blocks/tree.html",
            "{% extends \"builtin/blocks/tree.html\" %}\n\
{% block question %}<p class=\"my-question\" title=\"{{ node.heading }}\">{{ node.heading }}</p>\n{% endblock %}\n\
{% block diagram %}{% endblock %}\n",
        )
        .file(
            "themes/default/templates/blocks/clause.html",
            "{% extends \"builtin/blocks/clause.html\" %}{% block tools %}<p class=\"my-tools\">{{ clause.title }}</p>\n{% endblock %}",
        );
    p.build().succeeds();
    let html = p.read("index.html");
    assert_escaped(&html);
    for shown in [
        "<p class=\"my-question\" title=\"Is it &lt;script&gt;bad&lt;/script&gt;?\">Is it &lt;script&gt;bad&lt;/script&gt;?</p>\n",
        // The rest is the built-in markup, outcomes included.
        "<h2 class=\"pb-tree__title\" id=\"pick-title\">",
        "<section class=\"pb-node pb-node--outcome\" id=\"pick--done\"",
        "<p class=\"my-tools\">Pay &lt;b&gt;now&lt;/b&gt;</p>\n</figure>",
        "<figcaption class=\"pb-clause__title\">",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    for gone in [
        "pb-node--question",
        "pb-tree__diagram",
        "<svg",
        "pb-clause__tools",
    ] {
        assert!(!html.contains(gone), "{gone}: {html}");
    }
}

#[test]
fn a_template_error_in_a_block_template_is_located_once_per_page() {
    let p = blocks_book().file(
        "themes/default/templates/blocks/heading-anchor.html",
        "{# the anchor #}\n <a href=\"#{{ heading.idd }}\">#</a>",
    );
    let run = p.build().fails_with(&[
        "themes/default/templates/blocks/heading-anchor.html:2:",
        "undefined",
        "<a href=\"#{{ heading.idd }}\">#</a>",
        "while rendering `content/index.md`",
    ]);
    assert_eq!(
        run.stderr()
            .matches("template error: undefined value")
            .count(),
        1,
        "two headings, one report: {}",
        run.stderr()
    );

    // Inside the built-in tree, the project's outcome template is named.
    let p = blocks_book().file(
        "themes/default/templates/blocks/result.html",
        "<div>\n{{ node.outcom }}\n</div>\n",
    );
    p.build().fails_with(&[
        "themes/default/templates/blocks/result.html:2:",
        "undefined",
    ]);
}

#[test]
fn an_alert_template_must_print_the_content_once() {
    let p = blocks_book().file(
        "themes/default/templates/blocks/alert.html",
        "<aside>{{ alert.title }}</aside>\n",
    );
    p.build()
        .fails_with(&["`blocks/alert.html` must print `{{ alert.content }}` exactly once"]);
}

/// Every file of the English search index, by name.
fn index_files(p: &Project) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(p.out("search/en"))
        .expect("the index folder")
        .map(|entry| {
            let name = entry.expect("an index file").file_name();
            let name = name.to_string_lossy().into_owned();
            let text = p.read(&format!("search/en/{name}"));
            (name, text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn block_markup_from_the_theme_does_not_change_the_search_index() {
    let plain = blocks_book();
    plain.build().succeeds();
    let themed = blocks_book()
        .file(
            "themes/default/templates/blocks/tree.html",
            "<div class=\"tree-zebra\"><h2>Zebra {{ tree.title }}</h2>\
{% for node in tree.nodes %}<h3>{{ node.heading }}</h3>{{ node.help or \"\" }}\
{% for a in node.answers %}<p>{{ a.label }} Giraffe</p>{% endfor %}{% endfor %}</div>\n",
        )
        .file(
            "themes/default/templates/blocks/heading-anchor.html",
            " <a class=\"my-anchor\" href=\"#{{ heading.id }}\">Permalink</a>",
        );
    themed.build().succeeds();
    assert!(themed.read("index.html").contains("tree-zebra"));
    assert!(themed.read("index.html").contains(">Permalink</a>"));
    assert_eq!(index_files(&plain), index_files(&themed));
    let words = themed.read("search/en/w0.json");
    for word in ["\"zebra\"", "\"giraffe\"", "\"permalink\""] {
        assert!(!words.contains(word), "{word} is the theme's: {words}");
    }
    for word in [
        "\"pick\"",
        "\"bad\"",
        "\"tick\"",
        "\"provider\"",
        "\"thanks\"",
    ] {
        assert!(words.contains(word), "{word} is the author's: {words}");
    }
}

#[test]
fn a_heading_still_weighs_more_in_the_search_index() {
    let p = Project::new()
        .file(
            "content/index.md",
            "# Home\n\n## Quokka care\n\nSome words here.\n",
        )
        .file(
            "content/other.md",
            "# Other\n\nQuokka care some words here.\n",
        );
    p.build().succeeds();
    let meta: serde_json::Value = serde_json::from_str(&p.read("search/en/meta.json")).unwrap();
    let pages = meta["pages"].as_array().unwrap();
    let stems: serde_json::Value = serde_json::from_str(&p.read("search/en/s0.json")).unwrap();
    let stems = stems.as_array().unwrap();
    let at = stems.iter().position(|s| s == "quokka").expect("indexed");
    let postings = stems[at + 1].as_array().unwrap();
    // [page, weight, page gap, weight]
    let mut page = 0;
    let mut weights = std::collections::HashMap::new();
    for pair in postings.chunks(2) {
        page += pair[0].as_u64().unwrap() as usize;
        weights.insert(pages[page].as_str().unwrap(), pair[1].as_u64().unwrap());
    }
    assert!(weights["index.html"] > weights["other.html"], "{weights:?}");
}

/// The README's "Theme reference" section.
fn theme_reference() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("read the README");
    let start = readme.find("### Theme reference").expect("the section");
    let end = readme[start..]
        .find("\n## ")
        .map_or(readme.len(), |n| start + n);
    readme[start..end].to_string()
}

fn theme_file(path: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|err| panic!("{path}: {err}"))
}

#[test]
fn the_theme_reference_names_every_core_global() {
    let reference = theme_reference();
    let core = theme_file("components/_core/core.js");
    let globals: Vec<&str> = core
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("function ")
                .or_else(|| line.strip_prefix("var "))?;
            let end = rest.find(|c: char| !c.is_alphanumeric() && c != '_')?;
            Some(&rest[..end])
        })
        .collect();
    assert!(globals.len() > 10, "{globals:?}");
    for name in globals {
        assert!(
            reference.contains(&format!("`{name}`")) || reference.contains(&format!("`{name}(")),
            "the Theme reference does not name `{name}`"
        );
    }
}

#[test]
fn the_theme_reference_names_every_custom_property_and_what_search_leaves_out() {
    let reference = theme_reference();
    let mut css = String::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.expect("walk the theme");
        if entry.path().extension().is_some_and(|e| e == "css") {
            css.push_str(&std::fs::read_to_string(entry.path()).expect("read a stylesheet"));
        }
    }
    let mut defined: Vec<&str> = css
        .match_indices("--pb-")
        .filter_map(|(at, _)| {
            let rest = &css[at..];
            let end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '-')?;
            rest[end..]
                .trim_start()
                .starts_with(':')
                .then(|| &rest[..end])
        })
        .collect();
    defined.sort_unstable();
    defined.dedup();
    assert!(defined.len() > 20, "{defined:?}");
    for name in defined {
        // `--pb-danger` … "and each `-bg`" names the tints.
        let tint_of = name.strip_suffix("-bg").map(|base| format!("`{base}`"));
        assert!(
            reference.contains(&format!("`{name}`"))
                || tint_of.is_some_and(|base| reference.contains(&base)),
            "the Theme reference does not name `{name}`"
        );
    }

    let search = theme_file("components/search/search.js");
    let skip = search
        .split("var SKIP = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("search's list of what it leaves out");
    for selector in skip.split(',').map(str::trim) {
        assert!(
            reference.contains(&format!("`{selector}`")),
            "the Theme reference does not name `{selector}`, which search leaves out"
        );
    }
}
