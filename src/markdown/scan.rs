//! String scanning with no Markdown state, for the markdown stage: what kind of link
//! destination a URL is, where it sits in the source, percent-decoding, raw-HTML tag
//! counting and escaping.

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
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex
            .filter(|_| bytes[i] == b'%')
            .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
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

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
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
    fn raw_depth_counts_text_keeping_elements() {
        assert_eq!(raw_depth_after(0, "<code class=x>"), 1);
        assert_eq!(raw_depth_after(1, "</CODE>"), 0);
        assert_eq!(raw_depth_after(0, "<abbr><b>"), 0);
        assert_eq!(raw_depth_after(0, "<!-- <a> --><a>"), 1);
        assert_eq!(raw_depth_after(0, "</a>"), 0);
    }
}
