//! An adjusted [`Item`] and its ID in, the text of its incident file out:
//! front matter written by hand in a fixed key order with careful quoting (a
//! scalar is plain only when YAML cannot read it as anything but that string),
//! then the body.

use super::item::{Entry, Item, When};
use crate::model::{Classification, IncidentId};
use std::fmt::Write as _;

/// The whole file.
pub(crate) fn file_text(id: &IncidentId, item: &Item) -> String {
    let mut o = String::from("---\n");
    line(&mut o, "id", &scalar(id.as_str()));
    line(&mut o, "title", &scalar(&item.title));
    list(&mut o, "services", &item.services);
    list(&mut o, "components", &item.components);
    line(&mut o, "status", item.status.as_str());
    if let Some(s) = item.severity {
        line(&mut o, "severity", s.as_str());
    }
    if item.classification != Classification::Incident {
        line(&mut o, "classification", item.classification.as_str());
    }
    if let Some((start, end)) = &item.window {
        o.push_str("window:\n");
        let _ = writeln!(o, "  start: {}", time(start));
        let _ = writeln!(o, "  end: {}", time(end));
    }
    line(&mut o, "started", &time(&item.started));
    if let Some(r) = &item.resolved {
        line(&mut o, "resolved", &time(r));
    }
    if let Some(s) = &item.summary {
        line(&mut o, "summary", &scalar(s));
    }
    if !item.sources.is_empty() {
        o.push_str("sources:\n");
        for (title, url) in &item.sources {
            let _ = writeln!(o, "  - title: {}", scalar(title));
            let _ = writeln!(o, "    url: {}", scalar(url));
        }
    }
    if !item.timeline.is_empty() {
        o.push_str("timeline:\n");
        for e in &item.timeline {
            o.push_str(&entry(e, "  "));
        }
    }
    o.push_str("---\n");
    if !item.body.is_empty() {
        o.push('\n');
        o.push_str(&item.body);
        o.push('\n');
    }
    o
}

/// One timeline entry as list item lines at `indent` (shared with re-import,
/// which appends entries to an existing file).
pub(crate) fn entry(e: &Entry, indent: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{indent}- at: {}", time(&e.at));
    if let Some(s) = e.status {
        let _ = writeln!(o, "{indent}  status: {}", s.as_str());
    }
    let _ = writeln!(
        o,
        "{indent}  text: {}",
        block(&e.text, &format!("{indent}    "))
    );
    o
}

fn line(o: &mut String, key: &str, value: &str) {
    let _ = writeln!(o, "{key}: {value}");
}

fn list(o: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(o, "{key}:");
    for s in items {
        let _ = writeln!(o, "  - {}", scalar(s));
    }
}

/// A time is always plain: RFC 3339 and dates hold no YAML syntax.
fn time(w: &When) -> String {
    w.text.clone()
}

/// A one-line string: plain when safe, else double-quoted.
pub(crate) fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Multi-line Markdown as a literal block (`|-`) indented by `indent`, when the
/// text allows one; otherwise a quoted scalar.
pub(crate) fn block(s: &str, indent: &str) -> String {
    let literal_ok = s.contains('\n')
        && !s.starts_with([' ', '\t', '\n'])
        && !s.ends_with([' ', '\t', '\n'])
        && s.chars().all(|c| c == '\n' || !c.is_control())
        && !s.lines().any(|l| l.ends_with([' ', '\t']));
    if !literal_ok {
        return scalar(s);
    }
    let mut o = String::from("|-");
    for l in s.split('\n') {
        o.push('\n');
        if !l.is_empty() {
            o.push_str(indent);
            o.push_str(l);
        }
    }
    o
}

/// Plain only when YAML 1.1 and 1.2 both read it back as this very string:
/// letters first, no indicator characters, no `: ` or ` #`, not a keyword or
/// a number.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let keyword = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    );
    first.is_alphabetic()
        && !keyword
        && s == s.trim()
        && !s.contains(": ")
        && !s.ends_with(':')
        && s.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    ' ' | '.'
                        | '-'
                        | '_'
                        | '/'
                        | '('
                        | ')'
                        | '+'
                        | '\''
                        | '?'
                        | '!'
                        | ';'
                        | '='
                        | ':'
                )
        })
}

/// Double-quoted with YAML escapes.
fn quoted(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(s: &str) -> String {
        let y = format!("---\nk: {}\n---\n", scalar(s));
        let (v, _) =
            crate::frontmatter::foreign(&crate::diag::SourceText::new("t.md", y.clone())).unwrap();
        v["k"].as_str().unwrap_or_else(|| panic!("{y}")).to_string()
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        for s in [
            "Exchange Online",
            "yes",
            "No",
            "null",
            "~",
            "123",
            "1.5",
            "0x1F",
            "2026-06-03",
            "a: b",
            "a #b",
            "- x",
            "[x]",
            "{x}",
            "*alias",
            "&anchor",
            "!tag",
            "%x",
            "@x",
            "`x`",
            "\"q\"",
            "'q'",
            "tab\there",
            "back\\slash",
            " lead",
            "trail ",
            "ünïcode",
            "a,b",
            "line\nbreak",
            "\u{7}bell",
            "?",
            ":x",
            "x:",
            "",
            ">",
            "|",
        ] {
            assert_eq!(roundtrip(s), s, "{s:?}");
        }
    }

    #[test]
    fn blocks_keep_paragraphs() {
        let text = "First para.\n\n- item\n# not a comment";
        let y = format!("---\nk: {}\n---\n", block(text, "  "));
        let (v, _) =
            crate::frontmatter::foreign(&crate::diag::SourceText::new("t.md", y.clone())).unwrap();
        assert_eq!(v["k"].as_str().unwrap(), text, "{y}");
        assert!(
            y.starts_with("---\nk: |-\n  First para.\n\n  - item"),
            "{y}"
        );
    }
}
