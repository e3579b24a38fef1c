//! The staging folder and the commit: rendered files in (through an
//! [`OutputSink`]), the output folder out. Beside the output lies a private
//! `.sitrep-build-<name>-…` folder holding `new/` (staged files), `old/` (what
//! an update moved aside) and the journal.
//!
//! A first build renames `new/` into place: the output appears whole or not
//! at all. A rebuild leaves every file whose bytes did not change alone
//! (same inode, same modification time) and, only once everything rendered
//! and staged, moves changed files in and removed ones aside under the
//! journal; a failure undoes the journaled steps at once, a kill is undone by
//! the next build. This was measured against hard-linking every unchanged
//! file into a fresh staged tree (bench/publish-strategies.sh): on ext4 that
//! recreates every folder and deletes the previous tree on every build.

use super::failure::{WriteError, free_space};
use super::journal::{self, Journal, Step};
use super::previous::Previous;
use std::collections::HashSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// A staging folder beside the output; deleted unless an update failed in a
/// way it could not undo (then it holds the previous files and is kept).
pub(crate) struct Staging {
    dir: tempfile::TempDir,
    pub(super) new: PathBuf,
    pub(super) target: PathBuf,
    /// The previous output, when there is one with anything in it; read
    /// on a thread of its own while the site is parsed ([`Staging::settle`]).
    pub(super) previous: Option<Previous>,
    scan: Option<std::thread::JoinHandle<io::Result<Previous>>>,
    pub(super) free_at_start: Option<u64>,
    /// Held while this build runs, so another build's recovery leaves it be.
    _lock: File,
}

/// Every file of a finished render: its path, and whether it was staged
/// (changed or new) rather than kept as the previous output holds it.
#[derive(Debug, Default)]
pub(crate) struct Produced {
    pub(super) files: Vec<(String, bool)>,
}

/// What a commit did.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Written {
    /// Files written: new, or whose bytes changed.
    pub changed: usize,
    /// Files left exactly as they were.
    pub kept: usize,
    /// Files or whole folders of the previous output removed.
    pub removed: usize,
}

/// `.sitrep-build-<output name>-…`: staging folders of this output, so stale ones
/// can be told from other outputs' (a build into `public/` leaves `output/`'s alone).
pub(super) fn staging_prefix(target: &Path) -> String {
    format!(".sitrep-build-{}-", file_name(target))
}

/// What a build of an earlier version left when killed mid-swap.
pub(super) fn old_prefix(target: &Path) -> String {
    format!(".sitrep-old-{}-", file_name(target))
}

fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parent_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

impl Staging {
    /// Undo what killed builds left, then make this build's staging folder and
    /// start reading what the previous output holds. Fails early, before any
    /// rendering, on an output folder that cannot be written.
    pub(crate) fn new(output: &Path) -> Result<Staging, WriteError> {
        let fail = |e| WriteError::new(output, e);
        let parent = parent_of(output);
        fs::create_dir_all(parent).map_err(fail)?;
        recover(output).map_err(fail)?;
        // A 10k site's output is 41,000 files and folders: reading them
        // waits on the disk, which is better done while the build parses.
        let scan = if output.is_dir() {
            writable(output).map_err(fail)?;
            let at = output.to_path_buf();
            Some(std::thread::spawn(move || Previous::scan(&at)))
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix(&staging_prefix(output))
            .tempdir_in(parent)
            .map_err(fail)?;
        let lock = lock(dir.path()).map_err(fail)?;
        let new = dir.path().join("new");
        fs::create_dir(&new).map_err(fail)?;
        Ok(Staging {
            new,
            target: output.to_path_buf(),
            previous: None,
            scan,
            free_at_start: free_space(parent),
            _lock: lock,
            dir,
        })
    }

    /// Wait for the read of the previous output to end (once).
    fn settle(&mut self) -> Result<(), WriteError> {
        if let Some(scan) = self.scan.take() {
            let scanned = scan
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("reading the previous output failed")));
            let scanned = scanned.map_err(|e| WriteError::new(&self.target, e))?;
            self.previous = Some(scanned).filter(|p| !p.is_empty());
        }
        Ok(())
    }

    /// Where render puts the files of this build, once what the previous
    /// output holds is known.
    pub(crate) fn sink(&mut self) -> Result<super::OutputSink<'_>, WriteError> {
        self.settle()?;
        Ok(super::OutputSink::new(self, &self.new))
    }

    /// Put the produced files in place (see the module's doc).
    pub(crate) fn commit(mut self, produced: Produced) -> Result<Written, WriteError> {
        self.settle()?;
        let changed = produced.files.iter().filter(|(_, c)| *c).count();
        let Some(prev) = &self.previous else {
            self.swap_in()
                .map_err(|e| WriteError::new(&self.target, e))?;
            return Ok(Written {
                changed,
                ..Written::default()
            });
        };
        let new_files: HashSet<&str> = produced.files.iter().map(|(p, _)| p.as_str()).collect();
        let removals = prev.removals(&new_files);
        let stage = self.dir.path();
        let result = Journal::create(stage, &self.target)
            .and_then(|j| update(j, prev, &removals, &produced));
        if let Err(e) = result {
            if let Err(undo) = journal::roll_back(stage, &self.target) {
                let kept = self.dir.keep();
                let e = io::Error::new(
                    e.kind(),
                    format!(
                        "{e}; undoing the update failed too ({undo}): the previous files are in `{}`, and the next build puts them back",
                        kept.display()
                    ),
                );
                return Err(WriteError::new(&self.target, e));
            }
            return Err(WriteError::new(&self.target, e));
        }
        Ok(Written {
            changed,
            kept: produced.files.len() - changed,
            removed: removals.len(),
        })
    }

    /// A first build, or one into an empty folder: the staged tree becomes
    /// the output in one rename.
    fn swap_in(&self) -> io::Result<()> {
        if self.target.is_dir() {
            // Empty (else there would be a previous output): swap, then drop it.
            if exchange(&self.new, &self.target).is_ok() {
                return fs::remove_dir(&self.new);
            }
            fs::remove_dir(&self.target)?;
        }
        fs::rename(&self.new, &self.target)
    }
}

