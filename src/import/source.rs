//! Command-line SOURCEs in, the documents to read out: a file (whatever its
//! extension), the matching files of a folder (sorted, so runs are repeatable),
//! or the body of a URL. Also parses JSON documents into diagnostics that name
//! file, line and column.

use super::fetch;
use crate::diag::{Diagnostic, Severity, SourceText};
use std::path::Path;

/// One document to import, named as the user will recognise it.
pub(crate) struct Doc {
    pub name: String,
    pub text: String,
}

/// Which files a folder contributes.
#[derive(Clone, Copy)]
pub(crate) enum Want {
    Json,
    Markdown,
}

/// Read every SOURCE. Unreadable sources are errors; the rest are returned.
pub(crate) fn read(
    sources: &[String],
    want: Want,
    statuspage: bool,
) -> (Vec<Doc>, Vec<Diagnostic>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for s in sources {
        if fetch::is_url(s) {
            let urls = if statuspage {
                fetch::statuspage_urls(s)
            } else {
                vec![s.clone()]
            };
            for url in urls {
                match fetch::get(&url) {
                    Ok(text) => docs.push(Doc { name: url, text }),
                    Err(d) => errors.push(d),
                }
            }
            continue;
        }
        let path = Path::new(s);
        if path.is_dir() {
            match folder_files(path, want) {
                Ok(files) => {
                    for f in files {
                        push_file(&f, &mut docs, &mut errors);
                    }
                }
                Err(d) => errors.push(d),
            }
        } else {
            push_file(path, &mut docs, &mut errors);
        }
    }
    (docs, errors)
}

fn push_file(path: &Path, docs: &mut Vec<Doc>, errors: &mut Vec<Diagnostic>) {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => docs.push(Doc { name, text }),
            Err(e) => errors.push(
                Diagnostic::error(
                    &name,
                    format!(
                        "`{name}` is not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                )
                .hint("export the source as UTF-8"),
            ),
        },
        Err(e) => errors.push(
            Diagnostic::error(&name, format!("cannot read `{name}`: {e}"))
                .hint("check the path and its permissions"),
        ),
    }
}

/// The folder's files of the wanted kind, recursively, sorted by path. A
/// cState or Statusfy site folder contributes its `content/` (cState: its
/// `content/issues/`); names starting with `.` or `_` are left out, as Hugo does.
fn folder_files(dir: &Path, want: Want) -> Result<Vec<std::path::PathBuf>, Diagnostic> {
    let root = [dir.join("content/issues"), dir.join("content")]
        .into_iter()
        .find(|d| matches!(want, Want::Markdown) && d.is_dir())
        .unwrap_or_else(|| dir.to_path_buf());
    let ext = match want {
        Want::Json => "json",
        Want::Markdown => "md",
    };
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !e.file_name().to_string_lossy().starts_with(['.', '_'])
        })
    {
        let entry = entry.map_err(|e| {
            Diagnostic::error(
                dir.display().to_string(),
                format!("cannot read the folder `{}`: {e}", dir.display()),
            )
            .hint("check its permissions")
        })?;
        let is_wanted = entry
            .path()
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case(ext));
        if entry.file_type().is_file() && is_wanted {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// Parse a JSON document; a syntax error names the document, line and column.
pub(crate) fn json(doc: &Doc) -> Result<serde_json::Value, Diagnostic> {
    serde_json::from_str(&doc.text).map_err(|e| {
        let src = SourceText::new(doc.name.clone(), doc.text.clone());
        let what = e.to_string();
        let what = what.split(" at line ").next().unwrap_or(&what).to_string();
        let line = e.line().max(1).min(src.line_count());
        let msg = if doc.text.trim().is_empty() {
            "the JSON document is empty".to_string()
        } else {
            format!("invalid JSON: {what}")
        };
        src.at(Severity::Error, line, e.column().max(1), 1, msg)
            .hint("export the document again; a truncated download ends before its last `}` or `]`")
    })
}
