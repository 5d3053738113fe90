//! Build-time checks of a decision tree, as a compiler checks code.
//!
//! Every problem is reported, each at the exact line inside the fence:
//! nodes that are both or neither kind, thin questions, repeated labels,
//! dangling `next` and `start`, unreachable nodes, loops, and scenarios that
//! the tree does not bear out.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use indexmap::IndexMap;

use crate::diagnostics::{Diagnostic, Suggestions};
use crate::yaml::{Locator, Seg};
use crate::yaml_path;

use super::model::{Answer, Node, ScenarioSpec, Tree, TreeSpec};

/// The most nodes a tree may have. A reader walks a tree one question at
/// a time and its diagram draws every node; well past a few hundred nodes
/// neither is usable, while the cost of checking and drawing keeps growing.
pub const MAX_NODES: usize = 1_000;

/// The most answers one question may offer: more than a reader can scan,
/// and with [`MAX_NODES`] it bounds a tree to 50,000 edges.
pub const MAX_ANSWERS: usize = 50;

/// Whether `id` may name a tree or a node: ASCII letters, digits, `-` and
/// `_`, so it is safe in element ids, URL fragments and the shared-link
/// format.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

const ID_HELP: &str = "use only ASCII letters, digits, `-` and `_`, such as `end-contract`";

/// A problem with a span in the fence body.
#[derive(Debug)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
    pub span: Range<usize>,
    pub help: Option<String>,
}

impl Problem {
    fn new(code: &'static str, message: impl Into<String>, span: Range<usize>) -> Self {
        Problem {
            code,
            message: message.into(),
            span,
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn suggest<'a>(
        self,
        suggestions: &mut Suggestions,
        wrong: &str,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match suggestions.closest(wrong, names) {
            Some(close) => self.help(format!("did you mean `{close}`?")),
            None => self,
        }
    }

    pub fn into_diagnostic(
        self,
        file: &std::sync::Arc<crate::diagnostics::SourceFile>,
        span: Range<usize>,
    ) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.message).at(file, span);
        if let Some(help) = self.help {
            d = d.with_help(help);
        }
        d
    }
}

