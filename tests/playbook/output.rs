//! Where the site is written, and that a failed build loses nothing.

use crate::Project;

#[test]
fn a_failed_build_keeps_the_previous_site() {
    let project = Project::new().file("content/index.md", "# First version\n");
    project.build().succeeds();
    assert!(project.read("index.html").contains("First version"));

    let project = project.file("content/index.md", "# Second\n\n[broken](nowhere.md)\n");
    let run = project
        .build()
        .fails_with(&["link to a missing page", "left untouched"]);
    drop(run);
    assert!(project.read("index.html").contains("First version"));
    let leftovers: Vec<String> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn out_flag_and_output_key_choose_the_folder() {
    let project = Project::new()
        .file("book.yaml", "title: T\noutput: site\n")
        .file("content/index.md", "# Hi\n");
    project.build().succeeds();
    assert!(project.path().join("site/index.html").is_file());

    let run = crate::Run(
        project
            .cmd()
            .args(["build", ".", "-o", "elsewhere"])
            .output()
            .unwrap(),
    )
    .succeeds();
    assert!(run.stdout().contains("elsewhere"));
    assert!(project.path().join("elsewhere/index.html").is_file());
}

#[test]
fn the_output_may_not_replace_the_project_or_its_content() {
    let project = Project::new().file("content/index.md", "# Hi\n");
    for out in [".", "content", "content/x"] {
        let run = crate::Run(
            project
                .cmd()
                .args(["build", ".", "-o", out])
                .output()
                .unwrap(),
        );
        assert_eq!(run.code(), 1, "{out}");
        assert!(
            run.stderr().contains("refusing to write the site"),
            "{}",
            run.stderr()
        );
    }
    assert!(project.path().join("content/index.md").is_file());
}

#[test]
fn quiet_prints_nothing_on_success() {
    let project = Project::new().file("content/index.md", "# Hi\n");
    let run = crate::Run(project.cmd().args(["-q", "build"]).output().unwrap()).succeeds();
    assert_eq!(run.stdout(), "");
}

#[test]
fn help_and_version() {
    let project = Project::new();
    let help = crate::Run(project.cmd().arg("--help").output().unwrap()).succeeds();
    assert!(help.stdout().contains("build") && help.stdout().contains("init"));
    let version = crate::Run(project.cmd().arg("--version").output().unwrap()).succeeds();
    assert!(version.stdout().starts_with("playbook "));
}
