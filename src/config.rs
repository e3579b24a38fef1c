//! `sitrep.toml` in, a validated [`Config`] out (unknown keys and bad values are
//! errors that point at their line).

mod channels;

use crate::diag::{Diagnostic, Severity, SourceText, closest};
use jiff::tz::TimeZone;
use std::sync::Arc;

pub(crate) use channels::{Channel, EnvName, Filter, Group, Target};

pub(crate) const KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "timezone",
    "theme",
    "output_dir",
    "paginate_by",
    "groups",
    "notify",
    "stale_after",
];

#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// Normalised to end with `/`, e.g. `https://example.org/pm/`.
    pub base_url: String,
    pub description: String,
    pub language: String,
    pub timezone_name: String,
    pub timezone: TimeZone,
    pub theme: String,
    pub output_dir: String,
    /// Items per page of every list (incidents, news, terms, history months).
    pub paginate_by: usize,
    /// `[groups]`, in the order written.
    pub groups: Vec<Group>,
    /// `[[notify]]`: where `sitrep notify` sends changes.
    pub notify: Vec<Channel>,
    /// `stale_after`: an open incident's last update older than this is a
    /// warning; `None` when set to `"0"` (never).
    pub stale_after: Option<jiff::SignedDuration>,
    /// Who the build is for (`--internal`); not a key of sitrep.toml.
    pub audience: crate::visibility::Audience,
    /// The label of an internal note in Markdown, in the site's language: the
    /// theme's `incident.internal` string, set once the theme is loaded (the
    /// Markdown is rendered in link, before any template). Not a key of sitrep.toml.
    pub internal_label: String,
    /// The text it was read from, so later checks (an unknown theme, an output
    /// folder sitrep refuses) can point at the key's line: see [`Config::key_error`].
    pub source: Arc<SourceText>,
}

impl Config {
    /// An error about the value of `key`, at its line of sitrep.toml (the whole
    /// file when the key is not written there, i.e. its default is in use).
    pub fn key_error(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        match key_line(&self.source, key) {
            Some(line) => {
                let col = self.source.line(line).map_or(1, |l| {
                    l.find('=').map_or(1, |eq| {
                        let v = &l[eq + 1..];
                        l[..eq + 1 + v.len() - v.trim_start().len()].chars().count() + 1
                    })
                });
                self.source.error_at_line(line, col, message)
            }
            None => Diagnostic::error(&self.source.path, message),
        }
    }

    /// The sub-path of `base_url` (`/pm/`), prefix of every internal link.
    pub fn base_path(&self) -> &str {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    }

    pub fn with_base_url(&self, base_url: &str) -> Result<Config, String> {
        let mut c = self.clone();
        c.base_url = normalise_base_url(base_url)?;
        Ok(c)
    }

    /// Every problem of the file at once (unknown keys, wrong types, bad
    /// values), not only the first; a TOML syntax error stops at itself.
    pub fn parse(path: &str, text: String) -> Result<Config, Vec<Diagnostic>> {
        let src = SourceText::new(path, text);
        let table: toml::Table =
            toml::from_str(&src.text).map_err(|e| vec![toml_diag(&src, &e)])?;
        let mut r = Reader {
            src: &src,
            table: &table,
            diags: Vec::new(),
        };
        r.unknown_keys();
        let title = r.string("title", None);
        let base_url = r.string("base_url", None);
        let description = r.string("description", Some("")).unwrap_or_default();
        let language = r.string("language", Some("en"));
        let timezone = r.string("timezone", Some("UTC"));
        let theme = r.string("theme", Some("default"));
        let output_dir = r.string("output_dir", Some("output"));
        let paginate_by = r.integer("paginate_by", 30);
        let title = r.valid_title(title);
        let base_url = r.valid_base_url(base_url);
        let language = r.valid_language(language);
        let tz = r.valid_timezone(timezone.as_deref());
        let theme = r.valid_theme(theme);
        let output_dir = r.valid_output_dir(output_dir);
        let paginate_by = r.valid_paginate_by(paginate_by);
        let stale_after = r.string("stale_after", Some("2h"));
        let stale_after = r.valid_stale_after(stale_after);
        let (groups, notify, more) = channels::read(&src);
        let mut diags = r.diags;
        diags.extend(more);
        match (
            title,
            base_url,
            language,
            timezone.zip(tz),
            theme,
            output_dir,
            paginate_by,
            stale_after,
        ) {
            (
                Some(title),
                Some(base_url),
                Some(language),
                Some((timezone_name, timezone)),
                Some(theme),
                Some(output_dir),
                Some(paginate_by),
                Some(stale_after),
            ) if diags.is_empty() => Ok(Config {
                title,
                base_url,
                description,
                language,
                timezone_name,
                timezone,
                theme,
                output_dir,
                paginate_by,
                groups,
                notify,
                stale_after,
                audience: Default::default(),
                internal_label: crate::markdown::INTERNAL_LABEL.into(),
                source: Arc::new(src),
            }),
            _ => Err(diags),
        }
    }
}

