//! One language's search index, and the files it is written as.
//!
//! The index maps each stem to the pages that hold it, with a weight per
//! page (BM25's term-frequency part, title and headings counting more),
//! and maps each word form seen to its stem. Both maps are sorted and cut
//! into chunks of about [`CHUNK_BYTES`]; `meta.json` lists the pages and
//! the first key of every chunk, so the browser fetches only the chunks a
//! query needs:
//!
//! - `meta.json`: `{"version", "pages": [url…], "words": [first…], "stems": [first…]}`
//! - `w<i>.json`: `[word, stem or "" when the same, …]`, sorted by word
//! - `s<i>.json`: `[stem, [page, weight, page gap, weight, …], …]`, sorted by stem
//!
//! Keys are sorted by UTF-16 code units, the order JavaScript compares
//! strings in, so the browser's binary search finds every word.

use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::text::{self, Field, SearchText, Stemmer};

/// About how large a chunk file grows before the next one starts.
const CHUNK_BYTES: usize = 24 * 1024;

/// How much more a word counts in the title and in a heading than in the
/// body.
const TITLE_BOOST: f32 = 5.0;
const HEADING_BOOST: f32 = 2.0;

/// BM25's term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A page to index: its URL from the site root, its title and the
/// searchable text its body recorded while it rendered.
pub struct Document<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub text: &'a SearchText,
}

/// A batch of pages, counted: stems are numbered within the batch.
struct Batch {
    /// Every word form met in the batch, with its stem's number.
    forms: FxHashMap<String, u32>,
    stems: Vec<String>,
    pages: Vec<Counted>,
}

/// The counted words of one page.
struct Counted {
    /// Each stem (by its number in the batch) with its frequency, boosted
    /// by field.
    terms: Vec<(u32, f32)>,
    /// Words in the body and headings.
    length: usize,
}

/// A built index, ready to be written.
pub struct Index {
    pages: Vec<String>,
    /// Every word form seen, with its stem, sorted by word.
    words: Vec<(String, String)>,
    /// Every stem with its (page, weight) postings, sorted by stem.
    stems: Vec<(String, Vec<(u32, u8)>)>,
}

impl Index {
    /// Indexes `documents` (one language's pages) in parallel.
    pub fn build(documents: &[Document<'_>], stemmer: &Stemmer) -> Index {
        // Pages are counted in parallel batches. Each batch stems a word
        // form once (stemming is the costly part, and most words repeat)
        // and numbers its stems, so that a page's counts are a plain
        // array and merging costs one lookup per stem per batch.
        let batches: Vec<Batch> = documents
            .par_chunks(64)
            .map(|documents| Batch::count(documents, stemmer))
            .collect();

        let total: usize = batches
            .iter()
            .flat_map(|b| &b.pages)
            .map(|c| c.length)
            .sum();
        let average = (total as f32 / documents.len().max(1) as f32).max(1.0);
        let mut numbers: FxHashMap<String, u32> = FxHashMap::default();
        let mut stems: Vec<(String, Vec<(u32, u8)>)> = Vec::new();
        let mut words: FxHashMap<String, u32> = FxHashMap::default();
        let mut page = 0u32;
        for batch in batches {
            let global: Vec<u32> = batch
                .stems
                .into_iter()
                .map(|stem| {
                    *numbers.entry(stem).or_insert_with_key(|stem| {
                        stems.push((stem.clone(), Vec::new()));
                        stems.len() as u32 - 1
                    })
                })
                .collect();
            for counted in batch.pages {
                let norm = K1 * (1.0 - B + B * counted.length as f32 / average);
                for (stem, tf) in counted.terms {
                    let score = tf * (K1 + 1.0) / (tf + norm) / (K1 + 1.0);
                    let weight = (score * 100.0).round().clamp(1.0, 100.0) as u8;
                    stems[global[stem as usize] as usize].1.push((page, weight));
                }
                page += 1;
            }
            for (form, stem) in batch.forms {
                words.entry(form).or_insert(global[stem as usize]);
            }
        }
        let mut words: Vec<(String, String)> = words
            .into_iter()
            .map(|(form, stem)| (form, stems[stem as usize].0.clone()))
            .collect();
        words.par_sort_unstable_by(|a, b| utf16_order(&a.0, &b.0));
        // Pages were added in order, so each list is already sorted.
        stems.par_sort_unstable_by(|a, b| utf16_order(&a.0, &b.0));
        Index {
            pages: documents.iter().map(|d| d.url.to_owned()).collect(),
            words,
            stems,
        }
    }

    /// The index's files: `(name, contents)`, `meta.json` last.
    pub fn files(&self) -> Vec<(String, String)> {
        let word_chunks = chunks(&self.words, |(word, stem), out| {
            json_string(out, word);
            out.push(',');
            json_string(out, if stem == word { "" } else { stem });
        });
        let stem_chunks = chunks(&self.stems, |(stem, list), out| {
            json_string(out, stem);
            out.push_str(",[");
            let mut previous = 0;
            let mut number = itoa::Buffer::new();
            for (i, &(page, weight)) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(number.format(page - previous));
                out.push(',');
                out.push_str(number.format(weight));
                previous = page;
            }
            out.push(']');
        });
        let mut version = String::new();
        for (_, body) in word_chunks.iter().chain(&stem_chunks) {
            version.push_str(&crate::theme::short_hash(body.as_bytes()));
        }
        let mut meta = String::from("{\"version\":");
        json_string(&mut meta, &crate::theme::short_hash(version.as_bytes()));
        let lists = [
            (
                "pages",
                self.pages.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
            (
                "words",
                word_chunks.iter().map(|(first, _)| *first).collect(),
            ),
            (
                "stems",
                stem_chunks.iter().map(|(first, _)| *first).collect(),
            ),
        ];
        for (name, items) in lists {
            let _ = write!(meta, ",\"{name}\":[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    meta.push(',');
                }
                json_string(&mut meta, item);
            }
            meta.push(']');
        }
        meta.push('}');
        let named = |prefix: &'static str| {
            move |(i, (_, body)): (usize, (&str, String))| (format!("{prefix}{i}.json"), body)
        };
        word_chunks
            .into_iter()
            .enumerate()
            .map(named("w"))
            .chain(stem_chunks.into_iter().enumerate().map(named("s")))
            .chain([("meta.json".to_owned(), meta)])
            .collect()
    }
}

