//! Markdown to HTML: CommonMark and GFM through pulldown-cmark, plus what a
//! playbook adds.
//!
//! One pass over the event stream gives headings stable ids and anchor
//! links, rewrites links between pages to relative `.html` links and
//! records them for checking, marks where each such link's way to the site
//! root and each id go ([`marks`]), turns GFM alerts into admonitions, makes task
//! lists interactive, highlights code, and hands `clause` and
//! `decision-tree` fences to [`crate::blocks`]. Heading anchors and alerts
//! are written by the theme's block templates. The same pass records the
//! page's searchable text ([`SearchText`]) for the search index. Rendering
//! one page never looks at another page's text, so pages render in
//! parallel.

pub mod highlight;
pub mod links;
pub mod marks;
pub mod slug;

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

use crate::blocks::markup::{self, AlertView, HeadingView};
use crate::blocks::{self, BlockContext, Fence};
use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::html::escape;
use crate::search::{Field, SearchText};
use crate::theme::{Strings, Theme};
pub use links::{Href, LinkTarget, Linker, PageLink};
pub use marks::{Html, Mark, MarkKind};
use slug::{IdSet, slugify};

/// A heading for the page's "on this page" list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Which interactive parts a page uses, so the theme loads only those.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Features {
    pub trees: bool,
    pub clauses: bool,
    pub tasks: bool,
    pub code: bool,
}

/// A rendered page body and what the rest of the build needs to know of it.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The body, with links to pages and files relative to the site root.
    pub html: Arc<str>,
    /// Where in `html` the way back to the site root and the print page's
    /// id prefix go ([`marks`]), in order.
    pub marks: Arc<[Mark]>,
    /// The text of the first `#` heading, the title when front matter has none.
    pub h1: Option<String>,
    pub toc: Vec<Heading>,
    /// Every id a link may point at on this page.
    pub anchors: HashSet<String>,
    pub links: Vec<PageLink>,
    pub diagnostics: Vec<Diagnostic>,
    pub features: Features,
    /// Ids of decision trees on the page, for checks and search.
    pub trees: Vec<String>,
    /// Content paths of the pages and files this page links to.
    pub targets: Vec<String>,
    /// The budget for "did you mean" help on this page's problems.
    pub suggestions: crate::diagnostics::Suggestions,
    /// The page's searchable text, by field, recorded as it rendered.
    pub search: SearchText,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// `text` with each NUL (U+0000) replaced by U+FFFD, as CommonMark asks
