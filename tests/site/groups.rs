//! `[groups]` and uptime in the built site: `/api/v2/` carries groups as
//! Statuspage does (and is otherwise unchanged by them), the home page groups
//! its status list, service pages name their group, and `/api/services.json`
//! and `/stats/` carry each service's uptime and incidents over 90 days —
//! against hand-computed figures.

use super::statuspage::{fixture, json, statuses};
use crate::common::{build_ok, read, site};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const GROUPS: &str = "\n[groups]\n\"Microsoft 365\" = [\"Exchange Online\", \"Teams\", \"SharePoint Online\"]\nIdentity = [\"Azure AD\", \"Intune\"]\n";

fn by_id(components: &Value) -> BTreeMap<String, Value> {
    let list = components.as_array().unwrap();
    list.iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c.clone()))
        .collect()
}

/// `v` with every `group_id` null again.
fn without_group_ids(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                *x = if k == "group_id" {
                    Value::Null
                } else {
                    without_group_ids(x.take())
                };
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| *x = without_group_ids(x.take())),
        _ => {}
    }
    v
}

/// The status fixture with and without `[groups]`: every service keeps its
/// status, position and fields but `group_id`; the groups come after them
/// with `group: true`, their members and the worst member's status; the
/// incident and maintenance documents are byte for byte the same.
#[test]
fn statuspage_documents_carry_groups_and_are_otherwise_unchanged() {
    let plain = fixture();
    let plain_out = build_ok(plain.path(), &[]);
    let grouped = fixture();
    let toml = grouped.path().join("sitrep.toml");
    let text = std::fs::read_to_string(&toml).unwrap() + GROUPS;
    std::fs::write(&toml, text).unwrap();
    let out = build_ok(grouped.path(), &[]);

    for doc in [
        "incidents.json",
        "incidents/unresolved.json",
        "scheduled-maintenances.json",
        "scheduled-maintenances/active.json",
        "status.json",
    ] {
        let a = json(&plain_out, &format!("api/v2/{doc}"));
        // Incidents embed their components, which now name their group.
        let b = without_group_ids(json(&out, &format!("api/v2/{doc}")));
        assert_eq!(a, b, "{doc} is the same with groups but for group_id");
    }
    let summary = json(&out, "api/v2/summary.json");
    let before = json(&plain_out, "api/v2/summary.json");
    assert_eq!(summary["status"], before["status"]);
    assert_eq!(summary["incidents"].as_array().unwrap().len(), 5);
    let comps = summary["components"].as_array().unwrap();
    assert_eq!(comps.len(), 8 + 2);
    // Services: as before (name order, positions 1..8), with their group.
    let old = by_id(&before["components"]);
    let group_of: BTreeMap<&str, Value> = [
        ("azure-ad", json!("group-identity")),
        ("exchange-online", json!("group-microsoft-365")),
        ("intune", json!("group-identity")),
        ("onedrive", Value::Null),
        ("outlook", Value::Null),
        ("sharepoint-online", json!("group-microsoft-365")),
        ("teams", json!("group-microsoft-365")),
        ("yammer", Value::Null),
    ]
    .into_iter()
    .collect();
    for c in &comps[..8] {
        let id = c["id"].as_str().unwrap();
        let mut was = old[id].clone();
        was["group_id"] = group_of[id].clone();
        assert_eq!(*c, was, "{id}");
    }
    // Groups, in the order written, after the services.
    let g = &comps[8];
    assert_eq!(g["id"], "group-microsoft-365");
    assert_eq!(g["name"], "Microsoft 365");
    assert_eq!(g["group"], true);
    assert_eq!(g["position"], 9);
    assert_eq!(
        g["components"],
        json!(["exchange-online", "teams", "sharepoint-online"])
    );
    // Exchange Online is the worst member (major_outage, CRIT1).
    assert_eq!(g["status"], "major_outage");
    assert_eq!(g["group_id"], Value::Null);
    let g = &comps[9];
    assert_eq!(g["id"], "group-identity");
    assert_eq!(g["components"], json!(["azure-ad", "intune"]));
    assert_eq!(
        g["status"], "operational",
        "Azure AD and Intune are operational"
    );
    assert_eq!(
        json(&out, "api/v2/components.json")["components"],
        summary["components"]
    );
    let mut want = statuses(&before["components"]);
    want.insert("Microsoft 365".into(), "major_outage".into());
    want.insert("Identity".into(), "operational".into());
    assert_eq!(statuses(&summary["components"]), want);
}

/// A small UTC site, built at `common::EPOCH` (2026-05-28T20:26:40Z, read as
/// 20:26:00Z): the window runs from 2026-02-28T00:00Z, 7,763,160 s.
fn uptime_site() -> tempfile::TempDir {
    let inc = |id: &str, fields: &str| {
        (
            format!("content/incidents/{}.md", id.to_lowercase()),
            format!("---\nid: {id}\ntitle: {id} trouble\n{fields}---\nText.\n"),
        )
    };
    let files = [
        (
            "sitrep.toml".to_string(),
            "title = \"Uptime Desk\"\nbase_url = \"https://example.org/pm/\"\ntimezone = \"UTC\"\n\n[groups]\nOffice = [\"Mail\", \"Chat\", \"Docs\"]\n".to_string(),
        ),
        // 2 h at weight 1.
        inc("M1", "services: [Mail]\nseverity: critical\nstatus: resolved\nstarted: 2026-05-01T10:00:00Z\nresolved: 2026-05-01T12:00:00Z\n"),
        // Open since 18:26:40Z: 7,160 s at 0.3 to 20:26:00Z.
        inc("M2", "services: [Mail]\nseverity: major\nstatus: investigating\nstarted: 2026-05-28T18:26:40Z\n"),
        // Minor: counted as an incident, weighs nothing.
        inc("C1", "services: [Chat]\nseverity: minor\nstatus: resolved\nstarted: 2026-05-02\nresolved: 2026-05-02\n"),
        // Before the window.
        inc("C0", "services: [Chat]\nseverity: critical\nstatus: resolved\nstarted: 2026-01-01T00:00:00Z\nresolved: 2026-01-01T01:00:00Z\n"),
        inc("W1", "services: [Web]\nseverity: critical\nstatus: resolved\nstarted: 2026-05-10T00:00:00Z\nresolved: 2026-05-10T06:00:00Z\n"),
    ];
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    site(&refs)
}