/// The steps of an update, in order: removals first (so a file can take a
/// removed folder's place), then each staged file, after the folders it needs.
pub(super) fn plan(prev: &Previous, removals: &[String], produced: &Produced) -> Vec<Step> {
    let mut steps: Vec<Step> = removals.iter().cloned().map(Step::Moved).collect();
    let mut made: HashSet<&str> = HashSet::new();
    let mut staged: Vec<&str> = produced
        .files
        .iter()
        .filter(|(_, c)| *c)
        .map(|(p, _)| p.as_str())
        .collect();
    staged.sort_unstable();
    for p in staged {
        // Folders above a new file are never among the removals.
        for (i, _) in p.match_indices('/') {
            let d = &p[..i];
            if !prev.dirs.contains(d) && made.insert(d) {
                steps.push(Step::Dir(d.to_string()));
            }
        }
        if prev.files.contains_key(p) {
            steps.push(Step::Linked(p.to_string()));
        }
        steps.push(Step::New(p.to_string()));
    }
    steps
}

fn update(
    mut j: Journal,
    prev: &Previous,
    removals: &[String],
    produced: &Produced,
) -> io::Result<()> {
    for step in plan(prev, removals, produced) {
        j.run(step)?;
    }
    j.commit()
}

/// Can this process write into `dir`? Asked up front so a read-only or
/// forbidden output fails before the render, not after it.
fn writable(dir: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c` is a NUL-terminated string that outlives the call.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// An exclusive lock on `dir`, or `WouldBlock` if another process holds it.
fn lock(dir: &Path) -> io::Result<File> {
    use std::os::fd::AsRawFd;
    let f = File::open(dir)?;
    // SAFETY: flock on a file descriptor this function owns.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        Ok(f)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Tidy up after builds that were killed. A staging folder with an unfinished
/// journal is an update cut off midway: its steps are undone, so the output
/// is the previous one again, and only then is the folder deleted. A staging
/// folder another build holds locked means that build is still running. A
/// `.sitrep-old-…` folder (left by an earlier version of sitrep killed while
/// swapping folders) is the previous output: put back if the output is
/// missing, never deleted otherwise.
pub(super) fn recover(target: &Path) -> io::Result<()> {
    let parent = parent_of(target);
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
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
            let _held = lock(&e.path()).map_err(|err| {
                if err.kind() == io::ErrorKind::WouldBlock {
                    io::Error::new(
                        err.kind(),
                        format!("another sitrep build is writing this output right now (its staging folder is `{name}`); wait for it to finish"),
                    )
                } else {
                    err
                }
            })?;
            journal::roll_back(&e.path(), target).map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("a build killed while updating the output left `{name}`, and undoing its changes failed: {err}"),
                )
            })?;
            fs::remove_dir_all(e.path())?;
        } else if name.starts_with(&old) {
            if !target.exists() {
                fs::rename(e.path(), target)?;
            } else {
                fs::remove_dir_all(e.path())?;
            }
        }
    }
    Ok(())
}

/// Atomically exchange two paths (both must exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both arguments are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}
