//! `sitrep notify` end to end (issue 20): the real binary against real
//! receivers on 127.0.0.1 — an HTTP server per test for Slack, Discord, Teams
//! and the signed webhook, and an SMTP server taking multipart mail. PREVIOUS
//! is a real build of the site before the edit (a folder, or served by URL).

#[path = "../common/mod.rs"]
mod common;
mod receivers;

use common::{BIN, EPOCH, read, run, write};
use hmac::{Hmac, Mac};
use mail_parser::MimeHeaders;
use receivers::{Http, Smtp};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const CONFIG: &str = r#"title = "Test Desk"
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
const PATHS: &[(&str, &str)] = &[
    ("T_SLACK", "slack/services/T0/B0/SeCrEtToKeNsl"),
    ("T_DISCORD", "discord/api/webhooks/1/SeCrEtToKeNdc"),
    ("T_TEAMS", "teams/workflows/SeCrEtToKeNtm"),
    ("T_HOOK", "hook/SeCrEtToKeNwh"),
    ("T_FILTERED", "filtered/SeCrEtToKeNfl"),
    ("T_MAJOR", "major/SeCrEtToKeNmj"),
];
const HOOK_KEY: &str = "hook-signing-key-42";

/// A marker in every kind of internal material; none may leave the machine.
const MARKERS: &[&str] = &[
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
const PUB1_BEFORE: &str = r#"---
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

const OLD3: &str = "---\nid: OLD-3\ntitle: An old outage\nservices: [Exchange Online]\nstatus: resolved\nstarted: 2026-04-01T10:00:00Z\nresolved: 2026-04-01T11:00:00Z\n---\nDone.\n";

const SECRET_BEFORE: &str = "---\nid: MkSecretId7\ntitle: Secret MkSecretId7\ninternal: true\nservices: [Exchange Online]\nstatus: investigating\nstarted: 2026-05-21T10:00:00Z\n---\nMkSecretId7\n";

fn pub1_after() -> String {
    PUB1_BEFORE
        .replace("status: investigating\nstarted", "status: resolved\nstarted")
        .replace("started: 2026-05-20T10:00:00Z\n", "started: 2026-05-20T10:00:00Z\nresolved: 2026-05-20T12:00:00Z\n")
        .replace(
            "actions:",
            "  - at: 2026-05-20T11:00:00Z\n    text: \"MkTimelineNew8 root cause is the relay.\"\n    internal: true\n  - at: 2026-05-20T12:00:00Z\n    status: resolved\n    text: |\n      Mail flows again.\n\n      ```internal\n      MkFieldFence9 was the cause.\n      ```\nactions:",
        )
}

const NEW2: &str = "---\nid: NEW-2\ntitle: Teams calls drop\nservices: [Microsoft Teams]\nregions: [Germany]\nseverity: major\nstatus: investigating\nstarted: 2026-05-27T08:00:00Z\ntimeline:\n  - at: 2026-05-27T08:10:00Z\n    status: investigating\n    text: Calls drop after a minute; we are investigating.\n---\nCalls drop.\n";

const MAINT4: &str = "---\nid: MAINT-4\ntitle: Relay upgrade\nclassification: maintenance\nservices: [Exchange Online]\nseverity: none\nstatus: identified\nstarted: 2026-06-10T22:00:00Z\nwindow:\n  start: 2026-06-10T22:00:00Z\n  end: 2026-06-11T01:00:00Z\n---\nPlanned.\n";

const SECRET_NEW: &str = "---\nid: MkNewSecret10\ntitle: MkNewSecret10\ninternal: true\nservices: [Exchange Online]\nstatus: investigating\nstarted: 2026-05-27T10:00:00Z\n---\nMkNewSecret10\n";

/// A site in its "before" state, built into `<tmp>/previous` (PREVIOUS).
fn site_with_previous(files: &[(&str, &str)]) -> tempfile::TempDir {
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
fn edited_site() -> tempfile::TempDir {
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

/// `sitrep notify` with the receivers' addresses in the environment, minus `unset`.
fn notify(root: &Path, http: &Http, smtp: &Smtp, args: &[&str], unset: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("notify")
        .args(args)
        .arg("--root")
        .arg(root)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    for (name, path) in PATHS {
        cmd.env(name, http.url(path));
    }
    cmd.env("T_HOOK_KEY", HOOK_KEY).env("T_SMTP", &smtp.url);
    for name in unset {
        cmd.env_remove(name);
    }
    let out = cmd.output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{out:?}"
    );
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn path_of(env: &str) -> &'static str {
    PATHS.iter().find(|(n, _)| *n == env).unwrap().1
}

/// The posts to a channel, by the incident ID each is about.
fn by_id(
    http: &Http,
    env: &str,
    id_of: impl Fn(&Value) -> String,
) -> std::collections::BTreeMap<String, (Value, receivers::Request)> {
    http.posts(path_of(env))
        .into_iter()
        .map(|r| (id_of(&r.json()), (r.json(), r)))
        .collect()
}

fn keys<V>(m: &std::collections::BTreeMap<String, V>) -> Vec<&str> {
    m.keys().map(String::as_str).collect()
}

fn id_in(text: &str) -> String {
    ["PUB-1", "NEW-2", "MAINT-4"]
        .into_iter()
        .find(|id| text.contains(id))
        .unwrap_or("?")
        .to_string()
}

#[test]
fn every_channel_kind_gets_its_payload_and_nothing_internal_leaves() {
    let dir = edited_site();
    let root = dir.path();
    let prev = root.join("previous");
    let (http, smtp) = (Http::ok(), Smtp::start());

    // A dry run first: it prints what the real run then sends, and sends nothing.
    let dry = notify(
        root,
        &http,
        &smtp,
        &["--since", prev.to_str().unwrap(), "--dry-run"],
        &[],
    );
    assert!(dry.status.success(), "{dry:?}");
    assert!(http.all_posts().is_empty() && smtp.mails().is_empty());
    let printed = text(&dry.stdout);
    assert!(printed.contains("notify: 3 changed incidents"), "{printed}");

    let out = notify(
        root,
        &http,
        &smtp,
        &["--since", prev.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stdout.contains("16 messages: 16 sent, 0 failed"),
        "{stdout}"
    );

    // Exactly what the dry run printed was sent.
    for r in http.all_posts() {
        assert!(
            printed.contains(&text(&r.body)),
            "dry run did not print the body sent to {}",
            r.path
        );
    }

    let slack = by_id(&http, "T_SLACK", |v| id_in(v["text"].as_str().unwrap()));
    assert_eq!(keys(&slack), ["MAINT-4", "NEW-2", "PUB-1"]);
    let (pub1, _) = &slack["PUB-1"];
    assert!(
        pub1["text"].as_str().unwrap().contains("Mail flows again."),
        "{pub1}"
    );
    let blocks = pub1["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    assert!(
        blocks.iter().any(|b| b["type"] == "context"
            && b["elements"][0]["text"]
                .as_str()
                .unwrap()
                .contains("https://example.org/pm/incidents/pub-1/")),
        "{pub1}"
    );

    let discord = by_id(&http, "T_DISCORD", |v| {
        id_in(v["content"].as_str().unwrap())
    });
    assert_eq!(keys(&discord), ["MAINT-4", "NEW-2", "PUB-1"]);
    let (new2, _) = &discord["NEW-2"];
    let embed = &new2["embeds"][0];
    assert_eq!(embed["url"], "https://example.org/pm/incidents/new-2/");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("Calls drop after a minute"),
        "{new2}"
    );
    assert_eq!(new2["allowed_mentions"]["parse"], serde_json::json!([]));

    let teams = by_id(&http, "T_TEAMS", |v| id_in(&v.to_string()));
    assert_eq!(keys(&teams), ["MAINT-4", "NEW-2", "PUB-1"]);
    let (maint, _) = &teams["MAINT-4"];
    assert_eq!(maint["type"], "message");
    let att = &maint["attachments"][0];
    assert_eq!(
        att["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(att["content"]["type"], "AdaptiveCard");
    assert_eq!(
        att["content"]["actions"][0]["url"],
        "https://example.org/pm/incidents/maint-4/"
    );
    assert!(
        att["content"]["body"]
            .to_string()
            .contains("Maintenance scheduled"),
        "{maint}"
    );

    // The generic webhook: the contract's shape, the published compact record, the HMAC.
    let list: Value = serde_json::from_str(&build_list(root)).unwrap();
    let compact = |id: &str| {
        list["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    let hook = by_id(&http, "T_HOOK", |v| {
        v["changes"][0]["incident"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    });
    assert_eq!(keys(&hook), ["MAINT-4", "NEW-2", "PUB-1"]);
    for (id, (v, req)) in &hook {
        assert_eq!(v["version"], 1);
        assert_eq!(
            v["site"],
            serde_json::json!({"title": "Test Desk", "url": "https://example.org/pm/"})
        );
        assert_eq!(v["changes"][0]["incident"], compact(id), "{id}");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(HOOK_KEY.as_bytes()).unwrap();
        mac.update(&req.body);
        let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(req.headers.get("x-sitrep-signature"), Some(&want), "{id}");
        assert_eq!(
            req.headers.get("content-type").map(String::as_str),
            Some("application/json")
        );
    }
    let types = |id: &str| {
        hook[id].0["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(types("PUB-1"), ["incident.resolved"]);
    assert_eq!(types("NEW-2"), ["incident.created"]);
    assert_eq!(types("MAINT-4"), ["maintenance.scheduled"]);
    let update = &hook["PUB-1"].0["changes"][0]["update"];
    assert_eq!(
        (update["at"].as_str(), update["status"].as_str()),
        (Some("2026-05-20T12:00:00Z"), Some("resolved"))
    );
    assert_eq!(update["text"].as_str().unwrap().trim(), "Mail flows again.");
    assert_eq!(hook["MAINT-4"].0["changes"][0]["update"], Value::Null);

    // Filters: a service no change has gets nothing; "at least major" gets NEW-2 only.
    assert!(http.posts(path_of("T_FILTERED")).is_empty());
    let major = by_id(&http, "T_MAJOR", |v| {
        v["changes"][0]["incident"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    });
    assert_eq!(keys(&major), ["NEW-2"]);

    check_mail(&smtp);

    // Nothing internal anywhere, and no secret echoed.
    let mut everything = stdout.clone() + &stderr + &printed;
    for r in http.all_posts() {
        everything.push_str(&text(&r.body));
    }
    for m in smtp.mails() {
        everything.push_str(&text(&m));
    }
    for m in MARKERS {
        assert!(
            !everything.contains(m),
            "internal marker {m} was sent or printed"
        );
    }
    assert!(!(stdout + &stderr + &printed).contains("SeCrEtToKeN") && !printed.contains(HOOK_KEY));
}

/// `api/incidents.json` of the edited site, built into its own folder.
fn build_list(root: &Path) -> String {
    let out_dir = root.join("current");
    let out = run(root, &["build", "--output", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    read(&out_dir, "api/incidents.json")
}

/// Three multipart/alternative mails with the contract's subject, both parts.
fn check_mail(smtp: &Smtp) {
    let mails = smtp.mails();
    assert_eq!(mails.len(), 3);
    let parsed: Vec<_> = mails
        .iter()
        .map(|m| mail_parser::MessageParser::default().parse(m).unwrap())
        .collect();
    let mut subjects: Vec<&str> = parsed.iter().map(|m| m.subject().unwrap()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "[Test Desk] MAINT-4 Identified: Relay upgrade",
            "[Test Desk] NEW-2 Investigating: Teams calls drop",
            "[Test Desk] PUB-1 Resolved: Mail delays for everyone",
        ]
    );
    for m in &parsed {
        let ct = m.content_type().unwrap();
        assert_eq!(
            (ct.ctype(), ct.subtype()),
            ("multipart", Some("alternative"))
        );
        assert_eq!((m.text_body.len(), m.html_body.len()), (1, 1));
        assert_eq!(m.to().unwrap().iter().count(), 2);
        assert_eq!(
            m.from().unwrap().first().unwrap().address(),
            Some("status@example.org")
        );
        let (plain, html) = (m.body_text(0).unwrap(), m.body_html(0).unwrap());
        assert!(
            plain.contains("https://example.org/pm/incidents/"),
            "{plain}"
        );
        assert!(
            html.contains("<a href=\"https://example.org/pm/incidents/"),
            "{html}"
        );
    }
    let pub1 = parsed
        .iter()
        .find(|m| m.subject().unwrap().contains("PUB-1"))
        .unwrap();
    assert!(pub1.body_text(0).unwrap().contains("Mail flows again."));
}

#[test]
fn nothing_is_sent_when_previous_is_the_new_output_by_folder_or_url() {
    let dir = edited_site();
    let root = dir.path();
    let (http, smtp) = (Http::ok(), Smtp::start());
    let current = root.join("current");
    build_list(root);
    let out = notify(
        root,
        &http,
        &smtp,
        &["--since", current.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stdout).contains("nothing changed"), "{out:?}");
    // The same over HTTP: PREVIOUS as the live site's URL.
    let live = Http::start(Box::new(|_, _| (200, vec![])), Some(current));
    let out = notify(root, &http, &smtp, &["--since", &live.base], &[]);
    assert!(
        out.status.success() && text(&out.stdout).contains("nothing changed"),
        "{out:?}"
    );
    assert!(http.all_posts().is_empty() && smtp.mails().is_empty());
    // And the published "before" by URL gives the same three changes as the folder.
    let before = Http::start(Box::new(|_, _| (200, vec![])), Some(root.join("previous")));
    let out = notify(
        root,
        &http,
        &smtp,
        &["--since", &before.base, "--dry-run"],
        &[],
    );
    assert!(
        text(&out.stdout).contains("notify: 3 changed incidents"),
        "{out:?}"
    );
}

#[test]
fn a_failing_channel_is_retried_and_a_permanent_failure_is_named_while_others_deliver() {
    let dir = site_with_previous(&[("content/incidents/old3.md", OLD3)]);
    let root = dir.path();
    write(root, "content/incidents/new2.md", NEW2);
    let http = Http::start(
        Box::new(|path, n| match path.split('/').nth(1).unwrap_or("") {
            "slack" if n < 2 => (500, vec![]),
            "teams" if n == 0 => (429, vec![("Retry-After", "1".to_string())]),
            "discord" => (503, vec![]),
            "hook" => (404, vec![]),
            _ => (200, vec![]),
        }),
        None,
    );
    let smtp = Smtp::start();
    let started = std::time::Instant::now();
    let out = notify(
        root,
        &http,
        &smtp,
        &["--since", root.join("previous").to_str().unwrap()],
        &[],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // Retried until accepted.
    assert_eq!(http.posts(path_of("T_SLACK")).len(), 3);
    assert!(
        stdout.contains("sent slack (sitrep.toml:5) · NEW-2 (after 3 tries)"),
        "{stdout}"
    );
    assert_eq!(http.posts(path_of("T_TEAMS")).len(), 2);
    // 5xx three times: named; 404 is final at once: named.
    assert_eq!(http.posts(path_of("T_DISCORD")).len(), 3);
    assert_eq!(http.posts(path_of("T_HOOK")).len(), 1);
    assert!(stderr.contains("error: discord (sitrep.toml:9) · NEW-2: POST to $T_DISCORD failed: HTTP 503 (after 3 tries)"), "{stderr}");
    assert!(
        stderr
            .contains("error: webhook (sitrep.toml:17) · NEW-2: POST to $T_HOOK failed: HTTP 404"),
        "{stderr}"
    );
    // The others still delivered.
    assert_eq!(smtp.mails().len(), 1);
    assert_eq!(http.posts(path_of("T_MAJOR")).len(), 1);
    assert!(stdout.contains("6 messages: 4 sent, 2 failed"), "{stdout}");
    assert!(!(stdout + &stderr).contains("SeCrEtToKeN"));
}

#[test]
fn a_missing_environment_variable_is_exit_2_naming_it_and_nothing_is_sent() {
    let dir = site_with_previous(&[("content/incidents/old3.md", OLD3)]);
    let root = dir.path();
    write(root, "content/incidents/new2.md", NEW2);
    let (http, smtp) = (Http::ok(), Smtp::start());
    let prev = root.join("previous");
    let out = notify(
        root,
        &http,
        &smtp,
        &["--since", prev.to_str().unwrap()],
        &["T_DISCORD", "T_HOOK_KEY"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "environment variable T_DISCORD is not set (needed by discord (sitrep.toml:9))"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("T_HOOK_KEY"), "{stderr}");
    assert!(!stderr.contains("SeCrEtToKeN") && !stderr.contains(&smtp.url));
    assert!(http.all_posts().is_empty() && smtp.mails().is_empty());
    // A dry run needs no secrets: it says where the signature would come from.
    let dry = notify(
        root,
        &http,
        &smtp,
        &["--since", prev.to_str().unwrap(), "--dry-run"],
        &["T_HOOK_KEY"],
    );
    assert!(dry.status.success(), "{dry:?}");
    assert!(
        text(&dry.stdout).contains("(signed with $T_HOOK_KEY when sent; it is not set)"),
        "{dry:?}"
    );
}

#[test]
fn an_unreadable_previous_is_exit_2_naming_it() {
    let dir = site_with_previous(&[("content/incidents/old3.md", OLD3)]);
    let root = dir.path();
    let (http, smtp) = (Http::ok(), Smtp::start());
    let missing = root.join("no-such-folder");
    let out = notify(
        root,
        &http,
        &smtp,
        &["--since", missing.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        text(&out.stderr).contains("no-such-folder is not a folder"),
        "{out:?}"
    );
    // A URL that is not a sitrep site: its list is missing.
    let empty = Http::start(
        Box::new(|_, _| (200, vec![])),
        Some(root.join("no-such-folder")),
    );
    let out = notify(root, &http, &smtp, &["--since", &empty.base], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        text(&out.stderr).contains("api/incidents.json: HTTP 404"),
        "{out:?}"
    );
    assert!(http.all_posts().is_empty());
}
