//! The theme: templates, styles, scripts and strings.
//!
//! The default theme (`themes/default/`) is embedded in the binary, so
//! `playbook` works in any folder. A project's `themes/<name>/` may replace
//! any single file of it or add files. This module loads the files once,
//! compiles the templates once, and bundles the components' CSS and
//! JavaScript into one stylesheet and one script.

mod strings;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use include_dir::{Dir, include_dir};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, SourceFile, display_path};
pub use strings::Strings;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

pub const THEMES_DIR: &str = "themes";

/// The helpers every component script uses; bundled first, whatever the
/// names of the other components.
pub const CORE_SCRIPT: &str = "components/_core/core.js";

/// The prefix under which every built-in template stays available, so a
/// project's template can extend the one it replaces.
pub const BUILTIN_PREFIX: &str = "builtin/";

/// A file of the theme and where it came from.
#[derive(Debug, Clone)]
struct ThemeFile {
    bytes: Arc<[u8]>,
    /// The path shown in errors: the project's file, or the built-in one.
    origin: String,
}

/// The loaded theme.
pub struct Theme {
    files: BTreeMap<String, ThemeFile>,
    /// Template name → its file, for locating errors; holds the
    /// `builtin/` names too.
    templates: BTreeMap<String, ThemeFile>,
    env: Environment<'static>,
    strings: BTreeMap<String, Strings>,
    /// Per strings file other than English: its keys checked against
    /// `en.yaml`'s.
    string_problems: BTreeMap<String, Vec<Diagnostic>>,
    /// Project files the theme does not use: templates under the reserved
    /// `builtin/` names.
    file_warnings: Vec<Diagnostic>,
    /// Per language tag: its strings as a template value, made once for
    /// the block templates every page renders.
    strings_values: Mutex<HashMap<String, Value>>,
}

/// A copy with a cache of its own for the strings values, so two threads
/// rendering with the two copies never wait for each other.
impl Clone for Theme {
    fn clone(&self) -> Self {
        Theme {
            files: self.files.clone(),
            templates: self.templates.clone(),
            env: self.env.clone(),
            strings: self.strings.clone(),
            string_problems: self.string_problems.clone(),
            file_warnings: self.file_warnings.clone(),
            strings_values: Mutex::new(HashMap::new()),
        }
    }
}

/// The bundled stylesheet and script, with short content hashes for
/// cache-busting query strings.
pub struct Bundle {
    pub css: String,
    pub js: String,
    pub css_hash: String,
    pub js_hash: String,
}

