//! axe-core finds nothing on the sample site (the repo root), in light and
//! dark colour schemes: the home page, an incident page, a service page with
//! its 90-day strip, `/stats/` and a list page. Real headless Chromium;
//! SKIPPED without Chromium or axe locally, a failure under `CI=1`.

use crate::common::axe::{SCHEMES, describe, tools, violations};
use crate::common::sample_site;
use crate::common::serve::Serve;

/// The pages checked, as paths below the served root.
const PAGES: [&str; 5] = [
    "",
    "incidents/ex1331830/",
    "services/exchange-online/",
    "stats/",
    "incidents/",
];

#[test]
fn axe_finds_no_violations_in_light_or_dark() {
    let Some((browser, axe)) = tools("axe_finds_no_violations_in_light_or_dark") else {
        return;
    };
    let site = sample_site();
    let s = Serve::start(site.path());
    for p in PAGES {
        assert_eq!(s.get(&format!("/{p}")).status, 200, "/{p} is served");
    }
    // The strip and the charts are on the pages checked, so axe sees them.
    assert!(
        s.get("/services/exchange-online/")
            .text()
            .contains("class=\"chart-svg\"")
    );
    assert!(s.get("/stats/").text().contains("id=\"chart-monthly\""));
    let mut cdp = browser.cdp();
    cdp.open("about:blank");
    let mut failures = String::new();
    for scheme in SCHEMES {
        for p in PAGES {
            let url = format!("{}{p}", s.url());
            let v = violations(&mut cdp, &axe, &url, scheme);
            if !v.is_empty() {
                failures.push_str(&format!("/{p} ({scheme}):\n{}", describe(&v)));
            }
        }
    }
    assert!(failures.is_empty(), "axe violations:\n{failures}");
}
