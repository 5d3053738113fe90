//! The reading order: sections from folders, ordered by `nav:` in book.yaml,
//! then by `weight`, then by file name.
//!
//! Each language gets its own tree, built from that language's pages. The
//! tree drives the sidebar, previous/next links and the print page.

use std::collections::{BTreeSet, HashMap};

use crate::config::{Config, Language};
use crate::diagnostics::Diagnostic;
use crate::yaml::{Locator, Seg};

use super::ids::PageId;
#[cfg(test)]
use super::page::FrontMatter;
use super::page::Page;

/// The navigation of one language.
#[derive(Debug, Clone)]
pub struct NavTree {
    pub lang: String,
    pub root: NavNode,
}

/// A step of [`NavNode::visits`].
#[derive(Debug, Clone, Copy)]
pub enum Visit<'a> {
    Enter(&'a NavNode),
    /// After the node's children.
    Leave(&'a NavNode),
}

/// A page, or a section holding its index page and children.
#[derive(Debug)]
pub struct NavNode {
    /// The page itself, or the section's index. While loading builds the
    /// tree it counts pages in load order; [`renumber`] turns that into
    /// the book's reading order.
    pub page: Option<PageId>,
    /// The content-relative folder, for sections; empty for pages.
    pub folder: String,
    pub children: Vec<NavNode>,
}

impl Drop for NavNode {
    /// Takes the subtree apart with a stack: dropping it field by field
    /// would recurse once per folder level.
    fn drop(&mut self) {
        let mut stack = std::mem::take(&mut self.children);
        while let Some(mut node) = stack.pop() {
            stack.append(&mut node.children);
        }
    }
}

impl Clone for NavNode {
    /// Copies the subtree with a stack: a derived clone would recurse once
    /// per folder level.
    fn clone(&self) -> Self {
        let shallow = |node: &NavNode| NavNode {
            page: node.page,
            folder: node.folder.clone(),
            children: Vec::with_capacity(node.children.len()),
        };
        // The copies of the nodes entered and not yet left, innermost last.
        let mut open: Vec<NavNode> = Vec::new();
        for visit in self.visits() {
            match visit {
                Visit::Enter(node) => open.push(shallow(node)),
                Visit::Leave(_) => {
                    let Some(done) = open.pop() else { break };
                    match open.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return done,
                    }
                }
            }
        }
        shallow(self)
    }
}

impl NavNode {
    /// The node and every node below it, in reading order: a node, then
    /// its children's subtrees in turn. Walked with a stack, not by
    /// recursion, however deep the folders go.
    pub fn descendants(&self) -> impl Iterator<Item = &NavNode> {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let node = stack.pop()?;
            stack.extend(node.children.iter().rev());
            Some(node)
        })
    }

    /// The same walk as [`NavNode::descendants`], also telling when each
    /// node's subtree ends: for nested lists.
    pub fn visits(&self) -> impl Iterator<Item = Visit<'_>> {
        let mut stack = vec![Visit::Enter(self)];
        std::iter::from_fn(move || {
            let visit = stack.pop()?;
            if let Visit::Enter(node) = visit {
                stack.push(Visit::Leave(node));
                stack.extend(node.children.iter().rev().map(Visit::Enter));
            }
            Some(visit)
        })
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
    pub fn reading_order(&self) -> Vec<PageId> {
        self.root.descendants().filter_map(|n| n.page).collect()
    }
}

