//! What serve and `build --watch` share: one classification of source
//! paths, warnings that outlive page edits, reloads of the pages that show
//! every page, and `build --watch` itself.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use playbook::serve::session::{Deferred, Session, Update};
use playbook::site::BuildOptions;

use crate::Project;
use crate::process::Running;
use crate::serve::{Server, project, settle};

fn start(project: &Project, options: BuildOptions) -> (Session, tempfile::TempDir) {
    let root = project.path().canonicalize().unwrap();
    let served = tempfile::tempdir().unwrap();
    let session = Session::start(&root, options, &served.path().join("site"))
        .unwrap_or_else(|_| panic!("start"));
    (session, served)
}

#[test]
fn a_page_in_an_ignored_folder_is_ignored_by_the_walk_and_the_watcher() {
    let project = project()
        .file("content/notes~/x.md", "# Notes\n")
        .file("content/#old#/y.md", "# Old\n");
    let root = project.path().canonicalize().unwrap();
    let (mut session, _served) = start(&project, BuildOptions::default());
    let pages: Vec<&str> = session.site().pages().map(|p| p.path.as_str()).collect();
    assert_eq!(pages, ["index.md", "other.md"]);
    for path in ["content/notes~/x.md", "content/#old#/y.md"] {
        let full = root.join(path);
        std::fs::write(&full, "# Changed\n").unwrap();
        let applied = session
            .apply([full])
            .unwrap_or_else(|_| panic!("apply {path}"));
        assert!(
            applied.is_none(),
            "{path} is not part of the site, yet it was applied: {applied:?}"
        );
    }
}

#[test]
fn load_warnings_survive_a_page_edit() {
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("secret.md"), "# Secret\n").unwrap();
    let project = project();
    std::os::unix::fs::symlink(
        elsewhere.path().join("secret.md"),
        project.path().join("content/linked.md"),
    )
    .unwrap();
    let root = project.path().canonicalize().unwrap();
    let (mut session, _served) = start(&project, BuildOptions::default());
    let codes = |s: &Session| -> Vec<String> {
        s.site()
            .warnings
            .iter()
            .map(|d| d.code.to_string())
            .collect()
    };
    assert_eq!(codes(&session), ["content::outside-link"]);

    let page = root.join("content/other.md");
    std::fs::write(&page, "# Other\n\n## Details\n\nSecond version.\n").unwrap();
    session
        .apply([page])
        .unwrap_or_else(|_| panic!("apply"))
        .expect("a change");
    assert_eq!(codes(&session), ["content::outside-link"]);
}

#[test]
fn print_and_search_pages_are_reloaded_after_a_page_edit() {
    let project = project().file(
        "book.yaml",
        "title: Test book\nlanguage: en\nlanguages:\n  fi:\n    title: Testi\n",
    );
    let project = project.file("content/other.fi.md", "# Toinen\n\n## Details\n\nEka.\n");
    let root = project.path().canonicalize().unwrap();
    let (mut session, served) = start(&project, BuildOptions::default());
    let out = served.path().join("site");

    let page = root.join("content/other.fi.md");
    std::fs::write(&page, "# Toinen\n\n## Details\n\nToka versio.\n").unwrap();
    let applied = session
        .apply([page])
        .unwrap_or_else(|_| panic!("apply"))
        .expect("a change");
    assert_eq!(applied.update, Update::Pages(vec!["fi/other.html".into()]));
    // The print page, written after the reload of the page itself.
    let rewritten = session.finish().unwrap();
    assert_eq!(rewritten, ["fi/print.html", "fi/toc.html"]);
    let print = std::fs::read_to_string(out.join("fi/print.html")).unwrap();
    assert!(print.contains("Toka versio."), "{print}");
    // Search pages show results from the index: reloaded once it is new.
    let searched = session.refresh_search().unwrap();
    assert_eq!(searched, ["search.html", "fi/search.html"]);
    assert!(session.refresh_search().unwrap().is_empty());

    // A title change rewrites the print page before the reload.
    let page = root.join("content/other.md");
    std::fs::write(&page, "# Another\n\n## Details\n\nFirst version.\n").unwrap();
    let Update::Pages(pages) = session
        .apply([page])
        .unwrap_or_else(|_| panic!("apply"))
        .expect("a change")
        .update
    else {
        panic!("not a page update");
    };
    assert!(pages.contains(&"print.html".to_string()), "{pages:?}");
    let print = std::fs::read_to_string(out.join("print.html")).unwrap();
    assert!(print.contains("Another"), "{print}");
}

