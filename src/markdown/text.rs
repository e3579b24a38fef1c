//! Rendered HTML in, the text a reader sees out (for the search index).
//!
//! Deriving it from the HTML when search needs it, instead of keeping a second
//! copy of every body beside its HTML, saves about a third of a large site's
//! memory. The HTML is our own renderer's, so a small scanner suffices: tags are
//! well formed, attribute values are quoted, and `<pre>` blocks (code) are left
//! out (and footnote numbers), as they were from the text the renderer used to
//! collect.

use super::scan::collapse_whitespace;

/// Tags whose start and end separate words (block-level, and `br`).
const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "section",
    "figure",
    "figcaption",
    "aside",
    "details",
    "summary",
];

/// The visible text of `html`, whitespace collapsed; code blocks are left out and
/// images count by their alt text.
pub fn html_text(html: &str) -> String {
    collapse_whitespace(&html_words(html))
}

/// As [`html_text`] but with whitespace as the HTML has it: enough for a
/// tokenizer, which splits on whitespace anyway (search runs over every body).
pub fn html_words(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_into(&rest[..lt], &mut out);
        let tag = &rest[lt..];
        let Some(gt) = tag_end(tag) else {
            // Not a tag after all (cannot happen in our HTML): keep it as text.
            decode_into(tag, &mut out);
            rest = "";
            break;
        };
        let (name, closing) = tag_name(&tag[1..gt]);
        // Code blocks, and footnote numbers, are not words a reader searches.
        let skip_to = match name {
            "pre" if !closing => Some("</pre>"),
            "sup" if !closing && tag[..gt].contains("class=\"footnote-") => Some("</sup>"),
            _ => None,
        };
        if let Some(end_tag) = skip_to {
            if name == "pre" {
                out.push(' ');
            }
            rest = match tag.find(end_tag) {
                Some(end) => &tag[end + end_tag.len()..],
                None => "",
            };
            continue;
        }
        if BLOCK.contains(&name) {
            out.push(' ');
        } else if name == "img"
            && let Some(alt) = attribute(&tag[..gt], "alt")
        {
            decode_into(alt, &mut out);
        }
        rest = &tag[gt + 1..];
    }
    decode_into(rest, &mut out);
    out
}

/// Index of the `>` that ends the tag at the start of `tag`, skipping quoted values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in tag.bytes().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The lower-case name of a tag's inside (`/p`, `a href=…`, `!-- …`) and whether
/// it closes.
fn tag_name(inside: &str) -> (&str, bool) {
    let (closing, inside) = match inside.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inside),
    };
    let end = inside
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inside.len());
    (&inside[..end], closing)
}

/// The raw value of attribute `name` in a start tag.
fn attribute<'h>(tag: &'h str, name: &str) -> Option<&'h str> {
    let mut search = tag;
    loop {
        let at = search.find(name)?;
        let before = search[..at].chars().last();
        let after = &search[at + name.len()..];
        if before.is_some_and(char::is_whitespace)
            && let Some(value) = after.strip_prefix("=\"")
        {
            return value.find('"').map(|end| &value[..end]);
        }
        search = after;
    }
}

/// Appends `text` with HTML character references decoded.
fn decode_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';').filter(|&semi| semi <= 10) {
            Some(semi) => match reference(&after[..semi]) {
                Some(c) => {
                    out.push(c);
                    rest = &after[semi + 1..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            },
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::html_text;

    #[test]
    fn blocks_separate_words_and_inline_tags_do_not() {
        assert_eq!(
            html_text(
                "<h1 id=\"x\">Impact</h1>\n<p>Mail <em>queu</em>ed.</p><ul><li>a</li><li>b</li></ul>"
            ),
            "Impact Mail queued. a b"
        );
    }

    #[test]
    fn code_blocks_are_left_out_and_inline_code_kept() {
        assert_eq!(
            html_text(
                "<p>Run <code>x</code></p><pre class=\"code\"><code><span>secret</span></code></pre><p>done</p>"
            ),
            "Run x done"
        );
    }

    #[test]
    fn references_are_decoded_and_alt_text_counts() {
        assert_eq!(
            html_text(
                "<p>A &amp; B &lt;c&gt; &quot;d&quot; &#39;e&#x27; &bogus; <img src=\"a.png\" alt=\"chart &amp; map\" /></p>"
            ),
            "A & B <c> \"d\" 'e' &bogus; chart & map"
        );
    }

    #[test]
    fn footnote_numbers_are_left_out() {
        assert_eq!(
            html_text(
                "<p>Queued<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup>.</p><div class=\"footnote-definition\" id=\"1\"><sup class=\"footnote-definition-label\">1</sup><p>Note</p></div>"
            ),
            "Queued. Note"
        );
    }

    #[test]
    fn quoted_greater_than_does_not_end_a_tag() {
        assert_eq!(
            html_text("<p><a href=\"x\" title=\"a > b\">link</a></p>"),
            "link"
        );
    }
}