impl Theme {
    /// The built-in theme under the project's `themes/<name>/` overrides.
    ///
    /// Themes come only from the project's own `themes/` folder: `name`
    /// must be a theme name ([`is_theme_name`]), its folder must resolve
    /// inside `themes/`, and links in it must stay in the project.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut files = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        if !is_theme_name(name) {
            return Err(vec![theme_name_error(name)]);
        }
        let dir = root.join(THEMES_DIR).join(name);
        if dir.is_dir() {
            let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            let themes = canonical_root.join(THEMES_DIR);
            if !dir
                .canonicalize()
                .is_ok_and(|d| d.starts_with(&themes) && d != themes)
            {
                return Err(vec![
                    Diagnostic::error(
                        "theme::outside",
                        format!(
                            "`{THEMES_DIR}/{name}` leads outside the project's `{THEMES_DIR}/` folder"
                        ),
                    )
                    .with_help(format!(
                        "make `{THEMES_DIR}/{name}/` a folder in the project, not a link"
                    )),
                ]);
            }
            let mut problems = Vec::new();
            let mut walker = WalkDir::new(&dir)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter();
            while let Some(entry) = walker.next() {
                let entry = entry.map_err(|err| {
                    vec![Diagnostic::error(
                        "theme::unreadable",
                        format!("cannot read the theme: {err}"),
                    )]
                })?;
                let shown = display_path(root, entry.path());
                let refused = if entry.depth() == 0 {
                    None
                } else if entry.file_name().to_str().is_none() {
                    Some(
                        Diagnostic::error(
                            "theme::name-not-utf8",
                            format!("`{shown}` has a name that is not UTF-8"),
                        )
                        .with_help(
                            "rename it using UTF-8 (the name above shows the bad bytes as �)",
                        ),
                    )
                } else if crate::content::links_outside(&entry, &canonical_root) {
                    Some(
                        Diagnostic::error(
                            "theme::outside-link",
                            format!("`{shown}` is a link to outside the project"),
                        )
                        .with_help("copy the file into the theme instead of linking to it"),
                    )
                } else {
                    None
                };
                if let Some(problem) = refused {
                    problems.push(problem);
                    if entry.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                    continue;
                }
                if !entry.file_type().is_file()
                    || crate::content::is_ignored(&entry.file_name().to_string_lossy())
                {
                    continue;
                }
                let rel = display_path(&dir, entry.path());
                let bytes = std::fs::read(entry.path()).map_err(|err| {
                    vec![Diagnostic::error(
                        "theme::unreadable",
                        format!("cannot read `{}`: {err}", display_path(root, entry.path())),
                    )]
                })?;
                files.insert(
                    rel,
                    ThemeFile {
                        bytes: bytes.into(),
                        origin: display_path(root, entry.path()),
                    },
                );
            }
            if !problems.is_empty() {
                return Err(problems);
            }
        } else if name != "default" {
            return Err(vec![
                Diagnostic::error(
                    "theme::missing",
                    format!("there is no theme `{name}` in `themes/`"),
                )
                .with_help("set `theme: default`, or create the folder `themes/{name}/`"),
            ]);
        }
        Theme::from_files(files)
    }

    fn from_files(files: BTreeMap<String, ThemeFile>) -> Result<Theme, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_formatter(format_value);
        // An id, or a reference to one, in a block template: marked, so the
        // print page can give it the page's prefix.
        env.add_filter("id", |id: String| crate::markdown::Html::template_id(&id));
        // `|e` and `|escape` escape as printing does, so that a NUL in an
        // author's text becomes U+FFFD there too and cannot pass for a mark.
        env.add_filter("escape", escape_filter);
        env.add_filter("e", escape_filter);
        // A misspelt variable is an error at its line, not empty text.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let mut builtin = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut builtin);
        let builtin: BTreeMap<String, ThemeFile> = builtin
            .into_iter()
            .filter_map(|(path, file)| {
                let name = path.strip_prefix("templates/")?;
                Some((format!("{BUILTIN_PREFIX}{name}"), file))
            })
            .collect();
        // `builtin/` names are reserved for the built-in templates: a
        // project file under `templates/builtin/` is reported and left out.
        let mut file_warnings = Vec::new();
        let own: Vec<(String, ThemeFile)> = files
            .iter()
            .filter_map(|(path, file)| {
                let name = path.strip_prefix("templates/")?;
                if name.starts_with(BUILTIN_PREFIX) {
                    let replaces = builtin.contains_key(name);
                    file_warnings.push(reserved_template_warning(name, replaces, file));
                    return None;
                }
                Some((name.to_string(), file.clone()))
            })
            .collect();
        let templates: BTreeMap<String, ThemeFile> = own.into_iter().chain(builtin).collect();
        for (name, file) in &templates {
            let source = match crate::diagnostics::decode(&file.bytes) {
                Ok(text) => text.to_string(),
                Err(_) => {
                    problems.push(Diagnostic::error(
                        "theme::not-utf8",
                        format!("`{}` is not valid UTF-8", file.origin),
                    ));
                    continue;
                }
            };
            if let Err(err) = env.add_template_owned(name.clone(), source.clone()) {
                problems.push(template_diagnostic(&err, &file.origin, source));
            }
        }
        let mut strings = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for (path, file) in &files {
            let Some(lang) = path
                .strip_prefix("i18n/")
                .and_then(|p| p.strip_suffix(".yaml"))
            else {
                continue;
            };
            let text = crate::diagnostics::decode_lossy(&file.bytes).into_owned();
            let source = SourceFile::new(file.origin.clone(), text);
            match crate::yaml::from_str::<BTreeMap<String, String>>(&source.text) {
                Ok(map) => {
                    strings.insert(lang.to_string(), Strings::new(map));
                    sources.insert(lang.to_string(), source);
                }
                Err(err) => {
                    problems.push(
                        Diagnostic::error(
                            "theme::strings",
                            format!("theme strings: {}", err.message),
                        )
                        .at(&source, err.span),
                    );
                }
            }
        }
        // A project's `en.yaml` may hold only the strings it changes: the
        // built-in English fills in the rest, so every key a template
        // reads exists.
        if let Some(builtin) = DEFAULT_THEME
            .get_file("i18n/en.yaml")
            .and_then(|f| f.contents_utf8())
            .and_then(|text| crate::yaml::from_str::<BTreeMap<String, String>>(text).ok())
        {
            let english = strings.remove("en").unwrap_or_default();
            strings.insert("en".to_string(), english.over(&Strings::new(builtin)));
        }
        let string_problems = strings::check_keys(&strings, &sources);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Theme {
            files,
            templates,
            env,
            strings,
            string_problems,
            file_warnings,
            strings_values: Mutex::new(HashMap::new()),
        })
    }

    /// Warnings about the project's theme files that are not used.
    pub fn file_warnings(&self) -> &[Diagnostic] {
        &self.file_warnings
    }

    /// [`Theme::strings`] as the `strings` value of a template, made once
    /// per language tag.
    pub fn strings_value(&self, lang: &str) -> Value {
        let mut cache = match self.strings_values.lock() {
            Ok(cache) => cache,
            Err(poisoned) => poisoned.into_inner(),
        };
        cache
            .entry(lang.to_string())
            .or_insert_with(|| Value::from_serialize(self.strings(lang)))
            .clone()
    }

    /// The strings for a language tag, falling back to its primary
    /// language, then to English.
    pub fn strings(&self, lang: &str) -> Strings {
        let english = self.strings.get("en").cloned().unwrap_or_default();
        let primary = lang.split('-').next().unwrap_or(lang);
        match self.strings.get(lang).or_else(|| self.strings.get(primary)) {
            Some(s) => s.clone().over(&english),
            None => english,
        }
    }

    /// Languages the theme has strings for.
    pub fn has_strings_for(&self, lang: &str) -> bool {
        self.strings_file_for(lang).is_some()
    }

    /// The strings file a language tag uses: its own, else its primary
    /// language's.
    fn strings_file_for<'a>(&self, lang: &'a str) -> Option<&'a str> {
        let primary = lang.split('-').next().unwrap_or(lang);
        [lang, primary]
            .into_iter()
            .find(|code| self.strings.contains_key(*code))
    }

    /// Warnings about the strings of the book's languages: a language with
    /// no strings file (English is shown), and keys a file lacks (English
    /// is shown for those) or has that `en.yaml` does not.
    pub fn language_warnings<'a>(
        &self,
        languages: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        for lang in languages {
            match self.strings_file_for(lang) {
                Some(code) => {
                    found.extend(self.string_problems.get(code).into_iter().flatten().cloned());
                }
                None => found.push(
                    Diagnostic::warning(
                        "theme::strings-missing",
                        format!("the theme has no strings for the language `{lang}`, so its buttons and labels are in English"),
                    )
                    .with_help(format!(
                        "copy the theme's `i18n/en.yaml` to `{THEMES_DIR}/<theme>/i18n/{lang}.yaml` in the project and translate it"
                    )),
                ),
            }
        }
        found
    }

    pub fn render(&self, template: &str, ctx: impl Serialize) -> Result<String, Diagnostic> {
        self.template(template)?
            .render(ctx)
            .map_err(|err| self.template_error(&err, template))
    }

    /// [`Theme::render`] written straight into `out`, for a page too large
    /// to hold whole (the print page). A failed write of `out` is reported
    /// as a template error too: a caller that cares wraps `out`.
    pub fn render_to_write(
        &self,
        template: &str,
        ctx: impl Serialize,
        out: impl std::io::Write,
    ) -> Result<(), Diagnostic> {
        self.template(template)?
            .render_captured_to(ctx, out)
            .map(|_| ())
            .map_err(|err| self.template_error(&err, template))
    }

    fn template(&self, template: &str) -> Result<minijinja::Template<'_, '_>, Diagnostic> {
        self.env.get_template(template).map_err(|err| {
            Diagnostic::error("theme::template", format!("template `{template}`: {err}"))
        })
    }

    fn template_error(&self, err: &minijinja::Error, template: &str) -> Diagnostic {
        // An error in an included template comes wrapped in one at the
        // `include`: locate the innermost.
        let mut err = err;
        while let Some(inner) = std::error::Error::source(err)
            .and_then(|source| source.downcast_ref::<minijinja::Error>())
        {
            err = inner;
        }
        let origin = self.templates.get(err.name().unwrap_or(template)).map(|f| {
            (
                f.origin.clone(),
                crate::diagnostics::decode_lossy(&f.bytes).into_owned(),
            )
        });
        match origin {
            Some((origin, source)) => template_diagnostic(err, &origin, source),
            None => Diagnostic::error("theme::template", format!("template `{template}`: {err}")),
        }
    }

    /// One stylesheet (base styles, then each component's) and one script.
    ///
    /// The script starts with the core helpers ([`CORE_SCRIPT`]), which
    /// every component uses. Then each component (a folder under
    /// `components/`, its files in name order) runs in a function of its
    /// own, inside its own `try`, so one that throws while starting does
    /// not stop the others.
    pub fn bundle(&self, syntax_css: &str) -> Bundle {
        let mut css = String::new();
        let styles = self.files.iter().filter(|(p, _)| p.starts_with("css/"));
        let component_styles = self
            .files
            .iter()
            .filter(|(p, _)| p.starts_with("components/"));
        for (path, file) in styles.chain(component_styles) {
            if path.ends_with(".css") {
                let text = crate::diagnostics::decode_lossy(&file.bytes);
                css.push_str(&format!("/* {path} */\n{text}\n"));
            }
        }
        css.push_str(syntax_css);

        let mut js = String::from("(function () {\n\"use strict\";\n");
        if let Some(core) = self.files.get(CORE_SCRIPT) {
            let text = crate::diagnostics::decode_lossy(&core.bytes);
            js.push_str(&format!("/* {CORE_SCRIPT} */\n{text}\n"));
        }
        let scripts = self.files.iter().filter(|(p, _)| {
            p.starts_with("components/") && p.ends_with(".js") && p.as_str() != CORE_SCRIPT
        });
        let mut open: Option<&str> = None;
        for (path, file) in scripts {
            let component = path.rsplit_once('/').map_or(path.as_str(), |(dir, _)| dir);
            if open != Some(component) {
                if let Some(done) = open {
                    close_component(&mut js, done);
                }
                js.push_str("try {\n(function () {\n");
                open = Some(component);
            }
            let text = crate::diagnostics::decode_lossy(&file.bytes);
            js.push_str(&format!("/* {} */\n{text}\n", path.replace("*/", "* /")));
        }
        if let Some(done) = open {
            close_component(&mut js, done);
        }
        js.push_str("})();\n");
        Bundle {
            css_hash: short_hash(css.as_bytes()),
            js_hash: short_hash(js.as_bytes()),
            css,
            js,
        }
    }

    /// Files copied to the site as they are (`static/` in the theme).
    pub fn static_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter_map(|(path, file)| path.strip_prefix("static/").map(|p| (p, &file.bytes[..])))
    }
}

