//! Surgical front matter edits: a content file's text in, the same text with
//! one key's value replaced, a key removed or a timeline entry appended out —
//! every other byte (comments, key order, quoting, flow or block lists, blank
//! lines, CRLF, the body) as it was. Writers' files are never round-tripped
//! through a serializer; scalars are checked to read back as meant
//! ([`crate::frontmatter::scalar_reads_as`]), and callers run `check` on the
//! result before writing it with [`write_atomic`].
//!
//! ```text
//! let mut e = FrontMatterEdit::new("content/incidents/EX1.md", &text)?;
//! e.set("status", Status::Monitoring.into());      // keeps the line, its comment, its quotes
//! e.remove("next_update");                          // its lines go, nothing else
//! e.append_timeline(&at, Some(Status::Monitoring), "A fix is rolling out.")?;
//! write_atomic(&path, e.finish().as_bytes())?;      // temp file in the folder + rename
//! ```
//!
//! A key that is not there is added at the end of the front matter; a
//! `timeline` that is not there is created there, in the file's list style.

mod yaml;

use crate::diag::{Diagnostic, SourceText};
use crate::model::{Severity, Status};
use std::io::{self, Write as _};
use std::path::Path;
use yaml::{Inline, Quote, blocks, indent, inline, item, lines};

/// A scalar value to write.
#[derive(Debug, Clone)]
pub(crate) enum Scalar {
    /// Free text: plain when YAML reads it back as the same string, else
    /// quoted, or a `|-` block when it has several lines.
    Text(String),
    /// A keyword of the format (`monitoring`, `major`).
    Keyword(&'static str),
    /// A date-time, written in its zone with offset and zone name, to the
    /// second (`2026-06-03T16:05:00-04:00[America/New_York]`).
    Time(jiff::ZonedDateTime),
}

impl From<Status> for Scalar {
    fn from(s: Status) -> Scalar {
        Scalar::Keyword(s.as_str())
    }
}

impl From<Severity> for Scalar {
    fn from(s: Severity) -> Scalar {
        Scalar::Keyword(s.as_str())
    }
}

/// Edits of one file's front matter, applied to its text in order.
#[derive(Debug, Clone)]
pub(crate) struct FrontMatterEdit {
    path: String,
    text: String,
    /// The file's line break (`\r\n` when its first line has one).
    eol: &'static str,
}

impl FrontMatterEdit {
    /// The file must have front matter between `---` fences.
    pub(crate) fn new(path_for_errors: &str, file_text: &str) -> Result<Self, Diagnostic> {
        let src = SourceText::new(path_for_errors, file_text.to_string());
        crate::frontmatter::split(&src)?;
        let first = file_text.split('\n').next().unwrap_or("");
        Ok(FrontMatterEdit {
            path: path_for_errors.to_string(),
            eol: if first.ends_with('\r') { "\r\n" } else { "\n" },
            text: src.text,
        })
    }

    /// Byte range of the front matter (between the fences).
    fn fm(&self) -> (usize, usize) {
        let src = SourceText::new(self.path.as_str(), self.text.clone());
        crate::frontmatter::split(&src).map_or((0, 0), |s| (s.fm_start, s.fm_end))
    }

    fn scan(&self) -> (Vec<yaml::Line>, Vec<yaml::Block>, usize) {
        let (start, end) = self.fm();
        let ls = lines(&self.text, start, end);
        let bs = blocks(&self.text, &ls);
        (ls, bs, end)
    }

    fn line(&self, l: &yaml::Line) -> &str {
        &self.text[l.start..l.end]
    }

    /// Replace a top-level key's scalar value, keeping its line, the comment
    /// after it and its quoting where the new value allows; or add
    /// `key: value` at the end of the front matter.
    pub(crate) fn set(&mut self, key: &str, value: Scalar) {
        let (ls, bs, fm_end) = self.scan();
        let Some(b) = bs.iter().find(|b| b.key == key) else {
            let e = self.emit(&value, Quote::Plain, 0);
            let added = format!("{key}: {}{}{}", e.head, e.tail, self.eol);
            self.text.insert_str(fm_end, &added);
            return;
        };
        let l = ls[b.first];
        let (kind, vs, ve) = inline(self.line(&l), b.after_colon);
        let quote = match kind {
            Inline::Double => Quote::Double,
            Inline::Single => Quote::Single,
            _ => Quote::Plain,
        };
        let e = self.emit(&value, quote, 0);
        let one_line = matches!(
            kind,
            Inline::Plain | Inline::Double | Inline::Single | Inline::Empty
        );
        if b.end == b.first + 1 && one_line {
            let has_comment = ve < self.line(&l).len();
            let lead = if vs == b.after_colon { " " } else { "" };
            let trail = if kind == Inline::Empty && has_comment {
                " "
            } else {
                ""
            };
            self.text.insert_str(l.end, &e.tail);
            self.text.replace_range(
                l.start + vs..l.start + ve,
                &format!("{lead}{}{trail}", e.head),
            );
        } else {
            let end = ls[b.end - 1].end;
            self.text.replace_range(
                l.start + b.after_colon..end,
                &format!(" {}{}", e.head, e.tail),
            );
        }
    }

