//! Sample contract clauses with `[[Name]]` fill-in fields.
//!
//! The theme's `blocks/clause.html` writes a clause's markup. Without
//! JavaScript a clause reads with its placeholders visible. The theme's
//! clause component adds the fields (one value per name across the
//! page) and a button that copies the filled clause as plain text.

use crate::diagnostics::Diagnostic;
use crate::markdown::slug::{IdSet, slugify};
use crate::markdown::{Html, Rendered};
use crate::search::Field;

use super::markup::{self, ClauseView, PieceView};
use super::{BlockContext, Fence};

pub const FENCE: &str = "clause";

/// A piece of clause text: words, or a field to fill in.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Field(&'a str),
}

/// The clause's markup, from the theme's `blocks/clause.html`. Records
/// its title and text, fields included, as searchable body text.
pub fn render(
    fence: &Fence<'_>,
    ctx: &BlockContext<'_>,
    ids: &mut IdSet,
    out: &mut Rendered,
) -> Html {
    out.features.clauses = true;
    let source = &ctx.page.source;
    let title = fence.attribute(&source.text, "title").unwrap_or_default();
    if title.trim().is_empty() {
        out.diagnostics.push(
            Diagnostic::error("clause::title", "a clause needs a title")
                .at(source, fence.opening_line(&source.text))
                .with_help("write the fence as ```clause title=\"What the clause covers\""),
        );
    }
    out.search.push_run(Field::Body, &title);
    let id = ids.unique(&format!("clause-{}", slugify(&title)));
    let mut fields: Vec<&str> = Vec::new();
    let mut paragraphs = Vec::new();
    for (paragraph, start) in paragraphs_of(fence.body) {
        match pieces(paragraph) {
            Ok(pieces) => {
                let mut view = Vec::with_capacity(pieces.len());
                for piece in pieces {
                    match piece {
                        Piece::Text(text) => {
                            out.search.push_run(Field::Body, text);
                            view.push(PieceView { text, field: None });
                        }
                        Piece::Field(name) => {
                            if !fields.contains(&name) {
                                fields.push(name);
                            }
                            out.search.push_run(Field::Body, name);
                            view.push(PieceView {
                                text: name,
                                field: Some(name),
                            });
                        }
                    }
                }
                paragraphs.push(view);
            }
            Err((offset, message)) => {
                let at = start + offset;
                out.diagnostics.push(
                    Diagnostic::error("clause::placeholder", message)
                        .at(source, fence.file_span(at..at + 2))
                        .with_help("write placeholders as [[Name]]"),
                );
            }
        }
    }
    let view = ClauseView {
        id: id.clone(),
        title,
        fields,
        paragraphs,
    };
    let html = ctx
        .render_template(markup::CLAUSE, "clause", view, out)
        .map(markup::end_line)
        .unwrap_or_default();
    out.anchors.insert(id);
    html
}

/// Paragraphs separated by blank lines, with their offsets in the body.
fn paragraphs_of(body: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push((body[s..offset].trim_end(), s));
            }
        } else if start.is_none() {
            start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push((body[s..].trim_end(), s));
    }
    out
}

/// Splits text into words and `[[fields]]`; an unclosed or empty
/// placeholder is an error at its offset.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, (usize, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find("[[") {
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 2..];
        let Some(close) = after.find("]]") else {
            return Err((
                offset + open,
                "a placeholder is not closed with `]]`".to_string(),
            ));
        };
        let name = after[..close].trim();
        if name.is_empty() || name.contains('[') || name.contains('\n') {
            return Err((
                offset + open,
                format!("`[[{}]]` is not a placeholder name", &after[..close]),
            ));
        }
        out.push(Piece::Field(name));
        let consumed = open + 2 + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_split_from_text() {
        assert_eq!(
            pieces("If [[Provider]] fails, [[Client]] may").unwrap(),
            vec![
                Piece::Text("If "),
                Piece::Field("Provider"),
                Piece::Text(" fails, "),
                Piece::Field("Client"),
                Piece::Text(" may"),
            ]
        );
    }

    #[test]
    fn an_unclosed_placeholder_is_located() {
        let err = pieces("If [[Provider fails").unwrap_err();
        assert_eq!(err.0, 3);
        let err = pieces("a [[ ]] b").unwrap_err();
        assert!(err.1.contains("not a placeholder name"));
    }

    #[test]
    fn paragraphs_keep_offsets() {
        let body = "one\ntwo\n\nthree\n";
        assert_eq!(paragraphs_of(body), vec![("one\ntwo", 0), ("three", 9)]);
    }
}
