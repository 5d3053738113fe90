//! Located diagnostics: what went wrong, where in which file, and how to fix it.
//!
//! Every stage of the build reports problems as [`Diagnostic`]s instead of
//! stopping at the first one, so a single run shows an author every error.
//! This module owns the diagnostic type, the source files they point into,
//! and the two ways of printing them: a readable report with the source line
//! (through miette) and JSON for tools.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

/// The most diagnostics printed for one file; the rest are counted.
pub const MAX_PER_FILE: usize = 50;

/// The UTF-8 byte-order mark some editors put at the start of a file.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// A file's bytes as text, without a leading byte-order mark: the one way
/// the build reads `book.yaml`, pages and theme files as text, so a mark
/// an editor added is never taken for content.
pub fn decode(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    std::str::from_utf8(bytes.strip_prefix(BOM).unwrap_or(bytes))
}

/// [`decode`], with invalid bytes replaced by U+FFFD.
pub fn decode_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes.strip_prefix(BOM).unwrap_or(bytes))
}

/// `text` made safe to print to a terminal: control characters (C0 but
/// newline and tab, DEL, C1), which could move the cursor, clear the
/// screen or set the window title, become a visible escape such as
/// `\u{1b}`. Every path and message printed to the terminal passes
/// through it.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A source line as an excerpt shows it: each control character a
/// terminal would obey becomes a visible one of the same length in bytes
/// (`?` for one byte, `¿` for the two of a C1 control; a carriage return,
/// the end of a Windows line, a space), so every offset into the line still
/// points where it did.
fn line_safe(line: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\t';
    if !line.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\r' => out.push(' '),
            c if unsafe_char(c) && c.len_utf8() == 1 => out.push('?'),
            c if unsafe_char(c) => out.push('¿'),
            c => out.push(c),
        }
    }
    debug_assert_eq!(out.len(), line.len());
    std::borrow::Cow::Owned(out)
}

/// Lines of source shown before and after a diagnostic's span.
const CONTEXT_LINES: usize = 1;

/// A file the build read, kept so diagnostics can show its lines.
///
/// Where each line starts is indexed once, so placing a diagnostic costs a
/// binary search, not a scan from the top of the file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path shown to the author, relative to the project when possible.
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    ascii: bool,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: String) -> Arc<Self> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(SourceFile {
            name: name.into(),
            ascii: text.is_ascii(),
            text,
            line_starts,
        })
    }

    /// 0-based index of the line holding a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let col = if self.ascii {
            offset - start
        } else {
            self.text[start..offset].chars().count()
        };
        (line + 1, col + 1)
    }

    /// The byte range of line `index` (0-based), without its newline.
    fn line_range(&self, index: usize) -> Range<usize> {
        let start = self.line_starts[index];
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next.saturating_sub(1));
        start..end.max(start)
    }
}

/// Characters of a long line shown on each side of a span.
const EXCERPT_CONTEXT: usize = 120;
/// The most characters of a span's own line shown; longer spans are cut.
const EXCERPT_SPAN: usize = 120;
/// Lines longer than this (in characters) are cut down to a window.
const EXCERPT_LINE: usize = 2 * EXCERPT_CONTEXT + EXCERPT_SPAN;
/// Marks the characters left out of a cut line.
const ELLIPSIS: &str = "…";

/// One line of an [`Excerpt`]: which bytes of the file it shows, and where
/// they sit in the excerpt's text.
#[derive(Debug)]
struct ExcerptLine {
    /// The whole line in the file, without its newline.
    line: Range<usize>,
    /// The part of it shown.
    shown: Range<usize>,
    /// Where the line starts in the excerpt's text.
    at: usize,
    /// Bytes of the mark before the shown part (0 when nothing is left out).
    lead: usize,
    /// Length of the line in the excerpt, marks included.
    len: usize,
}

