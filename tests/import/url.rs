//! URL sources against a server the test starts on 127.0.0.1: a Statuspage
//! base URL fetches its two API documents; failures name the URL.

use super::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// Serve `routes` (path → body) on a free loopback port for `requests`
/// requests; anything else is a 404. Returns the base URL.
fn serve(routes: Vec<(&'static str, String)>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h.trim().is_empty() {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, body) = match routes.iter().find(|(p, _)| *p == path) {
                Some((_, b)) => ("200 OK", b.clone()),
                None => ("404 Not Found", "not found".to_string()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_statuspage_base_url_fetches_incidents_and_maintenances() {
    let read = |f: &str| std::fs::read_to_string(fixture(f)).unwrap();
    let base = serve(
        vec![
            ("/api/v2/incidents.json", read("statuspage/incidents.json")),
            (
                "/api/v2/scheduled-maintenances.json",
                read("statuspage/scheduled-maintenances.json"),
            ),
        ],
        2,
    );
    let site = site("UTC");
    let r = import_ok(site.path(), "statuspage", &[&base]);
    assert_eq!(
        summary(&r),
        "created 5, updated 0, unchanged 0",
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "{base}/api/v2/incidents.json: incident kq8lw3nt6zsb"
        )),
        "{}",
        r.stderr
    );
    let out = check_and_build(site.path());
    assert_eq!(api(&out, "w1lm3q6xj0yh")["classification"], "maintenance");
}

#[test]
fn http_errors_and_refused_connections_name_the_url() {
    let base = serve(vec![], 1);
    let site = site("UTC");
    let url = format!("{base}/issues.json");
    let r = run(site.path(), &["import", "m365", &url]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "fetching `{url}` failed: the server answered HTTP 404"
        )),
        "{}",
        r.stderr
    );

    // A port nobody listens on (bound, then released).
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/issues.json");
    let r = run(site.path(), &["import", "m365", &url]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!("fetching `{url}` failed:")),
        "{}",
        r.stderr
    );
    assert!(files(site.path()).is_empty());
}
