//! For the serve and browser tests: a small site written into a temp dir, the real `sitrep serve` binary in a guard that kills it on drop,
//! a raw HTTP/1.0 client (so odd request paths reach the server unchanged) and
//! polling with a deadline.

use super::{BIN, EPOCH, write};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What serve adds to every HTML page (see src/serve/http.rs).
pub const SCRIPT_TAG: &str = "<script src=\"/__sitrep/reload.js\"></script>";

/// Save like an editor: write a temp file beside the target, rename it over.
pub fn save_atomically(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    let tmp = p.with_file_name(format!(".{}.swp", p.file_name().unwrap().to_string_lossy()));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &p).unwrap();
}

pub fn incident(id: &str, title: &str, extra: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nstatus: resolved\nstarted: 2026-03-0{d}T10:00:00Z\nresolved: 2026-03-0{d}T12:30:00Z\n{extra}---\n{body}\n",
        d = id.bytes().last().map_or(1, |b| b % 9 + 1)
    )
}

/// A site with three incidents (one relating to another), a news story, a
/// plain page and an image.
pub fn serve_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "sitrep.toml",
        "title = \"Test Desk\"\nbase_url = \"https://example.org/desk/\"\ntimezone = \"America/New_York\"\n",
    );
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregions: [Europe]\ntags: [mail]\n",
            "Mail to Europe was delayed by an hour.\n\n## Details\n\nQueues backed up in the EU datacenters.",
        ),
    );
    write(
        root,
        "content/incidents/AB202.md",
        &incident(
            "AB202",
            "Teams chat down",
            "services: [Microsoft Teams]\nregions: [North America]\nrelated: [AB101]\n",
            "Chat would not load. Unlike AB101 this was not about mail.",
        ),
    );
    write(
        root,
        "content/incidents/2025/AB303.md",
        &incident(
            "AB303",
            "Calendar sync slow",
            "services: [Exchange Online]\nregions: [Europe, Germany]\n",
            "Calendars synced slowly.",
        ),
    );
    write(
        root,
        "content/news/teams-outage.md",
        "---\ntitle: Teams outage explained\ndate: 2026-03-04T09:00:00Z\nincidents: [AB202]\n---\nWhat happened to Teams, in plain words.\n",
    );
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages. The first one here was [the mail delay](incidents/AB101.md).\n",
    );
    std::fs::create_dir_all(root.join("content/img")).unwrap();
    std::fs::write(root.join("content/img/pic.png"), b"\x89PNG\r\n\x1a\nfake").unwrap();
    dir
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request, sent byte for byte as given (`target` is not normalised).
pub fn request(port: u16, method: &str, target: &str) -> Resp {
    request_with(port, method, target, &[])
}

/// The same with extra header lines; a `Host` given here replaces the usual one.
pub fn request_with(port: u16, method: &str, target: &str, headers: &[(&str, &str)]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!("{method} {target} HTTP/1.0\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    write!(s, "{head}\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap_or_else(|e| {
        panic!(
            "{method} {target}: {e}; got {} bytes: {:?}",
            raw.len(),
            String::from_utf8_lossy(&raw[..raw.len().min(80)])
        )
    });
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// Poll `f` until it returns Some, or panic after `secs` with `what`.
pub fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// `sitrep serve` on a free port; killed when dropped.
pub struct Serve {
    pub child: Child,
    pub port: u16,
    pub root: PathBuf,
    log: Arc<Mutex<String>>,
}

impl Serve {
    pub fn start(root: &Path) -> Serve {
        Serve::start_with(root, &[])
    }

    /// [`Serve::start`] with more flags (`--internal`, `--drafts`).
    pub fn start_with(root: &Path, flags: &[&str]) -> Serve {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0"])
            .args(flags)
            .arg("--root")
            .arg(root)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("SITREP_TIMINGS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sitrep serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let l = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = l.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut serve = Serve {
            child,
            port: 0,
            root: root.to_path_buf(),
            log,
        };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no `Serving at` line; stderr:\n{}", serve.log()));
        let port = line
            .strip_prefix("Serving at http://127.0.0.1:")
            .and_then(|r| r.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        serve.port = port;
        serve
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn get(&self, target: &str) -> Resp {
        request(self.port, "GET", target)
    }

    pub fn status(&self) -> serde_json::Value {
        serde_json::from_slice(&self.get("/__sitrep/errors").body).unwrap()
    }

    /// Wait until the page at `target` satisfies `ok` (its text, status 200).
    pub fn wait_page(&self, target: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        wait_for(15, what, || {
            let r = self.get(target);
            (r.status == 200 && ok(&r.text())).then(|| r.text())
        })
    }

    /// Wait until the rebuilds have settled: nothing building, and the
    /// generation unchanged for a few polls.
    pub fn settle(&self) {
        let mut last = None;
        let mut same = 0;
        wait_for(30, "rebuilds to settle", || {
            let s = self.status();
            let g = s["generation"].as_u64();
            if s["building"] == false && g == last {
                same += 1;
            } else {
                same = 0;
            }
            last = g;
            (same >= 6).then_some(())
        })
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
