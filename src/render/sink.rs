//! Where render puts files: the [`Sink`] trait (a folder on disk for
//! `build`, memory for `serve`, nothing for `check`), and [`Recording`],
//! which notes the paths of what passes through (the clash check's list of
//! the machine outputs' files).

/// Takes each file (path, text) of a machine job as the job makes it: a
/// build writes it at once, so a job of many files (the search index) never
/// holds them all.
pub(crate) type Emit<'e> = dyn FnMut(String, String) + 'e;

/// Where rendered files go: a folder on disk for `build`, memory for `serve`.
pub(crate) trait Sink: Sync {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()>;
    fn copy(&self, path: &str, from: &std::path::Path) -> std::io::Result<()> {
        self.put(path, std::fs::read(from)?)
    }
    /// True once the sink has given up (a full disk): render stops rendering.
    fn stopped(&self) -> bool {
        false
    }
    /// `path` (of `size` bytes) stays as the previous output holds it,
    /// unrendered: a rebuild checked it is the file the last build wrote.
    fn keep(&self, path: &str, size: u64) {
        let _ = (path, size);
    }
}

/// Passes files on to `inner`, noting their paths (the files the feeds write).
pub(super) struct Recording<'a> {
    pub(super) inner: &'a dyn Sink,
    pub(super) files: std::sync::Mutex<Vec<String>>,
}

impl Sink for Recording<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        self.inner.put(path, bytes)
    }
    fn stopped(&self) -> bool {
        self.inner.stopped()
    }
    fn keep(&self, path: &str, size: u64) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        self.inner.keep(path, size);
    }
}
