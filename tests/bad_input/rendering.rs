//! What users see: the text rendering of a few cases, snapshotted (temp paths
//! normalised). Review changes to these like code.

use crate::harness::*;

fn text_of(case: &str) -> String {
    let (tmp, site) = site(case);
    let r = run(&site, &["check"]);
    r.stderr
        .replace(&site.display().to_string(), "[SITE]")
        .replace(&tmp.path().display().to_string(), "[TMP]")
}

#[test]
fn snapshot_yaml_syntax() {
    insta::assert_snapshot!("yaml_syntax", text_of("yaml-syntax"));
}

#[test]
fn snapshot_unknown_related() {
    insta::assert_snapshot!("unknown_related", text_of("unknown-related"));
}

#[test]
fn snapshot_timeline_order() {
    insta::assert_snapshot!("timeline_order", text_of("timeline-order"));
}

#[test]
fn snapshot_invalid_utf8() {
    insta::assert_snapshot!("invalid_utf8", text_of("invalid-utf8"));
}

#[test]
fn snapshot_output_foreign() {
    let (tmp, site) = site("output-foreign");
    let r = run(&site, &["build"]);
    let text = r
        .stderr
        .replace(&site.display().to_string(), "[SITE]")
        .replace(&tmp.path().display().to_string(), "[TMP]");
    insta::assert_snapshot!("output_foreign", text);
}
