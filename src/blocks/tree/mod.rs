//! Decision trees: parsed from a `decision-tree` fence, checked at build
//! time, and rendered as HTML a reader can walk with or without JavaScript.
//!
//! - [`model`]: the author's format and the checked tree.
//! - [`check`]: every build-time check, located inside the fence.
//! - [`html`]: the pre-rendered, linked nodes the theme's tree component
//!   enhances.
//! - [`diagram`]: the SVG of the whole tree.

pub mod check;
pub mod diagram;
pub mod html;
pub mod model;

use crate::diagnostics::Diagnostic;
use crate::markdown::slug::{IdSet, slugify};
use crate::markdown::{Html, Rendered};
use crate::yaml::{self, Locator};
use crate::yaml_path;

use super::{BlockContext, Fence};

pub const FENCE: &str = "decision-tree";

/// Parses, checks and renders one tree. Problems go to `out`.
pub fn render(
    fence: &Fence<'_>,
    ctx: &BlockContext<'_>,
    ids: &mut IdSet,
    out: &mut Rendered,
) -> Html {
    let source = &ctx.page.source;
    let spec: model::TreeSpec = match yaml::from_str(fence.body) {
        Ok(spec) => spec,
        Err(err) => {
            let mut d = Diagnostic::error("tree::yaml", format!("decision tree: {}", err.message))
                .at(source, fence.file_span(err.span.clone()));
            if let Some(help) = err.help() {
                d = d.with_help(help);
            }
            out.diagnostics.push(d);
            return broken(ctx);
        }
    };
    let default_id = slugify(&spec.title);
    let loc = Locator::new(fence.body);
    let id_span = || loc.nearest(&yaml_path!["id"]);
    let tree = match check::check(spec, &loc, &default_id) {
        Ok(tree) => tree,
        Err(problems) => {
            for problem in problems {
                let span = fence.file_span(problem.span.clone());
                out.diagnostics.push(problem.into_diagnostic(source, span));
            }
            return broken(ctx);
        }
    };
    if out.trees.contains(&tree.id) {
        out.diagnostics.push(
            Diagnostic::error(
                "tree::duplicate-id",
                format!("two trees on this page have the id `{}`", tree.id),
            )
            .at(source, fence.file_span(id_span()))
            .with_help("give each tree on a page its own `id:`"),
        );
        return broken(ctx);
    }
    if !ids.reserve(&tree.id) {
        out.diagnostics.push(
            Diagnostic::error(
                "tree::duplicate-id",
                format!(
                    "the tree id `{}` is already used by a heading on this page",
                    tree.id
                ),
            )
            .at(source, fence.file_span(id_span()))
            .with_help("set a different `id:` for the tree"),
        );
        return broken(ctx);
    }
    let mut clash = false;
    for (id, node) in html::element_ids(&tree) {
        if ids.reserve(&id) {
            continue;
        }
        clash = true;
        let (what, span) = match node {
            Some(node) => (
                format!("node `{node}`"),
                loc.nearest(&yaml_path!["nodes", node]),
            ),
            None => ("the tree".to_string(), id_span()),
        };
        out.diagnostics.push(
            Diagnostic::error(
                "tree::duplicate-id",
                format!("the id `{id}` of {what} is already used on this page"),
            )
            .at(source, fence.file_span(span))
            .with_help("rename the heading, or give the tree or node a different id"),
        );
    }
    if clash {
        return broken(ctx);
    }
    out.trees.push(tree.id.clone());
    out.features.trees = true;
    html::render(&tree, fence, ctx, out)
}

/// What stands in the page while a tree has errors.
fn broken(ctx: &BlockContext<'_>) -> Html {
    Html::from(format!(
        "<div class=\"pb-alert pb-alert--caution\" role=\"note\"><p>{}</p></div>\n",
        crate::html::escape(ctx.strings.get("tree.broken"))
    ))
}

#[cfg(test)]
mod tests;
