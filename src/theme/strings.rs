//! The theme's translatable strings: `i18n/<lang>.yaml` in the theme.
//!
//! Every word the theme shows (buttons, labels, notices, tree controls,
//! search) comes from here, with English as the fallback for a missing key.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::yaml::{Locator, Seg};

/// Checks each strings file other than `en.yaml` against its keys: a key
/// it lacks (the English string is shown for it) and a key English does
/// not have (never shown) are warnings, per language.
pub(super) fn check_keys(
    strings: &BTreeMap<String, Strings>,
    sources: &BTreeMap<String, Arc<SourceFile>>,
) -> BTreeMap<String, Vec<Diagnostic>> {
    let mut out = BTreeMap::new();
    let Some(english) = strings.get("en") else {
        return out;
    };
    for (lang, file) in strings.iter().filter(|(lang, _)| *lang != "en") {
        let Some(source) = sources.get(lang) else {
            continue;
        };
        let mut found = Vec::new();
        // One warning per file, however many keys it lacks: a file that
        // translates a handful of strings is a normal start, not 80 problems.
        let missing: Vec<&str> = english.keys().filter(|k| !file.contains(k)).collect();
        if let [key] = missing[..] {
            found.push(
                Diagnostic::warning(
                    "theme::string-missing",
                    format!("the `{lang}` strings have no `{key}`: the English string is shown"),
                )
                .in_file(source)
                .with_help(format!("add `{key}:` with the text in this language")),
            );
        } else if !missing.is_empty() {
            let keys: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
            found.push(
                Diagnostic::warning(
                    "theme::string-missing",
                    format!(
                        "the `{lang}` strings lack {} keys: the English strings are shown for them",
                        missing.len()
                    ),
                )
                .in_file(source)
                .with_help(format!(
                    "add these keys with the text in this language: {}",
                    keys.join(", ")
                )),
            );
        }
        let locator = Locator::new(&source.text);
        let mut suggestions = crate::diagnostics::Suggestions::default();
        for key in file.keys().filter(|k| !english.contains(k)) {
            found.push(
                Diagnostic::warning(
                    "theme::string-unknown",
                    format!("the `{lang}` strings have `{key}`, which the theme never shows"),
                )
                .at(source, locator.nearest(&[Seg::from(key)]))
                .with_help("remove it, or correct its name")
                .suggest_within(&mut suggestions, key, english.keys()),
            );
        }
        if !found.is_empty() {
            out.insert(lang.clone(), found);
        }
    }
    out
}

/// Strings for one language, with the English fallback merged in.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Strings {
    map: BTreeMap<String, String>,
}

impl Strings {
    pub fn new(map: BTreeMap<String, String>) -> Self {
        Strings { map }
    }

    /// Layers `self` over `fallback`.
    pub fn over(mut self, fallback: &Strings) -> Self {
        for (k, v) in &fallback.map {
            self.map.entry(k.clone()).or_insert_with(|| v.clone());
        }
        self
    }

    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map_or(key, String::as_str)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// The string with each `{name}` replaced.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The strings the theme's JavaScript uses, as JSON.
    pub fn json_for_scripts(&self) -> String {
        let picked: BTreeMap<&str, &str> = self
            .map
            .iter()
            .filter(|(k, _)| {
                ["tree.", "tasks.", "clause.", "search.", "theme.", "reload."]
                    .iter()
                    .any(|p| k.starts_with(p))
            })
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let json = serde_json::to_string(&picked).unwrap_or_else(|_| "{}".to_string());
        crate::html::json_in_script(&json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_fall_back_to_english_and_arguments_fill_in() {
        let en = Strings::new(BTreeMap::from([
            ("a".to_string(), "A {n}".to_string()),
            ("b".to_string(), "B".to_string()),
        ]));
        let fi = Strings::new(BTreeMap::from([("a".to_string(), "Ä {n}".to_string())])).over(&en);
        assert_eq!(fi.format("a", &[("n", "1")]), "Ä 1");
        assert_eq!(fi.get("b"), "B");
        assert_eq!(fi.get("zzz"), "zzz");
    }
}
