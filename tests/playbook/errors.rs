//! Every class of content error gives exit 1 and names the file, the line
//! and column, the source line, and what to do.

use crate::Project;

#[test]
fn invalid_utf8_is_located() {
    Project::new()
        .bytes("content/index.md", b"# Hello\n\nCaf\xe9 au lait\n")
        .build()
        .fails_with(&[
            "content/index.md:3:4",
            "is not valid UTF-8",
            "save the file as UTF-8",
        ]);
}

#[test]
fn book_yaml_syntax_errors_are_located() {
    Project::new()
        .file("book.yaml", "title: Test\nnav: [a.md, b.md\n")
        .file("content/index.md", "# Hi\n")
        .build()
        .fails_with(&["book.yaml:3:1", "book.yaml:"]);
}

#[test]
fn an_unknown_book_key_names_the_intended_key() {
    Project::new()
        .file("book.yaml", "title: Test\nlanguge: fi\n")
        .file("content/index.md", "# Hi\n")
        .build()
        .fails_with(&[
            "book.yaml:2:1",
            "unknown field `languge`",
            "did you mean `language`?",
            "languge: fi",
        ]);
}

#[test]
fn a_missing_title_is_an_error() {
    Project::new()
        .file("book.yaml", "description: no title\n")
        .file("content/index.md", "# Hi\n")
        .build()
        .fails_with(&["missing field `title`"]);
}

#[test]
fn front_matter_yaml_errors_are_located_in_the_page() {
    Project::new()
        .file("content/index.md", "---\ntitle: [oops\n---\n# Hi\n")
        .build()
        .fails_with(&[
            "content/index.md:2:8",
            "front matter: title: invalid type: sequence, expected a string",
        ]);
}

#[test]
fn an_unknown_kind_suggests_the_right_one() {
    Project::new()
        .file("content/index.md", "---\nkind: how-too\n---\n# Hi\n")
        .build()
        .fails_with(&[
            "content/index.md:2:7",
            "unknown variant `how-too`",
            "did you mean `how-to`?",
        ]);
}

#[test]
fn an_unknown_front_matter_key_is_an_error() {
    Project::new()
        .file("content/index.md", "---\ntitel: Hi\n---\n# Hi\n")
        .build()
        .fails_with(&[
            "content/index.md:2:1",
            "unknown field `titel`",
            "did you mean `title`?",
        ]);
}

#[test]
fn two_pages_with_the_same_output_path() {
    Project::new()
        .file("book.yaml", "title: T\nlanguages:\n  fi: {}\n")
        .file("content/index.md", "# Hi\n")
        .file("content/fi/a.md", "# A\n")
        .file("content/a.fi.md", "# A\n")
        .build()
        .fails_with(&[
            "would both be written to `fi/a.html`",
            "content/a.fi.md",
            "content/fi/a.md",
        ]);
}

#[test]
fn a_link_to_a_missing_page_suggests_the_closest() {
    Project::new()
        .file(
            "content/index.md",
            "# Hi\n\nRead [the steps](how-to/step.md).\n",
        )
        .file("content/how-to/steps.md", "# Steps\n")
        .build()
        .fails_with(&[
            "content/index.md:3:18",
            "link to a missing page `how-to/step.md`",
            "did you mean `how-to/steps.md`?",
        ]);
}

#[test]
fn a_link_to_a_missing_anchor_suggests_the_closest() {
    Project::new()
        .file(
            "content/index.md",
            "# Hi\n\nSee [what to say](a.md#what-to-sya).\n",
        )
        .file("content/a.md", "# A\n\n## What to say\n")
        .build()
        .fails_with(&[
            "content/index.md:3:",
            "has no heading or anchor `#what-to-sya`",
            "did you mean `#what-to-say`?",
        ]);
}

#[test]
fn a_link_to_a_missing_file() {
    Project::new()
        .file("content/index.md", "# Hi\n\n![A chart](chart.png)\n")
        .build()
        .fails_with(&["content/index.md:3:", "link to a missing file `chart.png`"]);
}

#[test]
fn a_broken_tree_is_located_inside_the_page() {
    Project::new()
        .file(
            "content/index.md",
            "# Hi\n\n```decision-tree\ntitle: T\nnodes:\n  a:\n    question: Q?\n    answers:\n      - label: Yes\n        next: b\n      - label: No\n        next: c\n  b:\n    outcome: B\n```\n",
        )
        .build()
        .fails_with(&[
            "content/index.md:12:15",
            "`next: c` names a node that does not exist",
            "next: c",
        ]);
}

#[test]
fn every_bad_page_is_reported_in_one_run() {
    Project::new()
        .file("content/index.md", "# Hi\n\n[x](missing-one.md)\n")
        .file("content/b.md", "---\nkind: nope\n---\n")
        .file("content/c.md", "# C\n\n[y](missing-two.md)\n")
        .build()
        .fails_with(&[
            "content/index.md:3:5",
            "content/b.md:2:7",
            "content/c.md:3:5",
            "3 errors",
        ]);
}

#[test]
fn an_unreadable_page_is_an_error_not_a_panic() {
    let project = Project::new().file("content/index.md", "# Hi\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = project.path().join("content/secret.md");
        std::fs::write(&path, "# Secret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        // Root reads anything; the check only means something for others.
        if std::fs::read(&path).is_err() {
            project
                .build()
                .fails_with(&["cannot read `content/secret.md`"]);
        }
    }
}

#[test]
fn a_missing_book_yaml_explains_what_to_do() {
    let project = Project::new();
    std::fs::remove_file(project.path().join("book.yaml")).unwrap();
    project
        .build()
        .fails_with(&["cannot read", "book.yaml", "playbook init"]);
}

#[test]
fn a_usage_error_exits_with_2() {
    let run = crate::Run(
        Project::new()
            .cmd()
            .args(["build", "--no-such-flag"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("--no-such-flag"));
}