#[test]
fn a_save_cancels_held_back_work_which_is_held_back_again() {
    let project = project().file("content/logo.svg", "<svg/>");
    let root = project.path().canonicalize().unwrap();
    let (mut session, served) = start(&project, BuildOptions::default());
    let out = served.path().join("site");
    let page = root.join("content/other.md");
    std::fs::write(&page, "# Other\n\n## Details\n\nSecond version.\n").unwrap();
    session
        .apply([page.clone()])
        .unwrap_or_else(|_| panic!("apply"));
    assert!(session.has_deferred());

    let (tx, rx) = mpsc::channel();
    let id = session
        .start_deferred(move |id| {
            let _ = tx.send(id);
        })
        .expect("held-back work starts");
    assert!(!session.has_deferred());
    // A newer save (of a file no print page shows) cancels the run, and
    // what it was to write is held back again, however far the run got.
    let logo = root.join("content/logo.svg");
    std::fs::write(&logo, "<svg></svg>").unwrap();
    let applied = session
        .apply([logo])
        .unwrap_or_else(|_| panic!("apply"))
        .expect("a change");
    assert_eq!(applied.update, Update::All);
    assert!(session.has_deferred());
    assert_eq!(rx.recv_timeout(Duration::from_secs(60)).unwrap(), id);
    assert!(matches!(
        session.deferred_done(id),
        Some(Deferred::Cancelled)
    ));
    assert_eq!(session.finish().unwrap(), ["print.html", "toc.html"]);
    let print = std::fs::read_to_string(out.join("print.html")).unwrap();
    assert!(print.contains("Second version."), "{print}");
}

#[test]
fn serve_reloads_print_and_search_tabs_after_a_page_edit() {
    let project = project();
    let mut server = Server::start(&project);
    let mut events = server.events();
    settle();
    std::fs::write(
        project.path().join("content/other.md"),
        "# Other\n\n## Details\n\nSecond version.\n",
    )
    .unwrap();
    events.wait_for("other.html");
    let print = events.wait_for("print.html");
    assert!(print.contains("\"all\":false"), "{print}");
    assert!(server.get("/print.html").1.contains("Second version."));
    events.wait_for("search.html");
    server.wait_output("re-rendered");
}