/// The rules for each value once its type is right: a value that breaks one
/// becomes `None` with an error naming the key.
impl Reader<'_> {
    /// `Some(None)` for `"0"`: never warn.
    fn valid_stale_after(&mut self, text: Option<String>) -> Option<Option<jiff::SignedDuration>> {
        text.and_then(|t| match crate::time::parse_duration(&t) {
            Ok(d) => Some((!d.is_zero()).then_some(d)),
            Err(m) => {
                self.error(
                    "stale_after",
                    m,
                    "e.g. `stale_after = \"2h\"`, or `\"0\"` to never warn",
                );
                None
            }
        })
    }

    fn valid_title(&mut self, title: Option<String>) -> Option<String> {
        title.filter(|t| {
            self.check(
                !t.trim().is_empty(),
                "title",
                "`title` is empty".into(),
                "give the site a title",
            )
        })
    }

    fn valid_base_url(&mut self, base_url: Option<String>) -> Option<String> {
        base_url.and_then(|u| match normalise_base_url(&u) {
            Ok(u) => Some(u),
            Err(m) => {
                self.error(
                    "base_url",
                    m,
                    "use an absolute http(s) URL, e.g. `https://status.example.org/incidents/`",
                );
                None
            }
        })
    }

    fn valid_language(&mut self, language: Option<String>) -> Option<String> {
        language.filter(|l| {
            self.check(
                language_ok(l),
                "language",
                format!("`language` = `{l}` is not a language tag"),
                "use a BCP 47 tag such as `en`, `de` or `pt-BR`",
            )
        })
    }

    fn valid_timezone(&mut self, timezone: Option<&str>) -> Option<TimeZone> {
        timezone.and_then(|name| match TimeZone::get(name) {
            Ok(tz) => Some(tz),
            Err(_) => {
                self.error(
                    "timezone",
                    format!("unknown time zone `{name}`"),
                    "use an IANA zone name such as `America/New_York`, `Europe/Berlin` or `UTC`",
                );
                None
            }
        })
    }

    fn valid_theme(&mut self, theme: Option<String>) -> Option<String> {
        theme.filter(|t| {
            let ok = !t.starts_with('.')
                && t.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
            self.check(
                ok,
                "theme",
                format!("`theme` = `{t}` is not a theme name"),
                "name a folder under `themes/` (letters, digits, `-`, `_`), or use the built-in `default`",
            )
        })
    }

    fn valid_output_dir(&mut self, output_dir: Option<String>) -> Option<String> {
        output_dir.filter(|o| {
            self.check(
                !o.trim().is_empty(),
                "output_dir",
                "`output_dir` is empty".into(),
                "use a folder name such as `output`",
            )
        })
    }

    fn valid_paginate_by(&mut self, paginate_by: Option<i64>) -> Option<usize> {
        paginate_by.and_then(|n| {
            let size = usize::try_from(n).ok().filter(|n| (1..=10_000).contains(n));
            if size.is_none() {
                self.error(
                    "paginate_by",
                    format!("`paginate_by` = {n} is not a page size"),
                    "use a whole number from 1 to 10000, e.g. `paginate_by = 30`",
                );
            }
            size
        })
    }
}

