//! `sitrep.toml` in, a validated [`Config`] out (unknown keys and bad values are
//! errors that point at their line).

use crate::diag::{Diagnostic, Severity, SourceText, closest};
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::sync::Arc;

pub const KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "timezone",
    "theme",
    "output_dir",
    "paginate_by",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_timezone")]
    timezone: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_output")]
    output_dir: String,
    #[serde(default = "default_paginate_by")]
    paginate_by: i64,
}

fn default_language() -> String {
    "en".into()
}
fn default_timezone() -> String {
    "UTC".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_output() -> String {
    "output".into()
}
fn default_paginate_by() -> i64 {
    30
}

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
    /// Who the build is for (`--internal`); not a key of sitrep.toml.
    pub audience: crate::visibility::Audience,
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

    pub fn parse(path: &str, text: String) -> Result<Config, Diagnostic> {
        let src = SourceText::new(path, text);
        let raw: RawConfig = toml::from_str(&src.text).map_err(|e| toml_diag(&src, &e))?;
        let line_of = |key: &str| key_line(&src, key).unwrap_or(0);
        let err = |key: &str, msg: String, hint: &str| {
            let line = line_of(key);
            let d = if line > 0 {
                src.error_at_line(line, 1, msg)
            } else {
                Diagnostic::error(path, msg)
            };
            d.hint(hint)
        };
        let base_url = normalise_base_url(&raw.base_url).map_err(|m| {
            err(
                "base_url",
                m,
                "use an absolute http(s) URL, e.g. `https://status.example.org/incidents/`",
            )
        })?;
        let timezone = TimeZone::get(&raw.timezone).map_err(|_| {
            err(
                "timezone",
                format!("unknown time zone `{}`", raw.timezone),
                "use an IANA zone name such as `America/New_York`, `Europe/Berlin` or `UTC`",
            )
        })?;
        if raw.title.trim().is_empty() {
            return Err(err(
                "title",
                "`title` is empty".into(),
                "give the site a title",
            ));
        }
        let theme_ok = !raw.theme.starts_with('.')
            && raw
                .theme
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !theme_ok {
            return Err(err(
                "theme",
                format!("`theme` = `{}` is not a theme name", raw.theme),
                "name a folder under `themes/` (letters, digits, `-`, `_`), or use the built-in `default`",
            ));
        }
        if raw.output_dir.trim().is_empty() {
            return Err(err(
                "output_dir",
                "`output_dir` is empty".into(),
                "use a folder name such as `output`",
            ));
        }
        let paginate_by = usize::try_from(raw.paginate_by)
            .ok()
            .filter(|&n| (1..=10_000).contains(&n))
            .ok_or_else(|| {
                err(
                    "paginate_by",
                    format!("`paginate_by` = {} is not a page size", raw.paginate_by),
                    "use a whole number from 1 to 10000, e.g. `paginate_by = 30`",
                )
            })?;
        Ok(Config {
            title: raw.title,
            base_url,
            description: raw.description,
            language: raw.language,
            timezone_name: raw.timezone,
            timezone,
            theme: raw.theme,
            output_dir: raw.output_dir,
            paginate_by,
            audience: Default::default(),
            source: Arc::new(src),
        })
    }
}

/// The 1-based line where `key = …` is written, if it is.
fn key_line(src: &SourceText, key: &str) -> Option<usize> {
    (1..=src.line_count()).find(|&l| {
        src.line(l).is_some_and(|t| {
            let t = t.trim_start();
            let t = t.strip_prefix(['"', '\'']).unwrap_or(t);
            t.strip_prefix(key).is_some_and(|r| {
                r.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with('=')
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
    let mut d = src.at_offset(Severity::Error, offset, len, msg.clone());
    if let Some(key) = msg
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        d.message = format!("unknown key `{key}` in sitrep.toml");
        d.hint = Some(match closest(key, KEYS.iter().copied()) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("known keys: {}", KEYS.join(", ")),
        });
    } else if let Some(key) = msg
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        d = Diagnostic::error(&src.path, format!("`{key}` is missing from sitrep.toml"))
            .hint(format!("add a line such as `{key} = \"…\"`"));
    }
    d
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
        .unwrap_err();
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
        .unwrap_err();
        assert_eq!(e.line, 3);
        let e = Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"example.org\"\n".into(),
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        let e = Config::parse("sitrep.toml", "base_url = \"https://e.org/\"\n".into()).unwrap_err();
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
        .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("not a theme name"), "{e:?}");
    }

    #[test]
    fn paginate_by_must_be_a_page_size() {
        for bad in ["0", "-3"] {
            let e = Config::parse(
                "sitrep.toml",
                format!("title = \"T\"\nbase_url = \"https://e.org/\"\npaginate_by = {bad}\n"),
            )
            .unwrap_err();
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
