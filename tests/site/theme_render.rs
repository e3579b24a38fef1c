//! Harness for the default theme: renders every template of
//! `themes/default/templates/` with a hand-built context that follows
//! docs/templates.md, checks key content and escaping, and writes the pages to
//! `target/theme-preview/` for validation and screenshots. `contexts.rs`
//! checks these contexts against the ones sitrep really builds.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BASE: &str = "/pm/";
const ORIGIN: &str = "https://status.example.org";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_templates(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            load_templates(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".html") {
            out.push((
                format!("{prefix}{name}"),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

fn tera() -> tera::Tera {
    let mut templates = Vec::new();
    load_templates(&root().join("themes/default/templates"), "", &mut templates);
    let mut tera = tera::Tera::new();
    tera.register_function(
        "url",
        |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            Ok(format!("{BASE}{}", path.trim_start_matches('/')))
        },
    );
    tera.register_filter("datetime", |v: &str, _: tera::Kwargs, _: &tera::State| {
        v.to_string()
    });
    tera.register_filter("duration", |v: i64, _: tera::Kwargs, _: &tera::State| {
        format!("{} h {} min", v / 3600, (v % 3600) / 60)
    });
    let strings = sitrep::i18n::Strings::english();
    tera.register_function("t", move |kwargs: tera::Kwargs, _: &tera::State| {
        sitrep::i18n::translate(&strings, &kwargs)
    });
    tera.add_raw_templates(templates).expect("templates parse");
    tera
}

fn time(machine: &str, date: &str, clock: Option<&str>) -> Value {
    let display = match clock {
        Some(c) => format!("{date}, {c}"),
        None => date.to_string(),
    };
    json!({"machine": machine, "display": display, "date": date, "clock": clock})
}

fn link(kind: &str, name: &str, slug: &str) -> Value {
    json!({"name": name, "url": format!("{BASE}{kind}/{slug}/")})
}

fn open_card() -> Value {
    json!({
        "id": "EX1331830",
        "title": "Users can't send or receive email in Outlook & OWA",
        "url": format!("{BASE}incidents/ex1331830/"),
        "status": "investigating",
        "status_label": "Investigating",
        "severity": "major", "severity_label": "Major",
        "classification": "incident",
        "classification_label": "Incident",
        "services": [link("services", "Exchange Online", "exchange-online"), link("services", "Outlook", "outlook")],
        "regions": [link("regions", "North America", "north-america"), link("regions", "Germany", "germany")],
        "started": time("2026-06-03T14:33:00Z", "Jun 3, 2026", Some("10:33 EDT")),
        "resolved": null,
        "last_update": time("2026-06-03T17:38:00Z", "Jun 3, 2026", Some("13:38 EDT")),
        "summary": "Some users see SuspiciousRemoteServerError when Outlook connects; mail queues for up to an hour.",
        "open": true,
        "duration": null,
        "maintenance": null,
        "postmortem_published": null,
        "internal_only": false,
    })
}

fn resolved_card() -> Value {
    json!({
        "id": "TM-2026.0042_b",
        "title": "<script>x</script> Teams calls drop after 60 minutes",
        "url": format!("{BASE}incidents/tm-2026.0042_b/"),
        "status": "resolved",
        "status_label": "Resolved",
        "severity": "critical", "severity_label": "Critical",
        "classification": "incident",
        "classification_label": "Incident",
        "services": [link("services", "Microsoft Teams", "microsoft-teams")],
        "regions": [link("regions", "Zürich", "zurich")],
        "started": time("2026-05-28T08:00:00Z", "May 28, 2026", Some("04:00 EDT")),
        "resolved": time("2026-05-28T09:47:00Z", "May 28, 2026", Some("05:47 EDT")),
        "last_update": time("2026-05-28T09:47:00Z", "May 28, 2026", Some("05:47 EDT")),
        "summary": "Calls longer than an hour <b>dropped</b> & had to be redialled.",
        "open": false,
        "duration": "1 h 47 min",
        "maintenance": null,
        "postmortem_published": time("2026-06-10T09:00:00Z", "Jun 10, 2026", Some("05:00 EDT")),
        "internal_only": false,
    })
}

fn maintenance_card() -> Value {
    json!({
        "id": "MNT-7",
        "title": "Planned upgrade of the SMTP relay",
        "url": format!("{BASE}incidents/mnt-7/"),
        "status": "identified",
        "status_label": "Identified",
        "severity": "none", "severity_label": "None",
        "classification": "maintenance",
        "classification_label": "Maintenance",
        "services": [link("services", "SMTP relay", "smtp-relay")],
        "regions": [],
        "started": time("2026-06-10", "Jun 10, 2026", None),
        "resolved": null,
        "last_update": time("2026-06-01T12:00:00Z", "Jun 1, 2026", Some("08:00 EDT")),
        "summary": "The relay will be unavailable for 30 minutes.",
        "open": true,
        "duration": null,
        "maintenance": {
            "state": "upcoming",
            "state_label": "Upcoming",
            "start": time("2026-06-10T02:00:00Z", "Jun 9, 2026", Some("22:00 EDT")),
            "end": time("2026-06-10T02:30:00Z", "Jun 9, 2026", Some("22:30 EDT")),
            "calendar_url": format!("{BASE}maintenance.ics"),
        },
        "postmortem_published": null,
        "internal_only": false,
    })
}

/// A chart as sitrep gives it (`src/render/charts/mod.rs`): an SVG and the
/// same figures as a table.
fn chart(kind: &str, id: &str, title: &str) -> Value {
    json!({
        "id": id, "kind": kind, "title": title, "desc": format!("{title}, as a table below."),
        "svg": format!("<svg id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-t\" viewBox=\"0 0 720 80\"><title id=\"{id}-t\">{title}</title></svg>"),
        "table": {
            "caption": title, "head": ["Date", "Incidents"], "empty": "No data yet.",
            "rows": [[{"text": "2026-06-03"}, {"text": "1", "num": true}, {"text": "EX1331830", "links": [{"text": "EX1331830", "url": format!("{BASE}incidents/ex1331830/")}]}]],
        },
    })
}

fn merge(mut base: Value, extra: Value) -> Value {
    let map = base.as_object_mut().unwrap();
    for (k, v) in extra.as_object().unwrap() {
        map.insert(k.clone(), v.clone());
    }
    base
}

const LONG_ERROR: &str = "451 4.7.500 Server busy. Please try again later from [203.0.113.7]. (S77719) [Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com]";

fn open_incident() -> Value {
    merge(
        open_card(),
        json!({
            "detected": time("2026-06-03T14:40:00Z", "Jun 3, 2026", Some("10:40 EDT")),
            "acknowledged": time("2026-06-03T14:45:00Z", "Jun 3, 2026", Some("10:45 EDT")),
            "mitigated": null,
            "next_update": time("2026-06-03T19:00:00Z", "Jun 3, 2026", Some("15:00 EDT")), "next_update_overdue": false,
            "metrics": [
                {"label": "Time to detect", "value": "7 min"},
                {"label": "Time to acknowledge", "value": "12 min"},
                {"label": "Open for", "value": "3 h 5 min"},
            ],
            "components": ["mail flow", "<b>admin center</b>"],
            "tags": [link("tags", "authentication", "authentication")],
            "errors": [
                {"code": "SuspiciousRemoteServerError", "message": "Connection was closed abruptly", "url": format!("{BASE}errors/suspiciousremoteservererror/")},
                {"code": null, "message": LONG_ERROR, "url": format!("{BASE}errors/451-4-7-500-server-busy-please-try-again-later-from-203-0-113-a1b2c3/")},
                {"code": "0x80040115", "message": null, "url": format!("{BASE}errors/0x80040115/")},
            ],
            "timeline": [
                {"at": time("2026-06-03T14:45:00Z", "Jun 3, 2026", Some("10:45 EDT")), "status": "investigating", "status_label": "Investigating", "html": "<p>We're investigating reports of users unable to connect.</p>"},
                {"at": time("2026-06-03T16:10:00Z", "Jun 3, 2026", Some("12:10 EDT")), "status": null, "status_label": null, "html": "<p>Telemetry shows a subset of <strong>mailbox servers</strong> in NAM affected.</p>"},
                {"at": time("2026-06-03T17:38:00Z", "Jun 3, 2026", Some("13:38 EDT")), "status": "investigating", "status_label": "Investigating", "html": "<p>We're rolling back a recent configuration change. See <a href=\"/pm/incidents/tm-2026.0042_b/\">TM-2026.0042_b</a>.</p>"},
            ],
            "related": [
                {"title": "<script>x</script> Teams calls drop after 60 minutes", "url": format!("{BASE}incidents/tm-2026.0042_b/"), "id": "TM-2026.0042_b", "note": "Same authentication front end.", "date": time("2026-05-28T08:00:00Z", "May 28, 2026", Some("04:00 EDT")), "status": "resolved", "status_label": "Resolved", "internal": true, "internal_only": false},
                {"title": "Exchange Online outage of March 2025", "url": "https://example.com/news/exchange-march-2025", "id": null, "note": "Similar symptoms, different cause.", "date": time("2025-03-01", "Mar 1, 2025", None), "status": null, "status_label": null, "internal": false, "internal_only": false},
                {"title": "Outlook sign-in loop (no public write-up)", "url": null, "id": null, "note": null, "date": null, "status": null, "status_label": null, "internal": false, "internal_only": true},
            ],
            "backlinks": [
                {"kind": "incident", "title": "Mail delays again", "url": format!("{BASE}incidents/ex1400000/"), "id": "EX1400000", "date": time("2026-06-20T10:00:00Z", "Jun 20, 2026", Some("06:00 EDT"))},
                {"kind": "news", "title": "What the Exchange outage means for you", "url": format!("{BASE}news/exchange-outage/"), "id": null, "date": time("2026-06-04T12:00:00Z", "Jun 4, 2026", Some("08:00 EDT"))},
            ],
            "takes": [
                {"audience": "admin", "label": "For admins", "html": "<p>Don't restart the connectors; queued mail will be delivered.</p>"},
                {"audience": "user", "label": "For users", "html": "<p>Use Outlook on the web meanwhile.</p>"},
            ],
            "actions": [
                {"text": "Add an alert on queue length", "owner": "Mail team", "status": "open", "due": time("2026-07-01", "Jul 1, 2026", None), "internal_only": false},
                {"text": "Document the rollback procedure", "owner": null, "status": "done", "due": null, "internal_only": true},
            ],
            "sources": [
                {"title": "Microsoft 365 admin center: EX1331830", "url": "https://admin.microsoft.com/servicehealth/ex1331830", "internal": false},
                {"title": "Status page", "url": "https://status.example.com/?a=1&b=2", "internal": true},
            ],
            "similar": [
                {"id": "EX1200000", "title": "Outlook can't connect <again>", "url": format!("{BASE}incidents/ex1200000/"), "date": time("2026-04-02T09:00:00Z", "Apr 2, 2026", Some("05:00 EDT")), "status": "resolved", "status_label": "Resolved"},
            ],
            "phases": chart("phases", "ph", "Time in each status"),
            "body_html": "<h2 id=\"what-happened\">What happened</h2>\n<p>A configuration change rolled out to mailbox servers. Users saw <code>Connection was closed abruptly</code>.</p>\n<h2 id=\"workaround\">Workaround</h2>\n<pre class=\"code\"><code class=\"language-powershell\"><span class=\"hl-keyword\">Get-Mailbox</span> -ResultSize Unlimited | <span class=\"hl-function\">Where-Object</span> { $_.Name -like <span class=\"hl-string\">\"very-long-mailbox-name-that-should-scroll-inside-the-code-block-not-the-page\"</span> }</code></pre>\n<h3 id=\"details\">Details</h3>\n<table><thead><tr><th>Server</th><th>Queue</th></tr></thead><tbody><tr><td>AM0PR01</td><td>1200</td></tr></tbody></table>\n<ul class=\"contains-task-list\"><li><input disabled=\"\" type=\"checkbox\" checked=\"\"> checked</li></ul>\n<blockquote><p>Quoted provider statement.</p></blockquote>",
            "headings": [
                {"level": 2, "id": "what-happened", "text": "What happened"},
                {"level": 2, "id": "workaround", "text": "Workaround"},
                {"level": 3, "id": "details", "text": "Details"},
            ],
            "toc": [
                {"level": 2, "id": "what-happened", "text": "What happened"},
                {"level": 2, "id": "workaround", "text": "Workaround"},
                {"level": 3, "id": "details", "text": "Details"},
            ],
            "extra": {},
            "feed_url": null,
        }),
    )
}

fn resolved_incident() -> Value {
    merge(
        resolved_card(),
        json!({
            "detected": null, "acknowledged": null, "mitigated": null, "next_update": null, "next_update_overdue": false,
            "metrics": [{"label": "Duration", "value": "1 h 47 min"}],
            "components": [], "tags": [], "errors": [], "timeline": [],
            "related": [], "backlinks": [], "takes": [], "actions": [], "sources": [],
            "body_html": "<p>Short write-up.</p>", "headings": [], "extra": {}, "feed_url": null,
            "toc": [
                {"level": 2, "id": "postmortem", "text": "Postmortem"},
                {"level": 3, "id": "postmortem-impact", "text": "Impact"},
                {"level": 3, "id": "postmortem-lessons", "text": "Lessons learned"},
            ],
            "postmortem": {
                "id": "postmortem", "authors": ["Ops", "Bo <Boss>"],
                "published": time("2026-06-10T09:00:00Z", "Jun 10, 2026", Some("05:00 EDT")),
                "parts": [
                    {"key": "impact", "title": "Impact", "id": "postmortem-impact", "html": "<p>Calls dropped after an hour.</p>"},
                    {"key": "lessons", "title": "Lessons learned", "id": "postmortem-lessons", "html": "<ul><li>Test long calls.</li></ul>"},
                ],
            },
            "internal_notes": null,
        }),
    )
}

fn maintenance_incident() -> Value {
    merge(
        maintenance_card(),
        json!({
            "detected": null, "acknowledged": null, "mitigated": null, "next_update": null, "next_update_overdue": false,
            "metrics": [], "components": [], "tags": [], "errors": [],
            "timeline": [{"at": time("2026-06-01T12:00:00Z", "Jun 1, 2026", Some("08:00 EDT")), "status": "identified", "status_label": "Identified", "html": "<p>Scheduled.</p>"}],
            "related": [], "backlinks": [], "takes": [], "actions": [], "sources": [],
            "body_html": "", "headings": [], "extra": {}, "feed_url": null,
        }),
    )
}

fn story_card() -> Value {
    json!({
        "title": "What the Exchange outage means for you",
        "url": format!("{BASE}news/exchange-outage/"),
        "date": time("2026-06-04T12:00:00Z", "Jun 4, 2026", Some("08:00 EDT")),
        "updated": time("2026-06-05T09:00:00Z", "Jun 5, 2026", Some("05:00 EDT")),
        "authors": ["Ana Admin", "Bo <Boss>"],
        "summary": "A plain-language explanation & what to tell users.",
        "incidents": [{"id": "EX1331830", "title": "Users can't send or receive email in Outlook & OWA", "url": format!("{BASE}incidents/ex1331830/"), "status": "investigating", "status_label": "Investigating"}],
        "tags": [link("tags", "explainer", "explainer")],
        "internal_only": false,
    })
}

fn common(kind: &str, title: &str, path: &str) -> Value {
    let nav_items = [
        ("Incidents", "incidents/", "incidents"),
        ("News", "news/", "news_list"),
        ("Services", "services/", "taxonomy"),
        ("Actions", "actions/", "actions"),
        ("Search", "search/", "search"),
    ];
    let nav: Vec<Value> = nav_items
        .iter()
        .map(|(t, u, k)| json!({"title": t, "url": format!("{BASE}{u}"), "current": *k == kind}))
        .collect();
    json!({
        "site": {
            "title": "Incident Desk",
            "description": "Outages, postmortems and what they mean for you",
            "language": "en",
            "base_url": format!("{ORIGIN}{BASE}"),
            "base_path": BASE,
            "timezone": "America/New_York",
            "internal": false,
        },
        "page_title": title,
        "page_kind": kind,
        "canonical": format!("{ORIGIN}{BASE}{path}"),
        "description": "Outages & postmortems: what they mean for you",
        "nav": nav,
        "feeds": [
            {"title": "Atom feed", "url": format!("{BASE}atom.xml"), "type": "application/atom+xml"},
            {"title": "JSON feed", "url": format!("{BASE}feed.json"), "type": "application/feed+json"},
        ],
        "assets": {
            "style": format!("{BASE}style.css"),
            "syntax_light": format!("{BASE}syntax-light.css"),
            "syntax_dark": format!("{BASE}syntax-dark.css"),
            "search_js": format!("{BASE}search.js"),
        },
    })
}

/// (output name, template, context)
/// The `pager` of page `cur` of `total` of the list at `base`.
fn pager(base: &str, cur: usize, total: usize) -> Value {
    let url = |p: usize| {
        if p == 1 {
            format!("{BASE}{base}")
        } else {
            format!("{BASE}{base}page/{p}/")
        }
    };
    json!({
        "current": cur, "total": total, "first": url(1), "last": url(total),
        "prev": if cur > 1 { json!(url(cur - 1)) } else { Value::Null },
        "next": if cur < total { json!(url(cur + 1)) } else { Value::Null },
    })
}

/// (template stem, output file, context) of every page the fixture renders.
pub(crate) fn pages() -> Vec<(&'static str, &'static str, Value)> {
    let cards = json!([open_card(), maintenance_card(), resolved_card()]);
    let mut v = Vec::new();
    v.push((
        "index",
        "index.html",
        merge(
            common("home", "Incident Desk", ""),
            json!({
                "intro": {"title": "About this desk", "html": "<p>We track outages of the cloud services we depend on.</p>", "extra": {}},
                "site_status": {"indicator": "major", "description": "Partial System Outage"},
                "calendar_url": format!("{BASE}maintenance.ics"),
                "service_status": [
                    {"name": "Exchange Online", "slug": "exchange-online", "url": format!("{BASE}services/exchange-online/"), "status": "partial_outage", "status_label": "Partial outage", "incidents": [{"id": "EX1331830", "title": "Users can't send or receive email in Outlook & OWA", "url": format!("{BASE}incidents/ex1331830/")}]},
                    {"name": "Outlook", "slug": "outlook", "url": format!("{BASE}services/outlook/"), "status": "degraded_performance", "status_label": "Degraded performance", "incidents": [{"id": "EX1331830", "title": "Users can't send or receive email in Outlook & OWA", "url": format!("{BASE}incidents/ex1331830/")}]},
                ],
                "service_groups": [
                    {"name": "Microsoft 365", "id": "group-microsoft-365", "status": "partial_outage", "status_label": "Partial outage", "members": [
                        {"name": "Microsoft Teams", "slug": "microsoft-teams", "url": format!("{BASE}services/microsoft-teams/"), "status": "partial_outage", "status_label": "Partial outage", "incidents": [{"id": "TM1", "title": "Chat <delayed>", "url": format!("{BASE}incidents/tm1/")}]},
                        {"name": "SharePoint Online", "slug": "sharepoint-online", "url": format!("{BASE}services/sharepoint-online/"), "status": "operational", "status_label": "Operational", "incidents": []},
                    ]},
                ],
                "open_incidents": [open_card()],
                "upcoming_maintenance": [maintenance_card(), merge(maintenance_card(), json!({"id": "MNT-6", "url": format!("{BASE}incidents/mnt-6/"), "status": "resolved", "status_label": "Resolved", "open": false, "resolved": time("2026-06-02T02:30:00Z", "Jun 1, 2026", Some("22:30 EDT"))}))],
                "latest_news": [story_card()],
                "latest_incidents": cards,
            }),
        ),
    ));
    v.push((
        "index-clear",
        "index.html",
        merge(
            common("home", "Incident Desk", ""),
            json!({
                "site_status": {"indicator": "none", "description": "All Systems Operational"},
                "calendar_url": format!("{BASE}maintenance.ics"),
                "intro": null, "service_status": [], "open_incidents": [],
                "upcoming_maintenance": [], "latest_news": [], "latest_incidents": [resolved_card()],
            }),
        ),
    ));
    v.push((
        "incidents",
        "incidents.html",
        merge(
            common("incidents", "Incidents", "incidents/"),
            json!({"incidents": cards, "count": 3, "pager": pager("incidents/", 1, 1)}),
        ),
    ));
    v.push((
        "incidents-page-2",
        "incidents.html",
        merge(
            common("incidents", "Incidents (page 2 of 3)", "incidents/page/2/"),
            json!({"incidents": [resolved_card()], "count": 61, "pager": pager("incidents/", 2, 3)}),
        ),
    ));
    v.push((
        "history",
        "history.html",
        merge(
            common("history", "History", "history/"),
            json!({"count": 3, "years": [
                {"year": 2026, "count": 2, "months": [{"key": "2026-06", "name": "June", "label": "June 2026", "count": 2, "url": format!("{BASE}history/2026-06/")}]},
                {"year": 2025, "count": 1, "months": [{"key": "2025-12", "name": "December", "label": "December 2025", "count": 1, "url": format!("{BASE}history/2025-12/")}]},
            ]}),
        ),
    ));
    v.push((
        "month",
        "month.html",
        merge(
            common("month", "Incidents in June 2026", "history/2026-06/"),
            json!({
                "month": {"key": "2026-06", "label": "June 2026", "count": 2, "history_url": format!("{BASE}history/")},
                "incidents": [open_card(), maintenance_card(), resolved_card()], "pager": pager("history/2026-06/", 1, 1),
            }),
        ),
    ));
    v.push((
        "incident",
        "incident.html",
        merge(
            common(
                "incident",
                "EX1331830: Users can't send or receive email",
                "incidents/ex1331830/",
            ),
            json!({"incident": open_incident()}),
        ),
    ));
    v.push((
        "incident-resolved",
        "incident.html",
        merge(
            common(
                "incident",
                "<script>x</script> Teams calls drop",
                "incidents/tm-2026.0042_b/",
            ),
            json!({"incident": resolved_incident()}),
        ),
    ));
    let mut internal = merge(
        common("incident", "Teams calls drop", "incidents/tm-2026.0042_b/"),
        json!({"incident": merge(resolved_incident(), json!({
            "internal_notes": "<p>Paged the vendor twice.</p>",
            "timeline": [{"at": time("2026-06-01T12:00:00Z", "Jun 1, 2026", Some("08:00 EDT")), "status": null, "status_label": null, "html": "<p>Failover skipped.</p>", "internal_only": true}],
        }))}),
    );
    internal["site"]["internal"] = json!(true);
    v.push(("incident-internal", "incident.html", internal));
    v.push((
        "postmortems",
        "postmortems.html",
        merge(
            common("postmortems", "Postmortems", "postmortems/"),
            json!({"incidents": [resolved_card()], "count": 1, "pager": pager("postmortems/", 1, 1)}),
        ),
    ));
    v.push((
        "incident-maintenance",
        "incident.html",
        merge(
            common(
                "incident",
                "Planned upgrade of the SMTP relay",
                "incidents/mnt-7/",
            ),
            json!({"incident": maintenance_incident()}),
        ),
    ));
    v.push((
        "news_list",
        "news_list.html",
        merge(
            common("news_list", "News", "news/"),
            json!({"stories": [story_card(), story_card()], "count": 2, "pager": pager("news/", 1, 1)}),
        ),
    ));
    v.push((
        "news",
        "news.html",
        merge(
            common("news", "What the Exchange outage means for you", "news/exchange-outage/"),
            json!({"story": merge(story_card(), json!({"body_html": "<p>Here is <em>what happened</em>.</p><h2 id=\"advice\">Advice</h2><p>Wait.</p>", "extra": {}}))}),
        ),
    ));
    v.push((
        "page",
        "page.html",
        merge(
            common("page", "About", "about/"),
            json!({"page": {"title": "About <this> desk", "body_html": "<p>Run by the ops team.</p>", "extra": {}}}),
        ),
    ));
    let terms = json!([
        {"name": "SuspiciousRemoteServerError", "url": format!("{BASE}errors/suspiciousremoteservererror/"), "count": 2, "feed_url": format!("{BASE}errors/suspiciousremoteservererror/atom.xml")},
        {"name": LONG_ERROR, "url": format!("{BASE}errors/451-a1b2c3/"), "count": 1, "feed_url": format!("{BASE}errors/451-a1b2c3/atom.xml")},
    ]);
    v.push((
        "taxonomy",
        "taxonomy.html",
        merge(
            common("taxonomy", "Errors", "errors/"),
            json!({"taxonomy": {"name": "errors", "title": "Errors", "url": format!("{BASE}errors/"), "terms": terms}}),
        ),
    ));
    v.push((
        "taxonomy-regions",
        "taxonomy.html",
        merge(
            common("taxonomy", "Regions", "regions/"),
            json!({"taxonomy": {"name": "regions", "title": "Regions", "url": format!("{BASE}regions/"), "terms": [
                {"name": "North America", "url": format!("{BASE}regions/north-america/"), "count": 1, "feed_url": format!("{BASE}regions/north-america/atom.xml")},
            ]}}),
        ),
    ));
    v.push((
        "term",
        "term.html",
        merge(
            common("term", "SuspiciousRemoteServerError", "errors/suspiciousremoteservererror/"),
            json!({
                "taxonomy": {"name": "errors", "title": "Errors", "url": format!("{BASE}errors/")},
                "term": {"name": "SuspiciousRemoteServerError", "url": format!("{BASE}errors/suspiciousremoteservererror/"), "count": 2, "feed_url": format!("{BASE}errors/suspiciousremoteservererror/atom.xml")},
                "service": null,
                "incidents": [open_card(), resolved_card()],
                "pager": pager("errors/suspiciousremoteservererror/", 1, 1),
            }),
        ),
    ));
    v.push((
        "term-service",
        "term.html",
        merge(
            common("term", "Exchange Online", "services/exchange-online/"),
            json!({
                "taxonomy": {"name": "services", "title": "Services", "url": format!("{BASE}services/")},
                "term": {"name": "Exchange Online", "url": format!("{BASE}services/exchange-online/"), "count": 2, "feed_url": format!("{BASE}services/exchange-online/atom.xml")},
                "service": {
                    "name": "Exchange Online", "slug": "exchange-online", "url": format!("{BASE}services/exchange-online/"),
                    "status": "partial_outage", "status_label": "Partial outage",
                    "incidents": [{"id": "EX1331830", "title": "Users can't send or receive email in Outlook & OWA", "url": format!("{BASE}incidents/ex1331830/")}],
                    "group": "Microsoft 365", "uptime": "99.95%", "uptime_percent": 99.9537,
                    "incidents_90d": 2, "uptime_days": 90,
                    "badge": {
                        "svg_url": format!("{BASE}services/exchange-online/badge.svg"),
                        "shields_url": format!("{BASE}services/exchange-online/shields.json"),
                        "markdown_svg": "[![Exchange Online status](https://example.org/pm/services/exchange-online/badge.svg)](https://example.org/pm/services/exchange-online/)",
                        "markdown_shields": "[![Exchange Online status](https://img.shields.io/endpoint?url=https%3A%2F%2Fexample.org%2Fpm%2Fservices%2Fexchange-online%2Fshields.json)](https://example.org/pm/services/exchange-online/)",
                    },
                },
                "incidents": [open_card(), maintenance_card(), resolved_card()],
                "pager": pager("services/exchange-online/", 1, 1),
                "strip": merge(chart("strip", "strip-exchange-online", "Exchange Online, last 90 days"), json!({"days": 90})),
            }),
        ),
    ));
    v.push((
        "actions",
        "actions.html",
        merge(
            common("actions", "Open action items", "actions/"),
            json!({"actions": [
                {"text": "Add an alert on queue length", "owner": "Mail team", "due": time("2026-07-01", "Jul 1, 2026", None), "incident": {"id": "EX1331830", "title": "Users can't send or receive email in Outlook & OWA", "url": format!("{BASE}incidents/ex1331830/")}},
                {"text": "Review <script> handling", "owner": null, "due": null, "incident": {"id": "TM-2026.0042_b", "title": "<script>x</script> Teams calls drop after 60 minutes", "url": format!("{BASE}incidents/tm-2026.0042_b/")}},
            ], "count": 2, "pager": pager("actions/", 1, 1)}),
        ),
    ));
    v.push((
        "actions-empty",
        "actions.html",
        merge(
            common("actions", "Open action items", "actions/"),
            json!({"actions": [], "count": 0, "pager": pager("actions/", 1, 1)}),
        ),
    ));
    v.push((
        "search",
        "search.html",
        merge(
            common("search", "Search", "search/"),
            json!({"search_index_url": format!("{BASE}search/index.json"), "search_shards": 1}),
        ),
    ));
    v.push((
        "embed",
        "embed.html",
        merge(
            common("embed", "Current status", "embed/"),
            json!({
                "site_status": {"indicator": "major", "description": "Partial System Outage"},
                "incidents": [open_card(), maintenance_card()],
                "more": 2,
                "site_url": format!("{ORIGIN}{BASE}"),
            }),
        ),
    ));
    let uptime = json!({"name": "Exchange Online", "url": format!("{BASE}services/exchange-online/"), "group": "Microsoft 365", "uptime": "99.95 %", "uptime_percent": 99.95, "incidents_90d": 2, "uptime_days": 90});
    v.push((
        "stats",
        "stats.html",
        merge(
            common("stats", "Statistics", "stats/"),
            json!({"stats": {
                "months": 24, "from": "June 2024", "to": "May 2026",
                "monthly": chart("monthly", "chart-monthly", "Incidents per month"),
                "acknowledge": chart("ack", "chart-ack", "Time to acknowledge"),
                "resolve": chart("resolve", "chart-resolve", "Time to resolve"),
                "services": [{"name": "Exchange Online", "url": format!("{BASE}services/exchange-online/"), "incidents": 3, "acknowledged": 2, "resolved": 1}],
                "uptime": [uptime], "uptime_days": 90,
                "totals": {"incidents": 3, "acknowledged": 2, "resolved": 1},
            }}),
        ),
    ));
    v.push((
        "404",
        "404.html",
        common("404", "Page not found", "404.html"),
    ));
    v
}

fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(pos) = rest.find(&needle) {
        rest = &rest[pos + needle.len()..];
        let end = rest.find('"').unwrap();
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

#[test]
fn every_template_renders() {
    let tera = tera();
    let out_dir = root().join("target/theme-preview");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut rendered: BTreeMap<&str, String> = BTreeMap::new();
    for (name, template, ctx) in pages() {
        let context = tera::Context::from_serialize(&ctx).unwrap();
        let html = tera
            .render(template, &context)
            .unwrap_or_else(|e| panic!("{template} ({name}): {e:?}"));
        std::fs::write(out_dir.join(format!("{name}.html")), &html).unwrap();
        rendered.insert(name, html);
    }

    // Every page template of docs/templates.md is covered.
    for t in [
        "index.html",
        "incidents.html",
        "incident.html",
        "news_list.html",
        "news.html",
        "page.html",
        "taxonomy.html",
        "term.html",
        "history.html",
        "month.html",
        "actions.html",
        "postmortems.html",
        "search.html",
        "404.html",
    ] {
        assert!(tera.get_template_names().any(|n| n == t), "missing {t}");
    }

    for (name, html) in &rendered {
        for needle in [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<meta charset=\"utf-8\">",
            "name=\"viewport\"",
            "<a class=\"skip-link\" href=\"#main\">",
            "<main id=\"main\"",
            "<nav class=\"site-nav\" aria-label=\"Main\">",
            "<link rel=\"canonical\" href=\"https://status.example.org/pm/",
            "<link rel=\"alternate\" type=\"application/atom+xml\"",
            "href=\"/pm/favicon.svg\"",
            "href=\"/pm/syntax-dark.css\" media=\"(prefers-color-scheme: dark)\"",
            "<footer",
        ] {
            // `/embed/` is frameless, for other sites' iframes: no base.html.
            assert!(
                html.contains(needle) || *name == "embed",
                "{name}: missing {needle}"
            );
        }
        assert_eq!(html.matches("<h1").count(), 1, "{name}: one h1");
        assert!(!html.contains("{{") && !html.contains("{%"), "{name}");
        assert!(!html.contains("<script>x</script>"), "{name}: unescaped");
        assert!(!html.contains("<b>"), "{name}: unescaped <b>");
        // 404.html is served from any path: no relative URL anywhere.
        for attr in ["href", "src", "action", "data-index"] {
            for url in attr_values(html, attr) {
                assert!(
                    url.starts_with('/') || url.starts_with("https://") || url.starts_with('#'),
                    "{name}: relative {attr}={url}"
                );
            }
        }
        for t in attr_values(html, "datetime") {
            assert!(!t.is_empty(), "{name}: empty datetime");
        }
    }

    let home = &rendered["index"];
    assert!(home.contains("Current status"));
    assert!(home.contains("href=\"/pm/services/exchange-online/\""));
    assert!(home.contains("Upcoming maintenance"));
    assert!(home.contains("Users can&#39;t send or receive email in Outlook &amp; OWA"));
    assert!(home.contains("We track outages"));
    assert!(!home.contains("No open incidents"));
    assert!(home.contains("<title>Incident Desk</title>"));
    // A group: its worst status in the summary, open, members inside, escaped.
    assert!(home.contains("<details open>"));
    assert!(home.contains("<span class=\"group-name\">Microsoft 365</span>"));
    assert!(home.contains("Chat &lt;delayed&gt;"));
    assert!(home.contains("service-row service-operational"));
    let service = &rendered["term-service"];
    assert!(service.contains("Part of Microsoft 365"));
    assert!(service.contains("Uptime over the last 90 days: 99.95%"));
    assert!(!rendered["term"].contains("Uptime"));
    let clear = &rendered["index-clear"];
    assert!(clear.contains("No open incidents"));
    assert!(!clear.contains("service-groups"));
    assert!(clear.contains("&lt;script&gt;x&lt;/script&gt; Teams calls drop"));

    let resolved = &rendered["incident-resolved"];
    let impact = resolved.find("id=\"postmortem-impact\"").unwrap();
    let lessons = resolved.find("id=\"postmortem-lessons\"").unwrap();
    assert!(impact < lessons, "postmortem parts in the given order");
    assert!(
        resolved.contains("href=\"#postmortem-lessons\""),
        "postmortem parts in the TOC"
    );
    assert!(resolved.contains("by Ops, Bo &lt;Boss&gt;"));
    assert!(!resolved.contains("noindex") && !resolved.contains("internal-banner"));
    let internal = &rendered["incident-internal"];
    assert!(internal.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(internal.contains("class=\"internal-banner\""));
    assert!(internal.contains("Paged the vendor twice."));
    assert!(internal.contains("badge-internal"));
    assert!(rendered["postmortems"].contains("published postmortem,"));

    let inc = &rendered["incident"];
    for needle in [
        "<span class=\"id\">EX1331830</span>",
        ">Investigating<",
        "Severity: Major",
        "Next update by <time datetime=\"2026-06-03T19:00:00Z\">Jun 3, 2026, 15:00 EDT</time>",
        "<time datetime=\"2026-06-03T14:45:00Z\">",
        "<dl class=\"metrics\">",
        "<dt>Time to acknowledge</dt><dd>12 min</dd>",
        "<dt>Open for</dt><dd>3 h 5 min</dd>",
        "<code class=\"error-code\">SuspiciousRemoteServerError</code> <code class=\"error-message\">Connection was closed abruptly</code>",
        "href=\"/pm/errors/suspiciousremoteservererror/\"",
        "<h3 id=\"take-1-h\">For admins</h3>",
        "<h3 id=\"take-2-h\">For users</h3>",
        "<ol class=\"timeline\">",
        "Related outages",
        "href=\"https://example.com/news/exchange-march-2025\"",
        "Outlook sign-in loop (no public write-up)",
        "Referred to by",
        "EX1400000",
        "What the Exchange outage means for you",
        "Action items",
        "Add an alert on queue length",
        "href=\"https://status.example.com/?a=1&amp;b=2\"",
        "&lt;b&gt;admin center&lt;/b&gt;",
        "<span class=\"hl-keyword\">Get-Mailbox</span>",
        "href=\"#workaround\"",
        "<title>EX1331830: Users can&#39;t send or receive email · Incident Desk</title>",
    ] {
        assert!(inc.contains(needle), "incident: missing {needle}");
    }
    let resolved = &rendered["incident-resolved"];
    assert!(resolved.contains("&lt;script&gt;x&lt;/script&gt; Teams calls drop"));
    assert!(resolved.contains("after 1 h 47 min"));
    assert!(!resolved.contains("Next update by"));
    assert!(!resolved.contains("Timeline"));
    let mnt = &rendered["incident-maintenance"];
    assert!(mnt.contains("Upcoming"));
    assert!(mnt.contains("<time datetime=\"2026-06-10T02:00:00Z\">"));
    assert!(mnt.contains("<time datetime=\"2026-06-10\">Jun 10, 2026</time>"));
    // Severity "none" has no badge, so the facts say it; other severities
    // are the badge under the title, not a row of facts.
    assert!(mnt.contains("<dt>Severity</dt><dd>None</dd>"));
    assert!(!mnt.contains("sev-none"));
    let inc = &rendered["incident"];
    assert!(inc.contains("<span class=\"badge sev-major\">Severity: Major</span>"));
    assert!(!inc.contains("<dt>Severity</dt>"));
    // A timeline entry: its time and status line, then the Markdown as is.
    assert!(inc.contains(
        "<li class=\"tl-investigating\">\n<p class=\"at\"><time datetime=\"2026-06-03T14:45:00Z\">"
    ));
    assert!(inc.contains(
        "<p>Telemetry shows a subset of <strong>mailbox servers</strong> in NAM affected.</p></li>"
    ));

    let list = &rendered["incidents"];
    assert!(list.contains(">Open<"));
    // A card's facts are one line, each value after a visible label.
    assert!(
        list.contains(" · Started: <time datetime=\"2026-06-03T14:33:00Z\">"),
        "{list}"
    );
    assert!(
        list.contains(" · Services: <a href=\"/pm/services/exchange-online/\">Exchange Online</a>")
    );
    assert!(list.contains("1 h 47 min"));
    assert!(list.contains("Calls longer than an hour &lt;b&gt;dropped&lt;/b&gt; &amp; had"));

    assert!(rendered["news"].contains("Bo &lt;Boss&gt;"));
    assert!(rendered["page"].contains("About &lt;this&gt; desk"));
    assert!(
        rendered["taxonomy"].contains("href=\"/pm/errors/suspiciousremoteservererror/atom.xml\"")
    );
    assert!(rendered["term"].contains("<code>SuspiciousRemoteServerError</code>"));
    assert!(!rendered["term"].contains("service-now"));
    assert!(rendered["term-service"].contains("st-partial_outage"));
    assert!(rendered["term-service"].contains("<pre><code>[![Exchange Online status]"));
    assert!(rendered["actions"].contains("Review &lt;script&gt; handling"));
    assert!(rendered["actions-empty"].contains("No open action items"));

    let search = &rendered["search"];
    for needle in [
        "role=\"search\"",
        "<label for=\"q\">",
        "<input type=\"search\" id=\"q\"",
        "aria-live=\"polite\"",
        "<script src=\"/pm/search.js\" async data-index=\"/pm/search/index.json\"",
        // search.js's messages, from the theme's strings
        "data-t-none=\"No results for {q}.\"",
        "<noscript>",
        "href=\"/pm/incidents/\"",
    ] {
        assert!(search.contains(needle), "search: missing {needle}");
    }
    let nf = &rendered["404"];
    assert!(nf.contains("href=\"/pm/search/\""));
    assert!(nf.contains("href=\"/pm/\""));
}