/// BCP 47-shaped: `en`, `de`, `pt-BR`, `zh-Hant-TW`. Also keeps the i18n file
/// name (`i18n/<language>.toml`) inside the theme folder.
fn language_ok(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Reads the keys of sitrep.toml one by one, collecting a diagnostic for each
/// problem instead of stopping at the first.
struct Reader<'a> {
    src: &'a SourceText,
    table: &'a toml::Table,
    diags: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, key: &str, message: String, hint: &str) {
        let d = match key_line(self.src, key) {
            Some(line) => self.src.error_at_line(line, 1, message),
            None => Diagnostic::error(&self.src.path, message),
        };
        self.diags.push(d.hint(hint));
    }

    /// `ok`, reporting `message` at `key` when it is false.
    fn check(&mut self, ok: bool, key: &str, message: String, hint: &str) -> bool {
        if !ok {
            self.error(key, message, hint);
        }
        ok
    }

    fn unknown_keys(&mut self) {
        for key in self.table.keys() {
            if KEYS.contains(&key.as_str()) {
                continue;
            }
            let hint = match closest(key, KEYS.iter().copied()) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!("known keys: {}", KEYS.join(", ")),
            };
            self.error(key, format!("unknown key `{key}` in sitrep.toml"), &hint);
        }
    }

    /// A string key; `default` None means required.
    fn string(&mut self, key: &str, default: Option<&str>) -> Option<String> {
        match (self.table.get(key), default) {
            (Some(toml::Value::String(s)), _) => Some(s.clone()),
            (Some(v), _) => {
                let msg = format!("`{key}` must be a string, not {}", v.type_str());
                self.error(key, msg, &format!("quote the value: `{key} = \"…\"`"));
                None
            }
            (None, Some(d)) => Some(d.to_string()),
            (None, None) => {
                self.diags.push(
                    Diagnostic::error(
                        &self.src.path,
                        format!("`{key}` is missing from sitrep.toml"),
                    )
                    .hint(format!("add a line such as `{key} = \"…\"`")),
                );
                None
            }
        }
    }

    fn integer(&mut self, key: &str, default: i64) -> Option<i64> {
        match self.table.get(key) {
            None => Some(default),
            Some(toml::Value::Integer(n)) => Some(*n),
            Some(v) => {
                let msg = format!("`{key}` must be a whole number, not {}", v.type_str());
                self.error(key, msg, &format!("e.g. `{key} = {default}`"));
                None
            }
        }
    }
}

/// The 1-based line where `key = …` is written, if it is.
fn key_line(src: &SourceText, key: &str) -> Option<usize> {
    (1..=src.line_count()).find(|&l| {
        src.line(l).is_some_and(|t| {
            let t = t.trim_start();
            let t = t.strip_prefix(['"', '\'']).unwrap_or(t);
            let table = t.strip_prefix('[').map(str::trim_start);
            table.is_some_and(|r| {
                r.strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with([']', '.']))
            }) || t.strip_prefix(key).is_some_and(|r| {
                r.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(['=', '.'])
            })
        })
    })
}

fn normalise_base_url(url: &str) -> Result<String, String> {
    let u = url.trim();
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && !r.starts_with('/')
                && !u.contains(['?', '#', ' ', '"', '<', '>']) =>
        {
            Ok(if u.ends_with('/') {
                u.to_string()
            } else {
                format!("{u}/")
            })
        }
        _ => Err(format!(
            "`base_url` = `{url}` is not an absolute http(s) URL"
        )),
    }
}

