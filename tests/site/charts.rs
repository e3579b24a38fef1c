//! Build-time charts on a fixture site under a fixed "now" (2026-05-28, New
//! York): `/stats/` (incidents per month by severity, time to acknowledge and
//! to resolve per service), the 90-day strip of a service page and the phase
//! bar of an incident page. The SVGs are parsed with roxmltree; the expected
//! numbers are worked out here from the fixture table, not read from sitrep.

use crate::common::{EPOCH, build_ok, files, read, site};
use roxmltree::{Document, Node};
use scraper::{Html, Selector};
use std::collections::BTreeMap;
use std::path::Path;

const BASE: &str = "https://example.org/pm/";

/// One fixture incident: id, services, severity, started, acknowledged,
/// resolved, extra front matter. All instants are far from midnight in New
/// York, so their month and day there are those written here.
struct Fx {
    id: &'static str,
    services: &'static str,
    severity: Option<&'static str>,
    started: &'static str,
    ack: Option<&'static str>,
    resolved: Option<&'static str>,
    extra: &'static str,
}

const FIXTURE: &[Fx] = &[
    Fx {
        id: "A1",
        services: "[Mail]",
        severity: Some("critical"),
        started: "2026-05-20T10:00:00Z",
        ack: Some("2026-05-20T10:10:00Z"),
        resolved: Some("2026-05-21T12:00:00Z"),
        extra: "timeline:\n  - {at: 2026-05-20T10:00:00Z, status: investigating, text: Looking.}\n  - {at: 2026-05-20T11:00:00Z, status: identified, text: Found.}\n  - {at: 2026-05-20T13:00:00Z, status: monitoring, text: Fixed.}\n  - {at: 2026-05-21T12:00:00Z, status: resolved, text: Done.}\n",
    },
    Fx {
        id: "A2",
        services: "[Mail]",
        severity: Some("minor"),
        started: "2026-05-21T09:00:00Z",
        ack: Some("2026-05-21T09:30:00Z"),
        resolved: Some("2026-05-21T10:00:00Z"),
        extra: "",
    },
    Fx {
        id: "A3",
        services: "[Mail]",
        severity: Some("major"),
        started: "2026-05-27T22:00:00Z",
        ack: Some("2026-05-27T22:05:00Z"),
        resolved: None,
        extra: "timeline:\n  - {at: 2026-05-27T22:00:00Z, status: investigating, text: Looking.}\n",
    },
    Fx {
        id: "A4",
        services: "[Chat]",
        severity: Some("none"),
        started: "2025-07-15T08:00:00Z",
        ack: None,
        resolved: Some("2025-07-15T09:30:00Z"),
        extra: "",
    },
    Fx {
        id: "A5",
        services: "[Chat]",
        severity: None,
        started: "2024-05-10",
        ack: None,
        resolved: Some("2024-05-11"),
        extra: "",
    },
    Fx {
        id: "A6",
        services: "[Mail]",
        severity: Some("major"),
        started: "2026-03-01",
        ack: None,
        resolved: Some("2026-03-03"),
        extra: "",
    },
];

fn write_fixture(root: &Path) {
    for f in FIXTURE {
        let mut fm = format!(
            "id: {}\ntitle: Incident {}\nservices: {}\nstarted: {}\nstatus: {}\n",
            f.id,
            f.id,
            f.services,
            f.started,
            if f.resolved.is_some() {
                "resolved"
            } else {
                "investigating"
            }
        );
        for (k, v) in [
            ("severity", f.severity),
            ("acknowledged", f.ack),
            ("resolved", f.resolved),
        ] {
            if let Some(v) = v {
                fm.push_str(&format!("{k}: {v}\n"));
            }
        }
        crate::common::write(
            root,
            &format!("content/incidents/{}.md", f.id),
            &format!("---\n{fm}{}---\nBody.\n", f.extra),
        );
    }
    // Planned work on Mail in May: never counted.
    crate::common::write(
        root,
        "content/incidents/M1.md",
        "---\nid: M1\ntitle: Planned\nservices: [Mail]\nclassification: maintenance\nseverity: critical\nstatus: resolved\nstarted: 2026-05-10T10:00:00Z\nresolved: 2026-05-10T11:00:00Z\nwindow: {start: 2026-05-10T10:00:00Z, end: 2026-05-10T11:00:00Z}\n---\nWork.\n",
    );
}

fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = site(&[]);
    write_fixture(dir.path());
    let out = build_ok(dir.path(), &[]);
    (dir, out)
}

/// Every inline `<svg>…</svg>` of a page, as text.
fn svgs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<svg") {
        let end = rest[i..].find("</svg>").expect("a closed svg") + i + 6;
        out.push(rest[i..end].to_string());
        rest = &rest[end..];
    }
    out
}

fn svg_by_id(html: &str, id: &str) -> String {
    svgs(html)
        .into_iter()
        .find(|s| s.contains(&format!("id=\"{id}\"")))
        .unwrap_or_else(|| panic!("no svg #{id}"))
}

fn class_has(n: &Node, c: &str) -> bool {
    n.attribute("class")
        .is_some_and(|v| v.split(' ').any(|x| x == c))
}

fn f(n: &Node, a: &str) -> f64 {
    n.attribute(a).unwrap().parse().unwrap()
}

/// The svg is accessible: its `<title>` and `<desc>` named by aria-labelledby
/// and aria-describedby; returns their texts.
fn accessible<'a>(doc: &'a Document<'a>) -> (String, String) {
    let root = doc.root_element();
    // A picture is an image; a chart with links keeps the SVG root's own role,
    // since an image's children (its links) are hidden from assistive tech.
    let linked = doc.descendants().any(|n| n.has_tag_name("a"));
    assert_eq!(root.attribute("role"), (!linked).then_some("img"));
    let by_id = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no #{id}"))
    };
    let title = by_id(root.attribute("aria-labelledby").unwrap());
    let desc = by_id(root.attribute("aria-describedby").unwrap());
    assert!(title.has_tag_name("title") && desc.has_tag_name("desc"));
    let t = title.text().unwrap_or_default().to_string();
    let d = desc.text().unwrap_or_default().to_string();
    assert!(!t.is_empty() && !d.is_empty());
    (t, d)
}

