//! Postmortems (FORMAT.md `postmortem`, `/postmortems/`): the section of the
//! incident page in the contract's order with anchors in the table of contents,
//! the paginated list, the API record and feeds, and diagnostics at their lines.

use crate::common::{build_ok, check_json, read, site};
use scraper::{Html, Selector};
use serde_json::Value;

/// An incident; `extra` is added to its front matter as written.
fn incident(id: &str, started: &str, status: &str, extra: &str) -> String {
    let resolved = if status == "resolved" {
        format!("resolved: {started}\n")
    } else {
        String::new()
    };
    format!(
        "---\nid: {id}\ntitle: Incident {id}\nservices: [Mail]\nstatus: {status}\nstarted: {started}\n{resolved}{extra}---\nWhat happened to {id}.\n"
    )
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn the_postmortem_section_follows_the_contract_order_and_is_in_the_toc() {
    // Written out of order on purpose; `causes` has a heading of its own.
    let pm = "postmortem:\n  lessons: Test the failover.\n  resolution: We failed over.\n  causes: |\n    A full disk.\n  detection: A user called.\n  trigger: A log burst.\n  impact: Mail stopped.\n  published: 2026-05-10T09:00:00Z\n  authors: [Ops, Mail team]\n";
    let s = site(&[(
        "content/incidents/a.md",
        &incident("PM-1", "2026-05-01T10:00:00Z", "resolved", pm),
    )]);
    let out = build_ok(s.path(), &[]);
    let doc = Html::parse_document(&read(&out, "incidents/pm-1/index.html"));
    let parts: Vec<&str> = doc
        .select(&sel("section.postmortem h3"))
        .map(|h| h.value().attr("id").unwrap())
        .collect();
    let expected = [
        "impact",
        "trigger",
        "causes",
        "detection",
        "resolution",
        "lessons",
    ]
    .map(|p| format!("postmortem-{p}"));
    assert_eq!(parts, expected);
    let toc: Vec<&str> = doc
        .select(&sel("nav.toc a"))
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    let mut want = vec!["#postmortem".to_string()];
    want.extend(expected.iter().map(|e| format!("#{e}")));
    assert_eq!(toc, want);
    // Every TOC entry points at an element of the page.
    for href in &toc {
        let id = &href[1..];
        assert_eq!(
            doc.select(&sel(&format!("[id=\"{id}\"]"))).count(),
            1,
            "{id}"
        );
    }
    let section: String = doc
        .select(&sel("section.postmortem"))
        .flat_map(|e| e.text())
        .collect();
    assert!(section.contains("Ops, Mail team"), "{section}");
    assert!(section.contains("A full disk."), "{section}");
}

#[test]
fn postmortems_lists_resolved_published_ones_newest_published_first_paginated() {
    let published = |d: &str| format!("postmortem:\n  impact: Mail stopped.\n  published: {d}\n");
    let s = site(&[
        (
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://example.org/pm/\"\npaginate_by = 2\n",
        ),
        // Started order differs from published order on purpose.
        (
            "content/incidents/a.md",
            &incident(
                "A-1",
                "2026-05-01T10:00:00Z",
                "resolved",
                &published("2026-05-20"),
            ),
        ),
        (
            "content/incidents/b.md",
            &incident(
                "B-2",
                "2026-05-05T10:00:00Z",
                "resolved",
                &published("2026-05-09"),
            ),
        ),
        (
            "content/incidents/c.md",
            &incident(
                "C-3",
                "2026-04-01T10:00:00Z",
                "resolved",
                &published("2026-05-15T08:00:00Z"),
            ),
        ),
        // Not listed: no `published`, and not resolved.
        (
            "content/incidents/d.md",
            &incident(
                "D-4",
                "2026-05-06T10:00:00Z",
                "resolved",
                "postmortem:\n  impact: Draft.\n",
            ),
        ),
        (
            "content/incidents/e.md",
            &incident(
                "E-5",
                "2026-05-07T10:00:00Z",
                "monitoring",
                &published("2026-05-21"),
            ),
        ),
    ]);
    let out = build_ok(s.path(), &[]);
    let ids = |rel: &str| -> Vec<String> {
        let doc = Html::parse_document(&read(&out, rel));
        doc.select(&sel(".card .id"))
            .map(|e| e.text().collect())
            .collect()
    };
    assert_eq!(ids("postmortems/index.html"), ["A-1", "C-3"]);
    assert_eq!(ids("postmortems/page/2/index.html"), ["B-2"]);
    assert!(!out.join("postmortems/page/3").exists());
    let first = Html::parse_document(&read(&out, "postmortems/index.html"));
    let next: Vec<_> = first
        .select(&sel("link[rel=next]"))
        .map(|l| l.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(next, ["/pm/postmortems/page/2/"]);
    let nav: Vec<_> = first
        .select(&sel("nav.site-nav a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(nav.contains(&"/pm/postmortems/"), "{nav:?}");
    let second = Html::parse_document(&read(&out, "postmortems/page/2/index.html"));
    assert_eq!(second.select(&sel("link[rel=prev]")).count(), 1);
    let sitemap = read(&out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("loc")
                && n.text() == Some("https://example.org/pm/postmortems/"))
    );
}

#[test]
fn the_api_record_and_the_feeds_carry_the_postmortem() {
    let pm = "postmortem:\n  impact: Mail stopped.\n  lessons: \"Watch the **disk**.\"\n  published: 2026-05-10T09:00:00Z\n  authors: Ops\n";
    let s = site(&[(
        "content/incidents/a.md",
        &incident("PM-1", "2026-05-01T10:00:00Z", "resolved", pm),
    )]);
    let out = build_ok(s.path(), &[]);
    let rec: Value = serde_json::from_str(&read(&out, "api/incidents/pm-1.json")).unwrap();
    let p = &rec["postmortem"];
    assert_eq!(p["impact"], "Mail stopped.");
    assert_eq!(p["lessons"], "Watch the **disk**.");
    assert_eq!(p["published"], "2026-05-10T09:00:00Z");
    assert_eq!(p["authors"], serde_json::json!(["Ops"]));
    assert!(p.get("trigger").is_none());

    // The published postmortem is the entry's latest change.
    let atom = read(&out, "atom.xml");
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let entry = doc.descendants().find(|n| n.has_tag_name("entry")).unwrap();
    let child = |name: &str| {
        entry
            .children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(child("updated"), "2026-05-10T09:00:00Z");
    assert!(child("content").contains("<strong>disk</strong>"));
    let feed: Value = serde_json::from_str(&read(&out, "feed.json")).unwrap();
    let item = &feed["items"][0];
    assert_eq!(item["date_modified"], "2026-05-10T09:00:00Z");
    assert!(
        item["content_html"]
            .as_str()
            .unwrap()
            .contains("Lessons learned")
    );
}

#[test]
fn postmortem_problems_are_reported_at_their_lines() {
    // Lines: 1 ---, 2 id … 7 resolved, 8 postmortem:, 9 impcat, 10 trigger, 11 published, 12 authors.
    let pm = "postmortem:\n  impcat: Mail stopped.\n  trigger: [a, b]\n  published: last tuesday\n  authors: {a: 1}\ninternal: 5\n";
    let s = site(&[(
        "content/incidents/a.md",
        &incident("PM-1", "2026-05-01T10:00:00Z", "resolved", pm),
    )]);
    let (code, diags) = check_json(s.path());
    assert_eq!(code, 1);
    let at = |needle: &str| -> (u64, String) {
        let d = diags
            .iter()
            .find(|d| d["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no diagnostic about {needle}: {diags:#?}"));
        (
            d["line"].as_u64().unwrap(),
            d["hint"].as_str().unwrap_or_default().to_string(),
        )
    };
    let (line, hint) = at("unknown key `impcat`");
    assert_eq!(line, 9);
    assert!(hint.contains("did you mean `impact`"), "{hint}");
    assert_eq!(at("`postmortem.trigger` should be text").0, 10);
    assert_eq!(at("`postmortem.published`").0, 11);
    assert_eq!(at("`postmortem.authors` should be a list").0, 12);
    assert_eq!(at("`internal` should be").0, 13);
}

#[test]
fn postmortems_is_reserved_for_the_site() {
    let s = site(&[("content/postmortems.md", "---\ntitle: Mine\n---\nx\n")]);
    let (code, diags) = check_json(s.path());
    assert_eq!(code, 1);
    assert!(
        diags.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("is also sitrep's own `/postmortems/`")),
        "{diags:#?}"
    );
}

#[test]
fn a_body_heading_named_postmortem_keeps_every_anchor_unique() {
    let text = incident(
        "PM-1",
        "2026-05-01T10:00:00Z",
        "resolved",
        "postmortem:\n  impact: Mail stopped.\n",
    )
    .replace(
        "What happened to PM-1.",
        "## Postmortem\n\nSee below.\n\n## Impact {#postmortem-impact}\n\nx\n\n## More\n",
    );
    let s = site(&[("content/incidents/a.md", &text)]);
    let out = build_ok(s.path(), &[]);
    let doc = Html::parse_document(&read(&out, "incidents/pm-1/index.html"));
    let ids: Vec<&str> = doc
        .select(&sel("[id]"))
        .map(|e| e.value().attr("id").unwrap())
        .collect();
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    let section = doc.select(&sel("section.postmortem > h2")).next().unwrap();
    assert_eq!(section.value().attr("id"), Some("postmortem-2"));
    for a in doc.select(&sel("nav.toc a")) {
        let id = &a.value().attr("href").unwrap()[1..];
        assert!(ids.contains(&id), "TOC entry #{id} has no target");
    }
}