fn toml_diag(src: &SourceText, e: &toml::de::Error) -> Diagnostic {
    let msg = e.message().trim().to_string();
    let (offset, len) = e.span().map_or((0, 1), |s| (s.start, s.len()));
    src.at_offset(Severity::Error, offset, len, msg)
        .hint("fix the TOML syntax: `key = \"value\"`, one per line")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_config_and_base_path() {
        let c = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://example.org/pm\"\ntimezone = \"America/New_York\"\n".into(),
        )
        .unwrap();
        assert_eq!(c.base_url, "https://example.org/pm/");
        assert_eq!(c.base_path(), "/pm/");
        assert_eq!(c.output_dir, "output");
        assert_eq!(c.paginate_by, 30);
        assert_eq!(
            c.with_base_url("http://127.0.0.1:1111")
                .unwrap()
                .base_path(),
            "/"
        );
    }

    #[test]
    fn unknown_key_points_at_its_line_with_a_suggestion() {
        let e = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezon = \"UTC\"\n".into(),
        )
        .unwrap_err()
        .remove(0);
        assert_eq!(e.line, 3);
        assert!(e.message.contains("timezon"));
        assert_eq!(e.hint.as_deref(), Some("did you mean `timezone`?"));
    }

    #[test]
    fn bad_zone_and_url_are_errors() {
        let e = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Mars/Base\"\n".into(),
        )
        .unwrap_err()
        .remove(0);
        assert_eq!(e.line, 3);
        let e = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"example.org\"\n".into(),
        )
        .unwrap_err()
        .remove(0);
        assert_eq!(e.line, 2);
        let e = Config::parse("sitrep.toml", "base_url = \"https://e.org/\"\n".into())
            .unwrap_err()
            .remove(0);
        assert!(e.message.contains("`title` is missing"), "{e:?}");
    }

    #[test]
    fn key_errors_point_at_the_value() {
        let c = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\ntheme   =   \"fancy\"\n".into(),
        )
        .unwrap();
        let d = c.key_error("theme", "unknown theme `fancy`");
        assert_eq!((d.line, d.column), (3, 13));
        let d = c.key_error("output_dir", "refused");
        assert_eq!((d.file.as_str(), d.line), ("sitrep.toml", 0));
        let e = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\ntheme = \"../../etc\"\n".into(),
        )
        .unwrap_err()
        .remove(0);
        assert_eq!(e.line, 3);
        assert!(e.message.contains("not a theme name"), "{e:?}");
    }

    #[test]
    fn config_problems_are_reported_together() {
        let e = Config::parse(
            "sitrep.toml",
            "title = \"\"\nbase_url = \"example.org\"\ntimezon = \"UTC\"\ntimezone = \"Mars/Base\"\npaginate_by = \"ten\"\nlanguage = \"../x\"\n[menu]\nx = 1\n".into(),
        )
        .unwrap_err();
        let mut at: Vec<(usize, &str)> = e.iter().map(|d| (d.line, d.message.as_str())).collect();
        at.sort();
        let lines: Vec<usize> = at.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 6, 7], "{at:#?}");
        assert!(at[2].1.contains("timezon"), "{at:?}");
        assert!(at[4].1.contains("whole number"), "{at:?}");
        assert!(at[6].1.contains("`menu`"), "{at:?}");
    }

    #[test]
    fn paginate_by_must_be_a_page_size() {
        for bad in ["0", "-3"] {
            let e = Config::parse(
                "sitrep.toml",
                format!("title = \"T\"\nbase_url = \"https://e.org/\"\npaginate_by = {bad}\n"),
            )
            .unwrap_err()
            .remove(0);
            assert_eq!(e.line, 3, "{bad}");
            assert!(e.message.contains("paginate_by"), "{e:?}");
        }
        let c = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\npaginate_by = 5\n".into(),
        )
        .unwrap();
        assert_eq!(c.paginate_by, 5);
    }
}
