//! The site `notify` runs on: sitrep.toml with one channel of each kind (and
//! two filtered ones), incidents before and after an edit, and a marker in
//! every kind of internal material.

use crate::common::{run, write};

pub const CONFIG: &str = r#"title = "Test Desk"
base_url = "https://example.org/pm/"
timezone = "America/New_York"

[[notify]]
kind = "slack"
url_env = "T_SLACK"

[[notify]]
kind = "discord"
url_env = "T_DISCORD"

[[notify]]
kind = "teams"
url_env = "T_TEAMS"

[[notify]]
kind = "webhook"
url_env = "T_HOOK"
secret_env = "T_HOOK_KEY"

[[notify]]
kind = "email"
smtp_env = "T_SMTP"
from = "Status <status@example.org>"
to = ["ops@example.org", "Team <team@example.org>"]

[[notify]]
kind = "slack"
url_env = "T_FILTERED"
only = { services = ["Other Service"] }

[[notify]]
kind = "webhook"
url_env = "T_MAJOR"
only = { severity = "major" }
"#;

/// The receiver path of each channel's variable; each holds a token that must
/// never be echoed.
pub const PATHS: &[(&str, &str)] = &[
    ("T_SLACK", "slack/services/T0/B0/SeCrEtToKeNsl"),
    ("T_DISCORD", "discord/api/webhooks/1/SeCrEtToKeNdc"),
    ("T_TEAMS", "teams/workflows/SeCrEtToKeNtm"),
    ("T_HOOK", "hook/SeCrEtToKeNwh"),
    ("T_FILTERED", "filtered/SeCrEtToKeNfl"),
    ("T_MAJOR", "major/SeCrEtToKeNmj"),
];
pub const HOOK_KEY: &str = "hook-signing-key-42";

/// A marker in every kind of internal material; none may leave the machine.
pub const MARKERS: &[&str] = &[
    "MkNotes1",
    "MkTimeline2",
    "MkAction3",
    "MkSource4",
    "MkRelated5",
    "MkFence6",
    "MkSecretId7",
    "MkTimelineNew8",
    "MkFieldFence9",
    "MkNewSecret10",
];

/// PUB-1 before the edit: open, one public update, internal material of every kind.
pub const PUB1_BEFORE: &str = r#"---
id: PUB-1
title: Mail delays for everyone
services: [Exchange Online]
regions: [Europe]
severity: minor
status: investigating
started: 2026-05-20T10:00:00Z
internal: "The on-call engineer MkNotes1 paged the vendor."
timeline:
  - at: 2026-05-20T10:05:00Z
    status: investigating
    text: We are looking into mail delays.
  - at: 2026-05-20T10:30:00Z
    text: "Failover to the MkTimeline2 standby was skipped."
    internal: true
actions:
  - text: "Rotate the MkAction3 credentials"
    status: open
    internal: true
sources:
  - title: "Ticket MkSource4"
    url: https://tickets.example.internal/MkSource4
    internal: true
related:
  - title: "MkRelated5 outage of the old relay"
    internal: true
---
Mail is delayed.

```internal
The runbook step MkFence6 was skipped.
```
"#;

pub const OLD3: &str = "---\nid: OLD-3\ntitle: An old outage\nservices: [Exchange Online]\nstatus: resolved\nstarted: 2026-04-01T10:00:00Z\nresolved: 2026-04-01T11:00:00Z\n---\nDone.\n";

pub const SECRET_BEFORE: &str = "---\nid: MkSecretId7\ntitle: Secret MkSecretId7\ninternal: true\nservices: [Exchange Online]\nstatus: investigating\nstarted: 2026-05-21T10:00:00Z\n---\nMkSecretId7\n";

pub fn pub1_after() -> String {
    PUB1_BEFORE
        .replace("status: investigating\nstarted", "status: resolved\nstarted")
        .replace("started: 2026-05-20T10:00:00Z\n", "started: 2026-05-20T10:00:00Z\nresolved: 2026-05-20T12:00:00Z\n")
        .replace(
            "actions:",
            "  - at: 2026-05-20T11:00:00Z\n    text: \"MkTimelineNew8 root cause is the relay.\"\n    internal: true\n  - at: 2026-05-20T12:00:00Z\n    status: resolved\n    text: |\n      Mail flows again.\n\n      ```internal\n      MkFieldFence9 was the cause.\n      ```\nactions:",
        )
}

pub const NEW2: &str = "---\nid: NEW-2\ntitle: Teams calls drop\nservices: [Microsoft Teams]\nregions: [Germany]\nseverity: major\nstatus: investigating\nstarted: 2026-05-27T08:00:00Z\ntimeline:\n  - at: 2026-05-27T08:10:00Z\n    status: investigating\n    text: Calls drop after a minute; we are investigating.\n---\nCalls drop.\n";

pub const MAINT4: &str = "---\nid: MAINT-4\ntitle: Relay upgrade\nclassification: maintenance\nservices: [Exchange Online]\nseverity: none\nstatus: identified\nstarted: 2026-06-10T22:00:00Z\nwindow:\n  start: 2026-06-10T22:00:00Z\n  end: 2026-06-11T01:00:00Z\n---\nPlanned.\n";

pub const SECRET_NEW: &str = "---\nid: MkNewSecret10\ntitle: MkNewSecret10\ninternal: true\nservices: [Exchange Online]\nstatus: investigating\nstarted: 2026-05-27T10:00:00Z\n---\nMkNewSecret10\n";

/// A site in its "before" state, built into `<tmp>/previous` (PREVIOUS).
pub fn site_with_previous(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sitrep.toml", CONFIG);
    for (p, t) in files {
        write(dir.path(), p, t);
    }
    let prev = dir.path().join("previous");
    let out = run(dir.path(), &["build", "--output", prev.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The usual before → after edit: PUB-1 resolved (plus more internal
/// material), NEW-2 and MAINT-4 new, internal incidents changed and added.
pub fn edited_site() -> tempfile::TempDir {
    let dir = site_with_previous(&[
        ("content/incidents/pub1.md", PUB1_BEFORE),
        ("content/incidents/old3.md", OLD3),
        ("content/incidents/secret.md", SECRET_BEFORE),
    ]);
    let root = dir.path();
    write(root, "content/incidents/pub1.md", &pub1_after());
    write(root, "content/incidents/new2.md", NEW2);
    write(root, "content/incidents/maint4.md", MAINT4);
    write(
        root,
        "content/incidents/secret.md",
        &SECRET_BEFORE.replace(
            "started:",
            "timeline:\n  - at: 2026-05-22T10:00:00Z\n    text: MkSecretId7 more\nstarted:",
        ),
    );
    write(root, "content/incidents/secret10.md", SECRET_NEW);
    dir
}
