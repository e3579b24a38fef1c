//! Load: the site root in, every content file out — Markdown documents classified
//! as incident / news / page / home (read by parse, one at a time), and the
//! other files as assets to copy. Reads the file system; parses nothing.

use crate::diag::{Diagnostic, SourceText};
use crate::frontmatter::DocKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A Markdown file found, not yet read: parse reads each as it gets to it,
/// so a large site never holds every file's text unparsed.
pub struct SourceDoc {
    pub kind: DocKind,
    pub path: PathBuf,
    /// Path relative to `content/`, `/`-separated.
    pub content_path: String,
    /// Text to parse instead of the file's (`sitrep update` checks its edit
    /// before writing it).
    pub text: Option<String>,
}

impl SourceDoc {
    /// The file's text, or a diagnostic saying why it cannot be had.
    pub fn read(&self) -> Result<Arc<SourceText>, Diagnostic> {
        let site_path = format!("content/{}", self.content_path);
        Ok(Arc::new(match &self.text {
            Some(t) => SourceText::new(site_path, t.clone()),
            None => {
                let text = read_text(&self.path, &site_path)?;
                SourceText::read_from(site_path, self.path.clone(), text)
            }
        }))
    }
}

pub struct Asset {
    pub path: PathBuf,
    /// Path relative to `content/`, `/`-separated; also its URL path.
    pub content_path: String,
}

#[derive(Default)]
pub struct Loaded {
    pub docs: Vec<SourceDoc>,
    pub assets: Vec<Asset>,
    pub diags: Vec<Diagnostic>,
}

/// `.` and `_` files and folders are the writer's scratch space, except `_index.md`.
pub fn ignored(name: &str) -> bool {
    (name.starts_with('.') || name.starts_with('_')) && name != "_index.md"
}

pub fn classify(content_path: &str) -> DocKind {
    if content_path == "_index.md" {
        DocKind::Home
    } else if content_path.starts_with("incidents/") {
        DocKind::Incident
    } else if content_path.starts_with("news/") {
        DocKind::News
    } else {
        DocKind::Page
    }
}

pub fn load(root: &Path) -> Loaded {
    let content = root.join("content");
    let mut out = Loaded::default();
    if !content.is_dir() {
        out.diags.push(
            Diagnostic::error("content", "there is no `content/` folder")
                .hint("create `content/incidents/` and put one Markdown file per incident there"),
        );
        return out;
    }
    let (files, diags) = walk(root, &content);
    out.diags = diags;
    for (content_path, path) in files {
        if !content_path.ends_with(".md") {
            out.assets.push(Asset { path, content_path });
            continue;
        }
        out.docs.push(SourceDoc {
            kind: classify(&content_path),
            path,
            content_path,
            text: None,
        });
    }
    out
}

/// Does the loader read this content path? Not `.`/`_` names (but the root
/// `_index.md`: only there does it mean something).
pub fn is_content(content_path: &str) -> bool {
    !(content_path.split('/').any(ignored)
        || content_path.contains('/') && content_path.ends_with("/_index.md"))
}

/// The files below `dir` (a folder inside `<root>/content`) that the loader reads,
/// in its order, as (content path, file); and a diagnostic per unreadable entry
/// or symlink that cannot be followed (never skipped silently).
pub fn walk(root: &Path, dir: &Path) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let content = root.join("content");
    let (found, diags) = walk_files(root, dir, &|name| ignored(name));
    let files = found
        .into_iter()
        .filter_map(|path| {
            let content_path = rel(&content, &path);
            is_content(&content_path).then_some((content_path, path))
        })
        .collect();
    (files, diags)
}

/// Every file below `dir`, sorted by name, following symbolic links that stay
/// inside the site `root`; names for which `skip` is true are left out (and
/// not descended into). A link out of the root, a loop or a dangling link is
/// a diagnostic, as is any unreadable entry.
pub fn walk_files(
    root: &Path,
    dir: &Path,
    skip: &dyn Fn(&str) -> bool,
) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let (mut files, mut diags) = (Vec::new(), Vec::new());
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let e = match entry {
            Ok(e) if e.depth() > 0 && skip(&e.file_name().to_string_lossy()) => {
                if e.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
            Ok(e) => e,
            Err(e) => {
                diags.push(walk_error(root, &e));
                continue;
            }
        };
        if e.path_is_symlink() {
            let target = std::fs::canonicalize(e.path());
            if !target.as_ref().is_ok_and(|t| t.starts_with(&real_root)) {
                let to = target.map_or_else(|_| "?".into(), |t| t.display().to_string());
                diags.push(
                    Diagnostic::error(rel(root, e.path()), format!("symbolic link points outside the site folder, at `{to}`"))
                        .hint("sitrep follows links only inside the site root: copy the file or folder into the site, or remove the link"),
                );
                if e.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if e.file_type().is_file() {
            files.push(e.into_path());
        }
    }
    (files, diags)
}

/// A walk error as the writer would describe it: a link loop, a dangling link,
/// or a file that cannot be read.
fn walk_error(root: &Path, e: &walkdir::Error) -> Diagnostic {
    let p = e.path().map_or_else(|| "content".into(), |p| rel(root, p));
    if let Some(ancestor) = e.loop_ancestor() {
        return Diagnostic::error(
            p,
            format!(
                "symbolic link makes a loop: it points at `{}`, a folder it is inside",
                rel(root, ancestor)
            ),
        )
        .hint("remove the link, or point it at a folder that does not contain it");
    }
    let dangling = e.path().is_some_and(|p| {
        p.symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
            && !p.exists()
    });
    if dangling {
        let to = e
            .path()
            .and_then(|p| std::fs::read_link(p).ok())
            .map_or_else(|| "?".into(), |t| t.display().to_string());
        return Diagnostic::error(
            p,
            format!("symbolic link points at `{to}`, which does not exist"),
        )
        .hint("fix the link's target or remove the link");
    }
    Diagnostic::error(p, format!("cannot read: {e}")).hint("check the file's permissions")
}

/// Read a file as UTF-8 text, or say where it is not (and where a NUL byte is),
/// by line and column, quoting the line.
pub fn read_text(path: &Path, shown: &str) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(shown, format!("cannot read the file: {e}")))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| at + p);
            // Everything before `at` is valid UTF-8, so the column counts characters.
            let column = String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1;
            let shown_line = String::from_utf8_lossy(&bytes[start..end])
                .trim_end_matches('\r')
                .to_string();
            let mut d = Diagnostic::error(
                shown,
                format!(
                    "the file is not valid UTF-8 (byte {at} is 0x{:02X})",
                    bytes[at]
                ),
            )
            .hint("save the file as UTF-8 in your editor (it is probably Latin-1 or Windows-1252)");
            d.line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            d.column = column;
            d.source_line = Some(shown_line.into());
            return Err(d);
        }
    };
    if let Some(at) = text.find('\0') {
        let src = SourceText::new(shown, text);
        return Err(src
            .at_offset(crate::diag::Severity::Error, at, 1, "the file contains a NUL byte")
            .hint("remove the invisible NUL character; it often comes from a bad copy and paste or a binary file saved as .md"));
    }
    Ok(text)
}

/// `base`-relative path with `/` separators.
pub fn rel(base: &Path, path: &Path) -> String {
    let r = path.strip_prefix(base).unwrap_or(path);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
