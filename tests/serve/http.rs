//! Serving: content types, HEAD, 404, redirects, traversal, many clients,
//! the event stream, Ctrl-C and usage errors.

use super::common::serve::*;
use super::common::{BIN, write};
use std::io::Read;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

#[test]
fn serves_the_site_from_memory_with_the_served_address() {
    let site = serve_site();
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
    let site = serve_site();
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
    let site = serve_site();
    let s = Serve::start(site.path());
    // Open event streams hold no worker thread. Each is read up to its response
    // head before the burst below: tiny_http's connection pool can queue a
    // connection that arrives while its idle threads are being handed long-lived
    // streams (see the closing note of the serve work), which is not what this
    // test measures.
    let streams: Vec<TcpStream> = (0..24)
        .map(|_| {
            let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
            write!(c, "GET /__sitrep/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            c.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                c.read_exact(&mut byte)
                    .expect("an event stream's response head");
                head.push(byte[0]);
            }
            assert!(
                head.starts_with(b"HTTP/1.1 200"),
                "{}",
                String::from_utf8_lossy(&head)
            );
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
    let site = serve_site();
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