/// Checks a parsed tree. `default_id` is used when the tree has no `id`.
pub fn check(spec: TreeSpec, loc: &Locator<'_>, default_id: &str) -> Result<Tree, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut suggestions = Suggestions::default();
    let names: Vec<&str> = spec.nodes.keys().map(String::as_str).collect();

    if spec.title.trim().is_empty() {
        problems.push(Problem::new(
            "tree::title",
            "the tree's `title` is empty",
            loc.nearest(&yaml_path!["title"]),
        ));
    }
    if spec.nodes.is_empty() {
        problems.push(
            Problem::new(
                "tree::empty",
                "the tree has no nodes",
                loc.nearest(&yaml_path!["nodes"]),
            )
            .help("add at least one question and the outcomes it leads to"),
        );
        return Err(problems);
    }

    if spec.nodes.len() > MAX_NODES {
        let extra = spec.nodes.keys().nth(MAX_NODES).map_or("", String::as_str);
        problems.push(
            Problem::new(
                "tree::too-large",
                format!(
                    "the tree has {} nodes; a tree may have at most {MAX_NODES}",
                    spec.nodes.len()
                ),
                loc.find(&yaml_path!["nodes", extra]),
            )
            .help("split it into smaller trees, each on its own page or under its own heading"),
        );
        return Err(problems);
    }
    if let Some(id) = &spec.id {
        if !is_valid_id(id) {
            problems.push(
                Problem::new(
                    "tree::id",
                    format!("`{id}` is not a valid tree id"),
                    loc.value(&yaml_path!["id"])
                        .unwrap_or_else(|| loc.nearest(&yaml_path!["id"])),
                )
                .help(ID_HELP),
            );
        }
    }

    let mut nodes: IndexMap<String, Node> = IndexMap::new();
    for (id, node) in &spec.nodes {
        if !is_valid_id(id) {
            problems.push(
                Problem::new(
                    "tree::id",
                    format!("`{id}` is not a valid node key"),
                    loc.nearest(&yaml_path!["nodes", id.as_str()]),
                )
                .help(ID_HELP),
            );
        }
        if let Some(answers) = &node.answers {
            if answers.len() > MAX_ANSWERS {
                problems.push(
                    Problem::new(
                        "tree::too-large",
                        format!(
                            "question `{id}` has {} answers; a question may have at most {MAX_ANSWERS}",
                            answers.len()
                        ),
                        loc.find(&yaml_path!["nodes", id.as_str(), "answers", MAX_ANSWERS]),
                    )
                    .help("group the answers under a first question, or split the tree"),
                );
                return Err(problems);
            }
        }
        let at = |path: &[Seg]| {
            let mut full = yaml_path!["nodes", id.as_str()].to_vec();
            full.extend_from_slice(path);
            loc.nearest(&full)
        };
        let value_at = |path: &[Seg]| {
            let mut full = yaml_path!["nodes", id.as_str()].to_vec();
            full.extend_from_slice(path);
            loc.value(&full).unwrap_or_else(|| loc.nearest(&full))
        };
        let node_span = at(&[]);
        match (&node.question, &node.outcome) {
            (Some(_), Some(_)) => {
                problems.push(
                    Problem::new("tree::node-kind", format!("node `{id}` is both a question and an outcome"), node_span)
                        .help("a node either asks a `question` with `answers`, or ends the walk with an `outcome`; split it in two"),
                );
                continue;
            }
            (None, None) => {
                problems.push(
                    Problem::new(
                        "tree::node-kind",
                        format!("node `{id}` is neither a question nor an outcome"),
                        node_span,
                    )
                    .help("give it `question:` and `answers:`, or `outcome:`"),
                );
                continue;
            }
            _ => {}
        }
        if let Some(question) = &node.question {
            if node.text.is_some() || node.checklist.is_some() {
                let key = if node.text.is_some() {
                    "text"
                } else {
                    "checklist"
                };
                problems.push(
                    Problem::new(
                        "tree::node-kind",
                        format!("question `{id}` has `{key}`, which belongs to outcomes"),
                        at(&[Seg::from(key)]),
                    )
                    .help("use `help:` for text under a question"),
                );
            }
            let answers = node.answers.clone().unwrap_or_default();
            if answers.len() < 2 {
                let span = if node.answers.is_some() {
                    at(&[Seg::from("answers")])
                } else {
                    node_span.clone()
                };
                problems.push(
                    Problem::new(
                        "tree::answers",
                        format!(
                            "question `{id}` has {} answer{}; a question needs at least two",
                            answers.len(),
                            if answers.len() == 1 { "" } else { "s" }
                        ),
                        span,
                    )
                    .help("add answers, or make the node an outcome"),
                );
            }
            let mut labels: HashMap<String, usize> = HashMap::new();
            for (i, answer) in answers.iter().enumerate() {
                if answer.label.trim().is_empty() {
                    problems.push(Problem::new(
                        "tree::label",
                        format!("an answer of `{id}` has an empty label"),
                        at(&yaml_path!["answers", i, "label"]),
                    ));
                }
                if let Some(first) = labels.insert(answer.label.trim().to_lowercase(), i) {
                    problems.push(
                        Problem::new(
                            "tree::duplicate-label",
                            format!(
                                "question `{id}` offers the answer \"{}\" twice",
                                answer.label
                            ),
                            at(&yaml_path!["answers", i, "label"]),
                        )
                        .help(format!(
                            "answer {} already uses this label; give each answer a different one",
                            first + 1
                        )),
                    );
                }
                if !spec.nodes.contains_key(&answer.next) {
                    problems.push(
                        Problem::new(
                            "tree::unknown-node",
                            format!("`next: {}` names a node that does not exist", answer.next),
                            value_at(&yaml_path!["answers", i, "next"]),
                        )
                        .suggest(
                            &mut suggestions,
                            &answer.next,
                            names.iter().copied(),
                        ),
                    );
                }
            }
            nodes.insert(
                id.clone(),
                Node::Question {
                    question: question.clone(),
                    help: node.help.clone(),
                    answers: answers
                        .into_iter()
                        .map(|a| Answer {
                            label: a.label,
                            next: a.next,
                        })
                        .collect(),
                },
            );
        } else if let Some(outcome) = &node.outcome {
            for key in ["answers", "help"] {
                let present = if key == "answers" {
                    node.answers.is_some()
                } else {
                    node.help.is_some()
                };
                if present {
                    problems.push(
                        Problem::new(
                            "tree::node-kind",
                            format!("outcome `{id}` has `{key}`, which belongs to questions"),
                            at(&[Seg::from(key)]),
                        )
                        .help("use `text:` for text under an outcome"),
                    );
                }
            }
            nodes.insert(
                id.clone(),
                Node::Outcome {
                    outcome: outcome.clone(),
                    text: node.text.clone(),
                    checklist: node.checklist.clone().unwrap_or_default(),
                },
            );
        }
    }

    let start = match &spec.start {
        Some(start) if !spec.nodes.contains_key(start) => {
            problems.push(
                Problem::new(
                    "tree::unknown-node",
                    format!("`start: {start}` names a node that does not exist"),
                    loc.nearest(&yaml_path!["start"]).clone(),
                )
                .suggest(&mut suggestions, start, names.iter().copied()),
            );
            return Err(problems);
        }
        Some(start) => start.clone(),
        None => spec.nodes.keys().next().cloned().unwrap_or_default(),
    };
    if !problems.is_empty() {
        return Err(problems);
    }

    let id = spec.id.clone().unwrap_or_else(|| default_id.to_string());
    let tree = Tree {
        id,
        title: spec.title.clone(),
        start,
        nodes,
    };

    if let Some(cycle) = find_cycle(&tree) {
        let (from, index) = cycle.closing_edge;
        let path = cycle.nodes.join(" → ");
        problems.push(
            Problem::new("tree::cycle", format!("the tree loops: {path}"), loc.nearest(&yaml_path!["nodes", from.as_str(), "answers", index, "next"]))
                .help("a decision tree must always move forward; point this answer at a later node or an outcome"),
        );
    }
    let reachable = reachable(&tree);
    for id in tree.nodes.keys() {
        if !reachable.contains(id.as_str()) {
            problems.push(
                Problem::new(
                    "tree::unreachable",
                    format!("no path reaches node `{id}`"),
                    loc.nearest(&yaml_path!["nodes", id.as_str()]),
                )
                .help(format!("point an answer's `next` at `{id}`, or remove it")),
            );
        }
    }
    if problems.is_empty() {
        for (i, scenario) in spec.scenarios.iter().enumerate() {
            problems.extend(check_scenario(&tree, scenario, i, loc, &mut suggestions));
        }
    }
    if problems.is_empty() {
        Ok(tree)
    } else {
        Err(problems)
    }
}