/// The rows of the data table in the figure holding svg `#id`: header cell then data cells.
fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let doc = Html::parse_document(html);
    let fig = Selector::parse("figure.chart").unwrap();
    let row = Selector::parse("table tbody tr").unwrap();
    let cell = Selector::parse("th, td").unwrap();
    let figure = doc
        .select(&fig)
        .find(|f| f.html().contains(&format!("id=\"{id}\"")))
        .unwrap_or_else(|| panic!("no figure for #{id}"));
    assert!(
        figure
            .select(&Selector::parse("table caption").unwrap())
            .next()
            .is_some()
    );
    assert!(
        figure
            .select(&Selector::parse("thead th[scope=col]").unwrap())
            .count()
            >= 2
    );
    figure
        .select(&row)
        .map(|r| {
            r.select(&cell)
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect()
}

/// The months of the chart: 24, ending with now's month (May 2026).
fn months() -> Vec<(i32, i32)> {
    let mut v: Vec<(i32, i32)> = (0..24)
        .map(|k| {
            let n = 2026 * 12 + 4 - k; // May 2026 is 2026*12 + 4 (months from 0)
            (n / 12, n % 12 + 1)
        })
        .collect();
    v.reverse();
    v
}

const SEVERITIES: [&str; 5] = ["critical", "major", "minor", "unrated", "none"];

fn expected_counts() -> BTreeMap<(i32, i32), [usize; 5]> {
    let mut m: BTreeMap<(i32, i32), [usize; 5]> =
        months().into_iter().map(|k| (k, [0; 5])).collect();
    for fx in FIXTURE {
        let y: i32 = fx.started[..4].parse().unwrap();
        let mo: i32 = fx.started[5..7].parse().unwrap();
        let sev = SEVERITIES
            .iter()
            .position(|s| *s == fx.severity.unwrap_or("unrated"))
            .unwrap();
        if let Some(c) = m.get_mut(&(y, mo)) {
            c[sev] += 1;
        }
    }
    m
}

/// `May 2026`, by jiff (not sitrep's own month names).
fn month_label(y: i32, m: i32) -> String {
    jiff::civil::date(y as i16, m as i8, 1)
        .strftime("%B %Y")
        .to_string()
}

#[test]
fn stats_monthly_chart_matches_the_front_matter() {
    let (_dir, out) = built();
    let html = read(&out, "stats/index.html");
    let expected = expected_counts();
    // The table: newest month first, counts per severity then the total.
    let rows = table_rows(&html, "chart-monthly");
    assert_eq!(rows.len(), 24);
    for (row, ((y, m), c)) in rows.iter().zip(expected.iter().rev()) {
        assert_eq!(row[0], month_label(*y, *m));
        let nums: Vec<usize> = row[1..].iter().map(|t| t.parse().unwrap()).collect();
        let mut want = c.to_vec();
        want.push(c.iter().sum());
        assert_eq!(nums, want, "{}", row[0]);
    }
    assert_eq!(
        expected.values().flatten().sum::<usize>(),
        5,
        "A5 is outside the 24 months"
    );
    // The SVG: one group per month, oldest first, stacked bar heights
    // proportional to the counts (one unit per incident across the chart).
    let svg = svg_by_id(&html, "chart-monthly");
    let doc = Document::parse(&svg).unwrap();
    let (title, _) = accessible(&doc);
    assert_eq!(title, "Incidents per month by severity");
    let groups: Vec<Node> = doc
        .descendants()
        .filter(|n| class_has(n, "month"))
        .collect();
    assert_eq!(groups.len(), 24);
    let mut unit: Option<f64> = None;
    for (g, ((y, m), c)) in groups.iter().zip(expected.iter()) {
        let tip = g
            .children()
            .find(|n| n.has_tag_name("title"))
            .unwrap()
            .text()
            .unwrap();
        assert!(
            tip.starts_with(&format!(
                "{}: {} incident",
                month_label(*y, *m),
                c.iter().sum::<usize>()
            )),
            "{tip}"
        );
        let bars: Vec<Node> = g.children().filter(|n| class_has(n, "bar")).collect();
        assert_eq!(bars.len(), c.iter().filter(|&&n| n > 0).count());
        for (s, &count) in SEVERITIES.iter().zip(c) {
            let Some(bar) = bars.iter().find(|b| class_has(b, &format!("sev-{s}"))) else {
                assert_eq!(count, 0, "{tip}: no {s} bar");
                continue;
            };
            let per = f(bar, "height") / count as f64;
            let u = *unit.get_or_insert(per);
            assert!(
                (per - u).abs() < 0.02,
                "{tip}: {s} height {per} per incident vs {u}"
            );
            // Each bar is painted with its own pattern: not colour alone.
            let fill = bar.attribute("fill").unwrap();
            let pid = fill.trim_start_matches("url(#").trim_end_matches(')');
            let pattern = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(pid))
                .unwrap();
            assert!(pattern.has_tag_name("pattern"));
        }
    }
    assert!(unit.is_some());
}

#[test]
fn stats_times_and_counts_per_service() {
    let (_dir, out) = built();
    let html = read(&out, "stats/index.html");
    // Mail: acknowledged after 10, 30 and 5 minutes: median 10 min, p90 (nearest
    // rank 3 of 3) 30 min. Resolved after 26 h and 1 h: median 13 h 30 min, p90 26 h.
    // Chat: resolved after 1 h 30 min (A5 has dates only). A6 has dates only.
    let ack = table_rows(&html, "chart-ack");
    assert_eq!(ack[0], ["Chat", "0", "—", "—"]);
    assert_eq!(ack[1], ["Mail", "3", "10 min", "30 min"]);
    let res = table_rows(&html, "chart-resolve");
    assert_eq!(res[0], ["Chat", "1", "1 h 30 min", "1 h 30 min"]);
    assert_eq!(res[1], ["Mail", "2", "13 h 30 min", "1 d 2 h"]);
    // Bars: widths proportional to the seconds within each chart.
    let svg = svg_by_id(&html, "chart-resolve");
    let doc = Document::parse(&svg).unwrap();
    accessible(&doc);
    let widths: Vec<f64> = doc
        .descendants()
        .filter(|n| class_has(n, "bar"))
        .map(|n| f(&n, "width"))
        .collect();
    let secs = [5400.0, 5400.0, 48600.0, 93600.0];
    assert_eq!(widths.len(), secs.len());
    for (w, s) in widths.iter().zip(secs) {
        assert!((w / s - widths[3] / 93600.0).abs() < 1e-4, "{widths:?}");
    }
    // The counts behind the times, maintenance left out.
    let rows = crate::common::row_texts(
        &html,
        "table.stats-counts tbody tr, table.stats-counts tfoot tr",
    );
    assert_eq!(
        rows,
        [
            ["Chat", "2", "0", "1"],
            ["Mail", "4", "3", "2"],
            ["All services", "6", "3", "3"]
        ]
    );
    // Linked from the navigation of every page, and in the sitemap.
    assert!(read(&out, "index.html").contains("href=\"/pm/stats/\""));
    assert!(read(&out, "sitemap.xml").contains(&format!("<loc>{BASE}stats/</loc>")));
}

