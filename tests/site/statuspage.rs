//! `/api/v2/` in Statuspage's shape, and the status model behind it: a site
//! built at a fixed "now" (2026-05-28T20:26:40Z, `common::EPOCH`) with open
//! incidents of every severity and maintenance upcoming, in progress and
//! completed. Also the home banner agreeing with the API.

use crate::common::{build_ok, read, site};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn incident(id: &str, fields: &str, body: &str) -> (String, String) {
    (
        format!("content/incidents/{}.md", id.to_lowercase()),
        format!("---\nid: {id}\n{fields}---\n{body}\n"),
    )
}

/// The fixture site `tests/fixtures/status/`, built at `common::EPOCH`. What
/// each service's status must come out as:
/// - Exchange Online: CRIT1 (critical, open) → major_outage, beating the
///   maintenance MNT-NOW in progress on it;
/// - Teams: MAJ1 (major) and MIN1 (minor) → partial_outage;
/// - SharePoint Online (MIN1), OneDrive (NONE1, severity none), Outlook (ADV1,
///   an advisory without severity) → degraded_performance;
/// - Azure AD: RES1 resolved → operational;
/// - Intune: MNT-UP upcoming and MNT-DONE completed → operational;
/// - Yammer: MNT-NOW in progress → under_maintenance.
pub fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/status");
    crate::common::copy_dir(&from, dir.path());
    dir
}