pub(super) fn reachable(tree: &Tree) -> HashSet<&str> {
    let mut seen = HashSet::new();
    let mut stack = vec![tree.start.as_str()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(node) = tree.nodes.get(id) {
            stack.extend(node.answers().iter().map(|a| a.next.as_str()));
        }
    }
    seen
}

pub(super) struct Cycle {
    /// The loop, starting and ending at the same node.
    pub(super) nodes: Vec<String>,
    /// The node and answer index whose `next` closes the loop.
    pub(super) closing_edge: (String, usize),
}

/// Finds a loop by depth-first search over every node, in written order,
/// with an explicit stack so a long chain costs no call depth.
pub(super) fn find_cycle(tree: &Tree) -> Option<Cycle> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks: HashMap<&str, Mark> =
        tree.nodes.keys().map(|k| (k.as_str(), Mark::New)).collect();
    let roots = std::iter::once(tree.start.as_str()).chain(tree.nodes.keys().map(String::as_str));
    for root in roots {
        if marks.get(root) != Some(&Mark::New) {
            continue;
        }
        // The current path, each node with the index of its next answer.
        let mut path: Vec<(&str, usize)> = vec![(root, 0)];
        marks.insert(root, Mark::Active);
        while let Some(&(id, i)) = path.last() {
            let Some(answer) = tree.nodes[id].answers().get(i) else {
                marks.insert(id, Mark::Done);
                path.pop();
                continue;
            };
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            let next = answer.next.as_str();
            match marks.get(next) {
                Some(Mark::Active) => {
                    let from = path.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let mut nodes: Vec<String> =
                        path[from..].iter().map(|(n, _)| n.to_string()).collect();
                    nodes.push(next.to_string());
                    return Some(Cycle {
                        nodes,
                        closing_edge: (id.to_string(), i),
                    });
                }
                Some(Mark::New) => {
                    marks.insert(next, Mark::Active);
                    path.push((next, 0));
                }
                _ => {}
            }
        }
    }
    None
}

