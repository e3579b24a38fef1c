//! Re-import: the same source again changes no byte; a newer copy updates
//! title, status, severity and resolved and appends new updates, keeping what
//! a writer added; `--dry-run` writes nothing.

use super::*;

const OLDER: &str = r#"{"page": {"name": "Acme Cloud"}, "incidents": [{
  "id": "r1", "name": "API errors", "status": "investigating", "impact": "minor",
  "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T10:05:00Z",
  "shortlink": "https://stspg.io/r1", "components": [{"name": "API"}],
  "incident_updates": [
    {"id": "u1", "status": "investigating", "body": "Looking into it.", "created_at": "2024-05-01T10:05:00Z", "display_at": "2024-05-01T10:05:00Z"}
  ]}]}"#;

const NEWER: &str = r#"{"page": {"name": "Acme Cloud"}, "incidents": [{
  "id": "r1", "name": "API errors in EU", "status": "resolved", "impact": "major",
  "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T12:00:00Z",
  "resolved_at": "2024-05-01T12:00:00.250Z",
  "shortlink": "https://stspg.io/r1", "components": [{"name": "API"}],
  "incident_updates": [
    {"id": "u3", "status": "resolved", "body": "Fixed: a <b>bad</b> route.", "created_at": "2024-05-01T12:00:00.250Z", "display_at": "2024-05-01T12:00:00.250Z"},
    {"id": "u2", "status": "identified", "body": "Found a bad route.", "created_at": "2024-05-01T11:00:00Z", "display_at": "2024-05-01T11:00:00Z"},
    {"id": "u1", "status": "investigating", "body": "Looking into it.", "created_at": "2024-05-01T10:05:00Z", "display_at": "2024-05-01T10:05:00Z"}
  ]}]}"#;

#[test]
fn the_same_import_again_changes_no_byte() {
    let site = site("America/New_York");
    let sources = [
        fixture("statuspage/incidents.json"),
        fixture("statuspage/scheduled-maintenances.json"),
    ];
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    import_ok(site.path(), "statuspage", &sources);
    let before = files(site.path());
    let mtimes: Vec<_> = std::fs::read_dir(site.path().join("content/incidents"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();
    let again = import_ok(site.path(), "statuspage", &sources);
    assert_eq!(summary(&again), "created 0, updated 0, unchanged 5");
    assert_eq!(files(site.path()), before);
    let mtimes_after: Vec<_> = std::fs::read_dir(site.path().join("content/incidents"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();
    assert_eq!(mtimes, mtimes_after, "unchanged files are not rewritten");
}

#[test]
fn a_newer_copy_updates_only_what_it_may_and_keeps_the_writers_work() {
    let site = site("UTC");
    let src = site.path().join("statuspage.json");
    std::fs::write(&src, OLDER).unwrap();
    let src = src.display().to_string();
    import_ok(site.path(), "statuspage", &[&src]);
    let path = site.path().join("content/incidents/r1.md");
    // A writer adds tags, a comment and a paragraph.
    let written = std::fs::read_to_string(&path).unwrap();
    let edited = written.replacen(
        "\nstatus: investigating\n",
        "\nstatus: investigating # from Statuspage\ntags:\n  - routing\n",
        1,
    ) + "\nOur customers in Frankfurt saw this first.\n";
    std::fs::write(&path, &edited).unwrap();
    let c = run(site.path(), &["check"]);
    assert_eq!(c.code, 0, "{}", c.stderr);

    std::fs::write(site.path().join("statuspage.json"), NEWER).unwrap();
    let r = import_ok(site.path(), "statuspage", &[&src]);
    assert_eq!(summary(&r), "created 0, updated 1, unchanged 0");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("title: API errors in EU\n"), "{text}");
    assert!(
        text.contains("status: resolved # from Statuspage\ntags:\n  - routing\n"),
        "{text}"
    );
    assert!(text.contains("severity: major\n"), "{text}");
    assert!(text.contains("resolved: 2024-05-01T12:00:00.25Z"), "{text}");
    assert!(
        text.ends_with("---\n\nOur customers in Frankfurt saw this first.\n"),
        "{text}"
    );
    assert!(
        text.contains("  - at: 2024-05-01T11:00:00+00:00[UTC]\n    status: identified\n"),
        "{text}"
    );
    // Everything before the first changed key is byte for byte the writer's.
    assert_eq!(
        text[..text.find("title:").unwrap()],
        edited[..edited.find("title:").unwrap()]
    );

    let out = check_and_build(site.path());
    let v = api(&out, "r1");
    assert_eq!(v["tags"][0], "routing");
    let t = timeline(&v);
    let statuses: Vec<_> = t.iter().map(|e| e.1.as_deref().unwrap()).collect();
    assert_eq!(statuses, ["investigating", "identified", "resolved"]);
    assert_eq!(t[2].2, "Fixed: a **bad** route.");

    // The newer copy again: nothing to do.
    let before = std::fs::read(&path).unwrap();
    let again = import_ok(site.path(), "statuspage", &[&src]);
    assert_eq!(summary(&again), "created 0, updated 0, unchanged 1");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn dry_run_writes_nothing_and_counts_the_same() {
    let site = site("UTC");
    let src = fixture("m365/issues.json");
    let r = import_ok(site.path(), "m365", &[&src, "--dry-run"]);
    assert_eq!(summary(&r), "created 3, updated 0, unchanged 0");
    assert!(files(site.path()).is_empty());
    let real = import_ok(site.path(), "m365", &[&src]);
    assert_eq!(summary(&real), summary(&r));
    let dry_again = import_ok(site.path(), "m365", &["--dry-run", &src]);
    assert_eq!(summary(&dry_again), "created 0, updated 0, unchanged 3");
}
