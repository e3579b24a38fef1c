//! Pieces many pages share: an incident's card, a story's card, a service's
//! status and badges, a maintenance state, a taxonomy's heading. The view in
//! (`view.rs`), typed template values out (docs/templates.md, "Shared
//! shapes"), each borrowing from the site and noting what it reads.

use super::view::{Builder, Link, Time};
use crate::ix::{IncidentIx, StoryIx};
use crate::link::{Tax, incident_path, news_path};
use crate::model::IncidentId;
use crate::status::{Phase, ServiceStatus};
use serde::Serialize;

/// `maintenance` of a card: the window's state and times.
#[derive(Serialize)]
pub(crate) struct Maintenance {
    state: &'static str,
    state_label: String,
    start: Time,
    end: Time,
    calendar_url: String,
}

/// **card**: an incident in a list.
#[derive(Serialize)]
pub(crate) struct IncidentCard<'a> {
    pub id: &'a IncidentId,
    pub title: &'a str,
    pub url: String,
    pub status: &'static str,
    pub status_label: String,
    pub severity: Option<&'static str>,
    pub severity_label: Option<String>,
    pub classification: &'static str,
    pub classification_label: String,
    pub services: Vec<Link<'a>>,
    pub regions: Vec<Link<'a>>,
    pub started: Time,
    pub resolved: Option<Time>,
    pub last_update: Time,
    pub summary: &'a str,
    pub open: bool,
    pub duration: Option<String>,
    pub maintenance: Option<Maintenance>,
    pub postmortem_published: Option<Time>,
    pub internal_only: bool,
}

/// An incident named by another page: `{id, title, url, status, status_label}`.
#[derive(Serialize)]
pub(crate) struct IncidentRef<'a> {
    id: &'a IncidentId,
    title: &'a str,
    url: String,
    status: &'static str,
    status_label: String,
}

/// **story card**: a news story in a list.
#[derive(Serialize)]
pub(crate) struct StoryCard<'a> {
    pub title: &'a str,
    pub url: String,
    pub date: Time,
    pub updated: Option<Time>,
    pub authors: &'a [String],
    pub summary: &'a str,
    pub incidents: Vec<IncidentRef<'a>>,
    pub tags: Vec<Link<'a>>,
    pub internal_only: bool,
}

/// An open incident or maintenance of a service: `{id, title, url}`.
#[derive(Serialize)]
pub(super) struct IncidentLink<'a> {
    id: &'a IncidentId,
    title: &'a str,
    url: String,
}

/// A service's current status (home banner, service page).
#[derive(Serialize)]
pub(crate) struct ServiceState<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    status: &'static str,
    status_label: String,
    incidents: Vec<IncidentLink<'a>>,
}

/// A service's 90-day figures (page 1 of its page, `/stats/`).
#[derive(Serialize)]
pub(super) struct Figures<'a> {
    pub uptime: String,
    pub uptime_percent: f64,
    pub incidents_90d: usize,
    pub group: Option<&'a str>,
    pub uptime_days: i64,
}

/// `service` of a `/services/<slug>/` page: its status, group, badges and,
/// on page 1, its 90-day figures.
#[derive(Serialize)]
pub(crate) struct ServicePage<'a> {
    #[serde(flatten)]
    state: ServiceState<'a>,
    group: Option<&'a str>,
    badge: Badge,
    uptime: Option<String>,
    #[serde(flatten)]
    figures: Option<PageOneFigures>,
}

/// The figures only page 1 of a service carries.
#[derive(Serialize)]
struct PageOneFigures {
    uptime_percent: f64,
    incidents_90d: usize,
    uptime_days: i64,
}

#[derive(Serialize)]
struct Badge {
    svg_url: String,
    shields_url: String,
    markdown_svg: String,
    markdown_shields: String,
}

/// `taxonomy`: `{name, title, url}`.
#[derive(Serialize)]
pub(crate) struct TaxonomyHead<'a> {
    name: &'static str,
    title: &'a str,
    url: String,
}

impl<'a> Builder<'a> {
    pub(super) fn maintenance(&self, i: IncidentIx) -> Option<Maintenance> {
        let (Some(w), Some(phase)) = (&self.incident(i).window, self.phase(i)) else {
            return None;
        };
        let key = match phase {
            Phase::Upcoming => "maintenance.upcoming",
            Phase::InProgress => "maintenance.in_progress",
            Phase::Completed => "maintenance.completed",
        };
        Some(Maintenance {
            state: phase.state(),
            state_label: self.strings.get(key).to_string(),
            start: self.time(&w.start),
            end: self.time(&w.end),
            calendar_url: self.url("maintenance.ics"),
        })
    }

