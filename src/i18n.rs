//! Interface strings: a theme's `i18n/<language>.toml` files in, one [`Strings`]
//! table out — English underneath, so any string a language lacks falls back —
//! and the date and duration words built from it. Diagnostics never use it:
//! they stay in English.

use crate::diag::{Diagnostic, SourceText};
use jiff::civil::Date;
use std::collections::HashMap;
use std::sync::Arc;

/// The built-in English strings, the base every language is laid over.
pub const ENGLISH: &str = include_str!("../themes/default/i18n/en.toml");

/// Key → text. Looked up a few hundred times per page: a fast fixed hash
/// instead of SipHash (the keys are the theme's, not an attacker's).
type Table = HashMap<String, String, foldhash::fast::FixedState>;

/// Dotted key (`nav.incidents`, `month.6`) → text, for one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Strings {
    /// The `language` these strings are for (`<html lang>`).
    pub language: String,
    map: Arc<Table>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings::english()
    }
}

impl Strings {
    /// The built-in English table alone (parsed once per process).
    pub fn english() -> Strings {
        static ENGLISH_MAP: std::sync::OnceLock<Arc<Table>> = std::sync::OnceLock::new();
        let map = ENGLISH_MAP.get_or_init(|| {
            let layer = parse_layer("(built-in theme)/i18n/en.toml", ENGLISH).unwrap_or_default();
            Arc::new(layer.into_iter().collect())
        });
        Strings {
            language: "en".into(),
            map: map.clone(),
        }
    }

    /// English, with each layer's strings laid over it in order (later wins).
    pub fn layered(language: &str, layers: Vec<HashMap<String, String>>) -> Strings {
        let mut map = (*Strings::english().map).clone();
        for layer in layers {
            map.extend(layer);
        }
        Strings {
            language: language.to_string(),
            map: Arc::new(map),
        }
    }

    /// Every key and its text, sorted by key: the same strings give the same
    /// list, whatever order their layers were read in.
    pub fn sorted(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = (self.map.iter())
            .map(|(k, t)| (k.as_str(), t.as_str()))
            .collect();
        v.sort_unstable();
        v
    }

    /// The text of `key`, or None when no layer (English included) has it.
    pub fn lookup(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    /// The text of `key`; the key itself when it is missing everywhere (the
    /// built-in English file has every key sitrep asks for; a unit test checks).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.lookup(key).unwrap_or(key)
    }

    /// `key` with `{name}` placeholders replaced by `args`.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }

    /// The plural form of `key` for `n` (`key.one` when n is 1, else
    /// `key.other`), with `{n}` and `args` filled in.
    pub fn count(&self, key: &str, n: i64, args: &[(&str, &str)]) -> String {
        let form = if n == 1 { "one" } else { "other" };
        let n_text = n.to_string();
        let mut all = vec![("n", n_text.as_str())];
        all.extend_from_slice(args);
        fill(self.get(&format!("{key}.{form}")), &all)
    }

    /// Full month name, `month` 1–12.
    pub fn month(&self, month: i8) -> &str {
        self.get(MONTH_KEYS[usize::from(month.clamp(1, 12) as u8 - 1)].0)
    }

    /// Abbreviated month name (`Jan`), `month` 1–12.
    pub fn month_short(&self, month: i8) -> &str {
        self.get(MONTH_KEYS[usize::from(month.clamp(1, 12) as u8 - 1)].1)
    }

    /// A calendar date in the language's `date.format` (`Jun 3, 2026`, `3. Juni 2026`).
    pub fn date(&self, d: Date) -> String {
        self.date_in("date.format", d, "")
    }

    /// A date with its clock time (`10:33 EDT`) in `date.datetime`.
    pub fn datetime(&self, d: Date, time: &str) -> String {
        self.date_in("date.datetime", d, time)
    }

    fn date_in(&self, key: &str, d: Date, time: &str) -> String {
        let (day, year) = (d.day().to_string(), d.year().to_string());
        let args = [
            ("day", day.as_str()),
            ("year", year.as_str()),
            ("month", self.month(d.month())),
            ("month_short", self.month_short(d.month())),
            ("time", time),
        ];
        self.fmt(key, &args)
    }

    /// `1 h 47 min`, `3 d 2 h`, `12 min`, `45 s` in the language's units
    /// (`duration.d` … `duration.s`, each with `{n}`): the two largest units.
    pub fn duration(&self, seconds: i64) -> String {
        let s = seconds.unsigned_abs();
        let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
        let unit = |key: &str, n: u64| self.fmt(key, &[("n", &n.to_string())]);
        let parts: Vec<String> = if d > 0 {
            [
                Some(unit("duration.d", d)),
                (h > 0).then(|| unit("duration.h", h)),
            ]
            .into_iter()
            .flatten()
            .collect()
        } else if h > 0 {
            [
                Some(unit("duration.h", h)),
                (m > 0).then(|| unit("duration.min", m)),
            ]
            .into_iter()
            .flatten()
            .collect()
        } else if m > 0 {
            vec![unit("duration.min", m)]
        } else {
            vec![unit("duration.s", s)]
        };
        let text = parts.join(" ");
        if seconds < 0 {
            format!("-{text}")
        } else {
            text
        }
    }
}

