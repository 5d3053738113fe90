//! `playbook init` makes a playbook that builds at once.

use crate::{Project, Run};

#[test]
fn init_scaffolds_a_book_that_builds() {
    let project = Project::new();
    std::fs::remove_file(project.path().join("book.yaml")).unwrap();
    let run = Run(project
        .cmd()
        .args(["init", "new", "--title", "Leaving: a guide"])
        .output()
        .unwrap())
    .succeeds();
    assert!(run.stdout().contains("created"));
    let dir = project.path().join("new");
    for file in [
        "book.yaml",
        "content/index.md",
        "content/how-to.md",
        "content/how-not-to.md",
        "content/clause.md",
        "content/decide.md",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    let build = Run(project.cmd().args(["build", "new"]).output().unwrap()).succeeds();
    assert!(
        build.stdout().contains("Built 5 pages"),
        "{}",
        build.stdout()
    );
    let index = std::fs::read_to_string(dir.join("public/index.html")).unwrap();
    assert!(index.contains("<title>Leaving: a guide</title>"), "{index}");
}

#[test]
fn init_never_overwrites() {
    let project = Project::new();
    let run = Run(project.cmd().args(["init", "."]).output().unwrap());
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(project.path().join("book.yaml")).unwrap(),
        "title: Test book\n"
    );
}

#[test]
fn a_new_playbook_passes_its_own_check_without_warnings() {
    let project = Project::new();
    Run(project.cmd().args(["init", "new"]).output().unwrap()).succeeds();
    let check = Run(project.cmd().args(["check", "new"]).output().unwrap()).succeeds();
    assert!(
        check
            .stdout()
            .contains("check passed: 0 errors, 0 warnings")
            || check
                .stderr()
                .contains("check passed: 0 errors, 0 warnings"),
        "{}{}",
        check.stdout(),
        check.stderr()
    );
}
