//! Pieces many pages share: an incident's card, a story's card, a service's
//! status and badges, a maintenance state, a taxonomy's heading. The view in
//! (`view.rs`), JSON values for the templates out, each noting what it reads.

use super::view::Builder;
use crate::link::{Tax, incident_path, news_path};
use crate::status::{Phase, ServiceStatus};
use serde_json::{Value, json};

impl Builder<'_> {
    pub(super) fn maintenance(&self, i: usize) -> Value {
        let (Some(w), Some(phase)) = (&self.incident(i).window, self.phase(i)) else {
            return Value::Null;
        };
        let key = match phase {
            Phase::Upcoming => "maintenance.upcoming",
            Phase::InProgress => "maintenance.in_progress",
            Phase::Completed => "maintenance.completed",
        };
        json!({
            "state": phase.state(), "state_label": self.strings.get(key),
            "start": self.time(&w.start), "end": self.time(&w.end),
            "calendar_url": self.url("maintenance.ics"),
        })
    }

    pub fn card(&self, i: usize) -> Value {
        let inc = self.incident(i);
        let summary = self.summary(i);
        let duration = inc
            .resolved
            .as_ref()
            .and_then(|r| inc.started.seconds_until(r))
            .map(|s| self.duration(s));
        json!({
            "id": inc.id, "title": inc.title, "url": self.url(&incident_path(&inc.id)),
            "status": inc.status.as_str(), "status_label": self.status_label(inc.status),
            "severity": inc.severity.map(|s| s.as_str()),
            "severity_label": inc.severity.map(|s| self.strings.get(&format!("severity.{}", s.as_str())).to_string()),
            "classification": inc.classification.as_str(),
            "classification_label": self.strings.get(&format!("classification.{}", inc.classification.as_str())),
            "services": self.links(Tax::Services, inc.services.iter().map(String::as_str)),
            "regions": self.links(Tax::Regions, inc.regions.iter().map(String::as_str)),
            "started": self.time(&inc.started),
            "resolved": self.opt_time(inc.resolved.as_ref()),
            "last_update": self.time(inc.last_update()),
            "summary": summary,
            "open": inc.unresolved(),
            "duration": duration,
            "maintenance": self.maintenance(i),
            "postmortem_published": self.opt_time(inc.postmortem_published()),
            "internal_only": inc.internal,
        })
    }

    pub fn story_card(&self, n: usize) -> Value {
        let s = self.story(n);
        let incidents: Vec<Value> = s
            .incidents
            .iter()
            .filter_map(|id| self.find(&id.key()))
            .map(|i| {
                let inc = self.incident(i);
                json!({"id": inc.id, "title": inc.title, "url": self.url(&incident_path(&inc.id)), "status": inc.status.as_str(), "status_label": self.status_label(inc.status)})
            })
            .collect();
        json!({
            "title": s.title, "url": self.url(&news_path(&s.slug)),
            "date": self.time(&s.date), "updated": self.opt_time(s.updated.as_ref()),
            "authors": s.authors,
            "summary": s.summary.clone().unwrap_or_else(|| self.story_html(n).summary.clone()),
            "incidents": incidents,
            "tags": self.links(Tax::Tags, s.tags.iter().map(String::as_str)),
            "internal_only": s.internal,
        })
    }

    /// A service's current status for templates (home banner, service page).
    pub(super) fn service_status(&self, s: &ServiceStatus) -> Value {
        let link = |&i: &usize| {
            let inc = self.incident(i);
            json!({"id": inc.id, "title": inc.title, "url": self.url(&incident_path(&inc.id))})
        };
        json!({
            "name": s.name, "slug": s.slug, "url": self.url(&format!("services/{}/", s.slug)),
            "status": s.status.as_str(), "status_label": self.strings.get(&format!("service_status.{}", s.status.as_str())),
            "incidents": s.open.iter().chain(&s.maintenance).map(link).collect::<Vec<_>>(),
        })
    }

    /// A `services` term's current status and badges; `null` for other taxonomies.
    pub(super) fn service_page(&self, t: usize, slug: &str) -> Value {
        if t != Tax::Services as usize {
            return Value::Null;
        }
        let Some(s) = self.service(slug) else {
            return Value::Null;
        };
        let (svg_md, shields_md) = super::badges::markdown(self, s);
        let mut v = self.service_status(s);
        // The 90-day figures are page 1's (`Builder::term`): they read every
        // incident of the service and "now".
        v["uptime"] = Value::Null;
        v["group"] = json!(self.group_name(s));
        v["badge"] = json!({
            "svg_url": self.url(&super::badges::svg_path(slug)),
            "shields_url": self.url(&super::badges::shields_path(slug)),
            "markdown_svg": svg_md, "markdown_shields": shields_md,
        });
        v
    }

    pub(super) fn taxonomy_head(&self, t: usize) -> Value {
        let name = self.taxonomy_name(t);
        json!({"name": name, "title": self.taxonomy_title(t), "url": self.url(&format!("{name}/"))})
    }

    /// `Regions`, `Services`…: the taxonomy's name in the site's language.
    /// (`nav.<taxonomy>`; the built-in English title when no string has it).
    pub(super) fn taxonomy_title(&self, t: usize) -> &str {
        self.strings
            .lookup(&format!("nav.{}", self.taxonomy_name(t)))
            .unwrap_or(crate::link::TAXONOMIES[t].1)
    }
}
