//! Public and internal builds from one source (FORMAT.md "Public and internal
//! builds"): a site with a unique marker in every kind of internal material,
//! built both ways; no marker may reach any file of the public build in any
//! spelling, and every marker must reach the internal one.

use crate::common::{build_ok, check_json, files, read, run, site};
use scraper::{Html, Selector};
use serde_json::Value;
use std::path::Path;

/// The marker of each kind of internal material FORMAT.md lists.
const MARKERS: &[(&str, &str)] = &[
    ("internal incident ID", "MkSecretId7"),
    ("internal incident title", "MkTitle8"),
    ("internal incident body", "MkBody9"),
    ("internal incident error code", "MkErrCode10"),
    ("internal incident error message", "MkErrMsg11"),
    ("region only the internal incident has", "MkRegion12"),
    ("internal incident postmortem", "MkPostmortem14"),
    ("internal news story", "MkNews13"),
    ("internal notes", "MkNotes1"),
    ("internal timeline entry", "MkTimeline2"),
    ("internal action", "MkAction3"),
    ("internal source", "MkSource4"),
    ("internal related item", "MkRelated5"),
    ("```internal block", "MkFence6"),
    ("```internal block in a postmortem part", "MkFieldFence16"),
];

const PUBLIC_INCIDENT: &str = r#"---
id: PUB-1
title: Mail delays for everyone
services: [Exchange Online]
regions: [Europe]
status: resolved
started: 2026-05-01T10:00:00Z
resolved: 2026-05-01T12:00:00Z
internal: |
  The on-call engineer MkNotes1 paged the vendor <twice> & waited.
timeline:
  - at: 2026-05-01T10:05:00Z
    status: investigating
    text: We are looking into mail delays.
  - at: 2026-05-01T10:30:00Z
    text: "Failover to the MkTimeline2 standby cluster was skipped."
    internal: true
  - at: 2026-05-01T12:00:00Z
    status: resolved
    text: Mail flows again.
actions:
  - text: Publish a status page runbook
    status: open
  - text: "Rotate the MkAction3 credentials"
    status: open
    internal: true
sources:
  - title: Provider alert
    url: https://status.example.com/alert
  - title: "Ticket MkSource4"
    url: https://tickets.example.internal/MkSource4
    internal: true
related:
  - title: "MkRelated5 outage of the old relay"
    internal: true
  - PUB-2
postmortem:
  impact: |
    Mail was late for two hours.

    ```internal
    The MkFieldFence16 queue alarm was muted.
    ```
  published: 2026-05-10T09:00:00Z
---
Mail was delayed for two hours.

```internal
The runbook step MkFence6 was skipped; see [the other outage](incident:MkSecretId7).
```

Public text again, with [the other outage](incident:MkSecretId7) as a link.
"#;

const OTHER_PUBLIC: &str = r#"---
id: PUB-2
title: Calendar sync slow
services: [Exchange Online]
status: resolved
started: 2026-04-01T10:00:00Z
resolved: 2026-04-01T11:00:00Z
---
Calendars synced slowly.
"#;

const SECRET_INCIDENT: &str = r#"---
id: MkSecretId7
title: "MkTitle8 database failover"
services: [Exchange Online]
regions: [MkRegion12 Land]
errors:
  - code: MkErrCode10
    message: "MkErrMsg11 <ü> & more"
tags: [mktag15]
status: resolved
started: 2026-05-02T10:00:00Z
resolved: 2026-05-02T11:00:00Z
internal: true
postmortem:
  causes: "MkPostmortem14: a stale replica."
  published: 2026-05-12
actions:
  - text: Fix the replica
    status: open
---
MkBody9: the database failed over to a stale replica.
"#;

const SECRET_STORY: &str = r#"---
title: "MkNews13: what happened to the database"
date: 2026-05-03T10:00:00Z
internal: true
incidents: [MkSecretId7]
---
An internal write-up.
"#;