/// Whether `name` can name a folder under `themes/`: letters, digits, `-`,
/// `_` and `.`, not starting with `.` and without `..`, so it never climbs
/// out of `themes/` nor names an absolute path.
pub fn is_theme_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The error for a `theme:` that is not a theme name; `book.yaml`'s check
/// locates it at the `theme:` line.
pub fn theme_name_error(name: &str) -> Diagnostic {
    Diagnostic::error(
        "config::theme",
        format!("`{name}` is not a theme name"),
    )
    .with_help(format!(
        "a theme is a folder `{THEMES_DIR}/<name>/` in the project; its name is letters, digits, `-`, `_` and `.`, such as `theme: default`"
    ))
}

/// The warning for a project template under `templates/builtin/`: those
/// names are reserved for the built-in templates, so the file is not used.
/// `replaces` tells whether a built-in template has its name.
fn reserved_template_warning(name: &str, replaces: bool, file: &ThemeFile) -> Diagnostic {
    let source = SourceFile::new(
        file.origin.clone(),
        crate::diagnostics::decode_lossy(&file.bytes).into_owned(),
    );
    let folder = file.origin.strip_suffix(name).unwrap_or("templates/");
    let own = name.strip_prefix(BUILTIN_PREFIX).unwrap_or(name);
    let help = if replaces {
        format!(
            "to replace the built-in `{own}`, move the file to `{folder}{own}`; it can still extend `{name}`"
        )
    } else {
        format!("move the file out of `{folder}{BUILTIN_PREFIX}`, such as to `{folder}{own}`")
    };
    Diagnostic::warning(
        "theme::reserved-name",
        format!(
            "`{}` is not used: names under `{BUILTIN_PREFIX}` are reserved for the built-in templates",
            file.origin
        ),
    )
    .in_file(&source)
    .with_help(help)
}

