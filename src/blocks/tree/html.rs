//! The HTML of a decision tree, written by the theme's `blocks/tree.html`
//! (and `blocks/result.html` for each outcome).
//!
//! In the built-in templates every node is a section with an anchor and
//! real links for its answers, so a reader can walk the tree, and print
//! it, with JavaScript off. The theme's tree component reads these same
//! elements to run the one-question-at-a-time walk; nothing is duplicated
//! into JSON.

use minijinja::Value;

use crate::blocks::markup::{self, AnswerView, ItemView, NodeView, TreeView};
use crate::blocks::{BlockContext, Fence};
use crate::markdown::slug::slugify;
use crate::markdown::{Fragment, Html, Rendered};
use crate::search::Field;

use super::diagram;
use super::model::{Node, Tree};

/// Every element id the tree's markup uses besides the tree's own, each
/// with the node it belongs to (none for the tree's title and diagram).
pub fn element_ids(tree: &Tree) -> Vec<(String, Option<&str>)> {
    let mut out = vec![(format!("{}-title", tree.id), None)];
    out.extend(
        diagram::element_ids(&tree.id)
            .into_iter()
            .map(|id| (id, None)),
    );
    for id in tree.nodes.keys() {
        let anchor = node_anchor(tree, id);
        out.push((format!("{anchor}-h"), Some(id.as_str())));
        out.push((anchor, Some(id.as_str())));
    }
    out
}

fn node_anchor(tree: &Tree, node: &str) -> String {
    format!("{}--{}", tree.id, node)
}

/// The tree's markup, from the theme's `blocks/tree.html`. Its element
/// ids were reserved by the caller. Records the tree's searchable text:
/// its title and every question and outcome as headings, the rest as body.
pub fn render(tree: &Tree, fence: &Fence<'_>, ctx: &BlockContext<'_>, out: &mut Rendered) -> Html {
    let strings = ctx.strings;
    let node_id = |node: &str| node_anchor(tree, node);
    // Numbers let a printed tree say where each answer leads.
    let number = |node: &str| tree.nodes.get_index_of(node).map_or(0, |i| i + 1);
    let questions = tree
        .nodes
        .values()
        .filter(|n| matches!(n, Node::Question { .. }))
        .count();
    let outcomes = tree.nodes.len() - questions;

    out.search.push_run(Field::Heading, &tree.title);
    out.anchors.insert(tree.id.clone());
    out.anchors.insert(format!("{}-title", tree.id));
    let mut nodes = Vec::with_capacity(tree.nodes.len());
    for (id, node) in &tree.nodes {
        let anchor = node_id(id);
        out.anchors.insert(anchor.clone());
        out.search.push_run(Field::Heading, node.heading());
        let mut view = NodeView {
            id,
            anchor,
            number: number(id),
            kind: "question",
            start: *id == tree.start,
            heading: node.heading(),
            help: None,
            answers: Vec::new(),
            text: None,
            checklist: Vec::new(),
        };
        match node {
            Node::Question { help, answers, .. } => {
                view.help = help.as_ref().map(|help| fragment(help, fence, ctx, out));
                for answer in answers {
                    out.search.push_run(Field::Body, &answer.label);
                    view.answers.push(AnswerView {
                        label: &answer.label,
                        slug: slugify(&answer.label),
                        next: &answer.next,
                        anchor: node_id(&answer.next),
                        number: number(&answer.next),
                    });
                }
            }
            Node::Outcome {
                text, checklist, ..
            } => {
                view.kind = "outcome";
                view.text = text.as_ref().map(|text| fragment(text, fence, ctx, out));
                for item in checklist {
                    view.checklist.push(ItemView {
                        text: item,
                        html: crate::markdown::render_fragment(
                            item,
                            Fragment::Inline,
                            ctx,
                            fence.span.clone(),
                            out,
                        )
                        .into_template_value(),
                        key: slugify(item),
                    });
                }
            }
        }
        nodes.push(view);
    }
    let description = strings.format(
        "tree.diagram_desc",
        &[
            ("questions", &questions.to_string()),
            ("outcomes", &outcomes.to_string()),
        ],
    );
    let view = TreeView {
        id: &tree.id,
        title: &tree.title,
        start: &tree.start,
        start_anchor: node_id(&tree.start),
        hash: tree.fingerprint(),
        questions,
        outcomes,
        intro: strings.format("tree.intro", &[("questions", &questions.to_string())]),
        nodes,
        // Drawn from escaped parts: see `diagram::render`.
        diagram: diagram::render(tree, &tree.id, &description).into_template_value(),
    };
    ctx.render_template(markup::TREE, "tree", view, out)
        .map(markup::end_line)
        .unwrap_or_default()
}

/// Markdown from a tree's `help:` or `text:`, links rewritten and checked,
/// as safe markup: pulldown-cmark escapes the text it writes.
fn fragment(text: &str, fence: &Fence<'_>, ctx: &BlockContext<'_>, out: &mut Rendered) -> Value {
    crate::markdown::render_fragment(text, Fragment::Blocks, ctx, fence.span.clone(), out)
        .into_template_value()
}