/// for security (pulldown-cmark passes a NUL on as it is). A page's text
/// goes through this once, as it is read ([`crate::content::read_page`]):
/// before its front matter, body and blocks are parsed, and before any
/// span is taken in it, so spans stay right, and lines and columns (which
/// count characters) stay those of the file. A NUL written as a YAML
/// escape (`"\0"`) exists only after parsing; escaping replaces it where
/// it is written ([`crate::html::escape`], [`Html::into_template_value`]).
/// Borrowed when there is no NUL.
pub fn replace_nul(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Renders one page's markdown body; `strings` are the theme's strings
/// for the page's language.
pub fn render(page: &Page, linker: &Linker<'_>, theme: &Theme, strings: &Strings) -> Rendered {
    let markdown = page.markdown();
    let base = page.body.start;
    let ctx = BlockContext::new(page, theme, strings, linker);
    let mut out = Rendered::default();
    let mut ids = IdSet::default();
    let mut events: Vec<Piece<'_>> = Vec::new();

    let mut heading: Option<HeadingState<'_>> = None;
    let mut code: Option<CodeState> = None;
    // Open block quotes: for an alert, the markup that closes it.
    let mut alerts: Vec<Option<Html>> = Vec::new();
    let mut image: Option<ImageState> = None;
    let mut footnotes = Footnotes::default();
    let mut recorder = Recorder::default();
    // Open list items; a task item remembers where its checkbox is and
    // gathers its text, which becomes the checkbox's label and key.
    let mut items: Vec<Option<(usize, String)>> = Vec::new();

    let parser = Parser::new_ext(markdown, options()).into_offset_iter();
    for (event, range) in parser {
        let span = base + range.start..base + range.end;
        if let Some(state) = code.as_mut() {
            match event {
                Event::Text(text) => {
                    state.pieces.push((state.text.len(), span.start));
                    state.text.push_str(&text);
                }
                Event::End(TagEnd::CodeBlock) => {
                    let state = code.take().unwrap_or_default();
                    out.search.boundary(Field::Body);
                    events.push(Piece::Html(render_code(state, &ctx, &mut ids, &mut out)));
                }
                _ => {}
            }
            continue;
        }
        let field = if heading.is_some() {
            Field::Heading
        } else {
            Field::Body
        };
        recorder.record(&event, field, &mut out.search);
        // An image's inner events are its alt text.
        if let Some(state) = image.as_mut() {
            match &event {
                Event::Text(t) | Event::Code(t) => gather_text(t, &mut items, heading.as_mut()),
                Event::FootnoteReference(name) => {
                    let id = footnote_id(name);
                    let _ = write!(state.alt, "[{}]", footnotes.number(&id));
                    out.anchors.insert(id);
                }
                _ => {}
            }
            if state.step(&event) {
                let state = image.take().unwrap_or_default();
                if state.alt_chars == 0 {
                    out.diagnostics.push(
                        Diagnostic::warning("image::alt", "image has no alt text")
                            .at(&page.source, span.clone())
                            .with_help(
                                "describe the image between the brackets: ![what it shows](path)",
                            ),
                    );
                }
                push_piece(Piece::Html(state.finish()), &mut heading, &mut events);
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading = Some(HeadingState {
                    level,
                    id: id.map(|i| i.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    attrs: attrs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.as_ref().map(|v| v.to_string())))
                        .collect(),
                    text: String::new(),
                    inner: Vec::new(),
                    span,
                });
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(state) = heading.take() {
                    finish_heading(state, &ctx, &mut ids, &mut events, &mut out);
                }
                continue;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some(CodeState {
                    info,
                    span,
                    ..CodeState::default()
                });
                continue;
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (open, close) = alert(kind, &ctx, &mut out);
                alerts.push(Some(close));
                events.push(Piece::Html(open));
                continue;
            }
            Event::Start(Tag::BlockQuote(None)) => {
                alerts.push(None);
                Event::Start(Tag::BlockQuote(None))
            }
            Event::End(TagEnd::BlockQuote(kind)) => match alerts.pop() {
                Some(Some(close)) => {
                    events.push(Piece::Html(close));
                    continue;
                }
                _ => Event::End(TagEnd::BlockQuote(kind)),
            },
            // Links, images and footnotes are written here rather than by
            // pulldown-cmark, so their URLs and ids are marked.
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                let open = link_open(link_type, &dest_url, &title, |dest| {
                    linker.rewrite(page, dest, span.clone(), &mut out)
                });
                push_piece(Piece::Html(open), &mut heading, &mut events);
                continue;
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let href = linker.rewrite(page, &dest_url, span.clone(), &mut out);
                image = Some(ImageState::open(&href, &title));
                continue;
            }
            Event::Start(Tag::Item) => {
                items.push(None);
                Event::Start(Tag::Item)
            }
            Event::End(TagEnd::Item) => {
                if let Some(Some((index, text))) = items.pop() {
                    let checked =
                        matches!(&events[index], Piece::Event(Event::TaskListMarker(true)));
                    events[index] = Piece::Event(Event::Html(task_checkbox(&text, checked).into()));
                }
                Event::End(TagEnd::Item)
            }
            Event::TaskListMarker(checked) => {
                out.features.tasks = true;
                if let Some(slot) = items.last_mut() {
                    *slot = Some((events.len(), String::new()));
                }
                Event::TaskListMarker(checked)
            }
            Event::Start(Tag::Table(alignments)) => {
                // A wide table scrolls in its own focusable region.
                events.push(Piece::Event(Event::Html(
                    format!(
                        "<div class=\"pb-table\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">",
                        escape(strings.get("content.table"))
                    )
                    .into(),
                )));
                Event::Start(Tag::Table(alignments))
            }
            Event::End(TagEnd::Table) => {
                events.push(Piece::Event(Event::End(TagEnd::Table)));
                Event::Html("</div>\n".into())
            }
            // A footnote's id is `fn:` and its label: headings' ids never
            // hold a colon, so `[^1]` and `# 1` cannot share an id.
            Event::FootnoteReference(name) => {
                let id = footnote_id(&name);
                let mut html = Html::new();
                html.push_str("<sup class=\"footnote-reference\"><a href=\"#");
                html.mark_id();
                html.attr(&id);
                let _ = write!(html, "\">{}</a></sup>", footnotes.number(&id));
                out.anchors.insert(id);
                push_piece(Piece::Html(html), &mut heading, &mut events);
                continue;
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                let id = footnote_id(&name);
                let mut html = Html::new();
                html.push_str("<div class=\"footnote-definition\" id=\"");
                html.mark_id();
                html.attr(&id);
                let _ = write!(
                    html,
                    "\"><sup class=\"footnote-definition-label\">{}</sup>",
                    footnotes.number(&id)
                );
                push_piece(Piece::Block(html), &mut heading, &mut events);
                continue;
            }
            other => other,
        };
        if let Event::Text(t) | Event::Code(t) = &event {
            gather_text(t, &mut items, heading.as_mut());
        }
        push_piece(Piece::Event(event), &mut heading, &mut events);
    }
    let (html, marks) = write_html(events, markdown.len() * 3 / 2).into_parts();
    out.html = html.into();
    out.marks = marks.into();
    out
}

