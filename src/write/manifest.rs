//! The build manifest's file: bytes in and out of
//! `<parent>/.sitrep-manifest-<output name>`, beside the output folder (not in
//! it: the output of the same input stays byte-identical, and uploads never
//! carry it), and the [`Stamp`] that tells whether a file on disk is still the
//! one a build wrote. What the manifest says is `render::reuse`'s business.
//!
//! Its guarantee: a manifest on disk describes the output as it is. A build
//! removes it before it changes the output ([`invalidate`]) and writes the
//! new one only after its commit ([`store`], atomic by rename), so a build
//! killed or failed in between leaves no manifest and the next build renders
//! everything.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What a file on disk is known by: its size, inode and modification time.
/// Any write to it, in place or by replacing it, changes one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Stamp {
    pub size: u64,
    pub ino: u64,
    pub mtime: i64,
    pub mtime_ns: i64,
}

impl Stamp {
    /// The stamp of the regular file at `path`; `None` if there is none.
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        let m = fs::symlink_metadata(path).ok().filter(|m| m.is_file())?;
        Some(Stamp {
            size: m.len(),
            ino: m.ino(),
            mtime: m.mtime(),
            mtime_ns: m.mtime_nsec(),
        })
    }
}

/// Where the manifest of `output` lives.
pub(crate) fn path(output: &Path) -> PathBuf {
    parent(output).join(format!(".sitrep-manifest-{}", name(output)))
}

fn name(output: &Path) -> String {
    output
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parent(output: &Path) -> &Path {
    output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The prefix of a manifest being written (left behind by a kill).
fn tmp_prefix(output: &Path) -> String {
    format!(".sitrep-tmp-manifest-{}-", name(output))
}

/// The manifest's bytes (unpacked), if there is a readable one.
pub(crate) fn load(output: &Path) -> Option<Vec<u8>> {
    // Beside an output that is gone (deleted by hand) it describes nothing:
    // not worth reading, let alone parsing (a 100k manifest is tens of MB).
    if !output.join(super::MARKER).is_file() {
        return None;
    }
    let packed = fs::read(path(output)).ok()?;
    let mut bytes = Vec::new();
    lz4_flex::frame::FrameDecoder::new(&packed[..])
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Remove the manifest before the output changes. A manifest that cannot be
/// removed would outlive the output it describes: that is an error.
pub(crate) fn invalidate(output: &Path) -> Result<(), super::WriteError> {
    // Only one build writes an output at a time (its staging folder is
    // locked), so a half-written manifest of this output is a killed one's.
    let prefix = tmp_prefix(output);
    for e in fs::read_dir(parent(output)).into_iter().flatten().flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(e.path());
        }
    }
    match fs::remove_file(path(output)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(super::WriteError::new(output, e)),
        _ => Ok(()),
    }
}

/// Write the manifest after a commit: `write` streams its bytes, packed as
/// an LZ4 frame on their way, into a temporary file renamed into place, so a
/// reader finds the whole manifest or none. Streamed, because at 100,000
/// incidents the manifest is about 100 MB of JSON: held whole and then
/// packed, it was the peak of the build's memory.
pub(crate) fn store(
    output: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix(&tmp_prefix(output))
        .tempfile_in(parent(output))?;
    let mut frame = lz4_flex::frame::FrameEncoder::new(io::BufWriter::new(tmp));
    write(&mut frame)?;
    let tmp = frame.finish().map_err(io::Error::other)?;
    let tmp = tmp.into_inner().map_err(|e| e.into_error())?;
    tmp.persist(path(output)).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_manifest_loads_and_an_invalidated_one_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(super::super::MARKER), "").unwrap();
        assert_eq!(load(&out), None);
        fs::write(dir.path().join(".sitrep-tmp-manifest-public-x1"), "cut off").unwrap();
        store(&out, |w| w.write_all(b"{\"a\":1}")).unwrap();
        assert!(dir.path().join(".sitrep-manifest-public").is_file());
        assert_eq!(load(&out).as_deref(), Some(&b"{\"a\":1}"[..]));
        invalidate(&out).unwrap();
        invalidate(&out).unwrap();
        assert_eq!(load(&out), None);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the output: {leftovers:?}");
    }

    #[test]
    fn a_manifest_beside_an_output_that_is_gone_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(super::super::MARKER), "").unwrap();
        store(&out, |w| w.write_all(b"{}")).unwrap();
        assert!(load(&out).is_some());
        fs::remove_dir_all(&out).unwrap();
        assert_eq!(load(&out), None);
    }

    #[test]
    fn a_stamp_changes_when_a_file_is_rewritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.html");
        fs::write(&f, "one").unwrap();
        let before = Stamp::of(&f).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&f, "two").unwrap();
        let after = Stamp::of(&f).unwrap();
        assert_eq!(before.size, after.size);
        assert_ne!(before, after);
        assert_eq!(Stamp::of(&dir.path().join("missing")), None);
        assert_eq!(Stamp::of(dir.path()), None);
    }
}