#[test]
fn service_strip_has_ninety_days_painted_by_the_worst_incident() {
    let (_dir, out) = built();
    let html = read(&out, "services/mail/index.html");
    let svg = svg_by_id(&html, "strip-mail");
    let doc = Document::parse(&svg).unwrap();
    accessible(&doc);
    let bars: Vec<Node> = doc.descendants().filter(|n| class_has(n, "bar")).collect();
    assert_eq!(bars.len(), 90);
    let epoch: i64 = EPOCH.parse().unwrap();
    let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let today = jiff::Timestamp::from_second(epoch)
        .unwrap()
        .to_zoned_datetime(tz)
        .date();
    let first = today.checked_sub(jiff::Span::new().days(89)).unwrap();
    // Day → (class, IDs in the title, link target), worked out from FIXTURE.
    let known: BTreeMap<&str, (&str, &[&str], &str)> = [
        ("2026-03-01", ("sev-major", &["A6"][..], "a6")),
        ("2026-03-03", ("sev-major", &["A6"][..], "a6")),
        ("2026-05-20", ("sev-critical", &["A1"][..], "a1")),
        ("2026-05-21", ("sev-critical", &["A2", "A1"][..], "a1")),
        ("2026-05-27", ("sev-major", &["A3"][..], "a3")),
        ("2026-05-28", ("sev-major", &["A3"][..], "a3")),
    ]
    .into_iter()
    .collect();
    // Each day's own uptime, by hand, in New York time (UTC−4 in May, −5 in
    // March): A1 (critical, weight 1) is down 06:00–24:00 on 05-20 (18 h) and
    // 00:00–08:00 on 05-21 (8 h); A2 is minor (weight 0). A3 (major, 0.3) is
    // open from 18:00 on 05-27 (6 h × 0.3 of 24 h) to "now", 16:26 on 05-28
    // (the whole day so far). A6 (major) covers 03-01 to 03-03 whole.
    let day_uptime: BTreeMap<&str, &str> = [
        ("2026-03-01", "70.00%"),
        ("2026-03-02", "70.00%"),
        ("2026-03-03", "70.00%"),
        ("2026-05-20", "25.00%"),
        ("2026-05-21", "66.66%"),
        ("2026-05-27", "92.50%"),
        ("2026-05-28", "70.00%"),
    ]
    .into_iter()
    .collect();
    let mut painted = 0;
    for (n, bar) in bars.iter().enumerate() {
        let date = first
            .checked_add(jiff::Span::new().days(n as i64))
            .unwrap()
            .to_string();
        let tip = bar
            .children()
            .find(|c| c.has_tag_name("title"))
            .unwrap()
            .text()
            .unwrap();
        assert!(tip.starts_with(&format!("{date}: ")), "{tip}");
        let link = bar.parent().filter(|p| p.has_tag_name("a"));
        let uptime = day_uptime.get(date.as_str()).unwrap_or(&"100.00%");
        assert!(tip.ends_with(&format!(", uptime {uptime}")), "{tip}");
        let in_span = date.as_str() >= "2026-03-01" && date.as_str() <= "2026-03-03";
        match known.get(date.as_str()) {
            Some((class, ids, target)) => {
                painted += 1;
                assert!(
                    class_has(bar, class),
                    "{date}: {:?}",
                    bar.attribute("class")
                );
                assert!(tip.contains(&ids.join(", ")), "{tip}");
                let href = link.and_then(|a| a.attribute("href")).unwrap();
                assert_eq!(href, format!("/pm/incidents/{target}/"));
            }
            None if in_span => {
                painted += 1;
                assert!(class_has(bar, "sev-major") && tip.contains("A6"), "{tip}");
            }
            None => {
                assert!(class_has(bar, "day-clear"), "{date}: {tip}");
                assert!(link.is_none() && tip.contains("no incidents"), "{tip}");
            }
        }
    }
    assert_eq!(painted, 7);
    // The table lists the seven days, newest first, with links to every incident.
    let rows = table_rows(&html, "strip-mail");
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0], ["2026-05-28", "Major", "A3"]);
    assert_eq!(rows[1][0], "2026-05-27");
    assert_eq!(rows[2], ["2026-05-21", "Critical", "A2, A1"]);
    // Maintenance (M1 on May 10) is not an incident day.
    assert!(!svg.contains("M1"));
    // Over the whole window, 2026-02-28T00:00 EST to 16:26 EDT on 05-28
    // (7,745,160 s): A1 26 h × 1 + A3 22 h 26 min × 0.3 + A6 72 h × 0.3 =
    // 195,588 weighted seconds, so 100 × (1 − 195,588 / 7,745,160) = 97.4747…
    assert!(
        html.contains("Uptime over the last 90 days: 97.47%"),
        "the service page shows its uptime"
    );
}

