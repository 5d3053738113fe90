//! All YAML parsing: book.yaml, front matter, block bodies and theme strings.
//!
//! Values are deserialized with serde_yaml. Because serde_yaml does not keep
//! positions for values, [`Locator`] walks the same text with a small event
//! parser and records where each key and value sits, so later checks can
//! point an author at the exact line of a bad `next:` or an unknown key.
//! Nothing outside this module touches a YAML library.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use saphyr_parser::{Event, Parser, Span};
use serde::de::DeserializeOwned;

/// A YAML problem, located by byte offset in the text that was parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Range<usize>,
    /// An unknown key or variant and the accepted names, for "did you mean".
    pub unknown: Option<Unknown>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub name: String,
    pub expected: Vec<String>,
}

impl YamlError {
    /// "did you mean" for an unknown key or value, when one is close.
    pub fn suggestion(&self) -> Option<String> {
        let unknown = self.unknown.as_ref()?;
        crate::diagnostics::closest(&unknown.name, unknown.expected.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
    }

    /// The accepted names, for help text when nothing is close.
    pub fn expected(&self) -> Option<String> {
        let unknown = self.unknown.as_ref()?;
        if unknown.expected.is_empty() {
            return None;
        }
        let names: Vec<String> = unknown.expected.iter().map(|e| format!("`{e}`")).collect();
        Some(format!("expected one of {}", names.join(", ")))
    }
}

/// Deserializes `text`. An empty document deserializes like an empty mapping.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let source = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str(source).map_err(|err| convert(text, &err))
}

fn convert(text: &str, err: &serde_yaml::Error) -> YamlError {
    let full = err.to_string();
    // serde_yaml appends " at line L column C"; the position is shown separately.
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full.clone(),
    };
    let offset = err
        .location()
        .map(|l| offset_of(text, l.line(), l.column().saturating_sub(1)))
        .unwrap_or(0);
    let end = token_end(text, offset);
    YamlError {
        unknown: parse_unknown(&message),
        message,
        span: offset..end,
    }
}

/// The end of the word or token that starts at `offset`.
fn token_end(text: &str, offset: usize) -> usize {
    let rest = &text[offset.min(text.len())..];
    let len = rest.find([':', '\n', ',', ']', '}']).unwrap_or(rest.len());
    offset
        + len.max(
            rest.chars()
                .next()
                .map_or(0, char::len_utf8)
                .min(rest.len()),
        )
}

/// Reads serde's "unknown field `x`, expected one of `a`, `b`" messages.
fn parse_unknown(message: &str) -> Option<Unknown> {
    let rest = message
        .split_once("unknown field `")
        .or_else(|| message.split_once("unknown variant `"))?
        .1;
    let (name, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some(Unknown {
        name: name.to_string(),
        expected,
    })
}

/// Byte offset of a 1-based line and a 0-based character column.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    let within = line_text
        .char_indices()
        .nth(col)
        .map_or(line_text.find('\n').unwrap_or(line_text.len()), |(i, _)| i);
    start + within
}

/// One step of a path into a YAML document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_string())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// Builds a path: `yaml_path!["nodes", id, "answers", 2, "next"]`.
#[macro_export]
macro_rules! yaml_path {
    ($($seg:expr),* $(,)?) => {
        [$($crate::yaml::Seg::from($seg)),*]
    };
}

#[derive(Debug, Clone)]
struct Spans {
    key: Option<Range<usize>>,
    value: Range<usize>,
}

/// Where each key and value of a YAML document sits in its text.
///
/// The text is indexed on the first question, so a document that never
/// needs a location (one without errors) is never walked.
#[derive(Debug)]
pub struct Locator<'a> {
    text: &'a str,
    spans: OnceLock<HashMap<Vec<Seg>, Spans>>,
}

impl<'a> Locator<'a> {
    /// A locator for `text`. A document that does not parse gives an empty
    /// index; the deserializer reports the syntax error itself.
    pub fn new(text: &'a str) -> Self {
        Locator {
            text,
            spans: OnceLock::new(),
        }
    }

    fn spans(&self) -> &HashMap<Vec<Seg>, Spans> {
        self.spans.get_or_init(|| {
            let mut walker = Walker {
                text: self.text,
                line_starts: line_starts(self.text),
                parser: Parser::new_from_str(self.text),
                spans: HashMap::new(),
            };
            walker.document();
            walker.spans
        })
    }

    /// The span of the value at `path`.
    pub fn value(&self, path: &[Seg]) -> Option<Range<usize>> {
        self.spans().get(path).map(|s| s.value.clone())
    }

    /// The span of the key that holds `path`, else of its value.
    pub fn key(&self, path: &[Seg]) -> Option<Range<usize>> {
        let spans = self.spans().get(path)?;
        Some(spans.key.clone().unwrap_or_else(|| spans.value.clone()))
    }