/// What the renderer hands to the HTML writer: pulldown-cmark's events,
/// and markup written here with its marks.
enum Piece<'a> {
    Event(Event<'a>),
    Html(Html),
    /// Markup that opens a block, so starts on a line of its own.
    Block(Html),
}

/// Adds a piece to the open heading, else to the page.
fn push_piece<'a>(
    piece: Piece<'a>,
    heading: &mut Option<HeadingState<'a>>,
    events: &mut Vec<Piece<'a>>,
) {
    match heading.as_mut() {
        Some(state) => state.inner.push(piece),
        None => events.push(piece),
    }
}

/// Text of the page also makes up the open task item's label and the open
/// heading's text.
fn gather_text(
    text: &str,
    items: &mut [Option<(usize, String)>],
    heading: Option<&mut HeadingState<'_>>,
) {
    if let Some((_, label)) = items.iter_mut().rev().find_map(Option::as_mut) {
        label.push_str(text);
    }
    if let Some(state) = heading {
        state.text.push_str(text);
    }
}

/// Writes the pieces as HTML through pulldown-cmark, keeping the marks of
/// the markup written here: the writer counts what it has written, so each
/// piece's marks move by where the piece lands.
fn write_html<'a>(pieces: impl IntoIterator<Item = Piece<'a>>, capacity: usize) -> Html {
    /// A string that says how long it is and whether it ends a line, as
    /// pulldown-cmark's writer tracks it.
    struct Counting<'s> {
        html: &'s mut String,
        len: &'s Cell<usize>,
        newline: &'s Cell<bool>,
    }
    impl std::fmt::Write for Counting<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.html.push_str(s);
            self.len.set(self.html.len());
            if !s.is_empty() {
                self.newline.set(s.ends_with('\n'));
            }
            Ok(())
        }
    }
    let len = Cell::new(0);
    let newline = Cell::new(true);
    let mut html = String::with_capacity(capacity);
    let mut marks: Vec<Mark> = Vec::new();
    let events = pieces.into_iter().map(|piece| {
        let (markup, block) = match piece {
            Piece::Event(event) => return event,
            Piece::Html(markup) => (markup, false),
            Piece::Block(markup) => (markup, true),
        };
        // pulldown-cmark writes each event whole before it takes the
        // next, so the length so far is where this piece starts.
        let mut at = len.get();
        let (mut text, piece_marks) = markup.into_parts();
        if block && !newline.get() {
            text.insert(0, '\n');
            at += 1;
        }
        marks.extend(piece_marks.into_iter().map(|m| Mark {
            at: at + m.at,
            kind: m.kind,
        }));
        Event::Html(text.into())
    });
    let writer = Counting {
        html: &mut html,
        len: &len,
        newline: &newline,
    };
    let _ = pulldown_cmark::html::write_html_fmt(writer, events);
    Html::from_parts(html, marks)
}

/// The opening tag of a link to `dest`, which `rewrite` resolves unless it
/// is an e-mail address (`<name@example.org>`).
fn link_open(
    link_type: LinkType,
    dest: &str,
    title: &str,
    rewrite: impl FnOnce(&str) -> Href,
) -> Html {
    let mut html = Html::new();
    html.push_str("<a href=\"");
    if link_type == LinkType::Email {
        html.push_str("mailto:");
        html.url(dest);
    } else {
        rewrite(dest).write(&mut html);
    }
    if !title.is_empty() {
        html.push_str("\" title=\"");
        html.attr(title);
    }
    html.push_str("\">");
    html
}

/// An image being read: its tag so far and its alt text.
#[derive(Default)]
struct ImageState {
    /// `<img src="…`.
    open: Html,
    title: String,
    alt: Html,
    /// Letters of alt text, for the warning when there are none.
    alt_chars: usize,
    /// Images inside the alt text, whose own ends are not this one's.
    nest: usize,
}

