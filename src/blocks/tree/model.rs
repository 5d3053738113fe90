//! The decision-tree format: what an author writes in a `decision-tree`
//! fence, deserialized, and the checked tree the rest of the build uses.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeSpec {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub start: Option<String>,
    pub nodes: IndexMap<String, NodeSpec>,
    #[serde(default)]
    pub scenarios: Vec<ScenarioSpec>,
}

/// A node as written: a question or an outcome, told apart by its keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    #[serde(default)]
    pub question: Option<String>,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub answers: Option<Vec<AnswerSpec>>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub checklist: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerSpec {
    pub label: String,
    pub next: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub answers: Vec<String>,
    pub outcome: String,
}

/// A tree that passed every check.
#[derive(Debug, Clone)]
pub struct Tree {
    pub id: String,
    pub title: String,
    pub start: String,
    /// Nodes in the order the author wrote them.
    pub nodes: IndexMap<String, Node>,
}

#[derive(Debug, Clone)]
pub enum Node {
    Question {
        question: String,
        help: Option<String>,
        answers: Vec<Answer>,
    },
    Outcome {
        outcome: String,
        text: Option<String>,
        checklist: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub label: String,
    pub next: String,
}

impl Node {
    pub fn heading(&self) -> &str {
        match self {
            Node::Question { question, .. } => question,
            Node::Outcome { outcome, .. } => outcome,
        }
    }

    pub fn answers(&self) -> &[Answer] {
        match self {
            Node::Question { answers, .. } => answers,
            Node::Outcome { .. } => &[],
        }
    }
}

impl Tree {
    /// A short fingerprint of everything a reader's saved progress depends
    /// on, so an edited tree does not bring back stale answers.
    pub fn fingerprint(&self) -> String {
        let mut canonical = format!("{}\u{1}{}\u{1}", self.id, self.start);
        for (id, node) in &self.nodes {
            canonical.push_str(id);
            canonical.push('\u{2}');
            canonical.push_str(node.heading());
            for answer in node.answers() {
                canonical.push('\u{3}');
                canonical.push_str(&answer.label);
                canonical.push('\u{4}');
                canonical.push_str(&answer.next);
            }
            if let Node::Outcome { checklist, .. } = node {
                for item in checklist {
                    canonical.push('\u{5}');
                    canonical.push_str(item);
                }
            }
        }
        crate::hash::short_hex(canonical.as_bytes(), 10)
    }

    /// Every node's depth: the length of the longest path from the start,
    /// so the diagram never draws an edge upwards.
    pub fn depths(&self) -> IndexMap<String, usize> {
        let mut depth: IndexMap<String, usize> = IndexMap::new();
        // Checked trees are acyclic: relax edges in topological order.
        for id in self.topological_order() {
            let d = *depth.entry(id.clone()).or_insert(0);
            for answer in self.nodes[&id].answers() {
                let next = depth.entry(answer.next.clone()).or_insert(0);
                *next = (*next).max(d + 1);
            }
        }
        depth
    }

    /// Nodes reachable from the start, each after every node leading to it.
    ///
    /// A depth-first walk with an explicit stack, so a long chain of
    /// questions costs memory, not call depth.
    pub fn topological_order(&self) -> Vec<String> {
        let mut order = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        // Each open node with the index of its next answer to follow.
        let mut stack: Vec<(&str, usize)> = Vec::new();
        seen.insert(self.start.as_str());
        stack.push((self.start.as_str(), 0));
        while let Some(&(id, next)) = stack.last() {
            let answers = self.nodes.get(id).map_or(&[][..], Node::answers);
            match answers.get(next) {
                Some(answer) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    if seen.insert(answer.next.as_str()) {
                        stack.push((answer.next.as_str(), 0));
                    }
                }
                None => {
                    order.push(id.to_string());
                    stack.pop();
                }
            }
        }
        order.reverse();
        order
    }
}
