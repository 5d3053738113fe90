//! The search index: one per language, holding pages, trees and clauses.

use crate::Project;

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the index file is JSON")
}

#[test]
fn every_language_gets_its_own_index() {
    let project = Project::fixture("basic");
    project.build().succeeds();
    let en = json(&project.read("search/en/meta.json"));
    let fi = json(&project.read("search/fi/meta.json"));
    assert_eq!(en["pages"].as_array().unwrap().len(), 7, "{en}");
    assert_eq!(fi["pages"], serde_json::json!(["fi/guides/steps.html"]));
    assert!(en["version"].as_str().is_some_and(|v| !v.is_empty()));
    // Every chunk meta.json names is there.
    for (meta, lang) in [(&en, "en"), (&fi, "fi")] {
        for (list, prefix) in [("words", "w"), ("stems", "s")] {
            for i in 0..meta[list].as_array().unwrap().len() {
                assert!(
                    project
                        .out(&format!("search/{lang}/{prefix}{i}.json"))
                        .is_file()
                );
            }
        }
    }
    let search_page = project.read("search.html");
    assert!(search_page.contains(r#"data-module="pb-search-page""#));
    assert!(
        project
            .read("index.html")
            .contains(r#"action="search.html""#)
    );
}

#[test]
fn finnish_words_are_stemmed_with_the_finnish_stemmer() {
    let project = Project::fixture("basic");
    project.build().succeeds();
    let words = json(&project.read("search/fi/w0.json"));
    let words = words.as_array().unwrap();
    let stem_of = |word: &str| {
        let at = words
            .iter()
            .position(|w| w == word)
            .unwrap_or_else(|| panic!("{word} is indexed: {words:?}"));
        match words[at + 1].as_str().unwrap() {
            "" => word.to_owned(),
            stem => stem.to_owned(),
        }
    };
    // The page says "englanniksi" ("in English"): the stem drops the
    // translative ending, which other forms of the word share.
    let stem = stem_of("englanniksi");
    assert!(
        stem.starts_with("englan") && stem.len() < "englanniksi".len(),
        "{stem}"
    );
    assert_eq!(stem_of("vaiheet"), "vaihe", "the plural ending is dropped");
}
