//! The previous output as it is on disk: the output folder in, every regular
//! file's size and every folder out. What a file holds is read from its bytes
//! when a rebuild produces a file of the same path and size (nothing about the
//! previous output is assumed, so a file someone edited by hand is replaced).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;

/// Paths are relative to the output folder and `/`-separated, as the sink's.
#[derive(Debug, Default)]
pub(super) struct Previous {
    /// Regular files and their sizes.
    pub files: HashMap<String, u64>,
    /// Folders (not the output folder itself).
    pub dirs: HashSet<String>,
    /// Anything else (symbolic links, sockets): never kept, always removed.
    pub others: Vec<String>,
}

impl Previous {
    /// Walk `root`. An unreadable folder is an error: the update could not tell
    /// what it would leave behind. One thread: a build runs this on its own
    /// thread while it parses (`Staging::new`), where waiting on the disk
    /// costs the parse nothing.
    pub(super) fn scan(root: &Path) -> io::Result<Previous> {
        let mut prev = Previous::default();
        let mut stack = vec![String::new()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(root.join(&dir))? {
                let entry = entry?;
                // A name that is not UTF-8 is none sitrep writes: left as it is.
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                let rel = if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                };
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    prev.dirs.insert(rel.clone());
                    stack.push(rel);
                } else if kind.is_file() {
                    prev.files.insert(rel, entry.metadata()?.len());
                } else {
                    prev.others.push(rel);
                }
            }
        }
        Ok(prev)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.files.is_empty() && self.dirs.is_empty() && self.others.is_empty()
    }

    /// Does `root/path` hold exactly `bytes`? Sizes first; equal sizes are
    /// compared byte for byte. A file gone since the scan is "no".
    pub(super) fn holds(&self, root: &Path, path: &str, bytes: &[u8]) -> io::Result<bool> {
        if self.files.get(path) != Some(&(bytes.len() as u64)) {
            return Ok(false);
        }
        match fs::read(root.join(path)) {
            Ok(old) => Ok(old == bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// What must leave the output before the new files go in: for every
    /// previous entry that the new output does not have, the highest folder
    /// above it (or the entry itself) that holds no new file. Moving those
    /// aside whole keeps the update to one rename per removed subtree.
    pub(super) fn removals(&self, new_files: &HashSet<&str>) -> Vec<String> {
        let mut new_dirs: HashSet<&str> = HashSet::new();
        for f in new_files {
            let mut at = *f;
            while let Some((parent, _)) = at.rsplit_once('/') {
                if !new_dirs.insert(parent) {
                    break;
                }
                at = parent;
            }
        }
        let gone = self
            .files
            .keys()
            .filter(|f| !new_files.contains(f.as_str()))
            .chain(self.dirs.iter().filter(|d| !new_dirs.contains(d.as_str())))
            .chain(&self.others);
        let mut roots: Vec<String> = gone
            .map(|p| highest_outside(p, &new_dirs).to_string())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        roots.sort();
        roots
    }
}

/// The shortest prefix of `path` (at a `/`, or `path` itself) that is not one
/// of `dirs`.
fn highest_outside<'p>(path: &'p str, dirs: &HashSet<&str>) -> &'p str {
    for (i, _) in path.match_indices('/') {
        if !dirs.contains(&path[..i]) {
            return &path[..i];
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_take_whole_folders_that_hold_nothing_new() {
        let mut prev = Previous::default();
        for f in [
            "index.html",
            "incidents/a/index.html",
            "incidents/b/index.html",
            "incidents/b/extra.png",
            "tags/x/index.html",
            "tags/x/page/2/index.html",
        ] {
            prev.files.insert(f.into(), 1);
        }
        for d in [
            "incidents",
            "incidents/a",
            "incidents/b",
            "tags",
            "tags/x",
            "tags/x/page",
            "tags/x/page/2",
            "empty",
        ] {
            prev.dirs.insert(d.into());
        }
        prev.others.push("incidents/a/link".into());
        let new: HashSet<&str> = [
            "index.html",
            "incidents/a/index.html",
            "tags/x/index.html",
            // a file where a folder was
            "incidents/b",
        ]
        .into();
        assert_eq!(
            prev.removals(&new),
            ["empty", "incidents/a/link", "incidents/b", "tags/x/page"]
        );
    }
}
