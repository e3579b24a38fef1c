//! Real receivers on 127.0.0.1 for `sitrep notify`: a small HTTP/1.1 server
//! that records each request and answers from a script (it also serves a
//! folder, so PREVIOUS can be a URL), and a minimal SMTP server that accepts
//! mail and keeps each message's raw bytes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{} body is not JSON: {e}", self.path))
    }
}

/// What the server answers: a status and extra headers, by path and by how
/// many requests that path had before (0 for the first).
pub type Script = dyn Fn(&str, usize) -> (u16, Vec<(&'static str, String)>) + Send + Sync;

pub struct Http {
    pub base: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Http {
    /// Answers POSTs by `script`, GETs from `serve` (a folder) if given.
    pub fn start(script: Box<Script>, serve: Option<PathBuf>) -> Http {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<Request>>> = Arc::default();
        let (log2, script): (_, Arc<Script>) = (log.clone(), Arc::from(script));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, script, serve) = (log2.clone(), script.clone(), serve.clone());
                std::thread::spawn(move || handle(stream, &log, &*script, serve));
            }
        });
        Http { base, log }
    }

    /// Answers 200 to every POST.
    pub fn ok() -> Http {
        Http::start(Box::new(|_, _| (200, vec![])), None)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    pub fn posts(&self, path: &str) -> Vec<Request> {
        let want = format!("/{}", path.trim_start_matches('/'));
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.method == "POST" && r.path == want)
            .cloned()
            .collect()
    }

    pub fn all_posts(&self) -> Vec<Request> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|r| r.method == "POST").cloned().collect()
    }
}

fn handle(stream: TcpStream, log: &Mutex<Vec<Request>>, script: &Script, serve: Option<PathBuf>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    let req = Request {
        method: method.clone(),
        path: path.clone(),
        headers,
        body,
    };
    let (code, extra, payload) = if method == "GET" {
        let file = serve
            .map(|d| d.join(path.trim_start_matches('/')))
            .and_then(|f| std::fs::read(f).ok());
        match file {
            Some(bytes) => (200, vec![], bytes),
            None => (404, vec![], b"not found".to_vec()),
        }
    } else {
        let before = log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .count();
        let (code, extra) = script(&path, before);
        (code, extra, b"ok".to_vec())
    };
    log.lock().unwrap().push(req);
    let mut head = format!(
        "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        payload.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&payload);
}

/// A minimal SMTP server (RFC 5321 without extensions): every message's DATA.
pub struct Smtp {
    pub url: String,
    mails: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Smtp {
    pub fn start() -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let mails: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let keep = mails.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let keep = keep.clone();
                std::thread::spawn(move || session(stream, &keep));
            }
        });
        Smtp { url, mails }
    }

    pub fn mails(&self) -> Vec<Vec<u8>> {
        self.mails.lock().unwrap().clone()
    }
}

fn session(stream: TcpStream, mails: &Mutex<Vec<Vec<u8>>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut say = |s: &str| out.write_all(format!("{s}\r\n").as_bytes()).is_ok();
    say("220 localhost test SMTP");
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let ok = match verb.as_str() {
            "EHLO" | "HELO" => say("250 localhost"),
            "MAIL" | "RCPT" | "RSET" | "NOOP" => say("250 OK"),
            "DATA" => {
                say("354 go ahead");
                let mut data = Vec::new();
                loop {
                    let mut l = Vec::new();
                    if reader.read_until(b'\n', &mut l).unwrap_or(0) == 0 {
                        return;
                    }
                    if l == b".\r\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    data.extend_from_slice(
                        l.strip_prefix(b".")
                            .filter(|_| l.starts_with(b".."))
                            .unwrap_or(&l),
                    );
                }
                mails.lock().unwrap().push(data);
                say("250 queued")
            }
            "QUIT" => {
                say("221 bye");
                return;
            }
            _ => say("502 not implemented"),
        };
        if !ok {
            return;
        }
    }
}
