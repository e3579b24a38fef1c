//! Front matter: a file's text in, a typed [`Document`] (or every problem found
//! in it, each at its own line) out. This is the only module that knows the YAML
//! backend (serde_yaml): swapping it means changing this folder only.

mod docs;
mod entries;
mod foreign;
mod locate;
mod postmortem;
mod reader;
mod stories;

use crate::diag::{Diagnostic, Severity, SourceText};
use crate::model::{Document, Origin};
use std::sync::Arc;

pub use docs::DocKind;
pub(crate) use foreign::foreign;
pub(crate) use locate::Seg;

/// The front matter and body of a file, by byte ranges.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub fm_start: usize,
    pub fm_end: usize,
    /// 1-based line of the first front matter line.
    pub fm_first_line: usize,
    pub body_start: usize,
}

/// Find the `---` fences. A file must open with one and close it.
pub fn split(src: &SourceText) -> Result<Split, Diagnostic> {
    let text = &src.text;
    if text.trim().is_empty() {
        return Err(src.at(Severity::Error, 1, 1, 1, "the file is empty").hint(
            "start it with front matter between two `---` lines, e.g. `---\\ntitle: …\\n---`",
        ));
    }
    // Lines by hand, not through the line index: a file without problems
    // never needs one (see [`SourceText`]).
    let mut lines = text.split_inclusive('\n').scan(0, |pos: &mut usize, l| {
        let start = *pos;
        *pos += l.len();
        Some((start, l))
    });
    let first = lines.next().map_or("", |(_, l)| l);
    if first.trim_start_matches('\u{feff}').trim_end() != "---" {
        return Err(src
            .error_at_line(1, 1, "the file does not start with front matter")
            .hint(
                "put a line holding only `---` first, then the YAML keys, then another `---` line",
            ));
    }
    let mut fm_start = None;
    for (start, l) in lines {
        let fm_start = *fm_start.get_or_insert(start);
        if l.trim_end() == "---" {
            return Ok(Split {
                fm_start,
                fm_end: start,
                fm_first_line: 2,
                body_start: start + l.len(),
            });
        }
    }
    Err(src
        .error_at_line(1, 1, "the front matter is never closed")
        .hint("add a line holding only `---` after the last front matter key"))
}

/// Parse one content file. `content_path` is relative to `content/`. Warnings
/// are dropped here; [`parse_full`] keeps them.
pub fn parse(
    kind: DocKind,
    source: Arc<SourceText>,
    content_path: &str,
) -> Result<Document, Vec<Diagnostic>> {
    match parse_full(kind, source, content_path) {
        (Some(doc), diags) if !diags.iter().any(Diagnostic::is_error) => Ok(doc),
        (_, diags) => Err(diags),
    }
}

/// Parse one content file: the document unless it has errors, and every
/// diagnostic (a document with warnings only is still returned).
pub fn parse_full(
    kind: DocKind,
    source: Arc<SourceText>,
    content_path: &str,
) -> (Option<Document>, Vec<Diagnostic>) {
    match parse_inner(kind, source, content_path) {
        Ok(r) => r,
        Err(d) => (None, d),
    }
}

fn parse_inner(
    kind: DocKind,
    source: Arc<SourceText>,
    content_path: &str,
) -> Result<(Option<Document>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let split = split(&source).map_err(|d| vec![d])?;
    let fm_text = &source.text[split.fm_start..split.fm_end];
    let value: serde_yaml::Value = match serde_yaml::from_str(fm_text) {
        Ok(serde_yaml::Value::Null) if fm_text.trim().is_empty() => {
            serde_yaml::Value::Mapping(Default::default())
        }
        Ok(v) => v,
        Err(e) => return Err(vec![yaml_error(&source, &split, &e)]),
    };
    let origin = Origin {
        source: source.clone(),
        content_path: content_path.to_string(),
        fm_first_line: split.fm_first_line,
        fm_start: split.fm_start,
        fm_end: split.fm_end,
        body_offset: split.body_start,
    };
    Ok(docs::convert(kind, value, origin, fm_text))
}

const YAML_HINT: &str = "check indentation, `key: value` pairs and quotes; quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`, `%`, `@` or a backtick";

