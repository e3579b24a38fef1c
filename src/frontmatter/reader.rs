//! Reading a parsed YAML value into typed fields while collecting every problem,
//! each located at its key's own line in the file.

use super::locate::{Seg, locate, locate_span};
use crate::diag::{Diagnostic, Severity, SourceText, closest};
use crate::time::Timestamp;
use serde_yaml::{Mapping, Value};

pub(crate) struct Ctx<'a> {
    pub src: &'a SourceText,
    pub fm: &'a str,
    pub fm_first_line: usize,
    pub diags: Vec<Diagnostic>,
}

pub(crate) type Path = Vec<Seg>;

pub(crate) fn key(path: &[Seg], k: &str) -> Path {
    let mut p = path.to_vec();
    p.push(Seg::Key(k.to_string()));
    p
}

pub(crate) fn index(path: &[Seg], i: usize) -> Path {
    let mut p = path.to_vec();
    p.push(Seg::Index(i));
    p
}

/// `related[2].id`, for messages.
pub(crate) fn show(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if s.is_empty() => s.push_str(k),
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

impl Ctx<'_> {
    /// File line and column of a key path.
    pub(super) fn position(&self, path: &[Seg]) -> (usize, usize) {
        let (l, c) = locate(self.fm, path);
        (self.fm_first_line + l, c + 1)
    }

    pub(super) fn diag(
        &self,
        path: &[Seg],
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let at = locate_span(self.fm, path);
        let (line, col) = (self.fm_first_line + at.line, at.col + 1);
        let len = at.len.unwrap_or_else(|| {
            self.src
                .line(line)
                .map_or(1, |l| l.chars().count().saturating_sub(col - 1))
        });
        self.src
            .at(Severity::Error, line, col, len, message)
            .maybe_hint(hint)
    }

    pub(super) fn error(
        &mut self,
        path: &[Seg],
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        let d = self.diag(path, message, hint.into());
        self.diags.push(d);
    }

    pub(super) fn warn(
        &mut self,
        path: &[Seg],
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) {
        let mut d = self.diag(path, message, hint.into());
        d.severity = Severity::Warning;
        self.diags.push(d);
    }

    /// A map, or an error. The root must be a map too.
    pub(super) fn map<'v>(&mut self, v: &'v Value, path: &[Seg]) -> Option<&'v Mapping> {
        match v {
            Value::Mapping(m) => Some(m),
            other => {
                let what = if path.is_empty() {
                    "the front matter".to_string()
                } else {
                    format!("`{}`", show(path))
                };
                self.error(
                    path,
                    format!(
                        "{what} should be a map of `key: value` lines, found {}",
                        kind(other)
                    ),
                    None,
                );
                None
            }
        }
    }

    /// Unknown keys are errors with the closest known key as a hint.
    pub(super) fn check_keys(&mut self, m: &Mapping, path: &[Seg], allowed: &[&str]) {
        for k in m.keys() {
            let name = match k {
                Value::String(s) => s.clone(),
                other => format!("{other:?}"),
            };
            if !allowed.contains(&name.as_str()) {
                let hint = match closest(&name, allowed.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!(
                        "allowed keys here: {}; put free-form data under `extra:`",
                        allowed.join(", ")
                    ),
                };
                self.error(&key(path, &name), format!("unknown key `{name}`"), hint);
            }
        }
    }

    /// A required key: missing is an error pointing at the map.
    pub(super) fn required<'v>(
        &mut self,
        m: &'v Mapping,
        path: &[Seg],
        k: &str,
        what: &str,
    ) -> Option<&'v Value> {
        let v = m.get(k).filter(|v| !v.is_null());
        if v.is_none() {
            let (line, _) = self.position(path);
            let line = if path.is_empty() {
                self.fm_first_line.saturating_sub(1).max(1)
            } else {
                line
            };
            let d = self
                .src
                .error_at_line(line, 1, format!("{what} is missing the required key `{k}`"))
                .hint(format!("add a line `{k}: …` to the front matter"));
            self.diags.push(d);
        }
        v
    }

    /// Text; numbers and booleans are taken as written (IDs and codes like `550`).
    pub(super) fn text(&mut self, v: &Value, path: &[Seg]) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => {
                let hint = matches!(other, Value::Sequence(_) | Value::Mapping(_)).then(|| {
                    "put the text in quotes if it starts with `[` or `{` or holds `: `".to_string()
                });
                self.error(
                    path,
                    format!("`{}` should be text, found {}", show(path), kind(other)),
                    hint,
                );
                None
            }
        }
    }

    pub(super) fn opt_text(&mut self, m: &Mapping, path: &[Seg], k: &str) -> Option<String> {
        m.get(k)
            .filter(|v| !v.is_null())
            .and_then(|v| self.text(v, &key(path, k)))
    }

    /// A required top-level text field that must not be blank.
    pub(super) fn text_req(&mut self, m: &Mapping, k: &str, what: &str) -> Option<String> {
        let v = self.required(m, &[], k, what)?;
        let t = self.text(v, &key(&[], k))?;
        if t.trim().is_empty() {
            self.error(
                &key(&[], k),
                format!("`{k}` is empty"),
                Some(format!("give `{k}` a value")),
            );
            return None;
        }
        Some(t)
    }

    pub(super) fn boolean(&mut self, m: &Mapping, path: &[Seg], k: &str) -> bool {
        match m.get(k) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.error(
                    &key(path, k),
                    format!("`{k}` should be true or false, found {}", kind(other)),
                    Some(format!("write `{k}: true` or `{k}: false`")),
                );
                false
            }
        }
    }

    /// A list of text. `single_ok`: a lone string counts as a list of one.
    pub(super) fn text_list(
        &mut self,
        v: Option<&Value>,
        path: &[Seg],
        single_ok: bool,
    ) -> Vec<String> {
        match v {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) if single_ok => vec![s.clone()],
            Some(Value::Sequence(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, it)| self.text(it, &index(path, i)))
                .filter(|s| !s.trim().is_empty())
                .collect(),
            Some(other) => {
                self.error(
                    path,
                    format!(
                        "`{}` should be a list of text, found {}",
                        show(path),
                        kind(other)
                    ),
                    Some("write it as `[a, b]` or as `- a` lines".into()),
                );
                Vec::new()
            }
        }
    }

    pub(super) fn list<'v>(&mut self, v: Option<&'v Value>, path: &[Seg]) -> &'v [Value] {
        match v {
            None | Some(Value::Null) => &[],
            Some(Value::Sequence(items)) => items,
            Some(other) => {
                self.error(
                    path,
                    format!("`{}` should be a list, found {}", show(path), kind(other)),
                    None,
                );
                &[]
            }
        }
    }

    pub(super) fn time(&mut self, v: &Value, path: &[Seg]) -> Option<Timestamp> {
        let t = self.text(v, path)?;
        match Timestamp::parse(&t) {
            Ok(ts) => Some(ts),
            Err(e) => {
                self.error(path, format!("`{}`: {}", show(path), e.message), e.hint);
                None
            }
        }
    }

    pub(super) fn opt_time(&mut self, m: &Mapping, path: &[Seg], k: &str) -> Option<Timestamp> {
        m.get(k)
            .filter(|v| !v.is_null())
            .and_then(|v| self.time(v, &key(path, k)))
    }

    /// One of a fixed set of words; the error lists them.
    pub(super) fn keyword<T>(
        &mut self,
        v: &Value,
        path: &[Seg],
        parse: fn(&str) -> Option<T>,
        all: &[&str],
    ) -> Option<T> {
        let t = self.text(v, path)?;
        let found = parse(&t);
        if found.is_none() {
            let hint = match closest(&t, all.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? allowed: {}", all.join(", ")),
                None => format!("allowed: {}", all.join(", ")),
            };
            self.error(
                path,
                format!(
                    "`{t}` is not a valid `{}`",
                    show(path).rsplit('.').next().unwrap_or_default()
                ),
                hint,
            );
        }
        found
    }

    /// `extra:` as JSON for templates (YAML maps with non-text keys get text keys).
    pub(super) fn json(&mut self, v: Option<&Value>) -> serde_json::Value {
        v.map(yaml_to_json).unwrap_or(serde_json::Value::Null)
    }
}

fn yaml_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => serde_json::to_value(n).unwrap_or(J::Null),
        Value::String(s) => J::String(s.clone()),
        Value::Sequence(s) => J::Array(s.iter().map(yaml_to_json).collect()),
        Value::Mapping(m) => J::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::String(s) => s.clone(),
                        other => serde_yaml::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Value::Tagged(t) => yaml_to_json(&t.value),
    }
}
