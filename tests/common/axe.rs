//! axe-core in real headless Chromium: `.ci/run` installs a pinned axe-core
//! into `.ci/node/` (git-ignored); this injects its `axe.min.js` into a page
//! opened over DevTools, in a light or dark colour scheme, and returns the
//! violations. Nothing is downloaded at test time.

use super::cdp::{Browser, Cdp, chromium};
use serde_json::{Value, json};
use std::path::PathBuf;

/// The axe-core script `.ci/run` installs, if it is there.
pub fn axe_script() -> Option<PathBuf> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/node/node_modules/axe-core/axe.min.js");
    p.is_file().then_some(p)
}

/// Chromium and axe, or `None` after printing SKIPPED — a failure under `CI=1`,
/// where `.ci/run` has installed both.
pub fn tools(test: &str) -> Option<(Browser, String)> {
    let missing = match (chromium(), axe_script()) {
        (Some(bin), Some(axe)) => {
            let script = std::fs::read_to_string(axe).unwrap();
            return Some((Browser::start(&bin), script));
        }
        (None, _) => "chromium (apt-get install -y chromium)",
        (_, None) => "axe-core (npm install --prefix .ci/node axe-core@4.11.0, as .ci/run does)",
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {missing} is not installed"
    );
    eprintln!("\n!!! SKIPPED {test}: {missing} is not installed.\n");
    None
}

/// `light` or `dark`: the `prefers-color-scheme` a page is checked in.
pub const SCHEMES: [&str; 2] = ["light", "dark"];

/// Navigate the page `cdp` is attached to ([`Cdp::open`]) to `url` with
/// `prefers-color-scheme: scheme`, run axe on the loaded page and return its
/// violations (axe's own JSON: id, impact, help, nodes).
pub fn violations(cdp: &mut Cdp, axe: &str, url: &str, scheme: &str) -> Vec<Value> {
    cdp.call("Page.navigate", json!({"url": url}));
    cdp.call(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
    );
    // Navigation is asynchronous: wait for this URL's document, styled.
    cdp.wait(
        &format!("{url} to load"),
        &format!(
            "location.href === {} && document.readyState === 'complete' && document.styleSheets.length > 0",
            json!(url)
        ),
    );
    let dark = cdp.eval("matchMedia('(prefers-color-scheme: dark)').matches");
    assert_eq!(
        dark,
        json!(scheme == "dark"),
        "{url}: colour scheme not applied"
    );
    violations_here(cdp, axe, url)
}

/// Run axe on the page as it is now (no navigation) and return its
/// violations; `what` names the page in a failure.
pub fn violations_here(cdp: &mut Cdp, axe: &str, what: &str) -> Vec<Value> {
    cdp.call(
        "Runtime.evaluate",
        json!({"expression": axe, "returnByValue": true}),
    );
    let r = cdp.call(
        "Runtime.evaluate",
        json!({
            "expression": "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))",
            "awaitPromise": true,
            "returnByValue": true,
        }),
    );
    let text = r["result"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: axe did not run: {r}"));
    serde_json::from_str::<Value>(text)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Violations as readable lines: rule, impact, help and each node's target.
pub fn describe(v: &[Value]) -> String {
    let mut out = String::new();
    for rule in v {
        out.push_str(&format!(
            "- {} ({}): {}\n",
            rule["id"].as_str().unwrap_or("?"),
            rule["impact"].as_str().unwrap_or("?"),
            rule["help"].as_str().unwrap_or("")
        ));
        for node in rule["nodes"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "    {} {}\n      {}\n",
                node["target"],
                node["html"].as_str().unwrap_or(""),
                node["failureSummary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', " ")
            ));
        }
    }
    out
}