impl ImageState {
    fn open(href: &Href, title: &str) -> ImageState {
        let mut open = Html::new();
        open.push_str("<img src=\"");
        href.write(&mut open);
        ImageState {
            open,
            title: title.to_string(),
            ..ImageState::default()
        }
    }

    /// Takes one event inside the image into its alt text, as
    /// pulldown-cmark writes alt text; `true` when the event ends the image.
    fn step(&mut self, event: &Event<'_>) -> bool {
        match event {
            Event::Start(Tag::Image { .. }) => self.nest += 1,
            Event::End(TagEnd::Image) if self.nest > 0 => self.nest -= 1,
            Event::End(TagEnd::Image) => return true,
            Event::Text(t) | Event::Code(t) => {
                self.alt_chars += t.trim().len();
                self.alt.attr(t);
            }
            Event::InlineHtml(t) => self.alt.attr(t),
            Event::SoftBreak | Event::HardBreak | Event::Rule => self.alt.push_str(" "),
            _ => {}
        }
        false
    }

    /// The whole `<img>` tag, as pulldown-cmark writes one.
    fn finish(self) -> Html {
        let mut html = self.open;
        html.push_str("\" alt=\"");
        html.append(self.alt);
        if !self.title.is_empty() {
            html.push_str("\" title=\"");
            html.attr(&self.title);
        }
        html.push_str("\" />");
        html
    }
}

/// Footnote numbers in order of first mention, as pulldown-cmark counts.
#[derive(Default)]
struct Footnotes {
    numbers: HashMap<String, usize>,
}

impl Footnotes {
    fn number(&mut self, id: &str) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(id.to_string()).or_insert(next)
    }
}

/// The id of the footnote labelled `label`.
fn footnote_id(label: &str) -> String {
    format!("fn:{label}")
}

struct HeadingState<'a> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<(String, Option<String>)>,
    text: String,
    inner: Vec<Piece<'a>>,
    span: Range<usize>,
}

#[derive(Default)]
struct CodeState {
    info: String,
    text: String,
    /// (offset in `text`, offset in the file) for each text piece, so block
    /// errors map back to file positions even inside lists.
    pieces: Vec<(usize, usize)>,
    span: Range<usize>,
}

fn finish_heading<'a>(
    state: HeadingState<'a>,
    ctx: &BlockContext<'_>,
    ids: &mut IdSet,
    events: &mut Vec<Piece<'a>>,
    out: &mut Rendered,
) {
    let page = ctx.page;
    let level = state.level as u8;
    let text = state.text.trim().to_string();
    let id = match &state.id {
        Some(id) => {
            if !ids.reserve(id) {
                out.diagnostics.push(
                    Diagnostic::error(
                        "heading::duplicate-id",
                        format!("the id `{id}` is used twice on this page"),
                    )
                    .at(&page.source, state.span.clone())
                    .with_help("give each heading a different `{#id}`"),
                );
            }
            id.clone()
        }
        None => ids.unique(&slugify(&text)),
    };
    if level == 1 && out.h1.is_none() {
        out.h1 = Some(text.clone());
    }
    if (2..=3).contains(&level) {
        out.toc.push(Heading {
            level,
            id: id.clone(),
            text: text.clone(),
        });
    }
    out.anchors.insert(id.clone());
    let mut open = Html::new();
    let _ = write!(open, "<h{level} id=\"");
    open.id(&id);
    open.push_str("\"");
    if !state.classes.is_empty() {
        open.push_str(&format!(" class=\"{}\"", escape(&state.classes.join(" "))));
    }
    for (key, value) in &state.attrs {
        if let Some(help) = attribute_problem(key) {
            out.diagnostics.push(
                Diagnostic::warning(
                    "heading::attribute",
                    format!("the heading attribute `{key}` is left out"),
                )
                .at(&page.source, state.span.clone())
                .with_help(help),
            );
            continue;
        }
        match value {
            Some(v) => open.push_str(&format!(" {}=\"{}\"", escape(key), escape(v))),
            None => open.push_str(&format!(" {}", escape(key))),
        }
    }
    open.push_str(">");
    events.push(Piece::Html(open));
    events.extend(state.inner);
    let view = HeadingView {
        level,
        id: &id,
        text: &text,
        label: ctx.strings.format("heading.anchor", &[("title", &text)]),
    };
    let mut close = ctx
        .render_template(markup::HEADING_ANCHOR, "heading", view, out)
        .unwrap_or_default();
    let _ = writeln!(close, "</h{level}>");
    events.push(Piece::Html(close));
}

