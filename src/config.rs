//! `book.yaml`: the project's configuration, read into a typed struct.
//!
//! Unknown keys are errors (with "did you mean"), so a typo never silently
//! turns a setting off. This module owns the schema and its validation;
//! it does not read content.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::yaml::{self, Locator, Seg};

pub const FILE_NAME: &str = "book.yaml";

const DEFAULT_CLAUSE_NOTICE_EN: &str =
    "Sample clauses are not legal advice. Have a lawyer review any contract before you rely on it.";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookConfig {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The default language, as a BCP 47 tag.
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub authors: Vec<String>,
    /// An absolute URL, used only for sitemap.xml and canonical links.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Where the site is written, relative to the project.
    #[serde(default)]
    pub output: Option<PathBuf>,
    /// An explicit order: content paths of pages (`a/b.md`) or folders (`a/`).
    #[serde(default)]
    pub nav: Vec<String>,
    /// The text shown with sample clauses.
    #[serde(default)]
    pub clause_notice: Option<String>,
    /// The theme: `default`, or a folder under `themes/`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Further languages, each with its own title and description.
    #[serde(default)]
    pub languages: BTreeMap<String, LanguageConfig>,
    /// How strict `playbook check` is about each check.
    #[serde(default)]
    pub checks: BTreeMap<String, CheckLevel>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageConfig {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub clause_notice: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckLevel {
    Off,
    Warning,
    Error,
}

fn default_language() -> String {
    "en".to_string()
}

fn default_theme() -> String {
    "default".to_string()
}

/// The configuration with the file it came from, for located diagnostics.
#[derive(Debug, Clone)]
pub struct Config {
    pub book: BookConfig,
    pub source: Arc<SourceFile>,
}

/// One language of the site, with its texts resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub clause_notice: String,
    pub is_default: bool,
}

impl Config {
    /// Reads and validates `book.yaml` in `root`.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(FILE_NAME);
        let bytes = std::fs::read(&path).map_err(|err| {
            let help = if err.kind() == std::io::ErrorKind::NotFound {
                "run `playbook init` to start a playbook here, or pass the playbook's folder"
            } else if crate::site::output::out_of_files(&err) {
                crate::site::output::OUT_OF_FILES_HELP
            } else if err.kind() == std::io::ErrorKind::PermissionDenied {
                "check the file's permissions"
            } else {
                "check that book.yaml is a file you can read"
            };
            vec![
                Diagnostic::error(
                    "config::unreadable",
                    format!("cannot read {}: {err}", path.display()),
                )
                .with_help(help),
            ]
        })?;
        let text = crate::diagnostics::decode(&bytes).map_err(|err| {
            vec![
                Diagnostic::error(
                    "config::not-utf8",
                    format!(
                        "{FILE_NAME} is not valid UTF-8 (bad byte at offset {})",
                        err.valid_up_to()
                    ),
                )
                .with_help("save the file as UTF-8"),
            ]
        })?;
        Config::parse(SourceFile::new(FILE_NAME, text.to_string()))
    }

    pub fn parse(source: Arc<SourceFile>) -> Result<Config, Vec<Diagnostic>> {
        let book: BookConfig = yaml::from_str(&source.text).map_err(|err| {
            let mut d =
                Diagnostic::error("config::invalid", format!("{FILE_NAME}: {}", err.message))
                    .at(&source, err.span.clone());
            if let Some(help) = err.help() {
                d = d.with_help(help);
            }
            vec![d]
        })?;
        let config = Config { book, source };
        let problems = config.validate();
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        Ok(config)
    }

    fn validate(&self) -> Vec<Diagnostic> {
        let locator = Locator::new(&self.source.text);
        let at = |path: &[&str]| {
            let path: Vec<Seg> = path.iter().map(|k| Seg::from(*k)).collect();
            locator.nearest(&path)
        };
        let mut problems = Vec::new();
        if self.book.title.trim().is_empty() {
            problems.push(
                Diagnostic::error("config::empty-title", "the book's `title` is empty")
                    .at(&self.source, at(&["title"]))
                    .with_help(
                        "give the playbook a title, such as `title: Ending a client relationship`",
                    ),
            );
        }
        for (code, path) in std::iter::once((&self.book.language, vec!["language"])).chain(
            self.book
                .languages
                .keys()
                .map(|k| (k, vec!["languages", k.as_str()])),
        ) {
            if !is_language_tag(code) {
                problems.push(
                    Diagnostic::error(
                        "config::language",
                        format!("`{code}` is not a BCP 47 language tag"),
                    )
                    .at(&self.source, at(&path))
                    .with_help("use a tag such as `en`, `fi` or `pt-BR`"),
                );
            }
        }
        if let Some(url) = &self.book.base_url {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty())
                && !url.contains(char::is_whitespace);
            if !ok {
                problems.push(
                    Diagnostic::error(
                        "config::base-url",
                        format!("`base_url` must be an absolute http(s) URL, not `{url}`"),
                    )
                    .at(&self.source, at(&["base_url"]))
                    .with_help("for example `base_url: https://example.org/playbook/`"),
                );
            }
        }
        if !crate::theme::is_theme_name(&self.book.theme) {
            problems.push(
                crate::theme::theme_name_error(&self.book.theme).at(&self.source, at(&["theme"])),
            );
        }
        for name in self.book.checks.keys() {
            if !crate::check::CHECK_NAMES.contains(&name.as_str()) {
                problems.push(
                    Diagnostic::error("config::unknown-check", format!("unknown check `{name}`"))
                        .at(&self.source, at(&["checks", name]))
                        .suggest(name, crate::check::CHECK_NAMES.iter().copied()),
                );
            }
        }
        problems
    }

    /// The site's languages, the default first.
    pub fn languages(&self) -> Vec<Language> {
        let book = &self.book;
        let default_notice = book
            .clause_notice
            .clone()
            .unwrap_or_else(|| DEFAULT_CLAUSE_NOTICE_EN.to_string());
        let mut out = vec![Language {
            code: book.language.clone(),
            title: book.title.clone(),
            description: book.description.clone(),
            clause_notice: default_notice.clone(),
            is_default: true,
        }];
        for (code, lang) in &book.languages {
            if *code == book.language {
                continue;
            }
            out.push(Language {
                code: code.clone(),
                title: lang.title.clone().unwrap_or_else(|| book.title.clone()),
                description: lang
                    .description
                    .clone()
                    .or_else(|| book.description.clone()),
                clause_notice: lang
                    .clause_notice
                    .clone()
                    .unwrap_or_else(|| default_notice.clone()),
                is_default: false,
            });
        }
        out
    }

    /// The output folder: `--out`, else `output:`, else `public/`.
    pub fn output_dir(&self, root: &Path, cli: Option<&Path>) -> PathBuf {
        match (cli, &self.book.output) {
            (Some(out), _) => out.to_path_buf(),
            (None, Some(out)) => root.join(out),
            (None, None) => root.join("public"),
        }
    }

    pub fn check_level(&self, name: &str, default: CheckLevel) -> CheckLevel {
        self.book.checks.get(name).copied().unwrap_or(default)
    }
}

