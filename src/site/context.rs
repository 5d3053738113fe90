//! What templates see: one context per page, built from the rendered site.
//! Every page-like template gets a [`View`]: the same common part
//! ([`Shared::view`]) and its own part beside it.
//!
//! Everything here is computed from data the build already holds; the
//! sidebar is not part of it (it lives in one `toc.js` per language), so a
//! page's size does not grow with the number of pages.

use std::collections::HashMap;

use serde::Serialize;

use crate::content::{IdVec, Kind, LangId, Page, PageId};
use crate::diagnostics::Diagnostic;
use crate::markdown::{Features, Heading};
use crate::theme::{Bundle, Strings};

use super::{BuildOptions, Site};

/// The metadata of a page that outputs other than its own show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMeta<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub kind: Kind,
    pub weight: i64,
    pub draft: bool,
}

impl<'a> PageMeta<'a> {
    pub fn of(page: &'a Page, title: &'a str) -> Self {
        PageMeta {
            title,
            description: page.front.description.as_deref(),
            kind: page.front.kind,
            weight: page.front.weight,
            draft: page.front.draft,
        }
    }
}

/// The outputs beyond a page's own that show a piece of its metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dependents {
    /// Every page of its language: previous and next links, breadcrumbs,
    /// the home page's cards ([`Shared::link`], [`Shared::page_html`]).
    pub language_pages: bool,
    /// Its language's sidebar (`toc.js`, `toc.html`), which every page
    /// shows.
    pub sidebar: bool,
    /// Its language's print page.
    pub print: bool,
    /// The search index.
    pub search: bool,
    /// The reading order and the navigation trees, which loading makes:
    /// everything.
    pub order: bool,
}

impl Dependents {
    const NONE: Dependents = Dependents {
        language_pages: false,
        sidebar: false,
        print: false,
        search: false,
        order: false,
    };

    pub fn merge(&mut self, other: Dependents) {
        self.language_pages |= other.language_pages;
        self.sidebar |= other.sidebar;
        self.print |= other.print;
        self.search |= other.search;
        self.order |= other.order;
    }
}

/// Whether a field differs between two versions of a page's metadata.
pub type Differs = fn(&PageMeta<'_>, &PageMeta<'_>) -> bool;

/// Which outputs show which field of a page's metadata. A field that
/// another page's template shows is declared here, and rebuilds follow.
pub const DEPENDENTS: &[(Differs, Dependents)] = &[
    // Link titles everywhere, sidebar entries, print articles, results.
    (
        |a, b| a.title != b.title,
        Dependents {
            language_pages: true,
            sidebar: true,
            print: true,
            search: true,
            order: false,
        },
    ),
    // Link descriptions: previous and next, breadcrumbs, home cards.
    (
        |a, b| a.description != b.description,
        Dependents {
            language_pages: true,
            ..Dependents::NONE
        },
    ),
    // The home page's groups and each print article's kind.
    (
        |a, b| a.kind != b.kind,
        Dependents {
            language_pages: true,
            print: true,
            ..Dependents::NONE
        },
    ),
    (
        |a, b| a.weight != b.weight || a.draft != b.draft,
        Dependents {
            order: true,
            ..Dependents::NONE
        },
    ),
];

/// The outputs beyond the page's own that a change of its metadata from
/// `old` to `new` makes out of date.
pub fn dependents(old: &PageMeta<'_>, new: &PageMeta<'_>) -> Dependents {
    let mut out = Dependents::NONE;
    for (differs, shown) in DEPENDENTS {
        if differs(old, new) {
            out.merge(*shown);
        }
    }
    out
}

/// Data shared by every page of a build.
pub struct Shared<'a> {
    pub site: &'a Site,
    css: String,
    js: String,
    toc_hash: IdVec<LangId, String>,
    live_reload: Option<&'a str>,
    /// Per language: content folder → its index page.
    folder_index: IdVec<LangId, HashMap<&'a str, PageId>>,
    /// Translation key → pages with that key, one per language.
    translations: HashMap<&'a str, Vec<PageId>>,
    /// Per language: pages in reading order.
    order: IdVec<LangId, Vec<PageId>>,
    /// Per page: its position in its language's reading order.
    position: IdVec<PageId, usize>,
    strings_json: IdVec<LangId, String>,
    /// Per language: the theme strings as a template value, converted
    /// once rather than for every page.
    strings: IdVec<LangId, minijinja::Value>,
}

