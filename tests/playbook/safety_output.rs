//! The output folder: playbook replaces only what it made, compares
//! canonical paths, swaps sites without a moment of no site, and cleans
//! up after killed builds.

use std::path::{Path, PathBuf};

use crate::{Project, Run};

const MARKER: &str = ".playbook-site";

fn build_to(project: &Project, out: &Path) -> Run {
    Run(project
        .cmd()
        .arg("build")
        .arg(".")
        .arg("-o")
        .arg(out)
        .output()
        .expect("run playbook"))
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// No staging folder, old site or temporary file is left beside the site.
fn assert_nothing_hidden_left(dir: &Path) {
    let hidden: Vec<String> = names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
}

#[test]
fn a_folder_of_other_files_is_refused_not_emptied() {
    let project = Project::new().file("content/index.md", "# Hi\n");
    let home = tempfile::tempdir().unwrap();
    let documents = home.path().join("Documents");
    std::fs::create_dir(&documents).unwrap();
    std::fs::write(documents.join("letter.txt"), "Dear landlord").unwrap();

    let run = build_to(&project, &documents).fails_with(&[
        "refusing to write the site",
        "Documents",
        MARKER,
        "choose another folder with `-o`",
        "older playbook",
    ]);
    drop(run);
    assert_eq!(names(&documents), ["letter.txt"]);
    assert_eq!(
        std::fs::read_to_string(documents.join("letter.txt")).unwrap(),
        "Dear landlord"
    );
    assert_eq!(names(home.path()), ["Documents"], "no staging folder left");
}

#[test]
fn a_site_playbook_built_is_replaced_and_carries_the_marker() {
    let project = Project::new()
        .file("content/index.md", "# Hi\n")
        .file("content/old.md", "# Old\n");
    // An empty folder is fine too.
    std::fs::create_dir(project.path().join("public")).unwrap();
    project.build().succeeds();
    let marker = project.read(MARKER);
    assert!(marker.contains("built by playbook"), "{marker}");
    assert!(project.out("old.html").is_file());

    std::fs::remove_file(project.path().join("content/old.md")).unwrap();
    project.build().succeeds();
    assert!(!project.out("old.html").exists(), "the old site is gone");
    assert!(project.out(MARKER).is_file());
    assert_nothing_hidden_left(project.path());
}

#[test]
fn a_file_at_the_output_path_is_never_turned_into_a_folder() {
    let project = Project::new()
        .file("content/index.md", "# Hi\n")
        .file("README.md", "# Read me\n");
    build_to(&project, Path::new("README.md")).fails_with(&[
        "refusing to write the site",
        "README.md",
        "a file of that name exists",
    ]);
    assert_eq!(
        std::fs::read_to_string(project.path().join("README.md")).unwrap(),
        "# Read me\n"
    );

    // A link to a file is a file too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("README.md", project.path().join("link.md")).unwrap();
        build_to(&project, Path::new("link.md"))
            .fails_with(&["refusing to write the site", "a file of that name exists"]);
        assert!(project.path().join("link.md").is_symlink());
    }

    let yaml = "title: T\noutput: book.yaml\n";
    let project = project.file("book.yaml", yaml);
    project
        .build()
        .fails_with(&["refusing to write the site", "book.yaml"]);
    assert_eq!(
        std::fs::read_to_string(project.path().join("book.yaml")).unwrap(),
        yaml
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_the_project_does_not_get_past_the_guard() {
    let project = Project::new().file("content/index.md", "# Hi\n");
    let elsewhere = tempfile::tempdir().unwrap();
    let link = elsewhere.path().join("P-link");
    std::os::unix::fs::symlink(project.path(), &link).unwrap();

    for out in [
        link.join("content"),
        link.join("content/sub/site"),
        link.clone(),
        link.join("book.yaml"),
    ] {
        build_to(&project, &out).fails_with(&["refusing to write the site"]);
    }
    // A link to the project's content from inside the project.
    std::os::unix::fs::symlink("content", project.path().join("pages")).unwrap();
    build_to(&project, Path::new("pages")).fails_with(&["refusing to write the site", "`content`"]);

    assert_eq!(
        std::fs::read_to_string(project.path().join("content/index.md")).unwrap(),
        "# Hi\n"
    );
    // The project's own public/ through the link is fine.
    build_to(&project, &link.join("public")).succeeds();
    assert!(project.out("index.html").is_file());
}

#[cfg(unix)]
#[test]
fn sources_linked_into_the_output_folder_are_never_deleted() {
    // The project's content and book.yaml are links into a folder that
    // holds an old site: replacing that folder would delete them.
    let shared = tempfile::tempdir().unwrap();
    std::fs::write(shared.path().join(MARKER), "").unwrap();
    std::fs::create_dir(shared.path().join("content")).unwrap();
    std::fs::write(shared.path().join("content/index.md"), "# Hi\n").unwrap();
    std::fs::write(shared.path().join("book.yaml"), "title: Shared\n").unwrap();

    let project = Project::new();
    std::os::unix::fs::symlink(
        shared.path().join("content"),
        project.path().join("content"),
    )
    .unwrap();
    build_to(&project, shared.path()).fails_with(&[
        "refusing to write the site",
        "it holds the project's `content`",
        "so building would delete it",
    ]);
    assert_eq!(
        std::fs::read_to_string(shared.path().join("content/index.md")).unwrap(),
        "# Hi\n"
    );

    // A linked book.yaml, with the content back in the project.
    std::fs::remove_file(project.path().join("content")).unwrap();
    let project = project.file("content/index.md", "# Hi\n");
    std::fs::remove_file(project.path().join("book.yaml")).unwrap();
    std::os::unix::fs::symlink(
        shared.path().join("book.yaml"),
        project.path().join("book.yaml"),
    )
    .unwrap();
    build_to(&project, shared.path()).fails_with(&["refusing to write the site", "`book.yaml`"]);
    assert_eq!(
        std::fs::read_to_string(shared.path().join("book.yaml")).unwrap(),
        "title: Shared\n"
    );
    assert!(shared.path().join(MARKER).is_file(), "the old site stays");
}

#[test]
fn leftovers_of_killed_builds_go_once_their_process_is_gone() {
    let project = Project::new().file("content/index.md", "# Hi\n");
    let mut dead = std::process::Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    let dead = dead.id();
    let mut live = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let live_pid = live.id();

    let leftover = |name: &str, marked: bool| -> PathBuf {
        let dir = project.path().join(name);
        std::fs::create_dir_all(dir.join("guide")).unwrap();
        std::fs::write(dir.join("guide/page.html"), "half a site").unwrap();
        if marked {
            std::fs::write(dir.join(MARKER), "built by playbook\n").unwrap();
        }
        dir
    };
    let dead_building = leftover(&format!(".public.building-{dead}"), true);
    let dead_old = leftover(&format!(".public.old-{dead}"), true);
    let live_building = leftover(&format!(".public.building-{live_pid}"), true);
    let unmarked = leftover(&format!(".public.old-{dead}0"), false);
    let empty = project.path().join(format!(".public.building-{dead}1"));
    std::fs::create_dir(&empty).unwrap();
    let other_name = leftover(&format!(".site.building-{dead}"), true);

    project.build().succeeds();
    live.kill().unwrap();
    live.wait().unwrap();

    assert!(!dead_building.exists(), "a dead build's staging folder");
    assert!(!dead_old.exists(), "a dead build's old site");
    assert!(!empty.exists(), "an empty one");
    assert!(
        live_building.join("guide/page.html").is_file(),
        "a running build's"
    );
    assert!(
        unmarked.join("guide/page.html").is_file(),
        "one without the marker"
    );
    assert!(other_name.is_dir(), "one for another output folder");
}

/// A reader looking at the output folder while sites are swapped in, one
/// after another, always finds a page.
#[cfg(target_os = "linux")]
#[test]
fn the_output_folder_always_holds_a_whole_site() {
    use playbook::site::output::Staging;
    use std::sync::atomic::{AtomicBool, Ordering};

    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("book");
    std::fs::create_dir(&project).unwrap();
    let out = tmp.path().join("public");
    let publish = |text: String| {
        let staging = Staging::new(&out, &project).unwrap();
        std::fs::write(staging.dir().join("index.html"), text).unwrap();
        staging.commit().unwrap();
    };
    publish("first".into());
    let done = AtomicBool::new(false);
    let (reads, missing) = std::thread::scope(|scope| {
        scope.spawn(|| {
            for i in 0..400 {
                publish(format!("site {i}"));
            }
            done.store(true, Ordering::SeqCst);
        });
        let (mut reads, mut missing) = (0u64, 0u64);
        while !done.load(Ordering::SeqCst) {
            reads += 1;
            if std::fs::read(out.join("index.html")).is_err() {
                missing += 1;
            }
        }
        (reads, missing)
    });
    assert_eq!(missing, 0, "no site in {missing} of {reads} reads");
}

/// With one descriptor free, copying an asset (its source and its
/// temporary file) runs out of files: the message says so, not that a
/// permission is wrong.
#[cfg(unix)]
#[test]
fn running_out_of_open_files_says_so() {
    let project = Project::new()
        .file("content/index.md", "# Hi\n")
        .file("content/a.png", "png")
        .file("content/b.png", "png");
    let playbook = assert_cmd::cargo::cargo_bin("playbook");
    let run = Run(std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 4 && exec \"$0\" build")
        .arg(&playbook)
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh"));
    let run = run.fails_with(&["Too many open files", "ran out of open files", "ulimit -n"]);
    assert!(!run.stderr().contains("permission"), "{}", run.stderr());

    // Out of files, the failed build may not manage to remove its staging
    // folder; whatever it left still holds the marker, so the next build
    // removes it.
    for name in names(project.path()) {
        if name.starts_with(".public.") {
            let left = project.path().join(&name);
            assert!(left.join(MARKER).is_file(), "{name} lost its marker");
        }
    }
    project.build().succeeds();
    assert_nothing_hidden_left(project.path());
}

#[test]
fn a_byte_order_mark_at_the_start_of_a_file_is_not_content() {
    let bom = "\u{feff}";
    let p = Project::new()
        .file(
            "book.yaml",
            &format!("{bom}title: Marked book\ndescription: D\nlanguages:\n  fi:\n    title: F\n"),
        )
        .file(
            "content/index.md",
            &format!("{bom}---\ntitle: Front title\n---\n# Heading\n"),
        )
        .file("content/index.fi.md", "# Moi\n")
        .file(
            "themes/default/i18n/fi.yaml",
            &format!("{bom}nav.contents: Sisältö FI\n"),
        )
        .file(
            "themes/default/css/99-extra.css",
            &format!("{bom}.extra {{ color: red; }}\n"),
        );
    let run = p.build().succeeds();
    assert!(!run.stderr().contains("nav.contents"), "{}", run.stderr());
    let index = p.read("index.html");
    assert!(index.contains("Front title"), "front matter is read");
    assert!(!index.contains("title: Front title"), "{index}");
    assert!(index.contains("Marked book"), "{index}");
    assert!(p.read("fi/index.html").contains("Sisältö FI"));
    let css = p.read("assets/playbook.css");
    assert!(css.contains(".extra { color: red; }"), "the style is kept");
    for page in ["index.html", "fi/index.html", "assets/playbook.css"] {
        assert!(!p.read(page).contains(bom), "a mark left in {page}");
    }
}

#[cfg(unix)]
#[test]
fn control_characters_in_names_are_printed_escaped() {
    let evil = "a\u{1b}]0;PWNED\u{7}\u{1b}[2Jb";
    let shown = "a\\u{1b}]0;PWNED\\u{7}\\u{1b}[2Jb";
    let raw = |text: &str| text.contains(['\u{1b}', '\u{7}']);

    // A diagnostic about a file of that name.
    let project = Project::new().file(&format!("content/{evil}.md"), "---\ntitle: T\n");
    let run = project
        .build()
        .fails_with(&[&format!("{shown}.md"), "not closed"]);
    assert!(!raw(&run.stderr()), "{:?}", run.stderr());

    // Paths in messages: a site written there, and one refused there.
    let project = Project::new().file("content/index.md", "# Hi\n");
    let run = build_to(&project, Path::new(evil)).succeeds();
    assert!(run.stdout().contains(shown), "{:?}", run.stdout());
    assert!(!raw(&run.stdout()), "{:?}", run.stdout());
    std::fs::write(project.path().join(format!("{evil}/{evil}.txt")), "").unwrap();
    std::fs::remove_file(project.path().join(evil).join(MARKER)).unwrap();
    let run = build_to(&project, Path::new(evil)).fails_with(&["refusing", shown]);
    assert!(!raw(&run.stderr()), "{:?}", run.stderr());
}
