//! Date-times of the front matter: text in (RFC 3339 with offset, optional
//! RFC 9557 `[Zone]`, or a plain date), a [`Timestamp`] out, and the formatting
//! of instants and durations in the site's time zone.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::cmp::Ordering;

/// An exact instant, or a calendar date when the writer does not know the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamp {
    Instant(jiff::Timestamp),
    Date(Date),
}

/// Why a date-time string was rejected, with a hint for the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    pub message: String,
    pub hint: String,
}

impl Timestamp {
    pub fn parse(text: &str) -> Result<Timestamp, TimeError> {
        let t = text.trim();
        let err = |message: String, hint: &str| TimeError {
            message,
            hint: hint.into(),
        };
        if t.len() == 10 && !t.contains('T') {
            return t.parse::<Date>().map(Timestamp::Date).map_err(|e| {
                err(
                    format!(
                        "`{t}` is not a valid date: {}",
                        first_clause(&e.to_string())
                    ),
                    "write a real calendar date as YYYY-MM-DD, e.g. `2026-06-03`",
                )
            });
        }
        let has_time = t.contains('T') || t.contains(' ');
        if !has_time {
            return Err(err(
                format!("`{t}` is not a date-time"),
                "write RFC 3339 with an offset, e.g. `2026-06-03T10:33:00-04:00`, or a plain date `2026-06-03`",
            ));
        }
        // An offset (Z or ±hh:mm) after the time part is required: without it the
        // instant is ambiguous.
        let core = t.split('[').next().unwrap_or(t);
        let time_part = core.split(['T', ' ']).nth(1).unwrap_or("");
        let has_offset = time_part.ends_with(['Z', 'z']) || time_part.contains(['+', '-']);
        if !has_offset {
            return Err(err(
                format!("date-time `{t}` has no offset, so the instant is ambiguous"),
                "add an offset such as `-04:00` or `Z`, e.g. `2026-06-03T10:33:00-04:00[America/New_York]`",
            ));
        }
        let parsed = if t.contains('[') {
            t.parse::<jiff::ZonedDateTime>().map(|z| z.timestamp())
        } else {
            t.parse::<jiff::Timestamp>()
        };
        parsed.map(Timestamp::Instant).map_err(|e| {
            err(
                format!("`{t}` is not a valid date-time: {}", first_clause(&e.to_string())),
                "use RFC 3339 with an offset, e.g. `2026-06-03T10:33:00-04:00`, optionally followed by an IANA zone such as `[America/New_York]`",
            )
        })
    }

    pub fn instant(&self) -> Option<jiff::Timestamp> {
        match self {
            Timestamp::Instant(t) => Some(*t),
            Timestamp::Date(_) => None,
        }
    }

    /// The calendar date in `tz`.
    pub fn date(&self, tz: &TimeZone) -> Date {
        match self {
            Timestamp::Instant(t) => t.to_zoned_datetime(tz.clone()).date(),
            Timestamp::Date(d) => *d,
        }
    }

    /// Order in `tz`: by date, then by instant when both have one. A date and an
    /// instant on the same day are equal (we do not know which came first).
    pub fn cmp_in(&self, other: &Timestamp, tz: &TimeZone) -> Ordering {
        match (self, other) {
            (Timestamp::Instant(a), Timestamp::Instant(b)) => a.cmp(b),
            _ => self.date(tz).cmp(&other.date(tz)),
        }
    }

    /// Sort key for "newest first" lists (dates count as their start in UTC).
    pub fn sort_key(&self) -> i64 {
        match self {
            Timestamp::Instant(t) => t.as_second(),
            Timestamp::Date(d) => d
                .to_zoned_datetime(TimeZone::UTC)
                .map(|z| z.timestamp().as_second())
                .unwrap_or(0),
        }
    }

    /// The machine-readable value for `<time datetime>`: the exact instant in UTC,
    /// or the date.
    pub fn machine(&self) -> String {
        match self {
            Timestamp::Instant(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Timestamp::Date(d) => d.to_string(),
        }
    }

    /// Human-readable in the site zone: `Jun 3, 2026, 10:33 EDT`, or `Jun 3, 2026`.
    pub fn display(&self, tz: &TimeZone) -> String {
        self.display_in(tz, &crate::i18n::Strings::english())
    }

    /// [`Timestamp::display`] in the words and order of `strings`
    /// (`3. Juni 2026, 10:33 CEST`).
    pub fn display_in(&self, tz: &TimeZone, strings: &crate::i18n::Strings) -> String {
        match self.clock(tz) {
            Some(clock) => strings.datetime(self.date(tz), &clock),
            None => strings.date(self.date(tz)),
        }
    }

    /// Just the clock time in the site zone (`10:33 EDT`), for timelines.
    pub fn clock(&self, tz: &TimeZone) -> Option<String> {
        self.instant().map(|t| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%H:%M %Z")
                .to_string()
        })
    }

    /// Seconds from `self` to `later`, when both are instants.
    pub fn seconds_until(&self, later: &Timestamp) -> Option<i64> {
        Some(later.instant()?.as_second() - self.instant()?.as_second())
    }
}

fn first_clause(e: &str) -> String {
    // jiff errors are chains "a: b: c"; the last clause is the most specific.
    e.rsplit(": ").next().unwrap_or(e).to_string()
}

