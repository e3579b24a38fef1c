//! Diagnostics: problems found anywhere in the pipeline, as data (file, line,
//! column, span, message, hint), plus the two printers (text and JSON).
//! Stages only create diagnostics; `main` decides where they are printed.

use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem. `line`/`column` are 1-based; 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The source line the span sits on, for the text printer. (Boxed to keep
    /// the type small: it travels in every `Result` of the pipeline.)
    #[serde(skip)]
    pub source_line: Option<Box<str>>,
    /// Span length in characters (for the caret), at least 1.
    #[serde(skip)]
    pub span_len: usize,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            source_line: None,
            span_len: 1,
        }
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(file, message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A file's text with its line index, so byte offsets become line:column and
/// diagnostics can quote their line. The index is built on first use: only a
/// file with a problem needs it, and for every file of a large site it was
/// about a tenth of the texts' size again.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Path relative to the site root, `/`-separated (what diagnostics show).
    pub path: String,
    pub text: String,
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// Where the text is while `text` is empty (see [`SourceText::shelve`]).
    shelf: Option<Shelf>,
    /// The file `text` is, byte for byte, as read: it can be read again.
    file: Option<std::path::PathBuf>,
}

/// A text put aside between parse and link.
#[derive(Debug, Clone)]
enum Shelf {
    /// LZ4-packed: a text that is not a file's (a substitute, or one with
    /// its internal blocks blanked).
    Packed(crate::packed::PackedText),
    /// Left in its file, which is read again and must hash the same.
    Disk {
        file: std::path::PathBuf,
        len: usize,
        hash: u64,
    },
}

fn text_hash(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x5175_7e47).hash_one(text)
}

impl SourceText {
    pub fn new(path: impl Into<String>, text: String) -> Self {
        SourceText {
            path: path.into(),
            text,
            line_starts: std::sync::OnceLock::new(),
            shelf: None,
            file: None,
        }
    }

    /// `text` as read from `file`, which a build may read again instead of
    /// holding the text ([`SourceText::shelve`]).
    pub fn read_from(path: impl Into<String>, file: std::path::PathBuf, text: String) -> Self {
        SourceText {
            file: Some(file),
            ..SourceText::new(path, text)
        }
    }

    /// The same file with `text` empty until [`SourceText::unpacked`]: a
    /// build holds every parsed file between parse and link. A text that is
    /// its file's is left there and read again (packing every text cost
    /// about a tenth of a build, and the packed texts were much of its peak
    /// memory at 100,000 incidents); any other is packed.
    pub fn shelve(self) -> Self {
        let shelf = match self.file {
            Some(file) => Shelf::Disk {
                file,
                len: self.text.len(),
                hash: text_hash(&self.text),
            },
            None => Shelf::Packed(crate::packed::PackedText::source(self.text)),
        };
        SourceText {
            shelf: Some(shelf),
            ..SourceText::new(self.path, String::new())
        }
    }

    /// The file with its text, if it is shelved: `Err` if the file is no
    /// longer what was read (edited during the build).
    pub fn unpacked(&self) -> Option<Result<Self, Diagnostic>> {
        let text = match self.shelf.as_ref()? {
            Shelf::Packed(p) => p.unpack().into_owned(),
            Shelf::Disk { file, len, hash } => {
                let again = std::fs::read_to_string(file).ok();
                match again.filter(|t| t.len() == *len && text_hash(t) == *hash) {
                    Some(t) => t,
                    None => {
                        return Some(Err(Diagnostic::error(
                            &self.path,
                            "the file changed while sitrep was building the site",
                        )
                        .hint("build again once the file is saved")));
                    }
                }
            }
        };
        Some(Ok(SourceText {
            file: self.file.clone(),
            ..SourceText::new(self.path.clone(), text)
        }))
    }

    fn starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.starts();
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: usize) -> Option<&str> {
        let starts = self.starts();
        let start = *starts.get(line.checked_sub(1)?)?;
        let end = starts.get(line).map_or(self.text.len(), |&e| e);
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts()
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.starts().len()
    }

    /// A diagnostic at a byte range of this file.
    pub fn at_offset(
        &self,
        severity: Severity,
        offset: usize,
        len: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = self.line_col(offset);
        let span = self
            .text
            .get(offset..offset + len)
            .map_or(1, |s| s.chars().count());
        self.at(severity, line, column, span, message)
    }

    /// A diagnostic at a 1-based line and column of this file.
    pub fn at(
        &self,
        severity: Severity,
        line: usize,
        column: usize,
        span_len: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let source_line = self.line(line).map(Box::from);
        Diagnostic {
            severity,
            file: self.path.clone(),
            line,
            column: column.max(1),
            message: message.into(),
            hint: None,
            source_line,
            span_len: span_len.max(1),
        }
    }

    /// An error spanning the rest of `line` from `column` (a key and its value).
    pub fn error_at_line(
        &self,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let rest = self.line(line).map_or(1, |l| {
            l.chars().count().saturating_sub(column.saturating_sub(1))
        });
        self.at(Severity::Error, line, column, rest, message)
    }
}

/// Sort for output: by file, then line, then column, errors before warnings.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
    });
}

