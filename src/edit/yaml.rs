//! YAML text, line by line, for the edit layer: where a top-level key's value
//! starts and ends, how a file styles its lists, and scalars written so they
//! read back as exactly the string meant. Reads no values: what it writes is
//! verified by [`crate::frontmatter::scalar_reads_as`], the YAML backend's word.

/// One line of the text: `start..end` without its line break, `next` after it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// The lines of `text[from..to]`, as offsets into `text`.
pub(super) fn lines(text: &str, from: usize, to: usize) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pos = from;
    while pos < to {
        let next = text[pos..to].find('\n').map_or(to, |i| pos + i + 1);
        let mut end = next;
        if text[..end].ends_with('\n') {
            end -= 1;
        }
        if text[..end].ends_with('\r') {
            end -= 1;
        }
        out.push(Line {
            start: pos,
            end,
            next,
        });
        pos = next;
    }
    out
}

pub(super) fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

pub(super) fn blank(line: &str) -> bool {
    line.trim().is_empty()
}

pub(super) fn comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// A block sequence item line (`- x`, or `-` alone).
pub(super) fn item(line: &str) -> bool {
    let t = line.trim_start();
    t == "-" || t.starts_with("- ")
}

/// `key:` at column 0 of `line`: the key (unquoted) and the byte offset after
/// its colon.
pub(super) fn top_key(line: &str) -> Option<(String, usize)> {
    let first = line.chars().next()?;
    if matches!(first, ' ' | '\t' | '#' | '-' | '?') {
        return None;
    }
    let (key, rest_at) = if first == '"' || first == '\'' {
        let close = line[1..].find(first)? + 1;
        (line[1..close].to_string(), close + 1)
    } else {
        let colon = line
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| matches!(line.as_bytes().get(i + 1), None | Some(b' ' | b'\t')))?;
        (line[..colon].trim_end().to_string(), colon)
    };
    let rest = &line[rest_at..];
    let colon = rest_at + rest.len() - rest.trim_start().len();
    (line.as_bytes().get(colon) == Some(&b':')).then_some((key, colon + 1))
}

/// A top-level key and its value: lines `first..end` of the front matter
/// (trailing blank and column-0 comment lines belong to what follows).
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub key: String,
    pub first: usize,
    pub end: usize,
    /// Byte offset (in the key line) just after the key's colon.
    pub after_colon: usize,
}

pub(super) fn blocks(text: &str, ls: &[Line]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (i, l) in ls.iter().enumerate() {
        let s = &text[l.start..l.end];
        if let Some((key, after_colon)) = top_key(s) {
            out.push(Block {
                key,
                first: i,
                end: i + 1,
                after_colon,
            });
        } else if let Some(b) = out.last_mut()
            && !blank(s)
            && (indent(s) > 0 || (item(s) && !comment(s)))
            && only_gaps(text, &ls[b.end..i])
        {
            b.end = i + 1;
        }
    }
    out
}

/// Whether `ls` are all blank or comment lines, which a value may span.
fn only_gaps(text: &str, ls: &[Line]) -> bool {
    ls.iter().all(|l| {
        let s = &text[l.start..l.end];
        blank(s) || comment(s)
    })
}

/// What follows a key's colon on its own line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Inline {
    /// Nothing, or only a comment: the value (if any) is on the lines below.
    Empty,
    Plain,
    Double,
    Single,
    /// `[` or `{`
    Flow,
    /// `|` or `>`
    BlockScalar,
}

/// The value after a colon at byte `from` of `line`: its kind and byte range
/// (a quoted value that does not close on this line runs to its end).
pub(super) fn inline(line: &str, from: usize) -> (Inline, usize, usize) {
    let rest = &line[from..];
    let start = from + rest.len() - rest.trim_start().len();
    let v = &line[start..];
    let kind = match v.chars().next() {
        None | Some('#') => return (Inline::Empty, start, start),
        Some('"') => Inline::Double,
        Some('\'') => Inline::Single,
        Some('[' | '{') => Inline::Flow,
        Some('|' | '>') => Inline::BlockScalar,
        _ => Inline::Plain,
    };
    let len = match kind {
        Inline::Double => quoted_end(v, b'"'),
        Inline::Single => quoted_end(v, b'\''),
        Inline::Flow => flow_end(v).unwrap_or(v.len()),
        _ => v.find(" #").or_else(|| v.find("\t#")).unwrap_or(v.len()),
    };
    let value = v[..len].trim_end();
    (kind, start, start + value.len())
}

/// Length of the quoted scalar at the start of `v`, closing quote included.
fn quoted_end(v: &str, q: u8) -> usize {
    let b = v.as_bytes();
    let mut i = 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    v.len()
}

/// Length of the flow collection at the start of `v` through its closing
/// bracket, if it closes in `v`.
pub(super) fn flow_end(v: &str) -> Option<usize> {
    let (mut depth, mut quote) = (0usize, None::<u8>);
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if q == b'"' && c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'"' | b'\'' => quote = Some(c),
                b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                    // A comment runs to the end of its line.
                    i = v[i..].find('\n').map_or(b.len(), |n| i + n);
                    continue;
                }
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// How a replaced scalar was quoted, kept for its new value where possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quote {
    Plain,
    Single,
    Double,
}

