//! The site's domain types, after parsing and validation: what the link, render
//! and serve stages work on. Nothing here reads files or knows about YAML.

use crate::diag::SourceText;
use crate::time::Timestamp;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// An incident ID as written (`EX1331830`). Valid by construction: matches
/// `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`, so it is safe as a path segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct IncidentId(String);

impl IncidentId {
    pub fn parse(text: &str) -> Result<IncidentId, String> {
        let ok_first = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let ok_rest = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok_first && ok_rest && text.len() <= 64 && text != "." {
            Ok(IncidentId(text.to_string()))
        } else {
            Err(format!(
                "`{text}` is not a valid incident ID: it must start with a letter or digit and hold only letters, digits, `.`, `_` and `-` (at most 64)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive identity, also the URL segment.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! keyword_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [&'static str] = &[$($text),+];

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
    };
}

keyword_enum!(Status { Investigating = "investigating", Identified = "identified", Monitoring = "monitoring", Resolved = "resolved" });
keyword_enum!(Severity { Critical = "critical", Major = "major", Minor = "minor", None = "none" });
keyword_enum!(Classification { Incident = "incident", Advisory = "advisory", Maintenance = "maintenance" });
keyword_enum!(ActionStatus { Open = "open", Done = "done" });
keyword_enum!(
    /// The Markdown parts of a postmortem, in the order FORMAT.md shows them.
    PostmortemPart { Impact = "impact", Trigger = "trigger", Causes = "causes", Detection = "detection", Resolution = "resolution", Lessons = "lessons" }
);

impl PostmortemPart {
    /// The interface-string key of the part's heading (`postmortem.impact`).
    pub fn key(self) -> &'static str {
        match self {
            PostmortemPart::Impact => "postmortem.impact",
            PostmortemPart::Trigger => "postmortem.trigger",
            PostmortemPart::Causes => "postmortem.causes",
            PostmortemPart::Detection => "postmortem.detection",
            PostmortemPart::Resolution => "postmortem.resolution",
            PostmortemPart::Lessons => "postmortem.lessons",
        }
    }

    /// The heading anchor on the incident page.
    pub fn anchor(self) -> String {
        format!("postmortem-{}", self.as_str())
    }
}

/// The review written after an incident.
#[derive(Debug, Clone, Default)]
pub struct Postmortem {
    /// The parts that were written, in [`PostmortemPart::ALL`] order.
    pub parts: Vec<(PostmortemPart, String)>,
    pub published: Option<Timestamp>,
    pub authors: Vec<String>,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Investigating => "Investigating",
            Status::Identified => "Identified",
            Status::Monitoring => "Monitoring",
            Status::Resolved => "Resolved",
        }
    }
}

/// Where a parsed document came from: the file, and where its front matter and
/// body start, so later stages can point diagnostics at the right line.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source: Arc<SourceText>,
    /// Path relative to `content/`, `/`-separated (what relative links resolve against).
    pub content_path: String,
    /// 1-based line of the first front matter line after `---`.
    pub fm_first_line: usize,
    /// Byte range of the front matter text (between the fences).
    pub fm_start: usize,
    pub fm_end: usize,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorRef {
    pub code: Option<String>,
    pub message: Option<String>,
}

