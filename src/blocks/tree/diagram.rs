//! A diagram of a whole decision tree, drawn at build time as SVG.
//!
//! Nodes are placed in layers by their longest distance from the start, so
//! every arrow points down. Colours come from CSS classes, so the diagram
//! follows the light and dark palettes and prints cleanly.

use std::collections::HashMap;
use std::fmt::Write;

use crate::html::escape;
use crate::markdown::Html;

use super::model::{Node, Tree};

const BOX_W: usize = 190;
const LINE_H: usize = 16;
const PAD: usize = 10;
const GAP_X: usize = 40;
const GAP_Y: usize = 56;
const CHARS_PER_LINE: usize = 26;
const MAX_LINES: usize = 4;

struct Placed<'a> {
    id: &'a str,
    node: &'a Node,
    lines: Vec<String>,
    x: usize,
    y: usize,
    h: usize,
}

/// The element ids the diagram of the tree `dom_id` uses.
pub fn element_ids(dom_id: &str) -> [String; 3] {
    [
        format!("{dom_id}-dtitle"),
        format!("{dom_id}-ddesc"),
        format!("{dom_id}-arrow"),
    ]
}

/// The SVG, labelled by title and description elements it contains; its
/// ids and references to them marked ([`Html::id`]).
pub fn render(tree: &Tree, dom_id: &str, description: &str) -> Html {
    let [title_id, desc_id, arrow_id] = element_ids(dom_id);
    let depths = tree.depths();
    let order = tree.topological_order();
    let layer_count = depths.values().max().map_or(1, |d| d + 1);
    let mut layers: Vec<Vec<&str>> = vec![Vec::new(); layer_count];
    for id in &order {
        layers[depths[id]].push(id.as_str());
    }
    let layer_heights: Vec<usize> = layers
        .iter()
        .map(|layer| {
            layer
                .iter()
                .map(|id| box_height(&wrap(tree.nodes[*id].heading())))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let width = layers
        .iter()
        .map(|l| l.len() * (BOX_W + GAP_X))
        .max()
        .unwrap_or(BOX_W)
        .max(BOX_W + GAP_X);
    let mut placed: Vec<Placed<'_>> = Vec::new();
    let mut y = PAD;
    for (layer, height) in layers.iter().zip(&layer_heights) {
        let row = layer.len() * (BOX_W + GAP_X);
        let mut x = (width - row) / 2 + GAP_X / 2;
        for id in layer {
            let node = &tree.nodes[*id];
            let lines = wrap(node.heading());
            let h = box_height(&lines);
            placed.push(Placed {
                id,
                node,
                lines,
                x,
                y,
                h,
            });
            x += BOX_W + GAP_X;
        }
        y += height + GAP_Y;
    }
    let height = y - GAP_Y + PAD;
    let by_id: HashMap<&str, usize> = placed.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let find = |id: &str| by_id.get(id).map(|&i| &placed[i]);

    let mut svg = Html::new();
    let _ = write!(
        svg,
        "<svg class=\"pb-diagram\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\""
    );
    svg.ids([title_id.as_str(), desc_id.as_str()]);
    svg.push_str("\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"");
    svg.id(&title_id);
    let _ = write!(svg, "\">{}</title>\n<desc id=\"", escape(&tree.title));
    svg.id(&desc_id);
    let _ = write!(
        svg,
        "\">{}</desc>\n<defs><marker id=\"",
        escape(description)
    );
    svg.id(&arrow_id);
    svg.push_str("\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"pb-diagram__head\"/></marker></defs>\n");
    for from in &placed {
        for answer in from.node.answers() {
            let Some(to) = find(&answer.next) else {
                continue;
            };
            let (x1, y1) = (from.x + BOX_W / 2, from.y + from.h);
            let (x2, y2) = (to.x + BOX_W / 2, to.y);
            let mid_y = (y1 + y2) / 2;
            let _ = write!(
                svg,
                "<path class=\"pb-diagram__edge\" d=\"M {x1} {y1} C {x1} {mid_y}, {x2} {mid_y}, {x2} {y2}\" marker-end=\"url(#"
            );
            svg.id(&arrow_id);
            svg.push_str(")\"/>\n");
            let (lx, ly) = ((x1 + x2) / 2, mid_y);
            let label = shorten(&answer.label, 15);
            let _ = writeln!(
                svg,
                "<text class=\"pb-diagram__label\" x=\"{lx}\" y=\"{ly}\" text-anchor=\"middle\" dy=\"0.35em\">{}<title>{}</title></text>",
                escape(&label),
                escape(&answer.label)
            );
        }
    }
    for p in &placed {
        let class = match p.node {
            Node::Question { .. } => "pb-diagram__node pb-diagram__node--question",
            Node::Outcome { .. } => "pb-diagram__node pb-diagram__node--outcome",
        };
        let _ = writeln!(
            svg,
            "<g class=\"{class}\"><rect x=\"{}\" y=\"{}\" width=\"{BOX_W}\" height=\"{}\" rx=\"8\"/>",
            p.x, p.y, p.h
        );
        for (i, line) in p.lines.iter().enumerate() {
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                p.x + BOX_W / 2,
                p.y + PAD + LINE_H * (i + 1) - 4,
                escape(line)
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

fn box_height(lines: &[String]) -> usize {
    lines.len() * LINE_H + 2 * PAD
}

/// Greedy word wrap, shortened with an ellipsis past `MAX_LINES`.
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty()
            && current.chars().count() + 1 + word.chars().count() > CHARS_PER_LINE
        {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            let cut: String = last.chars().take(CHARS_PER_LINE - 1).collect();
            *last = format!("{cut}…");
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_and_is_cut_with_an_ellipsis() {
        let lines = wrap(
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen",
        );
        assert!(lines.len() <= MAX_LINES);
        assert!(lines.iter().all(|l| l.chars().count() <= CHARS_PER_LINE));
        assert!(lines.last().unwrap().ends_with('…'));
    }
}
