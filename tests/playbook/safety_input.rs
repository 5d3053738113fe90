//! Input that could amplify itself or break the page: each case ends in
//! exit 1 and a located error, in bounded time, and never in an abort,
//! a hang or raw markup.

use std::time::Duration;

use crate::{Project, Run};

/// A generous bound, so a hang fails the test instead of stalling it. The
/// tests assert on messages, never on how long a run took.
const LIMIT: Duration = Duration::from_secs(120);

fn run(project: &Project, command: &str) -> Run {
    Run(project
        .cmd()
        .arg(command)
        .timeout(LIMIT)
        .output()
        .expect("run playbook"))
}

fn page_with(body: &str) -> Project {
    Project::new().file("content/index.md", &format!("# Home\n\n{body}"))
}

fn tree(yaml: &str) -> String {
    format!("```decision-tree\n{yaml}```\n")
}

/// A chain of `n` questions, each leading on to the next or to the end.
fn chain(n: usize) -> String {
    let mut yaml = String::from("title: Chain\nnodes:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  n{i}:\n    question: Step {i}?\n    answers:\n      - label: \"Yes\"\n        next: n{}\n      - label: \"No\"\n        next: end\n",
            i + 1
        ));
    }
    yaml.push_str(&format!(
        "  n{n}:\n    outcome: Done\n  end:\n    outcome: Stopped\n"
    ));
    yaml
}

#[test]
fn a_20000_node_chain_is_a_located_limit_error_in_build_and_check() {
    let project = page_with(&tree(&chain(20_000)));
    for command in ["build", "check"] {
        run(&project, command).fails_with(&[
            "the tree has 20002 nodes; a tree may have at most 1000",
            // The 1,001st node, after the 6 lines of text before the tree
            // body and 7 lines per question.
            "content/index.md:7006:3",
            "n1000:",
            "split it into smaller trees",
        ]);
    }
}

#[test]
fn a_question_with_too_many_answers_is_located_at_the_first_extra_answer() {
    let mut yaml = String::from("title: Wide\nnodes:\n  q:\n    question: Which?\n    answers:\n");
    for i in 0..60 {
        yaml.push_str(&format!("      - {{label: a{i}, next: end}}\n"));
    }
    yaml.push_str("  end:\n    outcome: Done\n");
    // Answer 51 is on line 8 + 50 of the body, after 3 lines of page.
    run(&page_with(&tree(&yaml)), "build").fails_with(&[
        "question `q` has 60 answers; a question may have at most 50",
        "content/index.md:59:9",
        "{label: a50, next: end}",
    ]);
}

