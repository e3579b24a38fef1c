//! The Statuspage public API v2 shape: the linked site and the status model in,
//! `/api/v2/summary.json`, `status.json`, `components.json`, `incidents.json`,
//! `incidents/unresolved.json`, `scheduled-maintenances.json` and its
//! `upcoming.json` and `active.json` out — Statuspage's field names and value
//! sets, so existing widgets and monitors read a sitrep site unchanged.

use super::format::{pretty, rfc3339};
use super::view::Builder;
use crate::ix::IncidentIx;
use crate::link::{Tax, incident_path};
use crate::model::{Classification, Incident, Status, TimelineEntry};
use crate::status::{GroupStatus, Impact, Phase, ServiceStatus};
use crate::time::Timestamp;
use serde_json::{Map, Value, json};

/// Incidents in `incidents.json` and `scheduled-maintenances.json`, as Statuspage.
const NEWEST: usize = 50;

/// What every document of one build shares: the page object and the
/// components (each built once; incidents embed their components).
struct Api<'a> {
    cx: &'a Builder<'a>,
    page: Value,
    page_id: String,
    /// Component objects by id (a service's slug, a group's id), in
    /// `position` order: the services by name, then the groups as written.
    components: Vec<(String, Value)>,
}

/// The latest time in the content: what happened (starts, timeline entries,
/// resolutions, news), never planned times (windows, promised updates) and never
/// the build clock.
fn content_updated(cx: &Builder) -> Option<Timestamp> {
    let incidents = cx.whole().incidents.iter().flat_map(|inc| {
        [
            Some(&inc.started),
            inc.detected.as_ref(),
            inc.acknowledged.as_ref(),
            inc.mitigated.as_ref(),
            inc.resolved.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(inc.timeline.iter().map(|e| &e.at))
    });
    let news = cx
        .whole()
        .news
        .iter()
        .flat_map(|n| std::iter::once(&n.date).chain(&n.updated));
    incidents.chain(news).max_by_key(|t| t.sort_key()).copied()
}

fn time(t: &Timestamp) -> String {
    rfc3339(t)
}

fn opt_time(t: Option<&Timestamp>) -> Value {
    t.map_or(Value::Null, |t| json!(time(t)))
}

/// An incident's latest timeline entry, else its start (FORMAT.md's `updated_at`).
fn updated_at(inc: &Incident) -> &Timestamp {
    inc.last_update()
}

impl<'a> Api<'a> {
    fn new(cx: &'a Builder<'a>) -> Api<'a> {
        let c = cx.config();
        let page_id = crate::slug::slugify(
            c.base_url
                .split_once("://")
                .map_or(c.base_url.as_str(), |(_, r)| r),
        );
        let updated = content_updated(cx);
        let page = json!({
            "id": page_id, "name": c.title, "url": c.base_url,
            "time_zone": c.timezone_name, "updated_at": opt_time(updated.as_ref()),
        });
        let mut api = Api {
            cx,
            page,
            page_id,
            components: Vec::new(),
        };
        api.components = cx
            .status()
            .services
            .iter()
            .enumerate()
            .map(|(n, s)| (s.slug.clone(), api.component(n, s)))
            .collect();
        let first = api.components.len();
        let groups: Vec<(String, Value)> = (cx.status().groups.iter().enumerate())
            .map(|(n, g)| (g.id.clone(), api.group(first + n, g)))
            .collect();
        api.components.extend(groups);
        api
    }

    /// The first start and the latest update of these services' incidents:
    /// content times only.
    fn times<'s>(&self, slugs: impl Iterator<Item = &'s str>) -> (Value, Value) {
        let site = self.cx.whole();
        let terms = &site.taxonomy(Tax::Services).terms;
        let incidents: Vec<IncidentIx> = slugs
            .filter_map(|s| terms.get(s))
            .flat_map(|t| t.incidents.iter().copied())
            .collect();
        let created = incidents
            .iter()
            .map(|&i| &site.incidents[i].started)
            .min_by_key(|t| t.sort_key());
        let updated = incidents
            .iter()
            .map(|&i| updated_at(&site.incidents[i]))
            .max_by_key(|t| t.sort_key());
        (opt_time(created), opt_time(updated))
    }

    fn component(&self, n: usize, s: &ServiceStatus) -> Value {
        let (created, updated) = self.times(std::iter::once(s.slug.as_str()));
        let group_id = self.cx.status().group_of(s).map(|g| g.id.as_str());
        json!({
            "id": s.slug, "name": s.name, "status": s.status.as_str(),
            "created_at": created, "updated_at": updated,
            "position": n + 1, "description": null, "showcase": false, "start_date": null,
            "group_id": group_id, "page_id": self.page_id, "group": false,
            "only_show_if_degraded": false,
        })
    }

    /// A `[groups]` group as Statuspage shows one: `group: true`, its
    /// members' ids in `components`, the worst member's status.
    fn group(&self, n: usize, g: &GroupStatus) -> Value {
        let services = &self.cx.status().services;
        let members: Vec<&str> = g
            .members
            .iter()
            .map(|&m| services[m].slug.as_str())
            .collect();
        let (created, updated) = self.times(members.iter().copied());
        json!({
            "id": g.id, "name": g.name, "status": g.status.as_str(),
            "created_at": created, "updated_at": updated,
            "position": n + 1, "description": null, "showcase": false, "start_date": null,
            "group_id": null, "page_id": self.page_id, "group": true,
            "only_show_if_degraded": false, "components": members,
        })
    }

    fn doc(&self, key: &str, value: Value) -> String {
        let mut m = Map::new();
        m.insert("page".into(), self.page.clone());
        m.insert(key.into(), value);
        pretty(&Value::Object(m))
    }

    fn status(&self) -> Value {
        let ind = self.cx.status().indicator;
        json!({"indicator": ind.as_str(), "description": ind.description()})
    }

    fn components_of(&self, inc: &Incident) -> Vec<Value> {
        let slugs = &self.cx.whole().taxonomy(Tax::Services).slugs;
        inc.services
            .iter()
            .filter_map(|name| slugs.get(name))
            .filter_map(|slug| self.components.iter().find(|(s, _)| s == slug))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// One incident (or maintenance) in Statuspage's shape; `phase` is set for
    /// a maintenance entry with a window.
    fn incident(&self, i: IncidentIx) -> Value {
        let site = self.cx.whole();
        let inc = &site.incidents[i];
        let phase = self.cx.status().phases[i];
        let maintenance = inc.classification == Classification::Maintenance;
        let monitoring_at = inc
            .timeline
            .iter()
            .find(|e| e.status == Some(Status::Monitoring))
            .map(|e| &e.at);
        let resolved_at = inc
            .resolved
            .as_ref()
            .filter(|_| inc.status == Status::Resolved);
        let impact = if maintenance {
            "maintenance"
        } else {
            Impact::of(inc.severity).as_str()
        };
        let mut v = json!({
            "id": inc.id, "name": inc.title,
            "status": match phase.filter(|_| maintenance) {
                Some(p) => p.statuspage(),
                None => inc.status.as_str(),
            },
            "created_at": time(&inc.started), "updated_at": time(updated_at(inc)),
            "monitoring_at": opt_time(monitoring_at), "resolved_at": opt_time(resolved_at),
            "impact": impact, "shortlink": site.config.abs_url(&incident_path(&inc.id)),
            "started_at": time(&inc.started), "page_id": self.page_id,
            "incident_updates": self.updates(inc, maintenance),
            "components": self.components_of(inc),
        });
        if let (Some(w), true) = (&inc.window, maintenance) {
            v["scheduled_for"] = json!(time(&w.start));
            v["scheduled_until"] = json!(time(&w.end));
        }
        v
    }

    /// The timeline as `incident_updates`, newest first. An entry without a
    /// status carries the one before it (an incident starts `investigating`).
    fn updates(&self, inc: &Incident, maintenance: bool) -> Vec<Value> {
        let key = inc.id.key();
        let mut status = Status::Investigating;
        let mut out: Vec<Value> = inc
            .timeline
            .iter()
            .enumerate()
            .map(|(n, e)| {
                status = e.status.unwrap_or(status);
                let word = if maintenance {
                    maintenance_update(inc, e, status)
                } else {
                    status.as_str()
                };
                let at = time(&e.at);
                json!({
                    "id": format!("{key}-{}", n + 1), "incident_id": inc.id, "status": word,
                    "body": e.text, "created_at": at, "updated_at": at, "display_at": at,
                    "affected_components": null, "deliver_notifications": true,
                    "custom_tweet": null, "tweet_id": null,
                })
            })
            .collect();
        out.reverse();
        out
    }

    fn list(&self, items: impl Iterator<Item = IncidentIx>) -> Value {
        Value::Array(items.map(|i| self.incident(i)).collect())
    }
}

