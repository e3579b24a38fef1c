//! Template contexts: the linked site in, the JSON values of docs/templates.md
//! out. Everything a template shows is computed here (URLs with the base
//! sub-path, times in the site zone, durations), so themes stay simple.

use super::view::{Builder, LATEST, POSTMORTEM_ANCHOR};
use crate::link::{Backlink, Tax, incident_path, news_path};
use crate::model::*;
use crate::status::{ComponentStatus, Phase};
use crate::time::Timestamp;
use serde_json::{Value, json};

/// The most incidents `/embed/` lists; the rest are a link away.
pub const EMBED_MAX: usize = 5;

impl Builder<'_> {
    pub fn common(&self, path: &str) -> Value {
        let c = self.config();
        let section = path.split('/').next().unwrap_or_default();
        let nav: Vec<Value> = super::outputs::navigation()
            .iter()
            .map(|&(key, p)| json!({"title": self.strings.get(key), "url": self.url(&format!("{p}/")), "current": section == p}))
            .collect();
        let feed = |key: &str| self.strings.fmt(key, &[("title", &c.title)]);
        json!({
            "site": {
                "title": c.title, "description": c.description, "language": c.language,
                "base_url": c.base_url, "base_path": c.base_path(), "timezone": c.timezone_name,
                "internal": c.audience.is_internal(),
            },
            "canonical": c.abs_url(path),
            "description": c.description,
            "nav": nav,
            "feeds": [
                {"title": feed("feed.atom"), "url": self.url("atom.xml"), "type": "application/atom+xml"},
                {"title": feed("feed.json"), "url": self.url("feed.json"), "type": "application/feed+json"},
            ],
            "assets": {
                "style": self.url("style.css"), "syntax_light": self.url("syntax-light.css"),
                "syntax_dark": self.url("syntax-dark.css"), "search_js": self.url("search.js"),
            },
        })
    }

    pub fn home(&self) -> Value {
        let site = self.whole();
        let status = self.status();
        let open = &status.open;
        // One banner row per service in no group that is not operational, in
        // name order; then every group, as written, with all its members.
        let service_status: Vec<Value> = status
            .services
            .iter()
            .filter(|s| s.status != ComponentStatus::Operational && s.group.is_none())
            .map(|s| self.service_status(s))
            .collect();
        let service_groups: Vec<Value> = status
            .groups
            .iter()
            .map(|g| {
                let members = g.members.iter().map(|&m| self.service_status(&status.services[m]));
                json!({
                    "name": g.name, "id": g.id, "status": g.status.as_str(),
                    "status_label": self.strings.get(&format!("service_status.{}", g.status.as_str())),
                    "members": members.collect::<Vec<_>>(),
                })
            })
            .collect();
        let upcoming: Vec<Value> = (0..site.incidents.len())
            .filter(|&i| matches!(status.phases[i], Some(Phase::Upcoming | Phase::InProgress)))
            .map(|i| self.card(i))
            .collect();
        let latest: Vec<Value> = (0..site.incidents.len())
            .filter(|&i| !site.incidents[i].is_open())
            .take(LATEST)
            .map(|i| self.card(i))
            .collect();
        json!({
            "page_title": site.config.title,
            "page_kind": "home",
            "intro": site.home.as_ref().map(|(h, r)| json!({"title": h.title, "html": r.html, "extra": h.extra})),
            "site_status": {"indicator": status.indicator.as_str(), "description": self.strings.get(&format!("site_status.{}", status.indicator.as_str()))},
            "service_status": service_status,
            "service_groups": service_groups,
            "calendar_url": self.url("maintenance.ics"),
            "open_incidents": open.iter().map(|&i| self.card(i)).collect::<Vec<_>>(),
            "upcoming_maintenance": upcoming,
            "latest_news": (0..site.news.len().min(5)).map(|n| self.story_card(n)).collect::<Vec<_>>(),
            "latest_incidents": latest,
        })
    }

    pub fn incident_page(&self, i: usize) -> Value {
        let inc = self.incident(i);
        let html = self.incident_html(i);
        let mut v = self.card(i);
        let open = inc.unresolved();
        let metrics = self.metrics(inc);
        let errors: Vec<Value> = inc
            .errors
            .iter()
            .map(|e| json!({"code": e.code, "message": e.message, "url": self.term_url(Tax::Errors, e.term())}))
            .collect();
        let timeline: Vec<Value> = inc
            .timeline
            .iter()
            .zip(&html.timeline)
            .map(|(e, h)| json!({"at": self.time(&e.at), "status": e.status.map(|s| s.as_str()), "status_label": e.status.map(|s| self.status_label(s)), "html": h, "internal_only": e.internal}))
            .collect();
        let related: Vec<Value> = inc.related.iter().map(|r| self.related(r)).collect();
        let backlinks = self.backlink_list(i);
        let similar = self.similar_list(i);
        let takes: Vec<Value> = inc
            .takes
            .iter()
            .zip(&html.takes)
            .map(|((aud, _), h)| json!({"audience": aud, "label": self.take_label(aud), "html": h}))
            .collect();
        let actions: Vec<Value> = inc
            .actions
            .iter()
            .map(|a| json!({"text": a.text, "owner": a.owner, "status": a.status.as_str(), "due": self.opt_time(a.due.as_ref()), "internal_only": a.internal}))
            .collect();
        let extra = json!({
            "detected": self.opt_time(inc.detected.as_ref()),
            "acknowledged": self.opt_time(inc.acknowledged.as_ref()),
            "mitigated": self.opt_time(inc.mitigated.as_ref()),
            "next_update": if open { self.opt_time(inc.next_update.as_ref()) } else { Value::Null },
            // A promised update whose time has passed ("now"), shown as overdue.
            "next_update_overdue": open && inc.next_update.as_ref().is_some_and(|t| t.cmp_in(&Timestamp::Instant(self.now().0), &self.config().timezone).is_lt()),
            "metrics": metrics,
            "components": inc.components,
            "tags": self.links(Tax::Tags, inc.tags.iter().map(String::as_str)),
            "errors": errors, "timeline": timeline, "related": related, "backlinks": backlinks, "similar": similar,
            "takes": takes, "actions": actions, "sources": inc.sources,
            "body_html": html.body.html,
            "headings": html.body.headings.iter().map(|h| json!({"level": h.level, "id": h.id, "text": h.text})).collect::<Vec<_>>(),
            "toc": self.toc(i),
            "postmortem": self.postmortem(i),
            "internal_notes": html.notes,
            "extra": inc.extra,
            "feed_url": null,
            "phases": super::charts::phase_bar(self, i),
        });
        if let (Value::Object(a), Value::Object(b)) = (&mut v, extra) {
            a.extend(b);
        }
        json!({
            "page_title": format!("{}: {}", inc.id, inc.title), "page_kind": "incident",
            "description": v["summary"].clone(),
            "incident": v,
        })
    }

    /// Time to detect, acknowledge, mitigate, and the duration (or "open for").
    fn metrics(&self, inc: &Incident) -> Vec<Value> {
        let mut metrics = Vec::new();
        let mut metric = |key: &str, to: Option<&Timestamp>| {
            if let Some(s) = to.and_then(|t| inc.started.seconds_until(t)) {
                metrics.push(json!({"label": self.strings.get(key), "value": self.duration(s)}));
            }
        };
        metric("metric.detect", inc.detected.as_ref());
        metric("metric.acknowledge", inc.acknowledged.as_ref());
        metric("metric.mitigate", inc.mitigated.as_ref());
        if inc.is_open() {
            let now = Timestamp::Instant(self.now().0);
            if let Some(s) = inc.started.seconds_until(&now).filter(|s| *s >= 0) {
                metrics.push(json!({"label": self.strings.get("metric.open_for"), "value": self.duration(s)}));
            }
        } else {
            metric("metric.duration", inc.resolved.as_ref());
        }
        metrics
    }

    /// One `related` entry: a link to an incident of the site, or plain text.
    fn related(&self, r: &Related) -> Value {
        match r {
            Related::Incident { id, note, internal } => {
                match self.find(&id.key()).map(|t| self.incident(t)) {
                    Some(t) => json!({
                        "internal": true, "id": t.id, "title": t.title,
                        "url": self.url(&incident_path(&t.id)), "note": note,
                        "date": self.time(&t.started),
                        "status": t.status.as_str(), "status_label": self.status_label(t.status),
                        "internal_only": internal,
                    }),
                    // An internal incident in a public build: its ID as plain text.
                    None => json!({
                        "internal": false, "id": null, "title": id, "url": null, "note": note,
                        "date": null, "status": null, "status_label": null, "internal_only": false,
                    }),
                }
            }
            Related::External {
                title,
                url,
                date,
                note,
                internal,
            } => json!({
                "internal": false, "id": null, "title": title, "url": url, "note": note,
                "date": self.opt_time(date.as_ref()), "status": null, "status_label": null,
                "internal_only": internal,
            }),
        }
    }

    /// The earlier incidents that resemble incident `i` (`link::similar`).
    fn similar_list(&self, i: usize) -> Vec<Value> {
        self.similar(i)
            .iter()
            .map(|&j| {
                let o = self.incident(j);
                json!({
                    "id": o.id, "title": o.title, "url": self.url(&incident_path(&o.id)),
                    "date": self.time(&o.started),
                    "status": o.status.as_str(), "status_label": self.status_label(o.status),
                })
            })
            .collect()
    }

    /// The later incidents and the stories that refer to incident `i`.
    fn backlink_list(&self, i: usize) -> Vec<Value> {
        self.backlinks(i)
            .iter()
            .map(|b| match *b {
                Backlink::Incident(j) => {
                    let o = self.incident(j);
                    json!({"kind": "incident", "title": o.title, "url": self.url(&incident_path(&o.id)), "id": o.id, "date": self.time(&o.started)})
                }
                Backlink::News(n) => {
                    let s = self.story(n);
                    json!({"kind": "news", "title": s.title, "url": self.url(&news_path(&s.slug)), "id": null, "date": self.time(&s.date)})
                }
            })
            .collect()
    }

    /// The incident page's table of contents: the body's headings, then the
    /// postmortem and its parts.
    fn toc(&self, i: usize) -> Vec<Value> {
        let inc = self.incident(i);
        let body = self.incident_html(i).body.headings.iter();
        let mut toc: Vec<Value> = body
            .map(|h| json!({"level": h.level, "id": h.id, "text": h.text}))
            .collect();
        if let Some(pm) = &inc.postmortem {
            let (section, parts) = self.postmortem_anchors(i);
            toc.push(
                json!({"level": 2, "id": section, "text": self.strings.get("postmortem.title")}),
            );
            toc.extend(pm.parts.iter().zip(parts).map(
                |((p, _), id)| json!({"level": 3, "id": id, "text": self.strings.get(p.key())}),
            ));
        }
        toc
    }

    /// The anchors of the postmortem section and its parts: `postmortem`,
    /// `postmortem-impact`, …, stepping around a body heading that took one.
    fn postmortem_anchors(&self, i: usize) -> (String, Vec<String>) {
        let body = &self.incident_html(i).body.headings;
        let free = |base: String| {
            let mut id = base.clone();
            let mut n = 1;
            while body.iter().any(|h| h.id == id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            id
        };
        let parts = self.incident(i).postmortem.iter().flat_map(|pm| &pm.parts);
        let parts = parts.map(|(p, _)| free(p.anchor())).collect();
        (free(POSTMORTEM_ANCHOR.to_string()), parts)
    }

    /// `incident.postmortem`: its parts in the contract's order, each with its
    /// heading anchor and HTML; null without a `postmortem`.
    fn postmortem(&self, i: usize) -> Value {
        let Some(pm) = &self.incident(i).postmortem else {
            return Value::Null;
        };
        let html = &self.incident_html(i).postmortem;
        let (section, parts) = self.postmortem_anchors(i);
        let parts: Vec<Value> = pm
            .parts
            .iter()
            .zip(html)
            .zip(parts)
            .map(|(((p, _), h), id)| json!({"key": p.as_str(), "title": self.strings.get(p.key()), "id": id, "html": h}))
            .collect();
        json!({
            "id": section, "parts": parts, "authors": pm.authors,
            "published": self.opt_time(pm.published.as_ref()),
        })
    }

    pub fn story_page(&self, n: usize) -> Value {
        let mut v = self.story_card(n);
        let story = self.story(n);
        v["body_html"] = json!(self.story_html(n).html);
        v["extra"] = story.extra.clone();
        json!({"page_title": story.title, "page_kind": "news", "description": v["summary"].clone(), "story": v})
    }

    pub fn page(&self, p: usize) -> Value {
        let (page, html) = self.page_doc(p);
        json!({
            "page_title": page.title, "page_kind": "page",
            "page": {"title": page.title, "body_html": html.html, "extra": page.extra},
        })
    }

    pub fn taxonomy(&self, t: usize) -> Value {
        let tax = &self.whole().taxonomies[t];
        let mut head = self.taxonomy_head(t);
        let mut terms: Vec<&crate::link::Term> = tax.terms.values().collect();
        terms.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.slug.cmp(&b.slug))
        });
        head["terms"] = terms
            .iter()
            .map(|term| {
                json!({"name": term.name, "url": self.url(&format!("{}/{}/", tax.name, term.slug)), "count": term.incidents.len(), "feed_url": self.url(&format!("{}/{}/atom.xml", tax.name, term.slug))})
            })
            .collect();
        json!({"page_title": self.taxonomy_title(t), "page_kind": "taxonomy", "taxonomy": head})
    }

    pub fn search(&self) -> Value {
        let site = self.whole();
        let shards = super::search::shard_count(site.incidents.len() + site.news.len());
        json!({"page_title": self.strings.get("nav.search"), "page_kind": "search", "search_index_url": self.url("search/index.json"), "search_shards": shards})
    }

    pub fn not_found(&self) -> Value {
        json!({"page_title": self.strings.get("not_found.title"), "page_kind": "404"})
    }

    /// `/embed/`: the indicator, then open incidents (newest first) and
    /// maintenance in progress, at most [`EMBED_MAX`], and the site's address.
    pub fn embed(&self) -> Value {
        // The indicator and the lists follow every incident and the clock.
        let (site, status) = (self.whole(), self.status());
        let in_progress = (0..site.incidents.len())
            .filter(|&i| status.phases[i] == Some(Phase::InProgress))
            .filter(|&i| site.incidents[i].classification == Classification::Maintenance);
        let shown: Vec<usize> = status.open.iter().copied().chain(in_progress).collect();
        let indicator = status.indicator.as_str();
        json!({
            "page_title": self.strings.get("embed.title"), "page_kind": "embed",
            "site_status": {"indicator": indicator, "description": self.strings.get(&format!("site_status.{indicator}"))},
            "incidents": shown.iter().take(EMBED_MAX).map(|&i| self.card(i)).collect::<Vec<_>>(),
            "more": shown.len().saturating_sub(EMBED_MAX),
            "site_url": site.config.base_url,
        })
    }
}

impl Builder<'_> {
    fn take_label(&self, audience: &str) -> String {
        let key = match audience {
            "admin" | "admins" => "take.admin",
            "user" | "users" => "take.user",
            "developer" | "developers" => "take.developer",
            other => {
                let audience = other.replace(['_', '-'], " ");
                return self.strings.fmt("take.other", &[("audience", &audience)]);
            }
        };
        self.strings.get(key).to_string()
    }
}