/// The lines around a diagnostic's span, as handed to miette: each line
/// longer than [`EXCERPT_LINE`] is cut to a window around the span, with
/// `…` where text is left out, so a span far along a long line prints as a
/// readable excerpt and miette never sees a column it cannot format.
/// Line and column numbers stay those of the file.
#[derive(Debug)]
struct Excerpt {
    file: Arc<SourceFile>,
    text: String,
    /// 0-based line in the file of the excerpt's first line.
    first: usize,
    lines: Vec<ExcerptLine>,
    /// The span in the excerpt's text.
    span: Range<usize>,
}

impl Excerpt {
    /// The excerpt for `span` with `context` lines before and after it.
    fn new(file: &Arc<SourceFile>, span: Range<usize>, context: usize) -> Self {
        let text = &file.text;
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = ceil_char_boundary(text, span.end.clamp(start, text.len()));
        let start_line = file.line_index(start);
        let end_line = file.line_index(end.saturating_sub(1).max(start));
        let first = start_line.saturating_sub(context);
        let last = (end_line + context).min(file.line_starts.len() - 1);
        let mut excerpt = Excerpt {
            file: Arc::clone(file),
            text: String::new(),
            first,
            lines: Vec::with_capacity(last + 1 - first),
            span: 0..0,
        };
        for index in first..=last {
            let line = file.line_range(index);
            // The part of the span on this line, else the line's start.
            let focus = if (start_line..=end_line).contains(&index) {
                start.clamp(line.start, line.end)..end.clamp(line.start, line.end)
            } else {
                line.start..line.start
            };
            let shown = if line.len() <= EXCERPT_LINE
                || text[line.clone()].chars().count() <= EXCERPT_LINE
            {
                line.clone()
            } else {
                let segment = &text[line.clone()];
                let from = focus.start - line.start;
                let to = (focus.end - line.start).max(from);
                let begin = segment[..from]
                    .char_indices()
                    .rev()
                    .nth(EXCERPT_CONTEXT - 1)
                    .map_or(0, |(i, _)| i);
                let to = segment[from..to]
                    .char_indices()
                    .nth(EXCERPT_SPAN)
                    .map_or(to, |(i, _)| from + i);
                let finish = segment[to..]
                    .char_indices()
                    .nth(EXCERPT_CONTEXT)
                    .map_or(segment.len(), |(i, _)| to + i);
                line.start + begin..line.start + finish
            };
            if index > first {
                excerpt.text.push('\n');
            }
            let at = excerpt.text.len();
            let lead = if shown.start > line.start {
                excerpt.text.push_str(ELLIPSIS);
                ELLIPSIS.len()
            } else {
                0
            };
            excerpt.text.push_str(&line_safe(&text[shown.clone()]));
            if shown.end < line.end {
                excerpt.text.push_str(ELLIPSIS);
            }
            excerpt.lines.push(ExcerptLine {
                line,
                len: excerpt.text.len() - at,
                shown,
                at,
                lead,
            });
        }
        let from = excerpt.to_excerpt(start);
        excerpt.span = from..excerpt.to_excerpt(end).max(from);
        excerpt
    }

    /// Where a byte offset of the file lands in the excerpt: offsets cut
    /// away move to the nearest edge of the shown part.
    fn to_excerpt(&self, offset: usize) -> usize {
        let index = self.file.line_index(offset).saturating_sub(self.first);
        let Some(l) = self.lines.get(index) else {
            return self.text.len();
        };
        if offset > l.line.end {
            // The newline after the line.
            return l.at + l.len;
        }
        let offset = offset.clamp(l.shown.start, l.shown.end);
        l.at + l.lead + (offset - l.shown.start)
    }

    /// The byte offset of the file an excerpt offset shows.
    fn to_file(&self, offset: usize) -> usize {
        let index = self
            .lines
            .partition_point(|l| l.at <= offset)
            .saturating_sub(1);
        let l = &self.lines[index];
        let within = offset.saturating_sub(l.at + l.lead).min(l.shown.len());
        l.shown.start + within
    }
}

/// Reads from the excerpt's text, with line numbers and the column of a
/// span's start given as in the file.
impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let column = if context_lines_before == 0 {
            self.file.line_col(self.to_file(inner.span().offset())).1 - 1
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            terminal_safe(&self.file.name).into_owned(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first,
            column,
            inner.line_count() + self.first,
        )))
    }
}