/// A light BCP 47 check: a 2–3 letter language, then alphanumeric subtags.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(SourceFile::new("book.yaml", text.to_string()))
    }

    #[test]
    fn a_minimal_book_needs_only_a_title() {
        let config = parse("title: Hello\n").unwrap();
        assert_eq!(config.book.language, "en");
        assert_eq!(config.languages().len(), 1);
    }

    #[test]
    fn a_typo_in_a_key_names_the_key_and_the_intended_one() {
        let errors = parse("title: Hello\ndescripton: x\n").unwrap_err();
        let out = errors[0].render(false);
        assert!(out.contains("unknown field `descripton`"), "{out}");
        assert!(out.contains("did you mean `description`?"), "{out}");
        assert!(out.contains("book.yaml:2:1"), "{out}");
    }

    #[test]
    fn a_missing_title_is_an_error() {
        let errors = parse("description: x\n").unwrap_err();
        assert!(
            errors[0].message.contains("missing field `title`"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn bad_language_and_base_url_are_located() {
        let errors = parse("title: A\nlanguage: english!\nbase_url: example.org\n").unwrap_err();
        let lines: Vec<_> = errors.iter().map(|e| e.position().unwrap().1).collect();
        assert_eq!(lines, vec![2, 3]);
    }

    #[test]
    fn language_tags() {
        assert!(is_language_tag("fi"));
        assert!(is_language_tag("pt-BR"));
        assert!(!is_language_tag("finnish"));
        assert!(!is_language_tag(""));
    }
}
