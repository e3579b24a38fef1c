//! Status badges: the status model in, per service `/services/<slug>/badge.svg`
//! (a flat badge a screen reader can read) and `/services/<slug>/shields.json`
//! (a shields.io endpoint document) out, plus the Markdown a writer pastes to
//! show either.

use super::format::pretty;
use super::view::Builder;
use crate::escape::xml;
use crate::status::{ComponentStatus, ServiceStatus};
use serde_json::json;

/// The label half's background; white text on it is 7.5:1.
pub(super) const LABEL_BG: &str = "#555555";
pub(super) const TEXT: &str = "#ffffff";

/// Each status's background. White text on each is at least 4.5:1 (WCAG AA),
/// which `tests/site/badges.rs` checks from the SVG itself.
pub(super) fn colour(s: ComponentStatus) -> &'static str {
    match s {
        ComponentStatus::Operational => "#1e7e34",
        ComponentStatus::UnderMaintenance => "#1565c0",
        ComponentStatus::DegradedPerformance => "#7a5c00",
        ComponentStatus::PartialOutage => "#b34700",
        ComponentStatus::MajorOutage => "#b00020",
    }
}

pub(super) fn svg_path(slug: &str) -> String {
    format!("services/{slug}/badge.svg")
}

pub(super) fn shields_path(slug: &str) -> String {
    format!("services/{slug}/shields.json")
}

/// Approximate advance of `text` in 11 px Verdana, so the badge fits its words
/// without measuring fonts (deterministic, like shields.io's own estimate).
fn text_width(text: &str) -> u32 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 4,
            'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '-' => 5,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_uppercase() => 8,
            _ => 7,
        })
        .sum()
}

fn svg(label: &str, message: &str, status: ComponentStatus) -> String {
    let (lw, mw) = (text_width(label) + 12, text_width(message) + 12);
    let title = xml(&format!("{label}: {message}"));
    let (label, message) = (xml(label), xml(message));
    let fill = colour(status);
    let w = lw + mw;
    let (lx, mx) = (lw / 2, lw + mw / 2);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"20\" viewBox=\"0 0 {w} 20\" role=\"img\" aria-label=\"{title}\">\
<title>{title}</title>\
<rect width=\"{lw}\" height=\"20\" fill=\"{LABEL_BG}\"/>\
<rect x=\"{lw}\" width=\"{mw}\" height=\"20\" fill=\"{fill}\"/>\
<g font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
<text x=\"{lx}\" y=\"14\" fill=\"{TEXT}\">{label}</text>\
<text x=\"{mx}\" y=\"14\" fill=\"{TEXT}\">{message}</text>\
</g></svg>\n"
    )
}

/// Both files of one service.
pub(super) fn files(s: &ServiceStatus) -> Vec<(String, String)> {
    let message = s.status.label();
    let shields = json!({
        "schemaVersion": 1,
        "label": s.name,
        "message": message,
        "color": colour(s.status).trim_start_matches('#'),
    });
    vec![
        (svg_path(&s.slug), svg(&s.name, message, s.status)),
        (shields_path(&s.slug), pretty(&shields)),
    ]
}

/// Percent-encoding of a URL as a query value (RFC 3986 unreserved kept).
fn query_value(url: &str) -> String {
    url.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// Markdown for the service page: the SVG badge linking to the page, and the
/// shields.io endpoint badge reading `shields.json`.
pub(super) fn markdown(cx: &Builder, s: &ServiceStatus) -> (String, String) {
    let c = cx.config();
    let alt = format!("{} status", s.name).replace(['[', ']'], "");
    let page = c.abs_url(&format!("services/{}/", s.slug));
    let svg = format!("[![{alt}]({})]({page})", c.abs_url(&svg_path(&s.slug)));
    let shields = format!(
        "[![{alt}](https://img.shields.io/endpoint?url={})]({page})",
        query_value(&c.abs_url(&shields_path(&s.slug)))
    );
    (svg, shields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_text_is_escaped_and_sized() {
        let s = svg("R&D <mail>", "Major outage", ComponentStatus::MajorOutage);
        assert!(s.contains("R&amp;D &lt;mail&gt;"));
        assert!(!s.contains("<mail>"));
        assert!(text_width("Exchange Online") > text_width("Teams"));
        assert_eq!(
            query_value("https://e.org/a b/?x=1"),
            "https%3A%2F%2Fe.org%2Fa%20b%2F%3Fx%3D1"
        );
    }
}
