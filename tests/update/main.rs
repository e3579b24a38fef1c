//! `sitrep update`, update templates, `new incident` flags and the checks
//! that need "now", through the real binary on temp sites.

#[path = "../common/mod.rs"]
mod common;

mod flags;
mod nowchecks;
mod serve;
mod styles;

use std::path::Path;
use std::process::{Command, Output};

/// 2026-06-03T15:20:00Z, 11:20 EDT.
pub const T1120: &str = "1780500000";
pub const AT1120: &str = "2026-06-03T11:20:00-04:00[America/New_York]";

/// Run the real binary at the "now" `epoch`.
pub fn sitrep(root: &Path, epoch: &str, args: &[&str]) -> Output {
    let out = Command::new(common::BIN)
        .args(args)
        .arg("--root")
        .arg(root)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "sitrep panicked:\n{stderr}");
    out
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A site in America/New_York holding `files`.
pub fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::site(files)
}

pub fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

/// Equal line by line (with the line breaks each line has), naming the first
/// line that differs.
pub fn assert_lines(actual: &str, expected: &str) {
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    for (i, (x, y)) in a.iter().zip(&e).enumerate() {
        assert_eq!(x, y, "line {} differs; whole file:\n{actual}", i + 1);
    }
    assert_eq!(
        a.len(),
        e.len(),
        "line count differs; whole file:\n{actual}"
    );
}

/// The front matter of a content file, parsed by a real YAML parser.
pub fn front_matter(text: &str) -> serde_yaml::Value {
    let t = text.replace("\r\n", "\n");
    let fm = t
        .strip_prefix("---\n")
        .and_then(|r| r.split_once("\n---\n"))
        .map(|(f, _)| f)
        .unwrap_or_else(|| panic!("no front matter in\n{text}"));
    serde_yaml::from_str(fm).unwrap()
}
