//! The status model: the linked [`Site`] and "now" in; each service's current
//! status (a Statuspage component status), each `[groups]` group's (its worst
//! member's), each maintenance window's phase and the site indicator out. The home banner, service pages, badges and
//! `/api/v2/` all read this one model, so they never disagree. Pure: no clock.

use crate::ix::{IncidentIx, TiVec};
use crate::link::{Site, Tax};
use crate::model::{Incident, Severity, Window};
use crate::time::Timestamp;
use jiff::tz::TimeZone;

/// A service's current status, with Statuspage's component status names.
/// Ordered from best to worst: the worst applicable one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ComponentStatus {
    Operational,
    UnderMaintenance,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

impl ComponentStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "operational",
            ComponentStatus::UnderMaintenance => "under_maintenance",
            ComponentStatus::DegradedPerformance => "degraded_performance",
            ComponentStatus::PartialOutage => "partial_outage",
            ComponentStatus::MajorOutage => "major_outage",
        }
    }

    /// The English word of the badges (pages use `service_status.<status>`).
    pub(crate) fn label(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "Operational",
            ComponentStatus::UnderMaintenance => "Under maintenance",
            ComponentStatus::DegradedPerformance => "Degraded performance",
            ComponentStatus::PartialOutage => "Partial outage",
            ComponentStatus::MajorOutage => "Major outage",
        }
    }

    /// Its weight in downtime (FORMAT.md, "Uptime"), in tenths: a major
    /// outage counts whole, a partial one 0.3, anything else nothing.
    pub(crate) fn downtime_tenths(self) -> u64 {
        match self {
            ComponentStatus::MajorOutage => 10,
            ComponentStatus::PartialOutage => 3,
            _ => 0,
        }
    }

    /// What one open incident of this severity does to a service it lists.
    pub(crate) fn of_severity(severity: Option<Severity>) -> ComponentStatus {
        match severity {
            Some(Severity::Critical) => ComponentStatus::MajorOutage,
            Some(Severity::Major) => ComponentStatus::PartialOutage,
            Some(Severity::Minor | Severity::None) | None => ComponentStatus::DegradedPerformance,
        }
    }
}

/// An incident's Statuspage `impact`: its severity, `none` when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Impact {
    None,
    Minor,
    Major,
    Critical,
}

impl Impact {
    pub(crate) fn of(severity: Option<Severity>) -> Impact {
        match severity {
            Some(Severity::Critical) => Impact::Critical,
            Some(Severity::Major) => Impact::Major,
            Some(Severity::Minor) => Impact::Minor,
            Some(Severity::None) | None => Impact::None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        Indicator::from(self).as_str()
    }
}

/// The site's `status.indicator`, with Statuspage's value set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Indicator {
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
}

impl From<Impact> for Indicator {
    fn from(i: Impact) -> Indicator {
        match i {
            Impact::None => Indicator::None,
            Impact::Minor => Indicator::Minor,
            Impact::Major => Indicator::Major,
            Impact::Critical => Indicator::Critical,
        }
    }
}

impl Indicator {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Indicator::None => "none",
            Indicator::Minor => "minor",
            Indicator::Major => "major",
            Indicator::Critical => "critical",
            Indicator::Maintenance => "maintenance",
        }
    }

    /// Statuspage's `status.description` for this indicator, English as in
    /// `/api/v2/` (pages use the interface string `site_status.<indicator>`).
    pub(crate) fn description(self) -> &'static str {
        match self {
            Indicator::None => "All Systems Operational",
            Indicator::Minor => "Minor Service Outage",
            Indicator::Major => "Partial System Outage",
            Indicator::Critical => "Major Service Outage",
            Indicator::Maintenance => "Service Under Maintenance",
        }
    }

    /// The indicator of a site whose open incidents have these impacts: the
    /// worst impact above `none`, else `maintenance` while a window is in
    /// progress, else `none`.
    pub(crate) fn of(
        open: impl IntoIterator<Item = Impact>,
        maintenance_in_progress: bool,
    ) -> Indicator {
        match open.into_iter().max() {
            Some(worst) if worst > Impact::None => worst.into(),
            _ if maintenance_in_progress => Indicator::Maintenance,
            _ => Indicator::None,
        }
    }
}

/// Where "now" is relative to a maintenance window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Phase {
    Upcoming,
    InProgress,
    Completed,
}

