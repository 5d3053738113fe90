//! `playbook check`: every check the build makes, plus the ones that
//! matter before publishing, without writing anything.
//!
//! Beyond the build's errors it reports files under content/ that nothing
//! links to, images without alt text, pages without a description, and
//! translations that are missing or older than their source. Each of these
//! can be set to `off`, `warning` or `error` under `checks:` in book.yaml.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use crate::config::CheckLevel;
use crate::content::LangId;
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::site::{BuildOptions, Site};

/// The checks whose level `checks:` in book.yaml can set.
pub const CHECK_NAMES: &[&str] = &["orphans", "image-alt", "description", "translations"];

/// A translation counts as older than its source only past this margin,
/// since a fresh checkout gives every file nearly the same time.
const TRANSLATION_SLACK: Duration = Duration::from_secs(2);

/// Runs every check on the project at `root`.
pub fn run(root: &Path) -> Vec<Diagnostic> {
    let options = BuildOptions {
        skip_search: true,
        ..BuildOptions::default()
    };
    match Site::load(root, &options) {
        Ok(site) => {
            let mut found: Vec<Diagnostic> = site
                .warnings
                .iter()
                .filter(|d| d.code != "image::alt")
                .cloned()
                .collect();
            found.extend(publishing_checks(&site));
            diagnostics::sort(&mut found);
            found
        }
        Err(problems) => problems,
    }
}

/// The checks that only `check` (and `build -v` for translations) runs,
/// each at the level book.yaml sets.
pub fn publishing_checks(site: &Site) -> Vec<Diagnostic> {
    let config = &site.book.config;
    let mut found = Vec::new();
    let mut push = |name: &str, default: CheckLevel, items: Vec<Diagnostic>| {
        let level = config.check_level(name, default);
        for mut d in items {
            match level {
                CheckLevel::Off => continue,
                CheckLevel::Warning => d.severity = Severity::Warning,
                CheckLevel::Error => d.severity = Severity::Error,
            }
            found.push(d);
        }
    };
    push("orphans", CheckLevel::Warning, orphans(site));
    push(
        "image-alt",
        CheckLevel::Warning,
        site.entries()
            .flat_map(|(_, entry)| {
                entry
                    .rendered
                    .diagnostics
                    .iter()
                    .filter(|d| d.code == "image::alt")
                    .cloned()
            })
            .collect(),
    );
    push("description", CheckLevel::Warning, descriptions(site));
    push("translations", CheckLevel::Warning, translations(site));
    found
}

fn orphans(site: &Site) -> Vec<Diagnostic> {
    let linked: HashSet<&str> = site
        .entries()
        .flat_map(|(_, entry)| entry.rendered.targets.iter().map(String::as_str))
        .collect();
    let mut found = Vec::new();
    for page in site.pages() {
        // Home and section pages are reached through the navigation.
        if page.is_index || linked.contains(page.path.as_str()) {
            continue;
        }
        found.push(
            Diagnostic::warning(
                "check::orphan",
                format!("no page links to `{}`", page.source.name),
            )
            .in_file(&page.source)
            .with_help("link to it from a related page, so readers find it outside the sidebar"),
        );
    }
    for asset in &site.book.assets {
        if !linked.contains(asset.path.as_str()) {
            found.push(
                Diagnostic::warning(
                    "check::orphan",
                    format!("nothing links to `content/{}`", asset.path),
                )
                .with_help("link to the file from a page, or remove it"),
            );
        }
    }
    found
}

fn descriptions(site: &Site) -> Vec<Diagnostic> {
    site.pages()
        .filter(|p| p.front.description.as_deref().is_none_or(|d| d.trim().is_empty()))
        .map(|page| {
            Diagnostic::warning("check::description", format!("`{}` has no description", page.source.name))
                .in_file(&page.source)
                .with_help("add `description:` to its front matter: one sentence for search results and link previews")
        })
        .collect()
}

/// Pages of the default language with no translation, or whose
/// translation was last changed before them.
pub fn translations(site: &Site) -> Vec<Diagnostic> {
    let book = &site.book;
    let default = &book.lang(LangId::DEFAULT).code;
    // One pass to index the pages by (source key, language), so the scan
    // is linear in the number of pages.
    let mut by_key: HashMap<(&str, &str), &crate::content::Page> = HashMap::new();
    for page in site.pages() {
        by_key
            .entry((page.key.as_str(), page.lang.as_str()))
            .or_insert(page);
    }
    let mut found = Vec::new();
    for (_, source) in site.pages_in(default) {
        for language in book.languages.iter().skip(1) {
            let translation = by_key.get(&(source.key.as_str(), language.code.as_str()));
            match translation {
                None => found.push(
                    Diagnostic::warning(
                        "check::translation-missing",
                        format!(
                            "`{}` has no {} translation",
                            source.source.name, language.code
                        ),
                    )
                    .in_file(&source.source)
                    .with_help(format!(
                        "add `content/{}.{}.md` beside it",
                        source.key.trim_end_matches(".md"),
                        language.code
                    )),
                ),
                Some(t) => {
                    if let (Some(src), Some(tr)) = (source.modified, t.modified) {
                        if src.duration_since(tr).is_ok_and(|d| d > TRANSLATION_SLACK) {
                            found.push(
                                Diagnostic::warning(
                                    "check::translation-old",
                                    format!(
                                        "`{}` changed after its translation `{}`",
                                        source.source.name, t.source.name
                                    ),
                                )
                                .in_file(&t.source)
                                .with_help("update the translation, then save it"),
                            );
                        }
                    }
                }
            }
        }
    }
    found
}