/// A YAML error as a diagnostic at the spot the writer has to fix, which is not
/// always where the parser gave up: an unclosed `[` or quote is reported where it
/// opens, a duplicate key at its second occurrence, an alias bomb at its first
/// `*alias`.
fn yaml_error(src: &SourceText, split: &Split, e: &serde_yaml::Error) -> Diagnostic {
    let fm = &src.text[split.fm_start..split.fm_end];
    let raw = e.to_string();
    // serde_yaml writes "problem at line L column C, while context at line L column C";
    // we print our own locations, so take the words apart.
    let (problem, context) = match raw.split_once(", while ") {
        Some((p, c)) => (p, Some(c)),
        None => (raw.as_str(), None),
    };
    let msg = problem.split(" at line ").next().unwrap_or(problem);
    // (line, column) inside the front matter, 1-based.
    let at = e.location().map(|l| (l.line(), l.column()));
    let x = explain(fm, split.fm_first_line, msg, context, at);
    match x.at {
        Some((line, col)) => {
            let line = (split.fm_first_line + line.max(1) - 1).min(src.line_count());
            src.at(Severity::Error, line, col, 1, x.message)
                .hint(x.hint)
        }
        None => src
            .error_at_line(split.fm_first_line, 1, x.message)
            .hint(x.hint),
    }
}

/// What the writer is told about a YAML error, and where: (line, column),
/// 1-based inside the front matter.
struct Explained {
    message: String,
    hint: String,
    at: Option<(usize, usize)>,
}

/// Turns the parser's words (`msg`, and the `context` it was in) into a message
/// and a fix, moving `at` to the spot the writer has to edit.
fn explain(
    fm: &str,
    fm_first_line: usize,
    msg: &str,
    context: Option<&str>,
    at: Option<(usize, usize)>,
) -> Explained {
    if msg.contains("recursion limit") {
        return Explained {
            message: "the front matter is nested too deeply".to_string(),
            hint: "flatten it; front matter needs only a few levels".into(),
            at,
        };
    }
    if msg.contains("repetition limit") {
        return Explained {
            message: "the front matter expands to too much data (YAML aliases repeated too often)"
                .into(),
            hint:
                "write the values out instead of building them from `&anchor`/`*alias` references"
                    .into(),
            at: first_alias(fm).or(at),
        };
    }
    if let Some(key) = msg
        .split("duplicate entry with key ")
        .nth(1)
        .map(|k| k.trim_matches('"'))
    {
        return duplicate_key(fm, fm_first_line, key, at);
    }
    if let (Some(ctx), Some(cm)) = (context, context.and_then(yaml_mark))
        && (ctx.starts_with("parsing a flow") || ctx.starts_with("scanning a quoted"))
    {
        let gave_up = at.map(|(l, _)| fm_first_line + l - 1);
        return unclosed(ctx, msg, gave_up, cm);
    }
    let hint = if msg.contains("tab character") {
        "indent with spaces: YAML does not allow tabs for indentation"
    } else {
        YAML_HINT
    };
    Explained {
        message: format!("invalid YAML: {msg}"),
        hint: hint.to_string(),
        at,
    }
}

/// The (line, column) at the end of one of serde_yaml's "… at line L column C".
fn yaml_mark(s: &str) -> Option<(usize, usize)> {
    let (_, at) = s.rsplit_once(" at line ")?;
    let (l, c) = at.split_once(" column ")?;
    Some((l.trim().parse().ok()?, c.trim().parse().ok()?))
}

/// A key given twice in one map, reported at its second occurrence.
fn duplicate_key(
    fm: &str,
    fm_first_line: usize,
    key: &str,
    first: Option<(usize, usize)>,
) -> Explained {
    let at = match first {
        Some((l, c)) => second_key(fm, l, c, key).or(first),
        None => first,
    };
    let message = match first {
        Some((l, _)) if at != first => format!(
            "the key `{key}` appears twice in the same map (first at line {})",
            fm_first_line + l - 1
        ),
        _ => format!("the key `{key}` appears twice in the same map"),
    };
    Explained {
        message,
        hint: "keep one of the two lines".into(),
        at,
    }
}

/// An unclosed `[`, `{` or quote, reported where it opens (`opened`); `gave_up`
/// is the file line where the parser stopped.
fn unclosed(ctx: &str, msg: &str, gave_up: Option<usize>, opened: (usize, usize)) -> Explained {
    let (what, fix) = if ctx.contains("flow sequence") {
        (
            "the list opened with `[` here is never closed",
            "close it with `]` on the same line, or write the list as `- item` lines",
        )
    } else if ctx.contains("flow mapping") {
        (
            "the map opened with `{` here is never closed",
            "close it with `}` on the same line, or write the map as indented `key: value` lines",
        )
    } else {
        (
            "the quoted text that starts here is never closed",
            "end it with the same quote character it starts with, on the same line",
        )
    };
    let message = match gave_up {
        Some(l) => format!("invalid YAML: {what} ({msg} at line {l})"),
        None => format!("invalid YAML: {what} ({msg})"),
    };
    Explained {
        message,
        hint: fix.into(),
        at: Some(opened),
    }
}

