//! Text helpers for markup and links: HTML escaping for text that comes
//! from YAML, front matter or code, and percent-decoding of link paths.

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Decodes `%XX` escapes in a URL path; invalid escapes stay as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    // Invalid UTF-8 becomes U+FFFD rather than the undecoded text, so no
    // check downstream sees `%2e%2e` where the server would see `..`.
    String::from_utf8_lossy(&out).into_owned()
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
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
