//! String scanning with no Markdown state, for the markdown stage: what kind of link
//! destination a URL is, where it sits in the source, percent-decoding, raw-HTML tag
//! counting, the raw-HTML safety check and escaping.

use std::ops::Range;

/// Where the problem with a link's destination should point: the destination itself when
/// it is written inside the link (inline links, autolinks), else the whole link (reference
/// links, whose destination sits in a definition elsewhere).
pub(super) fn dest_span(body: &str, link: Range<usize>, dest: &str) -> Range<usize> {
    let source = &body[link.clone()];
    if !dest.is_empty() {
        for (at, _) in source.match_indices(dest) {
            let before = source[..at].trim_end();
            if before.ends_with('(') || before.ends_with('<') {
                return link.start + at..link.start + at + dest.len();
            }
        }
    }
    link
}

/// The scheme of a URL that could run script in the reader's browser, lower-cased.
/// Browsers ignore leading control characters and tabs or newlines anywhere in a URL, so
/// `java&#9;script:` is javascript too.
pub(super) fn unsafe_scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme = scheme(&cleaned)?.to_ascii_lowercase();
    let rest = &cleaned[scheme.len() + 1..];
    let unsafe_ = match scheme.as_str() {
        "javascript" | "vbscript" => true,
        "data" => !starts_with_ignore_case(rest.trim_start(), "image/"),
        _ => false,
    };
    unsafe_.then_some(scheme)
}

/// RFC 3986 scheme: a letter, then letters, digits, `+`, `-`, `.`, up to the first `:`.
fn scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

pub(super) fn is_relative(url: &str) -> bool {
    !url.is_empty() && scheme(url).is_none() && !url.starts_with(['/', '#'])
}

/// Splits before the first of `chars`: ("a.md", "#x") for "a.md#x".
pub(super) fn split_at_any<'s>(text: &'s str, chars: &str) -> (&'s str, &'s str) {
    text.split_at(text.find(|c| chars.contains(c)).unwrap_or(text.len()))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

pub(super) fn strip_prefix_ignore_case<'s>(text: &'s str, prefix: &str) -> Option<&'s str> {
    starts_with_ignore_case(text, prefix).then(|| &text[prefix.len()..])
}

pub(super) fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// `%20` → space. Malformed escapes and escapes that don't form UTF-8 stay as written, so
/// the "missing page" message shows what the writer typed.
pub(super) fn percent_decode(text: &str) -> String {
    match percent_encoding::percent_decode_str(text).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => text.to_owned(),
    }
}

/// How many text-preserving raw elements are open after the raw HTML `html`. A counter,
/// not a parser: it only has to keep IDs in `<code>EX1</code>` or `<a>EX1</a>` unlinked.
/// Comments are skipped so a commented-out `<a>` doesn't stop auto-linking for good.
pub(super) fn raw_depth_after(mut depth: usize, html: &str) -> usize {
    const KEEP_TEXT: [&str; 8] = [
        "a", "code", "pre", "kbd", "samp", "script", "style", "textarea",
    ];
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let (closing, tag) = match rest.strip_prefix('/') {
            Some(tag) => (true, tag),
            None => (false, rest),
        };
        let name_len = tag.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if KEEP_TEXT
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&tag[..name_len]))
        {
            depth = if closing {
                depth.saturating_sub(1)
            } else {
                depth + 1
            };
        }
    }
    depth
}

/// What raw HTML may not contain: a `<script>` element, an `on…=` event handler, or
/// an attribute whose value (entities decoded) is a script-capable URL — the same rule
/// as for Markdown links. Each as (byte range in `html`, message).
pub(super) fn raw_html_problems(html: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|p| p + i) {
        i = at + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        let name_len = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b':')
            .count();
        if name_len == 0 || !bytes[i].is_ascii_alphabetic() {
            continue;
        }
        let name = &html[i..i + name_len];
        if name.eq_ignore_ascii_case("script") {
            out.push((
                at..i + name_len,
                "raw HTML `<script>` is not allowed".to_owned(),
            ));
        }
        i = tag_attributes(html, i + name_len, &mut out);
    }
    out
}

