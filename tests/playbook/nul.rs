//! NUL characters in a page: CommonMark asks that each become U+FFFD, so
//! none reaches a page, the print page, the search index or a diagnostic,
//! and none can pass for the marks that cross the theme's block templates.

use crate::Project;

/// A page with a raw NUL in each place a page's text goes.
const GUIDE: &str = "---\ntitle: \"Fr\0ont\"\ndescription: De\0sc\n---\n\
# He\0ad\n\n\
Body \0 text `co\0de`, zebra\0quokka and [li\0nk](other.md).\n\n\
\0i and \0r after a NUL.\n\n\
```\nblo\0ck\n```\n\n\
```decision-tree\nid: t\ntitle: Tr\0ee\nnodes:\n  start:\n    question: \"Q\0?\"\n    help: He\0lp *x*\n    answers:\n      - label: \"Y\0es\"\n        next: stay\n      - label: \"No\"\n        next: go\n  stay:\n    outcome: Keep\n    text: Te\0xt\n    checklist: [\"Ti\0ck\"]\n  go:\n    outcome: Drop\n```\n\n\
```clause title=\"Cl\0ause\"\nIf [[Cli\0ent]] pays\0.\n```\n";

/// The first `#` heading gives this page its title.
const OTHER: &str = "# Ot\0her\n\nText.\n";

#[test]
fn nuls_in_a_page_become_replacement_characters_in_every_output() {
    let p = Project::new()
        .file("content/index.md", "# Home\n")
        .file("content/guide.md", GUIDE)
        .file("content/other.md", OTHER);
    p.build().succeeds();

    for entry in walkdir::WalkDir::new(p.out("")) {
        let entry = entry.expect("an output entry");
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("an output file");
        let name = entry.path().display();
        assert!(!bytes.contains(&0), "a NUL in {name}");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("\\u0000"), "an escaped NUL in {name}");
    }

    let body = [
        "He\u{FFFD}ad",
        "<p>Body \u{FFFD} text <code>co\u{FFFD}de</code>, zebra\u{FFFD}quokka and <a href=\"",
        "other.html\">li\u{FFFD}nk</a>.</p>",
        "<p>\u{FFFD}i and \u{FFFD}r after a NUL.</p>",
        "blo\u{FFFD}ck",
        ">Tr\u{FFFD}ee</h2>",
        "Q\u{FFFD}?</h3>",
        "<p>He\u{FFFD}lp <em>x</em></p>",
        "Y\u{FFFD}es",
        "<p>Te\u{FFFD}xt</p>",
        "Ti\u{FFFD}ck",
        "Cl\u{FFFD}ause",
        "data-field=\"Cli\u{FFFD}ent\"",
        "pays\u{FFFD}.",
    ];
    let guide = p.read("guide.html");
    for text in body.iter().chain(&[
        "<title>Fr\u{FFFD}ont · Test book</title>",
        "content=\"De\u{FFFD}sc\"",
    ]) {
        assert!(guide.contains(text), "guide.html lacks {text}: {guide}");
    }
    let other = p.read("other.html");
    let title = "<title>Ot\u{FFFD}her · Test book</title>";
    assert!(other.contains(title), "other.html lacks {title}: {other}");

    let print = p.read("print.html");
    for text in body
        .iter()
        .chain(&[">Fr\u{FFFD}ont</h2>", ">Ot\u{FFFD}her</h2>"])
    {
        assert!(print.contains(text), "print.html lacks {text}: {print}");
    }
    // The theme's block templates saw no NUL that could pass for a mark:
    // ids on the print page carry the page's prefix and nothing else.
    assert!(print.contains("id=\"p1-t--start\""), "{print}");

    // The search index splits words at the replacement character, as at
    // any other character that is neither a letter nor a digit.
    let words = p.read("search/en/w0.json");
    for word in ["\"zebra\"", "\"quokka\"", "\"ont\"", "\"her\""] {
        assert!(words.contains(word), "the index lacks {word}: {words}");
    }
}

/// The page's text is kept with its NULs replaced, one character for one:
/// a diagnostic after a NUL points at the right line and column and quotes
/// the line as the build read it.
#[test]
fn a_diagnostic_after_a_nul_is_placed_by_characters_and_quotes_the_replacement() {
    let p = Project::new().file(
        "content/index.md",
        "# Home\n\nA\0\0 b [x](missing.md)\n\n```decision-tree\nid: t\ntitle: T\0\nnodes:\n  start:\n    question: \"Q\0?\"\n    answers:\n      - label: \"Y\0es\"\n        next: nowhere\n      - label: \"No\"\n        next: start\n```\n",
    );
    p.build().fails_with(&[
        "content/index.md:3:11: link to a missing page `missing.md`",
        "A\u{FFFD}\u{FFFD} b [x](missing.md)",
        "content/index.md:13:15: `next: nowhere` names a node that does not exist",
        "- label: \"Y\u{FFFD}es\"",
    ]);
}