impl Phase {
    pub(crate) fn of(window: &Window, now: jiff::Timestamp, tz: &TimeZone) -> Phase {
        let now = Timestamp::Instant(now);
        if now.cmp_in(&window.start, tz).is_lt() {
            Phase::Upcoming
        } else if now.cmp_in(&window.end, tz).is_lt() {
            Phase::InProgress
        } else {
            Phase::Completed
        }
    }

    /// The theme's CSS-friendly state name.
    pub(crate) fn state(self) -> &'static str {
        match self {
            Phase::Upcoming => "upcoming",
            Phase::InProgress => "in-progress",
            Phase::Completed => "completed",
        }
    }

    /// Statuspage's scheduled-maintenance `status`.
    pub(crate) fn statuspage(self) -> &'static str {
        match self {
            Phase::Upcoming => "scheduled",
            Phase::InProgress => "in_progress",
            Phase::Completed => "completed",
        }
    }
}

/// An incident that counts towards current status: not resolved, not maintenance.
pub(crate) fn is_open(inc: &Incident) -> bool {
    inc.is_open()
}

/// One service (a `services` term) and what it is doing now.
#[derive(Debug, Clone)]
pub(crate) struct ServiceStatus {
    pub name: String,
    pub slug: String,
    pub status: ComponentStatus,
    /// Open incidents listing it, newest first.
    pub open: Vec<IncidentIx>,
    /// Maintenance entries listing it whose window is in progress.
    pub maintenance: Vec<IncidentIx>,
    /// Its group, by index into [`StatusModel::groups`].
    pub group: Option<usize>,
}

/// A `[groups]` group: a component of its own whose status is its worst member's.
#[derive(Debug, Clone)]
pub(crate) struct GroupStatus {
    pub name: String,
    /// Its component id: `group-` and the slug of its name, unique among components.
    pub id: String,
    pub status: ComponentStatus,
    /// Its members, in the order `[groups]` lists them (indices into
    /// [`StatusModel::services`]).
    pub members: Vec<usize>,
}

/// The whole site's status at one "now".
#[derive(Debug, Clone)]
pub(crate) struct StatusModel {
    /// Every service, in name order (Statuspage's `position` is index + 1).
    pub services: Vec<ServiceStatus>,
    /// The `[groups]`, in the order written.
    pub groups: Vec<GroupStatus>,
    /// Open incidents, newest first.
    pub open: Vec<IncidentIx>,
    /// Per incident: the phase of its maintenance window, if it has one.
    pub phases: TiVec<IncidentIx, Option<Phase>>,
    pub indicator: Indicator,
}

impl StatusModel {
    pub(crate) fn service(&self, slug: &str) -> Option<&ServiceStatus> {
        self.services.iter().find(|s| s.slug == slug)
    }

    /// The group of a service, if it has one.
    pub(crate) fn group_of(&self, s: &ServiceStatus) -> Option<&GroupStatus> {
        s.group.map(|g| &self.groups[g])
    }
}

/// The groups of `[groups]` over `services` (name order): each member found
/// by its taxonomy slug, each group's status its worst member's. Sets each
/// member's `group`.
fn groups(site: &Site, services: &mut [ServiceStatus]) -> Vec<GroupStatus> {
    let slugs = &site.taxonomy(Tax::Services).slugs;
    let mut taken: std::collections::HashSet<String> =
        services.iter().map(|s| s.slug.clone()).collect();
    let mut out = Vec::new();
    for (g, group) in site.config.groups.iter().enumerate() {
        let members: Vec<usize> = group
            .services
            .iter()
            .filter_map(|name| slugs.get(name))
            .filter_map(|slug| services.iter().position(|s| &s.slug == slug))
            .collect();
        let status = members
            .iter()
            .map(|&m| services[m].status)
            .fold(ComponentStatus::Operational, Ord::max);
        for &m in &members {
            services[m].group = Some(g);
        }
        out.push(GroupStatus {
            name: group.name.clone(),
            id: group_id(&group.name, g, &mut taken),
            status,
            members,
        });
    }
    out
}

/// `group-<slug>`; a name without a slug, or one another component has, gets
/// its place (`group-3`) or a number on top, so ids stay unique and stable.
fn group_id(name: &str, g: usize, taken: &mut std::collections::HashSet<String>) -> String {
    let slug = crate::slug::term_slug(name);
    let base = if slug.is_empty() {
        format!("group-{}", g + 1)
    } else {
        format!("group-{slug}")
    };
    let mut id = base.clone();
    let mut n = 1;
    while taken.contains(&id) {
        n += 1;
        id = format!("{base}-{n}");
    }
    taken.insert(id.clone());
    id
}

