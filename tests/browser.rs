//! Live reload in a real browser: headless Chromium (Debian's `chromium`)
//! driven over the DevTools protocol opens a page served by `sitrep serve`;
//! the test edits the Markdown file and reads the DOM until the new text
//! shows — the test never navigates. Then a broken edit must show the error
//! overlay with file and line, and the fix must clear it.

mod common;

use common::serve::*;
use common::write;
use serde_json::{Value, json};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tungstenite::{Message, WebSocket};

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Chromium, killed on drop, with its profile in a fresh temp dir.
struct Browser {
    child: Child,
    profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn start(bin: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        Browser { child, profile }
    }

    /// The browser's DevTools WebSocket address, from the file Chromium writes.
    fn devtools(&self) -> (u16, String) {
        let file = self.profile.path().join("DevToolsActivePort");
        wait_for(30, "DevToolsActivePort", || {
            let text = std::fs::read_to_string(&file).ok()?;
            let mut lines = text.lines();
            let port = lines.next()?.trim().parse().ok()?;
            let path = lines.next()?.trim().to_string();
            Some((port, path))
        })
    }
}

/// A DevTools session attached to one page.
struct Cdp {
    ws: WebSocket<TcpStream>,
    next: u64,
    session: Option<String>,
}

impl Cdp {
    fn connect(port: u16, path: &str) -> Cdp {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream)
            .expect("DevTools WebSocket");
        Cdp {
            ws,
            next: 0,
            session: None,
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let m = self.ws.read().expect("a DevTools message");
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    fn open(&mut self, url: &str) {
        let target = self.call("Target.createTarget", json!({"url": url}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = attached["sessionId"].as_str().map(str::to_string);
    }

    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    fn wait(&mut self, what: &str, expr: &str) -> Value {
        wait_for(20, what, || {
            let v = self.eval(expr);
            (!v.is_null() && v != json!(false)).then_some(v)
        })
    }
}

/// Standard base64 (what DevTools sends screenshots in).
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').map(val).collect();
    bytes
        .chunks(4)
        .flat_map(|c| {
            let n = c
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &v)| n | (v as u32) << (18 - 6 * i));
            let k = c.len().saturating_sub(1);
            (0..k).map(move |i| (n >> (16 - 8 * i)) as u8)
        })
        .collect()
}

const TEXT: &str = "(document.body ? document.body.innerText : '')";

#[test]
fn the_browser_follows_edits_and_shows_errors() {
    let Some(bin) = chromium() else {
        // .ci/run installs chromium and sets CI=1: there, missing it is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed (apt-get install -y chromium)"
        );
        eprintln!(
            "\n!!! SKIPPED the_browser_follows_edits_and_shows_errors: no chromium at /usr/bin/chromium.\n!!! Install it (apt-get install -y chromium) to run the live-reload browser test.\n"
        );
        return;
    };
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    let browser = Browser::start(&bin);
    let (port, path) = browser.devtools();
    let mut cdp = Cdp::connect(port, &path);
    cdp.open(&format!("{}incidents/ab101/", s.url()));
    cdp.wait(
        "the page and its event stream",
        &format!(
            "{TEXT}.includes('Mail to Europe was delayed') && window.__sitrepState !== undefined"
        ),
    );
    cdp.eval("window.__sitrepMarker = 'same document'");

    // An edit shows up without the test navigating.
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregions: [Europe]\n",
            "Live reload brought this sentence.",
        ),
    );
    cdp.wait(
        "the edited text in the browser",
        &format!("{TEXT}.includes('Live reload brought this sentence.')"),
    );

    // A broken edit: the overlay names the file and the line.
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregionz: [Europe]\n",
            "Broken.",
        ),
    );
    let overlay = cdp.wait(
        "the error overlay",
        "(document.getElementById('sitrep-errors') || {}).innerText",
    );
    let overlay = overlay.as_str().unwrap().to_string();
    // For a person to look at: SITREP_SCREENSHOT_DIR=/tmp cargo test --test browser
    if let Some(dir) = std::env::var_os("SITREP_SCREENSHOT_DIR") {
        let shot = cdp.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64_decode(shot["data"].as_str().unwrap_or_default());
        std::fs::write(Path::new(&dir).join("sitrep-overlay.png"), png).unwrap();
    }
    assert!(
        overlay.contains("content/incidents/AB101.md:8:1"),
        "{overlay}"
    );
    assert!(overlay.contains("regionz"), "{overlay}");
    let page = cdp.eval("document.querySelector('main').textContent");
    assert!(
        page.as_str()
            .unwrap_or_default()
            .contains("Live reload brought this sentence."),
        "the last good page stays under the overlay: {page}\nserved: {}\nlog: {}",
        s.get("/incidents/ab101/")
            .text()
            .contains("Live reload brought"),
        s.log()
    );

    // The fix clears the overlay and shows the new text.
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregions: [Europe]\n",
            "Fixed and reloaded.",
        ),
    );
    cdp.wait(
        "the overlay to clear",
        &format!(
            "!document.getElementById('sitrep-errors') && {TEXT}.includes('Fixed and reloaded.')"
        ),
    );
    drop(browser);
}
