//! Helpers every source uses to read a JSON-shaped record leniently: strings,
//! lists of names and times, each bad value a warning naming the item rather
//! than the end of the run.

use super::item::{IdHint, Item, Notes, When};
use super::when::{self, Read};
use serde_json::Value;

/// What a source reader carries: the site zone (for times without offset)
/// and the run's notes.
pub(crate) struct Ctx<'a> {
    pub tz: &'a jiff::tz::TimeZone,
    pub notes: &'a mut Notes,
}

impl Ctx<'_> {
    /// The time at `v[key]`, if there is one that parses; a time without offset
    /// is read in the site zone and a value that is no time is dropped, each
    /// with a warning.
    pub(super) fn time(&mut self, label: &str, v: &Value, key: &str) -> Option<When> {
        let raw = text(v, key)?;
        match when::parse(raw, self.tz) {
            Ok((w, Read::AsWritten)) => Some(w),
            Ok((w, Read::SiteZone)) => {
                self.notes.warn(
                    label,
                    format!(
                        "`{key}` `{raw}` has no offset; read in the site time zone as `{}`",
                        w.text
                    ),
                );
                Some(w)
            }
            Err(e) => {
                self.notes.warn(label, format!("`{key}` dropped: {e}"));
                None
            }
        }
    }

    /// The first of `keys` that holds a time.
    pub(super) fn first_time(&mut self, label: &str, v: &Value, keys: &[&str]) -> Option<When> {
        keys.iter().find_map(|k| self.time(label, v, k))
    }
}

/// A non-empty string at `v[key]` (numbers are read as their text).
pub(crate) fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    }
}

/// A string or number at `v[key]` as text (IDs are sometimes numbers).
pub(crate) fn id_text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `true` at `v[key]` (also the strings `"true"`/`"yes"`).
pub(crate) fn flag(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "yes"),
        _ => false,
    }
}

/// A string or a list of strings (or of `{name}` maps) at `v[key]`, trimmed,
/// without empties and without repeats (case-insensitively, first spelling wins).
pub(crate) fn names(v: &Value, key: &str) -> Vec<String> {
    let raw: Vec<String> = match v.get(key) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => text(x, "name").map(str::to_string),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    dedup(raw)
}

pub(crate) fn dedup(raw: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    raw.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && seen.insert(crate::slug::slugify(s)))
        .collect()
}

/// What every file-based source (cState, Statusfy) starts with: `date` (an
/// item without one is skipped as an error), `title` (else the file name) and
/// the services under the first of `service_keys` that lists any.
pub(crate) fn file_item(
    doc: &str,
    fm: &Value,
    service_keys: &[&str],
    cx: &mut Ctx,
) -> Option<Item> {
    let label = doc.to_string();
    let Some(started) = cx.time(&label, fm, "date") else {
        cx.notes.skip(doc, "it has no usable `date`");
        return None;
    };
    let stem = file_stem(doc);
    let mut item = Item::new(label.clone(), IdHint::FileName(stem.clone()), stem, started);
    match text(fm, "title") {
        Some(t) => item.title = t.trim().to_string(),
        None => cx.notes.warn(
            &label,
            format!("it has no `title`; titled `{}`", item.title),
        ),
    }
    item.services = service_keys
        .iter()
        .map(|k| names(fm, k))
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    if item.services.is_empty() {
        item.services = vec!["General".into()];
        cx.notes.warn(
            &label,
            format!(
                "it lists no `{}`; service set to `General`",
                service_keys[0]
            ),
        );
    }
    Some(item)
}

/// The file name without folder and extension (a name without extension is kept whole).
pub(crate) fn file_stem(doc: &str) -> String {
    let name = doc.rsplit(['/', '\\']).next().unwrap_or(doc);
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=8).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem.to_string()
        }
        _ => name.to_string(),
    }
}