/// (line, column), 1-based in `fm`, of the first `*alias` reference.
fn first_alias(fm: &str) -> Option<(usize, usize)> {
    fm.lines().enumerate().find_map(|(i, line)| {
        let chars: Vec<char> = line.chars().collect();
        (0..chars.len()).find_map(|j| {
            let before_ok = j == 0 || matches!(chars[j - 1], ' ' | '[' | ',' | '{' | ':' | '-');
            let after_ok = chars
                .get(j + 1)
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-'));
            (chars[j] == '*' && before_ok && after_ok).then_some((i + 1, j + 1))
        })
    })
}

/// The second `key:` of the map that starts at (`line`, `col`) in `fm` (1-based),
/// for duplicate-key errors, which serde_yaml locates at the map's start.
fn second_key(fm: &str, line: usize, col: usize, key: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = fm.lines().collect();
    let indent = col.checked_sub(1)?;
    let is_key = |rest: &str| {
        let rest = rest.trim_start_matches(['"', '\'']);
        rest.strip_prefix(key).is_some_and(|r| {
            r.trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with(':')
        })
    };
    let mut seen = 0;
    for (i, l) in lines.iter().enumerate().skip(line.checked_sub(1)?) {
        let first = i + 1 == line;
        if !first {
            let t = l.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let ind = l.len() - t.len();
            if ind < indent {
                break;
            }
            if ind > indent {
                continue;
            }
        }
        let rest = l.get(indent..).unwrap_or("");
        // A flow map (`{a: 1, a: 2}`) sits on its first line: every `key:` on it counts.
        let starts: Vec<usize> = if first && rest.starts_with('{') {
            rest.match_indices(['{', ',']).map(|(k, _)| k + 1).collect()
        } else {
            vec![0]
        };
        for s in starts {
            let part = &rest[s..];
            let trimmed = part.trim_start();
            if is_key(trimmed) {
                seen += 1;
                if seen == 2 {
                    let byte = indent + s + (part.len() - trimmed.len());
                    return Some((i + 1, l[..byte].chars().count() + 1));
                }
            }
        }
    }
    None
}

/// The `id:` an incident file declares, read leniently from its text (a
/// top-level `id:` line), for a file whose front matter did not parse. The link
/// stage can count it as known, so that one broken file does not also turn every
/// reference to it into an "unknown incident" error.
pub fn declared_id(source: &SourceText) -> Option<crate::model::IncidentId> {
    let mut lines = source.text.lines();
    if lines.next()?.trim_start_matches('\u{feff}').trim_end() != "---" {
        return None;
    }
    lines
        .take_while(|l| l.trim_end() != "---")
        .find_map(|l| l.strip_prefix("id:"))
        .map(|v| {
            v.split(" #")
                .next()
                .unwrap_or(v)
                .trim()
                .trim_matches(['"', '\''])
        })
        .and_then(|v| crate::model::IncidentId::parse(v).ok())
}

/// A diagnostic at a front matter key of an already parsed document (for the
/// cross-file checks of the link stage).
pub(crate) fn diag_at(
    origin: &Origin,
    path: &[Seg],
    message: impl Into<String>,
    hint: Option<String>,
) -> Diagnostic {
    let origin = origin.unpacked();
    let cx = reader::Ctx {
        src: &origin.source,
        fm: (origin.source.text)
            .get(origin.fm_start..origin.fm_end)
            .unwrap_or_default(),
        fm_first_line: origin.fm_first_line,
        diags: Vec::new(),
    };
    cx.diag(path, message, hint)
}

/// Whether `value`, written after `v: ` as the only key of a YAML document
/// (a block scalar's lines indented by two spaces), reads back as exactly the
/// string `expected`. The edit layer ([`crate::edit`]) asks this before it
/// writes a scalar in a style, so no YAML knowledge leaks out of this module.
pub(crate) fn scalar_reads_as(value: &str, expected: &str) -> bool {
    let doc = format!("v: {value}\n");
    match serde_yaml::from_str::<serde_yaml::Value>(&doc) {
        Ok(serde_yaml::Value::Mapping(m)) => {
            m.len() == 1 && m.get("v").and_then(serde_yaml::Value::as_str) == Some(expected)
        }
        _ => false,
    }
}

/// Shorthand for key paths: `path(&["related"], Some(2), Some("id"))`.
pub(crate) fn key_path(top: &str, index: Option<usize>, sub: Option<&str>) -> Vec<Seg> {
    let mut p = vec![Seg::Key(top.to_string())];
    if let Some(i) = index {
        p.push(Seg::Index(i));
    }
    if let Some(s) = sub {
        p.push(Seg::Key(s.to_string()));
    }
    p
}

#[cfg(test)]
mod tests;
