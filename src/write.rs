//! Write: rendered files in, a complete output folder out — built in a private
//! folder beside the target and swapped in only when everything succeeded, so a
//! failed or killed build leaves the previous output exactly as it was. Also
//! refuses output folders sitrep does not own.

use crate::render::Sink;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The marker that says "sitrep wrote this folder"; a non-empty folder without
/// it is not replaced unless `--force`.
pub const MARKER: &str = ".sitrep-output";
const MARKER_TEXT: &str = "This folder is written by sitrep build and replaced on every build.\n";

/// Why an output folder was refused (usage error, exit 2).
#[derive(Debug)]
pub struct Refusal(pub String, pub String);

/// Check that `output` is a folder sitrep may replace.
pub fn check_output(root: &Path, output: &Path, force: bool) -> Result<(), Refusal> {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        normalise(&p)
    };
    let (root, out) = (abs(root), abs(output));
    let hint =
        "set `output_dir` in sitrep.toml (or --output) to a folder of its own, such as `output`";
    if root.starts_with(&out) {
        return Err(Refusal(
            format!(
                "the output folder `{}` is the site root or one of its parents",
                out.display()
            ),
            hint.into(),
        ));
    }
    for own in ["content", "themes", "static", "templates"] {
        if out.starts_with(root.join(own)) {
            return Err(Refusal(
                format!(
                    "the output folder `{}` is inside the site's `{own}/`",
                    out.display()
                ),
                hint.into(),
            ));
        }
    }
    if out.join(".git").exists() || out.join("sitrep.toml").exists() {
        return Err(Refusal(
            format!(
                "the output folder `{}` holds a `.git` or a `sitrep.toml`: it is not a build folder",
                out.display()
            ),
            hint.into(),
        ));
    }
    if out.exists() && !out.is_dir() {
        return Err(Refusal(
            format!(
                "the output path `{}` is a file, not a folder",
                out.display()
            ),
            hint.into(),
        ));
    }
    if !force && out.is_dir() && !out.join(MARKER).exists() {
        let non_empty = fs::read_dir(&out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if non_empty {
            return Err(Refusal(
                format!("the output folder `{}` is not empty and was not written by sitrep", out.display()),
                "sitrep replaces its output folder on every build; pass --force to replace it anyway, or choose another folder".into(),
            ));
        }
    }
    Ok(())
}

fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// A staging folder beside the output; dropped (deleted) unless committed.
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Staging {
    pub fn new(output: &Path) -> io::Result<Staging> {
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        clean_stale(parent);
        let dir = tempfile::Builder::new()
            .prefix(".sitrep-build-")
            .tempdir_in(parent)?;
        Ok(Staging {
            dir,
            target: output.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Swap the staged folder in: rename the old output aside, rename the new one
    /// into place, then delete the old one.
    pub fn commit(self) -> io::Result<()> {
        fs::write(self.dir.path().join(MARKER), MARKER_TEXT)?;
        let staged = self.dir.keep();
        let old = self.target.with_file_name(format!(
            ".sitrep-old-{}-{}",
            self.target
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old)?;
        }
        if let Err(e) = fs::rename(&staged, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            let _ = fs::remove_dir_all(&staged);
            return Err(e);
        }
        if had_old {
            fs::remove_dir_all(&old)?;
        }
        Ok(())
    }
}

/// Remove staging folders of builds that were killed (they never held the output).
fn clean_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if (name.starts_with(".sitrep-build-") || name.starts_with(".sitrep-old-"))
            && e.path().is_dir()
        {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Writes rendered files under a folder.
pub struct DirSink<'a>(pub &'a Path);

impl DirSink<'_> {
    fn target(&self, path: &str) -> io::Result<PathBuf> {
        // Paths come from validated IDs and slugs; this is the last line of defence.
        if path
            .split('/')
            .any(|s| s == ".." || s.is_empty() && !path.is_empty() && path.ends_with('/'))
            || path.starts_with('/')
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output folder: {path}"),
            ));
        }
        let t = self.0.join(path);
        if let Some(p) = t.parent() {
            fs::create_dir_all(p)?;
        }
        Ok(t)
    }
}

impl Sink for DirSink<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        fs::write(self.target(path)?, bytes)
    }

    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        fs::copy(from, self.target(path)?).map(|_| ())
    }
}
