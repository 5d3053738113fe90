//! Text helpers for markup and links: HTML escaping for text that comes
//! from YAML, front matter or code, and percent-decoding of link paths.

/// Escapes text for HTML element content and quoted attribute values. A
/// NUL becomes U+FFFD, as an HTML parser would make it; so no escaped text
/// holds one (see [`crate::markdown::marks`], which relies on that).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            _ => out.push(c),
        }
    }
    out
}

/// Makes JSON (or a JavaScript literal made by a JSON writer) safe inside
/// a `<script>` element: `<`, `>` and `&` become `\u003c`, `\u003e` and
/// `\u0026`, which mean the same in a JSON or JavaScript string, so no
/// text can close the element (`</script>`) or open a comment (`<!--`)
/// that swallows the script tags after it.
pub fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            _ => out.push(c),
        }
    }
    out
}

/// Decodes `%XX` escapes in a URL path; invalid escapes stay as written.
/// Invalid UTF-8 becomes U+FFFD rather than the undecoded text, so no
/// check downstream sees `%2e%2e` where the server would see `..`.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_escapes_are_decoded() {
        use super::percent_decode;
        assert_eq!(percent_decode("mit%C3%A4-sanoa"), "mitä-sanoa");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%äx"), "%äx");
        assert_eq!(percent_decode("/%2e%2e/etc"), "/../etc");
        assert_eq!(percent_decode("/%ff/..%2fetc"), "/\u{fffd}/../etc");
        assert_eq!(percent_decode("a%41"), "aA", "an escape at the very end");
        assert_eq!(percent_decode("%2"), "%2");
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
