//! Headless Chromium for the browser tests: started with a fresh profile,
//! killed on drop, driven over the DevTools protocol.

use super::serve::wait_for;
use serde_json::{Value, json};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tungstenite::{Message, WebSocket};

/// Debian's Chromium, if installed.
pub fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Chromium for the test named `test`, or `None` after printing SKIPPED.
/// `.ci/run` installs chromium and sets CI=1: there, missing it is a failure.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let bin = chromium();
    if bin.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed (apt-get install -y chromium)"
        );
        eprintln!("\n!!! SKIPPED {test}: no chromium at /usr/bin/chromium.\n");
    }
    bin
}

/// Chromium, killed on drop, with its profile in a fresh temp dir.
pub struct Browser {
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
    pub fn start(bin: &Path) -> Browser {
        Browser::start_with(bin, &[])
    }

    /// With extra command-line switches (e.g. `--host-resolver-rules`).
    pub fn start_with(bin: &Path, extra: &[&str]) -> Browser {
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
            .args(extra)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        Browser { child, profile }
    }

    /// A DevTools session on the browser, from the port file Chromium writes.
    pub fn cdp(&self) -> Cdp {
        let file = self.profile.path().join("DevToolsActivePort");
        let (port, path): (u16, String) = wait_for(30, "DevToolsActivePort", || {
            let text = std::fs::read_to_string(&file).ok()?;
            let mut lines = text.lines();
            let port = lines.next()?.trim().parse().ok()?;
            Some((port, lines.next()?.trim().to_string()))
        });
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
}

/// A DevTools session, attached to one page after [`Cdp::open`].
pub struct Cdp {
    ws: WebSocket<TcpStream>,
    next: u64,
    session: Option<String>,
}

impl Cdp {
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.try_call(method, params)
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// The result, or the protocol's error (e.g. the page navigated meanwhile).
    pub fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let Message::Text(t) = self.ws.read().expect("a DevTools message") else {
                continue;
            };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == id {
                return match v.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(v["result"].clone()),
                };
            }
        }
    }

    /// Open `url` in a new page and attach to it (the browser-level session
    /// creates targets, so any earlier page's session is dropped first).
    pub fn open(&mut self, url: &str) {
        self.session = None;
        let target = self.call("Target.createTarget", json!({"url": url}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = attached["sessionId"].as_str().map(str::to_string);
    }

    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Evaluate `expr` until it is neither null nor false. A page that
    /// reloads while being asked is asked again.
    pub fn wait(&mut self, what: &str, expr: &str) -> Value {
        wait_for(20, what, || {
            let r = self.try_call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true}),
            );
            let v = r.ok()?["result"]["value"].clone();
            (!v.is_null() && v != json!(false)).then_some(v)
        })
    }
}