/// `1 h 47 min`, `3 d 2 h`, `12 min`, `45 s` (English; pages use
/// [`crate::i18n::Strings::duration`] in the site's language).
pub(crate) fn format_duration(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    let text = if d > 0 {
        if h > 0 {
            format!("{d} d {h} h")
        } else {
            format!("{d} d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h} h {m} min")
        } else {
            format!("{h} h")
        }
    } else if m > 0 {
        format!("{m} min")
    } else {
        format!("{s} s")
    };
    if seconds < 0 {
        format!("-{text}")
    } else {
        text
    }
}

/// A time as sitrep writes it into a content file: in its zone, with offset
/// and zone name, to the second (`2026-06-03T16:05:00-04:00[America/New_York]`).
pub(crate) fn written(t: &jiff::ZonedDateTime) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%:z[%Q]").to_string()
}

/// A duration as written in `sitrep.toml` (`stale_after`) and on the command
/// line (`--next-update`): `30m`, `2h`, `1h30m`, `1d` (units `d`, `h`, `m`,
/// `s`, largest first, each at most once), or `0`.
pub(crate) fn parse_duration(text: &str) -> Result<jiff::SignedDuration, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "`{text}` is not a duration: write a number and a unit, e.g. `30m`, `2h`, `1h30m` or `1d`"
        )
    };
    if t == "0" {
        return Ok(jiff::SignedDuration::ZERO);
    }
    let (mut seconds, mut digits, mut last_rank) = (0i64, String::new(), usize::MAX);
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let (rank, unit) = match c {
            'd' => (3, 86_400),
            'h' => (2, 3_600),
            'm' => (1, 60),
            's' => (0, 1),
            _ => return Err(bad()),
        };
        let n: i64 = digits.parse().map_err(|_| bad())?;
        if rank >= last_rank {
            return Err(bad());
        }
        last_rank = rank;
        seconds = n
            .checked_mul(unit)
            .and_then(|v| v.checked_add(seconds))
            .filter(|&v| v <= 3_650 * 86_400)
            .ok_or_else(bad)?;
        digits.clear();
    }
    if !digits.is_empty() || last_rank == usize::MAX {
        return Err(bad());
    }
    Ok(jiff::SignedDuration::from_secs(seconds))
}

/// The one clock sitrep reads: `SOURCE_DATE_EPOCH` when set, else the system clock.
pub(crate) fn now() -> Result<jiff::Timestamp, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .ok_or_else(|| {
                format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds since 1970")
            }),
        Err(_) => Ok(jiff::Timestamp::now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> TimeZone {
        TimeZone::get("America/New_York").unwrap()
    }

    #[test]
    fn parses_offsets_zones_and_dates() {
        let a = Timestamp::parse("2026-06-03T10:33:00-04:00").unwrap();
        let b = Timestamp::parse("2026-06-03T10:33:00-04:00[America/New_York]").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.machine(), "2026-06-03T14:33:00Z");
        assert_eq!(a.display(&ny()), "Jun 3, 2026, 10:33 EDT");
        assert_eq!(a.clock(&TimeZone::UTC).unwrap(), "14:33 UTC");
        assert!(matches!(
            Timestamp::parse("2026-06-03").unwrap(),
            Timestamp::Date(_)
        ));
        assert!(Timestamp::parse("2026-06-03T14:33:00Z").is_ok());
    }

    #[test]
    fn rejects_missing_offset_and_impossible_dates() {
        let e = Timestamp::parse("2026-06-03T10:33:00").unwrap_err();
        assert!(e.message.contains("no offset"), "{e:?}");
        assert!(e.hint.contains("-04:00"));
        let e = Timestamp::parse("2026-02-30").unwrap_err();
        assert!(e.message.contains("not a valid date"), "{e:?}");
        assert!(Timestamp::parse("2026-02-30T10:00:00Z").is_err());
        assert!(Timestamp::parse("June 3").is_err());
        // offset contradicting the zone
        assert!(Timestamp::parse("2026-06-03T10:33:00-05:00[America/New_York]").is_err());
    }

    #[test]
    fn dates_and_instants_compare_by_day() {
        let d = Timestamp::parse("2026-06-03").unwrap();
        let i = Timestamp::parse("2026-06-03T23:00:00-04:00").unwrap();
        assert_eq!(d.cmp_in(&i, &ny()), Ordering::Equal);
        assert_eq!(d.cmp_in(&i, &TimeZone::UTC), Ordering::Less);
        assert_eq!(d.seconds_until(&i), None);
    }

    #[test]
    fn durations_parse_from_flags_and_config() {
        let secs = |t: &str| parse_duration(t).map(|d| d.as_secs());
        assert_eq!(secs("30m"), Ok(1800));
        assert_eq!(secs("2h"), Ok(7200));
        assert_eq!(secs("1h30m"), Ok(5400));
        assert_eq!(secs("1d"), Ok(86_400));
        assert_eq!(secs("0"), Ok(0));
        for bad in [
            "", "m", "30", "1m1h", "2h2h", "1.5h", "-1h", "2 h", "99999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(6420), "1 h 47 min");
        assert_eq!(format_duration(3600), "1 h");
        assert_eq!(format_duration(266_400), "3 d 2 h");
        assert_eq!(format_duration(59), "59 s");
    }
}