pub fn json(out: &Path, rel: &str) -> Value {
    serde_json::from_str(&read(out, rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

/// Component name → status, from a components array.
pub fn statuses(components: &Value) -> BTreeMap<String, String> {
    components
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn components_indicator_and_lists_follow_the_mapping() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let summary = json(&out, "api/v2/summary.json");
    let want: BTreeMap<String, String> = [
        ("Azure AD", "operational"),
        ("Exchange Online", "major_outage"),
        ("Intune", "operational"),
        ("OneDrive", "degraded_performance"),
        ("Outlook", "degraded_performance"),
        ("SharePoint Online", "degraded_performance"),
        ("Teams", "partial_outage"),
        ("Yammer", "under_maintenance"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(statuses(&summary["components"]), want);
    let comps = summary["components"].as_array().unwrap();
    let positions: Vec<i64> = comps
        .iter()
        .map(|c| c["position"].as_i64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=8).collect::<Vec<_>>(),
        "position in name order"
    );
    assert_eq!(comps[1]["id"], "exchange-online");
    assert_eq!(summary["status"]["indicator"], "critical");
    assert_eq!(summary["status"]["description"], "Major Service Outage");

    // The same status and components in their own documents.
    let status = json(&out, "api/v2/status.json");
    assert_eq!(status["status"], summary["status"]);
    assert_eq!(
        json(&out, "api/v2/components.json")["components"],
        summary["components"]
    );

    // Unresolved: the open incidents, newest first, no maintenance.
    let unresolved = json(&out, "api/v2/incidents/unresolved.json");
    assert_eq!(
        ids(&unresolved["incidents"]),
        ["CRIT1", "MAJ1", "MIN1", "NONE1", "ADV1"]
    );
    assert_eq!(summary["incidents"], unresolved["incidents"]);
    let all = json(&out, "api/v2/incidents.json");
    assert_eq!(
        ids(&all["incidents"]),
        ["CRIT1", "MAJ1", "MIN1", "NONE1", "ADV1", "RES1"]
    );
    let impacts: Vec<&str> = all["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["impact"].as_str().unwrap())
        .collect();
    assert_eq!(
        impacts,
        ["critical", "major", "minor", "none", "none", "critical"]
    );

    // Maintenance: all, upcoming, active — newest window first.
    let m = "scheduled_maintenances";
    let maint = json(&out, "api/v2/scheduled-maintenances.json");
    assert_eq!(ids(&maint[m]), ["MNT-UP", "MNT-NOW", "MNT-DONE"]);
    let st: Vec<&str> = maint[m]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(st, ["scheduled", "in_progress", "completed"]);
    assert_eq!(maint[m][0]["scheduled_for"], "2026-06-02T22:00:00Z");
    assert_eq!(maint[m][0]["scheduled_until"], "2026-06-03T01:00:00Z");
    assert_eq!(maint[m][0]["impact"], "maintenance");
    assert_eq!(
        ids(&json(&out, "api/v2/scheduled-maintenances/upcoming.json")[m]),
        ["MNT-UP"]
    );
    assert_eq!(
        ids(&json(&out, "api/v2/scheduled-maintenances/active.json")[m]),
        ["MNT-NOW"]
    );
    assert_eq!(ids(&summary[m]), ["MNT-UP", "MNT-NOW"]);
}

#[test]
fn incidents_carry_statuspage_fields_and_updates_newest_first() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let all = json(&out, "api/v2/incidents.json");
    let page = &all["page"];
    assert_eq!(page["name"], "Test Desk");
    assert_eq!(page["url"], "https://example.org/pm/");
    assert_eq!(page["time_zone"], "America/New_York");
    assert!(page["id"].as_str().is_some_and(|s| !s.is_empty()));
    // The latest time in the content (MNT-NOW's last update), not the build clock.
    assert_eq!(page["updated_at"], "2026-05-28T18:00:00Z");
    let crit = &all["incidents"][0];
    assert_eq!(crit["name"], "Mail flow stopped");
    assert_eq!(crit["status"], "monitoring");
    assert_eq!(crit["created_at"], "2026-05-28T10:00:00Z");
    assert_eq!(crit["started_at"], "2026-05-28T10:00:00Z");
    assert_eq!(crit["updated_at"], "2026-05-28T13:30:00Z");
    assert_eq!(crit["monitoring_at"], "2026-05-28T13:30:00Z");
    assert_eq!(crit["resolved_at"], Value::Null);
    assert_eq!(crit["shortlink"], "https://example.org/pm/incidents/crit1/");
    assert_eq!(crit["page_id"], page["id"]);
    assert_eq!(crit["components"][0]["id"], "exchange-online");
    assert_eq!(crit["components"][0]["status"], "major_outage");
    let updates = crit["incident_updates"].as_array().unwrap();
    let at: Vec<&str> = updates
        .iter()
        .map(|u| u["display_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "2026-05-28T13:30:00Z",
            "2026-05-28T12:00:00Z",
            "2026-05-28T11:00:00Z",
            "2026-05-28T10:05:00Z"
        ],
        "newest first"
    );
    let st: Vec<&str> = updates
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    // The entry without a status keeps the one before it.
    assert_eq!(
        st,
        ["monitoring", "identified", "investigating", "investigating"]
    );
    assert_eq!(updates[3]["body"], "Looking into **delays**.");
    assert_eq!(updates[3]["incident_id"], "CRIT1");
    assert_eq!(updates[0]["created_at"], updates[0]["display_at"]);
    let res = &all["incidents"][5];
    assert_eq!(res["resolved_at"], "2026-05-20T11:00:00Z");
    assert_eq!(res["components"][0]["status"], "operational");
}

/// One open incident per severity on its own, and maintenance alone.
#[test]
fn indicator_and_description_per_worst_impact() {
    let cases = [
        (vec![], "none", "All Systems Operational"),
        (vec![("A", "minor")], "minor", "Minor Service Outage"),
        (
            vec![("A", "minor"), ("B", "major")],
            "major",
            "Partial System Outage",
        ),
        (vec![("A", "none")], "none", "All Systems Operational"),
    ];
    for (open, indicator, description) in cases {
        let mut files = vec![incident(
            "MNT",
            "title: Later\nclassification: maintenance\nstatus: identified\nservices: [Intune]\nstarted: 2026-05-01T09:00:00Z\nwindow:\n  start: 2026-07-01T09:00:00Z\n  end: 2026-07-01T10:00:00Z\n",
            "Later.",
        )];
        for (id, sev) in &open {
            files.push(incident(id, &format!("title: T\nstatus: investigating\nseverity: {sev}\nservices: [Teams]\nstarted: 2026-05-02T09:00:00Z\n"), "B."));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let dir = site(&refs);
        let out = build_ok(dir.path(), &[]);
        let s = json(&out, "api/v2/status.json");
        assert_eq!(s["status"]["indicator"], indicator, "{open:?}");
        assert_eq!(s["status"]["description"], description, "{open:?}");
        let home = read(&out, "index.html");
        assert!(
            home.contains(description),
            "home banner shows {description}"
        );
    }
    // Only maintenance in progress.
    let files = [incident(
        "MNT",
        "title: Now\nclassification: maintenance\nstatus: identified\nservices: [Intune]\nstarted: 2026-05-01T09:00:00Z\nwindow:\n  start: 2026-05-28T20:00:00Z\n  end: 2026-05-28T21:00:00Z\n",
        "Now.",
    )];
    let dir = site(&[(files[0].0.as_str(), files[0].1.as_str())]);
    let out = build_ok(dir.path(), &[]);
    let s = json(&out, "api/v2/status.json");
    assert_eq!(s["status"]["indicator"], "maintenance");
    assert_eq!(s["status"]["description"], "Service Under Maintenance");
    assert_eq!(
        statuses(&json(&out, "api/v2/components.json")["components"])["Intune"],
        "under_maintenance"
    );
}

#[test]
fn home_banner_agrees_with_the_api() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let summary = json(&out, "api/v2/summary.json");
    let home = scraper::Html::parse_document(&read(&out, "index.html"));
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let text = |e: scraper::ElementRef| e.text().collect::<String>().trim().to_string();
    let headline = home
        .select(&sel(".site-status"))
        .next()
        .expect("site status line");
    assert_eq!(text(headline), summary["status"]["description"]);
    // Every service the API calls not operational has a banner row with its status.
    let rows: BTreeMap<String, String> = home
        .select(&sel(".service-status > li"))
        .map(|li| {
            let name = text(li.select(&sel(".service-name")).next().unwrap());
            let badge = li.select(&sel(".badge")).next().unwrap();
            let class = badge
                .value()
                .classes()
                .find(|c| c.starts_with("st-"))
                .unwrap();
            (name, class.trim_start_matches("st-").to_string())
        })
        .collect();
    let mut want = statuses(&summary["components"]);
    want.retain(|_, s| s != "operational");
    assert_eq!(rows, want);
    // The calendar is linked from the home page.
    assert!(
        home.select(&sel("a[href='/pm/maintenance.ics']"))
            .next()
            .is_some()
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let first: Vec<(String, Vec<u8>)> = crate::common::files(&out)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(out.join(&f)).unwrap();
            (f, b)
        })
        .collect();
    assert!(first.iter().any(|(f, _)| f == "api/v2/summary.json"));
    assert!(first.iter().any(|(f, _)| f == "maintenance.ics"));
    assert!(first.iter().any(|(f, _)| f == "services/teams/badge.svg"));
    let out = build_ok(dir.path(), &[]);
    for (f, b) in &first {
        assert_eq!(
            &std::fs::read(out.join(f)).unwrap(),
            b,
            "{f} differs between builds"
        );
    }
    assert_eq!(crate::common::files(&out).len(), first.len());
}

/// `docs/api.md` as text.
pub fn api_doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api.md")).unwrap()
}

/// The first fenced block of kind `lang` after the line `heading`.
pub fn block_after(doc: &str, heading: &str, lang: &str) -> String {
    let at = doc
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading} in docs/api.md"));
    let fence = format!("```{lang}\n");
    let start = at + doc[at..].find(&fence).unwrap() + fence.len();
    let end = start + doc[start..].find("\n```").unwrap();
    doc[start..end].to_string()
}

/// `shown` is `real` with some arrays cut short (what the docs print).
fn is_cut_of(shown: &Value, real: &Value, at: &str) {
    match (shown, real) {
        (Value::Object(a), Value::Object(b)) => {
            let (ka, kb): (Vec<_>, Vec<_>) = (a.keys().collect(), b.keys().collect());
            assert_eq!(ka, kb, "keys at {at}");
            for (k, v) in a {
                is_cut_of(v, &b[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert!(
                !a.is_empty() || b.is_empty(),
                "{at}: an example cut to nothing"
            );
            assert!(a.len() <= b.len(), "{at}: more items than the build");
            for (n, (x, y)) in a.iter().zip(b).enumerate() {
                is_cut_of(x, y, &format!("{at}[{n}]"));
            }
        }
        _ => assert_eq!(shown, real, "{at}"),
    }
}

#[test]
fn docs_examples_are_real_output() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let doc = api_doc();
    for file in [
        "summary.json",
        "status.json",
        "components.json",
        "incidents.json",
        "incidents/unresolved.json",
        "scheduled-maintenances.json",
        "scheduled-maintenances/upcoming.json",
        "scheduled-maintenances/active.json",
    ] {
        let shown = block_after(&doc, &format!("### `/api/v2/{file}`"), "json");
        let shown: Value = serde_json::from_str(&shown).unwrap_or_else(|e| panic!("{file}: {e}"));
        is_cut_of(&shown, &json(&out, &format!("api/v2/{file}")), file);
    }
}
