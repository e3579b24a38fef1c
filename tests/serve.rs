//! `sitrep serve` end to end: the real binary on a temp site and a free port,
//! fetched over HTTP while the test edits, creates, renames and deletes files.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::*;

#[test]
fn serves_the_site_from_memory_with_the_served_address() {
    let site = sample_site();
    let s = Serve::start(site.path());
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("Cache-Control"), Some("no-store"));
    let html = home.text();
    assert!(
        html.contains(&format!("href=\"{}\"", s.url())),
        "canonical uses the served address"
    );
    assert!(!html.contains("example.org/desk"), "base_url replaced");
    assert_eq!(html.matches(SCRIPT_TAG).count(), 1);
    assert!(html.find(SCRIPT_TAG) < html.rfind("</body>"));

    let page = s.get("/incidents/ab101/");
    assert!(page.text().contains("Mail to Europe was delayed"));
    let atom = s.get("/atom.xml");
    assert_eq!(
        atom.header("Content-Type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert!(
        !atom.text().contains(SCRIPT_TAG),
        "only HTML gets the script"
    );
    assert!(
        atom.text()
            .contains(&format!("{}incidents/ab101/", s.url()))
    );
    let png = s.get("/img/pic.png");
    assert_eq!(png.header("Content-Type"), Some("image/png"));
    assert_eq!(png.body, b"\x89PNG\r\n\x1a\nfake");
    assert_eq!(
        s.get("/feed.json").header("Content-Type"),
        Some("application/json")
    );
    assert_eq!(
        s.get("/style.css").header("Content-Type"),
        Some("text/css; charset=utf-8")
    );

    // HEAD: the GET headers, no body.
    let head = request(s.port, "HEAD", "/incidents/ab101/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), page.header("Content-Length"));

    // The theme's 404 page, with status 404.
    let missing = s.get("/incidents/nope/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "{}",
        missing.text()
    );
    assert_eq!(missing.header("Cache-Control"), Some("no-store"));

    // A folder without its slash redirects; other methods are refused.
    let r = s.get("/incidents/ab101?x=1");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("Location"), Some("/incidents/ab101/"));
    assert_eq!(request(s.port, "POST", "/").status, 405);
    assert_eq!(request(s.port, "DELETE", "/").status, 405);

    assert!(
        !site.path().join("output").exists(),
        "serve never writes output/"
    );
}

#[test]
fn path_traversal_is_refused() {
    let site = sample_site();
    // A secret beside the site root: nothing may reach it.
    let s = Serve::start(site.path());
    for target in [
        "/../sitrep.toml",
        "/incidents/../../sitrep.toml",
        "/%2e%2e/sitrep.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2fsitrep.toml",
        "/.%2e/.%2e/etc/passwd",
        "/..\\..\\sitrep.toml",
        "/%5c..%5csitrep.toml",
        "/incidents/%00",
        "/%zz",
        "/./index.html",
        "http://127.0.0.1/../sitrep.toml",
    ] {
        let r = s.get(target);
        assert!(matches!(r.status, 400 | 404), "{target}: {}", r.status);
        assert!(!r.text().contains("base_url"), "{target} leaked a file");
    }
    for target in [
        "//etc/passwd",
        "/etc/passwd",
        "/%252e%252e/sitrep.toml",
        "/sitrep.toml",
        "/content/about.md",
    ] {
        let r = s.get(target);
        assert_eq!(r.status, 404, "{target}");
        assert!(
            !r.text().contains("root:") && !r.text().contains("base_url"),
            "{target}"
        );
    }
}