fn deep(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

#[test]
fn deep_flow_nesting_is_stopped_in_book_yaml_front_matter_and_trees() {
    let help = "playbook reads at most 64 levels of nested lists and mappings";
    let message = "YAML nested more than 64 levels deep";

    let book = Project::new()
        .file("book.yaml", &format!("title: T\nnav: {}\n", deep(100_000)))
        .file("content/index.md", "# Hi\n");
    // The 200,000-character line is quoted as an excerpt around the error.
    run(&book, "build").fails_with(&["book.yaml:2:261", message, help, "2 │ …[[[[[["]);

    let front = Project::new().file(
        "content/index.md",
        &format!("---\ntitle: {}\n---\n# Hi\n", deep(100_000)),
    );
    run(&front, "build").fails_with(&["content/index.md:2:", message, help]);

    let in_tree = page_with(&tree(&format!("title: T\nnodes: {}\n", deep(100_000))));
    run(&in_tree, "check").fails_with(&["content/index.md:5:", message, help]);
}

#[test]
fn deep_block_nesting_is_stopped_at_the_65th_level() {
    let mut yaml = String::from("title: T\nnodes:\n");
    for level in 0..200 {
        yaml.push_str(&format!("{}k{level}:\n", "  ".repeat(level + 1)));
    }
    // The top mapping is level 1 and the one holding `k0` level 2, so
    // level 65 is the mapping that starts at `k63`, on line 6 + 63.
    run(&page_with(&tree(&yaml)), "build").fails_with(&[
        "YAML nested more than 64 levels deep",
        "content/index.md:69:129",
    ]);
}

#[test]
fn aliases_that_expand_past_the_budget_stop_at_the_alias() {
    let big = "x".repeat(300_000);
    let mut yaml = format!(
        "title: A\nnodes:\n  q:\n    question: Q\n    answers:\n      - {{label: a, next: o}}\n      - {{label: b, next: o}}\n  o:\n    outcome: O\n    text: &big {big}\n    checklist:\n"
    );
    for _ in 0..20 {
        yaml.push_str("      - *big\n");
    }
    let project = page_with(&tree(&yaml));
    let run = run(&project, "build").fails_with(&[
        "YAML aliases expand this document past",
        "four times its size, or 1 MiB",
        "- *big",
    ]);
    // The budget is 4 × the body (about 1.2 MB): with the anchored text
    // itself, the fourth alias crosses it.
    assert!(
        run.stderr().contains("content/index.md:18:9"),
        "{}",
        run.stderr()
    );
    assert!(!project.out("index.html").exists());
}

#[test]
fn more_than_1000_aliases_is_an_error_at_the_first_extra_one() {
    let mut book = String::from("title: &t Hi\nauthors:\n");
    for _ in 0..1001 {
        book.push_str("  - *t\n");
    }
    let project = Project::new()
        .file("book.yaml", &book)
        .file("content/index.md", "# Hi\n");
    run(&project, "build").fails_with(&["YAML uses more than 1000 aliases", "book.yaml:1003:5"]);
}

#[test]
fn a_document_past_500000_values_stops_before_it_is_read() {
    let mut book = String::from("title: T\nauthors:\n");
    for _ in 0..500_000 {
        book.push_str("- a\n");
    }
    let project = Project::new()
        .file("book.yaml", &book)
        .file("content/index.md", "# Hi\n");
    // Values 1–5 are the mapping, `title`, `T`, `authors` and the list;
    // value 500,001 is item 499,996, on line 2 + 499,996.
    run(&project, "build").fails_with(&[
        "YAML holds more than 500000 values",
        "book.yaml:499998:3",
        "split it",
    ]);
}

#[test]
fn a_node_key_written_twice_is_an_error_at_the_second() {
    let yaml = "title: T\nnodes:\n  q:\n    question: Q\n    answers:\n      - {label: a, next: o}\n      - {label: b, next: o}\n  o:\n    outcome: First\n  o:\n    outcome: Second\n";
    run(&page_with(&tree(yaml)), "build").fails_with(&[
        "the key `o` is written twice in one mapping",
        "content/index.md:13:3",
        "the first `o` is on line 8",
    ]);
}

#[test]
fn a_language_written_twice_in_book_yaml_is_an_error_at_the_second() {
    Project::new()
        .file(
            "book.yaml",
            "title: T\nlanguages:\n  fi:\n    title: Yksi\n  fi:\n    title: Kaksi\n",
        )
        .file("content/index.md", "# Hi\n")
        .build()
        .fails_with(&["book.yaml:5:3", "the key `fi` is written twice"]);
}

#[test]
fn a_title_written_twice_in_book_yaml_is_located_at_the_second() {
    Project::new()
        .file("book.yaml", "title: One\ndescription: d\ntitle: Two\n")
        .file("content/index.md", "# Hi\n")
        .build()
        .fails_with(&[
            "book.yaml:3:1",
            "the key `title` is written twice",
            "title: Two",
            "the first `title` is on line 1",
        ]);
}

#[test]
fn a_clause_title_keeps_escaped_quotes() {
    let project = page_with(
        "```clause title=\"If \\\"they\\\" cannot\"\n[[Client]] may end the contract.\n```\n",
    );
    project.build().succeeds();
    let html = project.read("index.html");
    assert!(
        html.contains(
            "<figcaption class=\"pb-clause__title\">If &quot;they&quot; cannot</figcaption>"
        ),
        "{html}"
    );
}

const SMALL_TREE: &str = "    question: Q\n    answers:\n      - {label: a, next: o}\n      - {label: b, next: o}\n  o:\n    outcome: O\n";

#[test]
fn markup_in_a_tree_id_is_rejected_at_its_line() {
    let yaml =
        format!("title: T\nid: 'x\"><img src=x onerror=alert(1)>'\nnodes:\n  q:\n{SMALL_TREE}");
    let project = page_with(&tree(&yaml));
    project.build().fails_with(&[
        "content/index.md:5:5",
        "is not a valid tree id",
        "ASCII letters, digits, `-` and `_`",
    ]);
    assert!(!project.out("index.html").exists());
    assert!(!project.out("print.html").exists());
}

#[test]
fn node_keys_outside_the_id_alphabet_are_rejected_at_their_line() {
    for (key, line) in [("a=b", 6), ("x;y", 6), ("two words", 6)] {
        let yaml = format!("title: T\nnodes:\n  {key}:\n{SMALL_TREE}");
        page_with(&tree(&yaml)).build().fails_with(&[
            &format!("content/index.md:{line}:3"),
            &format!("`{key}` is not a valid node key"),
        ]);
    }
}

#[test]
fn a_node_id_that_a_heading_already_uses_is_an_error() {
    let yaml = format!("title: T\nid: t\nnodes:\n  q:\n{SMALL_TREE}");
    page_with(&format!("## Jump {{#t--q}}\n\n{}", tree(&yaml)))
        .build()
        .fails_with(&[
            "the id `t--q` of node `q` is already used on this page",
            "content/index.md:9:3",
        ]);
    // A heading whose slug is the id of the tree's title.
    page_with(&format!("## T title\n\n{}", tree(&yaml)))
        .build()
        .fails_with(&["the id `t-title` of the tree is already used on this page"]);
}

#[test]
fn errors_past_50_in_a_file_are_counted_not_printed() {
    let links: String = (0..2000).map(|i| format!("[x](missing{i}.md)\n")).collect();
    let project = page_with(&links);
    let run = run(&project, "build").fails_with(&[
        "content/index.md:3:5",
        "… and 1950 more errors in content/index.md",
        "the build failed with 2000 errors",
    ]);
    let shown = run.stderr().matches("link to a missing page").count();
    assert_eq!(shown, 50, "{}", run.stderr());
}

#[test]
fn an_error_past_column_65535_prints_an_excerpt_of_its_line() {
    let long = "x".repeat(70_000);
    let project = page_with(&format!("{long} [a](missing.md) ![](pic.png)\nnext line\n"))
        .file("content/pic.png", "");
    let run = run(&project, "build").fails_with(&[
        // The true line and column, in the header and above the excerpt.
        "content/index.md:3:70006: link to a missing page `missing.md`",
        "[content/index.md:3:70006]",
        "no such page under content/",
        "content/index.md:3:70018: image has no alt text",
        "next line",
    ]);
    let err = run.stderr();
    assert!(err.contains("…xxxx"), "{err}");
    assert!(err.contains("xxxx [a](missing.md) ![](pic.png)"), "{err}");
    assert!(
        !err.contains(&"x".repeat(1000)),
        "the whole line was printed"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_warning_past_column_65535_alone_is_printed_by_check() {
    let long = "x".repeat(70_000);
    let project = page_with(&format!("{long} ![](pic.png)\n")).file("content/pic.png", "");
    let run = run(&project, "check").succeeds();
    let err = run.stderr();
    assert!(
        err.contains("content/index.md:3:70002: image has no alt text"),
        "{err}"
    );
    assert!(err.contains("xxxx ![](pic.png)"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_error_past_column_65535_of_book_yaml_prints_an_excerpt() {
    let long = "é".repeat(70_000);
    let project = page_with("").file("book.yaml", &format!("{{title: \"{long}\", bogus: 1}}\n"));
    let run = run(&project, "build").fails_with(&[
        "book.yaml:1:70013: book.yaml: unknown field `bogus`",
        "[book.yaml:1:70013]",
        "éééé\", bogus: 1}",
    ]);
    assert!(
        !run.stderr().contains(&"é".repeat(1000)),
        "{}",
        run.stderr()
    );
}

/// A name of 30 characters, so each comparison of two names costs.
fn long_name(i: usize) -> String {
    format!("{}-{i:05}", "a".repeat(24))
}

#[test]
fn thousands_of_missing_anchors_suggest_for_the_first_and_stay_linear() {
    let n = 8000;
    let mut body = String::new();
    for i in 0..n {
        body.push_str(&format!("## {}\n\n", long_name(i)));
    }
    for i in 0..n {
        body.push_str(&format!("[x](#{}b)\n", long_name(i)));
    }
    let run = run(&page_with(&body), "build").fails_with(&[
        &format!("did you mean `#{}`?", long_name(0)),
        &format!("the build failed with {n} errors"),
    ]);
    let shown = run.stderr().matches("no such anchor").count();
    assert_eq!(shown, 50, "{}", run.stderr());
}

#[test]
fn thousands_of_unknown_next_nodes_suggest_for_the_first_and_stay_linear() {
    let mut yaml = String::from("title: T\nnodes:\n");
    for i in 0..999 {
        yaml.push_str(&format!(
            "  {}:\n    question: Q{i}?\n    answers:\n",
            long_name(i)
        ));
        for j in 0..50 {
            yaml.push_str(&format!(
                "      - label: \"A{j}\"\n        next: {}x{j}\n",
                long_name(i)
            ));
        }
    }
    yaml.push_str("  end:\n    outcome: Done\n");
    let run = run(&page_with(&tree(&yaml)), "build").fails_with(&[
        &format!("did you mean `{}`?", long_name(0)),
        "the build failed with 49950 errors",
    ]);
    let shown = run.stderr().matches("names a node that").count();
    assert_eq!(shown, 50, "{}", run.stderr());
}

#[test]
fn a_theme_string_cannot_open_a_comment_in_the_strings_script() {
    let project = page_with("").file(
        "themes/default/i18n/en.yaml",
        "clause.copied: \"Copied <!--<script> & </script>\"\n",
    );
    run(&project, "build").succeeds();
    let page = project.read("index.html");
    let open = "<script type=\"application/json\" id=\"pb-strings\">";
    let start = page.find(open).expect("the strings script") + open.len();
    let json = &page[start..start + page[start..].find("</script>").expect("its end")];
    assert!(!json.contains("<!--"), "{json}");
    assert!(!json.contains('<'), "{json}");
    let strings: serde_json::Value = serde_json::from_str(json).expect("the strings parse");
    assert_eq!(
        strings["clause.copied"], "Copied <!--<script> & </script>",
        "{json}"
    );
    // The page's own scripts follow, outside any comment.
    assert!(page[start..].contains("<script src="), "{page}");
}
