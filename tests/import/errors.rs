//! Sources that cannot be imported: exit codes, file:line:col, nothing written.

use super::*;

fn assert_nothing_written(root: &Path) {
    assert!(files(root).is_empty(), "{:?}", files(root));
}

#[test]
fn malformed_truncated_and_empty_json_stop_the_run_before_any_write() {
    for (name, at) in [
        (
            "bad/malformed.json",
            "bad/malformed.json:4:30: error: invalid JSON: key must be a string",
        ),
        (
            "bad/truncated.json",
            "bad/truncated.json:8:1: error: invalid JSON: EOF while parsing",
        ),
        (
            "bad/empty.json",
            "bad/empty.json:1:1: error: the JSON document is empty",
        ),
    ] {
        let site = site("UTC");
        // A good document next to the bad one is not imported either.
        let r = run(
            site.path(),
            &[
                "import",
                "statuspage",
                &fixture("statuspage/incidents.json"),
                &fixture(name),
            ],
        );
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(at),
            "{name}: want `{at}` in\n{}",
            r.stderr
        );
        assert_nothing_written(site.path());
    }
}

#[test]
fn a_document_of_another_kind_is_named() {
    let site = site("UTC");
    let r = run(
        site.path(),
        &["import", "statuspage", &fixture("m365/single.json")],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("single.json: error: this is not a Statuspage document"),
        "{}",
        r.stderr
    );
    let r = run(
        site.path(),
        &["import", "m365", &fixture("statuspage/manage-v1.json")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_nothing_written(site.path());
}

#[test]
fn unknown_format_and_missing_source_are_usage_errors() {
    let site = site("UTC");
    let r = run(
        site.path(),
        &["import", "pagerduty", &fixture("m365/single.json")],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(site.path(), &["import", "m365"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(site.path(), &["import", "m365", "/nonexistent/issues.json"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("cannot read `/nonexistent/issues.json`"),
        "{}",
        r.stderr
    );
    assert_nothing_written(site.path());
}

#[test]
fn a_folder_file_with_broken_front_matter_is_named_and_the_others_imported() {
    let site = site("UTC");
    let dir = tempfile::tempdir().unwrap();
    for name in ["2018-01-31-api-outage.md", "cdn-maintenance.md"] {
        std::fs::copy(
            fixture(&format!("statusfy/content/{name}")),
            dir.path().join(name),
        )
        .unwrap();
    }
    std::fs::copy(
        fixture("bad/broken-frontmatter.md"),
        dir.path().join("broken.md"),
    )
    .unwrap();
    let r = run(
        site.path(),
        &["import", "statusfy", &dir.path().display().to_string()],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("broken.md:2:8: error: invalid YAML"),
        "{}",
        r.stderr
    );
    assert_eq!(summary(&r), "created 2, updated 0, unchanged 0");
    assert_eq!(files(site.path()).len(), 2);
    check_and_build(site.path());
}