#[derive(Serialize)]
pub struct LinkView {
    pub title: String,
    pub href: String,
    pub description: Option<String>,
}

#[derive(Serialize)]
struct GroupView<'a> {
    kind: &'static str,
    title: &'a str,
    intro: &'a str,
    pages: Vec<LinkView>,
}

#[derive(Serialize)]
pub struct LangView {
    code: String,
    name: String,
    href: String,
    current: bool,
    missing: bool,
}

#[derive(Serialize)]
struct PageData<'a> {
    title: &'a str,
    kind: &'static str,
    kind_label: String,
    description: Option<&'a str>,
    content: String,
    toc: &'a [Heading],
    show_title: bool,
    is_home: bool,
    path: &'a str,
    canonical: Option<String>,
}

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub authors: &'a [String],
    pub home: String,
    pub print: String,
    pub search: String,
}

#[derive(Serialize)]
pub struct Assets<'a> {
    pub css: String,
    pub js: String,
    pub toc: String,
    pub toc_html: String,
    pub live_reload: Option<&'a str>,
}

#[derive(Serialize)]
struct Alternate {
    lang: String,
    href: String,
}

/// What every page-like template (page, print, search, 404, and the
/// sidebar's no-script page) receives: the common part, the same on every
/// page, and the template's own part at the same level.
#[derive(Serialize)]
pub struct View<'a, T: Serialize> {
    pub lang: &'a str,
    /// The way back to the site root: `""`, `"../"`, …
    pub root: String,
    /// The `<base href>` of a page served at any path (404 with `base_url`).
    pub base_href: Option<String>,
    pub site: SiteView<'a>,
    /// The language switcher: empty for a book in one language.
    pub languages: Vec<LangView>,
    pub strings: minijinja::Value,
    pub strings_json: &'a str,
    pub assets: Assets<'a>,
    #[serde(flatten)]
    pub own: T,
}

/// The own part of `page.html`.
#[derive(Serialize)]
struct PageOwn<'a> {
    page: PageData<'a>,
    prev: Option<LinkView>,
    next: Option<LinkView>,
    breadcrumbs: Vec<LinkView>,
    groups: Vec<GroupView<'a>>,
    alternates: Vec<Alternate>,
    features: Features,
    clause_notice: Option<&'a str>,
}

impl<'a> Shared<'a> {
    pub fn new(site: &'a Site, bundle: &Bundle, options: &'a BuildOptions) -> Self {
        let book = &site.book;
        let mut folder_index = IdVec::new();
        let mut order = IdVec::new();
        let mut position: IdVec<PageId, usize> = site.page_ids().map(|_| 0).collect();
        for tree in &book.nav {
            let mut map: HashMap<&str, PageId> = HashMap::new();
            for node in tree.root.descendants() {
                if let Some(page) = node.page {
                    if node.is_section() || node.folder.is_empty() {
                        map.insert(node.folder.as_str(), page);
                    }
                }
            }
            // Only index pages stand for folders.
            map.retain(|_, &mut page| site.page(page).is_index);
            folder_index.push(map);
            let reading = tree.reading_order();
            for (pos, &page) in reading.iter().enumerate() {
                position[page] = pos;
            }
            order.push(reading);
        }
        let mut translations: HashMap<&str, Vec<PageId>> = HashMap::new();
        for (id, entry) in site.entries() {
            translations
                .entry(entry.page.key.as_str())
                .or_default()
                .push(id);
        }
        let version = |hash: &str| {
            if options.fixed_asset_urls {
                String::new()
            } else {
                format!("?v={hash}")
            }
        };
        Shared {
            css: format!("assets/playbook.css{}", version(&bundle.css_hash)),
            js: format!("assets/playbook.js{}", version(&bundle.js_hash)),
            toc_hash: book
                .languages
                .iter()
                .map(|l| {
                    if options.fixed_asset_urls {
                        return String::new();
                    }
                    let script = super::extras::toc_script(site, &l.code);
                    version(&crate::theme::short_hash(script.as_bytes()))
                })
                .collect(),
            live_reload: options.live_reload.as_deref(),
            folder_index,
            translations,
            order,
            position,
            strings_json: site.strings.iter().map(Strings::json_for_scripts).collect(),
            strings: site
                .strings
                .iter()
                .map(minijinja::Value::from_serialize)
                .collect(),
            site,
        }
    }

