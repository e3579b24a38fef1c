//! `[groups]` and `[[notify]]` of sitrep.toml in, typed [`Group`]s and
//! [`Channel`]s out, every problem pointing at its key. Read from a spanned
//! parse so groups keep the file's order and each error has its own line.
//! Secrets never live here: a channel holds the *names* of environment variables.

use crate::diag::{Diagnostic, Severity as Level, SourceText, closest};
use crate::model::Severity;
use lettre::message::Mailbox;
use std::collections::HashMap;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A component group: its name and its member services, in the file's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub services: Vec<String>,
}

/// The name of an environment variable (`SITREP_SLACK_URL`), never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvName(String);

impl EnvName {
    fn parse(name: &str) -> Option<EnvName> {
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| EnvName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a channel sends, by kind, with what each kind needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Slack {
        url: EnvName,
    },
    Discord {
        url: EnvName,
    },
    Teams {
        url: EnvName,
    },
    Webhook {
        url: EnvName,
        secret: Option<EnvName>,
    },
    Email {
        smtp: EnvName,
        from: Mailbox,
        to: Vec<Mailbox>,
    },
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Slack { .. } => "slack",
            Target::Discord { .. } => "discord",
            Target::Teams { .. } => "teams",
            Target::Webhook { .. } => "webhook",
            Target::Email { .. } => "email",
        }
    }
}

/// `only = {…}`: every key given must match (services, regions: any shared;
/// severity: at least this bad). Empty matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub services: Vec<String>,
    pub regions: Vec<String>,
    pub severity: Option<Severity>,
}

/// One `[[notify]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub target: Target,
    pub only: Filter,
    /// The line of its `[[notify]]` header, so messages can name it.
    pub line: usize,
}

impl Channel {
    /// How output and errors name the channel: `slack (sitrep.toml:12)`.
    pub fn name(&self) -> String {
        format!("{} (sitrep.toml:{})", self.target.kind(), self.line)
    }
}

const KINDS: &[&str] = &["slack", "discord", "teams", "webhook", "email"];
const CHANNEL_KEYS: &[&str] = &[
    "kind",
    "url_env",
    "secret_env",
    "smtp_env",
    "from",
    "to",
    "only",
];
const ONLY_KEYS: &[&str] = &["services", "regions", "severity"];

/// The keys a channel of `kind` takes besides `kind` and `only`.
fn kind_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "webhook" => &["url_env", "secret_env"],
        "email" => &["smtp_env", "from", "to"],
        _ => &["url_env"],
    }
}

/// "a slack", "an email".
fn article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}

type Table<'i> = DeTable<'i>;
type Value<'i> = Spanned<DeValue<'i>>;

/// The groups and channels of sitrep.toml, and every problem with them. A TOML
/// syntax error is left to the caller, which reports it once.
pub(super) fn read(src: &SourceText) -> (Vec<Group>, Vec<Channel>, Vec<Diagnostic>) {
    let mut r = Reader {
        src,
        diags: Vec::new(),
    };
    let Ok(doc) = DeTable::parse(&src.text) else {
        return (Vec::new(), Vec::new(), Vec::new());
    };
    let (mut groups, mut channels) = (Vec::new(), Vec::new());
    for (key, value) in doc.get_ref().iter() {
        match key.get_ref().as_ref() {
            "groups" => groups = r.groups(value),
            "notify" => channels = r.channels(key.span(), value),
            _ => {}
        }
    }
    (groups, channels, r.diags)
}