impl ErrorRef {
    /// The taxonomy term: the code when given, else the message.
    pub fn term(&self) -> &str {
        self.code
            .as_deref()
            .or(self.message.as_deref())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub status: Option<Status>,
    pub text: String,
    pub internal: bool,
}

#[derive(Debug, Clone)]
pub enum Related {
    /// An incident of this site.
    Incident {
        id: IncidentId,
        note: Option<String>,
        internal: bool,
    },
    /// An outage that has no page here.
    External {
        title: String,
        url: Option<String>,
        date: Option<Timestamp>,
        note: Option<String>,
        internal: bool,
    },
}

impl Related {
    pub fn is_internal(&self) -> bool {
        match self {
            Related::Incident { internal, .. } | Related::External { internal, .. } => *internal,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceLink {
    pub title: String,
    pub url: String,
    pub internal: bool,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub text: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub due: Option<Timestamp>,
    pub internal: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub origin: Origin,
    pub id: IncidentId,
    pub title: String,
    pub services: Vec<String>,
    pub status: Status,
    pub started: Timestamp,
    pub detected: Option<Timestamp>,
    pub acknowledged: Option<Timestamp>,
    pub mitigated: Option<Timestamp>,
    pub next_update: Option<Timestamp>,
    /// As written, or derived from the last `resolved` timeline entry.
    pub resolved: Option<Timestamp>,
    pub classification: Classification,
    pub window: Option<Window>,
    pub severity: Option<Severity>,
    pub regions: Vec<String>,
    pub components: Vec<String>,
    pub errors: Vec<ErrorRef>,
    pub timeline: Vec<TimelineEntry>,
    pub related: Vec<Related>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub sources: Vec<SourceLink>,
    pub actions: Vec<Action>,
    /// Audience → Markdown, in the order written.
    pub takes: Vec<(String, String)>,
    pub postmortem: Option<Postmortem>,
    /// `internal: true`: the whole incident is left out of public builds.
    pub internal: bool,
    /// `internal: <Markdown>`: notes for the team, shown in internal builds only.
    pub notes: Option<String>,
    pub draft: bool,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct NewsStory {
    pub origin: Origin,
    pub title: String,
    pub date: Timestamp,
    pub updated: Option<Timestamp>,
    pub authors: Vec<String>,
    pub incidents: Vec<IncidentId>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub slug: String,
    pub internal: bool,
    pub draft: bool,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub origin: Origin,
    pub title: String,
    /// URL path below the base, without slashes at the ends (`about`, `docs/faq`).
    pub slug: String,
    pub template: String,
    pub draft: bool,
    pub extra: serde_json::Value,
}

/// `content/_index.md`: the home page intro.
#[derive(Debug, Clone)]
pub struct HomeIntro {
    pub origin: Origin,
    pub title: Option<String>,
    /// `extra:` of `_index.md`, for the home template as `intro.extra`.
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone)]
pub enum Document {
    Incident(Box<Incident>),
    News(Box<NewsStory>),
    Page(Box<Page>),
    Home(Box<HomeIntro>),
}

impl Origin {
    /// The Markdown body: the file's text after the front matter (borrowed, so
    /// a large site does not hold every body twice).
    pub fn body(&self) -> &str {
        self.source.text.get(self.body_offset..).unwrap_or("")
    }

    /// Let the file's text go once its Markdown is rendered and every rule
    /// that quotes it has run; diagnostics still name the file. Only `build`
    /// and `check` do this: serve re-renders and re-slices its kept documents.
    /// [`Origin::body`] is empty afterwards.
    pub fn release_text(&mut self) {
        let path = self.source.path.clone();
        self.source = Arc::new(SourceText::new(path, String::new()));
    }

    /// Put the file's text aside until [`Origin::unpack_text`] (a build,
    /// between parse and the Markdown of link; see [`SourceText::shelve`]).
    /// [`Origin::body`] is empty meanwhile; whatever quotes the file reads it
    /// through [`Origin::unpacked`].
    pub fn pack_text(&mut self) {
        let path = self.source.path.clone();
        let src = std::mem::replace(
            &mut self.source,
            Arc::new(SourceText::new(path, String::new())),
        );
        let src = Arc::try_unwrap(src).unwrap_or_else(|shared| (*shared).clone());
        self.source = Arc::new(src.shelve());
    }

    /// Take the text back; `Err` if its file changed since it was read.
    pub fn unpack_text(&mut self) -> Result<(), crate::diag::Diagnostic> {
        if let Some(src) = self.source.unpacked() {
            self.source = Arc::new(src?);
        }
        Ok(())
    }

    /// This origin with its text at hand: itself, or a copy with the text
    /// taken back (for a diagnostic that quotes the file). If its file
    /// changed meanwhile, the copy has no text (and link reports the change).
    pub fn unpacked(&self) -> std::borrow::Cow<'_, Origin> {
        match self.source.unpacked() {
            Some(src) => std::borrow::Cow::Owned(Origin {
                source: Arc::new(
                    src.unwrap_or_else(|_| SourceText::new(&self.source.path, String::new())),
                ),
                ..self.clone()
            }),
            None => std::borrow::Cow::Borrowed(self),
        }
    }
}

impl Incident {
    pub fn body(&self) -> &str {
        self.origin.body()
    }

    /// Not resolved yet: it shows as "open" on its page and its card,
    /// maintenance included. See [`Incident::is_open`] for the narrower sense.
    pub fn unresolved(&self) -> bool {
        self.status != Status::Resolved
    }

    /// An open incident in the status model's sense: unresolved and not
    /// maintenance (a maintenance window has its own phase instead).
    pub fn is_open(&self) -> bool {
        self.unresolved() && self.classification != Classification::Maintenance
    }

    /// Its latest timeline entry's time, else `started`.
    pub fn last_update(&self) -> &Timestamp {
        self.timeline.last().map_or(&self.started, |e| &e.at)
    }

    /// The time a feed or sitemap uses as "updated": its last update,
    /// resolution, or published postmortem, whichever is latest.
    pub fn updated(&self) -> &Timestamp {
        [self.resolved.as_ref(), self.postmortem_published()]
            .into_iter()
            .flatten()
            .fold(self.last_update(), |a, b| {
                if b.sort_key() >= a.sort_key() { b } else { a }
            })
    }

    /// When its postmortem was published: only a resolved incident's counts.
    pub fn postmortem_published(&self) -> Option<&Timestamp> {
        let pm = self.postmortem.as_ref()?;
        (self.status == Status::Resolved)
            .then_some(pm.published.as_ref())
            .flatten()
    }
}

impl NewsStory {
    pub fn body(&self) -> &str {
        self.origin.body()
    }
}

impl Page {
    pub fn body(&self) -> &str {
        self.origin.body()
    }
}

impl HomeIntro {
    pub fn body(&self) -> &str {
        self.origin.body()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_ids_are_path_safe() {
        assert!(IncidentId::parse("EX1331830").is_ok());
        assert!(IncidentId::parse("LOCAL-2026-04.a_b").is_ok());
        for bad in [
            "../x",
            "a/b",
            "has space",
            "",
            "-x",
            ".hidden",
            &"a".repeat(65),
        ] {
            assert!(IncidentId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(IncidentId::parse("EX1331830").unwrap().key(), "ex1331830");
    }

    #[test]
    fn keywords_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s).unwrap().as_str(), *s);
        }
        assert_eq!(Severity::parse("Major"), None);
    }
}