/// Ends a component's function and its `try`: an error while it starts
/// is logged with the component's folder.
fn close_component(js: &mut String, component: &str) {
    // A folder name from the theme, as a JavaScript string that cannot
    // end the script element either.
    let name = crate::html::json_in_script(&serde_json::to_string(component).unwrap_or_default());
    js.push_str(&format!(
        "}})();\n}} catch (e) {{ pbFailed({name}, e); }}\n"
    ));
}

/// Escapes like minijinja's HTML formatter, but leaves `/` alone: every
/// link the theme prints is a path, and `&#x2f;` only makes pages larger.
fn format_value(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    match value.as_str() {
        Some(text) if html && !value.is_safe() => out
            .write_str(&crate::html::escape(text))
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())),
        // Lists and maps print as their source form: escaped the same way,
        // so a NUL in an author's string is replaced there too.
        None if html && !value.is_safe() && value.as_object().is_some() => out
            .write_str(&crate::html::escape(&value.to_string()))
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The templates' `escape` filter: a safe value as it is, anything else
/// escaped as [`format_value`] prints it.
fn escape_filter(value: &minijinja::Value) -> minijinja::Value {
    if value.is_safe() {
        return value.clone();
    }
    let text = match value.as_str() {
        Some(text) => crate::html::escape(text),
        None => crate::html::escape(&value.to_string()),
    };
    minijinja::Value::from_safe_string(text)
}