    /// The closest located span: the path itself, else its nearest parent.
    pub fn nearest(&self, path: &[Seg]) -> Range<usize> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.key(&path[..n]))
            .unwrap_or(0..0)
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

struct Walker<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    spans: HashMap<Vec<Seg>, Spans>,
}

impl<'a> Walker<'a> {
    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => Some((event, span)),
            _ => None,
        }
    }

    fn byte(&self, marker: saphyr_parser::Marker) -> usize {
        let start = self
            .line_starts
            .get(marker.line().saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let line = &self.text[start..];
        start
            + line
                .char_indices()
                .nth(marker.col())
                .map_or(line.len(), |(i, _)| i)
    }

    fn range(&self, span: Span) -> Range<usize> {
        let start = self.byte(span.start);
        let end = self.byte(span.end).max(start);
        start..end
    }

    fn document(&mut self) {
        while let Some((event, span)) = self.next() {
            match event {
                Event::StreamEnd => return,
                Event::MappingStart(..) | Event::SequenceStart(..) | Event::Scalar(..) => {
                    let is_map = matches!(event, Event::MappingStart(..));
                    let is_seq = matches!(event, Event::SequenceStart(..));
                    self.node(Vec::new(), None, span, is_map, is_seq);
                }
                _ => {}
            }
        }
    }

    /// Records the node that began with `start` and, for collections, its
    /// children. Returns false when the event stream ended early.
    fn node(
        &mut self,
        path: Vec<Seg>,
        key: Option<Range<usize>>,
        start: Span,
        is_map: bool,
        is_seq: bool,
    ) -> bool {
        let begin = self.range(start);
        let mut end = begin.end;
        if is_map {
            loop {
                let Some((event, span)) = self.next() else {
                    return false;
                };
                let key_name = match event {
                    Event::MappingEnd => {
                        end = self.range(span).end.max(end);
                        break;
                    }
                    Event::Scalar(value, ..) => value.to_string(),
                    // Complex keys are rare in playbooks; index them by position.
                    _ => String::new(),
                };
                let key_span = self.range(span);
                let Some((value_event, value_span)) = self.next() else {
                    return false;
                };
                let mut child = path.clone();
                child.push(Seg::Key(key_name));
                let (m, s) = kinds(&value_event);
                end = end.max(self.range(value_span).end);
                if !self.node(child, Some(key_span), value_span, m, s) {
                    return false;
                }
            }
        } else if is_seq {
            let mut index = 0;
            loop {
                let Some((event, span)) = self.next() else {
                    return false;
                };
                if matches!(event, Event::SequenceEnd) {
                    end = self.range(span).end.max(end);
                    break;
                }
                let (m, s) = kinds(&event);
                let mut child = path.clone();
                child.push(Seg::Index(index));
                index += 1;
                if !self.node(child, None, span, m, s) {
                    return false;
                }
            }
        }
        // A collection's end marker can trail into following blank lines;
        // its span is its first line onwards, trimmed of trailing space.
        let value_end = if is_map || is_seq {
            begin.start
                + self.text[begin.start..end.max(begin.start)]
                    .trim_end()
                    .len()
        } else {
            begin.end
        };
        self.spans.insert(
            path,
            Spans {
                key,
                value: begin.start..value_end.max(begin.start),
            },
        );
        true
    }
}

fn kinds(event: &Event<'_>) -> (bool, bool) {
    (
        matches!(event, Event::MappingStart(..)),
        matches!(event, Event::SequenceStart(..)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Book {
        title: String,
        language: Option<String>,
    }

    #[test]
    fn unknown_keys_are_located_and_named() {
        let text = "title: A\nlangauge: fi\n";
        let err = from_str::<Book>(text).unwrap_err();
        assert_eq!(&text[err.span.clone()], "langauge");
        assert_eq!(
            err.suggestion().as_deref(),
            Some("did you mean `language`?")
        );
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let text = "title: A\nnav: [a, b\n";
        let err = from_str::<Book>(text).unwrap_err();
        assert!(err.span.start > 8, "{err:?}");
    }

    #[test]
    fn locator_finds_nested_keys_and_values() {
        let text = "nodes:\n  a:\n    answers:\n      - label: Yes\n        next: b\n      - label: No\n        next: ä\n";
        let loc = Locator::new(text);
        let next = loc
            .value(&yaml_path!["nodes", "a", "answers", 1, "next"])
            .unwrap();
        assert_eq!(&text[next], "ä");
        let key = loc.key(&yaml_path!["nodes", "a"]).unwrap();
        assert_eq!(&text[key], "a");
        let missing = loc.nearest(&yaml_path!["nodes", "a", "answers", 1, "nope"]);
        assert!(text[missing].starts_with("label: No"));
    }
}