/// `t(key="nav.incidents")`: the interface string `key` of the site's
/// language (English when the language lacks it). Every other argument fills
/// the `{name}` placeholder of that name; `n` also picks the plural form
/// (`key.one` / `key.other`) when the key has them.
pub fn translate(strings: &Strings, kwargs: &tera::Kwargs) -> tera::TeraResult<String> {
    let key: &str = kwargs.must_get("key")?;
    let args: Vec<(String, String)> = kwargs
        .iter()
        .filter(|(k, _)| k.as_str() != Some("key"))
        .map(|(k, v)| {
            (
                k.to_string(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let n = kwargs.get::<i64>("n").ok().flatten();
    match n {
        Some(n) if strings.lookup(&format!("{key}.other")).is_some() => {
            Ok(strings.count(key, n, &refs))
        }
        _ => match strings.lookup(key) {
            Some(_) => Ok(strings.fmt(key, &refs)),
            None => Err(tera::Error::message(format!(
                "unknown interface string `{key}` (not in the theme's i18n/en.toml)"
            ))),
        },
    }
}

const MONTH_KEYS: [(&str, &str); 12] = [
    ("month.1", "month_short.1"),
    ("month.2", "month_short.2"),
    ("month.3", "month_short.3"),
    ("month.4", "month_short.4"),
    ("month.5", "month_short.5"),
    ("month.6", "month_short.6"),
    ("month.7", "month_short.7"),
    ("month.8", "month_short.8"),
    ("month.9", "month_short.9"),
    ("month.10", "month_short.10"),
    ("month.11", "month_short.11"),
    ("month.12", "month_short.12"),
];

/// `{name}` → value, in one pass; unknown placeholders stay as written.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if args.iter().any(|(k, _)| *k == name) => {
                let v = args.iter().find(|(k, _)| *k == name).map_or("", |(_, v)| v);
                out.push_str(v);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One `i18n/*.toml` file as dotted keys; its tables nest (`[nav]` then
/// `incidents = "…"` is `nav.incidents`). Every value must be a string.
pub fn parse_layer(shown: &str, text: &str) -> Result<HashMap<String, String>, Diagnostic> {
    let src = SourceText::new(shown, text.to_string());
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (offset, len) = e.span().map_or((0, 1), |s| (s.start, s.len()));
        src.at_offset(
            crate::diag::Severity::Error,
            offset,
            len,
            e.message().trim(),
        )
        .hint("an i18n file is TOML: `[section]` lines and `key = \"text\"` lines")
    })?;
    let mut out = HashMap::new();
    let mut bad = None;
    flatten("", &table, &mut out, &mut bad);
    match bad {
        Some(key) => Err(
            Diagnostic::error(shown, format!("interface string `{key}` is not text"))
                .hint("write every value as a quoted string, e.g. `incidents = \"Incidents\"`"),
        ),
        None => Ok(out),
    }
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, String>,
    bad: &mut Option<String>,
) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out, bad),
            _ => {
                bad.get_or_insert(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GERMAN: &str = include_str!("../themes/default/i18n/de.toml");

    fn german() -> Strings {
        Strings::layered("de", vec![parse_layer("de.toml", GERMAN).unwrap()])
    }

    #[test]
    fn english_dates_and_durations() {
        let s = Strings::english();
        let d = Date::new(2026, 6, 3).unwrap();
        assert_eq!(s.date(d), "Jun 3, 2026");
        assert_eq!(s.datetime(d, "10:33 EDT"), "Jun 3, 2026, 10:33 EDT");
        assert_eq!(s.duration(6420), "1 h 47 min");
        assert_eq!(s.duration(3600), "1 h");
        assert_eq!(s.duration(266_400), "3 d 2 h");
        assert_eq!(s.duration(59), "59 s");
        assert_eq!(s.count("count.incidents", 1, &[]), "1 incident");
        assert_eq!(s.count("count.incidents", 3, &[]), "3 incidents");
    }

    #[test]
    fn german_dates_durations_and_fallback() {
        let s = german();
        let d = Date::new(2026, 3, 4).unwrap();
        assert_eq!(s.date(d), "4. März 2026");
        assert_eq!(s.duration(7500), "2 Std. 5 Min.");
        assert_eq!(s.get("status.resolved"), "Behoben");
        // A key only English has falls back to it.
        let partial = Strings::layered(
            "de",
            vec![parse_layer("x.toml", "[nav]\nincidents = \"Vorfälle\"\n").unwrap()],
        );
        assert_eq!(partial.get("nav.incidents"), "Vorfälle");
        assert_eq!(partial.get("nav.news"), "News");
    }

    #[test]
    fn german_has_every_english_key() {
        let en = parse_layer("en.toml", ENGLISH).unwrap();
        let de = parse_layer("de.toml", GERMAN).unwrap();
        let mut missing: Vec<&String> = en.keys().filter(|k| !de.contains_key(*k)).collect();
        missing.sort();
        assert!(missing.is_empty(), "de.toml lacks {missing:?}");
        let mut extra: Vec<&String> = de.keys().filter(|k| !en.contains_key(*k)).collect();
        extra.sort();
        assert!(
            extra.is_empty(),
            "de.toml has keys English lacks: {extra:?}"
        );
    }

    #[test]
    fn placeholders_and_bad_files() {
        assert_eq!(
            fill("Page {n} of {total}", &[("n", "2"), ("total", "9")]),
            "Page 2 of 9"
        );
        assert_eq!(fill("{x} {n}", &[("n", "1")]), "{x} 1");
        let e = parse_layer("xx.toml", "[nav]\nincidents = 3\n").unwrap_err();
        assert!(e.message.contains("nav.incidents"), "{e:?}");
        let e = parse_layer("xx.toml", "a = \"b\"\nc = \n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