fn collect_embedded(dir: &'static Dir<'static>, out: &mut BTreeMap<String, ThemeFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        out.insert(
            path.clone(),
            ThemeFile {
                bytes: Arc::from(file.contents()),
                origin: format!("(built-in theme) {path}"),
            },
        );
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn template_diagnostic(err: &minijinja::Error, origin: &str, source: String) -> Diagnostic {
    let file = SourceFile::new(origin.to_string(), source);
    let mut d = Diagnostic::error("theme::template", format!("template error: {}", err.kind()));
    if let Some(detail) = err.detail() {
        d.message = format!("template error: {detail}");
    }
    if err.kind() == minijinja::ErrorKind::UndefinedError {
        d = d.with_help(
            "check the name's spelling; the README's Theme reference lists what each template receives, and `{% if x is defined %}` tests an optional one",
        );
    }
    match (err.range(), err.line()) {
        (Some(range), _) => d.at(&file, range),
        (None, Some(line)) => {
            let start: usize = file
                .text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum();
            let len = file.text[start..]
                .find('\n')
                .unwrap_or(file.text.len() - start);
            d.at(&file, start..start + len)
        }
        _ => d.in_file(&file),
    }
}

/// A short, stable content hash for cache busting.
pub fn short_hash(bytes: &[u8]) -> String {
    crate::hash::short_hex(bytes, 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_script_comes_first_and_each_component_runs_on_its_own() {
        let mut files = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        // Sorts before `components/_core/`.
        files.insert(
            "components/0-first/first.js".to_string(),
            ThemeFile {
                bytes: Arc::from(&b"firstComponent();"[..]),
                origin: "themes/default/components/0-first/first.js".to_string(),
            },
        );
        let Ok(theme) = Theme::from_files(files) else {
            panic!("the theme loads");
        };
        let js = theme.bundle("").js;
        let core = js.find("function pbT(").expect("core helpers");
        let first = js.find("firstComponent();").expect("the component");
        assert!(core < first, "the core helpers come first");
        assert!(
            js[..first].ends_with("try {\n(function () {\n/* components/0-first/first.js */\n"),
            "{js}"
        );
        assert!(
            js[first..].starts_with(
                "firstComponent();\n})();\n} catch (e) { pbFailed(\"components/0-first\", e); }\n"
            ),
            "{js}"
        );
        assert_eq!(
            js.matches("try {\n(function () {\n").count(),
            DEFAULT_THEME
                .get_dir("components")
                .map_or(0, |d| d.dirs().count()),
            "one guard per component folder but the core's, plus the new one"
        );
    }
}
