//! Sinks that put rendered files on disk. [`DirSink`] writes every file under a
//! folder. [`OutputSink`] is the build's: a file whose bytes the previous
//! output already holds at its path is only noted as kept; the others are
//! staged. Its first error stops the write stage: later files are dropped
//! (render stops asking) and the error is kept for one diagnostic.

use super::failure::WriteError;
use super::staging::{Produced, Staging};
use crate::render::Sink;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock, RwLock};

/// The build's sink: compares with the previous output, stages what differs.
pub(crate) struct OutputSink<'s> {
    staging: &'s Staging,
    staged: DirSink<'s>,
    files: Mutex<Vec<(String, bool)>>,
    written: (AtomicU64, AtomicU64),
    failure: OnceLock<io::Error>,
}

impl<'s> OutputSink<'s> {
    pub(super) fn new(staging: &'s Staging, new: &'s Path) -> OutputSink<'s> {
        OutputSink {
            staging,
            staged: DirSink::new(new),
            files: Mutex::new(Vec::new()),
            written: Default::default(),
            failure: OnceLock::new(),
        }
    }

    fn store(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        let kept = match &self.staging.previous {
            Some(prev) => prev.holds(&self.staging.target, path, &bytes)?,
            None => false,
        };
        if !kept {
            let n = bytes.len() as u64;
            self.staged.put(path, bytes)?;
            self.written.0.fetch_add(1, Relaxed);
            self.written.1.fetch_add(n, Relaxed);
        }
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), !kept));
        Ok(())
    }

    /// `path` stays as the previous output holds it, unrendered: the caller
    /// checked the file on disk is the one the last build wrote.
    pub(crate) fn keep_path(&self, path: &str) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), false));
    }

    /// The marker goes in last, like any other file; then what was produced,
    /// or the error that stopped the write stage.
    pub(crate) fn finish(self) -> Result<Produced, WriteError> {
        let _ = self.put(super::MARKER, super::MARKER_TEXT.as_bytes().to_vec());
        if let Some(e) = self.failure.into_inner() {
            let mut w = WriteError::new(&self.staging.target, e);
            w.written = (self.written.0.into_inner(), self.written.1.into_inner());
            w.free_at_start = self.staging.free_at_start;
            return Err(w);
        }
        Ok(Produced {
            files: self.files.into_inner().unwrap_or_else(|e| e.into_inner()),
        })
    }
}

impl Sink for OutputSink<'_> {
    /// Never an error: the first one is kept (see [`OutputSink::finish`]) and
    /// everything after it is dropped, so a full disk is one problem, not one
    /// per file.
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        if self.failure.get().is_none()
            && let Err(e) = self.store(path, bytes)
        {
            let _ = self.failure.set(e);
        }
        Ok(())
    }

    /// A source that cannot be read is the source's problem, reported by render.
    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        if self.stopped() {
            return Ok(());
        }
        self.put(path, fs::read(from)?)
    }

    fn stopped(&self) -> bool {
        self.failure.get().is_some()
    }

    fn keep(&self, path: &str, _size: u64) {
        self.keep_path(path);
    }
}

/// Writes rendered files under a folder. Remembers the folders it made: a build
/// writes thousands of files into a few shared folders (`api/incidents/`, each
/// term's), and a `mkdir` per file that only fails with "exists" is a syscall and
/// a path walk each.
pub(super) struct DirSink<'a> {
    pub(super) root: &'a Path,
    pub(super) made: RwLock<HashSet<String>>,
}

impl<'a> DirSink<'a> {
    pub(super) fn new(root: &'a Path) -> DirSink<'a> {
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
