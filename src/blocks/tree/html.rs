//! The HTML of a decision tree.
//!
//! Every node is a section with an anchor and real links for its answers,
//! so a reader can walk the tree, and print it, with JavaScript off. The
//! theme's tree component reads these same elements to run the
//! one-question-at-a-time walk; nothing is duplicated into JSON.

use std::fmt::Write;

use crate::blocks::{BlockContext, Fence};
use crate::html::escape;
use crate::markdown::slug::slugify;
use crate::markdown::{Html, Rendered};

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

/// The tree's markup, its ids marked ([`Html::id`]). Its element ids were
/// reserved by the caller.
pub fn render(tree: &Tree, fence: &Fence<'_>, ctx: &BlockContext<'_>, out: &mut Rendered) -> Html {
    let strings = ctx.strings;
    let tid = escape(&tree.id);
    let node_id = |node: &str| node_anchor(tree, node);
    // Numbers let a printed tree say where each answer leads.
    let number = |node: &str| tree.nodes.get_index_of(node).map_or(0, |i| i + 1);
    let questions = tree
        .nodes
        .values()
        .filter(|n| matches!(n, Node::Question { .. }))
        .count();
    let outcomes = tree.nodes.len() - questions;

    let title_id = format!("{}-title", tree.id);
    let mut html = Html::new();
    html.push_str("<section class=\"pb-tree\" id=\"");
    html.id(&tree.id);
    let _ = write!(
        html,
        "\" data-module=\"pb-tree\" data-tree=\"{tid}\" data-hash=\"{hash}\" data-start=\"{start}\" aria-labelledby=\"",
        hash = tree.fingerprint(),
        start = escape(&tree.start),
    );
    html.id(&title_id);
    html.push_str("\">\n<h2 class=\"pb-tree__title\" id=\"");
    html.id(&title_id);
    let _ = write!(
        html,
        "\">{title}</h2>\n\
<p class=\"pb-tree__intro\">{intro}</p>\n\
<div class=\"pb-tree__app\" hidden></div>\n\
<div class=\"pb-tree__nodes\">\n",
        title = escape(&tree.title),
        intro = escape(&strings.format("tree.intro", &[("questions", &questions.to_string())])),
    );
    out.anchors.insert(title_id);
    for (id, node) in &tree.nodes {
        let anchor = node_id(id);
        out.anchors.insert(anchor.clone());
        let start_class = if *id == tree.start {
            " pb-node--start"
        } else {
            ""
        };
        match node {
            Node::Question {
                question,
                help,
                answers,
            } => {
                let _ = write!(
                    html,
                    "<section class=\"pb-node pb-node--question{start_class}\" id=\""
                );
                node_open(&mut html, &anchor, id, "");
                let _ = writeln!(
                    html,
                    "<span class=\"pb-node__number\">{num}.</span> {q}</h3>",
                    num = number(id),
                    q = escape(question),
                );
                if let Some(help) = help {
                    html.push_str("<div class=\"pb-node__help\">");
                    html.append(fragment(help, fence, ctx, out));
                    html.push_str("</div>\n");
                }
                let _ = writeln!(
                    html,
                    "<ul class=\"pb-node__answers\" aria-label=\"{}\">",
                    escape(strings.get("tree.answers"))
                );
                for answer in answers {
                    html.push_str("<li><a class=\"pb-answer\" href=\"#");
                    html.id(&node_id(&answer.next));
                    let _ = writeln!(
                        html,
                        "\" data-next=\"{}\" data-answer=\"{}\">{}<span class=\"pb-answer__goto\" aria-hidden=\"true\"> → {}</span></a></li>",
                        escape(&answer.next),
                        escape(&slugify(&answer.label)),
                        escape(&answer.label),
                        number(&answer.next),
                    );
                }
                html.push_str("</ul>\n</section>\n");
            }
            Node::Outcome {
                outcome,
                text,
                checklist,
            } => {
                let _ = write!(
                    html,
                    "<section class=\"pb-node pb-node--outcome{start_class}\" id=\""
                );
                let kicker = format!(
                    "<p class=\"pb-node__kicker\">{}</p>\n",
                    escape(strings.get("tree.outcome"))
                );
                node_open(&mut html, &anchor, id, &kicker);
                let _ = writeln!(
                    html,
                    "<span class=\"pb-node__number\">{num}.</span> {o}</h3>",
                    num = number(id),
                    o = escape(outcome),
                );
                if let Some(text) = text {
                    html.push_str("<div class=\"pb-node__text\">");
                    html.append(fragment(text, fence, ctx, out));
                    html.push_str("</div>\n");
                }
                if !checklist.is_empty() {
                    let _ = write!(
                        html,
                        "<h4 class=\"pb-checklist__title\">{}</h4>\n<ul class=\"pb-checklist\" data-module=\"pb-checklist\" data-list=\"{}\">\n",
                        escape(strings.get("tree.checklist")),
                        escape(&format!("{}/{}", tree.id, id)),
                    );
                    for item in checklist {
                        let _ = writeln!(
                            html,
                            "<li><label><input type=\"checkbox\" data-item=\"{}\"> <span>{}</span></label></li>",
                            escape(&slugify(item)),
                            inline(item),
                        );
                    }
                    html.push_str("</ul>\n");
                }
                html.push_str("<p class=\"pb-node__restart\"><a href=\"#");
                html.id(&node_id(&tree.start));
                let _ = writeln!(
                    html,
                    "\">{}</a></p>\n</section>",
                    escape(strings.get("tree.restart")),
                );
            }
        }
    }
    html.push_str("</div>\n");
    let description = strings.format(
        "tree.diagram_desc",
        &[
            ("questions", &questions.to_string()),
            ("outcomes", &outcomes.to_string()),
        ],
    );
    let _ = write!(
        html,
        "<details class=\"pb-tree__diagram\">\n<summary>{}</summary>\n<div class=\"pb-tree__diagram-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">\n",
        escape(strings.get("tree.show_diagram")),
        escape(&tree.title),
    );
    html.append(diagram::render(tree, &tree.id, &description));
    html.push_str("</div>\n</details>\n</section>\n");
    html
}

/// The rest of a node's opening tag after `id="`, `between` the section
/// and the heading, and the heading's opening tag: its ids marked.
fn node_open(html: &mut Html, anchor: &str, node: &str, between: &str) {
    let heading = format!("{anchor}-h");
    html.id(anchor);
    let _ = write!(html, "\" data-node=\"{}\" aria-labelledby=\"", escape(node));
    html.id(&heading);
    let _ = write!(html, "\">\n{between}<h3 class=\"pb-node__heading\" id=\"");
    html.id(&heading);
    html.push_str("\">");
}

/// Markdown from a tree's `help:` or `text:`, links rewritten and checked.
fn fragment(text: &str, fence: &Fence<'_>, ctx: &BlockContext<'_>, out: &mut Rendered) -> Html {
    crate::markdown::render_fragment(text, ctx, fence.span.clone(), out)
}

/// Checklist items are short: inline markdown, escaped otherwise.
fn inline(text: &str) -> String {
    crate::markdown::render_inline(text)
}
