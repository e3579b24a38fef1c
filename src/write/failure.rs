//! A failed write as one diagnostic: the first error of the write stage in
//! (after it, nothing more is written), one message out that names the output
//! folder, what went wrong and what to do — for a full disk also how much the
//! build had written and how much space was free when it began.

use crate::diag::Diagnostic;
use std::io;
use std::path::{Path, PathBuf};

/// The write stage stopped. The previous output is as it was.
#[derive(Debug)]
pub(crate) struct WriteError {
    pub(super) output: PathBuf,
    pub(super) error: io::Error,
    /// Files and bytes this build had staged when it stopped.
    pub(super) written: (u64, u64),
    /// Bytes free (for this user) on the output's disk when the build began.
    pub(super) free_at_start: Option<u64>,
}

impl WriteError {
    pub(super) fn new(output: &Path, error: io::Error) -> WriteError {
        WriteError {
            output: output.to_path_buf(),
            error,
            written: (0, 0),
            free_at_start: None,
        }
    }

    /// Why, in the terms a reader fixes it in.
    fn kind(&self) -> Kind {
        match self.error.kind() {
            io::ErrorKind::StorageFull => Kind::Full,
            io::ErrorKind::QuotaExceeded => Kind::Quota,
            io::ErrorKind::ReadOnlyFilesystem => Kind::ReadOnly,
            io::ErrorKind::PermissionDenied => Kind::Denied,
            _ => Kind::Other,
        }
    }

    pub(crate) fn diagnostic(&self) -> Diagnostic {
        let out = self.output.display();
        let e = &self.error;
        let (files, bytes) = self.written;
        let written = format!(
            "this build had written {files} file{} ({})",
            if files == 1 { "" } else { "s" },
            human(bytes)
        );
        let free = self.free_at_start.map_or(String::new(), |f| {
            format!(", and {} were free when it began", human(f))
        });
        let kept = "the previous output is as it was";
        let (message, hint) = match self.kind() {
            Kind::Full => (
                format!(
                    "cannot write the output folder `{out}`: the disk is full ({e}); {written} when it filled{free}"
                ),
                format!(
                    "free space on the disk that holds `{out}`, or build into a folder on another disk with --output; {kept}"
                ),
            ),
            Kind::Quota => (
                format!(
                    "cannot write the output folder `{out}`: the disk quota is used up ({e}); {written} when it ran out{free}"
                ),
                format!(
                    "free space within your quota, or build into another folder with --output; {kept}"
                ),
            ),
            Kind::ReadOnly => (
                format!(
                    "cannot write the output folder `{out}`: it is on a read-only file system ({e})"
                ),
                format!("mount it read-write, or build into another folder with --output; {kept}"),
            ),
            Kind::Denied => (
                format!("cannot write the output folder `{out}`: permission denied ({e})"),
                format!(
                    "let this user write `{out}` and the folder that holds it, or build into another folder with --output; {kept}"
                ),
            ),
            Kind::Other => (
                format!("cannot write the output folder `{out}`: {e}"),
                kept.to_string(),
            ),
        };
        Diagnostic::error(out.to_string(), message).hint(hint)
    }
}

enum Kind {
    Full,
    Quota,
    ReadOnly,
    Denied,
    Other,
}

/// Bytes free for an unprivileged user on the file system of `dir`.
pub(super) fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut s = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is NUL-terminated and outlives the call; `s` is written by
    // statvfs before it is read, and read only when the call succeeded.
    let r = unsafe { libc::statvfs(c.as_ptr(), s.as_mut_ptr()) };
    if r != 0 {
        return None;
    }
    let s = unsafe { s.assume_init() };
    #[allow(clippy::unnecessary_cast)] // u32 on 32-bit targets
    Some(s.f_bavail as u64 * s.f_frsize as u64)
}

/// `1.2 MiB`, `512 bytes`.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let (mut v, mut unit) = (bytes as f64 / 1024.0, 0);
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_says_how_much_was_written_and_free() {
        let mut w = WriteError::new(
            Path::new("/srv/out"),
            io::Error::from_raw_os_error(libc::ENOSPC),
        );
        w.written = (3, 5 * 1024 * 1024);
        w.free_at_start = Some(1536);
        let d = w.diagnostic();
        assert_eq!(d.file, "/srv/out");
        assert!(
            d.message.contains("`/srv/out`: the disk is full"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("written 3 files (5.0 MiB)"),
            "{}",
            d.message
        );
        assert!(d.message.contains("1.5 KiB were free"), "{}", d.message);
        let ro = WriteError::new(Path::new("o"), io::Error::from_raw_os_error(libc::EROFS));
        assert!(ro.diagnostic().message.contains("read-only"));
    }
}
