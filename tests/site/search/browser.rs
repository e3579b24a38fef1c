//! Search in a real browser: the repo's sample site, built with `sitrep
//! build`, served from a loopback thread; headless Chromium driven over the
//! DevTools protocol (as in tests/serve/reload.rs) opens `/desk/search/?q=…` and
//! the test reads the result list. The seed's full error message, an error
//! code and a lower-cased ID must each put EX1331830 first.

use crate::common::cdp::{Browser, Cdp, chromium_or_skip};
use crate::common::serve::wait_for;
use crate::common::{build_ok, sample_site, site};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

const MESSAGE: &str = "The maximum number of concurrent connections per resource forest has exceeded a limit, closing transmission channel.";

/// Serves `root` at `base` until the test ends; the URL of its root.
fn serve(root: PathBuf, base: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(&root, base, stream));
        }
    });
    format!("http://127.0.0.1:{port}{base}")
}

fn respond(root: &Path, base: &str, mut stream: TcpStream) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let path = line.split(' ').nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or_default();
    let file = path
        .strip_prefix(base)
        .filter(|p| !p.contains(".."))
        .map(|p| root.join(p))
        .map(|f| if f.is_dir() { f.join("index.html") } else { f });
    let (status, body, ctype) = match file.and_then(|f| Some((std::fs::read(&f).ok()?, f))) {
        Some((body, f)) => {
            let ext = f.extension().and_then(|e| e.to_str()).unwrap_or_default();
            let ctype = match ext {
                "html" => "text/html; charset=utf-8",
                "css" => "text/css",
                "js" => "text/javascript",
                "json" => "application/json",
                "svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            ("200 OK", body, ctype)
        }
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// What the page shows once results are in: the box, the count, the IDs.
const RESULTS: &str = "(() => {
  const count = document.getElementById('results-count');
  const ids = [...document.querySelectorAll('#results-list li')]
    .map(li => (li.querySelector('a .id') || {}).textContent || '');
  const done = count.textContent && !count.textContent.startsWith('Searching');
  return done && ids.length ? {q: document.getElementById('q').value, count: count.textContent,
    live: count.getAttribute('aria-live') || count.getAttribute('role'), ids,
    links: document.querySelectorAll('#results-list li > a[href]').length} : null;
})()";

#[test]
fn search_puts_the_incident_first_for_its_message_code_and_id() {
    let Some(bin) = chromium_or_skip("search_puts_the_incident_first_for_its_message_code_and_id")
    else {
        return;
    };
    let dir = sample_site();
    let out = build_ok(dir.path(), &[]);
    let url = serve(out.clone(), "/desk/");
    let browser = Browser::start(&bin);
    let mut cdp = browser.cdp();
    for q in [MESSAGE, "SuspiciousRemoteServerError", "ex1331830"] {
        let r = results(&mut cdp, &url, q);
        assert_eq!(r["q"], q, "the box shows the query");
        assert_eq!(r["ids"][0], "EX1331830", "{q}: {r}");
        assert!(r["live"].is_string(), "the count is announced: {r}");
        assert!(r["count"].as_str().unwrap().contains("result"), "{r}");
        assert_eq!(
            r["links"].as_u64(),
            r["ids"].as_array().map(|a| a.len() as u64)
        );
    }
    // As if the ID's phrase key were big (a site of thousands of incidents):
    // its shard entry points at an own file, which the reader follows.
    make_big(&out, &super::phrase("ex1331830"));
    let r = results(&mut cdp, &url, "EX1331830");
    assert_eq!(r["ids"][0], "EX1331830", "through search/b/: {r}");

    // Listing the exact message beats listing a longer one with all its
    // words, though that incident is newer and otherwise scores the same.
    let dir = site(&[
        (
            "content/incidents/NEW1.md",
            &two("NEW1", 5, &format!("Note: {MESSAGE} Retry later.")),
        ),
        ("content/incidents/OLD1.md", &two("OLD1", 1, MESSAGE)),
    ]);
    let url = serve(build_ok(dir.path(), &[]), "/pm/");
    let r = results(&mut cdp, &url, MESSAGE);
    assert_eq!(r["ids"], json!(["OLD1", "NEW1"]), "{r}");
    let r = results(
        &mut cdp,
        &url,
        "closing transmission channel, resource forest",
    );
    assert_eq!(
        r["ids"],
        json!(["NEW1", "OLD1"]),
        "newest first on a tie: {r}"
    );
    drop(browser);
}

/// Moves `key` out of its shard into an own file, as the index does for keys
/// with long postings.
fn make_big(out: &Path, key: &str) {
    let m = super::json(out, "search/index.json");
    let shard = format!(
        "search/s/{}.json",
        super::fnv1a(key) as u64 % m["shards"].as_u64().unwrap()
    );
    let mut entries = super::json(out, &shard);
    let n = m["big"].as_array().unwrap().len();
    let postings = entries[key].take();
    assert!(postings.is_string(), "{key} in {shard}");
    entries[key] = json!(format!("@{n}"));
    let mut m = m;
    m["big"].as_array_mut().unwrap().push(json!([key, 1]));
    let write = |rel: &str, v: &Value| {
        let p = out.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, v.to_string()).unwrap();
    };
    write(&shard, &entries);
    write(&format!("search/b/{n}.json"), &json!({ key: postings }));
    write("search/index.json", &m);
}

fn two(id: &str, day: u8, message: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Mail delayed\nservices: [Exchange Online]\nstatus: resolved\n\
         started: 2026-05-0{day}T10:00:00Z\nresolved: 2026-05-0{day}T11:00:00Z\n\
         errors:\n  - message: \"{message}\"\n---\nMail was delayed.\n"
    )
}

/// Opens the search page for `q` on the site served at `url`; its results.
fn results(cdp: &mut Cdp, url: &str, q: &str) -> Value {
    let query: String = q
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    cdp.open(&format!("{url}search/?q={query}"));
    wait_for(20, &format!("results for {q}"), || {
        Some(cdp.eval(RESULTS)).filter(|v| !v.is_null())
    })
}
