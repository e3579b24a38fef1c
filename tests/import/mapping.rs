//! Each source imported into a new site: `check` and `build` pass, and the
//! built API shows every field of FORMAT.md's mapping table.

use super::*;

/// An instant to the second (the built API writes times to the second).
fn instant(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>()
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .as_second()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

fn warnings(r: &Run) -> Vec<&str> {
    r.stderr.lines().filter(|l| !l.trim().is_empty()).collect()
}

#[test]
fn statuspage_incidents_maintenance_and_manage_list() {
    let site = site("America/New_York");
    let r = import_ok(
        site.path(),
        "statuspage",
        &[
            &fixture("statuspage/incidents.json"),
            &fixture("statuspage/scheduled-maintenances.json"),
            &fixture("statuspage/manage-v1.json"),
        ],
    );
    assert_eq!(summary(&r), "created 6, updated 0, unchanged 0");
    for w in warnings(&r) {
        assert!(w.starts_with("warning: "), "{w}");
    }
    let out = check_and_build(site.path());

    let p = api(&out, "p31zjtct2jer");
    assert_eq!(p["title"], "Elevated API error rates");
    assert_eq!(strs(&p["services"]), ["API", "Dashboard"]);
    assert_eq!(
        (p["status"].as_str(), p["severity"].as_str()),
        (Some("resolved"), Some("major"))
    );
    assert_eq!(
        instant(p["started"].as_str().unwrap()),
        instant("2024-03-12T14:02:00Z")
    );
    assert_eq!(
        instant(p["resolved"].as_str().unwrap()),
        instant("2024-03-12T16:41:08.420Z")
    );
    assert_eq!(p["sources"][0]["title"], "Acme Cloud status page");
    assert_eq!(p["sources"][0]["url"], "https://stspg.io/p31zjtct2jer");
    let t = timeline(&p);
    let statuses: Vec<_> = t.iter().map(|e| e.1.as_deref().unwrap()).collect();
    assert_eq!(statuses, ["investigating", "monitoring", "resolved"]);
    let ats: Vec<_> = t.iter().map(|e| instant(&e.0)).collect();
    assert_eq!(
        ats,
        [
            "2024-03-12T14:05:11.109Z",
            "2024-03-12T15:50:02.031Z",
            "2024-03-12T16:41:08.420Z"
        ]
        .map(instant)
    );
    // HTML became Markdown: a link, paragraphs; no `\r` and no trailing spaces.
    assert!(
        t[1].2
            .contains("[retries](https://docs.acme.example/retries)"),
        "{}",
        t[1].2
    );
    assert!(t[1].2.contains("results.\n\nCustomers"), "{:?}", t[1].2);
    assert!(t[0].2.contains("REST API.\nSome requests"), "{:?}", t[0].2);
    for e in &t {
        assert!(
            !e.2.contains('\r') && !e.2.lines().any(|l| l.ends_with(' ')),
            "{:?}",
            e.2
        );
    }
    let file =
        std::fs::read_to_string(site.path().join("content/incidents/p31zjtct2jer.md")).unwrap();
    assert!(
        file.contains("resolved: 2024-03-12T16:41:08.42Z\n"),
        "{file}"
    );
    assert!(
        file.contains("\n## Postmortem\n\nOn March 12 a configuration push"),
        "{file}"
    );
    assert!(file.contains("- Impact: 12% of requests failed"), "{file}");

    // Maintenance: window, severity none, maintenance statuses mapped.
    let m = api(&out, "w1lm3q6xj0yh");
    assert_eq!(m["classification"], "maintenance");
    assert_eq!(m["severity"], "none");
    assert_eq!(
        instant(m["window"]["start"].as_str().unwrap()),
        instant("2024-03-09T02:00:00Z")
    );
    assert_eq!(
        instant(m["window"]["end"].as_str().unwrap()),
        instant("2024-03-09T04:00:00Z")
    );
    let statuses: Vec<_> = timeline(&m).into_iter().map(|e| e.1.unwrap()).collect();
    assert_eq!(statuses, ["identified", "monitoring", "resolved"]);
    // A window that ends when it starts gets an hour, with a warning.
    let n = api(&out, "b7rt0c5y2k8n");
    assert_eq!(n["status"], "identified");
    assert_eq!(
        instant(n["window"]["end"].as_str().unwrap()),
        instant("2024-04-02T23:00:00Z")
    );
    assert!(
        r.stderr
            .contains("incident b7rt0c5y2k8n: the maintenance window ends"),
        "{}",
        r.stderr
    );

    // Messy data: unknown impact, resolved before started, an empty update,
    // an update before the start, duplicate component names.
    let k = api(&out, "kq8lw3nt6zsb");
    assert!(k["severity"].is_null());
    assert_eq!(strs(&k["services"]), ["Webhooks"]);
    assert_eq!(
        instant(k["resolved"].as_str().unwrap()),
        instant("2024-02-20T16:00:00Z")
    );
    let t = timeline(&k);
    assert_eq!(t.len(), 2);
    assert_eq!(instant(&t[0].0), instant("2024-02-20T13:55:00Z"));
    assert_eq!(t[1].2, "Resolved.");
    for what in [
        "unknown impact `severe`",
        "resolved `2024-02-19T11:00:00-05:00` is before started",
        "update w2: the update has no text",
    ] {
        assert!(r.stderr.contains(what), "{what}\n{}", r.stderr);
    }
    // No components: the page's name; a time without offset: the site zone.
    let z = api(&out, "z9yk2mf8v1qd");
    assert_eq!(strs(&z["services"]), ["Acme Cloud"]);
    assert_eq!(
        instant(z["started"].as_str().unwrap()),
        instant("2024-03-13T12:00:00Z")
    );
    assert!(
        r.stderr.contains("`2024-03-13T08:00:00` has no offset"),
        "{}",
        r.stderr
    );
    // The manage API list: `postmortem` is resolved; no page, so "Status page".
    let c = api(&out, "c6n2q8vr3m1x");
    assert_eq!(c["status"], "resolved");
    assert_eq!(c["sources"][0]["title"], "Status page");
}

#[test]
fn microsoft_365_service_health_issues() {
    let site = site("UTC");
    let r = import_ok(
        site.path(),
        "m365",
        &[&fixture("m365/issues.json"), &fixture("m365/single.json")],
    );
    assert_eq!(summary(&r), "created 4, updated 0, unchanged 0");
    let out = check_and_build(site.path());

    let ex = api(&out, "EX1331830");
    assert_eq!(ex["id"], "EX1331830");
    assert_eq!(strs(&ex["services"]), ["Exchange Online"]);
    assert_eq!(strs(&ex["components"]), ["E-Mail and calendar access"]);
    assert_eq!(ex["status"], "resolved");
    assert_eq!(ex["classification"], "incident");
    assert_eq!(
        instant(ex["resolved"].as_str().unwrap()),
        instant("2026-06-03T20:10:00Z")
    );
    assert_eq!(
        ex["summary"],
        "Users may be unable to send or receive email through Exchange Online."
    );
    let t = timeline(&ex);
    let ats: Vec<_> = t.iter().map(|e| instant(&e.0)).collect();
    assert_eq!(
        ats,
        [
            "2026-06-03T14:58:00Z",
            "2026-06-03T16:02:00Z",
            "2026-06-03T20:10:00Z"
        ]
        .map(instant)
    );
    assert!(t.iter().all(|e| e.1.is_none()));
    // Run-together sections become paragraphs; `<br><br>` a paragraph break.
    assert!(t[1].2.contains("email\n\nUser impact:"), "{:?}", t[1].2);
    assert!(t[0].2.contains("email.\n\nCurrent status:"), "{:?}", t[0].2);
    assert!(
        t[2].2
            .contains("[configuration change](https://learn.microsoft.com/exchange)"),
        "{:?}",
        t[2].2
    );

    let tm = api(&out, "TM998877");
    assert_eq!(
        (tm["classification"].as_str(), tm["status"].as_str()),
        (Some("advisory"), Some("monitoring"))
    );
    assert!(tm["resolved"].is_null());
    assert_eq!(timeline(&tm).len(), 1, "the empty post is skipped");
    assert!(
        r.stderr
            .contains("issue TM998877 post #2: the post has no text"),
        "{}",
        r.stderr
    );
    assert!(!timeline(&tm)[0].2.contains('\r'));
    assert_eq!(api(&out, "SP445566")["status"], "identified");
    let mo = api(&out, "MO112233");
    assert_eq!(mo["status"], "identified");
    assert!(
        mo["resolved"].is_null(),
        "endDateTime counts only when resolved"
    );
    assert!(timeline(&mo)[0].2.contains("**admin center**"));
}

#[test]
fn cstate_site_folder() {
    let site = site("Europe/Berlin");
    let r = import_ok(site.path(), "cstate", &[&fixture("cstate")]);
    assert_eq!(
        summary(&r),
        "created 3, updated 0, unchanged 0",
        "{}",
        r.stderr
    );
    let names: Vec<String> = files(site.path()).into_iter().map(|f| f.0).collect();
    // Date prefixes dropped (both styles); the second `api-outage` gets `-2`.
    assert_eq!(
        names,
        ["api-outage-2.md", "api-outage.md", "maintenance-notice.md"]
    );
    assert!(
        r.stderr.contains(
            "the ID `api-outage` is already taken by another item; imported as `api-outage-2`"
        ),
        "{}",
        r.stderr
    );
    let out = check_and_build(site.path());

    let a = api(&out, "api-outage-2");
    assert_eq!(a["title"], "API outage");
    assert_eq!(strs(&a["services"]), ["API", "Website"]);
    assert_eq!(
        (a["status"].as_str(), a["severity"].as_str()),
        (Some("resolved"), Some("critical"))
    );
    // No offset: read in the site zone (Berlin, summer: +02:00).
    assert_eq!(
        instant(a["started"].as_str().unwrap()),
        instant("2021-06-08T12:00:00Z")
    );
    assert_eq!(
        instant(a["resolved"].as_str().unwrap()),
        instant("2021-06-08T13:30:00Z")
    );
    let text =
        std::fs::read_to_string(site.path().join("content/incidents/api-outage-2.md")).unwrap();
    assert!(
        text.contains("started: 2021-06-08T14:00:00+02:00[Europe/Berlin]"),
        "{text}"
    );
    assert!(text.ends_with("\n\nThe API returned errors for every request.\n\n*Resolved* - A bad deploy was rolled back.\n"), "{text}");

    let n = api(&out, "maintenance-notice");
    assert_eq!(
        (n["classification"].as_str(), n["severity"].as_str()),
        (Some("advisory"), Some("minor"))
    );
    assert_eq!(
        n["resolved"], n["started"],
        "resolvedWhen before date is set to date"
    );
    let s = api(&out, "api-outage");
    assert_eq!(s["status"], "investigating");
    assert!(s["severity"].is_null());
    assert!(
        r.stderr.contains("unknown severity `catastrophic`"),
        "{}",
        r.stderr
    );
}

#[test]
fn statusfy_folder_and_a_file_without_extension() {
    let site = site("UTC");
    let r = import_ok(
        site.path(),
        "statusfy",
        &[
            &fixture("statusfy"),
            &fixture("statusfy/content/2018-03-05-dashboard"),
        ],
    );
    assert_eq!(
        summary(&r),
        "created 3, updated 0, unchanged 0",
        "{}",
        r.stderr
    );
    let out = check_and_build(site.path());

    let a = api(&out, "api-outage");
    assert_eq!(
        (a["status"].as_str(), a["severity"].as_str()),
        (Some("resolved"), Some("critical"))
    );
    assert_eq!(strs(&a["services"]), ["api"]);
    assert_eq!(
        instant(a["resolved"].as_str().unwrap()),
        instant("2018-01-31T14:20:00Z")
    );
    let t = timeline(&a);
    assert_eq!(
        t.iter()
            .map(|e| (instant(&e.0), e.1.clone().unwrap()))
            .collect::<Vec<_>>(),
        [
            (instant("2018-01-31T12:05:00Z"), "investigating".to_string()),
            (instant("2018-01-31T13:30:00Z"), "monitoring".into()),
            (instant("2018-01-31T14:20:00Z"), "resolved".into()),
        ]
    );
    let text =
        std::fs::read_to_string(site.path().join("content/incidents/api-outage.md")).unwrap();
    assert!(
        text.ends_with("---\n\nRequests to the API failed.\n"),
        "{text}"
    );

    let m = api(&out, "cdn-maintenance");
    assert_eq!(m["classification"], "maintenance");
    assert_eq!(strs(&m["services"]), ["cdn"], "affectsSystems is read too");
    assert_eq!(
        instant(m["window"]["end"].as_str().unwrap()),
        instant("2018-02-10T02:00:00Z")
    );
    let t = timeline(&m);
    assert_eq!(t.len(), 2, "{t:?}");
    assert_eq!(t[0].1.as_deref(), Some("identified"));
    assert_eq!(t[1].2, "Traffic is moving back");
    for what in [
        "has no word `update`",
        "the update block is empty",
        "is never closed",
        "window ends one hour after `date`",
    ] {
        assert!(r.stderr.contains(what), "{what}\n{}", r.stderr);
    }
    assert_eq!(api(&out, "dashboard")["severity"], "major");
}
