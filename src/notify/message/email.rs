//! One mail per changed incident: the subject FORMAT.md gives
//! (`[<site title>] <ID> <status>: <title>`), a plain-text part and an HTML part
//! with the same words (every piece of text escaped).

use super::Wording;
use crate::escape::html;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Text with its line breaks kept, escaped for HTML.
fn paragraph(text: &str) -> String {
    html(text).replace('\n', "<br>\n")
}

pub(super) fn mail(w: &Wording) -> Mail {
    let subject = format!("[{}] {}", w.site_title, w.headline);
    let mut h = format!(
        "<!DOCTYPE html>\n<html><body>\n<h1 style=\"font-size:1.2em\">{}</h1>\n<p>",
        html(&w.headline)
    );
    let facts: Vec<String> = w
        .facts
        .iter()
        .map(|(k, v)| format!("<strong>{}:</strong> {}", html(k), html(v)))
        .collect();
    h.push_str(&facts.join(" · "));
    h.push_str("</p>\n");
    for l in &w.lines {
        h.push_str(&format!(
            "<h2 style=\"font-size:1em\">{}</h2>\n",
            html(&Wording::line_head(l))
        ));
        if !l.text.is_empty() {
            h.push_str(&format!("<p>{}</p>\n", paragraph(&l.text)));
        }
    }
    h.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>\n</body></html>\n",
        html(&w.url),
        html(&w.details)
    ));
    Mail {
        subject,
        text: w.plain(),
        html: h,
    }
}
