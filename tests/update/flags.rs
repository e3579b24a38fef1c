//! What the flags do: "now", `--at`, `--next-update`, resolution, templates,
//! refusals that leave the file as it was, and `new incident`'s flags.

use super::*;

const OPEN: &str = "---\nid: EX7\ntitle: Mail delayed\nservices: [Exchange Online]\nregions: [North America]\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\nnext_update: 2026-06-03T11:00:00-04:00\ntimeline:\n  - at: 2026-06-03T10:05:00-04:00\n    text: Looking.\n---\nBody.\n";
const FILE: &str = "content/incidents/EX7.md";

fn open_site() -> tempfile::TempDir {
    site(&[(FILE, OPEN)])
}

fn last_entry(root: &Path) -> serde_yaml::Value {
    let fm = front_matter(&read(root, FILE));
    fm["timeline"]
        .as_sequence()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

#[test]
fn the_entry_is_stamped_with_source_date_epoch_in_the_site_zone() {
    let s = open_site();
    let o = sitrep(
        s.path(),
        T1120,
        &["update", "EX7", "--message", "Queues drain."],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = last_entry(s.path());
    assert_eq!(e["at"], AT1120);
    assert_eq!(e["text"], "Queues drain.");
    assert!(e.get("status").is_none());
    // Printed: the file and the entry.
    let out = stdout(&o);
    assert!(
        out.starts_with("updated content/incidents/EX7.md\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("  at: {AT1120}\n  text: Queues drain.\n")),
        "{out}"
    );
    // In UTC the same instant is written in UTC.
    let s = site(&[
        (
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\n",
        ),
        (FILE, OPEN),
    ]);
    let o = sitrep(s.path(), T1120, &["update", "EX7", "--message", "x"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_entry(s.path())["at"], "2026-06-03T15:20:00+00:00[UTC]");
}

#[test]
fn resolution_sets_resolved_and_removes_next_update() {
    let s = open_site();
    let o = sitrep(s.path(), T1120, &["update", "EX7", "--status", "resolved"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let fm = front_matter(&read(s.path(), FILE));
    assert_eq!(fm["status"], "resolved");
    assert_eq!(fm["resolved"], AT1120);
    assert!(fm.get("next_update").is_none());
    let e = last_entry(s.path());
    assert_eq!(e["status"], "resolved");
    // The theme's English `resolved` text, filled in.
    let text = e["text"].as_str().unwrap();
    assert!(
        text.starts_with("This incident is resolved: Exchange Online is working normally again for users in North America."),
        "{text}"
    );
    assert!(text.contains("Jun 3, 2026, 10:00 EDT"), "{text}");
    // The site still checks clean.
    assert!(sitrep(s.path(), T1120, &["check"]).status.success());
    // Reopened: `resolved` goes again.
    let o = sitrep(
        s.path(),
        "1780501800",
        &[
            "update",
            "EX7",
            "--status",
            "investigating",
            "--message",
            "It is back.",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let fm = front_matter(&read(s.path(), FILE));
    assert_eq!(fm["status"], "investigating");
    assert!(fm.get("resolved").is_none());
}

#[test]
fn next_update_takes_durations_and_date_times() {
    for (when, expected) in [
        ("30m", "2026-06-03T11:50:00-04:00[America/New_York]"),
        ("1h30m", "2026-06-03T12:50:00-04:00[America/New_York]"),
        ("1d", "2026-06-04T11:20:00-04:00[America/New_York]"),
        (
            "2026-06-03T18:00:00Z",
            "2026-06-03T14:00:00-04:00[America/New_York]",
        ),
    ] {
        let s = open_site();
        let o = sitrep(
            s.path(),
            T1120,
            &["update", "EX7", "--message", "m", "--next-update", when],
        );
        assert!(o.status.success(), "{when}: {}", stderr(&o));
        assert_eq!(
            front_matter(&read(s.path(), FILE))["next_update"],
            expected,
            "{when}"
        );
    }
    let s = open_site();
    let o = sitrep(
        s.path(),
        T1120,
        &["update", "EX7", "--message", "m", "--next-update", "soon"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(read(s.path(), FILE), OPEN);
}

#[test]
fn refusals_leave_the_file_byte_identical() {
    let s = open_site();
    let cases: &[(&[&str], i32, &str)] = &[
        // Before the last entry: the timeline order rule.
        (
            &[
                "update",
                "EX7",
                "--message",
                "m",
                "--at",
                "2026-06-03T10:01:00-04:00",
            ],
            1,
            "out of order",
        ),
        // Resolved before it started.
        (
            &[
                "update",
                "EX7",
                "--status",
                "resolved",
                "--at",
                "2026-06-03T09:00:00-04:00",
            ],
            1,
            "earlier than",
        ),
        (
            &["update", "EX8", "--message", "m"],
            2,
            "did you mean `EX7`?",
        ),
        (&["update", "EX7"], 2, "needs its text"),
        (
            &[
                "update",
                "EX7",
                "--message",
                "m",
                "--template",
                "monitoring",
            ],
            2,
            "cannot be used with",
        ),
        (
            &["update", "EX7", "--template", "nope"],
            2,
            "no update template `nope`",
        ),
        (
            &[
                "update",
                "EX7",
                "--message",
                "m",
                "--at",
                "2026-06-03T12:00:00",
            ],
            2,
            "no offset",
        ),
    ];
    for (args, code, says) in cases {
        let o = sitrep(s.path(), T1120, args);
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert_eq!(read(s.path(), FILE), OPEN, "{args:?}");
    }
    // A rule in another file breaks the site: nothing is written either.
    write_broken(s.path());
    let o = sitrep(s.path(), T1120, &["update", "EX7", "--message", "m"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("content/incidents/BAD.md"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(s.path(), FILE), OPEN);
}

fn write_broken(root: &Path) {
    common::write(
        root,
        "content/incidents/BAD.md",
        "---\nid: BAD\ntitle: B\nservices: [A]\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\nrelated: [NOPE1]\n---\n",
    );
}

#[test]
fn templates_come_from_the_site_then_the_theme_in_the_site_language() {
    let s = site(&[
        (FILE, OPEN),
        (
            "archetypes/updates/custom.md",
            "{{ incident.title }} ({{ incident.id }}) is {{ status }}; next update by {{ incident.next_update }}.\n",
        ),
    ]);
    let o = sitrep(
        s.path(),
        T1120,
        &[
            "update",
            "EX7",
            "--template",
            "custom",
            "--status",
            "identified",
            "--next-update",
            "30m",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        last_entry(s.path())["text"],
        "Mail delayed (EX7) is identified; next update by Jun 3, 2026, 11:50 EDT."
    );

    let s = site(&[
        (
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\nlanguage = \"de\"\ntimezone = \"Europe/Berlin\"\n",
        ),
        (FILE, OPEN),
    ]);
    let o = sitrep(
        s.path(),
        T1120,
        &[
            "update",
            "EX7",
            "--status",
            "monitoring",
            "--next-update",
            "1h",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = last_entry(s.path());
    assert_eq!(e["at"], "2026-06-03T17:20:00+02:00[Europe/Berlin]");
    let text = e["text"].as_str().unwrap();
    assert!(
        text.starts_with("Eine Lösung ist umgesetzt und Exchange Online erholt sich"),
        "{text}"
    );
    assert!(
        text.contains("Nächstes Update bis 3. Juni 2026, 18:20 CEST."),
        "{text}"
    );
}

#[test]
fn new_incident_flags_fill_the_first_post() {
    let s = site(&[]);
    let o = sitrep(
        s.path(),
        T1120,
        &[
            "new",
            "incident",
            "EX9",
            "--title",
            "Mail: slow",
            "--service",
            "Exchange Online",
            "--service",
            "Microsoft Teams",
            "--region",
            "Europe",
            "--severity",
            "minor",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let fm = front_matter(&read(s.path(), "content/incidents/EX9.md"));
    assert_eq!(fm["title"], "Mail: slow");
    assert_eq!(fm["services"][1], "Microsoft Teams");
    assert_eq!(fm["regions"].as_sequence().unwrap().len(), 1);
    assert_eq!(fm["severity"], "minor");
    assert_eq!(fm["started"], AT1120);
    let timeline = fm["timeline"].as_sequence().unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0]["at"], AT1120);
    assert_eq!(timeline[0]["status"], "investigating");
    let text = timeline[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("We are investigating reports that Exchange Online and Microsoft Teams are not working as expected for users in Europe."),
        "{text}"
    );
    // The first post checks clean, and the next update follows it.
    assert!(sitrep(s.path(), T1120, &["check"]).status.success());
    let o = sitrep(
        s.path(),
        "1780501800",
        &["update", "EX9", "--status", "identified"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}