#[test]
fn edits_creations_renames_and_deletions_are_followed() {
    let site = sample_site();
    let root = site.path();
    let s = Serve::start(root);

    // Body edit, saved the way editors do (temp file renamed over the original).
    save_atomically(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregions: [Europe]\ntags: [mail]\n",
            "Mail to Europe was delayed by two hours, not one.\n\n## Details\n\nQueues.",
        ),
    );
    s.wait_page("/incidents/ab101/", "the body edit", |t| {
        t.contains("two hours, not one")
    });
    s.wait_page("/incidents/", "the list's summary", |t| {
        t.contains("two hours, not one")
    });

    // Front matter: AB101 leaves Europe for Asia Pacific.
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Asia",
            "services: [Exchange Online]\nregions: [Asia Pacific]\ntags: [mail]\n",
            "Mail to Asia was delayed.",
        ),
    );
    s.wait_page("/regions/asia-pacific/", "the new term page", |t| {
        t.contains("Mail delayed in Asia")
    });
    s.wait_page("/regions/europe/", "the old term page", |t| {
        !t.contains("Mail delayed")
    });
    // AB202 relates to AB101 and shows its title.
    s.wait_page("/incidents/ab202/", "the related title", |t| {
        t.contains("Mail delayed in Asia")
    });

    // A new incident appears everywhere, and a bare ID elsewhere becomes a link.
    write(
        root,
        "content/incidents/CD404.md",
        &incident(
            "CD404",
            "Sign-in failures",
            "services: [Entra ID]\nrelated: [AB303]\n",
            "Nobody could sign in.",
        ),
    );
    s.wait_page("/incidents/cd404/", "the new page", |t| {
        t.contains("Nobody could sign in")
    });
    s.wait_page("/incidents/", "the list with the new incident", |t| {
        t.contains("Sign-in failures")
    });
    s.wait_page("/services/entra-id/", "a new term", |t| {
        t.contains("Sign-in failures")
    });
    s.wait_page("/incidents/ab303/", "a backlink", |t| {
        t.contains("/incidents/cd404/")
    });
    write(
        root,
        "content/incidents/2025/AB303.md",
        &incident(
            "AB303",
            "Calendar sync slow",
            "services: [Exchange Online]\nregions: [Europe, Germany]\n",
            "Calendars synced slowly; see CD404.",
        ),
    );
    s.wait_page("/incidents/ab303/", "a bare ID linked", |t| {
        t.contains("href=\"/incidents/cd404/\">CD404</a>")
    });

    // Rename the file (same ID): the page stays.
    std::fs::rename(
        root.join("content/incidents/CD404.md"),
        root.join("content/incidents/2025/CD404.md"),
    )
    .unwrap();
    s.settle();
    assert!(
        s.get("/incidents/cd404/")
            .text()
            .contains("Nobody could sign in")
    );
    // Rename a folder: its incidents stay.
    std::fs::rename(
        root.join("content/incidents/2025"),
        root.join("content/incidents/older"),
    )
    .unwrap();
    s.settle();
    assert_eq!(s.get("/incidents/ab303/").status, 200);
    assert_eq!(s.get("/incidents/cd404/").status, 200);

    // Delete: gone from its page, the lists, the feeds and the backlinks.
    std::fs::remove_file(root.join("content/incidents/older/CD404.md")).unwrap();
    write(
        root,
        "content/incidents/older/AB303.md",
        &incident(
            "AB303",
            "Calendar sync slow",
            "services: [Exchange Online]\nregions: [Europe, Germany]\n",
            "Calendars synced slowly.",
        ),
    );
    wait_for(15, "the deleted page to go", || {
        (s.get("/incidents/cd404/").status == 404).then_some(())
    });
    s.wait_page("/incidents/", "the list without it", |t| {
        !t.contains("Sign-in failures")
    });
    s.wait_page("/incidents/ab303/", "no backlink", |t| !t.contains("cd404"));
    assert_eq!(
        s.get("/services/entra-id/").status,
        404,
        "an emptied term disappears"
    );
    assert!(!s.get("/atom.xml").text().contains("CD404"));

    // Assets: created, changed and deleted.
    std::fs::write(root.join("content/img/new.svg"), "<svg/>").unwrap();
    wait_for(15, "a new asset", || {
        (s.get("/img/new.svg").text() == "<svg/>").then_some(())
    });
    std::fs::remove_file(root.join("content/img/new.svg")).unwrap();
    wait_for(15, "a deleted asset", || {
        (s.get("/img/new.svg").status == 404).then_some(())
    });
}