    fn lang_id(&self, lang: &str) -> LangId {
        self.site.book.lang_id(lang)
    }

    /// `fi/` for a non-default language, empty for the default.
    pub fn lang_dir(&self, lang: &str) -> String {
        if self.lang_id(lang).is_default() {
            String::new()
        } else {
            format!("{lang}/")
        }
    }

    pub fn link(&self, page: PageId, root: &str) -> LinkView {
        let p = self.site.page(page);
        LinkView {
            title: self.site.entry(page).title.clone(),
            href: relative_href(root, &p.output),
            description: p.front.description.clone(),
        }
    }

    pub fn site_view(&self, lang: &str, root: &str) -> SiteView<'a> {
        let language = self.site.book.language(lang);
        let dir = self.lang_dir(lang);
        SiteView {
            title: &language.title,
            description: language.description.as_deref(),
            authors: &self.site.book.config.book.authors,
            home: relative_href(root, &format!("{dir}index.html")),
            print: relative_href(root, &format!("{dir}print.html")),
            search: relative_href(root, &format!("{dir}search.html")),
        }
    }

    pub fn assets(&self, lang: &str, root: &str) -> Assets<'a> {
        let dir = self.lang_dir(lang);
        Assets {
            css: format!("{root}{}", self.css),
            js: format!("{root}{}", self.js),
            toc: format!("{root}{dir}toc.js{}", self.toc_hash[self.lang_id(lang)]),
            toc_html: format!("{root}{dir}toc.html"),
            live_reload: self.live_reload,
        }
    }

    /// The common part of every page-like template's context, around the
    /// template's own part. `version_of` gives, per language code, the
    /// site-relative path of this page in that language, if it has one;
    /// the switcher links a missing one to that language's home.
    pub fn view<'s, T: Serialize>(
        &'s self,
        lang: &'s str,
        root: String,
        base_href: Option<String>,
        version_of: impl Fn(&str) -> Option<String>,
        own: T,
    ) -> View<'s, T> {
        let li = self.lang_id(lang);
        let book = &self.site.book;
        let languages = if book.languages.len() > 1 {
            book.languages
                .iter()
                .map(|language| {
                    let version = version_of(&language.code);
                    let href = match &version {
                        Some(path) => relative_href(&root, path),
                        None => relative_href(
                            &root,
                            &format!("{}index.html", self.lang_dir(&language.code)),
                        ),
                    };
                    LangView {
                        code: language.code.clone(),
                        name: self
                            .site
                            .strings_of(li)
                            .get(&format!("lang.{}", language.code))
                            .to_string(),
                        href,
                        current: language.code == lang,
                        missing: version.is_none(),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        View {
            lang,
            site: self.site_view(lang, &root),
            assets: self.assets(lang, &root),
            base_href,
            languages,
            strings: self.strings[li].clone(),
            strings_json: &self.strings_json[li],
            root,
            own,
        }
    }

    /// The full HTML of page `id`.
    pub fn page_html(&self, id: PageId) -> Result<String, Diagnostic> {
        let site = self.site;
        let book = &site.book;
        let entry = site.entry(id);
        let page = &entry.page;
        let rendered = &entry.rendered;
        let lang = page.lang.as_str();
        let li = self.lang_id(lang);
        let root = page.root_prefix();
        let strings = site.strings_of(li);
        let order = &self.order[li];
        let pos = self.position[id];
        let prev = pos.checked_sub(1).map(|p| self.link(order[p], &root));
        let next = order.get(pos + 1).map(|&p| self.link(p, &root));

        let mut breadcrumbs = Vec::new();
        if !(page.is_index && page.section.is_empty()) {
            let mut folder = if page.is_index {
                parent(&page.section)
            } else {
                Some(page.section.as_str())
            };
            while let Some(f) = folder {
                if let Some(&index) = self.folder_index[li].get(f) {
                    breadcrumbs.push(self.link(index, &root));
                }
                folder = parent(f);
            }
            breadcrumbs.reverse();
        }

        let is_home = page.is_index && page.section.is_empty();
        let groups = if is_home {
            self.groups(li, &root)
        } else {
            Vec::new()
        };

        let siblings = &self.translations[page.key.as_str()];
        let translation = |code: &str| {
            siblings
                .iter()
                .copied()
                .find(|&s| site.page(s).lang == code)
        };
        // Search engines read hreflang only with absolute URLs, so
        // without base_url there are none.
        let alternates = match &book.config.book.base_url {
            Some(base) if book.languages.len() > 1 => book
                .languages
                .iter()
                .filter_map(|language| {
                    translation(&language.code).map(|t| Alternate {
                        lang: language.code.clone(),
                        href: join_url(base, &site.page(t).output),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        let canonical = book
            .config
            .book
            .base_url
            .as_ref()
            .map(|base| join_url(base, &page.output));
        let own = PageOwn {
            page: PageData {
                title: &entry.title,
                kind: page.front.kind.as_str(),
                kind_label: strings
                    .get(&format!("kind.{}", page.front.kind.as_str()))
                    .to_string(),
                description: page.front.description.as_deref(),
                content: crate::markdown::marks::placed(&rendered.html, &rendered.marks, &root, ""),
                toc: &rendered.toc,
                show_title: rendered.h1.is_none(),
                is_home,
                path: &page.output,
                canonical,
            },
            prev,
            next,
            breadcrumbs,
            groups,
            alternates,
            features: rendered.features,
            clause_notice: rendered
                .features
                .clauses
                .then(|| book.lang(li).clause_notice.as_str()),
        };
        let view = self.view(
            lang,
            root,
            None,
            |code| translation(code).map(|t| site.page(t).output.clone()),
            own,
        );
        site.theme.render("page.html", view)
    }

    /// The home page's groups: the language's pages by kind, in reading order.
    fn groups(&self, li: LangId, root: &str) -> Vec<GroupView<'a>> {
        let strings = self.site.strings_of(li);
        Kind::ALL
            .iter()
            .map(|&kind| GroupView {
                kind: kind.as_str(),
                title: strings.get(group_key(kind, "title")),
                intro: strings.get(group_key(kind, "intro")),
                pages: self.order[li]
                    .iter()
                    .copied()
                    .filter(|&p| {
                        let page = self.site.page(p);
                        !page.is_index && page.front.kind == kind
                    })
                    .map(|p| self.link(p, root))
                    .collect(),
            })
            .filter(|g| !g.pages.is_empty())
            .collect()
    }
}

fn group_key(kind: Kind, part: &str) -> &'static str {
    match (kind, part) {
        (Kind::Guide, "title") => "group.guide.title",
        (Kind::Guide, _) => "group.guide.intro",
        (Kind::HowNotTo, "title") => "group.how-not-to.title",
        (Kind::HowNotTo, _) => "group.how-not-to.intro",
        (Kind::HowTo, "title") => "group.how-to.title",
        (Kind::HowTo, _) => "group.how-to.intro",
        (Kind::Clause, "title") => "group.clause.title",
        (Kind::Clause, _) => "group.clause.intro",
    }
}

fn parent(folder: &str) -> Option<&str> {
    if folder.is_empty() {
        None
    } else {
        Some(folder.rfind('/').map_or("", |i| &folder[..i]))
    }
}

/// A link to the site-relative `path` (such as a page's output) from a
/// page whose way back to the site root is `root` (`""`, `"../"`, …); a
/// page body writes them with `""` and marks where its root goes
/// ([`crate::markdown::marks`]). Every relative link to a page or file is
/// made here. The path is a file's path, so what a URL reads otherwise
/// (`?`, `#`, `%`…) is percent-encoded ([`url_path`]); a first segment
/// holding a `:` (a file named `javascript:x.md`) would read as a URL
/// scheme, so it starts with `./`.
pub fn relative_href(root: &str, path: &str) -> String {
    let path = url_path(path);
    let first = path.split('/').next().unwrap_or("");
    if first.contains(':') {
        format!("{root}./{path}")
    } else {
        format!("{root}{path}")
    }
}

/// A site-relative file path as a URL path: each ASCII character a URL
/// would read as something else (`?` a query, `#` a fragment, `%` an
/// escape, a space or quote) is percent-encoded. Letters of other scripts
/// are kept as they are, as browsers read them.
pub fn url_path(path: &str) -> std::borrow::Cow<'_, str> {
    let special = |c: char| c.is_ascii_control() || " \"#%<>?[\\]^`{|}".contains(c);
    if !path.contains(special) {
        return std::borrow::Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 8);
    for c in path.chars() {
        if special(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `base` joined with a site-relative file path ([`url_path`]).
pub fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), url_path(path))
}
