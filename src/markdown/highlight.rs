//! Build-time syntax highlighting with syntect, as CSS classes.
//!
//! The syntax set is loaded once per process from syntect's binary dump.
//! Colours live in one stylesheet with a light and a dark palette, each
//! nudged until every token meets WCAG AA contrast on its background.

use std::sync::OnceLock;

use syntect::highlighting::{Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::html::escape;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Highlights `code` as `lang`. Unknown languages come back as plain,
/// escaped text: an unfamiliar fence is never an error.
pub fn highlight(code: &str, lang: &str) -> String {
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape(lang))
    };
    let body = (!lang.is_empty())
        .then(|| syntaxes().find_syntax_by_token(lang))
        .flatten()
        .and_then(|syntax| {
            let mut generator =
                ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
            for line in LinesWithEndings::from(code) {
                generator
                    .parse_html_for_line_which_includes_newline(line)
                    .ok()?;
            }
            Some(generator.finalize())
        })
        .unwrap_or_else(|| escape(code));
    format!("<pre class=\"pb-code\"{lang_attr} tabindex=\"0\"><code>{body}</code></pre>\n")
}

/// The stylesheet for highlighted code: light by default, dark when the
/// reader's system or the theme toggle asks for it.
pub fn stylesheet() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(build_stylesheet)
}

fn build_stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = theme_css(&themes.themes["InspiredGitHub"], "#ffffff");
    let dark = theme_css(&themes.themes["base16-ocean.dark"], "#1b1f27");
    let mut out = String::from("/* Syntax colours, generated at build time. */\n");
    out.push_str(&light);
    out.push_str(&scope(&dark, ":root[data-theme=\"dark\"]"));
    out.push_str("@media (prefers-color-scheme: dark) {\n");
    out.push_str(&scope(&dark, ":root:not([data-theme=\"light\"])"));
    out.push_str("}\n");
    out
}

/// The theme's CSS with its background replaced by `background` and each
/// foreground colour adjusted to at least 4.5:1 against it.
fn theme_css(theme: &Theme, background: &str) -> String {
    let css = css_for_theme_with_class_style(theme, CLASS_STYLE).unwrap_or_default();
    let bg = parse_hex(background).unwrap_or((255, 255, 255));
    let mut out = String::with_capacity(css.len());
    for line in css.lines() {
        let trimmed = line.trim_start();
        if let Some(value) = trimmed.strip_prefix("background-color:") {
            // Code blocks take their background from the theme's stylesheet.
            let _ = value;
            continue;
        }
        if let Some(value) = trimmed.strip_prefix("color:") {
            let hex = value.trim().trim_end_matches(';').trim();
            if let Some(rgb) = parse_hex(hex) {
                let fixed = ensure_contrast(rgb, bg, 4.6);
                out.push_str(&format!(
                    " color: #{:02x}{:02x}{:02x};\n",
                    fixed.0, fixed.1, fixed.2
                ));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Prefixes every selector of `css` with `prefix`.
fn scope(css: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for line in css.lines() {
        match line.split_once('{') {
            Some((selectors, rest)) if !selectors.trim_start().starts_with("/*") => {
                let scoped: Vec<String> = selectors
                    .split(',')
                    .map(|s| format!("{prefix} {}", s.trim()))
                    .collect();
                out.push_str(&scoped.join(", "));
                out.push_str(" {");
                out.push_str(rest);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

fn parse_hex(hex: &str) -> Option<(u8, u8, u8)> {
    let hex = hex.strip_prefix('#')?;
    let hex = if hex.len() == 8 { &hex[..6] } else { hex };
    if hex.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(hex, 16).ok()?;
    Some(((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Moves `fg` towards black or white, whichever is further from `bg`,
/// until the contrast reaches `target`.
fn ensure_contrast(fg: (u8, u8, u8), bg: (u8, u8, u8), target: f64) -> (u8, u8, u8) {
    let toward: f64 = if luminance(bg) > 0.5 { 0.0 } else { 255.0 };
    let mut color = fg;
    for step in 1..=20 {
        if contrast(color, bg) >= target {
            break;
        }
        let t = f64::from(step) / 20.0;
        let mix = |c: u8| (f64::from(c) + (toward - f64::from(c)) * t).round() as u8;
        color = (mix(fg.0), mix(fg.1), mix(fg.2));
    }
    color
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_unknown_ones_plain_text() {
        let html = highlight("fn main() {}\n", "rust");
        assert!(html.contains("class=\"hl-"), "{html}");
        let plain = highlight("<b>\n", "no-such-language");
        assert!(plain.contains("&lt;b&gt;"), "{plain}");
        assert!(!plain.contains("hl-"), "{plain}");
    }

    #[test]
    fn every_palette_colour_meets_aa_contrast() {
        let css = stylesheet();
        for (palette, bg) in [(&css[..css.find(":root").unwrap()], (255, 255, 255))] {
            for value in palette.split("color: #").skip(1) {
                let rgb = parse_hex(&format!("#{}", &value[..6])).unwrap();
                assert!(contrast(rgb, bg) >= 4.5, "#{} fails", &value[..6]);
            }
        }
    }
}