    /// Replace a top-level key's list (block items stay block items at their
    /// indentation, anything else becomes `[a, b]`), or add it as `[a, b]`.
    pub(crate) fn set_list(&mut self, key: &str, items: &[String]) {
        let (ls, bs, fm_end) = self.scan();
        let flow = format!(
            "[{}]",
            items
                .iter()
                .map(|s| yaml::flow_scalar(s))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let Some(b) = bs.iter().find(|b| b.key == key) else {
            self.text
                .insert_str(fm_end, &format!("{key}: {flow}{}", self.eol));
            return;
        };
        let l = ls[b.first];
        let first_item = (b.first + 1..b.end).find(|&i| item(self.line(&ls[i])));
        let replacement = match first_item {
            Some(i) if !items.is_empty() => {
                let pad = " ".repeat(indent(self.line(&ls[i])));
                let quote = Quote::Plain;
                items
                    .iter()
                    .map(|s| {
                        let e = yaml::block_scalar(s, quote, pad.len() + 2, self.eol);
                        format!("{}{pad}- {}{}", self.eol, e.head, e.tail)
                    })
                    .collect::<String>()
            }
            _ => format!(" {flow}"),
        };
        let (kind, _, _) = inline(self.line(&l), b.after_colon);
        let end = if kind == Inline::Empty && first_item.is_some() {
            ls[b.end - 1].end
        } else {
            ls[b.end - 1].end.max(l.end)
        };
        // Keep a comment on a `key:` line whose items follow.
        let from = if kind == Inline::Empty && first_item.is_some() {
            l.end
        } else {
            l.start + b.after_colon
        };
        self.text.replace_range(from..end, &replacement);
    }

    /// Remove a top-level key and its value's lines.
    pub(crate) fn remove(&mut self, key: &str) {
        let (ls, bs, _) = self.scan();
        if let Some(b) = bs.iter().find(|b| b.key == key) {
            self.text
                .replace_range(ls[b.first].start..ls[b.end - 1].next, "");
        }
    }

    /// Append one entry to `timeline` in the list's own style (block or flow,
    /// its indentation, the file's line breaks), creating `timeline:` at the
    /// end of the front matter when absent. A `timeline` that is neither a
    /// list nor empty is an error naming its line.
    pub(crate) fn append_timeline(
        &mut self,
        at: &jiff::ZonedDateTime,
        status: Option<Status>,
        text: &str,
    ) -> Result<(), Diagnostic> {
        let at = crate::time::written(at);
        let entry = Entry {
            at: &at,
            status,
            text,
        };
        let (ls, bs, fm_end) = self.scan();
        let Some(b) = bs.iter().find(|b| b.key == "timeline") else {
            let ind = self.list_indent(&ls, &bs);
            let block = self.block_entry(&entry, ind, ind + 2);
            let added = format!("timeline:{}{block}", self.eol);
            self.text.insert_str(fm_end, &added);
            return Ok(());
        };
        let l = ls[b.first];
        let (kind, vs, ve) = inline(self.line(&l), b.after_colon);
        let value = &self.line(&l)[vs..ve];
        match kind {
            Inline::Flow if value.starts_with('[') => self.append_flow(l.start + vs, &entry),
            Inline::Empty => {
                self.append_block(&ls, &bs, b, &entry);
                Ok(())
            }
            Inline::Plain if matches!(value, "~" | "null" | "Null" | "NULL") => {
                self.text
                    .replace_range(l.start + b.after_colon..l.start + ve, "");
                let (ls, bs, _) = self.scan();
                let b = bs.iter().find(|b| b.key == "timeline").cloned();
                if let Some(b) = b {
                    self.append_block(&ls, &bs, &b, &entry);
                }
                Ok(())
            }
            _ => {
                let src = SourceText::new(self.path.as_str(), self.text.clone());
                let (line, _) = src.line_col(l.start);
                Err(src
                    .error_at_line(
                        line,
                        1,
                        "`timeline` is not a list, so no entry can be added",
                    )
                    .hint("write it as a list of `- at: …` entries, or remove it"))
            }
        }
    }

    pub(crate) fn finish(self) -> String {
        self.text
    }

    /// The indentation of the file's first block list item, else 2.
    fn list_indent(&self, ls: &[yaml::Line], bs: &[yaml::Block]) -> usize {
        bs.iter()
            .flat_map(|b| b.first + 1..b.end)
            .map(|i| self.line(&ls[i]))
            .find(|s| item(s))
            .map_or(2, indent)
    }

    /// The entry under a `timeline:` block (its items, or nothing yet).
    fn append_block(
        &mut self,
        ls: &[yaml::Line],
        bs: &[yaml::Block],
        b: &yaml::Block,
        entry: &Entry,
    ) {
        let body = b.first + 1..b.end;
        let Some(first) = body.clone().find(|&i| item(self.line(&ls[i]))) else {
            let ind = self.list_indent(ls, bs);
            let block = self.block_entry(entry, ind, ind + 2);
            self.text.insert_str(ls[b.first].next, &block);
            return;
        };
        let seq = indent(self.line(&ls[first]));
        let after_dash = &self.line(&ls[first])[seq + 1..];
        let gap = after_dash.len() - after_dash.trim_start().len();
        let key_col = seq + 1 + gap.max(1);
        let last = body
            .rev()
            .find(|&i| {
                let s = self.line(&ls[i]);
                let gap = yaml::blank(s) || (yaml::comment(s) && indent(s) <= seq);
                !gap
            })
            .unwrap_or(first);
        let last_item = (first..=last)
            .rev()
            .find(|&i| item(self.line(&ls[i])) && indent(self.line(&ls[i])) == seq)
            .unwrap_or(first);
        let flow_items = self.line(&ls[last_item])[seq + 1..]
            .trim_start()
            .starts_with('{');
        let added = if flow_items {
            format!("{:seq$}- {}{}", "", flow_entry(entry), self.eol)
        } else {
            self.block_entry(entry, seq, key_col)
        };
        self.text.insert_str(ls[last].next, &added);
    }

    /// The entry inside the `[…]` that opens at byte `open`.
    fn append_flow(&mut self, open: usize, entry: &Entry) -> Result<(), Diagnostic> {
        let Some(len) = yaml::flow_end(&self.text[open..]) else {
            let src = SourceText::new(self.path.as_str(), self.text.clone());
            let (line, col) = src.line_col(open);
            return Err(src
                .error_at_line(line, col, "the `timeline` list opened here is never closed")
                .hint("close it with `]`"));
        };
        let close = open + len - 1;
        let item = flow_entry(entry);
        let inner = &self.text[open + 1..close];
        let Some(p) = inner
            .rfind(|c: char| !c.is_whitespace())
            .map(|p| open + 1 + p)
        else {
            self.text.insert_str(open + 1, &item);
            return Ok(());
        };
        let comma = if self.text[p..].starts_with(',') {
            ""
        } else {
            ","
        };
        let line_start = self.text[..p].rfind('\n').map_or(0, |n| n + 1);
        let own_line = self.text[p..close].contains('\n');
        let added = if own_line {
            let pad = indent(&self.text[line_start..p]);
            format!("{comma}{}{:pad$}{item}", self.eol, "")
        } else {
            format!("{comma} {item}")
        };
        self.text.insert_str(p + 1, &added);
        Ok(())
    }

    /// `- at: …` / `status: …` / `text: …` with the dash at column `seq` and
    /// the keys at `key_col`, each line ending with the file's line break.
    fn block_entry(&self, e: &Entry, seq: usize, key_col: usize) -> String {
        let eol = self.eol;
        let gap = key_col.saturating_sub(seq + 1).max(1);
        let pad = " ".repeat(seq + 1 + gap);
        let at = yaml::block_scalar(e.at, Quote::Plain, key_col, eol);
        let text = yaml::block_scalar(e.text, Quote::Plain, key_col, eol);
        let mut out = format!("{:seq$}-{:gap$}at: {}{eol}", "", "", at.head);
        if let Some(s) = e.status {
            out.push_str(&format!("{pad}status: {}{eol}", s.as_str()));
        }
        out.push_str(&format!("{pad}text: {}{}{eol}", text.head, text.tail));
        out
    }

    fn emit(&self, value: &Scalar, quote: Quote, key_col: usize) -> yaml::Emitted {
        let word = |w: &str| yaml::Emitted {
            head: match quote {
                Quote::Plain => w.to_string(),
                Quote::Single => format!("'{w}'"),
                Quote::Double => format!("\"{w}\""),
            },
            tail: String::new(),
        };
        match value {
            Scalar::Text(t) => yaml::block_scalar(t, quote, key_col, self.eol),
            Scalar::Keyword(k) => word(k),
            Scalar::Time(z) => word(&crate::time::written(z)),
        }
    }
}

/// A timeline entry to append, its time already written.
struct Entry<'a> {
    at: &'a str,
    status: Option<Status>,
    text: &'a str,
}

/// `{at: "…", status: s, text: "…"}`: quoted where flow style needs it.
fn flow_entry(e: &Entry) -> String {
    let status = e
        .status
        .map(|s| format!(", status: {}", s.as_str()))
        .unwrap_or_default();
    format!(
        "{{at: {}{status}, text: {}}}",
        yaml::flow_scalar(e.at),
        yaml::flow_scalar(e.text)
    )
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder
/// (named with a leading `.`, which the loader and serve ignore), flushed,
/// given the old file's permissions, then renamed over `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".sitrep-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests;
