//! Bad input, end to end (issue 3). Every case is a small site under
//! `tests/fixtures/bad/<case>/`, copied to a temp dir and run through the real
//! binary as `check --format json`, `check` and `build`: each run must exit with
//! the case's code, report the case's diagnostics (file, line, column, words),
//! finish in time, never panic, and — when it fails — leave every file around it
//! (a previous `output/` included) byte-identical.
//!
//! `cases` holds the table; `output` the output-folder cases that need several
//! runs; `escaping` the `<script>` case; `rendering` snapshots the text users see.

mod cases;
mod escaping;
mod harness;
mod output;
mod rendering;

use harness::*;
use std::path::Path;

#[test]
fn bad_flags_are_usage_errors() {
    let (_tmp, site) = site("bad-flag");
    // (arguments, the word the error must name)
    for (args, names) in [
        (&["build", "--frobnicate"][..], "--frobnicate"),
        (&["check", "--format", "yaml"], "yaml"),
        (&["deploy"], "deploy"),
        (&["build", "--output"], "--output"),
    ] {
        let r = run(&site, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error:"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(names), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("--help"), "{args:?}: {}", r.stderr);
    }
    assert!(!site.join("output").exists());
}

#[test]
fn the_sample_site_checks_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let r = run(Path::new(root), &["check"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let r = run(Path::new(root), &["check", "--format", "json"]);
    assert_eq!((r.code, r.stdout.trim()), (0, "[]"));
}
