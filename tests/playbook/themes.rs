//! A project's theme: extending the built-in templates, strict variables,
//! and the context every page-like template receives.

use crate::Project;

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
fn a_project_english_strings_file_falls_back_to_the_built_in_one_per_key() {
    let p = Project::new()
        .file("content/index.md", "# Home\n")
        .file("themes/default/i18n/en.yaml", "nav.menu: Open the menu\n");
    p.build().succeeds();
    let index = p.read("index.html");
    assert!(index.contains(">Open the menu</button>"), "{index}");
    assert!(index.contains(">Skip to content</a>"), "{index}");
}
