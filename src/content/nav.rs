//! The reading order: sections from folders, ordered by `nav:` in book.yaml,
//! then by `weight`, then by file name.
//!
//! Each language gets its own tree, built from that language's pages. The
//! tree drives the sidebar, previous/next links and the print page.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::config::{Config, Language};
use crate::diagnostics::Diagnostic;
use crate::yaml::{Locator, Seg};

use super::page::Page;

/// The navigation of one language.
#[derive(Debug, Clone)]
pub struct NavTree {
    pub lang: String,
    pub root: NavNode,
}

/// A page, or a section holding its index page and children.
#[derive(Debug, Clone)]
pub struct NavNode {
    /// Index into `Book::pages`: the page itself, or the section's index.
    pub page: Option<usize>,
    /// The content-relative folder, for sections; empty for pages.
    pub folder: String,
    pub children: Vec<NavNode>,
}

impl NavNode {
    /// Page indices in reading order: the node, then its children.
    pub fn walk(&self, out: &mut Vec<usize>) {
        out.extend(self.page);
        for child in &self.children {
            child.walk(out);
        }
    }

    pub fn is_section(&self) -> bool {
        !self.children.is_empty() || !self.folder.is_empty()
    }

    /// The title of a section without an index page, from its folder's
    /// name: `during` → "During", `how-to` → "How to".
    pub fn folder_title(&self) -> String {
        let name = self.folder.rsplit('/').next().unwrap_or("");
        let spaced = name.replace(['-', '_'], " ");
        let mut chars = spaced.trim().chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

impl NavTree {
    pub fn reading_order(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.root.walk(&mut out);
        out
    }
}

/// Builds every language's tree. Returns the trees (indexing `pages`), the
/// reading order of all pages, and problems with `nav:`.
pub fn build(
    config: &Config,
    languages: &[Language],
    pages: &[Page],
) -> (Vec<NavTree>, Vec<usize>, Vec<Diagnostic>) {
    let positions = nav_positions(&config.book.nav);
    let problems = check_nav_entries(config, pages);
    let mut trees = Vec::new();
    let mut order = Vec::new();
    for language in languages {
        let tree = NavTree {
            lang: language.code.clone(),
            root: build_language(&language.code, pages, &positions),
        };
        order.extend(tree.reading_order());
        trees.push(tree);
    }
    (trees, order, problems)
}

/// Maps tree indices from load order to reading order.
pub fn renumber(trees: Vec<NavTree>, order: &[usize]) -> Vec<NavTree> {
    let mut new_index = vec![0; order.iter().max().map_or(0, |m| m + 1)];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    fn apply(node: &mut NavNode, map: &[usize]) {
        if let Some(page) = node.page.as_mut() {
            *page = map[*page];
        }
        for child in &mut node.children {
            apply(child, map);
        }
    }
    trees
        .into_iter()
        .map(|mut tree| {
            apply(&mut tree.root, &new_index);
            tree
        })
        .collect()
}

fn normalize(entry: &str) -> String {
    let entry = entry.trim().trim_start_matches("./");
    let entry = entry.trim_end_matches('/');
    entry.strip_suffix("/index.md").unwrap_or(entry).to_string()
}

fn nav_positions(nav: &[String]) -> HashMap<String, usize> {
    nav.iter()
        .enumerate()
        .map(|(i, entry)| (normalize(entry), i))
        .collect()
}

fn check_nav_entries(config: &Config, pages: &[Page]) -> Vec<Diagnostic> {
    let mut known: BTreeSet<String> = BTreeSet::new();
    for page in pages {
        known.insert(normalize(&page.key));
        let mut folder = page.section.as_str();
        while !folder.is_empty() {
            known.insert(folder.to_string());
            folder = folder.rfind('/').map_or("", |i| &folder[..i]);
        }
    }
    let mut problems = Vec::new();
    let mut locator = None;
    let mut suggestions = crate::diagnostics::Suggestions::default();
    for (i, entry) in config.book.nav.iter().enumerate() {
        if known.contains(&normalize(entry)) {
            continue;
        }
        let locator = locator.get_or_insert_with(|| Locator::new(&config.source.text));
        let span = locator.nearest(&[Seg::from("nav"), Seg::Index(i)]);
        problems.push(
            Diagnostic::error(
                "config::nav",
                format!("`nav` names `{entry}`, which is not a page or folder under content/"),
            )
            .at(&config.source, span)
            .suggest_within(&mut suggestions, entry, known.iter().map(String::as_str)),
        );
    }
    problems
}

type SortKey = (usize, i64, String);

fn build_language(lang: &str, pages: &[Page], positions: &HashMap<String, usize>) -> NavNode {
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut folders: BTreeSet<String> = BTreeSet::new();
    for (i, page) in pages.iter().enumerate().filter(|(_, p)| p.lang == lang) {
        if page.is_index {
            index_of.insert(page.section.as_str(), i);
        } else {
            members.entry(page.section.as_str()).or_default().push(i);
        }
        let mut folder = page.section.as_str();
        while !folder.is_empty() {
            folders.insert(folder.to_string());
            folder = folder.rfind('/').map_or("", |i| &folder[..i]);
        }
    }
    folder_node("", pages, positions, &index_of, &members, &folders).0
}

fn folder_node(
    folder: &str,
    pages: &[Page],
    positions: &HashMap<String, usize>,
    index_of: &HashMap<&str, usize>,
    members: &BTreeMap<&str, Vec<usize>>,
    folders: &BTreeSet<String>,
) -> (NavNode, Option<i64>) {
    let mut children: Vec<(SortKey, NavNode)> = Vec::new();
    for &i in members.get(folder).into_iter().flatten() {
        let page = &pages[i];
        let name = page.key.rsplit('/').next().unwrap_or(&page.key).to_string();
        let position = positions
            .get(&normalize(&page.key))
            .copied()
            .unwrap_or(usize::MAX);
        let node = NavNode {
            page: Some(i),
            folder: String::new(),
            children: Vec::new(),
        };
        children.push(((position, page.front.weight, name), node));
    }
    let subfolders = folders.iter().filter(|f| parent_of(f) == folder);
    for sub in subfolders {
        let (node, first_weight) = folder_node(sub, pages, positions, index_of, members, folders);
        // A folder sorts by its index page's weight or, without one, by the
        // weight of the page it starts with.
        let weight = node
            .page
            .map(|i| pages[i].front.weight)
            .or(first_weight)
            .unwrap_or(0);
        let position = positions.get(sub.as_str()).copied().unwrap_or(usize::MAX);
        let name = sub.rsplit('/').next().unwrap_or(sub).to_string();
        children.push(((position, weight, name), node));
    }
    children.sort_by(|a, b| a.0.cmp(&b.0));
    let first_weight = children.first().map(|((_, weight, _), _)| *weight);
    let node = NavNode {
        page: index_of.get(folder).copied(),
        folder: folder.to_string(),
        children: children.into_iter().map(|(_, node)| node).collect(),
    };
    (node, first_weight)
}

fn parent_of(folder: &str) -> &str {
    folder.rfind('/').map_or("", |i| &folder[..i])
}
