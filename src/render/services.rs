//! Per-service figures: the status model and each service's incidents in;
//! its group, its uptime over the 90 days that end now (`crate::uptime`) and
//! its incidents in that window out — for service pages, the `/stats/` table
//! and `/api/services.json`. Each figure notes what it reads, for serve.

use super::format::pretty;
use super::fragments::Figures;
use super::reads::List;
use super::view::Builder;
use crate::ix::IncidentIx;
use crate::link::Tax;
use crate::status::ServiceStatus;
use crate::uptime::{Downtime, Uptime};
use serde_json::{Value, json};

/// `/api/services.json`.
pub(super) const PATH: &str = "api/services.json";

impl<'a> Builder<'a> {
    /// The incidents of service `slug`: it reads each of them, and "now".
    fn service_incidents(&self, slug: &str) -> Vec<IncidentIx> {
        self.members(List::Term(Tax::Services, slug.to_string()))
    }

    /// The weighted downtime of service `slug`.
    pub(super) fn downtime(&self, slug: &str) -> Downtime {
        let incidents = self.service_incidents(slug);
        let now = self.now().0;
        Downtime::of(
            incidents.iter().map(|&i| self.incident(i)),
            now,
            &self.config().timezone,
        )
    }

    /// `99.95 %` in the site's language (`99,95 %`).
    pub(super) fn uptime_text(&self, u: Uptime) -> String {
        let value = u.two_decimals(self.strings.get("uptime.decimal"));
        self.strings.fmt("uptime.percent", &[("value", &value)])
    }

    /// A service's 90-day figures: uptime and incidents in the window.
    fn figures(&self, s: &ServiceStatus) -> (Uptime, usize) {
        let tz = &self.config().timezone;
        let now = self.now().0;
        let window = crate::uptime::window(now, tz);
        let incidents = self.service_incidents(&s.slug);
        let list = || incidents.iter().map(|&i| self.incident(i));
        let uptime = Downtime::of(list(), now, tz).over(window);
        (uptime, crate::uptime::incidents_in(list(), now, tz))
    }

    /// The service page's 90-day uptime and group.
    pub(super) fn service_figures(&self, s: &ServiceStatus) -> Figures<'a> {
        let (uptime, incidents) = self.figures(s);
        Figures {
            uptime: self.uptime_text(uptime),
            uptime_percent: uptime.percent(),
            incidents_90d: incidents,
            group: self.group_name(s),
            uptime_days: crate::uptime::DAYS,
        }
    }

    /// The `/stats/` uptime table: every service, in name order.
    pub(super) fn uptime_table(&self) -> Vec<UptimeRow<'a>> {
        (self.status().services.iter())
            .map(|s| UptimeRow {
                figures: self.service_figures(s),
                name: &s.name,
                url: self.url(&format!("services/{}/", s.slug)),
            })
            .collect()
    }
}

/// A row of the `/stats/` uptime table.
#[derive(serde::Serialize)]
pub(super) struct UptimeRow<'a> {
    #[serde(flatten)]
    figures: Figures<'a>,
    name: &'a str,
    url: String,
}

/// `/api/services.json`: every service with its group, status, 90-day
/// uptime and incident count, in name order.
pub(super) fn file(cx: &Builder) -> String {
    let c = cx.config();
    let services: Vec<Value> = cx
        .status()
        .services
        .iter()
        .map(|s| {
            let (uptime, incidents) = cx.figures(s);
            json!({
                "name": s.name, "slug": s.slug,
                "group": cx.group_name(s),
                "status": s.status.as_str(), "uptime_90d": uptime.percent(),
                "incidents_90d": incidents,
                "url": c.abs_url(&format!("services/{}/", s.slug)),
            })
        })
        .collect();
    pretty(&json!({
        "version": super::api::VERSION, "generator": "sitrep", "site": c.base_url,
        "services": services,
    }))
}
