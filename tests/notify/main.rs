//! `sitrep notify` end to end (issue 20): the real binary against real
//! receivers on 127.0.0.1 — an HTTP server per test for Slack, Discord, Teams
//! and the signed webhook, and an SMTP server taking multipart mail. PREVIOUS
//! is a real build of the site before the edit (a folder, or served by URL).

#[path = "../common/mod.rs"]
mod common;
mod fixtures;
mod receivers;

use common::{BIN, EPOCH, read, run, write};
use fixtures::*;
use hmac::{Hmac, Mac};
use mail_parser::MimeHeaders;
use receivers::{Http, Smtp};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

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

/// A real run against `<root>/previous` that must succeed.
fn send_ok(root: &Path, http: &Http, smtp: &Smtp) -> Output {
    let prev = root.join("previous");
    let out = notify(root, http, smtp, &["--since", prev.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{out:?}");
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

    let out = send_ok(root, &http, &smtp);
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
    // With the key set, the dry run shows the signature it would send, even
    // when another channel's variable is missing.
    let dry = notify(
        root,
        &http,
        &smtp,
        &["--since", prev.to_str().unwrap(), "--dry-run"],
        &["T_DISCORD"],
    );
    assert!(dry.status.success(), "{dry:?}");
    assert!(
        text(&dry.stdout).contains("X-Sitrep-Signature: sha256="),
        "{dry:?}"
    );
    assert!(http.all_posts().is_empty() && smtp.mails().is_empty());
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

#[test]
fn messages_speak_the_site_language() {
    let german = CONFIG.replace(
        "timezone = \"America/New_York\"",
        "timezone = \"Europe/Berlin\"\nlanguage = \"de\"",
    );
    let dir = site_with_previous(&[
        ("sitrep.toml", &german),
        ("content/incidents/old3.md", OLD3),
    ]);
    let root = dir.path();
    write(root, "content/incidents/new2.md", NEW2);
    let (http, smtp) = (Http::ok(), Smtp::start());
    send_ok(root, &http, &smtp);
    let mail = mail_parser::MessageParser::default()
        .parse(&smtp.mails()[0])
        .unwrap()
        .into_owned();
    assert_eq!(
        mail.subject(),
        Some("[Test Desk] NEW-2 Wird untersucht: Teams calls drop")
    );
    let plain = mail.body_text(0).unwrap();
    for words in [
        "Neue Störung · 27. Mai 2026, 10:10 CEST",
        "Schweregrad: Schwer",
        "Dienste: Microsoft Teams",
        "Details: https://example.org/pm/incidents/new-2/",
    ] {
        assert!(plain.contains(words), "{words:?} not in\n{plain}");
    }
    let slack = http.posts(path_of("T_SLACK"))[0].json();
    assert!(
        slack["blocks"].to_string().contains("Neue Störung"),
        "{slack}"
    );
}
