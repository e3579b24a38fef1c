//! One changed incident in, the words of its message out ([`Wording`]: the
//! headline, facts and one line per change, in the site's language), then one
//! payload per channel kind, each in its own file. Only public API data reaches
//! here, so nothing internal can be sent.

mod discord;
mod email;
mod slack;
mod teams;
mod webhook;

use super::diff::{Changed, Kind};
use crate::config::{Config, Target};
use crate::i18n::Strings;
use crate::time::Timestamp;

pub(crate) use email::Mail;

/// What a channel sends for one incident.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// A JSON body for an HTTP POST.
    Json(String),
    Mail(Mail),
}

/// The payload of `target` for one changed incident.
pub(crate) fn payload(target: &Target, w: &Wording, c: &Changed) -> Payload {
    match target {
        Target::Slack { .. } => Payload::Json(slack::body(w)),
        Target::Discord { .. } => Payload::Json(discord::body(w, c)),
        Target::Teams { .. } => Payload::Json(teams::body(w)),
        Target::Webhook { .. } => Payload::Json(webhook::body(w, c)),
        Target::Email { .. } => Payload::Mail(email::mail(w)),
    }
}

/// One change as a reader sees it: what happened, when, and the update's text.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub label: String,
    pub when: Option<String>,
    pub text: String,
}

/// The words of one message, shared by every channel kind.
#[derive(Debug, Clone)]
pub(crate) struct Wording {
    pub site_title: String,
    pub site_url: String,
    pub url: String,
    /// `EX1331830 Investigating: Mail delays` (also the mail's subject after the site title).
    pub headline: String,
    /// Label → value: status, severity, services, regions, window.
    pub facts: Vec<(String, String)>,
    pub lines: Vec<Line>,
    /// The link's text ("Details").
    pub details: String,
}

impl Wording {
    pub(super) fn new(config: &Config, strings: &Strings, c: &Changed) -> Wording {
        let inc = c.incident;
        let tz = &config.timezone;
        let when = |at: &str| Timestamp::parse(at).ok().map(|t| t.display_in(tz, strings));
        let status = strings
            .get(&format!("status.{}", inc.status.as_str()))
            .to_string();
        let mut facts = vec![(strings.get("notify.status").to_string(), status.clone())];
        if let Some(s) = inc.severity {
            let value = strings.get(&format!("severity.{}", s.as_str())).to_string();
            facts.push((strings.get("notify.severity").into(), value));
        }
        for (key, list) in [
            ("notify.services", &inc.services),
            ("notify.regions", &inc.regions),
        ] {
            if !list.is_empty() {
                facts.push((strings.get(key).into(), list.join(", ")));
            }
        }
        if let Some((start, end)) = &c.record.window {
            let (start, end) = (
                when(start).unwrap_or_default(),
                when(end).unwrap_or_default(),
            );
            facts.push((
                strings.get("notify.window").into(),
                format!("{start} – {end}"),
            ));
        }
        let lines = c
            .changes
            .iter()
            .map(|ch| {
                let text = match (ch.update, ch.kind) {
                    (Some(u), _) => u.text.trim().to_string(),
                    (None, Kind::Updated | Kind::Resolved) => {
                        strings.fmt("notify.status_now", &[("status", &status)])
                    }
                    (None, _) => String::new(),
                };
                Line {
                    label: strings.get(label_key(ch.kind)).to_string(),
                    when: ch.update.and_then(|u| when(&u.at)),
                    text,
                }
            })
            .collect();
        Wording {
            site_title: config.title.clone(),
            site_url: config.base_url.clone(),
            url: inc.url.clone(),
            headline: format!("{} {status}: {}", inc.id, inc.title),
            facts,
            lines,
            details: strings.get("notify.details").to_string(),
        }
    }

    /// `Label · when`, the heading of one line.
    pub(super) fn line_head(line: &Line) -> String {
        match &line.when {
            Some(w) => format!("{} · {w}", line.label),
            None => line.label.clone(),
        }
    }

    /// The whole message as plain text.
    pub(super) fn plain(&self) -> String {
        let mut out = format!("{}\n", self.headline);
        let facts: Vec<String> = self
            .facts
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        out.push_str(&facts.join(" · "));
        out.push('\n');
        for l in &self.lines {
            out.push_str(&format!("\n{}\n", Self::line_head(l)));
            if !l.text.is_empty() {
                out.push_str(&format!("{}\n", l.text));
            }
        }
        out.push_str(&format!("\n{}: {}\n", self.details, self.url));
        out
    }
}

fn label_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Created => "notify.created",
        Kind::MaintenanceScheduled => "notify.maintenance",
        Kind::Updated => "notify.updated",
        Kind::Resolved => "notify.resolved",
    }
}

/// At most `max` characters, with `…` when cut (chat APIs reject longer fields).
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests;