/// Why a heading attribute (`## Title {key=value}`) may not be written
/// out, as help for the author; `None` when it may. Its name must be plain
/// (ASCII letters, digits, `-` and `_`, starting with a letter: anything
/// else could close the name early) and no event handler (`on…`, which
/// runs script). The id and classes have their own syntax, and attributes
/// naming other ids would not follow them onto the print page, where ids
/// get a prefix.
fn attribute_problem(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let lower = name.to_ascii_lowercase();
    if !plain || lower.starts_with("on") {
        Some(
            "heading attributes may not be event handlers (`on…`); their names are letters, digits, `-` and `_`",
        )
    } else if lower == "id" || lower == "class" {
        Some("set a heading's id with `{#my-id}` and its classes with `{.my-class}`")
    } else if ID_REFERENCES.contains(&lower.as_str()) {
        Some("a heading attribute may not name other ids (`for`, `aria-labelledby`, …)")
    } else {
        None
    }
}

/// Attributes whose value names ids of the page.
const ID_REFERENCES: [&str; 10] = [
    "for",
    "headers",
    "aria-activedescendant",
    "aria-controls",
    "aria-describedby",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
    "aria-labelledby",
    "aria-owns",
];

fn render_code(
    state: CodeState,
    ctx: &BlockContext<'_>,
    ids: &mut IdSet,
    out: &mut Rendered,
) -> Html {
    let lang = state.info.split_whitespace().next().unwrap_or("");
    let fence = Fence {
        info: &state.info,
        body: &state.text,
        pieces: &state.pieces,
        span: state.span.clone(),
    };
    match lang {
        blocks::tree::FENCE => blocks::tree::render(&fence, ctx, ids, out),
        blocks::clause::FENCE => blocks::clause::render(&fence, ctx, ids, out),
        _ => {
            out.features.code = true;
            out.search.push_run(Field::Body, &state.text);
            Html::from(highlight::highlight(&state.text, lang))
        }
    }
}

/// Records the searchable text of a stream of events.
#[derive(Default)]
struct Recorder {
    /// Open images: text inside one is its alt text, an attribute on the
    /// page, not text a reader searches.
    images: usize,
}

impl Recorder {
    /// Records an event's text: text as it is, raw HTML without its tags;
    /// any other event ends a word, as its tag would.
    fn record(&mut self, event: &Event<'_>, field: Field, search: &mut SearchText) {
        match event {
            Event::Start(Tag::Image { .. }) => self.images += 1,
            Event::End(TagEnd::Image) => self.images = self.images.saturating_sub(1),
            _ if self.images > 0 => return,
            _ => {}
        }
        record(event, field, search);
    }
}

fn record(event: &Event<'_>, field: Field, search: &mut SearchText) {
    match event {
        Event::Text(text) => search.push(field, text),
        // Written inside tags of their own, which end words.
        Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
            search.push_run(field, text)
        }
        Event::Html(html) | Event::InlineHtml(html) => search.push_html(field, html),
        _ => search.boundary(field),
    }
}

/// A task-list checkbox, labelled by its item's text and keyed by a slug of
/// it so ticks survive reordering.
fn task_checkbox(text: &str, checked: bool) -> String {
    let label: String = text.trim().chars().take(160).collect();
    let key: String = slugify(&label).chars().take(60).collect();
    format!(
        "<input type=\"checkbox\" class=\"pb-task\" data-item=\"{}\" aria-label=\"{}\"{}> ",
        escape(&key),
        escape(&label),
        if checked { " checked" } else { "" }
    )
}

/// The markup before and after an alert's content, from the theme's
/// `blocks/alert.html`, which prints the content once: its output is cut
/// where the content goes.
fn alert(kind: BlockQuoteKind, ctx: &BlockContext<'_>, out: &mut Rendered) -> (Html, Html) {
    let (class, key) = match kind {
        BlockQuoteKind::Note => ("note", "alert.note"),
        BlockQuoteKind::Tip => ("tip", "alert.tip"),
        BlockQuoteKind::Important => ("important", "alert.important"),
        BlockQuoteKind::Warning => ("warning", "alert.warning"),
        BlockQuoteKind::Caution => ("caution", "alert.caution"),
    };
    let view = AlertView {
        kind: class,
        title: ctx.strings.get(key).to_string(),
        content: minijinja::Value::from_safe_string(markup::CONTENT_MARK.to_string()),
    };
    let Some(html) = ctx.render_template_text(markup::ALERT, "alert", view, out) else {
        return (Html::new(), Html::new());
    };
    let mut parts = html.split(markup::CONTENT_MARK);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(open), Some(close), None) => (
            Html::from_template_output(open),
            markup::end_line(Html::from_template_output(close)),
        ),
        _ => {
            ctx.report_once(
                markup::ALERT,
                Diagnostic::error(
                    "theme::alert-content",
                    "the template `blocks/alert.html` must print `{{ alert.content }}` exactly once",
                )
                .with_help("print `{{ alert.content }}` once where the alert's text goes"),
                out,
            );
            (Html::new(), Html::new())
        }
    }
}