const PUBLIC_STORY: &str = r#"---
title: Mail delays explained
date: 2026-05-04T10:00:00Z
incidents: [PUB-1, MkSecretId7]
---
What happened to mail.
"#;

fn marker_site() -> tempfile::TempDir {
    site(&[
        ("content/incidents/pub-1.md", PUBLIC_INCIDENT),
        ("content/incidents/pub-2.md", OTHER_PUBLIC),
        ("content/incidents/secret.md", SECRET_INCIDENT),
        ("content/news/secret-story.md", SECRET_STORY),
        ("content/news/public-story.md", PUBLIC_STORY),
    ])
}

/// Every spelling a marker could take in an output: as written, lower-cased
/// (URLs, slugs), HTML-escaped, JSON-escaped, and with every character as a
/// `\u` escape.
fn spellings(marker: &str) -> Vec<String> {
    let html = marker
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let json = serde_json::to_string(marker).unwrap();
    let unicode: String = marker
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    vec![
        marker.to_string(),
        marker.to_lowercase(),
        html,
        json.trim_matches('"').to_string(),
        unicode.clone(),
        unicode.to_uppercase().replace("\\U", "\\u"),
    ]
}

/// (file, marker kind) for every marker found in any file below `out`.
fn found(out: &Path) -> Vec<(String, &'static str)> {
    let mut hits = Vec::new();
    for f in files(out) {
        let text = String::from_utf8_lossy(&std::fs::read(out.join(&f)).unwrap()).into_owned();
        for (kind, marker) in MARKERS {
            if spellings(marker).iter().any(|s| text.contains(s.as_str())) {
                hits.push((f.clone(), *kind));
            }
        }
    }
    hits
}