fn ceil_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in the author's project.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable name for the kind of problem, such as `link::missing-page`.
    pub code: &'static str,
    pub message: String,
    pub location: Option<Location>,
    /// A short note printed under the offending text.
    pub label: Option<String>,
    /// What the author can do about it.
    pub help: Option<String>,
}

/// A byte range in a source file.
#[derive(Debug, Clone)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
}

impl Location {
    pub fn new(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Location {
            file: Arc::clone(file),
            span,
        }
    }

    /// `file:line:col`, the way compilers print it.
    pub fn display(&self) -> String {
        let (line, col) = self.file.line_col(self.span.start);
        format!("{}:{line}:{col}", self.file.name)
    }
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            label: None,
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        self.location = Some(Location::new(file, span));
        self
    }

    /// Points at a whole file, with no particular line.
    pub fn in_file(self, file: &Arc<SourceFile>) -> Self {
        self.at(file, 0..0)
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds "did you mean" help when one of `candidates` is close to `wrong`.
    pub fn suggest<'a>(self, wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        self.suggest_within(&mut Suggestions::default(), wrong, candidates)
    }

    /// [`Diagnostic::suggest`], spending the budget of the file's
    /// `suggestions`.
    pub fn suggest_within<'a>(
        self,
        suggestions: &mut Suggestions,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match suggestions.closest(wrong, candidates) {
            Some(close) => self.with_help(format!("did you mean `{close}`?")),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Path, line and column, when the diagnostic points into a file.
    pub fn position(&self) -> Option<(String, usize, usize)> {
        let loc = self.location.as_ref()?;
        let (line, col) = loc.file.line_col(loc.span.start);
        Some((loc.file.name.clone(), line, col))
    }

    /// The readable report: the message, `file:line:col`, the source line
    /// with the span marked, and the help.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_context_lines(CONTEXT_LINES)
            .with_width(100);
        let mut out = String::new();
        let header = match self.location.as_ref() {
            Some(loc) => format!("{}: {}", loc.display(), self.message),
            None => self.message.clone(),
        };
        let safe = |text: &String| terminal_safe(text).into_owned();
        // A diagnostic about a whole file has nothing to quote.
        let excerpt = self
            .location
            .as_ref()
            .filter(|loc| !(loc.span.is_empty() && loc.span.start == 0))
            .map(|loc| {
                let end = loc.span.end.max(loc.span.start + 1);
                Excerpt::new(&loc.file, loc.span.start..end, CONTEXT_LINES)
            });
        let report = Report {
            diagnostic: self,
            header: safe(&header),
            label: self.label.as_ref().map(safe),
            help: self.help.as_ref().map(safe),
            excerpt,
        };
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("{report}");
        }
        out
    }
}

/// Sorts diagnostics by file and position so reports read top to bottom.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    fn key(d: &Diagnostic) -> Option<(&str, usize)> {
        d.location
            .as_ref()
            .map(|l| (l.file.name.as_str(), l.span.start))
    }
    diagnostics.sort_by(|a, b| key(a).cmp(&key(b)));
}

/// Renders diagnostics for the terminal, in order, at most
/// [`MAX_PER_FILE`] for each file. The rest of a file's are counted in one
/// line after its last one shown: `… and 12 more errors in content/a.md`.
pub fn render_capped<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    color: bool,
) -> Vec<String> {
    let diagnostics: Vec<&Diagnostic> = diagnostics.into_iter().collect();
    let file_of = |d: &Diagnostic| d.location.as_ref().map(|l| l.file.name.clone());
    let mut total: HashMap<Option<String>, usize> = HashMap::new();
    for d in &diagnostics {
        *total.entry(file_of(d)).or_default() += 1;
    }
    // Per file: how many seen so far, and the (errors, warnings) held back.
    let mut seen: HashMap<Option<String>, (usize, usize, usize)> = HashMap::new();
    let mut out = Vec::new();
    for d in diagnostics {
        let file = file_of(d);
        let count = seen.entry(file.clone()).or_default();
        count.0 += 1;
        if count.0 <= MAX_PER_FILE || file.is_none() {
            out.push(d.render(color));
        } else if d.is_error() {
            count.1 += 1;
        } else {
            count.2 += 1;
        }
        if let (Some(name), (n, errors, warnings)) = (&file, *count) {
            if n == total[&file] && errors + warnings > 0 {
                out.push(held_back(name, errors, warnings));
            }
        }
    }
    out
}

