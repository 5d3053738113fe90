//! Playbook blocks: fenced blocks that markdown hands over by their language.
//!
//! - `clause`: a sample contract clause with fill-in fields ([`clause`]).
//! - `decision-tree`: a checked, walkable decision tree ([`tree`]).
//!
//! Each block renders to HTML that works without JavaScript, through the
//! theme's block templates ([`markup`]), records its searchable text, and
//! reports its problems as diagnostics located in the page's source.

pub mod clause;
pub mod markup;
pub mod tree;

use std::cell::RefCell;
use std::ops::Range;

use crate::content::Page;
use crate::markdown::Linker;
use crate::theme::{Strings, Theme};

/// A fenced block as it appears in the page.
pub struct Fence<'a> {
    /// The info string after the opening fence, such as `clause title="…"`.
    pub info: &'a str,
    pub body: &'a str,
    /// (offset in `body`, offset in the file) where each piece of the body
    /// starts; pieces are separate when the fence sits in a list or quote.
    pub pieces: &'a [(usize, usize)],
    /// The whole fence in the file.
    pub span: Range<usize>,
}

impl Fence<'_> {
    /// Maps a byte offset in the body to one in the file.
    pub fn file_offset(&self, body_offset: usize) -> usize {
        match self.pieces.iter().rev().find(|(b, _)| *b <= body_offset) {
            Some((b, f)) => f + (body_offset - b),
            None => self.span.start,
        }
    }

    pub fn file_span(&self, body_span: Range<usize>) -> Range<usize> {
        let start = self.file_offset(body_span.start);
        let end = self.file_offset(body_span.end).max(start);
        start..end
    }

    /// The span of the opening fence line, for block-level problems.
    pub fn opening_line(&self, text: &str) -> Range<usize> {
        let line = text[self.span.clone()]
            .find('\n')
            .unwrap_or(self.span.len());
        self.span.start..self.span.start + line
    }

    /// The info string as written on the opening fence line in `text`
    /// (the page's source). Markdown removes the backslash of `\"` in an
    /// info string, which would end a quoted value early; the raw line
    /// keeps it.
    pub fn raw_info<'t>(&self, text: &'t str) -> Option<&'t str> {
        let line = text.get(self.opening_line(text))?.trim_start();
        let marker = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
        Some(line.trim_start_matches(marker).trim())
    }

    /// `key="value"` attributes of the info string; `text` is the page's
    /// source, where the fence sits.
    pub fn attribute(&self, text: &str, key: &str) -> Option<String> {
        attribute(self.raw_info(text).unwrap_or(self.info), key)
    }
}

/// What a block needs from its page.
pub struct BlockContext<'a> {
    pub page: &'a Page,
    pub theme: &'a Theme,
    /// The theme strings of the page's language.
    pub strings: &'a Strings,
    pub linker: &'a Linker<'a>,
    /// `strings` as a template value.
    template_strings: minijinja::Value,
    /// Block templates that failed on this page, each reported once.
    failed: RefCell<Vec<&'static str>>,
}

impl<'a> BlockContext<'a> {
    /// `strings` must be the theme's strings for the page's language.
    pub fn new(
        page: &'a Page,
        theme: &'a Theme,
        strings: &'a Strings,
        linker: &'a Linker<'a>,
    ) -> Self {
        BlockContext {
            page,
            theme,
            strings,
            linker,
            template_strings: theme.strings_value(&page.lang),
            failed: RefCell::new(Vec::new()),
        }
    }
}

/// Reads `key="value"` (or `key=value`) from an info string.
fn attribute(info: &str, key: &str) -> Option<String> {
    let mut rest = info;
    while let Some(i) = rest.find(key) {
        let before_ok = i == 0 || rest[..i].ends_with(char::is_whitespace);
        let after = &rest[i + key.len()..];
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                if let Some(quoted) = value.strip_prefix('"') {
                    let mut out = String::new();
                    let mut chars = quoted.chars();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => out.extend(chars.next()),
                            '"' => return Some(out),
                            c => out.push(c),
                        }
                    }
                    return Some(out);
                }
                return Some(value.split_whitespace().next().unwrap_or("").to_string());
            }
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::attribute;

    #[test]
    fn info_string_attributes() {
        let info = r#"clause title="If \"they\" cannot" id=x"#;
        assert_eq!(
            attribute(info, "title").as_deref(),
            Some(r#"If "they" cannot"#)
        );
        assert_eq!(attribute(info, "id").as_deref(), Some("x"));
        assert_eq!(attribute(info, "nope"), None);
    }
}
