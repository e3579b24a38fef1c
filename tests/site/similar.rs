//! Similar incidents (FORMAT.md "Similar incidents"): a site built so the
//! ranking has exactly one right answer, read back from the incident page and
//! from `/api/incidents/<id>.json`.

use crate::common::{build_ok, read, site};
use serde_json::Value;

/// One resolved incident file.
fn incident(id: &str, day: &str, extra: &str) -> (String, String) {
    let text = format!(
        "---\nid: {id}\ntitle: Incident {id}\nstatus: resolved\nstarted: {day}T10:00:00Z\nresolved: {day}T12:00:00Z\n{extra}---\nBody of {id}.\n"
    );
    (format!("content/incidents/{id}.md"), text)
}

#[test]
fn similar_incidents_rank_error_then_component_then_region_then_service() {
    const ERR: &str = "errors: [SuspiciousRemoteServerError]\n";
    const EXO: &str = "services: [Exchange Online]\n";
    let target = format!("{EXO}components: [mail flow]\nregions: [Europe]\n{ERR}related: [R1]\n");
    let files = [
        incident("T", "2026-06-10", &target),
        // Rank 0, a shared error: newer first, whatever the service.
        incident(
            "E1",
            "2026-06-01",
            &format!("services: [Microsoft Teams]\n{ERR}"),
        ),
        incident("E2", "2026-05-01", &format!("{EXO}{ERR}")),
        // Rank 1: service and component.
        incident(
            "C1",
            "2026-06-05",
            &format!("{EXO}components: [mail flow]\n"),
        ),
        // Rank 2: service and region.
        incident("G1", "2026-06-08", &format!("{EXO}regions: [Europe]\n")),
        // Rank 3: service only; the older one is the sixth and is cut.
        incident("S1", "2026-06-09", EXO),
        incident("S2", "2026-06-07", EXO),
        // Left out: listed in `related`, later than T, nothing shared.
        incident("R1", "2026-06-09", &format!("{EXO}{ERR}")),
        incident("L1", "2026-06-11", &format!("{EXO}{ERR}")),
        incident("X1", "2026-04-01", "services: [SharePoint Online]\n"),
    ];
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = site(&files);
    let out = build_ok(dir.path(), &[]);

    let record: Value = serde_json::from_str(&read(&out, "api/incidents/t.json")).unwrap();
    assert_eq!(
        record["similar"],
        serde_json::json!(["E1", "E2", "C1", "G1", "S1"])
    );
    let earliest: Value = serde_json::from_str(&read(&out, "api/incidents/e2.json")).unwrap();
    assert_eq!(
        earliest["similar"],
        serde_json::json!([]),
        "nothing earlier resembles E2"
    );

    let page = scraper::Html::parse_document(&read(&out, "incidents/t/index.html"));
    let heading = scraper::Selector::parse("#similar-h").unwrap();
    let h = page.select(&heading).next().expect("a Similar section");
    assert_eq!(h.text().collect::<String>(), "Similar earlier incidents");
    let links = scraper::Selector::parse("ul.similar li a").unwrap();
    let hrefs: Vec<&str> = page
        .select(&links)
        .filter_map(|a| a.value().attr("href"))
        .collect();
    let want: Vec<String> = ["e1", "e2", "c1", "g1", "s1"]
        .iter()
        .map(|id| format!("/pm/incidents/{id}/"))
        .collect();
    assert_eq!(hrefs, want);
    // A page with nothing similar has no section.
    let x1 = read(&out, "incidents/x1/index.html");
    assert!(!x1.contains("similar-h"));
}
