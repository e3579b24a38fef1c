//! Template contexts: the linked site in, the JSON values of docs/templates.md
//! out. Everything a template shows is computed here (URLs with the base
//! sub-path, times in the site zone, durations), so themes stay simple.

use crate::link::{Backlink, Site, incident_path, news_path};
use crate::model::*;
use crate::time::{Timestamp, format_duration};
use serde_json::{Value, json};

/// "Now", for maintenance state and "open for" (from SOURCE_DATE_EPOCH or the clock).
#[derive(Debug, Clone, Copy)]
pub struct Now(pub jiff::Timestamp);

pub(super) struct Builder<'a> {
    pub site: &'a Site,
    pub now: &'a Now,
    pub cards: &'a super::lists::Cards<'a>,
}

const LATEST: usize = 10;

impl Builder<'_> {
    pub fn time(&self, t: &Timestamp) -> Value {
        let tz = &self.site.config.timezone;
        json!({
            "machine": t.machine(),
            "display": t.display(tz),
            "date": Timestamp::Date(t.date(tz)).display(tz),
            "clock": t.clock(tz),
        })
    }

    fn opt_time(&self, t: Option<&Timestamp>) -> Value {
        t.map_or(Value::Null, |t| self.time(t))
    }

    fn url(&self, path: &str) -> String {
        self.site.config.url(path)
    }

    /// Term links of taxonomy `t` (0 services, 1 regions, 2 errors, 3 tags).
    fn links<'s>(&self, t: usize, names: impl IntoIterator<Item = &'s str>) -> Value {
        let tax = &self.site.taxonomies[t];
        names
            .into_iter()
            .map(|n| json!({"name": n, "url": tax.term_url(&self.site.config, n)}))
            .collect()
    }

    pub fn common(&self, path: &str) -> Value {
        let c = &self.site.config;
        let section = path.split('/').next().unwrap_or_default();
        let nav: Vec<Value> = [("Incidents", "incidents"), ("News", "news"), ("Services", "services"), ("Regions", "regions"), ("Errors", "errors"), ("History", "history"), ("Stats", "stats"), ("Actions", "actions"), ("Search", "search")]
            .iter()
            .map(|(title, p)| json!({"title": title, "url": self.url(&format!("{p}/")), "current": section == *p}))
            .collect();
        json!({
            "site": {
                "title": c.title, "description": c.description, "language": c.language,
                "base_url": c.base_url, "base_path": c.base_path(), "timezone": c.timezone_name,
            },
            "canonical": c.abs_url(path),
            "description": c.description,
            "nav": nav,
            "feeds": [
                {"title": format!("{} (Atom)", c.title), "url": self.url("atom.xml"), "type": "application/atom+xml"},
                {"title": format!("{} (JSON Feed)", c.title), "url": self.url("feed.json"), "type": "application/feed+json"},
            ],
            "assets": {
                "style": self.url("style.css"), "syntax_light": self.url("syntax-light.css"),
                "syntax_dark": self.url("syntax-dark.css"), "search_js": self.url("search.js"),
            },
        })
    }

    pub fn is_open(inc: &Incident) -> bool {
        inc.status != Status::Resolved && inc.classification != Classification::Maintenance
    }

    pub fn last_update(inc: &Incident) -> &Timestamp {
        inc.timeline.last().map_or(&inc.started, |e| &e.at)
    }

    /// The time a feed uses as "updated" for an incident.
    pub fn updated(inc: &Incident) -> &Timestamp {
        match &inc.resolved {
            Some(r) if r.sort_key() >= Self::last_update(inc).sort_key() => r,
            _ => Self::last_update(inc),
        }
    }

    fn maintenance(&self, inc: &Incident) -> Value {
        let Some(w) = &inc.window else {
            return Value::Null;
        };
        let tz = &self.site.config.timezone;
        let now = Timestamp::Instant(self.now.0);
        let (state, label) = if now.cmp_in(&w.start, tz).is_lt() {
            ("upcoming", "Upcoming")
        } else if now.cmp_in(&w.end, tz).is_lt() {
            ("in-progress", "In progress")
        } else {
            ("completed", "Completed")
        };
        json!({"state": state, "state_label": label, "start": self.time(&w.start), "end": self.time(&w.end)})
    }

    pub fn card(&self, i: usize) -> Value {
        let inc = &self.site.incidents[i];
        let summary = inc
            .summary
            .clone()
            .unwrap_or_else(|| self.site.incident_html[i].body.summary.clone());
        let duration = inc
            .resolved
            .as_ref()
            .and_then(|r| inc.started.seconds_until(r))
            .map(format_duration);
        json!({
            "id": inc.id, "title": inc.title, "url": self.url(&incident_path(&inc.id)),
            "status": inc.status.as_str(), "status_label": inc.status.label(),
            "severity": inc.severity.map(|s| s.as_str()),
            "classification": inc.classification.as_str(),
            "classification_label": capitalise(inc.classification.as_str()),
            "services": self.links(0, inc.services.iter().map(String::as_str)),
            "regions": self.links(1, inc.regions.iter().map(String::as_str)),
            "started": self.time(&inc.started),
            "resolved": self.opt_time(inc.resolved.as_ref()),
            "last_update": self.time(Self::last_update(inc)),
            "summary": summary,
            "open": inc.status != Status::Resolved,
            "duration": duration,
            "maintenance": self.maintenance(inc),
        })
    }

    pub fn story_card(&self, n: usize) -> Value {
        let s = &self.site.news[n];
        let incidents: Vec<Value> = s
            .incidents
            .iter()
            .filter_map(|id| self.site.index.get(&id.key()))
            .map(|&i| {
                let inc = &self.site.incidents[i];
                json!({"id": inc.id, "title": inc.title, "url": self.url(&incident_path(&inc.id)), "status": inc.status.as_str(), "status_label": inc.status.label()})
            })
            .collect();
        json!({
            "title": s.title, "url": self.url(&news_path(&s.slug)),
            "date": self.time(&s.date), "updated": self.opt_time(s.updated.as_ref()),
            "authors": s.authors,
            "summary": s.summary.clone().unwrap_or_else(|| self.site.news_html[n].summary.clone()),
            "incidents": incidents,
            "tags": self.links(3, s.tags.iter().map(String::as_str)),
        })
    }

    pub fn home(&self) -> Value {
        let site = self.site;
        let open: Vec<usize> = (0..site.incidents.len())
            .filter(|&i| Self::is_open(&site.incidents[i]))
            .collect();
        // One banner row per service with open incidents: the worst status wins.
        let mut services: std::collections::BTreeMap<&str, (Status, Vec<usize>)> =
            Default::default();
        for &i in &open {
            let inc = &site.incidents[i];
            for s in &inc.services {
                let e = services
                    .entry(s.as_str())
                    .or_insert((inc.status, Vec::new()));
                e.0 = e.0.min(inc.status); // Investigating < Identified < Monitoring: lower is worse
                e.1.push(i);
            }
        }
        let service_status: Vec<Value> = services
            .iter()
            .map(|(name, (status, incs))| {
                json!({
                    "name": name, "url": site.taxonomies[0].term_url(&site.config, name),
                    "status": status.as_str(), "status_label": status.label(),
                    "incidents": incs.iter().map(|&i| json!({"id": site.incidents[i].id, "title": site.incidents[i].title, "url": self.url(&incident_path(&site.incidents[i].id))})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let tz = &site.config.timezone;
        let now = Timestamp::Instant(self.now.0);
        let upcoming: Vec<Value> = (0..site.incidents.len())
            .filter(|&i| {
                site.incidents[i]
                    .window
                    .as_ref()
                    .is_some_and(|w| !now.cmp_in(&w.end, tz).is_ge())
            })
            .map(|i| self.card(i))
            .collect();
        let latest: Vec<Value> = (0..site.incidents.len())
            .filter(|&i| !Self::is_open(&site.incidents[i]))
            .take(LATEST)
            .map(|i| self.card(i))
            .collect();
        json!({
            "page_title": site.config.title,
            "page_kind": "home",
            "intro": site.home.as_ref().map(|(h, r)| json!({"title": h.title, "html": r.html})),
            "service_status": service_status,
            "open_incidents": open.iter().map(|&i| self.card(i)).collect::<Vec<_>>(),
            "upcoming_maintenance": upcoming,
            "latest_news": (0..site.news.len().min(5)).map(|n| self.story_card(n)).collect::<Vec<_>>(),
            "latest_incidents": latest,
        })
    }

    pub fn incident(&self, i: usize) -> Value {
        let site = self.site;
        let inc = &site.incidents[i];
        let html = &site.incident_html[i];
        let mut v = self.card(i);
        let open = inc.status != Status::Resolved;
        let mut metrics = Vec::new();
        let mut metric = |label: &str, to: Option<&Timestamp>| {
            if let Some(s) = to.and_then(|t| inc.started.seconds_until(t)) {
                metrics.push(json!({"label": label, "value": format_duration(s)}));
            }
        };
        metric("Time to detect", inc.detected.as_ref());
        metric("Time to acknowledge", inc.acknowledged.as_ref());
        metric("Time to mitigate", inc.mitigated.as_ref());
        if open && inc.classification != Classification::Maintenance {
            let now = Timestamp::Instant(self.now.0);
            if let Some(s) = inc.started.seconds_until(&now).filter(|s| *s >= 0) {
                metrics.push(json!({"label": "Open for", "value": format_duration(s)}));
            }
        } else {
            metric("Duration", inc.resolved.as_ref());
        }
        let errors: Vec<Value> = inc
            .errors
            .iter()
            .map(|e| json!({"code": e.code, "message": e.message, "url": site.taxonomies[2].term_url(&site.config, e.term())}))
            .collect();
        let timeline: Vec<Value> = inc
            .timeline
            .iter()
            .zip(&html.timeline)
            .map(|(e, h)| json!({"at": self.time(&e.at), "status": e.status.map(|s| s.as_str()), "status_label": e.status.map(|s| s.label()), "html": h}))
            .collect();
        let related: Vec<Value> = inc
            .related
            .iter()
            .map(|r| match r {
                Related::Incident { id, note } => {
                    let t = site.index.get(&id.key()).map(|&t| &site.incidents[t]);
                    json!({
                        "internal": true, "id": t.map_or(id, |t| &t.id), "title": t.map_or(id.as_str(), |t| t.title.as_str()),
                        "url": self.url(&incident_path(id)), "note": note,
                        "date": t.map(|t| self.time(&t.started)),
                        "status": t.map(|t| t.status.as_str()), "status_label": t.map(|t| t.status.label()),
                    })
                }
                Related::External { title, url, date, note } => json!({
                    "internal": false, "id": null, "title": title, "url": url, "note": note,
                    "date": self.opt_time(date.as_ref()), "status": null, "status_label": null,
                }),
            })
            .collect();
        let backlinks: Vec<Value> = site.backlinks[i]
            .iter()
            .map(|b| match *b {
                Backlink::Incident(j) => {
                    let o = &site.incidents[j];
                    json!({"kind": "incident", "title": o.title, "url": self.url(&incident_path(&o.id)), "id": o.id, "date": self.time(&o.started)})
                }
                Backlink::News(n) => {
                    let s = &site.news[n];
                    json!({"kind": "news", "title": s.title, "url": self.url(&news_path(&s.slug)), "id": null, "date": self.time(&s.date)})
                }
            })
            .collect();
        let takes: Vec<Value> = inc
            .takes
            .iter()
            .zip(&html.takes)
            .map(|((aud, _), h)| json!({"audience": aud, "label": take_label(aud), "html": h}))
            .collect();
        let actions: Vec<Value> = inc
            .actions
            .iter()
            .map(|a| json!({"text": a.text, "owner": a.owner, "status": a.status.as_str(), "due": self.opt_time(a.due.as_ref())}))
            .collect();
        let extra = json!({
            "detected": self.opt_time(inc.detected.as_ref()),
            "acknowledged": self.opt_time(inc.acknowledged.as_ref()),
            "mitigated": self.opt_time(inc.mitigated.as_ref()),
            "next_update": if open { self.opt_time(inc.next_update.as_ref()) } else { Value::Null },
            "metrics": metrics,
            "components": inc.components,
            "tags": self.links(3, inc.tags.iter().map(String::as_str)),
            "errors": errors, "timeline": timeline, "related": related, "backlinks": backlinks,
            "takes": takes, "actions": actions, "sources": inc.sources,
            "body_html": html.body.html,
            "headings": html.body.headings.iter().map(|h| json!({"level": h.level, "id": h.id, "text": h.text})).collect::<Vec<_>>(),
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

    pub fn story_page(&self, n: usize) -> Value {
        let mut v = self.story_card(n);
        v["body_html"] = json!(self.site.news_html[n].html);
        v["extra"] = self.site.news[n].extra.clone();
        json!({"page_title": self.site.news[n].title, "page_kind": "news", "description": v["summary"].clone(), "story": v})
    }

    pub fn page(&self, p: usize) -> Value {
        let page = &self.site.pages[p];
        json!({
            "page_title": page.title, "page_kind": "page",
            "page": {"title": page.title, "body_html": self.site.page_html[p].html, "extra": page.extra},
        })
    }

    pub(super) fn taxonomy_head(&self, t: usize) -> Value {
        let tax = &self.site.taxonomies[t];
        json!({"name": tax.name, "title": tax.title, "url": self.url(&format!("{}/", tax.name))})
    }

    pub fn taxonomy(&self, t: usize) -> Value {
        let tax = &self.site.taxonomies[t];
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
        json!({"page_title": tax.title, "page_kind": "taxonomy", "taxonomy": head})
    }

    pub fn search(&self) -> Value {
        let shards = super::search::shard_count(self.site.incidents.len() + self.site.news.len());
        json!({"page_title": "Search", "page_kind": "search", "search_index_url": self.url("search/index.json"), "search_shards": shards})
    }

    pub fn not_found(&self) -> Value {
        json!({"page_title": "Page not found", "page_kind": "404"})
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn take_label(audience: &str) -> String {
    match audience {
        "admin" | "admins" => "For admins".into(),
        "user" | "users" => "For users".into(),
        "developer" | "developers" => "For developers".into(),
        other => format!("For {}", other.replace(['_', '-'], " ")),
    }
}