fn build(root: &Path, internal: bool, dir: &str) -> std::path::PathBuf {
    let out = root.join(dir);
    let out_arg = out.to_str().unwrap().to_string();
    let mut args = vec!["build", "--output", &out_arg];
    if internal {
        args.push("--internal");
    }
    let o = run(root, &args);
    assert!(
        o.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn build_both(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    (build(root, false, "public"), build(root, true, "internal"))
}

#[test]
fn no_internal_marker_reaches_any_file_of_the_public_build() {
    let s = marker_site();
    let (public, internal) = build_both(s.path());
    let leaks = found(&public);
    assert!(
        leaks.is_empty(),
        "internal material in the public build: {leaks:?}"
    );

    // Every kind of material reaches the internal build.
    let shown = found(&internal);
    for (kind, _) in MARKERS {
        assert!(
            shown.iter().any(|(_, k)| k == kind),
            "{kind} missing from the internal build"
        );
    }
}

#[test]
fn the_internal_build_marks_every_page_and_the_public_build_none() {
    let s = marker_site();
    let (public, internal) = build_both(s.path());
    let robots = Selector::parse(r#"meta[name="robots"]"#).unwrap();
    let banner = Selector::parse(".internal-banner").unwrap();
    let pages: Vec<String> = files(&internal)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect();
    assert!(pages.len() > 10);
    for page in &pages {
        let doc = Html::parse_document(&read(&internal, page));
        let meta: Vec<_> = doc.select(&robots).collect();
        assert_eq!(meta.len(), 1, "{page}: one robots meta");
        assert_eq!(meta[0].value().attr("content"), Some("noindex"), "{page}");
        let text: String = doc.select(&banner).flat_map(|b| b.text()).collect();
        assert!(text.contains("Internal"), "{page}: no Internal banner");
    }
    for page in files(&public).into_iter().filter(|f| f.ends_with(".html")) {
        let doc = Html::parse_document(&read(&public, &page));
        // /embed/ is `noindex` in every build (FORMAT.md): it is for frames.
        let noindex = usize::from(page == "embed/index.html");
        assert_eq!(doc.select(&robots).count(), noindex, "{page}");
        assert_eq!(doc.select(&banner).count(), 0, "{page}");
    }
    assert_eq!(
        read(&internal, "robots.txt"),
        "User-agent: *\nDisallow: /\n"
    );
    assert!(read(&public, "robots.txt").contains("Allow: /\n"));
    // The fenced block is a marked note in the internal build, with its Markdown rendered.
    let doc = Html::parse_document(&read(&internal, "incidents/pub-1/index.html"));
    let aside = Selector::parse(r#"div.internal-note[role="note"]"#).unwrap();
    let fence = doc
        .select(&aside)
        .find(|a| a.text().collect::<String>().contains("MkFence6"))
        .expect("the internal block as a note");
    let link = Selector::parse("a[href]").unwrap();
    let hrefs: Vec<_> = fence
        .select(&link)
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(hrefs, ["/pm/incidents/mksecretid7/"]);
}

fn json(out: &Path, rel: &str) -> Value {
    serde_json::from_str(&read(out, rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn counts_and_terms_that_only_internal_items_create_are_gone_from_the_public_build() {
    let s = marker_site();
    let (public, internal) = build_both(s.path());
    assert!(!public.join("regions/mkregion12-land").exists());
    assert!(
        internal
            .join("regions/mkregion12-land/index.html")
            .is_file()
    );
    assert!(!public.join("tags/mktag15").exists());
    let ids = |out: &Path| -> Vec<String> {
        json(out, "api/incidents.json")["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&public), ["PUB-1", "PUB-2"]);
    assert_eq!(ids(&internal), ["MkSecretId7", "PUB-1", "PUB-2"]);
    // The shared service counts only what the audience may see.
    let count = |out: &Path| -> usize {
        let doc = Html::parse_document(&read(out, "services/exchange-online/index.html"));
        doc.select(&Selector::parse(".card").unwrap()).count()
    };
    assert_eq!((count(&public), count(&internal)), (2, 3));
    // The open action list: one public action, plus two internal ones.
    let actions = |out: &Path| read(out, "actions/index.html").matches("<tr>").count() - 1;
    assert_eq!((actions(&public), actions(&internal)), (1, 3));
}

#[test]
fn a_link_to_an_internal_incident_is_plain_text_in_public() {
    let s = marker_site();
    let (public, internal) = build_both(s.path());
    let page = |out: &Path| Html::parse_document(&read(out, "incidents/pub-1/index.html"));
    let anchors = Selector::parse(".details a").unwrap();
    let doc = page(&public);
    let prose: String = doc
        .select(&Selector::parse(".details .prose").unwrap())
        .flat_map(|p| p.text())
        .collect();
    assert!(prose.contains("with the other outage as a link"), "{prose}");
    assert!(
        doc.select(&anchors)
            .all(|a| !a.text().collect::<String>().contains("other outage")),
        "the link to an internal incident must be plain text"
    );
    // The story's hidden incident is simply not listed.
    let story = read(&public, "news/public-story/index.html");
    assert!(story.contains("/pm/incidents/pub-1/"));
    let doc = page(&internal);
    let linked = doc
        .select(&anchors)
        .filter(|a| a.value().attr("href") == Some("/pm/incidents/mksecretid7/"))
        .count();
    assert_eq!(
        linked, 2,
        "internal build: the block's link and the body's link"
    );
}

#[test]
fn check_warns_when_public_text_names_an_internal_incident() {
    let body = "---\nid: PUB-1\ntitle: T\nservices: [S]\nstatus: investigating\nstarted: 2026-05-01T10:00:00Z\nrelated: [SECRET-9]\n---\nFirst line.\n\nCaused by SECRET-9, see [that](incident:SECRET-9).\n";
    let secret = "---\nid: SECRET-9\ntitle: T\nservices: [S]\nstatus: investigating\nstarted: 2026-05-01T09:00:00Z\ninternal: true\n---\nHidden.\n";
    let s = site(&[
        // Both are open for weeks: no stale-update warnings in this test.
        (
            "sitrep.toml",
            "title = \"Test Desk\"\nbase_url = \"https://example.org/pm/\"\ntimezone = \"America/New_York\"\nstale_after = \"0\"\n",
        ),
        ("content/incidents/pub.md", body),
        ("content/incidents/secret.md", secret),
        (
            "content/news/n.md",
            "---\ntitle: What SECRET-9 means\ndate: 2026-05-02T10:00:00Z\n---\nText.\n",
        ),
    ]);
    let (code, diags) = check_json(s.path());
    assert_eq!(code, 0, "{diags:?}");
    let warnings: Vec<&Value> = diags
        .iter()
        .filter(|d| {
            d["severity"] == "warning" && d["message"].as_str().unwrap().contains("SECRET-9")
        })
        .collect();
    let at: Vec<(&str, u64)> = warnings
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    let pub_md = "content/incidents/pub.md";
    assert_eq!(
        at,
        [(pub_md, 7), (pub_md, 11), ("content/news/n.md", 2)],
        "{warnings:#?}"
    );
    // In the public build the bare ID and the related entry are plain text.
    let out = build_ok(s.path(), &[]);
    let html = read(&out, "incidents/pub-1/index.html");
    assert!(!html.contains("incidents/secret-9/"));
    let doc = Html::parse_document(&html);
    let related: String = doc
        .select(&Selector::parse(".related li").unwrap())
        .flat_map(|l| l.text())
        .collect();
    assert!(related.contains("SECRET-9"), "{related}");
    // The internal build warns of nothing: every ID there is a link.
    let int = s.path().join("int");
    let o = run(
        s.path(),
        &["build", "--internal", "--output", int.to_str().unwrap()],
    );
    assert!(o.status.success());
    assert!(!String::from_utf8_lossy(&o.stderr).contains("SECRET-9"));
    assert!(read(&int, "incidents/pub-1/index.html").contains("/pm/incidents/secret-9/"));
}

#[test]
fn a_public_incident_may_not_share_its_id_with_an_internal_one() {
    let inc = |extra: &str| {
        format!(
            "---\nid: DUP-1\ntitle: T\nservices: [S]\nstatus: investigating\nstarted: 2026-05-01T10:00:00Z\n{extra}---\nx\n"
        )
    };
    let s = site(&[
        ("content/incidents/a.md", &inc("")),
        ("content/incidents/b.md", &inc("internal: true\n")),
    ]);
    let (code, diags) = check_json(s.path());
    assert_eq!(code, 1);
    let d = diags
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("duplicate incident ID `DUP-1`")
        })
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("content/incidents/a.md"), Some(2))
    );
}

/// The label of an internal note comes from the theme's strings
/// (`incident.internal`), so a German site does not say "Internal".
#[test]
fn an_internal_note_is_labelled_in_the_sites_language() {
    let label = Selector::parse("div.internal-note > p.internal-label").unwrap();
    for (language, want) in [("en", "Internal"), ("de", "Intern")] {
        let s = site(&[
            (
                "sitrep.toml",
                &format!(
                    "title = \"Desk\"\nbase_url = \"https://example.org/pm/\"\nlanguage = \"{language}\"\n"
                ),
            ),
            ("content/incidents/pub-1.md", PUBLIC_INCIDENT),
            ("content/incidents/pub-2.md", OTHER_PUBLIC),
            ("content/incidents/secret.md", SECRET_INCIDENT),
        ]);
        let out = build(s.path(), true, "internal");
        let doc = Html::parse_document(&read(&out, "incidents/pub-1/index.html"));
        let notes: Vec<_> = doc.select(&label).collect();
        assert!(!notes.is_empty(), "{language}: no internal note");
        for n in notes {
            assert_eq!(n.text().collect::<String>(), want, "{language}");
            let div = scraper::ElementRef::wrap(n.parent().unwrap()).unwrap();
            assert_eq!(div.value().attr("aria-label"), Some(want), "{language}");
        }
    }
}
