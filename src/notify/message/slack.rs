//! A Slack incoming-webhook body: `text` (the notification and fallback) and
//! `blocks` (header, facts, one section per change, the link).

use super::{Wording, cut};
use serde_json::{Value, json};

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters, and bolds
/// with one `*` where Markdown uses two.
fn mrkdwn(text: &str) -> String {
    text.replace("**", "*")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(super) fn body(w: &Wording) -> String {
    let facts: Vec<String> = w
        .facts
        .iter()
        .map(|(k, v)| format!("*{}:* {}", mrkdwn(k), mrkdwn(v)))
        .collect();
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": cut(&w.headline, 150)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&facts.join("  ·  "), 3000)}}),
    ];
    for l in &w.lines {
        let mut text = format!("*{}*", mrkdwn(&Wording::line_head(l)));
        if !l.text.is_empty() {
            text.push('\n');
            text.push_str(&mrkdwn(&l.text));
        }
        blocks
            .push(json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&text, 3000)}}));
    }
    blocks.push(json!({"type": "context", "elements": [
        {"type": "mrkdwn", "text": format!("<{}|{}>", w.url, mrkdwn(&w.details))}
    ]}));
    let text = match w.lines.last() {
        Some(l) if !l.text.is_empty() => format!("{}: {}", w.headline, l.text),
        _ => w.headline.clone(),
    };
    let v: Value = json!({"text": mrkdwn(&cut(&text, 3000)), "blocks": blocks});
    v.to_string()
}
