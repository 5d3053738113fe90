//! Rendered HTML that knows where its links and ids are.
//!
//! A page body is rendered once and shown in two places: on its own page,
//! where a link to another page or file needs the way back to the site
//! root (`../` per folder), and on the print page, where every id (and
//! every `#` link, label or ARIA reference to one) gets the page's prefix,
//! so ids stay unique among all the pages.
//!
//! The renderer writes through [`Html`], which records those places as it
//! writes them ([`Mark`]); [`write_placed`] then fills them in one linear
//! pass. Nothing is searched for in the HTML afterwards, so text that looks
//! like a link or an attribute (in prose, code or raw HTML) is never
//! touched. Raw HTML an author writes gets no marks: its links and ids are
//! kept exactly as written.
//!
//! Marks pass through the theme's block templates inside the markup: a
//! value made with [`Html::into_template_value`], or an id printed with the
//! templates' `id` filter, carries each mark as a NUL and a letter, and
//! [`Html::from_template_output`] takes them out again. No other NUL can
//! be in a template's output: every text a template prints is escaped
//! (by printing, or by the `e` and `escape` filters), which turns NUL into
//! U+FFFD ([`crate::html::escape`]), and markup passed in as a value has
//! its NULs replaced the same way ([`Html::into_template_value`]). A page
//! has none once read ([`super::replace_nul`]), but pulldown-cmark passes
//! one on as it is, and a block's markdown can hold one written as a YAML
//! escape (`"\0"`).
//!
//! Blocks write their markup through the same type: [`Html::id`] for an id
//! value (`id="…"`, `href="#…"`, `for="…"`, `aria-labelledby="…"`,
//! `url(#…)`), [`Html::root`] before a site-relative URL, and
//! [`Html::append`] to take in markup rendered elsewhere with its marks.

use std::fmt;

/// A place in rendered HTML that depends on where the HTML is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Byte offset in the HTML.
    pub at: usize,
    pub kind: MarkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// The start of a site-relative URL: the way back to the site root
    /// goes here.
    Root,
    /// The start of an id value, or of an id named by a reference to it:
    /// the print page's prefix for the page goes here.
    Id,
}

/// HTML being written, with its marks.
#[derive(Debug, Clone, Default)]
pub struct Html {
    html: String,
    marks: Vec<Mark>,
}

impl Html {
    pub fn new() -> Html {
        Html::default()
    }

    pub fn with_capacity(bytes: usize) -> Html {
        Html {
            html: String::with_capacity(bytes),
            marks: Vec::new(),
        }
    }

    /// Appends markup as it is: no escaping, no marks.
    pub fn push_str(&mut self, markup: &str) {
        self.html.push_str(markup);
    }

    /// Appends text, escaped for element content or a quoted attribute.
    pub fn text(&mut self, text: &str) {
        self.html.push_str(&crate::html::escape(text));
    }

    /// Appends a URL escaped for an `href` or `src` value, as
    /// pulldown-cmark writes one.
    pub fn url(&mut self, url: &str) {
        let _ = pulldown_cmark_escape::escape_href(&mut self.html, url);
    }

    /// Appends text escaped for an attribute value, as pulldown-cmark
    /// writes a link's title or an image's alt text.
    pub fn attr(&mut self, text: &str) {
        let _ = pulldown_cmark_escape::escape_html(&mut self.html, text);
    }

    /// Marks the current end as where the way back to the site root goes;
    /// the site-relative URL follows.
    pub fn root(&mut self) {
        self.mark(MarkKind::Root);
    }

    /// Appends an id (escaped) and marks it for the print page's prefix.
    /// Use it for the value of `id`, `for`, the part after `#` of a
    /// fragment link or `url(#…)`, and each id of `aria-labelledby`,
    /// `aria-describedby` and `aria-controls`.
    pub fn id(&mut self, id: &str) {
        self.mark_id();
        self.text(id);
    }

    /// Marks the current end as the start of an id the caller writes
    /// next, for ids escaped in some other way (such as in a URL).
    pub fn mark_id(&mut self) {
        self.mark(MarkKind::Id);
    }

    /// Appends ids separated by spaces, each marked, for attributes that
    /// name several (`aria-labelledby="a b"`).
    pub fn ids<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        for (i, id) in ids.into_iter().enumerate() {
            if i > 0 {
                self.html.push(' ');
            }
            self.id(id);
        }
    }

    /// Appends other HTML with its marks.
    pub fn append(&mut self, other: Html) {
        let base = self.html.len();
        self.marks.extend(other.marks.iter().map(|m| Mark {
            at: base + m.at,
            kind: m.kind,
        }));
        self.html.push_str(&other.html);
    }

    /// Drops white space at the end, and any mark after the text left.
    pub fn trim_end(&mut self) {
        let len = self.html.trim_end().len();
        self.html.truncate(len);
        self.marks.retain(|m| m.at <= len);
    }

    fn mark(&mut self, kind: MarkKind) {
        self.marks.push(Mark {
            at: self.html.len(),
            kind,
        });
    }

    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// HTML and its marks, which must be in order and within `html`.
    pub fn from_parts(html: String, marks: Vec<Mark>) -> Html {
        debug_assert!(marks.windows(2).all(|w| w[0].at <= w[1].at));
        debug_assert!(marks.iter().all(|m| html.is_char_boundary(m.at)));
        Html { html, marks }
    }

    pub fn into_parts(self) -> (String, Vec<Mark>) {
        (self.html, self.marks)
    }
}