#[test]
fn an_error_keeps_the_last_good_site_and_reports_it() {
    let site = sample_site();
    let root = site.path();
    let s = Serve::start(root);
    let good = s.get("/incidents/ab202/").text();
    assert_eq!(s.status()["errors"], serde_json::json!([]));

    // A misspelt key on line 7, and a body change that must not show yet.
    let broken = incident(
        "AB202",
        "Teams chat down",
        "servces: [Microsoft Teams]\n",
        "BROKEN EDIT",
    );
    write(root, "content/incidents/AB202.md", &broken);
    let errors = wait_for(15, "the errors", || {
        let st = s.status();
        let e = st["errors"].as_array().cloned().unwrap_or_default();
        (!e.is_empty()).then_some(e)
    });
    let e = errors
        .iter()
        .find(|e| e["message"].as_str().unwrap().contains("servces"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(e["file"], "content/incidents/AB202.md");
    assert_eq!(e["line"], 7);
    assert_eq!(e["column"], 1);
    assert!(e["hint"].as_str().unwrap().contains("services"));
    assert_eq!(
        s.get("/incidents/ab202/").text(),
        good,
        "the last good page stays"
    );
    assert!(
        s.log()
            .contains("content/incidents/AB202.md:7:1: error: unknown key `servces`"),
        "{}",
        s.log()
    );

    // Fixed: errors go, the edit shows.
    write(
        root,
        "content/incidents/AB202.md",
        &incident(
            "AB202",
            "Teams chat down",
            "services: [Microsoft Teams]\nrelated: [AB101]\n",
            "FIXED EDIT",
        ),
    );
    s.wait_page("/incidents/ab202/", "the fixed page", |t| {
        t.contains("FIXED EDIT")
    });
    wait_for(15, "the errors to clear", || {
        (s.status()["errors"] == serde_json::json!([])).then_some(())
    });

    // A template error also keeps the site.
    write(
        root,
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.title | nosuchfilter }}{% endblock content %}",
    );
    wait_for(15, "the template error", || {
        let e = s.status()["errors"].to_string();
        e.contains("templates/page.html").then_some(())
    });
    assert!(s.get("/about/").text().contains("We track outages"));
    std::fs::remove_file(root.join("templates/page.html")).unwrap();
    wait_for(15, "the template error to clear", || {
        (s.status()["errors"] == serde_json::json!([])).then_some(())
    });
}

#[test]
fn a_broken_site_at_start_is_served_with_its_errors() {
    let site = sample_site();
    let root = site.path();
    write(
        root,
        "content/incidents/AB101.md",
        "---\nid: AB101\ntitle: x\n---\n",
    );
    let s = Serve::start(root);
    let r = s.get("/");
    assert_eq!(r.status, 500);
    assert!(r.text().contains("reload.js"));
    assert!(!s.status()["errors"].as_array().unwrap().is_empty());
    write(
        root,
        "content/incidents/AB101.md",
        &incident("AB101", "Back", "services: [Exchange Online]\n", "Fixed."),
    );
    s.wait_page("/incidents/ab101/", "the first good build", |t| {
        t.contains("Fixed.")
    });
}

/// Everything served (less the injected script) equals `sitrep build` of the
/// same files with the same base_url and "now".
fn assert_same_as_full_build(s: &Serve, root: &Path) {
    s.settle();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("site");
    let status = Command::new(BIN)
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(&out_dir)
        .args(["--base-url", &s.url()])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .status()
        .unwrap();
    assert!(status.success());
    let mut built: Vec<String> = walkdir::WalkDir::new(&out_dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&out_dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != ".sitrep-output")
        .collect();
    built.sort();
    let served: Vec<String> = serde_json::from_slice(&s.get("/__sitrep/files").body).unwrap();
    assert_eq!(served, built, "the same set of files");
    for p in &built {
        let want = std::fs::read(out_dir.join(p)).unwrap();
        let got = s.get(&format!("/{p}"));
        assert_eq!(got.status, 200, "{p}");
        let body = if p.ends_with(".html") {
            got.text().replacen(SCRIPT_TAG, "", 1).into_bytes()
        } else {
            got.body
        };
        assert!(
            body == want,
            "{p} differs from a full build:\n--- served\n{}\n--- built\n{}",
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&want)
        );
    }
}

