//! A Microsoft Teams workflow ("Post to a channel when a webhook request is
//! received") message: one attachment holding an Adaptive Card.

use super::Wording;
use serde_json::json;

pub(super) fn body(w: &Wording) -> String {
    let mut card_body = vec![
        json!({"type": "TextBlock", "text": w.headline, "size": "Medium", "weight": "Bolder", "wrap": true}),
        json!({"type": "FactSet", "facts": w.facts.iter().map(|(k, v)| json!({"title": k, "value": v})).collect::<Vec<_>>()}),
    ];
    for l in &w.lines {
        card_body.push(json!({"type": "TextBlock", "text": Wording::line_head(l), "weight": "Bolder", "wrap": true, "spacing": "Medium"}));
        if !l.text.is_empty() {
            card_body.push(json!({"type": "TextBlock", "text": l.text, "wrap": true}));
        }
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": card_body,
                "actions": [{"type": "Action.OpenUrl", "title": w.details, "url": w.url}],
            },
        }],
    })
    .to_string()
}