/// Starts a mark inside markup that passes through a template.
const IN_TEMPLATE: char = '\0';

impl MarkKind {
    fn letter(self) -> char {
        match self {
            MarkKind::Root => 'r',
            MarkKind::Id => 'i',
        }
    }

    fn from_letter(letter: char) -> Option<MarkKind> {
        match letter {
            'r' => Some(MarkKind::Root),
            'i' => Some(MarkKind::Id),
            _ => None,
        }
    }
}

impl Html {
    /// The markup as a safe value for a block template, its marks written
    /// into it. A NUL already in the markup (pulldown-cmark passes one on
    /// from its text) becomes U+FFFD first, as a browser would read it.
    pub fn into_template_value(self) -> minijinja::Value {
        let mut text = String::with_capacity(self.html.len() + self.marks.len() * 2);
        let mut from = 0;
        let copy = |text: &mut String, piece: &str| {
            for (i, part) in piece.split(IN_TEMPLATE).enumerate() {
                if i > 0 {
                    text.push('\u{FFFD}');
                }
                text.push_str(part);
            }
        };
        for mark in &self.marks {
            copy(&mut text, &self.html[from..mark.at]);
            text.push(IN_TEMPLATE);
            text.push(mark.kind.letter());
            from = mark.at;
        }
        copy(&mut text, &self.html[from..]);
        minijinja::Value::from_safe_string(text)
    }

    /// An id escaped for a template to print, marked: the templates' `id`
    /// filter.
    pub fn template_id(id: &str) -> minijinja::Value {
        let mut html = Html::new();
        html.id(id);
        html.into_template_value()
    }

    /// A block template's output, its marks taken back out. A NUL not
    /// followed by a mark's letter is dropped.
    pub fn from_template_output(text: &str) -> Html {
        let mut html = Html::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(IN_TEMPLATE) {
            html.push_str(&rest[..at]);
            rest = &rest[at + IN_TEMPLATE.len_utf8()..];
            let mut chars = rest.chars();
            if let Some(kind) = chars.next().and_then(MarkKind::from_letter) {
                html.mark(kind);
                rest = chars.as_str();
            }
        }
        html.push_str(rest);
        html
    }
}

/// Markup without marks, such as highlighted code.
impl From<String> for Html {
    fn from(html: String) -> Html {
        Html {
            html,
            marks: Vec::new(),
        }
    }
}

/// The markup, as written (marks not filled in).
impl std::ops::Deref for Html {
    type Target = str;
    fn deref(&self) -> &str {
        &self.html
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.html)
    }
}

/// Appends markup as it is, so `write!` works on [`Html`].
impl fmt::Write for Html {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.html.push_str(s);
        Ok(())
    }
}

/// Writes `html` with `root` at each [`MarkKind::Root`] and `prefix` at
/// each [`MarkKind::Id`], copying the text between marks as it is.
pub fn write_placed(
    out: &mut impl fmt::Write,
    html: &str,
    marks: &[Mark],
    root: &str,
    prefix: &str,
) -> fmt::Result {
    let mut from = 0;
    for mark in marks {
        let insert = match mark.kind {
            MarkKind::Root => root,
            MarkKind::Id => prefix,
        };
        if insert.is_empty() {
            continue;
        }
        // Marks come in order, on character boundaries; one that does
        // not is skipped rather than cutting a character.
        let Some(piece) = html.get(from..mark.at) else {
            debug_assert!(false, "mark {mark:?} out of order or inside a character");
            continue;
        };
        out.write_str(piece)?;
        out.write_str(insert)?;
        from = mark.at;
    }
    out.write_str(html.get(from..).unwrap_or(""))
}

/// [`write_placed`] into a new string.
pub fn placed(html: &str, marks: &[Mark], root: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(html.len() + marks.len() * root.len().max(prefix.len()));
    let _ = write_placed(&mut out, html, marks, root, prefix);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_filled_in_one_pass_and_text_is_left_alone() {
        let mut h = Html::new();
        h.push_str("<h2 id=\"");
        h.id("a");
        h.push_str("\">~pb-root~/ id=\"x\"</h2><a href=\"");
        h.root();
        h.push_str("b.html\">b</a><a href=\"#");
        h.id("a");
        h.push_str("\">a</a><svg aria-labelledby=\"");
        h.ids(["t", "d"]);
        h.push_str("\">");
        let mut inner = Html::new();
        inner.push_str("<img src=\"");
        inner.root();
        inner.push_str("i.png\">");
        h.append(inner);
        let (html, marks) = h.into_parts();
        assert_eq!(
            placed(&html, &marks, "../", "p1-"),
            "<h2 id=\"p1-a\">~pb-root~/ id=\"x\"</h2><a href=\"../b.html\">b</a><a href=\"#p1-a\">a</a><svg aria-labelledby=\"p1-t p1-d\"><img src=\"../i.png\">"
        );
        assert_eq!(placed(&html, &marks, "", ""), html);
        // Through a template and back: the same markup and marks.
        let through = Html::from_parts(html.clone(), marks.clone()).into_template_value();
        let back = Html::from_template_output(through.as_str().unwrap());
        assert_eq!(back.marks(), &marks[..]);
        assert_eq!(&*back, html.as_str());
        assert_eq!(
            placed(&html, &marks, "../../", ""),
            "<h2 id=\"a\">~pb-root~/ id=\"x\"</h2><a href=\"../../b.html\">b</a><a href=\"#a\">a</a><svg aria-labelledby=\"t d\"><img src=\"../../i.png\">"
        );
    }
}
