//! Source times in, [`When`] out: the instant kept with the offset (and zone)
//! the source wrote, a plain date kept as a date, and a time without offset
//! read in the site's zone (which the caller reports as a warning).

use super::item::When;
use crate::time::Timestamp;
use jiff::fmt::temporal::{Pieces, PiecesOffset, TimeZoneAnnotationKind};
use jiff::tz::TimeZone;

/// How a time was read: as written, or in the site zone because it had no offset.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read {
    AsWritten,
    SiteZone,
}

/// Parse a source time. `Err` says why it is not a time at all.
pub(crate) fn parse(raw: &str, tz: &TimeZone) -> Result<(When, Read), String> {
    let t = raw.trim();
    if t.len() == 10
        && let Ok(d) = t.parse::<jiff::civil::Date>()
    {
        let when = When {
            text: d.to_string(),
            ts: Timestamp::Date(d),
        };
        return Ok((when, Read::AsWritten));
    }
    let pieces = Pieces::parse(t).map_err(|_| format!("`{t}` is not a date-time"))?;
    let time = pieces
        .time()
        .ok_or_else(|| format!("`{t}` has no time of day"))?;
    let civil = pieces.date().to_datetime(time);
    let (zone, read) = match pieces.offset() {
        Some(PiecesOffset::Zulu) => (TimeZone::UTC, Read::AsWritten),
        Some(PiecesOffset::Numeric(n)) => (TimeZone::fixed(n.offset()), Read::AsWritten),
        Some(other) => (TimeZone::fixed(other.to_numeric_offset()), Read::AsWritten),
        None => (tz.clone(), Read::SiteZone),
    };
    let zoned = civil
        .to_zoned_datetime(zone)
        .map_err(|e| format!("`{t}` is not a valid date-time: {e}"))?;
    let zone_name = match (&read, pieces.time_zone_annotation().map(|a| a.kind())) {
        (Read::SiteZone, _) => tz.iana_name().map(str::to_string),
        (_, Some(TimeZoneAnnotationKind::Named(n))) => Some(n.as_str().to_string()),
        _ => None,
    };
    let zulu = matches!(pieces.offset(), Some(PiecesOffset::Zulu));
    let mut text = if zulu {
        zoned.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string()
    } else {
        zoned.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_string()
    };
    if let Some(name) = zone_name {
        // Keep the zone only when it agrees with the offset (RFC 9557 would
        // reject the pair otherwise).
        let with_zone = format!("{text}[{name}]");
        if Timestamp::parse(&with_zone).is_ok() {
            text = with_zone;
        }
    }
    let ts = Timestamp::parse(&text).map_err(|e| e.message)?;
    Ok((When { text, ts }, read))
}

/// `when` plus `seconds`, written in UTC (for a maintenance window's missing end).
pub(crate) fn plus_seconds(when: &When, seconds: i64) -> When {
    let start = match when.ts {
        Timestamp::Instant(t) => t,
        Timestamp::Date(d) => d
            .to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
    };
    let end = start
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap_or(start);
    When {
        text: end.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ts: Timestamp::Instant(end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (String, Read) {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let (w, r) = parse(s, &tz).unwrap();
        (w.text, r)
    }

    #[test]
    fn offsets_and_zones_are_kept() {
        assert_eq!(
            p("2014-05-14T14:22:39.441-06:00").0,
            "2014-05-14T14:22:39.441-06:00"
        );
        assert_eq!(p("2020-11-04T00:00:00Z").0, "2020-11-04T00:00:00Z");
        assert_eq!(p("2020-11-04T00:00:00.000Z").0, "2020-11-04T00:00:00Z");
        assert_eq!(
            p("2026-06-03T10:33:00-04:00[America/New_York]").0,
            "2026-06-03T10:33:00-04:00[America/New_York]"
        );
        assert_eq!(p("2021-06-08").0, "2021-06-08");
    }

    #[test]
    fn a_time_without_offset_is_read_in_the_site_zone() {
        assert_eq!(
            p("2021-06-08 14:00:00"),
            (
                "2021-06-08T14:00:00+02:00[Europe/Berlin]".into(),
                Read::SiteZone
            )
        );
        assert_eq!(p("2021-01-08T14:00").1, Read::SiteZone);
    }

    #[test]
    fn nonsense_is_an_error() {
        let tz = TimeZone::UTC;
        assert!(parse("yesterday", &tz).is_err());
        assert!(parse("2021-02-30T10:00:00Z", &tz).is_err());
    }
}
