//! Write: rendered files in, a complete output folder out — built in a private
//! folder beside the target and swapped in only when everything succeeded, so a
//! failed or killed build leaves the previous output exactly as it was. Also
//! refuses output folders sitrep does not own.

use crate::render::Sink;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;

/// The marker that says "sitrep wrote this folder"; a non-empty folder without
/// it is not replaced unless `--force`.
pub const MARKER: &str = ".sitrep-output";
const MARKER_TEXT: &str = "This folder is written by sitrep build and replaced on every build.\n";

/// Why an output folder was refused (usage error, exit 2).
#[derive(Debug)]
pub struct Refusal(pub String, pub String);

/// Check that `output` is a folder sitrep may replace: [`check_location`], then
/// a non-empty folder without sitrep's marker is refused unless `force`.
pub fn check_output(root: &Path, output: &Path, force: bool) -> Result<(), Refusal> {
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
pub fn check_location(root: &Path, output: &Path) -> Result<(), Refusal> {
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

/// A staging folder beside the output; dropped (deleted) unless committed.
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
}

/// `.sitrep-build-<output name>-…`: staging folders of this output, so stale ones
/// can be told from other outputs' (a build into `public/` leaves `output/`'s alone).
fn staging_prefix(target: &Path) -> String {
    format!(".sitrep-build-{}-", file_name(target))
}

fn old_prefix(target: &Path) -> String {
    format!(".sitrep-old-{}-", file_name(target))
}

fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Staging {
    pub fn new(output: &Path) -> io::Result<Staging> {
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        recover(output);
        let dir = tempfile::Builder::new()
            .prefix(&staging_prefix(output))
            .tempdir_in(parent)?;
        Ok(Staging {
            dir,
            target: output.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Swap the staged folder in. On Linux one `renameat2(RENAME_EXCHANGE)` swaps
    /// the two folders atomically, so the output is the old one or the new one at
    /// every instant, even if the process is killed. Elsewhere (or on a file system
    /// without it) the old folder is renamed aside first; a build killed between
    /// the two renames is repaired by the next one (see [`recover`]).
    pub fn commit(self) -> io::Result<()> {
        fs::write(self.dir.path().join(MARKER), MARKER_TEXT)?;
        let staged = self.dir.keep();
        if !self.target.exists() {
            return fs::rename(&staged, &self.target).inspect_err(|_| {
                let _ = fs::remove_dir_all(&staged);
            });
        }
        if exchange(&staged, &self.target).is_ok() {
            // `staged` now holds the previous output.
            return fs::remove_dir_all(&staged);
        }
        let old = self.target.with_file_name(format!(
            "{}{}",
            old_prefix(&self.target),
            std::process::id()
        ));
        fs::rename(&self.target, &old)?;
        if let Err(e) = fs::rename(&staged, &self.target) {
            let _ = fs::rename(&old, &self.target);
            let _ = fs::remove_dir_all(&staged);
            return Err(e);
        }
        fs::remove_dir_all(&old)
    }
}

/// Atomically exchange two paths (both must exist).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::raw::{c_char, c_int, c_uint};
    use std::os::unix::ffi::OsStrExt;
    unsafe extern "C" {
        // glibc ≥ 2.28; the libc crate declares it the same way.
        fn renameat2(
            olddirfd: c_int,
            oldpath: *const c_char,
            newdirfd: c_int,
            newpath: *const c_char,
            flags: c_uint,
        ) -> c_int;
    }
    const AT_FDCWD: c_int = -100;
    const RENAME_EXCHANGE: c_uint = 2;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both arguments are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        renameat2(
            AT_FDCWD,
            ca.as_ptr(),
            AT_FDCWD,
            cb.as_ptr(),
            RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Tidy up after builds that were killed: their staging folders never held the
/// output and go. A `.sitrep-old-…` folder is the previous output set aside by a
/// build killed mid-swap: if the output itself is missing it is put back, never
/// deleted.
fn recover(target: &Path) {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let (staging, old) = (staging_prefix(target), old_prefix(target));
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if !e.path().is_dir() {
            continue;
        }
        if name.starts_with(&staging) {
            let _ = fs::remove_dir_all(e.path());
        } else if name.starts_with(&old) {
            if !target.exists() {
                let _ = fs::rename(e.path(), target);
            } else {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Writes rendered files under a folder. Remembers the folders it made: a build
/// writes thousands of files into a few shared folders (`api/incidents/`, each
/// term's), and a `mkdir` per file that only fails with "exists" is a syscall and
/// a path walk each.
pub struct DirSink<'a> {
    root: &'a Path,
    made: RwLock<HashSet<String>>,
}

impl<'a> DirSink<'a> {
    pub fn new(root: &'a Path) -> DirSink<'a> {
        DirSink {
            root,
            made: RwLock::new(HashSet::new()),
        }
    }

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
        self.make_dir(path.rsplit_once('/').map_or("", |(dir, _)| dir))?;
        Ok(self.root.join(path))
    }

    /// `dir` (relative, `/`-separated) exists after this; at most one `mkdir`
    /// for a folder whose parent exists, none for one made before.
    fn make_dir(&self, dir: &str) -> io::Result<()> {
        if self.made.read().is_ok_and(|m| m.contains(dir)) {
            return Ok(());
        }
        let full = self.root.join(dir);
        match fs::create_dir(&full) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match dir.rsplit_once('/') {
                    Some((parent, _)) => self.make_dir(parent)?,
                    None => fs::create_dir_all(self.root)?,
                }
                match fs::create_dir(&full) {
                    Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                    _ => {}
                }
            }
            Err(e) => return Err(e),
        }
        if let Ok(mut m) = self.made.write() {
            m.insert(dir.to_string());
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        fs::write(root.join("sitrep.toml"), "").unwrap();
        (tmp, root)
    }

    #[test]
    fn refuses_the_site_its_parents_and_its_sources() {
        let (tmp, root) = site();
        for bad in [
            root.clone(),
            tmp.path().to_path_buf(),
            root.join("content"),
            root.join("content/x"),
            root.join("themes/default"),
            root.join("static"),
            root.join("templates"),
            root.join("output/../content"),
            root.join(".git/out"),
        ] {
            assert!(
                check_output(&root, &bad, true).is_err(),
                "{} was accepted",
                bad.display()
            );
        }
        assert!(check_output(&root, &root.join("output"), false).is_ok());
        assert!(check_output(&root, &root.join("contents"), false).is_ok());
    }

    #[test]
    fn a_foreign_folder_needs_force_and_a_marked_one_does_not() {
        let (_tmp, root) = site();
        let out = root.join("public");
        fs::create_dir_all(&out).unwrap();
        assert!(check_output(&root, &out, false).is_ok(), "empty is fine");
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let Refusal(msg, hint) = check_output(&root, &out, false).unwrap_err();
        assert!(msg.contains("not written by sitrep"), "{msg}");
        assert!(hint.contains("--force"), "{hint}");
        assert!(check_output(&root, &out, true).is_ok());
        fs::write(out.join(MARKER), "").unwrap();
        assert!(check_output(&root, &out, false).is_ok());
    }

    #[test]
    fn commit_swaps_in_the_new_output_and_leaves_nothing_behind() {
        let (_tmp, root) = site();
        let out = root.join("output");
        for version in ["one", "two"] {
            let staging = Staging::new(&out).unwrap();
            DirSink::new(staging.path())
                .put("index.html", version.as_bytes().to_vec())
                .unwrap();
            staging.commit().unwrap();
            assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), version);
            assert!(out.join(MARKER).is_file());
        }
        let names: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".sitrep"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn a_dropped_staging_folder_leaves_the_output_alone() {
        let (_tmp, root) = site();
        let out = root.join("output");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "old").unwrap();
        let staging = Staging::new(&out).unwrap();
        DirSink::new(staging.path())
            .put("index.html", b"new".to_vec())
            .unwrap();
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
    }

    #[test]
    fn the_output_set_aside_by_a_killed_swap_is_put_back_not_deleted() {
        let (_tmp, root) = site();
        let out = root.join("output");
        // What a build killed between its two renames leaves: no output, the
        // previous one set aside, and a staging folder.
        let aside = root.join(format!("{}4242", old_prefix(&out)));
        fs::create_dir_all(&aside).unwrap();
        fs::write(aside.join("index.html"), "previous").unwrap();
        fs::create_dir_all(root.join(format!("{}abc", staging_prefix(&out)))).unwrap();
        let staging = Staging::new(&out).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("index.html")).unwrap(),
            "previous"
        );
        assert!(!aside.exists());
        drop(staging);
        let left: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".sitrep"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn the_sink_makes_missing_folders_once_and_shares_existing_ones() {
        let (_tmp, root) = site();
        let out = root.join("not/yet");
        let sink = DirSink::new(&out);
        let files = [
            "top.html",
            "a/b/c.html",
            "a/b/d.html",
            "a/e.html",
            "f/g/h/i.json",
        ];
        for p in files {
            sink.put(p, p.as_bytes().to_vec()).unwrap();
        }
        for p in files {
            assert_eq!(fs::read_to_string(out.join(p)).unwrap(), p);
        }
        let made = sink.made.read().unwrap();
        let mut made: Vec<_> = made.iter().map(String::as_str).collect();
        made.sort();
        assert_eq!(made, ["", "a", "a/b", "f", "f/g", "f/g/h"]);
    }

    #[test]
    fn the_sink_never_writes_outside_its_folder() {
        let (_tmp, root) = site();
        let sink = DirSink::new(&root);
        for bad in ["../x", "/etc/x", "a/../../x"] {
            assert!(sink.put(bad, Vec::new()).is_err(), "{bad}");
        }
    }
}