/// A maintenance update's Statuspage status: `completed` once resolved,
/// `verifying` while monitoring, else `scheduled` before the window and
/// `in_progress` from its start.
fn maintenance_update(inc: &Incident, e: &TimelineEntry, status: Status) -> &'static str {
    match status {
        Status::Resolved => "completed",
        Status::Monitoring => "verifying",
        _ => match &inc.window {
            Some(w) if e.at.sort_key() < w.start.sort_key() => "scheduled",
            _ => "in_progress",
        },
    }
}

/// Every `/api/v2/` file (path, text).
pub(super) fn files(cx: &Builder) -> Vec<(String, String)> {
    let api = Api::new(cx);
    let site = cx.whole();
    let st = cx.status();
    let incidents = (site.incidents.iter_enumerated())
        .filter(|(_, inc)| inc.classification != Classification::Maintenance)
        .map(|(i, _)| i);
    // Maintenance newest window first, ties by ID, like every other list.
    let mut maint: Vec<IncidentIx> = (site.incidents.iter_enumerated())
        .filter(|&(i, inc)| {
            st.phases[i].is_some() && inc.classification == Classification::Maintenance
        })
        .map(|(i, _)| i)
        .collect();
    let start = |i: IncidentIx| site.incidents[i].window.map_or(0, |w| w.start.sort_key());
    maint.sort_by(|&a, &b| {
        start(b)
            .cmp(&start(a))
            .then_with(|| site.incidents[a].id.key().cmp(&site.incidents[b].id.key()))
    });
    let in_phase = |p: &[Phase]| {
        maint
            .iter()
            .copied()
            .filter(|&i| st.phases[i].is_some_and(|x| p.contains(&x)))
            .collect::<Vec<_>>()
    };
    let components = Value::Array(api.components.iter().map(|(_, v)| v.clone()).collect());
    let unresolved = api.list(st.open.iter().copied());
    let current = api.list(in_phase(&[Phase::Upcoming, Phase::InProgress]).into_iter());
    let mut summary = Map::new();
    summary.insert("page".into(), api.page.clone());
    summary.insert("components".into(), components.clone());
    summary.insert("incidents".into(), unresolved.clone());
    summary.insert("scheduled_maintenances".into(), current);
    summary.insert("status".into(), api.status());
    let sched = "scheduled_maintenances";
    vec![
        (
            "api/v2/summary.json".into(),
            pretty(&Value::Object(summary)),
        ),
        ("api/v2/status.json".into(), api.doc("status", api.status())),
        (
            "api/v2/components.json".into(),
            api.doc("components", components),
        ),
        (
            "api/v2/incidents.json".into(),
            api.doc("incidents", api.list(incidents.take(NEWEST))),
        ),
        (
            "api/v2/incidents/unresolved.json".into(),
            api.doc("incidents", unresolved),
        ),
        (
            "api/v2/scheduled-maintenances.json".into(),
            api.doc(sched, api.list(maint.iter().copied().take(NEWEST))),
        ),
        (
            "api/v2/scheduled-maintenances/upcoming.json".into(),
            api.doc(sched, api.list(in_phase(&[Phase::Upcoming]).into_iter())),
        ),
        (
            "api/v2/scheduled-maintenances/active.json".into(),
            api.doc(sched, api.list(in_phase(&[Phase::InProgress]).into_iter())),
        ),
    ]
}