/// Builds every language's tree. Returns the trees (indexing `pages`), the
/// reading order of all pages, and problems with `nav:`.
pub fn build(
    config: &Config,
    languages: &[Language],
    pages: &[Page],
) -> (Vec<NavTree>, Vec<PageId>, Vec<Diagnostic>) {
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
pub fn renumber(trees: Vec<NavTree>, order: &[PageId]) -> Vec<NavTree> {
    let mut new_index = vec![PageId::new(0); order.iter().max().map_or(0, |m| m.index() + 1)];
    for (new, &old) in PageId::all(order.len()).zip(order) {
        new_index[old.index()] = new;
    }
    trees
        .into_iter()
        .map(|mut tree| {
            let mut stack = vec![&mut tree.root];
            while let Some(node) = stack.pop() {
                if let Some(page) = node.page.as_mut() {
                    *page = new_index[page.index()];
                }
                stack.extend(node.children.iter_mut());
            }
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
        // A name already known has its parent folders known too: stopping
        // there keeps this linear in the folders' names, not in pages ×
        // depth. So the page's own name (for an index, its folder's) goes
        // in after them.
        let mut folder = page.section.as_str();
        while !folder.is_empty() && !known.contains(folder) {
            known.insert(folder.to_string());
            folder = parent_of(folder);
        }
        known.insert(normalize(&page.key));
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
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut folders: BTreeSet<&str> = BTreeSet::new();
    for (i, page) in pages.iter().enumerate().filter(|(_, p)| p.lang == lang) {
        if page.is_index {
            index_of.insert(page.section.as_str(), i);
        } else {
            members.entry(page.section.as_str()).or_default().push(i);
        }
        let mut folder = page.section.as_str();
        while !folder.is_empty() && folders.insert(folder) {
            folder = parent_of(folder);
        }
    }
    // A folder's node: its index page, then its pages and subfolders in
    // order. Returns the weight of the entry it starts with.
    let node = |folder: &str, mut children: Vec<(SortKey, NavNode)>| {
        for &i in members.get(folder).into_iter().flatten() {
            let page = &pages[i];
            let name = page.key.rsplit('/').next().unwrap_or(&page.key).to_string();
            let position = positions
                .get(&normalize(&page.key))
                .copied()
                .unwrap_or(usize::MAX);
            let node = NavNode {
                page: Some(PageId::new(i)),
                folder: String::new(),
                children: Vec::new(),
            };
            children.push(((position, page.front.weight, name), node));
        }
        children.sort_by(|a, b| a.0.cmp(&b.0));
        let first_weight = children.first().map(|((_, weight, _), _)| *weight);
        let node = NavNode {
            page: index_of.get(folder).map(|&i| PageId::new(i)),
            folder: folder.to_string(),
            children: children.into_iter().map(|(_, node)| node).collect(),
        };
        (node, first_weight)
    };
    // Deepest folders first, so each folder's subfolders are built before
    // it: no recursion, and each folder is visited once.
    let mut order: Vec<&str> = folders.into_iter().collect();
    order.sort_by_key(|folder| std::cmp::Reverse(depth(folder)));
    let mut built: HashMap<&str, Vec<(SortKey, NavNode)>> = HashMap::new();
    for folder in order {
        let (node, first_weight) = node(folder, built.remove(folder).unwrap_or_default());
        // A folder sorts by its index page's weight or, without one, by the
        // weight of the page it starts with.
        let weight = node
            .page
            .map(|i| pages[i.index()].front.weight)
            .or(first_weight)
            .unwrap_or(0);
        let position = positions.get(folder).copied().unwrap_or(usize::MAX);
        let name = folder.rsplit('/').next().unwrap_or(folder).to_string();
        built
            .entry(parent_of(folder))
            .or_default()
            .push(((position, weight, name), node));
    }
    node("", built.remove("").unwrap_or_default()).0
}

fn depth(folder: &str) -> usize {
    if folder.is_empty() {
        0
    } else {
        folder.matches('/').count() + 1
    }
}

fn parent_of(folder: &str) -> &str {
    folder.rfind('/').map_or("", |i| &folder[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;

    fn page(path: &str, weight: i64) -> Page {
        let (section, name) = path.rsplit_once('/').unwrap_or(("", path));
        Page {
            source: SourceFile::new(path, String::new()),
            path: path.to_string(),
            key: path.to_string(),
            lang: "en".to_string(),
            output: path.replace(".md", ".html"),
            front: FrontMatter {
                weight,
                ..FrontMatter::default()
            },
            body: 0..0,
            section: section.to_string(),
            is_index: name == "index.md",
            modified: None,
        }
    }

    fn outline(root: &NavNode, pages: &[Page]) -> String {
        let mut out = String::new();
        for visit in root.visits() {
            match visit {
                Visit::Enter(node) => {
                    out.push('(');
                    match node.page {
                        Some(i) => out.push_str(&pages[i.index()].path),
                        None => out.push_str(&node.folder),
                    }
                }
                Visit::Leave(_) => out.push(')'),
            }
        }
        out
    }

    #[test]
    fn folders_nest_and_sort_by_nav_then_weight_then_name() {
        let pages = vec![
            page("index.md", 0),
            page("b.md", 0),
            page("a.md", 0),
            page("late/z.md", 9),
            page("early/index.md", -1),
            page("early/deep/x.md", 0),
            page("early/two.md", 2),
            page("early/one.md", 1),
        ];
        let positions = nav_positions(&["b.md".to_string()]);
        let root = build_language("en", &pages, &positions);
        assert_eq!(
            outline(&root, &pages),
            "(index.md(b.md)(early/index.md(early/deep(early/deep/x.md))(early/one.md)(early/two.md))\
(a.md)(late(late/z.md)))"
        );
        let order: Vec<&str> = root
            .descendants()
            .filter_map(|n| n.page)
            .map(|i| pages[i.index()].path.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "index.md",
                "b.md",
                "early/index.md",
                "early/deep/x.md",
                "early/one.md",
                "early/two.md",
                "a.md",
                "late/z.md"
            ]
        );
    }

    /// Folders as deep as a path can go are built and walked without
    /// recursion: on a thread with a small stack, where one stack frame per
    /// folder would overflow.
    #[test]
    fn the_deepest_folders_need_no_deep_stack() {
        let deep = "a/".repeat(2000);
        let pages = vec![page("index.md", 0), page(&format!("{deep}x.md"), 0)];
        let outline = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let root = build_language("en", &pages, &HashMap::new());
                let tree = NavTree {
                    lang: "en".to_string(),
                    root,
                };
                let renumbered =
                    renumber(vec![tree.clone(), tree], &[PageId::new(1), PageId::new(0)]);
                let root = &renumbered[0].root;
                assert_eq!(outline(root, &pages), outline(&renumbered[1].root, &pages));
                (root.descendants().count(), outline(root, &pages).len())
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(outline.0, 2002, "the root, 2000 folders and the page");
        assert!(outline.1 > 4000);
    }
}