#[test]
fn incremental_rebuilds_equal_a_full_build() {
    let site = sample_site();
    let root = site.path();
    let s = Serve::start(root);
    assert_same_as_full_build(&s, root);

    // 1. Body edit (the summary in every list changes).
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregions: [Europe]\ntags: [mail]\n",
            "A new first paragraph.\n\nAnd more.",
        ),
    );
    s.wait_page("/incidents/ab101/", "edit 1", |t| {
        t.contains("A new first paragraph")
    });
    // 1b. Body-only edits of a story and a page (patched in place, no re-link).
    write(
        root,
        "content/news/teams-outage.md",
        "---\ntitle: Teams outage explained\ndate: 2026-03-04T09:00:00Z\nincidents: [AB202]\n---\nA clearer account of Teams.\n\n## Timeline\n\nIt broke, then it was fixed.\n",
    );
    s.wait_page("/news/teams-outage/", "edit 1b", |t| {
        t.contains("A clearer account")
    });
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages, big and small. The first one here was [the mail delay](incidents/AB101.md).\n",
    );
    s.wait_page("/about/", "edit 1c", |t| t.contains("big and small"));
    assert!(
        s.log().contains("patch"),
        "body edits take the patch path:\n{}",
        s.log()
    );
    assert_same_as_full_build(&s, root);
    // 2. Front matter: AB303 moves from Europe/Germany to North America, gains a tag.
    write(
        root,
        "content/incidents/2025/AB303.md",
        &incident(
            "AB303",
            "Calendar sync slow",
            "services: [Exchange Online]\nregions: [North America]\ntags: [calendar]\n",
            "Calendars synced slowly.",
        ),
    );
    s.wait_page("/regions/north-america/", "edit 2", |t| {
        t.contains("Calendar sync slow")
    });
    // 3. A new incident mentioned by an existing one, and a new news story.
    write(
        root,
        "content/incidents/EF505.md",
        &incident(
            "EF505",
            "OneDrive sync stuck",
            "services: [OneDrive]\nrelated: [AB202]\n",
            "Sync stuck, like AB101.",
        ),
    );
    write(
        root,
        "content/news/onedrive.md",
        "---\ntitle: OneDrive sync\ndate: 2026-03-09T09:00:00Z\nincidents: [EF505, AB101]\n---\nOneDrive stopped syncing; see EF505.\n",
    );
    s.wait_page("/news/onedrive/", "edit 3", |t| {
        t.contains("OneDrive stopped")
    });
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages such as EF505 and [the mail delay](incidents/AB101.md).\n",
    );
    s.wait_page("/about/", "edit 3b", |t| t.contains("EF505"));
    assert_same_as_full_build(&s, root);

    // 4. Rename a file and change an ID (links to the old ID break: an error), then fix.
    std::fs::rename(
        root.join("content/incidents/EF505.md"),
        root.join("content/incidents/2025/EF506.md"),
    )
    .unwrap();
    write(
        root,
        "content/incidents/2025/EF506.md",
        &incident(
            "EF506",
            "OneDrive sync stuck",
            "services: [OneDrive]\nrelated: [AB202]\n",
            "Sync stuck, like AB101.",
        ),
    );
    wait_for(15, "the broken references", || {
        (!s.status()["errors"].as_array().unwrap().is_empty()).then_some(())
    });
    write(
        root,
        "content/news/onedrive.md",
        "---\ntitle: OneDrive sync\ndate: 2026-03-09T09:00:00Z\nincidents: [EF506, AB101]\n---\nOneDrive stopped syncing; see EF506.\n",
    );
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages such as EF505 and [the mail delay](incidents/AB101.md).\n",
    );
    s.wait_page("/incidents/ef506/", "edit 4", |t| t.contains("Sync stuck"));
    wait_for(15, "the errors to clear", || {
        (s.status()["errors"] == serde_json::json!([])).then_some(())
    });
    assert_same_as_full_build(&s, root);

    // 5. Delete an incident that others point at, with its references.
    write(root, "content/incidents/AB202.md", "");
    std::fs::remove_file(root.join("content/incidents/AB202.md")).unwrap();
    write(
        root,
        "content/incidents/2025/EF506.md",
        &incident(
            "EF506",
            "OneDrive sync stuck",
            "services: [OneDrive]\n",
            "Sync stuck, like AB101.",
        ),
    );
    write(
        root,
        "content/news/teams-outage.md",
        "---\ntitle: Teams outage explained\ndate: 2026-03-04T09:00:00Z\n---\nWhat happened to Teams.\n",
    );
    wait_for(15, "the deletion", || {
        (s.get("/incidents/ab202/").status == 404).then_some(())
    });
    // 6. A page is added, a stylesheet overridden, the config changed.
    write(
        root,
        "content/glossary.md",
        "---\ntitle: Glossary\n---\nTerms. See [about](about.md).\n",
    );
    write(root, "static/extra.css", "body { color: red }\n");
    s.wait_page("/glossary/", "edit 6", |t| t.contains("Terms."));
    assert_same_as_full_build(&s, root);
    write(
        root,
        "sitrep.toml",
        "title = \"Renamed Desk\"\nbase_url = \"https://example.org/desk/\"\ntimezone = \"Europe/Berlin\"\n",
    );
    s.wait_page("/", "the config change", |t| t.contains("Renamed Desk"));
    assert_same_as_full_build(&s, root);
}

