//! Live reload and the server's life: the event stream (Server-Sent Events),
//! many pages open at once, stopping on SIGINT and SIGTERM, and the warning
//! for a non-loopback `--bind`.

use super::common::serve::*;
use super::common::{BIN, EPOCH, write};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// An open event stream, read as a browser reads it. HTTP/1.0, so the body is
/// the stream itself rather than chunks of it.
pub struct Events {
    r: BufReader<TcpStream>,
    /// The response head.
    pub head: String,
}

impl Events {
    /// Connect and send the request; the head is read by [`Events::ready`].
    pub fn connect(port: u16) -> Events {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(
            c,
            "GET /__sitrep/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        Events {
            r: BufReader::new(c),
            head: String::new(),
        }
    }

    /// Read the response head.
    pub fn ready(mut self) -> Events {
        loop {
            let mut line = String::new();
            assert!(self.r.read_line(&mut line).unwrap() > 0, "no response head");
            if line == "\r\n" {
                return self;
            }
            self.head.push_str(&line);
        }
    }

    pub fn open(port: u16) -> Events {
        Events::connect(port).ready()
    }

    /// Read messages until one satisfies `ok` (keep-alive comments included).
    pub fn until(&mut self, ok: impl Fn(&str) -> bool) -> String {
        let mut event = String::new();
        loop {
            let mut line = String::new();
            if self.r.read_line(&mut line).unwrap() == 0 {
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

    /// Whether the server closed the stream (within the read timeout).
    pub fn closed(mut self) -> bool {
        let mut rest = Vec::new();
        self.r.read_to_end(&mut rest).is_ok()
    }
}

fn is(name: &str) -> impl Fn(&str) -> bool + '_ {
    move |e: &str| e.lines().any(|l| l == format!("event: {name}"))
}

#[test]
fn event_stream_announces_changes_and_errors() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    let mut ev = Events::open(s.port);
    assert!(ev.head.starts_with("HTTP/1.0 200"), "{}", ev.head);
    assert!(ev.head.contains("text/event-stream"), "{}", ev.head);
    assert!(
        ev.head
            .to_ascii_lowercase()
            .contains("cache-control: no-store")
    );
    // First the retry delay and the current state.
    let state = ev.until(|_| true);
    assert!(state.starts_with("retry: 500\n"), "{state}");
    assert!(
        is("state")(&state) && state.contains("\"errors\":[]"),
        "{state}"
    );

    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nChanged.\n",
    );
    let e = ev.until(is("reload"));
    assert!(e.contains("\"about/index.html\""), "{e}");

    write(root, "static/style.css", "p { color: blue }\n");
    let e = ev.until(|e| is("css")(e) || is("reload")(e));
    assert_eq!(e, "event: css\ndata: {\"paths\":[\"style.css\"]}\n");

    write(
        root,
        "content/about.md",
        "---\ntitel: About\n---\nChanged.\n",
    );
    let e = ev.until(is("state"));
    assert!(e.contains("content/about.md") && e.contains("titel"), "{e}");
}

#[test]
fn many_clients_at_once() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    // Far more open pages than the server has threads: a stream holds none,
    // so none is waited for before the requests below are answered.
    let streams: Vec<Events> = (0..48).map(|_| Events::connect(s.port)).collect();
    let port = s.port;
    let t0 = Instant::now();
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
    assert!(t0.elapsed() < Duration::from_secs(30), "{:?}", t0.elapsed());
    // Every stream was open all along, and every one hears the next edit.
    let mut streams: Vec<Events> = streams.into_iter().map(Events::ready).collect();
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nFor everyone.\n",
    );
    for ev in &mut streams {
        let e = ev.until(is("reload"));
        assert!(e.contains("\"about/index.html\""), "{e}");
    }
    assert_eq!(s.get("/").status, 200);
}

/// Start serve with a few pages open and an idle keep-alive connection, send
/// `signal`, and require a clean exit within 2 s that closes every stream.
fn stops_within_2s(signal: &str) {
    let site = serve_site();
    let mut s = Serve::start(site.path());
    let streams: Vec<Events> = (0..3).map(|_| Events::open(s.port)).collect();
    let mut idle = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    write!(idle, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", s.port).unwrap();
    assert_eq!(s.get("/").status, 200);
    let pid = s.child.id().to_string();
    let t0 = Instant::now();
    assert!(
        Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = wait_for(10, "serve to exit", || s.child.try_wait().unwrap());
    let took = t0.elapsed();
    assert!(status.success(), "{status:?}\n{}", s.log());
    assert!(took < Duration::from_secs(2), "took {took:?}\n{}", s.log());
    assert!(s.log().contains("stopping"));
    for ev in streams {
        assert!(ev.closed(), "a stream left open");
    }
}

#[test]
fn sigint_stops_within_2s() {
    stops_within_2s("-INT");
}

#[test]
fn sigterm_stops_within_2s() {
    stops_within_2s("-TERM");
}

#[test]
fn non_loopback_bind_warns() {
    let site = serve_site();
    // The default (loopback) says nothing.
    let s = Serve::start(site.path());
    assert_eq!(s.get("/").status, 200);
    assert!(!s.log().contains("warning"), "{}", s.log());
    drop(s);

    // Every interface: a warning, and still only loopback traffic here.
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "0.0.0.0", "--port", "0", "--root"])
        .arg(site.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("Serving at http://0.0.0.0:")
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("{line:?}"));
    let r = request(port, "GET", "/");
    let ok = r.status;
    let evil = request_with(port, "GET", "/", &[("Host", "evil.example")]).status;
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("warning: serving on 0.0.0.0:") && err.contains("other machines"),
        "{err}"
    );
    assert_eq!(ok, 200);
    assert_eq!(evil, 403, "the Host check holds on every interface");
}