#[test]
fn phase_bar_is_proportional_to_the_timeline() {
    let (_dir, out) = built();
    // A1: investigating 1 h, identified 2 h, monitoring 23 h, then resolved.
    let html = read(&out, "incidents/a1/index.html");
    let svg = svg_by_id(&html, "ph");
    let doc = Document::parse(&svg).unwrap();
    let (_, desc) = accessible(&doc);
    assert!(desc.contains("then resolved"), "{desc}");
    let bars: Vec<Node> = doc.descendants().filter(|n| class_has(n, "bar")).collect();
    let classes: Vec<&str> = bars.iter().map(|b| b.attribute("class").unwrap()).collect();
    assert_eq!(
        classes,
        [
            "bar ph-investigating",
            "bar ph-identified",
            "bar ph-monitoring"
        ]
    );
    let total: f64 = bars.iter().map(|b| f(b, "width")).sum();
    for (b, hours) in bars.iter().zip([1.0, 2.0, 23.0]) {
        assert!((f(b, "width") / total - hours / 26.0).abs() < 1e-3);
    }
    // Contiguous, in time order.
    for w in bars.windows(2) {
        assert!((f(&w[0], "x") + f(&w[0], "width") - f(&w[1], "x")).abs() < 0.02);
    }
    let rows = table_rows(&html, "ph");
    let durations: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(durations, ["1 h", "2 h", "23 h"]);
    // A3 is open: its one phase runs from its start to "now"
    // (2026-05-28T20:26:40Z): 22 h 26 min.
    let html = read(&out, "incidents/a3/index.html");
    let rows = table_rows(&html, "ph");
    assert_eq!(
        rows,
        [["Investigating", "May 27, 2026, 18:00 EDT", "22 h 26 min"]]
    );
    assert!(svg_by_id(&html, "ph").contains("still open"));
    // No status in the timeline, no bar.
    assert!(!read(&out, "incidents/a2/index.html").contains("id=\"ph\""));
}

#[test]
fn charts_build_byte_identical_twice() {
    let dir = site(&[]);
    write_fixture(dir.path());
    let a = build_ok(dir.path(), &[]);
    let first = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&a, first.path());
    let b = build_ok(dir.path(), &[]);
    let names = files(first.path());
    assert_eq!(names, files(&b));
    assert!(names.contains(&"stats/index.html".to_string()));
    for n in &names {
        assert!(
            std::fs::read(first.path().join(n)).unwrap() == std::fs::read(b.join(n)).unwrap(),
            "{n} differs between two builds"
        );
    }
}