/// rustc/ruff-style text: `path:line:col: error: message`, the source line, a caret
/// under the span, then the hint.
///
/// Written by hand rather than with annotate-snippets: that crate's header is
/// `error: msg` + `--> path:line:col`, and the contract asks for the
/// grep/editor-friendly `path:line:col: error:` first line.
pub fn render_text(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if d.line > 0 {
            let _ = writeln!(
                out,
                "{}:{}:{}: {sev}: {}",
                d.file, d.line, d.column, d.message
            );
        } else {
            let _ = writeln!(out, "{}: {sev}: {}", d.file, d.message);
        }
        if let (Some(src), true) = (&d.source_line, d.line > 0) {
            let gutter = d.line.to_string();
            let pad = " ".repeat(gutter.len());
            let (shown, caret_at) = excerpt(src, d.column.max(1) - 1);
            let avail = shown.chars().count().saturating_sub(caret_at).max(1);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{gutter} | {shown}");
            let _ = writeln!(
                out,
                "{pad} | {}{}",
                " ".repeat(caret_at),
                "^".repeat(d.span_len.clamp(1, avail))
            );
        }
        if let Some(h) = &d.hint {
            let _ = writeln!(out, "  = help: {h}");
        }
        out.push('\n');
    }
    out
}

/// Longest source excerpt shown, in characters; a minified or generated line
/// is cut to a window around the column.
const MAX_SHOWN: usize = 100;

/// The source line as shown under a diagnostic: tabs as spaces, control
/// characters (a NUL, an escape) as visible symbols so the terminal shows what is
/// there, and long lines cut around `col` (0-based, in characters). Returns the
/// text and the caret's column in it.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| match c {
            '\t' => ' ',
            c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
            '\u{7f}' => '\u{2421}',
            c => c,
        })
        .collect();
    let col = col.min(chars.len());
    if chars.len() <= MAX_SHOWN {
        return (chars.into_iter().collect(), col);
    }
    let start = col.saturating_sub(MAX_SHOWN / 2);
    let end = (start + MAX_SHOWN).min(chars.len());
    let start = end.saturating_sub(MAX_SHOWN);
    let mut shown = String::new();
    let mut caret = col - start;
    if start > 0 {
        shown.push('…');
        caret += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret)
}

/// `--format json`: one array of `{severity, file, line, column, message, hint}`.
pub fn render_json(diags: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// "did you mean" over a set of candidates: the closest by Jaro-Winkler (case-
/// insensitive), if it is close enough to be a likely typo.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_l = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wrong_l, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shelved_text_comes_back_from_its_file_or_says_the_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.md");
        let text = "---\nid: EX1\n---\nBody.\n".repeat(40);
        std::fs::write(&file, &text).unwrap();
        let read = SourceText::read_from("content/x.md", file.clone(), text.clone()).shelve();
        assert_eq!(read.text, "", "shelved: nothing held");
        assert_eq!(read.unpacked().unwrap().unwrap().text, text);
        // Same length, other bytes: the hash tells.
        std::fs::write(&file, text.replacen("EX1", "EX2", 1)).unwrap();
        let e = read.unpacked().unwrap().unwrap_err();
        assert_eq!(e.file, "content/x.md");
        assert!(
            e.message.contains("changed while sitrep was building"),
            "{e:?}"
        );
        std::fs::remove_file(&file).unwrap();
        assert!(read.unpacked().unwrap().is_err());
        // A text that is not its file's (a substitute) is packed and held.
        let sub = SourceText::new("content/x.md", text.clone()).shelve();
        assert_eq!(sub.text, "");
        assert_eq!(sub.unpacked().unwrap().unwrap().text, text);
        // Not shelved: nothing to take back.
        assert!(SourceText::new("a.md", "x".into()).unpacked().is_none());
    }

    #[test]
    fn offsets_become_lines_and_columns() {
        let s = SourceText::new("a.md", "---\nid: x\ntitlé: y\n".into());
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(4), (2, 1));
        assert_eq!(s.line_col(14), (3, 5));
        assert_eq!(s.line(3), Some("titlé: y"));
    }

    #[test]
    fn text_output_has_location_source_caret_and_hint() {
        let s = SourceText::new("content/x.md", "---\nregion: EU\n---\n".into());
        let d = s
            .at(Severity::Error, 2, 1, 6, "unknown key `region`")
            .hint("did you mean `regions`?");
        let text = render_text(&[d]);
        assert_eq!(
            text,
            "content/x.md:2:1: error: unknown key `region`\n  |\n2 | region: EU\n  | ^^^^^^\n  = help: did you mean `regions`?\n\n"
        );
    }

    #[test]
    fn json_has_the_documented_keys() {
        let d = Diagnostic::error("sitrep.toml", "bad").hint("fix");
        let v: serde_json::Value = serde_json::from_str(&render_json(&[d])).unwrap();
        let keys: Vec<_> = v[0].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
        assert_eq!(v[0]["severity"], "error");
        assert_eq!(v[0]["hint"], "fix");
    }

    #[test]
    fn closest_suggests_typos_only() {
        assert_eq!(
            closest("region", ["regions", "id", "title"]),
            Some("regions")
        );
        assert_eq!(closest("EX133183", ["EX1331830", "TM1"]), Some("EX1331830"));
        assert_eq!(closest("zzz", ["regions", "id"]), None);
    }

    #[test]
    fn long_lines_are_cut_around_the_column_and_control_characters_shown() {
        let line = format!("extra: {}x{}", "[".repeat(300), "]".repeat(300));
        let s = SourceText::new("a.md", format!("---\n{line}\n"));
        let d = s.at(Severity::Error, 2, 308, 1, "deep");
        let text = render_text(&[d]);
        let shown: Vec<&str> = text.lines().collect();
        assert!(shown[2].starts_with("2 | …[[["), "{text}");
        assert!(shown[2].chars().count() < 120, "{text}");
        let caret = shown[3].find('^').unwrap();
        assert_eq!(shown[2].chars().nth(caret), Some('x'), "{text}");

        let s = SourceText::new("a.md", "a\0b\n".into());
        let text = render_text(&[s.at(Severity::Error, 1, 2, 1, "nul")]);
        assert!(text.contains("1 | a\u{2400}b\n  |  ^\n"), "{text}");
    }
}