fn check_scenario(
    tree: &Tree,
    scenario: &ScenarioSpec,
    index: usize,
    loc: &Locator<'_>,
    suggestions: &mut Suggestions,
) -> Option<Problem> {
    let mut at = tree.start.as_str();
    for (step, label) in scenario.answers.iter().enumerate() {
        let span = loc.nearest(&yaml_path!["scenarios", index, "answers", step]);
        let node = &tree.nodes[at];
        let answers = node.answers();
        if answers.is_empty() {
            return Some(
                Problem::new(
                    "tree::scenario",
                    format!("scenario {}: the walk already ended at outcome `{at}`, so the answer \"{label}\" is never asked for", index + 1),
                    span,
                )
                .help("remove the extra answers"),
            );
        }
        match answers.iter().find(|a| a.label == *label) {
            Some(answer) => at = answer.next.as_str(),
            None => {
                let offered: Vec<String> =
                    answers.iter().map(|a| format!("\"{}\"", a.label)).collect();
                let problem = Problem::new(
                    "tree::scenario",
                    format!(
                        "scenario {}: question `{at}` does not offer the answer \"{label}\"",
                        index + 1
                    ),
                    span,
                );
                return Some(
                    match suggestions.closest(label, answers.iter().map(|a| a.label.as_str())) {
                        Some(close) => problem.help(format!(
                            "did you mean \"{close}\"? `{at}` offers {}",
                            offered.join(", ")
                        )),
                        None => problem.help(format!("`{at}` offers {}", offered.join(", "))),
                    },
                );
            }
        }
    }
    let span = loc.nearest(&yaml_path!["scenarios", index, "outcome"]);
    let ended = &tree.nodes[at];
    if !ended.answers().is_empty() {
        return Some(
            Problem::new(
                "tree::scenario",
                format!(
                    "scenario {}: the answers stop at question `{at}`, before any outcome",
                    index + 1
                ),
                loc.nearest(&yaml_path!["scenarios", index, "answers"]),
            )
            .help(format!(
                "add the answer to `{at}` that leads on towards `{}`",
                scenario.outcome
            )),
        );
    }
    if at != scenario.outcome {
        let mut problem = Problem::new(
            "tree::scenario",
            format!(
                "scenario {}: the answers lead to `{at}`, not to `{}`",
                index + 1,
                scenario.outcome
            ),
            span,
        );
        if !tree.nodes.contains_key(&scenario.outcome) {
            problem = problem.suggest(
                suggestions,
                &scenario.outcome,
                tree.nodes.keys().map(String::as_str),
            );
        }
        return Some(problem);
    }
    None
}
