//! Serving: MIME types, ETag/304, HEAD, the site's 404 page, redirects that
//! stay on the site, the Host check, traversal and usage errors.

use super::common::serve::*;
use super::common::{BIN, write};
use std::process::Command;

#[test]
fn serves_the_site_from_memory_with_the_served_address() {
    let site = serve_site();
    let s = Serve::start(site.path());
    let home = s.get("/");
    assert_eq!(home.status, 200);
    // Revalidated on every load (cheap with the ETag), so edits always show.
    assert_eq!(home.header("Cache-Control"), Some("no-cache"));
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
    assert!(
        !atom.text().contains(SCRIPT_TAG),
        "only HTML gets the script"
    );
    assert!(
        atom.text()
            .contains(&format!("{}incidents/ab101/", s.url()))
    );
    let png = s.get("/img/pic.png");
    assert_eq!(png.body, b"\x89PNG\r\n\x1a\nfake");

    // HEAD: the GET headers, no body.
    let head = request(s.port, "HEAD", "/incidents/ab101/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), page.header("Content-Length"));
    assert_eq!(head.header("ETag"), page.header("ETag"));
    assert_eq!(request(s.port, "POST", "/").status, 405);
    assert_eq!(request(s.port, "DELETE", "/").status, 405);
    assert_eq!(
        request(s.port, "POST", "/").header("Allow"),
        Some("GET, HEAD")
    );

    assert!(
        !site.path().join("output").exists(),
        "serve never writes output/"
    );
}

#[test]
fn mime_types_are_correct() {
    let site = serve_site();
    let root = site.path();
    write(root, "static/fonts/x.woff2", "not really a font");
    write(root, "static/js/app.js", "console.log(1);\n");
    write(
        root,
        "static/cal/x.ics",
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    );
    let s = Serve::start(root);
    for (path, ctype) in [
        ("/", "text/html; charset=utf-8"),
        ("/incidents/ab101/", "text/html; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/json"),
        ("/api/incidents.json", "application/json"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/sitemap.xml", "text/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/cal/x.ics", "text/calendar; charset=utf-8"),
        ("/img/pic.png", "image/png"),
        ("/fonts/x.woff2", "font/woff2"),
        ("/js/app.js", "text/javascript; charset=utf-8"),
        ("/__sitrep/reload.js", "text/javascript; charset=utf-8"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("Content-Type"), Some(ctype), "{path}");
        assert_eq!(
            r.header("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
    }
}

#[test]
fn etag_gives_304() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    let first = s.get("/incidents/ab101/");
    let tag = first.header("ETag").expect("an ETag").to_string();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    assert_eq!(
        s.get("/incidents/ab101/").header("ETag"),
        Some(tag.as_str())
    );
    let again = request_with(
        s.port,
        "GET",
        "/incidents/ab101/",
        &[("If-None-Match", &tag)],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("ETag"), Some(tag.as_str()));
    // A list of tags, one of them current; and a stale tag gets the page.
    let listed = format!("\"stale\", {tag}");
    let r = request_with(
        s.port,
        "GET",
        "/incidents/ab101/",
        &[("If-None-Match", &listed)],
    );
    assert_eq!(r.status, 304);
    let stale = request_with(
        s.port,
        "GET",
        "/incidents/ab101/",
        &[("If-None-Match", "\"stale\"")],
    );
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, first.body);
    // Other files too, and not a page under another path.
    let png = s.get("/img/pic.png");
    let png_tag = png.header("ETag").unwrap().to_string();
    assert_ne!(png_tag, tag);
    let r = request_with(
        s.port,
        "GET",
        "/img/pic.png",
        &[("If-None-Match", &png_tag)],
    );
    assert_eq!(r.status, 304);
    let r = request_with(
        s.port,
        "GET",
        "/incidents/ab202/",
        &[("If-None-Match", &tag)],
    );
    assert_eq!(r.status, 200);

    // An edit changes the bytes, so the old tag no longer matches.
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\n",
            "Edited body.",
        ),
    );
    s.wait_page("/incidents/ab101/", "the edit", |t| {
        t.contains("Edited body.")
    });
    let r = request_with(
        s.port,
        "GET",
        "/incidents/ab101/",
        &[("If-None-Match", &tag)],
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Edited body."));
    assert_ne!(r.header("ETag"), Some(tag.as_str()));
}

#[test]
fn own_404_page_with_status_404() {
    let site = serve_site();
    let root = site.path();
    // The theme's 404 page first.
    let s = Serve::start(root);
    let missing = s.get("/incidents/nope/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        missing.text().contains("Page not found"),
        "{}",
        missing.text()
    );
    assert!(
        missing.text().contains("data-status=\"404\""),
        "the script knows it is a 404"
    );
    drop(s);
    // The site's own template replaces the theme's, in serve as in build.
    write(
        root,
        "templates/404.html",
        "<!doctype html><html lang=\"en\"><head><title>Lost</title></head><body><h1>This desk has no such page</h1></body></html>\n",
    );
    let s = Serve::start(root);
    for path in ["/incidents/nope/", "/nope.png", "/a/b/c"] {
        let r = s.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(
            r.text().contains("This desk has no such page"),
            "{path}: {}",
            r.text()
        );
        assert!(!r.text().contains("Page not found"));
    }
    // The page itself is also served as a file, with 200.
    let page = s.get("/404.html");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("This desk has no such page"));
}

