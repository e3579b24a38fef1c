//! Shared by every module: fixture copies in temp dirs, runs of the real binary
//! (no panic, in time), whole-tree snapshots, and the two diagnostic printers
//! parsed back into data.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sitrep");
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad");
/// The fixed "now" of every run, so maintenance states and "open for" are stable.
pub const NOW: &str = "1780000000";

/// Every run must finish within this (the "none takes over 2 s").
/// `SITREP_TEST_MAX_MS` raises it on a machine that is much slower.
fn time_limit() -> Duration {
    let ms = std::env::var("SITREP_TEST_MAX_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    Duration::from_millis(ms)
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Every file and folder under `dir` with its bytes: compared before and after a
/// failing run, it proves nothing was written, moved or deleted.
pub fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let key = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(key + "/", None);
                stack.push(p);
            } else {
                out.insert(key, Some(fs::read(&p).unwrap()));
            }
        }
    }
    out
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Held while the binary runs: the tests of this binary run in parallel, and a
/// run timed against the 2 s limit should not share two cores with another one.
static MACHINE: Mutex<()> = Mutex::new(());

/// The machine to oneself, for a test that times or kills its own runs.
pub fn exclusive() -> MutexGuard<'static, ()> {
    MACHINE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run the binary in `site` with the environment every case shares: it must not
/// panic and must finish within the time limit.
pub fn run(site: &Path, args: &[&str]) -> Run {
    let _machine = exclusive();
    let started = Instant::now();
    let r = run_untimed(site, args);
    let took = started.elapsed();
    assert!(
        took < time_limit(),
        "`sitrep {}` in {} took {took:?}",
        args.join(" "),
        site.display()
    );
    r
}

/// As [`run`] without the time limit or the lock, for setting up a large site
/// (the caller holds [`exclusive`]).
pub fn run_untimed(site: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(site)
        .env("RUST_BACKTRACE", "1")
        .env("SOURCE_DATE_EPOCH", NOW)
        .output()
        .expect("the sitrep binary runs");
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "`sitrep {}` in {} panicked:\n{}",
        args.join(" "),
        site.display(),
        r.stderr
    );
    r
}

/// One diagnostic as the JSON printer writes it, and as the text header says it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diag {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub severity: String,
    pub message: String,
    pub hint: String,
}

pub fn parse_json(stdout: &str) -> Vec<Diag> {
    let v: Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("check --format json printed no JSON ({e}):\n{stdout}"));
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|d| {
            let o = d.as_object().expect("an object per diagnostic");
            let mut keys: Vec<_> = o.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["column", "file", "hint", "line", "message", "severity"],
                "{d}"
            );
            Diag {
                file: o["file"].as_str().unwrap().to_string(),
                line: o["line"].as_u64().unwrap() as usize,
                column: o["column"].as_u64().unwrap() as usize,
                severity: o["severity"].as_str().unwrap().to_string(),
                message: o["message"].as_str().unwrap().to_string(),
                hint: o["hint"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// The `path:line:col: error: message` headers of the text printer, without hints
/// (the text form prints them on their own lines).
pub fn parse_text(stderr: &str) -> Vec<Diag> {
    let mut out = Vec::new();
    for l in stderr.lines().filter(|l| !l.starts_with(' ')) {
        let Some((sev, at)) = [("error", ": error: "), ("warning", ": warning: ")]
            .into_iter()
            .find_map(|(s, sep)| l.find(sep).map(|i| (s, i)))
        else {
            continue;
        };
        let (place, message) = (&l[..at], &l[at + sev.len() + 4..]);
        let mut parts = place.rsplitn(3, ':');
        let (c, li, f) = (parts.next(), parts.next(), parts.next());
        let (file, line, column) = match (
            f,
            li.and_then(|x| x.parse().ok()),
            c.and_then(|x| x.parse().ok()),
        ) {
            (Some(f), Some(li), Some(c)) => (f.to_string(), li, c),
            _ => (place.to_string(), 0, 0),
        };
        out.push(Diag {
            file,
            line,
            column,
            severity: sev.to_string(),
            message: message.to_string(),
            hint: String::new(),
        });
    }
    out
}

/// What the text header shows of a JSON diagnostic: no hint, and only the first
/// line of a message that has several (a template engine's own snippet).
pub fn without_hints(d: &[Diag]) -> Vec<Diag> {
    d.iter()
        .map(|d| Diag {
            hint: String::new(),
            message: d.message.lines().next().unwrap_or_default().to_string(),
            ..d.clone()
        })
        .collect()
}

/// A fresh copy of a fixture in a temp dir: (the temp dir, the site inside it).
/// The site sits one level down so that a case writing to `..` is caught too.
pub fn site(case: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&Path::new(FIXTURES).join(case), &site);
    (tmp, site)
}

/// A previous build's output, as sitrep marks it.
pub fn previous_output(site: &Path) {
    let out = site.join("output");
    fs::create_dir_all(out.join("incidents/old")).unwrap();
    fs::write(out.join(".sitrep-output"), "written by sitrep\n").unwrap();
    fs::write(out.join("index.html"), "<p>the previous build</p>\n").unwrap();
    fs::write(out.join("incidents/old/index.html"), "<p>old</p>\n").unwrap();
}

/// Staging or set-aside folders of sitrep's in the site root.
pub fn stray(site: &Path) -> Vec<String> {
    fs::read_dir(site)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sitrep"))
        // The build's manifest of pages it may reuse: kept, not left over.
        .filter(|n| !n.starts_with(".sitrep-manifest-"))
        .collect()
}
