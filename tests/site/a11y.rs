//! axe-core finds nothing on the sample site (the repo root), in light and
//! dark colour schemes, in its public, internal and German builds (the
//! German one with `[groups]`, so the home page's groups are checked): the home
//! page, an incident page, one with a postmortem and internal notes, a service
//! page with its 90-day strip, `/stats/`, `/postmortems/` and a list page. Real
//! headless Chromium; SKIPPED without Chromium or axe locally, a failure under
//! `CI=1`.

use crate::common::axe::{SCHEMES, describe, tools, violations};
use crate::common::sample_site;
use crate::common::serve::Serve;

/// The pages checked, as paths below the served root.
const PAGES: [&str; 7] = [
    "",
    "incidents/ex1331830/",
    "incidents/local-2026-04-exchange-mailbox-access/",
    "postmortems/",
    "services/exchange-online/",
    "stats/",
    "incidents/",
];

#[test]
fn axe_finds_no_violations_in_light_or_dark() {
    let Some((browser, axe)) = tools("axe_finds_no_violations_in_light_or_dark") else {
        return;
    };
    // One tab for every build: under load a fresh tab per build was slow
    // enough to time DevTools out.
    let mut cdp = browser.cdp();
    cdp.open("about:blank");
    // The public build, the internal one (banner, notes, badges) and German.
    let mut failures = String::new();
    for (build, flags, language) in [
        ("public", &[][..], None),
        ("internal", &["--internal"][..], None),
        ("German, grouped", &[][..], Some("de")),
    ] {
        let site = sample_site();
        if let Some(lang) = language {
            let toml = site.path().join("sitrep.toml");
            let text = std::fs::read_to_string(&toml).unwrap();
            let text = text.replace("language = \"en\"", &format!("language = \"{lang}\""));
            assert!(text.contains(lang), "the sample site sets its language");
            // Component groups on the home page: one in trouble, one not.
            let groups = "\n[groups]\n\"Microsoft 365\" = [\"Exchange Online\", \"Microsoft Teams\"]\nIdentity = [\"Microsoft Entra ID\"]\n";
            std::fs::write(&toml, text + groups).unwrap();
        }
        let s = Serve::start_with(site.path(), flags);
        failures.push_str(&check_pages(&mut cdp, &axe, &s, build));
    }
    assert!(failures.is_empty(), "axe violations:\n{failures}");
}

fn check_pages(cdp: &mut crate::common::cdp::Cdp, axe: &str, s: &Serve, build: &str) -> String {
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
    let mut failures = String::new();
    for scheme in SCHEMES {
        for p in PAGES {
            let url = format!("{}{p}", s.url());
            let v = violations(cdp, axe, &url, scheme);
            if !v.is_empty() {
                failures.push_str(&format!("/{p} ({build}, {scheme}):\n{}", describe(&v)));
            }
        }
    }
    failures
}
