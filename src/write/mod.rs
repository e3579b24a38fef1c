//! Write: rendered files in, an output folder out. A first build is written
//! in a private folder beside the target and renamed into place. A rebuild
//! updates the previous output in place: a file whose bytes did not change is
//! not touched (its inode and modification time stay, so `rsync`, `aws s3
//! sync` and `rclone sync` move only what changed), changed files are staged
//! first and moved in under a journal that undoes a killed or failed update.
//! Also refuses output folders sitrep does not own.

mod failure;
mod journal;
pub(crate) mod manifest;
mod previous;
mod sink;
mod staging;

pub(crate) use failure::WriteError;
pub(crate) use sink::OutputSink;
pub(crate) use staging::{Staging, Written};

/// Undo what builds killed while updating `output` left (see
/// [`Staging::new`], which does the same).
pub(crate) fn recover(output: &std::path::Path) -> Result<(), WriteError> {
    staging::recover(output).map_err(|e| WriteError::new(output, e))
}

use std::fs;
use std::path::{Component, Path, PathBuf};

/// The marker that says "sitrep wrote this folder"; a non-empty folder without
/// it is not replaced unless `--force`.
pub(crate) const MARKER: &str = ".sitrep-output";
const MARKER_TEXT: &str = "This folder is written by sitrep build and updated on every build.\n";

/// Why an output folder was refused (usage error, exit 2).
#[derive(Debug)]
pub(crate) struct Refusal(pub String, pub String);

/// Check that `output` is a folder sitrep may replace: [`check_location`], then
/// a non-empty folder without sitrep's marker is refused unless `force`.
pub(crate) fn check_output(root: &Path, output: &Path, force: bool) -> Result<(), Refusal> {
    check_location(root, output)?;
    let out = resolve(output);
    if !force && out.is_dir() && !out.join(MARKER).exists() {
        let non_empty = fs::read_dir(&out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if non_empty {
            return Err(Refusal(
                format!(
                    "the output folder `{}` is not empty and was not written by sitrep",
                    out.display()
                ),
                format!(
                    "sitrep replaces its output folder on every build and marks it with a `{MARKER}` file; pass --force to replace this one anyway, or choose another folder"
                ),
            ));
        }
    }
    Ok(())
}

/// The checks that do not depend on `--force`: the output may not be the site
/// root or a parent of it, lie inside the site's own sources or a `.git` folder,
/// or be a folder that holds a repository or another site. `check` runs these
/// too, so it reports what `build` would refuse.
pub(crate) fn check_location(root: &Path, output: &Path) -> Result<(), Refusal> {
    let (root, out) = (resolve(root), resolve(output));
    let hint =
        "set `output_dir` in sitrep.toml (or --output) to a folder of its own, such as `output`";
    if root.starts_with(&out) {
        let what = if root == out {
            "the site root"
        } else {
            "a parent of the site root"
        };
        return Err(Refusal(
            format!(
                "the output folder `{}` is {what}: building there would replace the site itself",
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
    if out.components().any(|c| c.as_os_str() == ".git") {
        return Err(Refusal(
            format!(
                "the output folder `{}` is inside a `.git` folder",
                out.display()
            ),
            hint.into(),
        ));
    }
    for foreign in [".git", "sitrep.toml"] {
        if out.join(foreign).exists() {
            return Err(Refusal(
                format!(
                    "the output folder `{}` holds a `{foreign}`: it is a repository or a site, not a build folder",
                    out.display()
                ),
                hint.into(),
            ));
        }
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
    Ok(())
}

/// Absolute, without `.`/`..`, and with symbolic links resolved as far as the
/// path exists (so a link named `output` that points at `content/` is caught).
fn resolve(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let abs = normalise(&abs);
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
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

#[cfg(test)]
mod tests;
