//! Front matter: a file's text in, a typed [`Document`] (or every problem found
//! in it, each at its own line) out. This is the only module that knows the YAML
//! backend (serde_yaml): swapping it means changing this folder only.

mod docs;
mod locate;
mod reader;

use crate::diag::{Diagnostic, Severity, SourceText};
use crate::model::{Document, Origin};
use std::sync::Arc;

pub use docs::DocKind;
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
        return Err(Diagnostic::error(&src.path, "the file is empty").hint(
            "start it with front matter between two `---` lines, e.g. `---\\ntitle: …\\n---`",
        ));
    }
    let first = src
        .line(1)
        .unwrap_or_default()
        .trim_start_matches('\u{feff}');
    if first.trim_end() != "---" {
        return Err(src
            .error_at_line(1, 1, "the file does not start with front matter")
            .hint(
                "put a line holding only `---` first, then the YAML keys, then another `---` line",
            ));
    }
    for line in 2..=src.line_count() {
        if src.line(line).is_some_and(|l| l.trim_end() == "---") {
            let fm_start = src.line_start(2);
            let fm_end = src.line_start(line);
            return Ok(Split {
                fm_start,
                fm_end,
                fm_first_line: 2,
                body_start: src.line_start(line + 1),
            });
        }
    }
    Err(src
        .error_at_line(1, 1, "the front matter is never closed")
        .hint("add a line holding only `---` after the last front matter key"))
}

/// Parse one content file. `content_path` is relative to `content/`.
pub fn parse(
    kind: DocKind,
    source: Arc<SourceText>,
    content_path: &str,
) -> Result<Document, Vec<Diagnostic>> {
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
    docs::convert(kind, value, origin, fm_text)
}

fn yaml_error(src: &SourceText, split: &Split, e: &serde_yaml::Error) -> Diagnostic {
    let raw = e.to_string();
    // serde_yaml appends " at line L column C"; we print our own location.
    let msg = raw.split(" at line ").next().unwrap_or(&raw).to_string();
    let (message, hint) = if msg.contains("recursion limit") {
        (
            "the front matter is nested too deeply".to_string(),
            "flatten it; front matter needs only a few levels",
        )
    } else if msg.contains("repetition limit") || msg.contains("alias") {
        (
            "the front matter expands to too much data (YAML aliases repeated too often)"
                .to_string(),
            "write the values out instead of building them from `&anchor`/`*alias` references",
        )
    } else {
        (
            format!("invalid YAML: {msg}"),
            "check indentation, `key: value` pairs and quotes; quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`, `%`, `@` or a backtick",
        )
    };
    match e.location() {
        Some(loc) => {
            let line = split.fm_first_line + loc.line() - 1;
            src.at(Severity::Error, line, loc.column(), 1, message)
                .hint(hint)
        }
        None => src
            .error_at_line(split.fm_first_line, 1, message)
            .hint(hint),
    }
}

/// A diagnostic at a front matter key of an already parsed document (for the
/// cross-file checks of the link stage).
pub(crate) fn diag_at(
    origin: &Origin,
    path: &[Seg],
    message: impl Into<String>,
    hint: Option<String>,
) -> Diagnostic {
    let cx = reader::Ctx {
        src: &origin.source,
        fm: &origin.source.text[origin.fm_start..origin.fm_end],
        fm_first_line: origin.fm_first_line,
        diags: Vec::new(),
    };
    cx.diag(path, message, hint)
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
