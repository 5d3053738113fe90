//! All YAML parsing: book.yaml, front matter, block bodies and theme strings.
//!
//! Values are deserialized with serde_yaml. Because serde_yaml does not keep
//! positions for values, [`Locator`] walks the same text with a small event
//! parser and records where each key and value sits, so later checks can
//! point an author at the exact line of a bad `next:` or an unknown key.
//! Nothing outside this module touches a YAML library.
//!
//! Before any value is built, [`from_str`] screens the event stream and
//! stops at the first of: nesting deeper than [`MAX_DEPTH`], more than
//! [`MAX_ALIASES`] aliases or aliases that expand past [`alias_budget`],
//! and a key written twice in one mapping. Each is an error located at the
//! event that crossed the line, so a small file cannot make a build slow
//! or huge, and a repeated key never silently replaces the first.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use saphyr_parser::{Event, Parser, Span};
use serde::de::DeserializeOwned;

/// The deepest nesting of mappings and sequences a document may have.
pub const MAX_DEPTH: usize = 64;

/// The most values (scalars, lists, mappings and aliases) a document may
/// hold. The largest decision tree allowed (1,000 nodes, 50 answers per
/// question) is about 260,000 values; this stops a document that is far
/// past any limit before it is deserialized.
pub const MAX_VALUES: usize = 500_000;

/// The most aliases (`*name`) a document may use.
pub const MAX_ALIASES: usize = 1_000;

/// The least the alias budget allows: 1 MiB of expanded text.
pub const MIN_ALIAS_BUDGET: usize = 1 << 20;

/// How large a document may grow through its aliases: four times its own
/// size, and at least [`MIN_ALIAS_BUDGET`]. Sizes count the bytes of every
/// scalar plus one per node, as the document reads with aliases replaced.
pub fn alias_budget(source_len: usize) -> usize {
    source_len.saturating_mul(4).max(MIN_ALIAS_BUDGET)
}

/// A YAML problem, located by byte offset in the text that was parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Range<usize>,
    /// An unknown key or variant and the accepted names, for "did you mean".
    pub unknown: Option<Unknown>,
    /// What to do about a problem found by the screen.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub name: String,
    pub expected: Vec<String>,
}

impl YamlError {
    fn screened(message: String, span: Range<usize>, note: String) -> Self {
        YamlError {
            message,
            span,
            unknown: None,
            note: Some(note),
        }
    }

    /// The best help for the author: the screen's note, else "did you
    /// mean", else the accepted names.
    pub fn help(&self) -> Option<String> {
        self.note
            .clone()
            .or_else(|| self.suggestion())
            .or_else(|| self.expected())
    }

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
///
/// Every YAML text the project reads comes through here, so the limits of
/// `screen` hold for all of them.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let source = if text.trim().is_empty() { "{}" } else { text };
    screen(source)?;
    serde_yaml::from_str(source).map_err(|err| convert(text, &err))
}

/// A mapping or sequence that is open while screening.
struct Open {
    anchor: usize,
    /// The expanded size when it opened.
    size_at_start: usize,
    /// For a mapping: the scalar keys seen so far, with where each sits,
    /// and whether the next node is a key.
    keys: Option<(HashMap<String, Range<usize>>, bool)>,
}

