//! `sitrep serve` in a real browser: headless Chromium, driven over the
//! DevTools protocol, keeps pages open while the tests edit files, and reads
//! the DOM until the change shows (the tests never navigate). Skipped with
//! SKIPPED when Chromium is missing, a failure under CI=1.

use super::common::cdp::{Browser, Cdp, chromium_or_skip};
use super::common::serve::*;
use super::common::write;
use std::path::Path;

const TEXT: &str = "(document.body ? document.body.innerText : '')";

/// A site served by `sitrep serve` and a browser, for one test; `None`
/// (after SKIPPED) without Chromium. `prepare` edits the site before serve starts.
struct Live {
    site: tempfile::TempDir,
    s: Serve,
    browser: Browser,
}

fn live(test: &str, switches: &[&str], prepare: impl FnOnce(&Path)) -> Option<Live> {
    let bin = chromium_or_skip(test)?;
    let site = serve_site();
    prepare(site.path());
    let s = Serve::start(site.path());
    let browser = Browser::start_with(&bin, switches);
    Some(Live { site, s, browser })
}

/// Open `url` in a page of its own and wait until its event stream is up;
/// a marker in the page's window then tells a reload (which drops it).
fn open_live(browser: &Browser, url: &str, text: &str) -> Cdp {
    let mut cdp = browser.cdp();
    cdp.open(url);
    cdp.wait(
        &format!("{url} with its event stream"),
        &format!("{TEXT}.includes({text:?}) && window.__sitrepState !== undefined"),
    );
    cdp.eval("window.__sitrepMarker = 'before the edit'");
    cdp
}

/// Wait until the page reloaded (the marker is gone) and shows `text`.
fn wait_reloaded(cdp: &mut Cdp, what: &str, text: &str) {
    cdp.wait(
        what,
        &format!("window.__sitrepMarker === undefined && {TEXT}.includes({text:?})"),
    );
}

#[test]
fn live_reload_with_two_tabs_open() {
    let Some(Live { site, s, browser }) = live("live_reload_with_two_tabs_open", &[], |_| {})
    else {
        return;
    };
    let root = site.path();
    let mut page = open_live(
        &browser,
        &format!("{}incidents/ab101/", s.url()),
        "Mail to Europe was delayed",
    );
    let mut list = open_live(
        &browser,
        &format!("{}incidents/", s.url()),
        "Mail delayed in Europe",
    );
    // One edit changes both pages: the incident's body and title, and the
    // title on the list.
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail slow across Europe",
            "services: [Exchange Online]\nregions: [Europe]\n",
            "Both tabs show this sentence.",
        ),
    );
    wait_reloaded(
        &mut page,
        "the incident tab",
        "Both tabs show this sentence.",
    );
    wait_reloaded(&mut list, "the list tab", "Mail slow across Europe");
    assert_eq!(
        list.eval(&format!("{TEXT}.includes('Mail delayed in Europe')")),
        false
    );

    // A page the edit does not touch stays as it is.
    let mut other = open_live(
        &browser,
        &format!("{}incidents/ab202/", s.url()),
        "Chat would not load",
    );
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nOnly the about page changed.\n",
    );
    s.wait_page("/about/", "the about edit", |t| {
        t.contains("Only the about page")
    });
    s.settle();
    assert_eq!(other.eval("window.__sitrepMarker"), "before the edit");
}

/// An incident that started `day` of March 2026.
fn dated(id: &str, title: &str, day: u32) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nservices: [Exchange Online]\nstatus: resolved\nstarted: 2026-03-{day:02}T10:00:00Z\nresolved: 2026-03-{day:02}T12:30:00Z\n---\nA story.\n"
    )
}