#[test]
fn services_json_has_group_status_uptime_and_incidents_over_90_days() {
    let dir = uptime_site();
    let out = build_ok(dir.path(), &[]);
    let v = json(&out, "api/services.json");
    assert_eq!(v["site"], "https://example.org/pm/");
    let want = json!([
        // Only C1 of Chat's is in the window; it is minor.
        {"name": "Chat", "slug": "chat", "group": "Office", "status": "operational",
         "uptime_90d": 100.0, "incidents_90d": 1, "url": "https://example.org/pm/services/chat/"},
        // Named in [groups] only: it exists, operational, nothing against it.
        {"name": "Docs", "slug": "docs", "group": "Office", "status": "operational",
         "uptime_90d": 100.0, "incidents_90d": 0, "url": "https://example.org/pm/services/docs/"},
        // 7,200 × 1 + 7,160 × 0.3 = 9,348 weighted seconds:
        // 100 × (1 − 9,348 / 7,763,160) = 99.879584…, rounded down to 99.8795.
        {"name": "Mail", "slug": "mail", "group": "Office", "status": "partial_outage",
         "uptime_90d": 99.8795, "incidents_90d": 2, "url": "https://example.org/pm/services/mail/"},
        // 6 h × 1: 100 × (1 − 21,600 / 7,763,160) = 99.721759…
        {"name": "Web", "slug": "web", "group": null, "status": "operational",
         "uptime_90d": 99.7217, "incidents_90d": 1, "url": "https://example.org/pm/services/web/"},
    ]);
    assert_eq!(v["services"], want);

    // The service page shows two decimals and its group; Docs has a page.
    let mail = read(&out, "services/mail/index.html");
    assert!(
        mail.contains("Uptime over the last 90 days: 99.87%"),
        "rounded down"
    );
    assert!(mail.contains("Part of Office"));
    let docs = read(&out, "services/docs/index.html");
    assert!(docs.contains("Uptime over the last 90 days: 100.00%"));
    let web = read(&out, "services/web/index.html");
    assert!(!web.contains("Part of"));

    // /stats/: one row per service, with its group, uptime and count.
    let stats = read(&out, "stats/index.html");
    let rows = crate::common::row_texts(&stats, "table.stats-uptime tbody tr");
    assert_eq!(
        rows,
        [
            ["Chat", "Office", "100.00%", "1"],
            ["Docs", "Office", "100.00%", "0"],
            ["Mail", "Office", "99.87%", "2"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .chain([vec!["Web".into(), "99.72%".into(), "1".into()]])
        .collect::<Vec<_>>()
    );
}

#[test]
fn the_home_page_groups_its_status_list() {
    let dir = uptime_site();
    let out = build_ok(dir.path(), &[]);
    let home = scraper::Html::parse_document(&read(&out, "index.html"));
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let text = |e: scraper::ElementRef| e.text().collect::<String>().trim().to_string();
    let groups: Vec<_> = home.select(&sel(".service-groups > li")).collect();
    assert_eq!(groups.len(), 1);
    let g = groups[0];
    let details = g.select(&sel("details")).next().unwrap();
    assert!(
        details.value().attr("open").is_some(),
        "a group in trouble is open"
    );
    let summary = details.select(&sel("summary")).next().unwrap();
    assert_eq!(
        text(summary.select(&sel(".group-name")).next().unwrap()),
        "Office"
    );
    assert!(
        summary
            .select(&sel(".badge.st-partial_outage"))
            .next()
            .is_some()
    );
    // In the order [groups] lists them, each row classed with its own status.
    let members: Vec<String> = g
        .select(&sel(".group-members > li"))
        .map(|li| {
            let name = li.select(&sel(".service-name")).next().unwrap();
            format!("{} {}", text(name), li.value().attr("class").unwrap())
        })
        .collect();
    let want = [
        "Mail service-row service-partial_outage",
        "Chat service-row service-operational",
        "Docs service-row service-operational",
    ];
    assert_eq!(members, want);
    // Web, in no group and operational, has no row.
    assert!(home.select(&sel(".service-status")).next().is_none());
}

#[test]
fn a_group_member_spelt_differently_in_an_incident_is_an_error() {
    let dir = site(&[
        (
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\n\n[groups]\nOffice = [\"Exchange Online\"]\n",
        ),
        (
            "content/incidents/a1.md",
            "---\nid: A1\ntitle: T\nservices: [exchange online]\nstatus: resolved\nstarted: 2026-05-01T10:00:00Z\nresolved: 2026-05-01T11:00:00Z\n---\nX.\n",
        ),
    ]);
    let (code, diags) = crate::common::check_json(dir.path());
    assert_eq!(code, 1);
    let msg = diags[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("`exchange online` and `Exchange Online`"),
        "{msg}"
    );
    assert!(
        diags[0]["hint"].as_str().unwrap().contains("sitrep.toml"),
        "{}",
        diags[0]
    );
}