#[test]
fn static_and_template_changes() {
    let site = sample_site();
    let root = site.path();
    let s = Serve::start(root);
    // A stylesheet of the site's own overrides the theme's.
    write(root, "static/style.css", "body { background: hotpink }\n");
    wait_for(15, "the stylesheet", || {
        s.get("/style.css").text().contains("hotpink").then_some(())
    });
    // A template override changes the pages that use it.
    write(
        root,
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1 id=\"custom\">{{ page.title }}</h1>{{ page.body_html | safe }}{% endblock content %}",
    );
    s.wait_page("/about/", "the template override", |t| {
        t.contains("id=\"custom\"")
    });
    std::fs::remove_file(root.join("templates/page.html")).unwrap();
    s.wait_page("/about/", "the theme's template again", |t| {
        !t.contains("id=\"custom\"")
    });
    std::fs::remove_file(root.join("static/style.css")).unwrap();
    wait_for(15, "the theme's stylesheet", || {
        (!s.get("/style.css").text().contains("hotpink")).then_some(())
    });
}

#[test]
fn editor_scratch_files_do_not_rebuild() {
    let site = sample_site();
    let root = site.path();
    let s = Serve::start(root);
    s.settle();
    let g = s.status()["generation"].as_u64().unwrap();
    for name in [
        "content/incidents/.AB101.md.swp",
        "content/incidents/AB101.md~",
        "content/incidents/4913",
        "content/_drafts/x.md",
        "output/index.html",
        "notes.txt",
    ] {
        write(root, name, "scratch");
    }
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(s.status()["generation"].as_u64(), Some(g), "{}", s.log());
}

/// Read SSE messages from a raw connection until one satisfies `ok`.
fn read_event(r: &mut BufReader<TcpStream>, ok: impl Fn(&str) -> bool) -> String {
    let mut event = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap() == 0 {
            panic!("stream closed");
        }
        if line == "\n" {
            if ok(&event) {
                return event;
            }
            event.clear();
        } else {
            event.push_str(&line);
        }
    }
}

#[test]
fn event_stream_announces_changes_and_errors() {
    let site = sample_site();
    let root = site.path();
    let s = Serve::start(root);
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        c,
        "GET /__sitrep/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut r = BufReader::new(c);
    let head = read_event(&mut r, |_| true);
    assert!(head.contains("text/event-stream"), "{head}");
    let state = read_event(&mut r, |e| e.starts_with("event: state"));
    assert!(state.contains("\"errors\":[]"));

    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nChanged.\n",
    );
    let ev = read_event(&mut r, |e| e.starts_with("event: reload"));
    assert!(ev.contains("\"about/index.html\""), "{ev}");

    write(root, "static/style.css", "p { color: blue }\n");
    let ev = read_event(&mut r, |e| {
        e.starts_with("event: css") || e.starts_with("event: reload")
    });
    assert_eq!(ev, "event: css\ndata: {\"paths\":[\"style.css\"]}\n");

    write(
        root,
        "content/about.md",
        "---\ntitel: About\n---\nChanged.\n",
    );
    let ev = read_event(&mut r, |e| e.starts_with("event: state"));
    assert!(
        ev.contains("content/about.md") && ev.contains("titel"),
        "{ev}"
    );
}

#[test]
fn many_clients_at_once() {
    let site = sample_site();
    let s = Serve::start(site.path());
    // Open event streams hold no worker thread.
    let streams: Vec<TcpStream> = (0..24)
        .map(|_| {
            let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
            write!(c, "GET /__sitrep/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            c
        })
        .collect();
    let port = s.port;
    let threads: Vec<_> = (0..16)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..25 {
                    let path = [
                        "/",
                        "/incidents/ab101/",
                        "/atom.xml",
                        "/nope/",
                        "/style.css",
                    ][(t + i) % 5];
                    let r = request(port, "GET", path);
                    assert!(
                        r.status == 200 || path == "/nope/" && r.status == 404,
                        "{path}"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(streams);
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn ctrl_c_stops_cleanly() {
    let site = sample_site();
    let mut s = Serve::start(site.path());
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    write!(c, "GET /__sitrep/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(s.get("/").status, 200);
    let pid = s.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = wait_for(10, "serve to exit", || s.child.try_wait().unwrap());
    assert!(status.success(), "{status:?}\n{}", s.log());
    assert!(s.log().contains("stopping"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sitrep.toml"));
    // A port in use.
    let site = sample_site();
    let s = Serve::start(site.path());
    let out = Command::new(BIN)
        .args(["serve", "--port", &s.port.to_string(), "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
}
