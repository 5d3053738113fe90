//! One test per build-time check: each asserts the message and the line
//! (1-based, inside the fence body) the problem is reported at.

use super::check::{Problem, check};
use super::model::TreeSpec;
use crate::yaml::{self, Locator};

/// Parses and checks `body`; returns (line, message, help) per problem.
fn problems(body: &str) -> Vec<(usize, String, Option<String>)> {
    let spec: TreeSpec = match yaml::from_str(body) {
        Ok(spec) => spec,
        Err(err) => {
            return vec![(
                line_of(body, err.span.start),
                err.message.clone(),
                err.suggestion(),
            )];
        }
    };
    match check(spec, &Locator::new(body), "tree") {
        Ok(_) => Vec::new(),
        Err(list) => list
            .into_iter()
            .map(
                |Problem {
                     message,
                     span,
                     help,
                     ..
                 }| (line_of(body, span.start), message, help),
            )
            .collect(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

const GOOD: &str = "\
title: Keep or end?
nodes:
  profitable:
    question: Is the client profitable?
    answers:
      - label: \"Yes\"
        next: keep
      - label: \"No\"
        next: end
  keep:
    outcome: Keep the client
  end:
    outcome: End it
    checklist:
      - Call them
scenarios:
  - answers: [\"No\"]
    outcome: end
";

#[test]
fn a_good_tree_passes() {
    assert!(problems(GOOD).is_empty(), "{:?}", problems(GOOD));
}

#[test]
fn yaml_syntax_errors_are_located() {
    let body = "title: T\nnodes:\n  a: [unclosed\n";
    let found = problems(body);
    assert_eq!(found.len(), 1);
    assert!(found[0].0 >= 3, "{found:?}");
}

#[test]
fn unknown_keys_name_the_key_and_suggest() {
    let body = GOOD.replace(
        "    outcome: Keep the client",
        "    outcome: Keep the client\n    checklst: [a]",
    );
    let found = problems(&body);
    assert_eq!(found[0].0, 12);
    assert!(found[0].1.contains("unknown field `checklst`"), "{found:?}");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `checklist`?"));
}

#[test]
fn a_node_that_is_both_question_and_outcome() {
    let body = GOOD.replace(
        "    outcome: Keep the client",
        "    outcome: Keep the client\n    question: Really?",
    );
    let found = problems(&body);
    assert_eq!(found[0].0, 10);
    assert_eq!(found[0].1, "node `keep` is both a question and an outcome");
}

#[test]
fn a_node_that_is_neither() {
    let body = GOOD.replace("    outcome: Keep the client", "    text: Nothing here");
    let found = problems(&body);
    assert_eq!(found[0].0, 10);
    assert_eq!(
        found[0].1,
        "node `keep` is neither a question nor an outcome"
    );
}

#[test]
fn a_question_with_one_answer() {
    let body = GOOD.replace("      - label: \"No\"\n        next: end\n", "");
    let found = problems(&body);
    assert_eq!(found[0].0, 5);
    assert_eq!(
        found[0].1,
        "question `profitable` has 1 answer; a question needs at least two"
    );
}

#[test]
fn two_answers_with_the_same_label() {
    let body = GOOD.replace("label: \"No\"", "label: \"yes\"");
    let found = problems(&body);
    assert_eq!(found[0].0, 8);
    assert_eq!(
        found[0].1,
        "question `profitable` offers the answer \"yes\" twice"
    );
}

#[test]
fn next_naming_a_missing_node_suggests_the_closest() {
    let body = GOOD.replace("next: keep", "next: kep");
    let found = problems(&body);
    assert_eq!(found[0].0, 7);
    assert_eq!(found[0].1, "`next: kep` names a node that does not exist");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `keep`?"));
}

#[test]
fn start_naming_a_missing_node() {
    let body = GOOD.replace(
        "title: Keep or end?\n",
        "title: Keep or end?\nstart: profitabel\n",
    );
    let found = problems(&body);
    assert_eq!(found[0].0, 2);
    assert_eq!(
        found[0].1,
        "`start: profitabel` names a node that does not exist"
    );
    assert_eq!(found[0].2.as_deref(), Some("did you mean `profitable`?"));
}

#[test]
fn a_node_no_path_reaches() {
    let body = GOOD.replace("  end:\n", "  orphan:\n    outcome: Lost\n  end:\n");
    let found = problems(&body);
    assert_eq!(found[0].0, 12);
    assert_eq!(found[0].1, "no path reaches node `orphan`");
}

#[test]
fn a_cycle_is_shown_as_a_loop() {
    let body = "\
title: Loop
nodes:
  a:
    question: A?
    answers:
      - label: x
        next: b
      - label: y
        next: done
  b:
    question: B?
    answers:
      - label: x
        next: a
      - label: y
        next: done
  done:
    outcome: Done
";
    let found = problems(body);
    assert_eq!(found[0].0, 14);
    assert_eq!(found[0].1, "the tree loops: a → b → a");
}

#[test]
fn a_scenario_answer_that_is_not_offered() {
    let body = GOOD.replace("answers: [\"No\"]", "answers: [\"Nope\"]");
    let found = problems(&body);
    assert_eq!(found[0].0, 17);
    assert_eq!(
        found[0].1,
        "scenario 1: question `profitable` does not offer the answer \"Nope\""
    );
    assert!(found[0].2.as_deref().unwrap().contains("\"No\""));
}

#[test]
fn a_scenario_that_ends_at_a_different_outcome() {
    let body = GOOD.replace("    outcome: end\n", "    outcome: keep\n");
    let found = problems(&body);
    assert_eq!(found[0].0, 18);
    assert_eq!(
        found[0].1,
        "scenario 1: the answers lead to `end`, not to `keep`"
    );
}

#[test]
fn a_scenario_that_stops_before_an_outcome() {
    let body = GOOD.replace("answers: [\"No\"]", "answers: []");
    let found = problems(&body);
    assert_eq!(found[0].0, 17);
    assert!(
        found[0].1.contains("stop at question `profitable`"),
        "{found:?}"
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let body = GOOD
        .replace("next: keep", "next: kep")
        .replace("label: \"No\"", "label: \"yes\"");
    assert_eq!(problems(&body).len(), 2);
}

#[test]
fn the_fingerprint_changes_when_the_tree_changes() {
    let parse = |body: &str| {
        check(yaml::from_str(body).unwrap(), &Locator::new(body), "t")
            .unwrap()
            .fingerprint()
    };
    assert_eq!(parse(GOOD), parse(GOOD));
    assert_ne!(parse(GOOD), parse(&GOOD.replace("Call them", "Email them")));
}

/// A chain of `n` questions without the node limit, built directly.
fn long_chain(n: usize) -> super::model::Tree {
    use super::model::{Answer, Node, Tree};
    let mut nodes = indexmap::IndexMap::new();
    for i in 0..n {
        nodes.insert(
            format!("n{i}"),
            Node::Question {
                question: format!("Step {i}?"),
                help: None,
                answers: vec![
                    Answer {
                        label: "Yes".into(),
                        next: format!("n{}", i + 1),
                    },
                    Answer {
                        label: "No".into(),
                        next: "end".into(),
                    },
                ],
            },
        );
    }
    for id in [format!("n{n}"), "end".to_string()] {
        nodes.insert(
            id,
            Node::Outcome {
                outcome: "Done".into(),
                text: None,
                checklist: Vec::new(),
            },
        );
    }
    Tree {
        id: "chain".into(),
        title: "Chain".into(),
        start: "n0".into(),
        nodes,
    }
}

/// Runs `f` on a thread with a small stack: a walk that recursed once per
/// node would overflow it.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("thread")
        .join()
        .expect("walk finished");
}

#[test]
fn every_walk_over_a_long_chain_is_iterative() {
    on_small_stack(|| {
        let tree = long_chain(20_000);
        assert!(super::check::find_cycle(&tree).is_none());
        assert_eq!(super::check::reachable(&tree).len(), 20_002);
        let order = tree.topological_order();
        assert_eq!(order.first().map(String::as_str), Some("n0"));
        assert_eq!(tree.depths()["n20000"], 20_000);
        let svg = super::diagram::render(&tree, "chain", "a chain");
        assert!(svg.ends_with("</svg>\n"));
    });
}

#[test]
fn a_loop_at_the_end_of_a_long_chain_is_found() {
    on_small_stack(|| {
        let mut tree = long_chain(20_000);
        if let Some(super::model::Node::Question { answers, .. }) = tree.nodes.get_mut("n19999") {
            answers[0].next = "n5".into();
        }
        let cycle = super::check::find_cycle(&tree).expect("a loop");
        assert_eq!(cycle.nodes.first().map(String::as_str), Some("n5"));
        assert_eq!(cycle.closing_edge, ("n19999".to_string(), 0));
    });
}

#[test]
fn the_diagram_escapes_the_tree_id() {
    let mut tree = long_chain(2);
    tree.id = "x\"><img src=x onerror=alert(1)>".into();
    let svg = super::diagram::render(&tree, &tree.id, "d");
    assert!(!svg.contains("<img"), "{svg}");
    assert!(svg.contains("x&quot;&gt;&lt;img"), "{svg}");
}
