//! HTTP: requests in (tiny_http, on a pool of worker threads), responses out —
//! files from the in-memory site with their content type, the theme's 404 page,
//! the live-reload script injected into HTML, the event stream and the build
//! status. Request paths are decoded and checked before any lookup: `..`, `.`,
//! backslashes and NUL bytes are refused with 400.

use super::events::{HEAD, Hub};
use super::incremental::Body;
use super::site::Shared;
use std::borrow::Cow;
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// The script tag added to served HTML (never to the built site).
pub const SCRIPT_TAG: &str = "<script src=\"/__sitrep/reload.js\"></script>";
const SCRIPT_TAG_404: &str = "<script src=\"/__sitrep/reload.js\" data-status=\"404\"></script>";
const RELOAD_JS: &str = include_str!("reload.js");
/// Serve's own URLs; a site path cannot start with `_`, so they cannot clash.
pub const PREFIX: &str = "/__sitrep/";

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file of the site (`incidents/ex1/index.html`), and whether the
    /// request named a folder without its trailing slash (`incidents/ex1`).
    File(String),
    /// One of serve's own URLs, without the prefix.
    Internal(String),
}

/// Decode `%xx` escapes; `None` when an escape is malformed.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// A request target (`/incidents/ex1/?x=1`) → what to serve, or the status to
/// refuse it with (400: not a safe path).
pub fn resolve(url: &str) -> Result<Target, u16> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_decode(path).ok_or(400u16)?;
    let decoded = String::from_utf8(decoded).map_err(|_| 400u16)?;
    if decoded.contains(['\\', '\0']) || decoded.chars().any(char::is_control) {
        return Err(400);
    }
    if decoded.split('/').any(|s| s == ".." || s == ".") {
        return Err(400);
    }
    if let Some(name) = decoded.strip_prefix(PREFIX) {
        return Ok(Target::Internal(name.to_string()));
    }
    let key = decoded.trim_start_matches('/');
    if key.is_empty() || key.ends_with('/') {
        return Ok(Target::File(format!("{key}index.html")));
    }
    Ok(Target::File(key.to_string()))
}

pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" if path.ends_with("atom.xml") => "application/atom+xml; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "csv" => "text/csv; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Put the reload script before the last `</body>` (or at the end).
pub fn inject(html: &[u8], tag: &str) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn respond(req: Request, status: u16, ctype: &str, body: Vec<u8>, extra: &[(&str, &str)]) {
    let mut r = Response::from_data(body).with_status_code(StatusCode(status));
    let heads = [("Content-Type", ctype), ("Cache-Control", "no-store")];
    for (n, v) in heads.iter().chain(extra) {
        if let Some(h) = header(n, v) {
            r.add_header(h);
        }
    }
    // The client may have gone; nothing to do about it.
    let _ = req.respond(r);
}

fn text(req: Request, status: u16, msg: &str) {
    respond(
        req,
        status,
        "text/plain; charset=utf-8",
        msg.as_bytes().to_vec(),
        &[],
    );
}

fn bytes_of(body: &Body) -> Option<Cow<'_, [u8]>> {
    match body {
        Body::Bytes(b) => Some(Cow::Borrowed(b)),
        Body::Static(b) => Some(Cow::Borrowed(b)),
        Body::File(p) => std::fs::read(p).ok().map(Cow::Owned),
    }
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page shown while no build has succeeded yet: the errors, also for
/// readers without JavaScript; the script's overlay takes over when it runs.
fn no_site_page(errors: &[crate::diag::Diagnostic]) -> Vec<u8> {
    let mut list = String::new();
    for d in errors {
        let at = if d.line > 0 {
            format!("{}:{}:{}", d.file, d.line, d.column)
        } else {
            d.file.clone()
        };
        list.push_str(&format!(
            "<li><code>{}</code>: {}",
            escape(&at),
            escape(&d.message)
        ));
        if let Some(h) = &d.hint {
            list.push_str(&format!(" <em>help: {}</em>", escape(h)));
        }
        list.push_str("</li>\n");
    }
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>sitrep: the site has errors</title></head><body><h1>The site has errors</h1><p>sitrep serve shows them here and in the terminal; this page reloads when they are fixed.</p><ul>\n{list}</ul></body></html>"
    );
    inject(html.as_bytes(), SCRIPT_TAG_404)
}

