//! serve's engine in this process: a site in a temp dir, edits applied in
//! batches the way the watcher hands them over, "now" from a clock the test
//! moves, and everything served compared byte for byte with `sitrep build`
//! of the same files at the same "now". No HTTP and no file watching, so
//! batches are exactly what the test says (the HTTP layer is tested apart).

use super::common::{BIN, EPOCH, write};
use sitrep::serve::incremental::{Body, Engine, Outcome, Publish, Update};
use sitrep::serve::watch::{Changes, classify};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The address the engine builds for (never listened on).
pub const BASE: &str = "http://127.0.0.1:1111/";

/// What serve would serve: path → body, as published.
#[derive(Default)]
pub struct Served(pub BTreeMap<String, Body>);

impl Publish for Served {
    fn publish(&mut self, update: Update) {
        for (path, body) in update {
            match body {
                Some(b) => self.0.insert(path, b),
                None => self.0.remove(&path),
            };
        }
    }
}

fn bytes(b: &Body) -> Vec<u8> {
    match b {
        Body::Bytes(b) => b.to_vec(),
        Body::Static(b) => b.to_vec(),
        Body::File(p) => std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    }
}

/// The engine on a site, with its own clock.
pub struct Live {
    pub root: PathBuf,
    engine: Engine,
    pub served: Served,
    /// "Now", in seconds since 1970.
    epoch: Arc<AtomicI64>,
    /// Serving the internal build (`--internal`).
    internal: bool,
}

impl Live {
    /// The first build (everything), at [`EPOCH`].
    pub fn start(root: &Path) -> (Live, Outcome) {
        Live::start_as(root, false)
    }

    /// [`Live::start`] of the public or (`internal`) the internal build.
    pub fn start_as(root: &Path, internal: bool) -> (Live, Outcome) {
        let epoch = Arc::new(AtomicI64::new(EPOCH.parse().unwrap()));
        let mut engine = Engine::new(root, false, BASE)
            .for_audience(sitrep::visibility::Audience::from_flag(internal));
        let clock = epoch.clone();
        engine.set_clock(Box::new(move || {
            jiff::Timestamp::from_second(clock.load(Ordering::SeqCst)).map_err(|e| e.to_string())
        }));
        let mut live = Live {
            root: root.to_path_buf(),
            engine,
            served: Served::default(),
            epoch,
            internal,
        };
        let o = live.apply(Changes::everything());
        (live, o)
    }

    pub fn apply(&mut self, changes: Changes) -> Outcome {
        self.engine.rebuild(&changes, &mut self.served)
    }

    /// One batch naming these paths (relative to the root), as the watcher would.
    pub fn changed(&mut self, paths: &[&str]) -> Outcome {
        let mut c = Changes::default();
        for p in paths {
            c.add(classify(p, "output"));
        }
        self.apply(c)
    }

    /// Write one file and rebuild.
    pub fn write(&mut self, rel: &str, text: &str) -> Outcome {
        write(&self.root, rel, text);
        self.changed(&[rel])
    }

    /// Delete one file and rebuild.
    pub fn remove(&mut self, rel: &str) -> Outcome {
        std::fs::remove_file(self.root.join(rel)).unwrap();
        self.changed(&[rel])
    }

    pub fn epoch(&self) -> i64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Move the clock; the engine sees it at its next rebuild.
    pub fn set_epoch(&self, secs: i64) {
        self.epoch.store(secs, Ordering::SeqCst);
    }

    /// How long until the engine wants to be woken for "now".
    pub fn wait(&self) -> Option<std::time::Duration> {
        self.engine.wait()
    }

    /// The served text at a path (`incidents/ab101/index.html`).
    pub fn page(&self, path: &str) -> Option<String> {
        self.served
            .0
            .get(path)
            .map(|b| String::from_utf8_lossy(&bytes(b)).into_owned())
    }
}

/// A rebuild that found no errors (warnings allowed).
pub fn assert_ok(o: &Outcome, what: &str) {
    let errors: Vec<_> = o.diags.iter().filter(|d| d.is_error()).collect();
    assert!(o.ok && errors.is_empty(), "{what}: {errors:#?}");
}

/// The error messages of a rebuild (with their files).
pub fn errors(o: &Outcome) -> Vec<String> {
    o.diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.file, d.message))
        .collect()
}

/// Everything served equals `sitrep build` of the same files, base URL and "now".
pub fn assert_same_as_full_build(live: &Live) {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let built = Command::new(BIN)
        .args(["build", "--root"])
        .arg(&live.root)
        .arg("--output")
        .arg(&dir)
        .args(["--base-url", BASE])
        .args(live.internal.then_some("--internal"))
        .env("SOURCE_DATE_EPOCH", live.epoch().to_string())
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "the full build failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let files: Vec<String> = super::common::files(&dir)
        .into_iter()
        .filter(|p| p != ".sitrep-output")
        .collect();
    let served: Vec<&String> = live.served.0.keys().collect();
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !live.served.0.contains_key(*f))
        .collect();
    let extra: Vec<&&String> = served.iter().filter(|f| !files.contains(f)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not served: {missing:?}\nserved, not built: {extra:?}"
    );
    for p in &files {
        let want = std::fs::read(dir.join(p)).unwrap();
        let got = bytes(&live.served.0[p]);
        assert!(
            got == want,
            "{p} differs from a full build:\n--- served\n{}\n--- built\n{}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
    }
}