impl Batch {
    fn count(documents: &[Document<'_>], stemmer: &Stemmer) -> Batch {
        let mut batch = Batch {
            forms: FxHashMap::default(),
            stems: Vec::new(),
            pages: Vec::with_capacity(documents.len()),
        };
        let mut numbers: FxHashMap<String, u32> = FxHashMap::default();
        // Frequencies by stem number, and the numbers met on this page.
        let mut tf: Vec<f32> = Vec::new();
        let mut met: Vec<u32> = Vec::new();
        for document in documents {
            let mut length = 0;
            let mut add = |word: &str, field: Field| {
                let stem = match batch.forms.get(word) {
                    Some(&stem) => stem,
                    None => {
                        let stem = stemmer.stem(word);
                        let stem = match numbers.get(stem.as_ref()) {
                            Some(&n) => n,
                            None => {
                                let n = batch.stems.len() as u32;
                                batch.stems.push(stem.clone().into_owned());
                                numbers.insert(stem.into_owned(), n);
                                tf.push(0.0);
                                n
                            }
                        };
                        batch.forms.insert(word.to_owned(), stem);
                        stem
                    }
                };
                let boost = match field {
                    Field::Title => TITLE_BOOST,
                    Field::Heading => HEADING_BOOST,
                    Field::Body => 1.0,
                };
                if field != Field::Title {
                    length += 1;
                }
                let slot = &mut tf[stem as usize];
                if *slot == 0.0 {
                    met.push(stem);
                }
                *slot += boost;
            };
            text::text_words(document.title, Field::Title, &mut add);
            text::words(document.text, &mut add);
            let terms = met
                .drain(..)
                .map(|stem| (stem, std::mem::take(&mut tf[stem as usize])))
                .collect();
            batch.pages.push(Counted { terms, length });
        }
        batch
    }
}

/// The order of JavaScript's `<` on strings, which `search.js` searches
/// the chunks by: UTF-16 code units. It differs from the byte order of
/// UTF-8 where U+E000–U+FFFF meets a character beyond U+FFFF, which UTF-16
/// writes with surrogates (U+D800–U+DFFF) and so puts first.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Cuts sorted entries into chunks of about [`CHUNK_BYTES`]: each is its
/// first key and its JSON array.
fn chunks<'a, K: AsRef<str> + 'a, V: 'a>(
    entries: &'a [(K, V)],
    mut write: impl FnMut(&(K, V), &mut String),
) -> Vec<(&'a str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    for entry in entries {
        match out.last_mut() {
            Some((_, body)) if body.len() < CHUNK_BYTES => body.push(','),
            _ => out.push((entry.0.as_ref(), String::from("["))),
        }
        let (_, body) = out.last_mut().expect("a chunk was just pushed");
        write(entry, body);
    }
    for (_, body) in &mut out {
        body.push(']');
    }
    out
}

