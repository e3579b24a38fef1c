//! HTTP: requests in (axum on hyper and tokio), responses out — files from
//! the in-memory site with their MIME type and ETag, the site's own 404 page,
//! the live-reload script injected into HTML, the event stream and the build
//! status. Request paths are decoded and checked before any lookup: `..`, `.`,
//! backslashes and NUL bytes are refused with 400; a `Host` that is not this
//! server is refused with 403 before anything else (DNS rebinding).

use super::events::{Hub, KEEPALIVE};
use super::incremental::Body;
use super::site::Shared;
use crate::escape::html;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use std::hash::Hasher;
use std::net::SocketAddr;
use std::sync::Arc;

/// The script tag added to served HTML (never to the built site).
pub(crate) const SCRIPT_TAG: &str = "<script src=\"/__sitrep/reload.js\"></script>";
const SCRIPT_TAG_404: &str = "<script src=\"/__sitrep/reload.js\" data-status=\"404\"></script>";
const RELOAD_JS: &str = include_str!("reload.js");
/// Serve's own URLs; a site path cannot start with `_`, so they cannot clash.
pub(crate) const PREFIX: &str = "/__sitrep/";
/// Browsers may keep a copy but must ask again; the ETag makes asking cheap.
const CACHE: &str = "no-cache";

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file of the site (`incidents/ex1/index.html`), and whether the
    /// request named a folder without its trailing slash (`incidents/ex1`).
    File(String),
    /// One of serve's own URLs, without the prefix.
    Internal(String),
}

/// A request target (`/incidents/ex1/?x=1`) → what to serve, or the status to
/// refuse it with (400: not a safe path).
pub(crate) fn resolve(url: &str) -> Result<Target, u16> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Err(400);
    }
    // A `%` not followed by two hex digits, or escapes that are not UTF-8,
    // make a bad request.
    let b = path.as_bytes();
    let malformed = (0..b.len()).any(|i| {
        b[i] == b'%'
            && !b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed {
        return Err(400);
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| 400u16)?;
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

/// The MIME type of a site file, by its extension; text gets `charset=utf-8`.
pub(crate) fn content_type(path: &str) -> Cow<'static, str> {
    // sitrep's feed is Atom; `.xml` alone says only XML.
    if path == "atom.xml" || path.ends_with("/atom.xml") {
        return Cow::Borrowed("application/atom+xml; charset=utf-8");
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || mime.suffix() == Some(mime_guess::mime::XML)
        || mime.subtype() == mime_guess::mime::JAVASCRIPT;
    if textual && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        Cow::Owned(format!("{mime}; charset=utf-8"))
    } else {
        Cow::Owned(mime.to_string())
    }
}

/// Put the reload script before the last `</body>` (or at the end).
pub(crate) fn inject(html: &[u8], tag: &str) -> Vec<u8> {
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

/// A strong validator: the length and a 64-bit hash of the served bytes.
pub(crate) fn etag(bytes: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(bytes);
    format!("\"{:x}-{:016x}\"", bytes.len(), h.finish())
}

/// Whether `If-None-Match` names `tag` (or is `*`); weak tags compare weakly.
fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// `Location` for a folder asked for without its slash: built from the
/// decoded site path, re-encoded, always one `/` then a path of this site.
/// (`//x` must never become `//x/`, which a browser reads as host `x`.)
pub(crate) fn folder_location(key: &str) -> String {
    let mut out = String::from("/");
    for b in key.trim_start_matches(['/', '\\']).bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push('/');
    out
}

/// The `Host` values this server answers to: its bind address, `localhost`
/// and `127.0.0.1`, each with the port. A server bound to every interface
/// (`0.0.0.0`, `::`) also answers to any IP address with the port: DNS
/// rebinding needs a name, and such a server is reached by its addresses.
#[derive(Debug, Clone)]
pub(crate) struct Hosts {
    names: Vec<String>,
    any_ip: Option<u16>,
}

impl Hosts {
    pub(crate) fn for_addr(addr: SocketAddr) -> Hosts {
        let p = addr.port();
        let mut names = vec![
            addr.to_string(),
            format!("localhost:{p}"),
            format!("127.0.0.1:{p}"),
            format!("[::1]:{p}"),
        ];
        // Browsers leave out the default port.
        if p == 80 {
            let bare: Vec<String> = names
                .iter()
                .filter_map(|n| n.rsplit_once(':').map(|(h, _)| h.to_string()))
                .collect();
            names.extend(bare);
        }
        let any_ip = addr.ip().is_unspecified().then_some(p);
        Hosts { names, any_ip }
    }

    pub(crate) fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return false;
        };
        if self.names.iter().any(|n| n.eq_ignore_ascii_case(host)) {
            return true;
        }
        self.any_ip
            .is_some_and(|p| host.parse::<SocketAddr>().is_ok_and(|a| a.port() == p))
    }
}

