//! Source text in, tidy Markdown out: HTML (Statuspage and Microsoft bodies)
//! converted with `htmd`, plain text left plain; then no `\r`, no trailing
//! spaces, no empty links, and paragraphs separated by one blank line.

use std::sync::LazyLock;

static CONVERTER: LazyLock<htmd::HtmlToMarkdown> = LazyLock::new(|| {
    htmd::HtmlToMarkdown::builder()
        .options(htmd::options::Options {
            br_style: htmd::options::BrStyle::Backslash,
            bullet_list_marker: htmd::options::BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            ..Default::default()
        })
        .skip_tags(vec!["script", "style", "head"])
        .build()
});

/// Markdown for a source body that may be HTML.
pub(crate) fn to_markdown(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let md = if looks_like_html(&text) {
        CONVERTER
            .convert(&text)
            .unwrap_or_else(|_| strip_tags(&text))
    } else {
        text
    };
    tidy(&md)
}

/// A tag (`<p>`, `</a>`, `<br />`) or an entity (`&amp;`) makes a text HTML;
/// a lone `<` in "latency < 5 ms" does not.
fn looks_like_html(text: &str) -> bool {
    let b = text.as_bytes();
    let tag = b.windows(2).enumerate().any(|(i, w)| {
        w[0] == b'<'
            && (w[1].is_ascii_alphabetic() || w[1] == b'/')
            && text[i..].find('>').is_some()
    });
    tag || ["&amp;", "&nbsp;", "&lt;", "&gt;", "&quot;", "&#"]
        .iter()
        .any(|e| text.contains(e))
}

/// The text between tags, for the rare HTML the converter refuses.
fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// No `\r`, no trailing spaces (a two-space hard break becomes `\`), no empty
/// links, at most one blank line in a row, nothing before or after.
pub(crate) fn tidy(md: &str) -> String {
    let md = md.replace("\r\n", "\n").replace('\r', "\n");
    let md = drop_empty_links(&md);
    let mut out = String::new();
    let mut blank = 0;
    let mut in_fence = false;
    for line in md.lines() {
        let fence = line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        let hard_break = !in_fence && line.ends_with("  ") && !line.trim().is_empty();
        let mut trimmed = line.trim_end();
        // A line break alone on its line (`<br><br>`) is a paragraph break.
        if !in_fence && trimmed == "\\" {
            trimmed = "";
        }
        if fence {
            in_fence = !in_fence;
        }
        if trimmed.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(trimmed);
        if hard_break {
            out.push('\\');
        }
    }
    // A hard break at the end of a paragraph or of the text is no break.
    let out = out.replace("\\\n\n", "\n\n");
    out.strip_suffix('\\').unwrap_or(&out).to_string()
}

/// `[](url)` goes; `[text]()` keeps its text.
fn drop_empty_links(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(i) = rest.find('[') {
        // An image `![…](…)` is not a link; copy it through.
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some((text, after)) = link_parts(tail) {
            let image = out.ends_with('!');
            if text.trim().is_empty() && !image {
                rest = after;
                continue;
            }
            if tail[text.len() + 1..].starts_with("]()") {
                out.push_str(text);
                rest = after;
                continue;
            }
        }
        out.push('[');
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// For `[text](dest)…`: the text and what follows the closing `)`.
fn link_parts(s: &str) -> Option<(&str, &str)> {
    let close = s.find("](")?;
    let text = &s[1..close];
    if text.contains(['[', '\n']) {
        return None;
    }
    let dest_end = s[close + 2..].find(')')? + close + 2;
    Some((text, &s[dest_end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_markdown_and_plain_text_stays() {
        let md = to_markdown(
            "<p>We are <strong>investigating</strong> <a href=\"https://x.example/a\">errors</a>.</p><p>Next update soon.</p>",
        );
        assert_eq!(
            md,
            "We are **investigating** [errors](https://x.example/a).\n\nNext update soon."
        );
        assert_eq!(to_markdown("Latency < 5 ms *now*"), "Latency < 5 ms *now*");
    }

    #[test]
    fn breaks_lists_and_carriage_returns_are_tidied() {
        let md = to_markdown(
            "Line one<br />Line two<br /><br />Para two\r\n<ul><li>a</li><li>b</li></ul>",
        );
        assert!(!md.contains('\r') && !md.contains(" \n"), "{md:?}");
        assert!(md.contains("Line one\\\nLine two"), "{md:?}");
        assert!(md.contains("Para two"), "{md:?}");
        assert!(md.contains("a\n") && md.contains("b"), "{md:?}");
        for line in md.lines() {
            assert_eq!(line, line.trim_end(), "{md:?}");
        }
    }

    #[test]
    fn empty_links_go() {
        assert_eq!(
            tidy("see [](https://x) and [here]() and ![](i.png)"),
            "see  and here and ![](i.png)"
        );
        assert_eq!(to_markdown("<p><a href=\"https://x\"></a>Done</p>"), "Done");
    }
}