/// How much markdown a block's text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fragment {
    /// Paragraphs, lists and the rest: a tree's `help:` or `text:`.
    Blocks,
    /// One line of inline markup, without its paragraph: a checklist item.
    Inline,
}

/// Markdown written inside a block. Its links and images are rewritten
/// and checked like the page's own, located at the block, and its text is
/// recorded as searchable body text. Footnotes belong to a page, so `[^1]`
/// in a block is text.
pub fn render_fragment(
    text: &str,
    kind: Fragment,
    ctx: &BlockContext<'_>,
    span: Range<usize>,
    out: &mut Rendered,
) -> Html {
    let options = match kind {
        Fragment::Blocks => options() - Options::ENABLE_FOOTNOTES,
        Fragment::Inline => Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION,
    };
    out.search.boundary(Field::Body);
    let mut recorder = Recorder::default();
    let mut image: Option<ImageState> = None;
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    for event in Parser::new_ext(text, options) {
        recorder.record(&event, Field::Body, &mut out.search);
        // An image's inner events are its alt text.
        if let Some(state) = image.as_mut() {
            if state.step(&event) {
                let state = image.take().unwrap_or_default();
                pieces.push(Piece::Html(state.finish()));
            }
            continue;
        }
        pieces.push(match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)
                if kind == Fragment::Inline =>
            {
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => Piece::Html(link_open(link_type, &dest_url, &title, |dest| {
                ctx.linker.rewrite(ctx.page, dest, span.clone(), out)
            })),
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let href = ctx.linker.rewrite(ctx.page, &dest_url, span.clone(), out);
                image = Some(ImageState::open(&href, &title));
                continue;
            }
            other => Piece::Event(other),
        });
    }
    out.search.boundary(Field::Body);
    let mut html = write_html(pieces, text.len() * 3 / 2);
    if kind == Fragment::Inline {
        html.trim_end();
    }
    html
}

#[cfg(test)]
mod tests {
    use crate::search::Field;
    use crate::site::{BuildOptions, Site};

    const PAGE: &str = r#"# Terms &amp; *notes*

Pay ![a photo](x.png) now<b>ly</b>, said `code`[^n].

[^n]: Foot text.

> [!TIP]
> Tip text.

```rust
fn main() {}
```

```clause title="Refund clause"
If [[Client]] asks.
```

```decision-tree
title: Keep them?
nodes:
  q:
    question: Profitable?
    help: Count *hours*.
    answers:
      - label: "Yes"
        next: keep
      - label: "No"
        next: end
  keep:
    outcome: Keep
    text: Carry on.
  end:
    outcome: End it
    checklist:
      - Call `them`
```
"#;

    #[test]
    fn searchable_text_is_recorded_by_field_without_markup_or_theme_labels() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("book.yaml"), "title: T\n").expect("book.yaml");
        std::fs::create_dir(dir.path().join("content")).expect("content/");
        std::fs::write(dir.path().join("content/index.md"), PAGE).expect("the page");
        std::fs::write(dir.path().join("content/x.png"), "").expect("the image");
        let Ok(site) = Site::load(dir.path(), &BuildOptions::default()) else {
            panic!("the page renders");
        };
        let search = &site.entry(crate::content::PageId::new(0)).rendered.search;
        assert_eq!(
            search.text(Field::Heading),
            "Terms & \nnotes\nKeep them?\nProfitable?\nKeep\nEnd it\n"
        );
        assert_eq!(
            search.text(Field::Body),
            "Pay \n now\nly\n, said \ncode\n.\nFoot text.\nTip text.\n\
             fn main() {}\nRefund clause\nIf \nClient\n asks.\n\
             Count \nhours\n.\nYes\nNo\nCarry on.\nCall \nthem\n"
        );
        assert_eq!(search.text(Field::Title), "");
    }
}