/// What every request handler reads: the site, the browsers' hub, the hosts.
pub(crate) struct App {
    pub shared: Arc<Shared>,
    pub hub: Hub,
    pub hosts: Hosts,
}

/// The whole server: one handler for every path (the site decides what exists).
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

fn respond(status: u16, ctype: &str, body: Vec<u8>) -> Response {
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
        .into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(ctype) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn text(status: u16, msg: &str) -> Response {
    respond(status, "text/plain; charset=utf-8", msg.as_bytes().to_vec())
}

/// A file's response: 304 when the browser has these bytes, else the bytes.
fn file(status: u16, ctype: &str, bytes: Vec<u8>, headers: &HeaderMap) -> Response {
    let tag = etag(&bytes);
    let mut r = if status == 200 && not_modified(headers, &tag) {
        respond(304, ctype, Vec::new())
    } else {
        respond(status, ctype, bytes)
    };
    if let Ok(v) = HeaderValue::from_str(&tag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

fn bytes_of(body: &Body) -> Option<Cow<'_, [u8]>> {
    match body {
        Body::Bytes(b) => Some(Cow::Borrowed(b)),
        Body::Static(b) => Some(Cow::Borrowed(b)),
        Body::File(p) => std::fs::read(p).ok().map(Cow::Owned),
    }
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
            html(&at),
            html(&d.message)
        ));
        if let Some(h) = &d.hint {
            list.push_str(&format!(" <em>help: {}</em>", html(h)));
        }
        list.push_str("</li>\n");
    }
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>sitrep: the site has errors</title></head><body><h1>The site has errors</h1><p>sitrep serve shows them here and in the terminal; this page reloads when they are fixed.</p><ul>\n{list}</ul></body></html>"
    );
    inject(html.as_bytes(), SCRIPT_TAG_404)
}

/// Answer one request (HEAD is GET without the body; hyper drops it).
async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !app.hosts.allows(host) {
        return text(
            403,
            "403 forbidden: this preview server answers only to its own address (Host header)\n",
        );
    }
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(405, "405 method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let key = match resolve(uri.path()) {
        Ok(Target::File(k)) => k,
        Ok(Target::Internal(name)) => return internal(&name, &app, &headers),
        Err(code) => return text(code, "400 bad request: not a safe path\n"),
    };
    // Reading a file from disk (assets are served from there) and hashing
    // a page block: keep both off the threads that drive the connections.
    tokio::task::spawn_blocking(move || site_file(&key, &app.shared, &headers))
        .await
        .unwrap_or_else(|_| text(500, "500 internal error\n"))
}

