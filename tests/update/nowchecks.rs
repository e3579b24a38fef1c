//! Warnings that need "now": a stale open incident, and an open incident
//! sharing an error with another that neither relates.

use super::*;

const O1: &str = "---\nid: O1\ntitle: Mail bounces\nservices: [Exchange Online]\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\nerrors:\n  - code: SuspiciousRemoteServerError\n{related}timeline:\n  - at: 2026-06-03T10:30:00-04:00\n    text: Looking.\n---\n";
const R1: &str = "---\nid: R1\ntitle: Mail bounced before\nservices: [Exchange Online]\nstatus: resolved\nstarted: 2026-05-01T10:00:00-04:00\nresolved: 2026-05-01T12:00:00-04:00\nerrors: [SuspiciousRemoteServerError, Other]\n---\n";

/// Warnings of `check --format json` at `epoch`: (line, message).
fn warnings(root: &Path, epoch: &str) -> Vec<(u64, String)> {
    let o = sitrep(root, epoch, &["check", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .inspect(|d| assert_eq!(d["severity"], "warning", "{d}"))
        .map(|d| {
            assert_eq!(d["file"], "content/incidents/O1.md", "{d}");
            (
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn toml(extra: &str) -> String {
    format!(
        "title = \"T\"\nbase_url = \"https://example.org/\"\ntimezone = \"America/New_York\"\n{extra}"
    )
}

const RELATE: &str = "did you mean to relate R1 (same error SuspiciousRemoteServerError)?";

#[test]
fn stale_updates_follow_the_clock_and_stale_after() {
    let o1 = O1.replace("{related}", "");
    let s = site(&[
        ("content/incidents/O1.md", &o1),
        ("content/incidents/R1.md", R1),
    ]);
    // 11:20: 50 minutes after the last entry; only the missing relation.
    assert_eq!(warnings(s.path(), T1120), [(8, RELATE.to_string())]);
    // 13:00: two and a half hours; the stale warning points at the last entry's `at`.
    let w = warnings(s.path(), "1780506000");
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[1].0, 10);
    assert!(
        w[1].1.contains(
            "O1 is open and its last update was 2 h 30 min ago, longer than `stale_after` (2 h)"
        ),
        "{w:?}"
    );
    // `build` reports it too.
    let b = sitrep(s.path(), "1780506000", &["build"]);
    assert!(
        b.status.success() && stderr(&b).contains("stale_after"),
        "{}",
        stderr(&b)
    );
    // A longer limit, or none.
    common::write(s.path(), "sitrep.toml", &toml("stale_after = \"3h\"\n"));
    assert_eq!(warnings(s.path(), "1780506000").len(), 1);
    common::write(s.path(), "sitrep.toml", &toml("stale_after = \"0\"\n"));
    assert_eq!(warnings(s.path(), "1780606000").len(), 1);
    // An update makes it fresh again.
    common::write(s.path(), "sitrep.toml", &toml(""));
    let u = sitrep(
        s.path(),
        "1780506000",
        &["update", "O1", "--message", "Still on it."],
    );
    assert!(u.status.success(), "{}", stderr(&u));
    assert_eq!(warnings(s.path(), "1780506000").len(), 1);
    // A bad duration is a config error naming the key.
    common::write(
        s.path(),
        "sitrep.toml",
        &toml("stale_after = \"2 hours\"\n"),
    );
    let o = sitrep(s.path(), T1120, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sitrep.toml:4:"), "{}", stderr(&o));
}

#[test]
fn sharing_an_error_without_relating_is_a_warning_until_related() {
    let o1 = O1.replace("{related}", "");
    let s = site(&[
        ("content/incidents/O1.md", &o1),
        ("content/incidents/R1.md", R1),
    ]);
    assert_eq!(warnings(s.path(), T1120), [(8, RELATE.to_string())]);
    // Related either way: gone.
    let o1 = O1.replace("{related}", "related: [R1]\n");
    common::write(s.path(), "content/incidents/O1.md", &o1);
    assert!(warnings(s.path(), T1120).is_empty());
    let o1 = O1.replace("{related}", "");
    common::write(s.path(), "content/incidents/O1.md", &o1);
    common::write(
        s.path(),
        "content/incidents/R1.md",
        &R1.replacen("errors:", "related: [{id: O1}]\nerrors:", 1),
    );
    assert!(warnings(s.path(), T1120).is_empty());
    // Several share it: the latest are named, newest first.
    common::write(s.path(), "content/incidents/R1.md", R1);
    for (id, day) in [("R2", "05"), ("R3", "09"), ("R4", "07")] {
        let r = R1
            .replace("id: R1", &format!("id: {id}"))
            .replace("05-01", &format!("05-{day}"));
        common::write(s.path(), &format!("content/incidents/{id}.md"), &r);
    }
    assert_eq!(
        warnings(s.path(), T1120),
        [(
            8,
            "did you mean to relate R3, R4 or R2 (same error SuspiciousRemoteServerError)?"
                .to_string()
        )]
    );
    for id in ["R2", "R3", "R4"] {
        std::fs::remove_file(s.path().join(format!("content/incidents/{id}.md"))).unwrap();
    }
    // A resolved incident is not asked to relate.
    common::write(s.path(), "content/incidents/R1.md", R1);
    let closed = o1.replace(
        "status: investigating",
        "status: resolved\nresolved: 2026-06-03T11:00:00-04:00",
    );
    common::write(s.path(), "content/incidents/O1.md", &closed);
    assert!(warnings(s.path(), T1120).is_empty());
}
