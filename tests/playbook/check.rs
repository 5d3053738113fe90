//! `playbook check`: the build's checks plus the publishing checks, with
//! levels from book.yaml and JSON output.

use crate::{Project, Run};

fn project() -> Project {
    Project::new()
        .file("book.yaml", "title: T\nlanguages:\n  fi: {}\n")
        .file(
            "content/index.md",
            "---\ndescription: Home.\n---\n# Home\n\n![](chart.png)\n",
        )
        .file(
            "content/index.fi.md",
            "---\ndescription: Koti.\n---\n# Koti\n",
        )
        .file("content/chart.png", "not really a png")
        .file("content/unused.pdf", "%PDF")
        .file("content/lonely.md", "# Lonely\n")
}

fn check(project: &Project, args: &[&str]) -> Run {
    let mut cmd = project.cmd();
    cmd.arg("check").args(args);
    Run(cmd.output().unwrap())
}

#[test]
fn check_reports_publishing_problems_as_warnings() {
    let project = project();
    let run = check(&project, &[]).succeeds();
    let err = run.stderr();
    for needle in [
        "no page links to `content/lonely.md`",
        "nothing links to `content/unused.pdf`",
        "content/index.md:6:1: image has no alt text",
        "`content/lonely.md` has no description",
        "`content/lonely.md` has no fi translation",
        "check passed: 0 errors, 5 warnings",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(
        !project.path().join("public").exists(),
        "check writes nothing"
    );
}

#[test]
fn levels_in_book_yaml_turn_checks_into_errors_or_off() {
    let project = project().file(
        "book.yaml",
        "title: T\nlanguages:\n  fi: {}\nchecks:\n  description: error\n  orphans: off\n",
    );
    let run = check(&project, &[]).fails_with(&["has no description", "check failed: 1 error"]);
    assert!(!run.stderr().contains("no page links to"));
}

#[test]
fn an_unknown_check_name_is_a_config_error() {
    let project = project().file("book.yaml", "title: T\nchecks:\n  orphan: off\n");
    check(&project, &[]).fails_with(&[
        "book.yaml:3:3",
        "unknown check `orphan`",
        "did you mean `orphans`?",
    ]);
}

#[test]
fn check_fails_on_build_errors() {
    let project = project().file("content/lonely.md", "# Lonely\n\n[x](missing.md)\n");
    check(&project, &[]).fails_with(&["content/lonely.md:3:5", "link to a missing page"]);
}

#[test]
fn json_output_is_machine_readable() {
    let project = project();
    let run = check(&project, &["--format", "json"]).succeeds();
    let found: serde_json::Value = serde_json::from_str(&run.stdout()).expect("valid JSON");
    let items = found.as_array().unwrap();
    assert_eq!(items.len(), 5);
    let alt = items.iter().find(|d| d["code"] == "image::alt").unwrap();
    assert_eq!(alt["file"], "content/index.md");
    assert_eq!(alt["line"], 6);
    assert_eq!(alt["severity"], "warning");
}

#[test]
fn build_verbose_lists_missing_translations() {
    let project = project();
    let run = Run(project.cmd().args(["-v", "build"]).output().unwrap()).succeeds();
    assert!(
        run.stderr().contains("has no fi translation"),
        "{}",
        run.stderr()
    );
    let quiet = project.build().succeeds();
    assert!(!quiet.stderr().contains("has no fi translation"));
}
