//! Formats every machine output shares: a time as RFC 3339 in UTC, and JSON
//! as one line or indented, made inert inside HTML. A leaf: it knows nothing
//! of the site, so every output module can use it without importing another.

use crate::escape::json_in_html;
use crate::time::Timestamp;
use serde_json::Value;

/// RFC 3339 in UTC (`2026-06-03T14:33:00Z`); a date alone is its midnight.
pub(crate) fn rfc3339(t: &Timestamp) -> String {
    match t {
        Timestamp::Instant(i) => i.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Timestamp::Date(d) => format!("{d}T00:00:00Z"),
    }
}

/// Indented JSON, for small documents people read (Statuspage API, shields).
pub(crate) fn pretty(v: &Value) -> String {
    json_in_html(serde_json::to_string_pretty(v).unwrap_or_default() + "\n")
}

/// One line of JSON, for files written per incident or fetched whole by
/// programs: indentation was a third of each incident record.
pub(crate) fn compact(v: &Value) -> String {
    json_in_html(serde_json::to_string(v).unwrap_or_default() + "\n")
}