pub(crate) fn compute(site: &Site, now: jiff::Timestamp) -> StatusModel {
    let tz = &site.config.timezone;
    let incidents = &site.incidents;
    let phases: TiVec<IncidentIx, Option<Phase>> = incidents
        .iter()
        .map(|inc| inc.window.as_ref().map(|w| Phase::of(w, now, tz)))
        .collect();
    let open: Vec<IncidentIx> = (incidents.iter_enumerated())
        .filter(|(_, inc)| is_open(inc))
        .map(|(i, _)| i)
        .collect();
    let mut services: Vec<ServiceStatus> = site
        .taxonomy(Tax::Services)
        .terms
        .values()
        .map(|term| {
            let open: Vec<IncidentIx> = term
                .incidents
                .iter()
                .copied()
                .filter(|&i| is_open(&incidents[i]))
                .collect();
            let maintenance: Vec<IncidentIx> = term
                .incidents
                .iter()
                .copied()
                .filter(|&i| phases[i] == Some(Phase::InProgress))
                .collect();
            let base = if maintenance.is_empty() {
                ComponentStatus::Operational
            } else {
                ComponentStatus::UnderMaintenance
            };
            let status = open
                .iter()
                .map(|&i| ComponentStatus::of_severity(incidents[i].severity))
                .fold(base, Ord::max);
            ServiceStatus {
                name: term.name.clone(),
                slug: term.slug.clone(),
                status,
                open,
                maintenance,
                group: None,
            }
        })
        .collect();
    services.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let groups = groups(site, &mut services);
    let in_progress = phases.contains(&Some(Phase::InProgress));
    let indicator = Indicator::of(
        open.iter().map(|&i| Impact::of(incidents[i].severity)),
        in_progress,
    );
    StatusModel {
        services,
        groups,
        open,
        phases,
        indicator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_to_component_statuses() {
        use ComponentStatus as C;
        assert_eq!(C::of_severity(Some(Severity::Critical)), C::MajorOutage);
        assert_eq!(C::of_severity(Some(Severity::Major)), C::PartialOutage);
        assert_eq!(
            C::of_severity(Some(Severity::Minor)),
            C::DegradedPerformance
        );
        assert_eq!(C::of_severity(Some(Severity::None)), C::DegradedPerformance);
        assert_eq!(C::of_severity(None), C::DegradedPerformance);
        // Any open incident is worse than maintenance, which is worse than nothing.
        assert!(C::Operational < C::UnderMaintenance);
        assert!(C::UnderMaintenance < C::DegradedPerformance);
        assert!(C::PartialOutage < C::MajorOutage);
        assert_eq!(C::PartialOutage.as_str(), "partial_outage");
    }

    #[test]
    fn indicator_is_the_worst_impact_else_maintenance() {
        use Impact as I;
        fn of<const N: usize>(i: [Impact; N], m: bool) -> Indicator {
            Indicator::of(i, m)
        }
        assert_eq!(of([], false), Indicator::None);
        assert_eq!(of([], true), Indicator::Maintenance);
        assert_eq!(of([I::None], true), Indicator::Maintenance);
        assert_eq!(of([I::None], false), Indicator::None);
        assert_eq!(
            of([I::Minor, I::Critical, I::Major], true),
            Indicator::Critical
        );
        assert_eq!(of([I::Minor, I::Major], false), Indicator::Major);
        assert_eq!(Indicator::None.description(), "All Systems Operational");
        assert_eq!(Indicator::Critical.description(), "Major Service Outage");
        assert_eq!(Indicator::Maintenance.as_str(), "maintenance");
        assert_eq!(Impact::of(None).as_str(), "none");
        assert_eq!(Impact::of(Some(Severity::Major)).as_str(), "major");
    }

    #[test]
    fn windows_are_upcoming_in_progress_then_completed() {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let w = Window {
            start: t("2026-06-01T10:00:00Z"),
            end: t("2026-06-01T12:00:00Z"),
        };
        let at = |s: &str| Phase::of(&w, t(s).instant().unwrap(), &TimeZone::UTC);
        assert_eq!(at("2026-06-01T09:59:59Z"), Phase::Upcoming);
        assert_eq!(at("2026-06-01T10:00:00Z"), Phase::InProgress);
        assert_eq!(at("2026-06-01T11:59:59Z"), Phase::InProgress);
        assert_eq!(at("2026-06-01T12:00:00Z"), Phase::Completed);
        assert_eq!(Phase::InProgress.statuspage(), "in_progress");
        assert_eq!(Phase::Upcoming.statuspage(), "scheduled");
    }
}
