//! Heading ids: lowercase words joined by dashes, letters of any script kept.
//!
//! `Mitä sanoa?` becomes `mitä-sanoa`, as GitHub and most documentation
//! tools do, so links written by hand keep working.

use std::collections::HashMap;

/// The id for a piece of text.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' {
            dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// Hands out unique ids within one page: `a`, `a-1`, `a-2`.
#[derive(Debug, Default)]
pub struct IdSet {
    used: HashMap<String, usize>,
}

impl IdSet {
    pub fn unique(&mut self, base: &str) -> String {
        let mut candidate = base.to_string();
        while let Some(count) = self.used.get_mut(&candidate) {
            *count += 1;
            let n = *count;
            candidate = format!("{base}-{n}");
        }
        self.used.insert(candidate.clone(), 0);
        candidate
    }

    /// Marks an id taken without renaming it (ids the author chose).
    pub fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_string(), 0).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_finnish_letters() {
        assert_eq!(slugify("Mitä sanoa?"), "mitä-sanoa");
        assert_eq!(slugify("  Don't — ever!  "), "dont-ever");
        assert_eq!(slugify("1. Call them"), "1-call-them");
        assert_eq!(slugify("???"), "section");
    }

    #[test]
    fn repeated_headings_get_numbered_ids() {
        let mut ids = IdSet::default();
        assert_eq!(ids.unique("steps"), "steps");
        assert_eq!(ids.unique("steps"), "steps-1");
        assert_eq!(ids.unique("steps"), "steps-2");
    }
}