/// A scalar written for a block-context value: `head` goes after `key: `
/// (a comment may follow it), `tail` is empty or the lines of a block scalar,
/// each starting with the line break.
pub(super) struct Emitted {
    pub head: String,
    pub tail: String,
}

/// `text` as a value of a key at column `key_col`, in `quote` when that reads
/// back as `text`, a `|-` block for multi-line text, else double-quoted.
pub(super) fn block_scalar(text: &str, quote: Quote, key_col: usize, eol: &str) -> Emitted {
    let one = |head: String| Emitted {
        head,
        tail: String::new(),
    };
    if text.contains('\n')
        && let Some(tail) = literal(text, key_col + 2, eol)
    {
        return Emitted {
            head: "|-".into(),
            tail,
        };
    }
    match quote {
        Quote::Plain if plain_ok(text, false) => one(text.to_string()),
        Quote::Single => match single(text) {
            Some(s) => one(s),
            None => one(double(text)),
        },
        _ => one(double(text)),
    }
}

/// `text` inside a flow collection: plain when safe there, else double-quoted.
pub(super) fn flow_scalar(text: &str) -> String {
    if plain_ok(text, true) {
        text.to_string()
    } else {
        double(text)
    }
}

/// Plain style is safe: no indicator at the start, nothing that ends or
/// comments the scalar, and YAML reads it as this very string (not `true`,
/// `null` or a number).
fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let bad_start = "-?:,[]{}#&*!|>'\"%@`".contains(first);
    let bad_char = s.chars().any(|c| c.is_control() || is_special(c))
        // In a flow collection also no quote, colon or hash anywhere: line-level
        // readers (ours, `locate`) take a quote for the start of a quoted item.
        || (flow && s.contains([',', '[', ']', '{', '}', '"', '\'', ':', '#', '\\']));
    let ok = !bad_start
        && !bad_char
        && s.trim() == s
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        // YAML 1.1 readers (other tools) take these for booleans.
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false"
        );
    ok && crate::frontmatter::scalar_reads_as(s, s)
}

/// Characters YAML treats as line breaks or that editors hide.
fn is_special(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

fn single(s: &str) -> Option<String> {
    let ok = !s.chars().any(|c| c.is_control() || is_special(c));
    let q = format!("'{}'", s.replace('\'', "''"));
    (ok && crate::frontmatter::scalar_reads_as(&q, s)).then_some(q)
}

/// Double-quoted: always possible, every control character escaped.
pub(super) fn double(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_special(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The lines of a `|-` block scalar indented by `ind`, when it reads back as
/// `text` (no leading space, no trailing line break, nothing hidden).
fn literal(text: &str, ind: usize, eol: &str) -> Option<String> {
    let plausible = !text.starts_with([' ', '\t', '\n'])
        && !text.ends_with('\n')
        && !text
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_special(c))
        && text.lines().all(|l| l.trim() == l || !l.trim().is_empty());
    if !plausible {
        return None;
    }
    let block = |ind: usize, eol: &str| {
        text.split('\n')
            .map(|l| {
                if l.is_empty() {
                    eol.to_string()
                } else {
                    format!("{eol}{:ind$}{l}", "")
                }
            })
            .collect::<String>()
    };
    let check = format!("|-{}", block(2, "\n"));
    crate::frontmatter::scalar_reads_as(&check, text).then(|| block(ind, eol))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keys_plain_and_quoted() {
        assert_eq!(top_key("status: x"), Some(("status".into(), 7)));
        assert_eq!(top_key("\"status\" : x"), Some(("status".into(), 10)));
        assert_eq!(top_key("timeline:"), Some(("timeline".into(), 9)));
        assert_eq!(top_key("  status: x"), None);
        assert_eq!(top_key("- at: x"), None);
        assert_eq!(top_key("url:http"), None);
    }

    #[test]
    fn inline_values_end_before_comments() {
        let l = "status: monitoring  # was investigating";
        assert_eq!(inline(l, 7), (Inline::Plain, 8, 18));
        let l = "title: \"a # b\" # c";
        assert_eq!(inline(l, 6), (Inline::Double, 7, 14));
        let l = "tags: [a, \"b]\"] # c";
        assert_eq!(inline(l, 5), (Inline::Flow, 6, 15));
        assert_eq!(inline("timeline: # soon", 9).0, Inline::Empty);
    }

    #[test]
    fn scalars_read_back() {
        assert_eq!(
            block_scalar("fine text", Quote::Plain, 0, "\n").head,
            "fine text"
        );
        assert_eq!(block_scalar("yes", Quote::Plain, 0, "\n").head, "\"yes\"");
        assert_eq!(block_scalar("a: b", Quote::Plain, 0, "\n").head, "\"a: b\"");
        assert_eq!(block_scalar("it's", Quote::Single, 0, "\n").head, "'it''s'");
        let e = block_scalar("one\n\ntwo", Quote::Plain, 2, "\r\n");
        assert_eq!(
            (e.head.as_str(), e.tail.as_str()),
            ("|-", "\r\n    one\r\n\r\n    two")
        );
        assert_eq!(
            block_scalar(" lead\nx", Quote::Plain, 0, "\n").head,
            "\" lead\\nx\""
        );
        assert_eq!(flow_scalar("a, b"), "\"a, b\"");
        assert_eq!(double("tab\tq\"\u{7}"), "\"tab\\tq\\\"\\u0007\"");
    }
}
