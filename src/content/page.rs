//! One markdown page: its front matter, where its body starts, and where it
//! is written in the site.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::yaml;

/// What a page is for; each kind reads and looks different.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    HowNotTo,
    HowTo,
    Clause,
    #[default]
    Guide,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Guide, Kind::HowNotTo, Kind::HowTo, Kind::Clause];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::HowNotTo => "how-not-to",
            Kind::HowTo => "how-to",
            Kind::Clause => "clause",
            Kind::Guide => "guide",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub draft: bool,
}

/// A page of the book, as read from disk.
#[derive(Debug, Clone)]
pub struct Page {
    pub source: Arc<SourceFile>,
    /// The content-relative source path, such as `how-to/call.fi.md`.
    pub path: String,
    /// The path shared by a page and its translations, such as `how-to/call.md`.
    pub key: String,
    pub lang: String,
    /// The site-relative output path, such as `fi/how-to/call.html`.
    pub output: String,
    pub front: FrontMatter,
    /// The byte range of the markdown after the front matter.
    pub body: Range<usize>,
    /// The content-relative folder the page belongs to (`""` at the top).
    pub section: String,
    /// Whether this is a folder's `index.md`.
    pub is_index: bool,
    /// The file's modification time, for translation-age checks.
    pub modified: Option<std::time::SystemTime>,
}

impl Page {
    pub fn markdown(&self) -> &str {
        &self.source.text[self.body.clone()]
    }

    /// The file name without extension or language: the last-resort title.
    pub fn stem_title(&self) -> String {
        let stem = if self.is_index {
            self.section.rsplit('/').next().unwrap_or("")
        } else {
            self.key
                .rsplit('/')
                .next()
                .unwrap_or(&self.key)
                .trim_end_matches(".md")
        };
        let words = stem.replace(['-', '_'], " ");
        let mut chars = words.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::from("Home"),
        }
    }

    /// `../` repeated once per folder above the page: the way back to the
    /// site root from the page, used for every link it emits.
    pub fn root_prefix(&self) -> String {
        "../".repeat(self.output.matches('/').count())
    }
}

/// Splits `---` front matter from the body and parses it.
///
/// Returns the front matter and the byte range of the body.
pub fn parse_front_matter(
    source: &Arc<SourceFile>,
) -> Result<(FrontMatter, Range<usize>), Diagnostic> {
    // A byte-order mark was taken off when the file was read.
    let text = source.text.as_str();
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok((FrontMatter::default(), 0..text.len()));
    };
    let yaml_start = text.len() - after_open.len();
    let close = find_closing_fence(after_open).ok_or_else(|| {
        Diagnostic::error("page::front-matter", "front matter is not closed")
            .at(source, 0..3)
            .with_label("opened here")
            .with_help("end the front matter with a line holding only `---`")
    })?;
    let yaml_text = &after_open[..close.0];
    let body_start = yaml_start + close.1;
    let front: FrontMatter = yaml::from_str(yaml_text).map_err(|err| {
        let span = yaml_start + err.span.start..yaml_start + err.span.end;
        let mut d = Diagnostic::error(
            "page::front-matter",
            format!("front matter: {}", err.message),
        )
        .at(source, span);
        if let Some(help) = err.help() {
            d = d.with_help(help);
        }
        d
    })?;
    Ok((front, body_start..text.len()))
}

/// Finds the closing `---` line: returns (end of YAML, start of body).
fn find_closing_fence(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(FrontMatter, Range<usize>), Diagnostic> {
        parse_front_matter(&SourceFile::new("content/a.md", text.to_string()))
    }

    #[test]
    fn front_matter_is_optional() {
        let (front, body) = parse("# Hi\n").unwrap();
        assert_eq!(front.kind, Kind::Guide);
        assert_eq!(body, 0..5);
    }

    #[test]
    fn front_matter_sets_kind_and_body_start() {
        let text = "---\ntitle: Call\nkind: how-to\nweight: 2\n---\nBody\n";
        let (front, body) = parse(text).unwrap();
        assert_eq!(front.kind, Kind::HowTo);
        assert_eq!(front.weight, 2);
        assert_eq!(&text[body], "Body\n");
    }

    #[test]
    fn an_unknown_kind_is_located_with_a_suggestion() {
        let err = parse("---\ntitle: x\nkind: how-too\n---\n").unwrap_err();
        let out = err.render(false);
        assert!(out.contains("content/a.md:3:7"), "{out}");
        assert!(out.contains("did you mean `how-to`?"), "{out}");
    }

    #[test]
    fn an_unclosed_front_matter_is_an_error() {
        let err = parse("---\ntitle: x\n").unwrap_err();
        assert!(err.message.contains("not closed"));
    }
}