/// Attributes that hold a URL; there a `data:` URL other than an image counts too.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
    "srcset",
    "lowsrc",
    "dynsrc",
    "ping",
];

/// Reads the attributes of a tag from `i` (just after its name) to its `>`, reporting
/// handlers and unsafe URLs; returns the index after the tag.
fn tag_attributes(html: &str, mut i: usize, out: &mut Vec<(Range<usize>, String)>) -> usize {
    let bytes = html.as_bytes();
    let skip_space = |mut i: usize| {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        i
    };
    loop {
        i = skip_space(i);
        if i >= bytes.len() || bytes[i] == b'>' || bytes[i] == b'<' {
            return i;
        }
        let start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = &html[start..i];
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = None;
        if j < bytes.len() && bytes[j] == b'=' {
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (from, to, next) = match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[j + 1..]
                        .find(q as char)
                        .map_or(html.len(), |e| j + 1 + e);
                    (j + 1, end, (end + 1).min(html.len()))
                }
                _ => {
                    let end = html[j..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |e| j + e);
                    (j, end, end)
                }
            };
            value = Some(&html[from..to]);
            i = next;
        }
        let lower = name.to_ascii_lowercase();
        if lower.len() > 2 && lower.starts_with("on") {
            out.push((
                start..start + name.len(),
                format!("event handler `{name}=` in raw HTML is not allowed"),
            ));
        }
        if let Some(scheme) = value.and_then(|v| unsafe_scheme(&decode_entities(v)))
            && (scheme != "data" || URL_ATTRIBUTES.contains(&lower.as_str()))
        {
            out.push((
                start..i,
                format!("unsafe URL scheme `{scheme}:` in raw HTML attribute `{name}`"),
            ));
        }
    }
}

/// HTML character references as a browser reads them in an attribute: numeric ones
/// (with or without `;`) and the named ones that can spell a scheme.
fn decode_entities(text: &str) -> String {
    const NAMED: &[(&str, char)] = &[
        ("colon;", ':'),
        ("tab;", '\t'),
        ("newline;", '\n'),
        ("amp;", '&'),
        ("lpar;", '('),
        ("rpar;", ')'),
        ("quot;", '"'),
        ("apos;", '\''),
        ("lt;", '<'),
        ("gt;", '>'),
        ("nbsp;", '\u{a0}'),
        ("sol;", '/'),
        ("period;", '.'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(num) = rest.strip_prefix('#') {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let len = digits
                .bytes()
                .take_while(|b| {
                    if hex {
                        b.is_ascii_hexdigit()
                    } else {
                        b.is_ascii_digit()
                    }
                })
                .count();
            let code = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 }).ok();
            if let Some(c) = code.and_then(char::from_u32).filter(|_| len > 0) {
                out.push(c);
                let after = &digits[len..];
                rest = after.strip_prefix(';').unwrap_or(after);
                continue;
            }
        } else if let Some((name, c)) = NAMED.iter().find(|(n, _)| starts_with_ignore_case(rest, n))
        {
            out.push(*c);
            rest = &rest[name.len()..];
            continue;
        }
        out.push('&');
    }
    out.push_str(rest);
    out
}

