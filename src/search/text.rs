//! The words of a page as search sees them: the text the page's renderers
//! recorded as searchable ([`SearchText`]), split on anything that is not a
//! letter or a digit, lowercased, and stemmed with the Snowball stemmer of
//! the page's language.
//!
//! The browser splits queries by the same rule (see the theme's
//! `search.js`), so a word typed matches the word indexed.

use std::borrow::Cow;

/// Where a word sits on the page, which sets how much it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Heading,
    Body,
}

/// Words longer than this are identifiers, hashes or URLs, not words.
const MAX_WORD_CHARS: usize = 40;

/// What ends a word between two runs of recorded text, as a tag does in
/// the page: a character that is neither a letter nor a digit.
const BREAK: char = '\n';

/// The searchable text of a rendered page body, by field, recorded while
/// the page renders: the author's words (headings, paragraphs, tree
/// questions, answers and outcomes, clause text), decoded, with no markup
/// and none of the theme's own labels, so the index does not depend on
/// how a theme writes its markup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    title: String,
    heading: String,
    body: String,
}

impl SearchText {
    fn field(&mut self, field: Field) -> &mut String {
        match field {
            Field::Title => &mut self.title,
            Field::Heading => &mut self.heading,
            Field::Body => &mut self.body,
        }
    }

    /// The text recorded in a field; `\n` stands where a word ended.
    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::Title => &self.title,
            Field::Heading => &self.heading,
            Field::Body => &self.body,
        }
    }

    /// Adds decoded text (no character references) to a field. Runs added
    /// one after the other join, as neighbouring text does in HTML.
    pub fn push(&mut self, field: Field, text: &str) {
        self.field(field).push_str(text);
    }

    /// Ends the word being recorded in a field, as a tag does in HTML.
    pub fn boundary(&mut self, field: Field) {
        let text = self.field(field);
        if !text.is_empty() && !text.ends_with(BREAK) {
            text.push(BREAK);
        }
    }

    /// Adds the text of raw HTML written by an author: what lies outside
    /// its tags, with character references decoded; each tag ends a word.
    pub fn push_html(&mut self, field: Field, html: &str) {
        let mut rest = html;
        loop {
            let open = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..open];
            if text.contains('&') {
                self.push(field, &html_escape::decode_html_entities(text));
            } else {
                self.push(field, text);
            }
            rest = &rest[open..];
            if rest.is_empty() {
                return;
            }
            self.boundary(field);
            rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
        }
    }

    /// Adds text as a run of its own: word breaks before and after.
    pub fn push_run(&mut self, field: Field, text: &str) {
        self.boundary(field);
        self.push(field, text);
        self.boundary(field);
    }
}

/// Calls `each` with every word of a page's recorded text, lowercased, and
/// the field it is in.
pub fn words(text: &SearchText, mut each: impl FnMut(&str, Field)) {
    for (field, run) in [
        (Field::Title, &text.title),
        (Field::Heading, &text.heading),
        (Field::Body, &text.body),
    ] {
        text_words(run, field, &mut each);
    }
}

/// Calls `each` with every word of plain text, such as a page title.
pub fn text_words(text: &str, field: Field, mut each: impl FnMut(&str, Field)) {
    let mut splitter = Splitter::default();
    splitter.split_decoded(text, field, &mut each);
    splitter.finish(field, &mut each);
}

/// Scripts written without spaces between words: Thai, Lao, Myanmar,
/// Khmer, Japanese kana and Chinese characters. With no way to tell their
/// words apart, each character is a word, and so is each pair of
/// neighbours, which finds a word of two characters exactly and a longer
/// one by its pairs. `search.js` uses the same ranges.
fn segmented(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0E00..=0x0EFF
            | 0x1000..=0x109F
            | 0x1780..=0x17FF
            | 0x3040..=0x30FF
            | 0x31F0..=0x31FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF
            | 0xFF66..=0xFF9F
            | 0x20000..=0x3FFFF
    )
}

/// Splits text into words: the word being read, and the last character
/// when it was of a segmented script.
#[derive(Default)]
struct Splitter {
    word: String,
    previous: Option<char>,
    pair: String,
}