#[test]
fn redirect_never_leaves_the_site() {
    let site = serve_site();
    let root = site.path();
    // A folder named like a host, so a request for it is really redirected.
    write(
        root,
        "static/evil.example/index.html",
        "<!doctype html><title>x</title>\n",
    );
    let s = Serve::start(root);
    assert_eq!(s.get("/evil.example/").status, 200);
    for (target, location) in [
        ("/incidents/ab101", "/incidents/ab101/"),
        ("/incidents/ab101?x=1", "/incidents/ab101/"),
        ("//incidents/ab101", "/incidents/ab101/"),
        ("/evil.example", "/evil.example/"),
        ("//evil.example", "/evil.example/"),
        ("///evil.example", "/evil.example/"),
        ("/%2F%2Fevil.example", "/evil.example/"),
        ("/%2f/evil.example", "/evil.example/"),
    ] {
        let r = s.get(target);
        assert_eq!(r.status, 301, "{target}");
        assert_eq!(r.header("Location"), Some(location), "{target}");
    }
    // Backslashes (which browsers read as `/`) are never a path here.
    for target in [
        "/\\evil.example",
        "/%5C%5Cevil.example",
        "/%5c/evil.example",
        "/\\/evil.example",
    ] {
        let r = s.get(target);
        assert_eq!(r.status, 400, "{target}");
        assert_eq!(r.header("Location"), None, "{target}");
    }
    // Whatever was asked, a Location is a path of this site.
    for target in [
        "//evil.example/",
        "//evil.example/x",
        "/%2F%2Fevil.example%2F",
    ] {
        let r = s.get(target);
        if let Some(l) = r.header("Location") {
            assert!(
                l.starts_with('/') && !l[1..].starts_with(['/', '\\']),
                "{target}: {l}"
            );
        }
    }
}

#[test]
fn host_header_evil_example_is_403() {
    let site = serve_site();
    let s = Serve::start(site.path());
    let port = s.port.to_string();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{}", s.port + 1),
        String::new(),
    ] {
        for target in [
            "/",
            "/incidents/ab101/",
            "/__sitrep/errors",
            "/__sitrep/events",
            "/nope/",
        ] {
            let r = request_with(s.port, "GET", target, &[("Host", &host)]);
            assert_eq!(r.status, 403, "Host {host:?} {target}");
            assert!(!r.text().contains("Mail to Europe"), "{host}");
        }
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
    ] {
        let r = request_with(s.port, "GET", "/incidents/ab101/", &[("Host", &host)]);
        assert_eq!(r.status, 200, "Host {host}");
    }
}

#[test]
fn path_traversal_is_refused() {
    let site = serve_site();
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
    let site = serve_site();
    let s = Serve::start(site.path());
    let out = Command::new(BIN)
        .args(["serve", "--port", &s.port.to_string(), "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
}