#[test]
fn an_edit_moving_an_incident_onto_page_2_updates_that_page() {
    // Two incidents a page: AB303 (7 March) and AB202 (6 March) on page 1,
    // AB101 (5 March) alone on page 2.
    let test = "an_edit_moving_an_incident_onto_page_2_updates_that_page";
    let Some(Live { site, s, browser }) = live(test, &[], |root| {
        write(
            root,
            "sitrep.toml",
            "title = \"Test Desk\"\nbase_url = \"https://example.org/desk/\"\ntimezone = \"America/New_York\"\npaginate_by = 2\n",
        );
        write(
            root,
            "content/incidents/2025/AB303.md",
            &dated("AB303", "Calendar sync slow", 7),
        );
    }) else {
        return;
    };
    let root = site.path();
    let mut page2 = open_live(
        &browser,
        &format!("{}incidents/page/2/", s.url()),
        "Mail delayed in Europe",
    );
    assert_eq!(
        page2.eval(&format!("{TEXT}.includes('Calendar sync slow')")),
        false
    );

    // AB303 now started before the others: it moves to the end, onto page 2.
    write(
        root,
        "content/incidents/2025/AB303.md",
        &dated("AB303", "Calendar sync slow", 1),
    );
    wait_reloaded(
        &mut page2,
        "page 2 listing the moved incident",
        "Calendar sync slow",
    );
    // AB101 moved up to page 1 in turn.
    let text = page2.eval(TEXT);
    assert!(
        !text.as_str().unwrap().contains("Mail delayed in Europe"),
        "{text}"
    );
    let page1 = s.get("/incidents/").text();
    assert!(page1.contains("Mail delayed in Europe") && page1.contains("Teams chat down"));
    assert!(!page1.contains("Calendar sync slow"));
}

#[test]
fn the_error_overlay_appears_on_broken_front_matter_and_the_fix_clears_it() {
    let test = "the_error_overlay_appears_on_broken_front_matter_and_the_fix_clears_it";
    let Some(Live { site, s, browser }) = live(test, &[], |_| {}) else {
        return;
    };
    let root = site.path();
    let mut cdp = open_live(
        &browser,
        &format!("{}incidents/ab202/", s.url()),
        "Chat would not load",
    );
    // Broken YAML: an unclosed flow sequence on line 4.
    write(
        root,
        "content/incidents/AB202.md",
        "---\nid: AB202\ntitle: Teams chat down\nservices: [Microsoft Teams\nstatus: resolved\nstarted: 2026-03-06T10:00:00Z\n---\nBroken.\n",
    );
    let found = cdp.wait(
        "the error overlay naming the file",
        "(() => { const e = document.querySelector('#sitrep-errors .sitrep-error'); \
         return e && [e.getAttribute('data-file'), Number(e.getAttribute('data-line'))]; })()",
    );
    assert_eq!(found[0], "content/incidents/AB202.md", "{found}");
    assert!(
        found[1].as_u64().unwrap() >= 4,
        "points into the front matter: {found}"
    );
    // The last good page stays under the overlay.
    assert_eq!(
        cdp.eval(&format!("{TEXT}.includes('Chat would not load')")),
        true
    );

    write(
        root,
        "content/incidents/AB202.md",
        &incident(
            "AB202",
            "Teams chat down",
            "services: [Microsoft Teams]\n",
            "Fixed front matter.",
        ),
    );
    cdp.wait(
        "the overlay to clear",
        &format!(
            "!document.getElementById('sitrep-errors') && {TEXT}.includes('Fixed front matter.')"
        ),
    );
}

#[test]
fn host_header_evil_example_is_403_in_the_browser() {
    // DNS rebinding, played out: a name that resolves to this machine (by
    // the browser's own rule, no DNS asked) is refused for its Host header.
    let test = "host_header_evil_example_is_403_in_the_browser";
    let rule = "--host-resolver-rules=MAP evil.example 127.0.0.1";
    let Some(Live {
        site: _site,
        s,
        browser,
    }) = live(test, &[rule], |_| {})
    else {
        return;
    };
    let mut cdp = browser.cdp();
    cdp.open(&format!("http://evil.example:{}/incidents/ab101/", s.port));
    let status = cdp.wait(
        "the refused page",
        "(() => { const n = performance.getEntriesByType('navigation')[0]; \
         return location.hostname === 'evil.example' && n && document.readyState === 'complete' \
         && n.responseStatus; })()",
    );
    assert_eq!(status, 403);
    let text = cdp.eval(TEXT);
    assert!(text.as_str().unwrap().contains("403 forbidden"), "{text}");
    assert!(!text.as_str().unwrap().contains("Mail to Europe"), "{text}");
    // The same page by its own address loads.
    cdp.open(&format!("{}incidents/ab101/", s.url()));
    cdp.wait(
        "the page by its address",
        &format!("{TEXT}.includes('Mail to Europe')"),
    );
}