/// Checks the event stream against the limits, stopping at the first
/// problem. A syntax error ends the screen quietly: the deserializer
/// reports it with its own message.
fn screen(text: &str) -> Result<(), YamlError> {
    let budget = alias_budget(text.len());
    let mut offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    // Expanded size of each anchor, by the parser's anchor id.
    let mut anchors: HashMap<usize, usize> = HashMap::new();
    let mut expanded: usize = 0;
    let mut aliases: usize = 0;
    let mut values: usize = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(next) => next,
            // The scanner gives up on flow nesting (`[[[…`) a few hundred
            // levels deep, before the events would show it.
            Err(err) if err.info().contains("recursion limit") => {
                let at = offsets.byte(*err.marker());
                return Err(too_deep(at..at + 1));
            }
            Err(_) => break,
        };
        let range = offsets.range(span);
        if matches!(
            event,
            Event::MappingStart(..)
                | Event::SequenceStart(..)
                | Event::Scalar(..)
                | Event::Alias(..)
        ) {
            values += 1;
            if values > MAX_VALUES {
                return Err(YamlError::screened(
                    format!("YAML holds more than {MAX_VALUES} values"),
                    range,
                    format!(
                        "playbook reads at most {MAX_VALUES} values (scalars, lists and mappings) per YAML document; split it"
                    ),
                ));
            }
        }
        // A node that is complete: its size is added and, in a mapping,
        // a scalar key is checked for repeats.
        let mut finished: Option<(usize, Option<&str>)> = None;
        match &event {
            Event::StreamEnd => break,
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(range));
                }
                expanded = expanded.saturating_add(1);
                let is_map = matches!(event, Event::MappingStart(..));
                stack.push(Open {
                    anchor: *anchor,
                    size_at_start: expanded - 1,
                    keys: is_map.then(|| (HashMap::new(), true)),
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(open) = stack.pop() {
                    let size = expanded - open.size_at_start;
                    if open.anchor != 0 {
                        anchors.insert(open.anchor, size);
                    }
                    finished = Some((size, None));
                }
            }
            Event::Scalar(value, _, anchor, _) => {
                let size = value.len().saturating_add(1);
                expanded = expanded.saturating_add(size);
                if *anchor != 0 {
                    anchors.insert(*anchor, size);
                }
                finished = Some((size, Some(value.as_ref())));
            }
            Event::Alias(anchor) => {
                aliases += 1;
                if aliases > MAX_ALIASES {
                    return Err(YamlError::screened(
                        format!("YAML uses more than {MAX_ALIASES} aliases"),
                        range,
                        format!(
                            "playbook expands at most {MAX_ALIASES} aliases (`*name`) per document; write the values out"
                        ),
                    ));
                }
                let size = anchors.get(anchor).copied().unwrap_or(1);
                expanded = expanded.saturating_add(size);
                if expanded > budget {
                    return Err(YamlError::screened(
                        format!(
                            "YAML aliases expand this document past {} bytes",
                            budget
                        ),
                        range,
                        "an alias (`*name`) repeats its anchor's whole value; a document may grow through aliases to four times its size, or 1 MiB when that is more".to_string(),
                    ));
                }
                finished = Some((size, None));
            }
            _ => {}
        }
        let Some((_, key)) = finished else {
            continue;
        };
        if let Some(Open {
            keys: Some((keys, next_is_key)),
            ..
        }) = stack.last_mut()
        {
            if *next_is_key {
                if let Some(key) = key {
                    if let Some(first) = keys.get(key) {
                        let (line, _) = line_col(text, first.start);
                        return Err(YamlError::screened(
                            format!("the key `{key}` is written twice in one mapping"),
                            range,
                            format!(
                                "the first `{key}` is on line {line}; keep one of them (YAML would silently use the last)"
                            ),
                        ));
                    }
                    keys.insert(key.to_string(), range);
                }
            }
            *next_is_key = !*next_is_key;
        }
    }
    Ok(())
}

fn too_deep(span: Range<usize>) -> YamlError {
    YamlError::screened(
        format!("YAML nested more than {MAX_DEPTH} levels deep"),
        span,
        format!(
            "playbook reads at most {MAX_DEPTH} levels of nested lists and mappings; flatten this value"
        ),
    )
}