fn held_back(file: &str, errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} more {word}{}", if n == 1 { "" } else { "s" });
    let counts = match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    };
    let file = terminal_safe(file);
    format!("… and {counts} in {file} (at most {MAX_PER_FILE} are shown per file)\n")
}

/// Work one [`Suggestions`] may spend: about a byte or a character pair
/// compared per unit, some tens of milliseconds in all.
const SUGGESTION_BUDGET: usize = 10_000_000;

/// "Did you mean" suggestions for the problems of one file, within a
/// budget, so a file with thousands of wrong names costs time linear in its
/// size, not in its errors times its names. Only the first
/// [`MAX_PER_FILE`] asks are answered (the rest are not printed), and all of
/// them together compare at most `SUGGESTION_BUDGET` units of text.
#[derive(Debug, Clone)]
pub struct Suggestions {
    asks: usize,
    budget: usize,
}

impl Default for Suggestions {
    fn default() -> Self {
        Suggestions {
            asks: MAX_PER_FILE,
            budget: SUGGESTION_BUDGET,
        }
    }
}

impl Suggestions {
    /// The closest candidate to `wrong` by edit distance, if one is close
    /// enough to be a plausible typo and the budget lasts to find it.
    pub fn closest<'a>(
        &mut self,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        if self.asks == 0 {
            return None;
        }
        self.asks -= 1;
        let wrong_lower = wrong.to_lowercase();
        let wrong_len = wrong.chars().count();
        let mut best: Option<(usize, &str)> = None;
        for c in candidates {
            // Reading the candidate costs its length.
            let Some(left) = self.budget.checked_sub(c.len() + 1) else {
                self.budget = 0;
                break;
            };
            self.budget = left;
            let len = c.chars().count();
            let limit = (wrong_len.max(len) / 3).max(1);
            // The distance is at least the difference in length.
            let floor = wrong_len.abs_diff(len);
            if floor > limit || best.is_some_and(|(d, _)| floor >= d) {
                continue;
            }
            let Some(left) = self.budget.checked_sub(wrong_len.saturating_mul(len)) else {
                self.budget = 0;
                break;
            };
            self.budget = left;
            let distance = strsim::osa_distance(&wrong_lower, &c.to_lowercase());
            if distance > 0 && distance <= limit && best.is_none_or(|(d, _)| distance < d) {
                best = Some((distance, c));
                if distance == 1 {
                    // No candidate can come closer.
                    break;
                }
            }
        }
        best.map(|(_, c)| c)
    }
}

/// The closest candidate to `wrong` by edit distance, if any is close enough
/// to be a plausible typo. For a few fixed names; where one file can ask
/// many times, ask one [`Suggestions`] for the file.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    Suggestions::default().closest(wrong, candidates)
}

/// A diagnostic as printed: the header carries `file:line:col`.
/// Its texts are made [`terminal_safe`].
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    header: String,
    label: Option<String>,
    help: Option<String>,
    excerpt: Option<Excerpt>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.excerpt.as_ref().map(|e| e as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let excerpt = self.excerpt.as_ref()?;
        let span = LabeledSpan::new_with_span(
            self.label.clone(),
            (excerpt.span.start, excerpt.span.len()),
        );
        Some(Box::new(std::iter::once(span)))
    }
}

