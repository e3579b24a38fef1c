//! Live reload in a real browser: headless Chromium (Debian's `chromium`)
//! driven over the DevTools protocol opens a page served by `sitrep serve`;
//! the test edits the Markdown file and reads the DOM until the new text
//! shows — the test never navigates. Then a broken edit must show the error
//! overlay with file and line, and the fix must clear it.

use super::common::cdp::{Browser, chromium_or_skip};
use super::common::serve::*;
use super::common::write;
use serde_json::json;
use std::path::Path;

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
    let Some(bin) = chromium_or_skip("the_browser_follows_edits_and_shows_errors") else {
        return;
    };
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    let browser = Browser::start(&bin);
    let mut cdp = browser.cdp();
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
    // For a person to look at: SITREP_SCREENSHOT_DIR=/tmp cargo test --test serve reload
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