/// Answer one request.
pub fn handle(req: Request, shared: &Shared, hub: &Hub) {
    let head = match req.method() {
        Method::Get => false,
        Method::Head => true,
        _ => {
            return respond(
                req,
                405,
                "text/plain; charset=utf-8",
                b"405 method not allowed\n".to_vec(),
                &[("Allow", "GET, HEAD")],
            );
        }
    };
    let target = match resolve(req.url()) {
        Ok(t) => t,
        Err(code) => return text(req, code, "400 bad request: not a safe path\n"),
    };
    let key = match target {
        Target::Internal(name) => return internal(req, &name, head, shared, hub),
        Target::File(k) => k,
    };
    if let Some(body) = shared.get(&key)
        && let Some(bytes) = bytes_of(&body)
    {
        let ctype = content_type(&key);
        let bytes = if ctype.starts_with("text/html") {
            inject(&bytes, SCRIPT_TAG)
        } else {
            bytes.into_owned()
        };
        return respond(req, 200, ctype, bytes, &[]);
    }
    // `/incidents/ex1` → `/incidents/ex1/`, like static hosts do.
    if !key.ends_with("index.html") && shared.contains(&format!("{key}/index.html")) {
        let path = req.url().split(['?', '#']).next().unwrap_or("/");
        let location = format!("{path}/");
        return respond(
            req,
            301,
            "text/plain; charset=utf-8",
            Vec::new(),
            &[("Location", &location)],
        );
    }
    if !shared.status().has_site {
        let page = no_site_page(&shared.status().errors);
        return respond(req, 500, "text/html; charset=utf-8", page, &[]);
    }
    match shared.get("404.html").as_ref().and_then(bytes_of) {
        Some(page) => respond(
            req,
            404,
            "text/html; charset=utf-8",
            inject(&page, SCRIPT_TAG_404),
            &[],
        ),
        None => text(req, 404, "404 not found\n"),
    }
}

fn internal(req: Request, name: &str, head: bool, shared: &Shared, hub: &Hub) {
    match name {
        "reload.js" => respond(
            req,
            200,
            "text/javascript; charset=utf-8",
            RELOAD_JS.as_bytes().to_vec(),
            &[],
        ),
        "files" => {
            let json = serde_json::to_vec_pretty(&shared.paths()).unwrap_or_default();
            respond(req, 200, "application/json", json, &[]);
        }
        "errors" => {
            let json = serde_json::to_vec_pretty(&shared.status()).unwrap_or_default();
            respond(req, 200, "application/json", json, &[]);
        }
        "events" if !head => {
            let mut w = req.into_writer();
            if w.write_all(HEAD.as_bytes()).and_then(|_| w.flush()).is_ok() {
                hub.add(w);
            }
        }
        _ => text(req, 404, "404 not found\n"),
    }
}

use std::io::Write as _;

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str) -> Result<Target, u16> {
        Ok(Target::File(p.into()))
    }

    #[test]
    fn paths_map_to_files() {
        assert_eq!(resolve("/"), file("index.html"));
        assert_eq!(resolve("/incidents/ex1/"), file("incidents/ex1/index.html"));
        assert_eq!(
            resolve("/incidents/ex1/?x=1#top"),
            file("incidents/ex1/index.html")
        );
        assert_eq!(resolve("/atom.xml"), file("atom.xml"));
        assert_eq!(resolve("/a%20b.png"), file("a b.png"));
        assert_eq!(resolve("/incidents/ex1"), file("incidents/ex1"));
        assert_eq!(
            resolve("/__sitrep/events"),
            Ok(Target::Internal("events".into()))
        );
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/incidents/../../x",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2fetc",
            "/a/%2e/b",
            "/..%5c..%5cwindows",
            "/a\\..\\b",
            "/%00",
            "/%zz",
            "/%c0%ae%c0%ae/",
            "etc/passwd",
            "http://example.org/x",
            "*",
        ] {
            assert_eq!(resolve(bad), Err(400), "{bad}");
        }
        // Doubly encoded: a literal name containing `%2e`, which does not exist.
        assert_eq!(resolve("/%252e%252e/x"), file("%2e%2e/x"));
        // Leading double slash is still inside the site.
        assert_eq!(resolve("//etc/passwd"), file("etc/passwd"));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("atom.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("feed.json"), "application/json");
        assert_eq!(
            content_type("maintenance.ics"),
            "text/calendar; charset=utf-8"
        );
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.PNG"), "image/png");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = inject(b"<body><p>x</p></BODY></html>", "<s>");
        assert_eq!(out, b"<body><p>x</p><s></BODY></html>");
        assert_eq!(inject(b"plain", "<s>"), b"plain<s>");
    }
}