/// The JSON shape of a diagnostic, for `--format json`.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub severity: Severity,
    pub code: &'a str,
    pub message: &'a str,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        let position = d.position();
        JsonDiagnostic {
            severity: d.severity,
            code: d.code,
            message: &d.message,
            file: position.as_ref().map(|p| p.0.clone()),
            line: position.as_ref().map(|p| p.1),
            column: position.as_ref().map(|p| p.2),
            help: d.help.as_deref(),
        }
    }
}

/// The path shown to authors: relative to the project root when inside it.
pub fn display_path(root: &Path, path: &Path) -> String {
    let shown: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_lines_show_control_characters_in_place() {
        let file = SourceFile::new(
            "a.md",
            "one\r\nA \u{1b}]0;title\u{7} and \u{9b}2J [x](nowhere.md)\r\nthree\r\n".into(),
        );
        let at = file.text.find("nowhere").unwrap();
        let shown = Diagnostic::error("x", "no such page")
            .at(&file, at..at + 10)
            .with_label("here")
            .render(false);
        assert!(
            !shown.contains(['\u{1b}', '\u{7}', '\u{9b}', '\r']),
            "{shown:?}"
        );
        let line = shown
            .lines()
            .find(|l| l.contains("nowhere"))
            .expect("the source line");
        assert!(
            line.contains("A ?]0;title? and ¿2J [x](nowhere.md)"),
            "{line}"
        );
        // The underline still starts under the span.
        let under = shown
            .lines()
            .find(|l| l.contains('┬'))
            .expect("the underline");
        let column = |text: &str, needle: &str| text[..text.find(needle).unwrap()].chars().count();
        assert_eq!(column(under, "─"), column(line, "nowhere"), "{shown}");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(
            terminal_safe("a\u{1b}[2J\u{7}\r\u{7f}\u{9b}b\n\tä"),
            "a\\u{1b}[2J\\u{7}\\u{d}\\u{7f}\\u{9b}b\n\tä"
        );
        assert!(matches!(
            terminal_safe("plain ä\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        let d = Diagnostic::error("x", "bad \u{1b}]0;T\u{7}")
            .at(&SourceFile::new("c\u{1b}[2J.md", "text\n".into()), 0..4)
            .with_label("l\u{1b}")
            .with_help("h\u{1b}");
        let shown = d.render(true);
        assert!(!shown.contains("\u{7}"), "{shown:?}");
        for part in [
            "bad \\u{1b}]0;T\\u{7}",
            "c\\u{1b}[2J.md",
            "l\\u{1b}",
            "h\\u{1b}",
        ] {
            assert!(shown.contains(part), "{part} in {shown:?}");
        }
    }

    #[test]
    fn decoding_drops_a_leading_byte_order_mark_only() {
        assert_eq!(decode(b"\xef\xbb\xbfa: 1").unwrap(), "a: 1");
        assert_eq!(decode(b"a\xef\xbb\xbf").unwrap(), "a\u{feff}");
        assert_eq!(decode_lossy(b"\xef\xbb\xbfx\xff"), "x\u{fffd}");
        assert_eq!(decode(b"\xef\xbb\xbf\xff").unwrap_err().valid_up_to(), 0);
    }

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let file = SourceFile::new("a.md", "ä\nöx y\n".to_string());
        let y = file.text.find('y').unwrap();
        assert_eq!(file.line_col(y), (2, 4));
        assert_eq!(file.line_col(0), (1, 1));
    }

    #[test]
    fn closest_suggests_only_plausible_typos() {
        let keys = ["title", "description", "language"];
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("langauge", keys), Some("language"));
        assert_eq!(closest("colour", keys), None);
    }

    #[test]
    fn rendered_report_names_the_file_line_and_source() {
        let file = SourceFile::new("content/a.md", "# Hi\n\nsee [x](b.md)\n".to_string());
        let start = file.text.find("b.md").unwrap();
        let d = Diagnostic::error("link::missing-page", "link to a missing page `b.md`")
            .at(&file, start..start + 4)
            .with_help("check the path");
        let out = d.render(false);
        assert!(out.contains("content/a.md:3:9"), "{out}");
        assert!(out.contains("see [x](b.md)"), "{out}");
        assert!(out.contains("check the path"), "{out}");
    }
}