/// 1-based line and column of a byte offset, for messages.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// Turns the parser's character indices into byte offsets. Events arrive
/// in order, so a cursor that moves from the last answer keeps the whole
/// walk linear; pure ASCII text needs no walking at all.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    byte: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            byte: 0,
        }
    }

    fn byte(&mut self, marker: saphyr_parser::Marker) -> usize {
        let target = marker.index();
        if self.ascii {
            return target.min(self.text.len());
        }
        while self.chars < target {
            match self.text[self.byte..].chars().next() {
                Some(c) => {
                    self.byte += c.len_utf8();
                    self.chars += 1;
                }
                None => break,
            }
        }
        while self.chars > target {
            match self.text[..self.byte].chars().next_back() {
                Some(c) => {
                    self.byte -= c.len_utf8();
                    self.chars -= 1;
                }
                None => break,
            }
        }
        self.byte
    }

    fn range(&mut self, span: Span) -> Range<usize> {
        let start = self.byte(span.start);
        let end = self.byte(span.end).max(start);
        start..end
    }
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
        note: None,
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
        self.spans.get_or_init(|| index(self.text, None))
    }

    /// Like [`Locator::nearest`] for one path, reading the text only as far
    /// as that node ends instead of indexing all of it: for reporting a
    /// size limit in a large document.
    pub fn find(&self, path: &[Seg]) -> Range<usize> {
        if self.spans.get().is_some() {
            return self.nearest(path);
        }
        let spans = index(self.text, Some(path));
        (0..=path.len())
            .rev()
            .find_map(|n| {
                spans
                    .get(&path[..n])
                    .map(|s| s.key.clone().unwrap_or_else(|| s.value.clone()))
            })
            .unwrap_or(0..0)
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

/// A mapping or sequence being indexed.
struct Frame {
    path: Vec<Seg>,
    key: Option<Range<usize>>,
    begin: usize,
    end: usize,
    is_map: bool,
    /// A collection used as a mapping key: walked, not recorded.
    skip: bool,
    /// For a mapping: the key just read, waiting for its value.
    pending_key: Option<(String, Range<usize>)>,
    /// For a sequence: the index of the next item.
    next_index: usize,
}

/// Records where each key and value of the first document sits, with an
/// explicit stack so nesting costs no call depth. Stops at the first
/// syntax error, or past [`MAX_DEPTH`], with what it has; with `stop`,
/// as soon as that path is recorded.
fn index(text: &str, stop: Option<&[Seg]>) -> HashMap<Vec<Seg>, Spans> {
    let mut spans = HashMap::new();
    let mut offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root_done = false;
    while let Some(Ok((event, span))) = parser.next_event() {
        let range = offsets.range(span);
        let is_map = matches!(event, Event::MappingStart(..));
        let is_collection = is_map || matches!(event, Event::SequenceStart(..));
        match event {
            Event::StreamEnd => break,
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = stack.pop() else { break };
                // A collection's end marker can trail into following blank
                // lines; its span is its first line onwards, trimmed.
                let start = frame.begin;
                let end = range.end.max(frame.end).max(start);
                let value_end = start + text[start..end].trim_end().len();
                if let Some(parent) = stack.last_mut() {
                    parent.end = parent.end.max(value_end);
                }
                if !frame.skip && stop.is_none_or(|s| s.starts_with(&frame.path)) {
                    let done = stop == Some(frame.path.as_slice());
                    spans.insert(
                        frame.path,
                        Spans {
                            key: frame.key,
                            value: start..value_end,
                        },
                    );
                    if done {
                        break;
                    }
                }
                root_done = stack.is_empty();
            }
            Event::MappingStart(..)
            | Event::SequenceStart(..)
            | Event::Scalar(..)
            | Event::Alias(..) => {
                if root_done && stack.is_empty() {
                    // Only the first document is indexed.
                    break;
                }
                // Where this node sits: the root, a mapping's key or value,
                // a sequence's item, or inside a key (skipped).
                let mut skip = false;
                let mut path = Vec::new();
                let mut key = None;
                if let Some(parent) = stack.last_mut() {
                    parent.end = parent.end.max(range.end);
                    if parent.skip {
                        skip = true;
                    } else if parent.is_map {
                        match parent.pending_key.take() {
                            None => {
                                // Complex keys are rare in playbooks; their
                                // values are indexed under an empty key.
                                let name = match &event {
                                    Event::Scalar(value, ..) => value.to_string(),
                                    _ => String::new(),
                                };
                                parent.pending_key = Some((name, range.clone()));
                                skip = true;
                            }
                            Some((name, key_span)) => {
                                path = parent.path.clone();
                                path.push(Seg::Key(name));
                                key = Some(key_span);
                            }
                        }
                    } else {
                        path = parent.path.clone();
                        path.push(Seg::Index(parent.next_index));
                        parent.next_index += 1;
                    }
                }
                if is_collection {
                    if stack.len() >= MAX_DEPTH {
                        // Keep what is open, each up to where it was read.
                        while let Some(frame) = stack.pop() {
                            if !frame.skip && stop.is_none_or(|s| s.starts_with(&frame.path)) {
                                let end = frame.end.max(frame.begin);
                                spans.insert(
                                    frame.path,
                                    Spans {
                                        key: frame.key,
                                        value: frame.begin..end,
                                    },
                                );
                            }
                        }
                        break;
                    }
                    stack.push(Frame {
                        path,
                        key,
                        begin: range.start,
                        end: range.end,
                        is_map,
                        skip,
                        pending_key: None,
                        next_index: 0,
                    });
                } else {
                    if !skip && stop.is_none_or(|s| s.starts_with(&path)) {
                        let done = stop == Some(path.as_slice());
                        spans.insert(path, Spans { key, value: range });
                        if done {
                            break;
                        }
                    }
                    root_done = stack.is_empty();
                }
            }
            _ => {}
        }
    }
    spans
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

    #[test]
    fn deep_block_nesting_is_indexed_without_recursion() {
        let mut text = String::new();
        for level in 0..2_000 {
            text.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
        }
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let loc = Locator::new(&text);
                assert_eq!(loc.key(&yaml_path!["k0"]), Some(0..2));
                // Past the depth limit nothing is indexed, and nothing fails.
                assert_eq!(loc.key(&yaml_path!["k0", "k1", "k2"]), Some(11..13));
            })
            .expect("thread")
            .join()
            .expect("indexing finished");
    }

    #[test]
    fn screen_reports_each_limit_at_its_event() {
        let text = "a: 1\nb: 2\na: 3\n";
        let err = from_str::<HashMap<String, u32>>(text).unwrap_err();
        assert_eq!(&text[err.span.clone()], "a");
        assert_eq!(err.span.start, 10);
        assert!(err.help().unwrap().contains("line 1"), "{err:?}");

        let nested = format!("a: {}1{}", "[".repeat(65), "]".repeat(65));
        let err = from_str::<serde_yaml::Value>(&nested).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err:?}");
        // The mapping is level 1, so the 64th `[` opens level 65.
        assert_eq!(err.span.start, 3 + 63);

        let ok = format!("a: {}1{}", "[".repeat(63), "]".repeat(63));
        assert!(from_str::<serde_yaml::Value>(&ok).is_ok());
    }
}