impl Splitter {
    fn split_decoded(&mut self, text: &str, field: Field, each: &mut impl FnMut(&str, Field)) {
        for c in text.chars() {
            if !c.is_alphanumeric() {
                self.finish(field, each);
            } else if segmented(c) {
                self.emit(field, each);
                if let Some(previous) = self.previous {
                    self.pair.clear();
                    self.pair.push(previous);
                    self.pair.push(c);
                    each(&self.pair, field);
                }
                self.pair.clear();
                self.pair.push(c);
                each(&self.pair, field);
                self.previous = Some(c);
            } else {
                self.previous = None;
                self.word.push(c);
            }
        }
    }

    /// Ends the word and the segmented run being read.
    fn finish(&mut self, field: Field, each: &mut impl FnMut(&str, Field)) {
        self.previous = None;
        self.emit(field, each);
    }

    /// Passes on the word being read, lowercased as a whole (a Greek word
    /// ends in ς, as in the browser), unless it is one letter or too long.
    fn emit(&mut self, field: Field, each: &mut impl FnMut(&str, Field)) {
        if self.word.is_empty() {
            return;
        }
        if self.word.is_ascii() {
            self.word.make_ascii_lowercase();
        } else {
            self.word = self.word.to_lowercase();
        }
        let word = &self.word;
        let mut chars = word.chars();
        let first = chars.next().filter(|_| chars.next().is_none());
        // One letter on its own ("a", the "s" of "client's") is never a search.
        let single_letter = first.is_some_and(char::is_alphabetic);
        let too_long = word.len() > MAX_WORD_CHARS && word.chars().count() > MAX_WORD_CHARS;
        if !single_letter && !too_long {
            each(word, field);
        }
        self.word.clear();
    }
}

/// The Snowball stemmer for a language, or none where Snowball has no
/// stemmer for it (words are then indexed as written).
pub struct Stemmer(Option<rust_stemmers::Stemmer>);

