//! Escaping, one function per output format: text in, the same text safe to
//! place in that format out. HTML text and attributes ([`html`], also Tera's
//! autoescape), XML such as Atom, sitemaps and SVG ([`xml`]), iCalendar TEXT
//! ([`ical_text`]), and JSON that may be inlined in HTML ([`json_in_html`]).

use std::borrow::Cow;
use std::io;

/// The HTML entity of a byte that must be escaped, if it is one.
fn html_entity(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Calls `out` with the runs of `text` and the entities between them. Runs
/// are whole slices: Tera's own escaper wrote byte by byte through a `dyn
/// Write`, about 5% of a build.
fn html_runs<E>(text: &str, mut out: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut start = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if let Some(entity) = html_entity(b) {
            // The escaped bytes are ASCII: `i` is a char boundary.
            out(&text[start..i])?;
            out(entity)?;
            start = i + 1;
        }
    }
    out(&text[start..])
}

/// `text` safe in HTML text and in quoted attributes: `& < > " '` escaped
/// (the same bytes as Tera's default escaper).
pub(crate) fn html(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| html_entity(b).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let _ = html_runs(text, |s| {
        out.push_str(s);
        Ok::<(), ()>(())
    });
    Cow::Owned(out)
}

/// [`html`] as Tera's escape function (`Tera::set_escape_fn`).
pub(crate) fn html_to(text: &str, out: &mut dyn io::Write) -> io::Result<()> {
    html_runs(text, |s| out.write_all(s.as_bytes()))
}

/// `text` safe in XML text and attributes: the five predefined entities, and
/// the control characters XML 1.0 forbids dropped.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` as an iCalendar TEXT value (RFC 5545 §3.3.11): backslash, `;`, `,` and newlines;
/// other control characters, which TEXT forbids, are dropped.
pub(crate) fn ical_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Serialized JSON made inert inside HTML `<script>` or when sniffed as HTML:
/// `<`, `>` and `&` as JSON escapes (the value is unchanged).
pub(crate) fn json_in_html(json: String) -> String {
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tera's own escaper, byte by byte: the reference [`html`] must equal.
    fn tera_reference(input: &str) -> String {
        let mut buf = Vec::new();
        for c in input.as_bytes() {
            match c {
                b'&' => buf.extend_from_slice(b"&amp;"),
                b'<' => buf.extend_from_slice(b"&lt;"),
                b'>' => buf.extend_from_slice(b"&gt;"),
                b'"' => buf.extend_from_slice(b"&quot;"),
                b'\'' => buf.extend_from_slice(b"&#39;"),
                _ => buf.push(*c),
            }
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn html_matches_teras_escaper() {
        for s in [
            "",
            "plain",
            "Users can't send <mail> & \"calendar\"",
            "&&<<>>''\"\"",
            "Zürich – ü<ß>",
            "<",
            "end&",
        ] {
            assert_eq!(html(s), tera_reference(s), "{s}");
            let mut out = Vec::new();
            html_to(s, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), tera_reference(s), "{s}");
        }
        assert!(matches!(html("no entities"), Cow::Borrowed(_)));
    }

    #[test]
    fn xml_and_json_escapes() {
        assert_eq!(xml("a<b & \u{1}c'"), "a&lt;b &amp; c&apos;");
        let text = json_in_html(r#"{"t":"<script>&</script>"}"#.to_string());
        assert_eq!(
            text,
            r#"{"t":"\u003cscript\u003e\u0026\u003c/script\u003e"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["t"], "<script>&</script>");
    }
}
