//! The words of a page as search sees them: read from the rendered HTML,
//! split on anything that is not a letter or a digit, lowercased, and
//! stemmed with the Snowball stemmer of the page's language.
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

/// Parts of a rendered page that are not text a reader searches: the tree
/// diagram repeats the tree's own text, clause inputs are form fields and
/// heading anchors are a `#`.
const SKIP: [(&str, &str); 4] = [
    ("<svg", "</svg>"),
    ("<details class=\"pb-tree__diagram\"", "</details>"),
    ("<fieldset", "</fieldset>"),
    ("<a class=\"pb-anchor\"", "</a>"),
];

/// Calls `each` with every word of a rendered page body, lowercased, and
/// whether it is in a heading or in the body.
pub fn words(html: &str, mut each: impl FnMut(&str, Field)) {
    let mut word = String::new();
    let mut field = Field::Body;
    let mut rest = html;
    'scan: loop {
        let open = rest.find('<').unwrap_or(rest.len());
        split(&rest[..open], field, &mut word, &mut each);
        rest = &rest[open..];
        if rest.is_empty() {
            return;
        }
        for (start, end) in SKIP {
            if rest.starts_with(start) {
                rest = rest.find(end).map_or("", |i| &rest[i + end.len()..]);
                continue 'scan;
            }
        }
        let close = rest.find('>').map_or(rest.len(), |i| i + 1);
        match heading_tag(&rest[..close]) {
            Some(true) => field = Field::Heading,
            Some(false) => field = Field::Body,
            None => {}
        }
        rest = &rest[close..];
    }
}

/// Calls `each` with every word of plain text, such as a page title.
pub fn text_words(text: &str, field: Field, mut each: impl FnMut(&str, Field)) {
    split(text, field, &mut String::new(), &mut each);
}

/// Splits a run of text (with HTML entities still in it) into words. An
/// entity is a separator: the markdown renderer escapes only `&`, `<`, `>`
/// and quotes, none of which is part of a word.
fn split(text: &str, field: Field, word: &mut String, each: &mut impl FnMut(&str, Field)) {
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            continue;
        }
        if !c.is_ascii() && c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            continue;
        }
        emit(word, field, each);
        if c == '&' {
            let entity = text[i + 1..].find(';').filter(|&end| end <= 10);
            if let Some(end) = entity {
                chars.nth(end);
            }
        }
    }
    emit(word, field, each);
}

fn emit(word: &mut String, field: Field, each: &mut impl FnMut(&str, Field)) {
    if word.is_empty() {
        return;
    }
    let mut chars = word.chars();
    let first = chars.next().filter(|_| chars.next().is_none());
    // One letter on its own ("a", the "s" of "client's") is never a search.
    let single_letter = first.is_some_and(char::is_alphabetic);
    let too_long = word.len() > MAX_WORD_CHARS && word.chars().count() > MAX_WORD_CHARS;
    if !single_letter && !too_long {
        each(word, field);
    }
    word.clear();
}

/// `Some(true)` for an opening `<h1>`…`<h6>` tag, `Some(false)` for a
/// closing one, `None` for any other tag.
fn heading_tag(tag: &str) -> Option<bool> {
    let (closing, name) = match tag.strip_prefix("</") {
        Some(name) => (true, name),
        None => (false, tag.strip_prefix('<')?),
    };
    let name = name.as_bytes();
    let is_heading = name.len() >= 3
        && name[0] == b'h'
        && (b'1'..=b'6').contains(&name[1])
        && matches!(name[2], b' ' | b'>' | b'\t' | b'\n');
    is_heading.then_some(!closing)
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

    fn collect(html: &str) -> Vec<(String, Field)> {
        let mut out = Vec::new();
        words(html, |w, f| out.push((w.to_owned(), f)));
        out
    }

    #[test]
    fn headings_body_and_skipped_parts() {
        let html = r##"<h2 id="what-to-say">What to say <a class="pb-anchor" href="#what-to-say">#</a></h2>
<p>Call <em>them</em> &amp; Ääni's.</p><svg><text>Diagram</text></svg><fieldset><label>Provider</label></fieldset><pre><span class="hl-x">fn</span> 30</pre><h3>Maksu</h3>"##;
        let got = collect(html);
        let words: Vec<&str> = got.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "what", "to", "say", "call", "them", "ääni", "fn", "30", "maksu"
            ]
        );
        assert_eq!(got[0].1, Field::Heading);
        assert_eq!(got[3].1, Field::Body);
        assert_eq!(got[8].1, Field::Heading);
    }

    #[test]
    fn entities_separate_words_and_long_tokens_are_dropped() {
        let long = "x".repeat(41);
        let got = collect(&format!("<p>terms&quot;and&#39;notice {long} b 7</p>"));
        let words: Vec<&str> = got.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["terms", "and", "notice", "7"]);
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
