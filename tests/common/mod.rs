//! Helpers shared by the integration tests: temp sites, running the real binary.
#![allow(dead_code)]

pub mod axe;
pub mod cdp;
pub mod edits;
pub mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_sitrep");

/// Start the real binary with `args` at "now" `epoch`, and SIGKILL it after `after`.
pub fn killed_after(args: &[&std::ffi::OsStr], epoch: &str, after: std::time::Duration) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("SOURCE_DATE_EPOCH", epoch)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

/// A fixed "now" so builds are reproducible in tests.
pub const EPOCH: &str = "1780000000"; // 2026-05-28

pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A temp site with the given files; sitrep.toml defaults unless given.
pub fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if !files.iter().any(|(p, _)| *p == "sitrep.toml") {
        write(
            dir.path(),
            "sitrep.toml",
            "title = \"Test Desk\"\nbase_url = \"https://example.org/pm/\"\ntimezone = \"America/New_York\"\n",
        );
    }
    for (p, t) in files {
        write(dir.path(), p, t);
    }
    dir
}

/// A copy of the repo's sample site (sitrep.toml + content/) in a temp dir.
pub fn sample_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("sitrep.toml"), dir.path().join("sitrep.toml")).unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let t = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&t).unwrap();
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

pub fn run(root: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .arg("--root")
        .arg(root)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "sitrep panicked:\n{stderr}");
    out
}

/// `sitrep build` into `<root>/output`; panics with the diagnostics on failure.
pub fn build_ok(root: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    let out = run(root, &args);
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    root.join("output")
}

pub fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `href`/`src` value in an HTML file, unescaped.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "data-index=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(
                rest[..end]
                    .replace("&amp;", "&")
                    .replace("&#x2F;", "/")
                    .replace("&#47;", "/"),
            );
            rest = &rest[end..];
        }
    }
    out
}

/// All files below `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    v.sort();
    v
}

/// The rows matched by `selector` in `html`, each as its non-blank text pieces, trimmed.
pub fn row_texts(html: &str, selector: &str) -> Vec<Vec<String>> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .map(|r| {
            r.text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

/// JSON diagnostics of `sitrep check --format json`.
pub fn check_json(root: &Path) -> (i32, Vec<serde_json::Value>) {
    let out = run(root, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v.as_array().unwrap().clone())
}
