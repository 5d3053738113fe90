//! Sample contract clauses with `[[Name]]` fill-in fields.
//!
//! Without JavaScript a clause reads with its placeholders visible. The
//! theme's clause component adds the fields (one value per name across the
//! page) and a button that copies the filled clause as plain text.

use crate::diagnostics::Diagnostic;
use crate::html::escape;
use crate::markdown::slug::{IdSet, slugify};

use crate::markdown::{Html, Rendered};

use super::{BlockContext, Fence};

pub const FENCE: &str = "clause";

/// A piece of clause text: words, or a field to fill in.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Field(&'a str),
}

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
    let id = ids.unique(&format!("clause-{}", slugify(&title)));
    let mut fields: Vec<&str> = Vec::new();
    let mut body = String::new();
    for (paragraph, start) in paragraphs(fence.body) {
        match pieces(paragraph) {
            Ok(pieces) => {
                body.push_str("<p>");
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => body.push_str(&escape(t)),
                        Piece::Field(name) => {
                            if !fields.contains(&name) {
                                fields.push(name);
                            }
                            body.push_str(&format!(
                                "<span class=\"pb-field\" data-field=\"{n}\">[{n}]</span>",
                                n = escape(name)
                            ));
                        }
                    }
                }
                body.push_str("</p>\n");
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
    let strings = ctx.strings;
    let mut inputs = String::new();
    for name in &fields {
        inputs.push_str(&format!(
            "<label class=\"pb-clause__field\"><span>{n}</span> <input type=\"text\" data-field=\"{n}\" autocomplete=\"off\"></label>\n",
            n = escape(name)
        ));
    }
    let fieldset = if fields.is_empty() {
        String::new()
    } else {
        format!(
            "<fieldset class=\"pb-clause__fields\" hidden><legend>{}</legend>\n{inputs}</fieldset>\n",
            escape(strings.get("clause.fields"))
        )
    };
    let mut html = Html::new();
    html.push_str("<figure class=\"pb-clause\" id=\"");
    html.id(&id);
    html.push_str(&format!(
        "\" data-module=\"pb-clause\">\n\
<figcaption class=\"pb-clause__title\">{title}</figcaption>\n\
{fieldset}<div class=\"pb-clause__text\">\n{body}</div>\n\
<div class=\"pb-clause__tools\" hidden><button type=\"button\" class=\"pb-button pb-clause__copy\">{copy}</button> \
<span class=\"pb-clause__status\" role=\"status\"></span></div>\n</figure>\n",
        title = escape(&title),
        copy = escape(strings.get("clause.copy")),
    ));
    out.anchors.insert(id);
    html
}

/// Paragraphs separated by blank lines, with their offsets in the body.
fn paragraphs(body: &str) -> Vec<(&str, usize)> {
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
        assert_eq!(paragraphs(body), vec![("one\ntwo", 0), ("three", 9)]);
    }
}