/// Every file under `dir` and its bytes.
fn files_of(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn a_save_that_fails_while_its_files_are_written_changes_none_of_them() {
    // A page template that fails on one title only: the save loads and
    // checks, and fails as the pages are written. A title every page of
    // its language shows, so that other pages (and the sidebar) are
    // written in the same publish.
    let project = project().file(
        "themes/default/templates/page.html",
        "{% extends \"builtin/page.html\" %}{% block body_class %}{{ super() }}\
         {% if page.title == \"Boom\" %}{{ no_such_variable }}{% endif %}{% endblock %}",
    );
    let root = project.path().canonicalize().unwrap();
    for options in [
        BuildOptions::default(),
        BuildOptions {
            fixed_asset_urls: true,
            skip_search: true,
            ..BuildOptions::default()
        },
        BuildOptions {
            whole_publishes: true,
            ..BuildOptions::default()
        },
    ] {
        let (mut session, served) = start(&project, options);
        let site = served.path().join("site");
        let before = files_of(&site);
        let other = root.join("content/other.md");
        let good = std::fs::read_to_string(&other).unwrap();
        std::fs::write(&other, format!("---\ntitle: Boom\n---\n{good}")).unwrap();
        let Err(failure) = session.apply([other.clone()]) else {
            panic!("the save must fail");
        };
        assert!(
            format!("{failure:?}").contains("no_such_variable"),
            "{failure:?}"
        );
        // Nor does the work held back for later write the failed change.
        session.finish().unwrap();
        session.refresh_search().unwrap();
        let after = files_of(&site);
        let changed: Vec<&String> = after
            .iter()
            .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
            .map(|(path, _)| path)
            .chain(before.keys().filter(|path| !after.contains_key(*path)))
            .collect();
        assert!(changed.is_empty(), "the failed save changed {changed:?}");

        // The next good save publishes.
        std::fs::write(&other, format!("---\ntitle: Calm\n---\n{good}")).unwrap();
        session
            .apply([other.clone()])
            .unwrap_or_else(|_| panic!("a good save"));
        session.finish().unwrap();
        let index = std::fs::read_to_string(site.join("index.html")).unwrap();
        assert!(index.contains("Calm"), "{index}");
        std::fs::write(&other, good).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn a_whole_publish_swaps_in_a_new_folder_linking_the_files_it_did_not_change() {
    use std::os::unix::fs::MetadataExt;
    let project = project();
    let root = project.path().canonicalize().unwrap();
    let options = BuildOptions {
        whole_publishes: true,
        ..BuildOptions::default()
    };
    let (mut session, served) = start(&project, options);
    let site = served.path().join("site");
    let inode = |path: &Path| std::fs::metadata(path).unwrap().ino();
    let (folder, page) = (inode(&site), inode(&site.join("index.html")));
    let search = files_of(&site.join("search"));
    let other = root.join("content/other.md");
    let text = std::fs::read_to_string(&other).unwrap();
    std::fs::write(&other, text.replace("First version.", "Second version.")).unwrap();
    session
        .apply([other])
        .unwrap_or_else(|_| panic!("the save"));

    assert_ne!(
        inode(&site),
        folder,
        "the site is swapped in as a new folder"
    );
    assert_eq!(
        inode(&site.join("index.html")),
        page,
        "a page the save did not change is linked, not written again"
    );
    let changed = std::fs::read_to_string(site.join("other.html")).unwrap();
    assert!(changed.contains("Second version."), "{changed}");
    // Nothing is held back: the print page and the index have the save.
    let print = std::fs::read_to_string(site.join("print.html")).unwrap();
    assert!(print.contains("Second version."), "{print}");
    assert_ne!(files_of(&site.join("search")), search);
    let beside: Vec<String> = std::fs::read_dir(served.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        beside,
        ["site"],
        "no staging folder is left beside the site"
    );
}

/// A running `playbook build --watch ARGS` in the project.
fn watch(project: &Project, args: &[&str]) -> Running {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("playbook"));
    command
        .args(["build", "--watch"])
        .args(args)
        .current_dir(project.path())
        .env("NO_COLOR", "1");
    Running::spawn(command, "build --watch")
}

/// Reads `path` until it holds `needle`, for up to a minute.
fn poll_for(path: &Path, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never showed {needle:?}; it holds:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn build_watch_publishes_each_save_and_keeps_the_last_good_site() {
    let project = project();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let mut watching = watch(&project, &["-o", site.to_str().unwrap()]);
    let first = watching.wait_lines("Watching for changes");
    assert!(first.contains("built 2 pages"), "{first}");
    let page = poll_for(&site.join("other.html"), "First version.");
    // Build's output: no live-reload script, content-hashed asset URLs.
    assert!(!page.contains("__playbook"), "{page}");
    assert!(page.contains("playbook.css?v="), "{page}");
    settle();

    let other = project.path().join("content/other.md");
    std::fs::write(&other, "# Other\n\n## Details\n\nSecond version.\n").unwrap();
    poll_for(&site.join("other.html"), "Second version.");
    watching.wait_lines("content/other.md");
    poll_for(&site.join("print.html"), "Second version.");

    // A broken save: a link to an anchor that does not exist.
    let from = watching.seen.len();
    std::fs::write(
        project.path().join("content/index.md"),
        "# Home\n\nSee [the other page](other.md#nowhere).\n",
    )
    .unwrap();
    watching.wait_all(
        from,
        &[
            "content/index.md:3:",
            "has no heading or anchor `#nowhere`",
            "error: the change did not build (1 error); the last good site stays",
        ],
    );
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("other.html#details"), "{home}");

    // Fixed: it publishes.
    std::fs::write(
        project.path().join("content/index.md"),
        "# Home\n\nSee [the other page](other.md#details), now fixed.\n",
    )
    .unwrap();
    poll_for(&site.join("index.html"), "now fixed.");

    // A stylesheet change rebuilds, so every page names the new hash.
    let before = page_css_url(&std::fs::read_to_string(site.join("index.html")).unwrap());
    std::fs::create_dir_all(project.path().join("themes/default/css")).unwrap();
    settle();
    std::fs::write(
        project.path().join("themes/default/css/zz-extra.css"),
        "body { outline: 0; }\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let index = page_css_url(&std::fs::read_to_string(site.join("index.html")).unwrap());
        let other = page_css_url(&std::fs::read_to_string(site.join("other.html")).unwrap());
        if index != before && index == other {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stylesheet's hash never changed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let css = std::fs::read_to_string(site.join("assets/playbook.css")).unwrap();
    assert!(css.contains("outline: 0"), "{css}");

    let status = watching
        .stop("TERM", Duration::from_secs(30))
        .expect("build --watch stops on SIGTERM");
    assert!(status.success(), "{status:?}");
    let stopped = watching.wait_all(0, &["Stopping: waiting for the publish", "Stopped."]);
    assert!(
        stopped.contains("Ctrl-C again to quit at once"),
        "{stopped}"
    );
}

#[test]
fn build_watch_follows_a_new_output_folder_in_book_yaml() {
    let project = project().file("book.yaml", "title: Test book\noutput: site-a\n");
    let mut watching = watch(&project, &[]);
    watching.wait_lines("Watching for changes");
    let (a, b) = (project.path().join("site-a"), project.path().join("site-b"));
    poll_for(&a.join("other.html"), "First version.");
    settle();

    std::fs::write(
        project.path().join("book.yaml"),
        "title: Test book\noutput: site-b\n",
    )
    .unwrap();
    let said = watching.wait_lines("published");
    assert!(said.contains("the output folder is now"), "{said}");
    assert!(said.contains("site-b"), "{said}");
    poll_for(&b.join("other.html"), "First version.");
    assert!(
        a.join("other.html").exists(),
        "the old folder is left as it was"
    );

    // Later saves go to the new folder.
    let other = project.path().join("content/other.md");
    std::fs::write(&other, "# Other\n\n## Details\n\nSecond version.\n").unwrap();
    poll_for(&b.join("other.html"), "Second version.");
}

fn page_css_url(html: &str) -> String {
    let start = html
        .find("playbook.css?v=")
        .expect("a hashed stylesheet URL");
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}
