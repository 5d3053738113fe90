//! The search index: one per language, holding pages, trees and clauses.

use crate::Project;

#[test]
fn every_language_gets_its_own_index() {
    let project = Project::fixture("basic");
    project.build().succeeds();
    let entry: serde_json::Value =
        serde_json::from_str(&project.read("pagefind/pagefind-entry.json")).unwrap();
    let languages = entry["languages"].as_object().unwrap();
    assert!(
        languages.contains_key("en") && languages.contains_key("fi"),
        "{entry}"
    );
    assert_eq!(languages["en"]["page_count"], 7);
    assert_eq!(languages["fi"]["page_count"], 1);
    assert!(project.out("pagefind/pagefind.js").is_file());
    assert!(
        project.out("pagefind/wasm.fi.pagefind").is_file(),
        "Finnish stemming ships"
    );
    assert!(
        !project.out("pagefind/pagefind-ui.js").exists(),
        "the theme has its own search UI"
    );
    let search_page = project.read("search.html");
    assert!(search_page.contains(r#"data-module="pb-search-page""#));
    assert!(
        project
            .read("index.html")
            .contains(r#"action="search.html""#)
    );
}