impl Stemmer {
    /// The stemmer for a language code such as `fi` or `en-GB`.
    pub fn for_language(code: &str) -> Stemmer {
        use rust_stemmers::Algorithm::*;
        let base = code.split(['-', '_']).next().unwrap_or(code);
        let algorithm = match base.to_ascii_lowercase().as_str() {
            "ar" => Arabic,
            "da" => Danish,
            "de" => German,
            "el" => Greek,
            "en" => English,
            "es" => Spanish,
            "fi" => Finnish,
            "fr" => French,
            "hu" => Hungarian,
            "it" => Italian,
            "nb" | "nn" | "no" => Norwegian,
            "nl" => Dutch,
            "pt" => Portuguese,
            "ro" => Romanian,
            "ru" => Russian,
            "sv" => Swedish,
            "ta" => Tamil,
            "tr" => Turkish,
            _ => return Stemmer(None),
        };
        Stemmer(Some(rust_stemmers::Stemmer::create(algorithm)))
    }

    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        match &self.0 {
            Some(stemmer) => stemmer.stem(word),
            None => Cow::Borrowed(word),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of raw HTML recorded as body text.
    fn collect(html: &str) -> Vec<(String, Field)> {
        let mut text = SearchText::default();
        text.push_html(Field::Body, html);
        collect_text(&text)
    }

    fn collect_text(text: &SearchText) -> Vec<(String, Field)> {
        let mut out = Vec::new();
        words(text, |w, f| out.push((w.to_owned(), f)));
        out
    }

    #[test]
    fn recorded_runs_keep_their_field_and_break_words_only_where_told() {
        let mut text = SearchText::default();
        text.push(Field::Heading, "What to ");
        text.push(Field::Heading, "say");
        text.boundary(Field::Heading);
        text.push(Field::Body, "Call ");
        text.push(Field::Body, "the");
        text.boundary(Field::Body);
        text.push(Field::Body, "m & Ääni's.");
        text.push_html(Field::Body, "<b>Fn</b>30<br>xx&amp;yy");
        text.push_run(Field::Heading, "Maksu");
        let got = collect_text(&text);
        let words: Vec<&str> = got.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "what", "to", "say", "maksu", "call", "the", "ääni", "fn", "30", "xx", "yy"
            ],
            "headings come before the body; a boundary splits `the`+`m`"
        );
        let fields: Vec<Field> = got.iter().map(|(_, f)| *f).collect();
        assert_eq!(fields[..4], [Field::Heading; 4]);
        assert!(fields[4..].iter().all(|f| *f == Field::Body));
    }

    #[test]
    fn entities_separate_words_and_long_tokens_are_dropped() {
        let long = "x".repeat(41);
        let got = collect(&format!("<p>terms&quot;and&#39;notice {long} b 7</p>"));
        let words: Vec<&str> = got.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["terms", "and", "notice", "7"]);
    }

    #[test]
    fn scripts_without_spaces_give_characters_and_pairs() {
        let got = collect("<p>搜索引擎 x中文y ภาษา</p>");
        let words: Vec<&str> = got.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "搜", "搜索", "索", "索引", "引", "引擎", "擎", "中", "中文", "文", "ภ", "ภา", "า",
                "าษ", "ษ", "ษา", "า"
            ]
        );
    }

    /// The browser splits queries and snippets with the theme's
    /// `search.js` (its `words.js`); both sides must find the same words,
    /// or a word typed misses the word indexed. Runs that file in Node.
    #[test]
    fn the_browser_splits_text_into_the_same_words() {
        use std::io::Write as _;
        use std::process::{Command, Stdio};

        // (rendered HTML, the text a browser shows for it)
        let cases = [
            ("<p>Call them &amp; Ääni's.</p>", "Call them & Ääni's."),
            ("<p>ΟΔΟΣ Σοφίας ΣΟΦΟΣ.</p>", "ΟΔΟΣ Σοφίας ΣΟΦΟΣ."),
            (
                "<p>Caf&eacute; na&iuml;ve &#x00C5;se &#246;l</p>",
                "Café naïve Åse öl",
            ),
            (
                "<p>İstanbul STRASSE Straße ǅemal</p>",
                "İstanbul STRASSE Straße ǅemal",
            ),
            ("<p>ｆｕｌｌ 𐐀𐐁 𝐀𝐁𝐂 x²³ ¾ Ⅻ</p>", "ｆｕｌｌ 𐐀𐐁 𝐀𝐁𝐂 x²³ ¾ Ⅻ"),
            (
                "<p>中文搜索，日本語のテキスト ภาษาไทย ឡើង 𠀀𠀁</p>",
                "中文搜索，日本語のテキスト ภาษาไทย ឡើង 𠀀𠀁",
            ),
            ("<p>API接口v2 abc中def</p>", "API接口v2 abc中def"),
            (
                "<p>a b 7 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ok</p>",
                "a b 7 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ok",
            ),
            (
                "<p>&lt;tag&gt; terms&quot;and&#39;notice</p>",
                "<tag> terms\"and'notice",
            ),
        ];
        let rust: Vec<Vec<String>> = cases
            .iter()
            .map(|(html, _)| collect(html).into_iter().map(|(w, _)| w).collect())
            .collect();
        let texts: Vec<&str> = cases.iter().map(|(_, text)| *text).collect();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/words.mjs");
        let mut node = Command::new("node")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("this test runs the theme's tokenizer in Node: install nodejs");
        node.stdin
            .take()
            .expect("stdin")
            .write_all(serde_json::to_string(&texts).expect("JSON").as_bytes())
            .expect("texts written to node");
        let output = node.wait_with_output().expect("node ran");
        assert!(output.status.success(), "node failed");
        let js: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).expect("JSON from node");
        for ((text, rust), js) in texts.iter().zip(&rust).zip(&js) {
            assert_eq!(rust, js, "words of {text:?}: Rust, then search.js");
        }
        assert_eq!(rust[1], ["οδος", "σοφίας", "σοφος"], "final sigma");
        assert_eq!(
            rust[2],
            ["café", "naïve", "åse", "öl"],
            "character references"
        );
    }

    #[test]
    fn finnish_and_english_inflections_share_a_stem() {
        let fi = Stemmer::for_language("fi");
        assert_eq!(fi.stem("hyvityksen"), fi.stem("hyvitykset"));
        let en = Stemmer::for_language("en-GB");
        assert_eq!(en.stem("refunds"), en.stem("refund"));
        assert_eq!(Stemmer::for_language("xx").stem("sanat"), "sanat");
    }
}
