//! The theme's translatable strings: `i18n/<lang>.yaml` in the theme.
//!
//! Every word the theme shows (buttons, labels, notices, tree controls,
//! search) comes from here, with English as the fallback for a missing key.

use std::collections::BTreeMap;

use serde::Serialize;

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
        // `</` cannot close the script element the JSON sits in.
        serde_json::to_string(&picked)
            .unwrap_or_else(|_| "{}".to_string())
            .replace("</", "<\\/")
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
