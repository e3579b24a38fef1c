//! `sitrep import` end to end: the real binary imports the fixtures of
//! `tests/fixtures/import/` into fresh sites, then `check` and `build` run on
//! the result and the built JSON API is read back to test the mapping.

mod errors;
mod mapping;
mod reimport;
mod url;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_sitrep");

/// A fixed "now" (2026-05-28) so builds are reproducible.
const EPOCH: &str = "1780000000";

pub fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(rel)
        .display()
        .to_string()
}

/// An empty site in `timezone`.
pub fn site(timezone: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sitrep.toml"),
        format!("title = \"Imported\"\nbase_url = \"https://status.example.org/\"\ntimezone = \"{timezone}\"\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content/incidents")).unwrap();
    dir
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(root: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(BIN)
        .args(args)
        .arg("--root")
        .arg(root)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "sitrep panicked:\n{}",
        r.stderr
    );
    r
}

/// `sitrep import FORMAT SOURCES…`, expected to succeed.
pub fn import_ok(root: &Path, format: &str, sources: &[&str]) -> Run {
    let mut args = vec!["import", format];
    args.extend_from_slice(sources);
    let r = run(root, &args);
    assert_eq!(r.code, 0, "import failed:\n{}\n{}", r.stdout, r.stderr);
    r
}

/// `check` has no error, `build` succeeds; the built site's output folder.
pub fn check_and_build(root: &Path) -> PathBuf {
    let c = run(root, &["check"]);
    assert_eq!(c.code, 0, "check failed:\n{}", c.stderr);
    assert!(!c.stderr.contains(": error:"), "{}", c.stderr);
    let b = run(root, &["build"]);
    assert_eq!(b.code, 0, "build failed:\n{}", b.stderr);
    root.join("output")
}

/// The built `/api/incidents/<id>.json` of an incident.
pub fn api(out: &Path, id: &str) -> Value {
    let p = out.join(format!("api/incidents/{}.json", id.to_lowercase()));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

/// Every file under `content/incidents/`, by name, with its text.
pub fn files(root: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root.join("content/incidents"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The last stdout line (the summary).
pub fn summary(r: &Run) -> &str {
    r.stdout.lines().last().unwrap_or("")
}

/// The timeline of an API record as (at, status, text).
pub fn timeline(v: &Value) -> Vec<(String, Option<String>, String)> {
    v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["at"].as_str().unwrap().to_string(),
                e["status"].as_str().map(str::to_string),
                e["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
