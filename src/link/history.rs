//! History: incidents (newest first) and the site time zone in, the months that
//! have incidents out — newest month first, each with its incidents newest first.

use crate::ix::{IncidentIx, TiSlice};
use crate::model::Incident;
use jiff::tz::TimeZone;

pub(crate) struct Month {
    pub year: i16,
    /// 1–12.
    pub month: i8,
    /// Indices into `Site::incidents`, newest first.
    pub incidents: Vec<IncidentIx>,
}

impl Month {
    /// `2026-06`: the month's URL segment under `/history/`.
    pub(crate) fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Whether `key` is this month's [`Month::key`], without formatting it
    /// (serve and rebuilds look months up by key for every month page).
    pub(crate) fn has_key(&self, key: &str) -> bool {
        let b = key.as_bytes();
        let num = |s: &[u8]| -> Option<i32> {
            let digits = s.iter().all(u8::is_ascii_digit);
            digits.then(|| std::str::from_utf8(s).ok()?.parse().ok())?
        };
        b.len() == 7
            && b[4] == b'-'
            && num(&b[..4]) == Some(i32::from(self.year))
            && num(&b[5..]) == Some(i32::from(self.month))
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

#[cfg(test)]
mod tests {
    use super::Month;

    #[test]
    fn a_month_has_its_own_key_and_no_other() {
        let m = |year, month| Month {
            year,
            month,
            incidents: Vec::new(),
        };
        for month in [m(2026, 6), m(999, 12), m(2025, 1)] {
            assert!(month.has_key(&month.key()), "{}", month.key());
        }
        let june = m(2026, 6);
        for other in [
            "2026-07", "2025-06", "2026-6", "2026-06-", "2026/06", "+026-06", "",
        ] {
            assert!(!june.has_key(other), "{other}");
        }
    }
}
