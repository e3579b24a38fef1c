//! History: incidents (newest first) and the site time zone in, the months that
//! have incidents out — newest month first, each with its incidents newest first.

use crate::ix::{IncidentIx, TiSlice};
use crate::model::Incident;
use jiff::tz::TimeZone;

pub struct Month {
    pub year: i16,
    /// 1–12.
    pub month: i8,
    /// Indices into `Site::incidents`, newest first.
    pub incidents: Vec<IncidentIx>,
}

impl Month {
    /// `2026-06`: the month's URL segment under `/history/`.
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// Group by the month of `started` in `tz`. Incidents come newest first, so
/// months do too, and a month's list keeps that order.
pub(super) fn months(incidents: &TiSlice<IncidentIx, Incident>, tz: &TimeZone) -> Vec<Month> {
    let mut out: Vec<Month> = Vec::new();
    for (i, inc) in incidents.iter_enumerated() {
        let d = inc.started.date(tz);
        match out.last_mut() {
            Some(m) if (m.year, m.month) == (d.year(), d.month()) => m.incidents.push(i),
            _ => out.push(Month {
                year: d.year(),
                month: d.month(),
                incidents: vec![i],
            }),
        }
    }
    out
}