struct Reader<'a> {
    src: &'a SourceText,
    diags: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, span: Range<usize>, message: String, hint: impl Into<String>) {
        let d = self
            .src
            .at_offset(Level::Error, span.start, span.len(), message);
        self.diags.push(d.hint(hint));
    }

    /// Entries of a table in the order they are written (the map sorts them).
    fn ordered<'t, 'i>(
        table: &'t Table<'i>,
    ) -> Vec<(&'t Spanned<std::borrow::Cow<'i, str>>, &'t Value<'i>)> {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        entries
    }

    fn groups(&mut self, value: &Value) -> Vec<Group> {
        let DeValue::Table(table) = value.get_ref() else {
            self.error(
                value.span(),
                "`groups` must be a table of group name = [services]".into(),
                "write `[groups]` and below it lines such as `\"Microsoft 365\" = [\"Exchange Online\"]`",
            );
            return Vec::new();
        };
        let mut groups = Vec::new();
        let mut member_of: HashMap<String, String> = HashMap::new();
        for (name, members) in Self::ordered(table) {
            let name_text = name.get_ref().trim().to_string();
            if name_text.is_empty() {
                self.error(
                    name.span(),
                    "a group name is empty".into(),
                    "name the group, e.g. `\"Microsoft 365\" = [\"Exchange Online\"]`",
                );
                continue;
            }
            let Some(services) = self.strings(members, &format!("group `{name_text}`")) else {
                continue;
            };
            if services.is_empty() {
                self.error(
                    members.span(),
                    format!("group `{name_text}` has no services"),
                    "list its member services, or remove the group",
                );
                continue;
            }
            for s in &services {
                if let Some(other) = member_of.insert(s.to_lowercase(), name_text.clone()) {
                    let msg =
                        format!("service `{s}` is in group `{other}` and in group `{name_text}`");
                    self.error(
                        members.span(),
                        msg,
                        "a service belongs to at most one group",
                    );
                }
            }
            groups.push(Group {
                name: name_text,
                services,
            });
        }
        groups
    }

    /// A list of non-empty strings (a single string is a list of one).
    fn strings(&mut self, value: &Value, what: &str) -> Option<Vec<String>> {
        let hint =
            "write a list of names in quotes, e.g. `[\"Exchange Online\", \"Microsoft Teams\"]`";
        let items: Vec<&Value> = match value.get_ref() {
            DeValue::String(_) => vec![value],
            DeValue::Array(a) => a.iter().collect(),
            _ => {
                self.error(
                    value.span(),
                    format!("{what} must be a list of names"),
                    hint,
                );
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                _ => {
                    self.error(
                        item.span(),
                        format!("{what} must hold non-empty names"),
                        hint,
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn channels(&mut self, key: Range<usize>, value: &Value) -> Vec<Channel> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(
                key,
                "`notify` must be a list of channels".into(),
                "write each channel as its own `[[notify]]` table",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::Table(t) => out.extend(self.channel(item.span(), t)),
                _ => self.error(
                    item.span(),
                    "a `notify` entry must be a table".into(),
                    "write each channel as its own `[[notify]]` table",
                ),
            }
        }
        out
    }

    fn channel(&mut self, at: Range<usize>, t: &Table) -> Option<Channel> {
        let line = self.src.line_col(at.start).0;
        let before = self.diags.len();
        let kind = match t.iter().find(|(k, _)| k.get_ref() == "kind") {
            None => {
                self.error(
                    at.clone(),
                    "a `[[notify]]` channel has no `kind`".into(),
                    format!("add `kind = \"slack\"` (one of {})", KINDS.join(", ")),
                );
                None
            }
            Some((_, v)) => match v.get_ref() {
                DeValue::String(k) if KINDS.contains(&k.as_ref()) => Some(k.to_string()),
                other => {
                    let shown = match other {
                        DeValue::String(k) => format!("`{k}`"),
                        _ => "not a string".into(),
                    };
                    let hint = match other {
                        DeValue::String(k) => closest(k, KINDS.iter().copied())
                            .map(|c| format!("did you mean `{c}`? ")),
                        _ => None,
                    };
                    self.error(
                        v.span(),
                        format!("unknown notify `kind` {shown}"),
                        format!(
                            "{}use one of {}",
                            hint.unwrap_or_default(),
                            KINDS.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        let mut only = Filter::default();
        for (k, v) in Self::ordered(t) {
            let name = k.get_ref().as_ref();
            if !CHANNEL_KEYS.contains(&name) {
                let hint = closest(name, CHANNEL_KEYS.iter().copied()).map_or_else(
                    || format!("known keys: {}", CHANNEL_KEYS.join(", ")),
                    |c| format!("did you mean `{c}`?"),
                );
                self.error(
                    k.span(),
                    format!("unknown key `{name}` in a `[[notify]]` channel"),
                    hint,
                );
            } else if name == "only" {
                only = self.filter(v);
            } else if let Some(kind) = &kind
                && name != "kind"
                && !kind_keys(kind).contains(&name)
            {
                let takes = kind_keys(kind)
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(
                    k.span(),
                    format!("`{name}` does not apply to {} channel", article(kind)),
                    format!("{} channel takes {takes} and `only`", article(kind)),
                );
            }
        }
        let target = self.target(kind.as_deref()?, at, t);
        (self.diags.len() == before).then_some(Channel {
            target: target?,
            only,
            line,
        })
    }

    fn target(&mut self, kind: &str, at: Range<usize>, t: &Table) -> Option<Target> {
        let env =
            |r: &mut Self, key: &str, required: bool| r.env(kind, key, required, at.clone(), t);
        Some(match kind {
            "slack" => Target::Slack {
                url: env(self, "url_env", true)??,
            },
            "discord" => Target::Discord {
                url: env(self, "url_env", true)??,
            },
            "teams" => Target::Teams {
                url: env(self, "url_env", true)??,
            },
            "webhook" => {
                let url = env(self, "url_env", true);
                let secret = env(self, "secret_env", false);
                Target::Webhook {
                    url: url??,
                    secret: secret?,
                }
            }
            _ => {
                let smtp = env(self, "smtp_env", true);
                let from = self.mailboxes(kind, "from", at.clone(), t, false);
                let to = self.mailboxes(kind, "to", at, t, true);
                Target::Email {
                    smtp: smtp??,
                    from: from?.into_iter().next()?,
                    to: to?,
                }
            }
        })
    }

    fn get<'t, 'i>(t: &'t Table<'i>, key: &str) -> Option<&'t Value<'i>> {
        t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
    }

    /// An `*_env` key: `Some(None)` when optional and absent, `None` on error.
    fn env(
        &mut self,
        kind: &str,
        key: &str,
        required: bool,
        at: Range<usize>,
        t: &Table,
    ) -> Option<Option<EnvName>> {
        let example = match key {
            "secret_env" => "SITREP_WEBHOOK_SECRET".to_string(),
            "smtp_env" => "SITREP_SMTP_URL".to_string(),
            _ => format!("SITREP_{}_URL", kind.to_uppercase()),
        };
        let Some(v) = Self::get(t, key) else {
            if required {
                self.error(at, format!("{} channel needs `{key}`", article(kind)), format!("add `{key} = \"{example}\"`, naming the environment variable that holds the secret"));
                return None;
            }
            return Some(None);
        };
        // The value is never echoed: someone may have pasted the secret itself.
        match v.get_ref() {
            DeValue::String(s) => match EnvName::parse(s) {
                Some(name) => Some(Some(name)),
                None => {
                    self.error(v.span(), format!("`{key}` must be the name of an environment variable"), format!("secrets never live in sitrep.toml: write `{key} = \"{example}\"` and set {example} in the environment"));
                    None
                }
            },
            _ => {
                self.error(
                    v.span(),
                    format!("`{key}` must be a string"),
                    format!("write `{key} = \"{example}\"`"),
                );
                None
            }
        }
    }

    /// `from` (one address) or `to` (a list of at least one).
    fn mailboxes(
        &mut self,
        kind: &str,
        key: &str,
        at: Range<usize>,
        t: &Table,
        list: bool,
    ) -> Option<Vec<Mailbox>> {
        let example = if list {
            "to = [\"oncall@example.org\"]"
        } else {
            "from = \"Status <status@example.org>\""
        };
        let Some(v) = Self::get(t, key) else {
            self.error(
                at,
                format!("{} channel needs `{key}`", article(kind)),
                format!("add `{example}`"),
            );
            return None;
        };
        let items: Vec<&Value> = match v.get_ref() {
            DeValue::String(_) => vec![v],
            DeValue::Array(a) if list && !a.is_empty() => a.iter().collect(),
            _ => {
                self.error(
                    v.span(),
                    format!(
                        "`{key}` must be {}",
                        if list {
                            "a list of mail addresses"
                        } else {
                            "a mail address"
                        }
                    ),
                    format!("write `{example}`"),
                );
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) if s.parse::<Mailbox>().is_ok() => {
                    out.extend(s.parse::<Mailbox>().ok())
                }
                _ => {
                    self.error(
                        item.span(),
                        format!("`{key}` holds something that is not a mail address"),
                        format!("write `{example}`"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn filter(&mut self, v: &Value) -> Filter {
        let mut f = Filter::default();
        let DeValue::Table(t) = v.get_ref() else {
            self.error(
                v.span(),
                "`only` must be a table".into(),
                "write `only = { services = [\"Exchange Online\"], severity = \"major\" }`",
            );
            return f;
        };
        for (k, v) in Self::ordered(t) {
            match k.get_ref().as_ref() {
                "services" => f.services = self.strings(v, "`only.services`").unwrap_or_default(),
                "regions" => f.regions = self.strings(v, "`only.regions`").unwrap_or_default(),
                "severity" => match v.get_ref() {
                    DeValue::String(s) if Severity::parse(s).is_some() => {
                        f.severity = Severity::parse(s)
                    }
                    _ => self.error(
                        v.span(),
                        "`only.severity` is not a severity".into(),
                        format!(
                            "use one of {}: the least severe that should be sent",
                            Severity::ALL.join(", ")
                        ),
                    ),
                },
                other => {
                    let hint = closest(other, ONLY_KEYS.iter().copied()).map_or_else(
                        || format!("known keys: {}", ONLY_KEYS.join(", ")),
                        |c| format!("did you mean `{c}`?"),
                    );
                    self.error(k.span(), format!("unknown key `{other}` in `only`"), hint);
                }
            }
        }
        f
    }
}

#[cfg(test)]
mod tests;