/// Appends `s` as a JSON string.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Indexes pages given as (URL, title, body as HTML).
    fn index(pages: &[(&str, &str, &str)], lang: &str) -> Vec<(String, serde_json::Value)> {
        let texts: Vec<SearchText> = pages
            .iter()
            .map(|&(_, _, html)| {
                let mut text = SearchText::default();
                text.push_html(Field::Body, html);
                text
            })
            .collect();
        let documents: Vec<Document> = pages
            .iter()
            .zip(&texts)
            .map(|(&(url, title, _), text)| Document { url, title, text })
            .collect();
        Index::build(&documents, &Stemmer::for_language(lang))
            .files()
            .into_iter()
            .map(|(name, body)| (name, serde_json::from_str(&body).expect("valid JSON")))
            .collect()
    }

    #[test]
    fn stems_point_at_pages_and_words_at_stems() {
        let files = index(
            &[
                ("a.html", "Refunds", "<p>We refund the fee.</p>"),
                (
                    "b.html",
                    "Notice",
                    "<p>Give notice. No refund here, &quot;ok&quot;.</p>",
                ),
            ],
            "en",
        );
        let get = |name: &str| &files.iter().find(|(n, _)| n == name).unwrap().1;
        let meta = get("meta.json");
        assert_eq!(meta["pages"], serde_json::json!(["a.html", "b.html"]));
        assert_eq!(meta["words"][0], "fee", "chunks start at their first key");
        let words = get("w0.json").as_array().unwrap();
        let at = words.iter().position(|w| w == "refunds").unwrap();
        assert_eq!(words[at + 1], "refund", "a form maps to its stem");
        let at = words.iter().position(|w| w == "refund").unwrap();
        assert_eq!(words[at + 1], "", "a word that is its own stem");
        let stems = get("s0.json").as_array().unwrap();
        let at = stems.iter().position(|s| s == "refund").unwrap();
        let postings = stems[at + 1].as_array().unwrap();
        // Page 0 (title and body) and page 1 (gap 1), the first weighing more.
        assert_eq!(postings.len(), 4);
        assert_eq!(postings[0], 0);
        assert_eq!(postings[2], 1);
        assert!(postings[1].as_u64() > postings[3].as_u64(), "{postings:?}");
        assert!(
            !stems.contains(&serde_json::json!("quot")),
            "entities are not words"
        );
    }

    #[test]
    fn keys_are_in_the_order_javascript_compares_them() {
        // U+FF46 (fullwidth f) comes before U+10428 (Deseret) in UTF-8 but
        // after it in UTF-16, where U+10428 starts with a surrogate.
        let files = index(&[("a.html", "Keys", "<p>alpha ｆｕｌｌ 𐐨𐐩 中</p>")], "en");
        let words: Vec<&str> = files[0].1.as_array().unwrap()[..]
            .iter()
            .step_by(2)
            .filter_map(|w| w.as_str())
            .collect();
        assert_eq!(words, ["alpha", "keys", "中", "𐐨𐐩", "ｆｕｌｌ"]);
    }

    #[test]
    fn a_language_without_pages_gets_an_empty_index() {
        let files = index(&[], "fi");
        assert_eq!(files.len(), 1, "only meta.json");
        let meta = &files[0].1;
        assert_eq!(meta["pages"], serde_json::json!([]));
        assert_eq!(meta["words"], serde_json::json!([]));
    }

    #[test]
    fn large_indexes_are_cut_into_chunks() {
        let body: String = (0..6000)
            .map(|i| format!("<p>word{i} sana{i}</p>"))
            .collect();
        let files = index(&[("a.html", "Big", &body)], "fi");
        let meta = &files.last().unwrap().1;
        assert!(meta["words"].as_array().unwrap().len() > 1);
        assert!(meta["stems"].as_array().unwrap().len() > 1);
        for (name, value) in &files {
            if name != "meta.json" {
                let first = &value.as_array().unwrap()[0];
                let i: usize = name[1..name.len() - 5].parse().unwrap();
                let list = if name.starts_with('w') {
                    "words"
                } else {
                    "stems"
                };
                assert_eq!(&meta[list][i], first, "{name}");
            }
        }
    }
}