pub(super) fn collapse_whitespace(text: &str) -> String {
    // One pass over bytes: this runs over every body of the site. ASCII is
    // decided per byte; only a non-ASCII character is decoded, to ask whether
    // it is Unicode whitespace (as `split_whitespace` would).
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut word, mut gap) = (0, 0, false);
    let flush = |out: &mut String, from: usize, to: usize, gap: &mut bool| {
        if from < to {
            if *gap && !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&text[from..to]);
            *gap = false;
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        let (len, space) = if b < 0x80 {
            (1, b.is_ascii_whitespace() || b == 0x0b)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.len_utf8(), c.is_whitespace())
        };
        if space {
            flush(&mut out, word, i, &mut gap);
            gap = true;
            word = i + len;
        }
        i += len;
    }
    flush(&mut out, word, bytes.len(), &mut gap);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn collapse_whitespace_equals_split_whitespace(t in "[a-zé \\t\\n\\r\u{b}\u{c}\u{a0}\u{85}\u{3000}\u{2028}x]{0,40}") {
            let slow = t.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(collapse_whitespace(&t), slow);
        }
    }

    #[test]
    fn collapse_whitespace_ascii_path_matches_split_whitespace() {
        let slow = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        for t in [
            "",
            "  ",
            " a  b\t\nc ",
            "a\u{b}b\u{c}c\rd",
            "x",
            "\n\nend\n",
            "ünï  code",
            "a\u{a0}b",
        ] {
            assert_eq!(collapse_whitespace(t), slow(t), "{t:?}");
        }
    }

    #[test]
    fn schemes() {
        assert_eq!(scheme("https://x"), Some("https"));
        assert_eq!(scheme("incident:EX1"), Some("incident"));
        assert_eq!(scheme("a/b:c"), None);
        assert_eq!(scheme("1x:y"), None);
        assert_eq!(
            unsafe_scheme(" \u{1}JaVa\tScRipt:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(unsafe_scheme("data:text/html,x").as_deref(), Some("data"));
        assert_eq!(unsafe_scheme("data:image/png;base64,AA"), None);
        assert_eq!(unsafe_scheme("https://x/javascript:y"), None);
    }

    #[test]
    fn relative_links() {
        assert!(is_relative("../a.md"));
        assert!(is_relative("a.md#x"));
        assert!(!is_relative("/a.md"));
        assert!(!is_relative("#a"));
        assert!(!is_relative("mailto:x@y"));
        assert_eq!(split_at_any("a.md?q#f", "?#"), ("a.md", "?q#f"));
        assert!(ends_with_ignore_case("A.MD", ".md"));
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(percent_decode("my%20page.md"), "my page.md");
        assert_eq!(percent_decode("Z%C3%BCrich.md"), "Zürich.md");
        assert_eq!(percent_decode("100%.md"), "100%.md");
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(percent_decode("%FF.md"), "%FF.md");
    }

    #[test]
    fn raw_html_refusals() {
        let bad = |h: &str| {
            raw_html_problems(h)
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
        };
        for h in [
            "<a href=\"javascript:alert(1)\">",
            "<a HREF='JaVaScRiPt:x'>",
            "<a href=javascript:x>",
            "<a href=\" \tjava\nscript:x\">",
            "<a href=\"&#106;avascript:x\">",
            "<a href=\"&#x6A&#x61;vascript&colon;x\">",
            "<a href=\"java&Tab;script:x\">",
            "<iframe src=\"vbscript:x\"></iframe>",
            "<a href=\"data:text/html,x\">",
            "<img\n  src=x\n  onerror=alert(1)>",
            "<div onClick=\"x()\">",
            "<SCRIPT>alert(1)</SCRIPT>",
        ] {
            assert_eq!(bad(h).len(), 1, "{h}: {:?}", bad(h));
        }
        for h in [
            "<a href=\"https://e.org/javascript:x\">",
            "<img src=\"data:image/png;base64,AA\" alt=\"x\">",
            "<abbr title=\"data: what\">x</abbr>",
            "<!-- <script> -->",
            "<details><summary>on</summary></details>",
            "<p>1 < 2 and x onclick=y</p>",
            "<span data-online=\"1\">",
        ] {
            assert!(bad(h).is_empty(), "{h}: {:?}", bad(h));
        }
        let (at, _) = &raw_html_problems("<p>ok</p><b onmouseover='x'>")[0];
        assert_eq!(*at, 12..23);
    }

    #[test]
    fn raw_depth_counts_text_keeping_elements() {
        assert_eq!(raw_depth_after(0, "<code class=x>"), 1);
        assert_eq!(raw_depth_after(1, "</CODE>"), 0);
        assert_eq!(raw_depth_after(0, "<abbr><b>"), 0);
        assert_eq!(raw_depth_after(0, "<!-- <a> --><a>"), 1);
        assert_eq!(raw_depth_after(0, "</a>"), 0);
    }
}
