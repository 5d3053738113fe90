//! Times playbook's incremental rebuild of a one-page body edit.
//!
//! Usage: cargo run --release --example incremental -- <PLAYBOOK_DIR> [EDITS]
//! (make the project with the `corpus` example). Prints the median and p95
//! of the rebuild time, from the changed path to the files written.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use playbook::serve::session::Session;
use playbook::site::BuildOptions;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(
        args.next()
            .expect("usage: incremental <PLAYBOOK_DIR> [EDITS]"),
    );
    let edits: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let root = root.canonicalize().expect("project folder");
    let out = tempfile::tempdir().expect("temporary folder");
    let options = BuildOptions {
        fixed_asset_urls: true,
        skip_search: std::env::var_os("WITH_SEARCH").is_none(),
        live_reload: Some("<script src=\"/__playbook/reload.js\" defer></script>".into()),
        ..BuildOptions::default()
    };
    let started = Instant::now();
    let mut session = match Session::start(&root, options, &out.path().join("site")) {
        Ok(session) => session,
        Err(_) => panic!("the project does not build"),
    };
    let pages = session.site().page_count();
    println!(
        "initial build of {pages} pages: {} ms",
        started.elapsed().as_millis()
    );

    let page = session
        .site()
        .pages()
        .find(|p| !p.is_index)
        .map(|p| root.join("content").join(&p.path))
        .expect("a page to edit");
    let original = std::fs::read_to_string(&page).expect("read page");
    let mut times: Vec<Duration> = Vec::with_capacity(edits);
    for k in 0..edits {
        std::fs::write(&page, format!("{original}\nEdit number {k}.\n")).expect("write page");
        let t = Instant::now();
        match session.apply([page.clone()]) {
            Ok(Some(applied)) => assert_eq!(applied.rendered, 1, "a body edit re-renders one page"),
            _ => panic!("the edit did not apply"),
        }
        times.push(t.elapsed());
        // Serve does this after the reload event; it is not part of the wait.
        session.finish().expect("finish");
    }
    std::fs::write(&page, original).expect("restore page");
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "one-page body edit at {pages} pages, {edits} edits: median {:.1} ms, p95 {:.1} ms",
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)])
    );

    // The snapshot serve hands to the held-back print, sidebar and search
    // work after a save.
    let mut clones: Vec<Duration> = (0..edits)
        .map(|_| {
            let t = Instant::now();
            let snapshot = session.site().clone();
            let took = t.elapsed();
            drop(snapshot);
            took
        })
        .collect();
    clones.sort();
    println!(
        "snapshot of the site at {pages} pages: median {:.2} ms, max {:.2} ms",
        ms(clones[clones.len() / 2]),
        ms(clones[clones.len() - 1])
    );
}
