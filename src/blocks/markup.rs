//! The theme's block templates (`templates/blocks/`) and what each one
//! receives.
//!
//! A block's markup is written by a template that a project's theme may
//! replace. The author's text reaches the template as plain strings, which
//! the template escapes as it prints them. The few values that are markup
//! already (markdown rendered by pulldown-cmark, the tree's SVG diagram)
//! are built from escaped parts and passed as safe.
//!
//! Every template also receives `strings`, the theme strings of the page's
//! language. Fields are documented in the README's Theme reference.

use minijinja::Value;
use serde::Serialize;

use crate::markdown::{Html, Rendered};

use super::BlockContext;

/// A decision tree; includes [`RESULT`] for each outcome.
pub const TREE: &str = "blocks/tree.html";
/// One outcome of a tree, included by [`TREE`] with its `tree` and `node`.
pub const RESULT: &str = "blocks/result.html";
/// A sample clause.
pub const CLAUSE: &str = "blocks/clause.html";
/// What follows a heading's text inside the heading: its anchor link.
pub const HEADING_ANCHOR: &str = "blocks/heading-anchor.html";
/// A GitHub-style alert (`> [!NOTE]`) around its rendered content.
pub const ALERT: &str = "blocks/alert.html";

/// `tree` in [`TREE`].
#[derive(Debug, Serialize)]
pub struct TreeView<'a> {
    /// The tree's id, also the prefix of every id inside it.
    pub id: &'a str,
    pub title: &'a str,
    /// The id of the first question, and its node's element id.
    pub start: &'a str,
    pub start_anchor: String,
    /// A fingerprint of the questions and answers, for saved progress.
    pub hash: String,
    pub questions: usize,
    pub outcomes: usize,
    /// The theme's `tree.intro` with the number of questions filled in.
    pub intro: String,
    /// Nodes in the order the author wrote them.
    pub nodes: Vec<NodeView<'a>>,
    /// The SVG diagram of the whole tree (safe markup).
    pub diagram: Value,
}

/// One of `tree.nodes`: a question or an outcome (`node` in [`RESULT`]).
#[derive(Debug, Serialize)]
pub struct NodeView<'a> {
    pub id: &'a str,
    /// The node's element id: `<tree id>--<node id>`.
    pub anchor: String,
    /// Its place in the author's order, from 1, which a printed tree shows.
    pub number: usize,
    /// `"question"` or `"outcome"`.
    pub kind: &'static str,
    /// Whether the walk starts here.
    pub start: bool,
    /// The question, or the outcome.
    pub heading: &'a str,
    /// A question's `help:` as HTML (safe), else none.
    pub help: Option<Value>,
    /// A question's answers; empty for an outcome.
    pub answers: Vec<AnswerView<'a>>,
    /// An outcome's `text:` as HTML (safe), else none.
    pub text: Option<Value>,
    /// An outcome's checklist; empty for a question.
    pub checklist: Vec<ItemView<'a>>,
}

/// One of `node.answers`.
#[derive(Debug, Serialize)]
pub struct AnswerView<'a> {
    pub label: &'a str,
    /// The label as a slug, the answer's key in the URL fragment.
    pub slug: String,
    /// The id of the node it leads to, that node's element id and number.
    pub next: &'a str,
    pub anchor: String,
    pub number: usize,
}

/// One of `node.checklist`.
#[derive(Debug, Serialize)]
pub struct ItemView<'a> {
    /// The item as written.
    pub text: &'a str,
    /// The item as inline HTML (safe): emphasis and code.
    pub html: Value,
    /// A slug of the item, its key in the reader's saved ticks.
    pub key: String,
}

/// `clause` in [`CLAUSE`].
#[derive(Debug, Serialize)]
pub struct ClauseView<'a> {
    /// The element id: `clause-` and a slug of the title.
    pub id: String,
    pub title: String,
    /// The names of its fill-in fields, each once, in order of appearance.
    pub fields: Vec<&'a str>,
    /// Paragraphs of pieces: text, or a field to fill in.
    pub paragraphs: Vec<Vec<PieceView<'a>>>,
}

/// A piece of a clause paragraph: `field` is the name of a fill-in field,
/// none for plain text; `text` is the text, or the field's name.
#[derive(Debug, Serialize)]
pub struct PieceView<'a> {
    pub text: &'a str,
    pub field: Option<&'a str>,
}

/// `heading` in [`HEADING_ANCHOR`].
#[derive(Debug, Serialize)]
pub struct HeadingView<'a> {
    pub level: u8,
    pub id: &'a str,
    /// The heading's text without markup.
    pub text: &'a str,
    /// The theme's `heading.anchor` with the heading's text filled in.
    pub label: String,
}

/// `alert` in [`ALERT`].
#[derive(Debug, Serialize)]
pub struct AlertView {
    /// `note`, `tip`, `important`, `warning` or `caution`.
    pub kind: &'static str,
    /// The theme's string for the kind (`alert.note`, …).
    pub title: String,
    /// The alert's rendered markdown (safe); print it exactly once.
    pub content: Value,
}

/// What [`AlertView::content`] holds while the alert's template renders:
/// the template's output is cut here into what comes before the content
/// and what comes after it. Values printed by a template are escaped, so
/// only the template's own text could hold this.
pub const CONTENT_MARK: &str = "<!--pb:alert-content-->";

impl BlockContext<'_> {
    /// Renders the block template `template` with `value` as its variable
    /// `key`, besides `strings`: the markup, with the marks its values and
    /// `id` filters carried ([`Html::from_template_output`]). A template
    /// error is reported (once per template and page, at the template's
    /// line) and gives `None`.
    pub fn render_template(
        &self,
        template: &'static str,
        key: &str,
        value: impl Serialize,
        out: &mut Rendered,
    ) -> Option<Html> {
        self.render_template_text(template, key, value, out)
            .map(|text| Html::from_template_output(&text))
    }

    /// [`BlockContext::render_template`]'s output as the template wrote
    /// it, marks still inside.
    pub fn render_template_text(
        &self,
        template: &'static str,
        key: &str,
        value: impl Serialize,
        out: &mut Rendered,
    ) -> Option<String> {
        let ctx = Value::from_iter([
            (key, Value::from_serialize(value)),
            ("strings", self.template_strings.clone()),
        ]);
        match self.theme.render(template, ctx) {
            Ok(html) => Some(html),
            Err(d) => {
                self.report_once(template, d, out);
                None
            }
        }
    }

    /// Reports a problem of a block template, unless the same template
    /// already failed on this page.
    pub(crate) fn report_once(
        &self,
        template: &'static str,
        mut d: crate::diagnostics::Diagnostic,
        out: &mut Rendered,
    ) {
        let mut failed = self.failed.borrow_mut();
        if failed.contains(&template) {
            return;
        }
        failed.push(template);
        if d.label.is_none() {
            d.label = Some(format!("while rendering `{}`", self.page.source.name));
        }
        out.diagnostics.push(d);
    }
}

/// Ends block markup with a newline, as markdown ends an HTML block: a
/// template file's last newline is not part of its output.
pub fn end_line(mut html: Html) -> Html {
    if !html.ends_with('\n') {
        html.push_str("\n");
    }
    html
}