    pub(crate) fn card(&self, i: IncidentIx) -> IncidentCard<'a> {
        let inc = self.incident(i);
        let duration = (inc.resolved.as_ref())
            .and_then(|r| inc.started.seconds_until(r))
            .map(|s| self.duration(s));
        let severity = inc.severity.map(|s| s.as_str());
        let class = inc.classification.as_str();
        IncidentCard {
            id: &inc.id,
            title: &inc.title,
            url: self.url(&incident_path(&inc.id)),
            status: inc.status.as_str(),
            status_label: self.status_label(inc.status),
            severity,
            severity_label: severity
                .map(|s| self.strings.get(&format!("severity.{s}")).to_string()),
            classification: class,
            classification_label: self
                .strings
                .get(&format!("classification.{class}"))
                .to_string(),
            services: self.links(Tax::Services, inc.services.iter().map(String::as_str)),
            regions: self.links(Tax::Regions, inc.regions.iter().map(String::as_str)),
            started: self.time(&inc.started),
            resolved: self.opt_time(inc.resolved.as_ref()),
            last_update: self.time(inc.last_update()),
            summary: self.summary(i),
            open: inc.unresolved(),
            duration,
            maintenance: self.maintenance(i),
            postmortem_published: self.opt_time(inc.postmortem_published()),
            internal_only: inc.internal,
        }
    }

    /// Incident `i` as another page names it.
    pub(super) fn incident_ref(&self, i: IncidentIx) -> IncidentRef<'a> {
        let inc = self.incident(i);
        IncidentRef {
            id: &inc.id,
            title: &inc.title,
            url: self.url(&incident_path(&inc.id)),
            status: inc.status.as_str(),
            status_label: self.status_label(inc.status),
        }
    }

    pub(crate) fn story_card(&self, n: StoryIx) -> StoryCard<'a> {
        let s = self.story(n);
        let incidents = (s.incidents.iter())
            .filter_map(|id| self.find(&id.key()))
            .map(|i| self.incident_ref(i))
            .collect();
        StoryCard {
            title: &s.title,
            url: self.url(&news_path(&s.slug)),
            date: self.time(&s.date),
            updated: self.opt_time(s.updated.as_ref()),
            authors: &s.authors,
            summary: s.summary.as_deref().unwrap_or(&self.story_html(n).summary),
            incidents,
            tags: self.links(Tax::Tags, s.tags.iter().map(String::as_str)),
            internal_only: s.internal,
        }
    }

    /// A service's current status for templates (home banner, service page).
    pub(super) fn service_status(&self, s: &'a ServiceStatus) -> ServiceState<'a> {
        let link = |&i: &IncidentIx| {
            let inc = self.incident(i);
            IncidentLink {
                id: &inc.id,
                title: &inc.title,
                url: self.url(&incident_path(&inc.id)),
            }
        };
        ServiceState {
            name: &s.name,
            slug: &s.slug,
            url: self.url(&format!("services/{}/", s.slug)),
            status: s.status.as_str(),
            status_label: self
                .strings
                .get(&format!("service_status.{}", s.status.as_str()))
                .to_string(),
            incidents: s.open.iter().chain(&s.maintenance).map(link).collect(),
        }
    }

    /// A `services` term's current status and badges (`None` for other
    /// taxonomies); page 1 (`with_figures`) adds the 90-day figures, which
    /// read every incident of the service and "now".
    pub(super) fn service_page(
        &self,
        t: Tax,
        slug: &str,
        with_figures: bool,
    ) -> Option<ServicePage<'a>> {
        if t != Tax::Services {
            return None;
        }
        let s = self.service(slug)?;
        let (markdown_svg, markdown_shields) = super::badges::markdown(self, s);
        let figures = with_figures.then(|| self.service_figures(s));
        Some(ServicePage {
            state: self.service_status(s),
            group: self.group_name(s),
            badge: Badge {
                svg_url: self.url(&super::badges::svg_path(slug)),
                shields_url: self.url(&super::badges::shields_path(slug)),
                markdown_svg,
                markdown_shields,
            },
            uptime: figures.as_ref().map(|f| f.uptime.clone()),
            figures: figures.map(|f| PageOneFigures {
                uptime_percent: f.uptime_percent,
                incidents_90d: f.incidents_90d,
                uptime_days: f.uptime_days,
            }),
        })
    }

    pub(super) fn taxonomy_head(&self, t: Tax) -> TaxonomyHead<'a> {
        let name = self.taxonomy_name(t);
        TaxonomyHead {
            name,
            title: self.taxonomy_title(t),
            url: self.url(&format!("{name}/")),
        }
    }

    /// `Regions`, `Services`…: the taxonomy's name in the site's language.
    /// (`nav.<taxonomy>`; the built-in English title when no string has it).
    pub(super) fn taxonomy_title(&self, t: Tax) -> &'a str {
        let strings: &'a crate::i18n::Strings = self.strings;
        strings
            .lookup(&format!("nav.{}", self.taxonomy_name(t)))
            .unwrap_or(t.title())
    }
}