fn site_file(key: &str, shared: &Shared, headers: &HeaderMap) -> Response {
    if let Some(body) = shared.get(key)
        && let Some(bytes) = bytes_of(&body)
    {
        let ctype = content_type(key);
        let bytes = if ctype.starts_with("text/html") {
            inject(&bytes, SCRIPT_TAG)
        } else {
            bytes.into_owned()
        };
        return file(200, &ctype, bytes, headers);
    }
    // `/incidents/ex1` → `/incidents/ex1/`, like static hosts do.
    if !key.ends_with("index.html") && shared.contains(&format!("{key}/index.html")) {
        let mut r = text(301, "");
        if let Ok(v) = HeaderValue::from_str(&folder_location(key)) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    if !shared.status().has_site {
        let page = no_site_page(&shared.status().errors);
        return respond(500, "text/html; charset=utf-8", page);
    }
    match shared.get("404.html").as_ref().and_then(bytes_of) {
        Some(page) => file(
            404,
            "text/html; charset=utf-8",
            inject(&page, SCRIPT_TAG_404),
            headers,
        ),
        None => text(404, "404 not found\n"),
    }
}

fn internal(name: &str, app: &App, headers: &HeaderMap) -> Response {
    let json = |v: Vec<u8>| respond(200, "application/json", v);
    match name {
        "reload.js" => file(
            200,
            "text/javascript; charset=utf-8",
            RELOAD_JS.as_bytes().to_vec(),
            headers,
        ),
        "files" => json(serde_json::to_vec_pretty(&app.shared.paths()).unwrap_or_default()),
        "errors" => json(serde_json::to_vec_pretty(&app.shared.status()).unwrap_or_default()),
        "events" => {
            let mut r = Sse::new(app.hub.stream())
                .keep_alive(KeepAlive::new().interval(KEEPALIVE))
                .into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        _ => text(404, "404 not found\n"),
    }
}

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
        assert_eq!(content_type("sitemap.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("feed.json"), "application/json");
        assert_eq!(
            content_type("maintenance.ics"),
            "text/calendar; charset=utf-8"
        );
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.PNG"), "image/png");
        assert_eq!(content_type("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("a.ics"), "text/calendar; charset=utf-8");
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn folder_location_stays_on_the_site() {
        assert_eq!(folder_location("incidents/ab101"), "/incidents/ab101/");
        assert_eq!(folder_location("evil.example"), "/evil.example/");
        // However the key came to start, the location has one leading slash.
        for key in [
            "/evil.example",
            "//evil.example",
            "\\\\evil.example",
            "/\\x",
        ] {
            let l = folder_location(key);
            assert!(
                l.starts_with('/') && !l[1..].starts_with(['/', '\\']),
                "{key}: {l}"
            );
        }
        assert_eq!(folder_location("a b/ü"), "/a%20b/%C3%BC/");
        assert_eq!(folder_location("50%"), "/50%25/");
    }

    #[test]
    fn hosts_are_the_bind_address_and_localhost() {
        let h = Hosts::for_addr("127.0.0.1:4000".parse().unwrap());
        for ok in [
            "127.0.0.1:4000",
            "localhost:4000",
            "LOCALHOST:4000",
            "[::1]:4000",
        ] {
            assert!(h.allows(Some(ok)), "{ok}");
        }
        for bad in [
            None,
            Some("evil.example"),
            Some("evil.example:4000"),
            Some("localhost"),
            Some("127.0.0.1:4001"),
            Some("localhost.evil.example:4000"),
            Some("10.0.0.1:4000"),
        ] {
            assert!(!h.allows(bad), "{bad:?}");
        }
        let lan = Hosts::for_addr("0.0.0.0:4000".parse().unwrap());
        assert!(lan.allows(Some("192.0.2.7:4000")) && lan.allows(Some("[2001:db8::1]:4000")));
        assert!(!lan.allows(Some("evil.example:4000")) && !lan.allows(Some("192.0.2.7:80")));
        let p80 = Hosts::for_addr("127.0.0.1:80".parse().unwrap());
        assert!(p80.allows(Some("localhost")) && p80.allows(Some("127.0.0.1")));
    }

    #[test]
    fn etags_follow_the_bytes() {
        assert_eq!(etag(b"abc"), etag(b"abc"));
        assert_ne!(etag(b"abc"), etag(b"abd"));
        let tag = etag(b"abc");
        let mut h = HeaderMap::new();
        assert!(!not_modified(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", W/{tag}")).unwrap(),
        );
        assert!(not_modified(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&etag(b"old")).unwrap(),
        );
        assert!(!not_modified(&h, &tag));
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = inject(b"<body><p>x</p></BODY></html>", "<s>");
        assert_eq!(out, b"<body><p>x</p><s></BODY></html>");
        assert_eq!(inject(b"plain", "<s>"), b"plain<s>");
    }
}
