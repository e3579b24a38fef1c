//! `http(s)://` sources in, their text out: one blocking GET with a 30 s
//! timeout (ureq over rustls). A failure names the URL and what failed.

use crate::diag::Diagnostic;
use std::time::Duration;

/// The largest document read, so a runaway server cannot fill memory.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

pub(crate) fn is_url(s: &str) -> bool {
    let l = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// GET `url` and return its body as text.
pub(crate) fn get(url: &str) -> Result<String, Diagnostic> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let fail = |what: String| {
        Diagnostic::error(url, format!("fetching `{url}` failed: {what}"))
            .hint("check the URL and the network; a Statuspage base URL is its home page, e.g. `https://status.example.com`")
    };
    let mut resp = agent
        .get(url)
        .header("Accept", "application/json, text/markdown, */*")
        .call()
        .map_err(|e| fail(e.to_string()))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(fail(format!("the server answered HTTP {status}")));
    }
    resp.body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_string()
        .map_err(|e| fail(format!("reading the response: {e}")))
}

/// The documents of a Statuspage page's base URL: its incidents and its
/// scheduled maintenances. A URL that names a `.json` document is itself.
pub(crate) fn statuspage_urls(url: &str) -> Vec<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if path.to_ascii_lowercase().ends_with(".json") {
        return vec![url.to_string()];
    }
    let base = path.trim_end_matches('/');
    let base = base.strip_suffix("/api/v2").unwrap_or(base);
    vec![
        format!("{base}/api/v2/incidents.json"),
        format!("{base}/api/v2/scheduled-maintenances.json"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_names_two_documents() {
        assert_eq!(
            statuspage_urls("https://status.example.com/"),
            vec![
                "https://status.example.com/api/v2/incidents.json",
                "https://status.example.com/api/v2/scheduled-maintenances.json"
            ]
        );
        assert_eq!(
            statuspage_urls("http://x/api/v2/summary.json"),
            vec!["http://x/api/v2/summary.json"]
        );
        assert!(is_url("HTTPS://x") && !is_url("content/x.json"));
    }
}
