//! The one shape every source is read into: an [`Item`] per incident, with
//! typed statuses and times, before IDs, adjustments and YAML text. Sources
//! produce it; `adjust`, `ids` and `emit` consume it.

use crate::model::{Classification, Severity, Status};
use crate::time::Timestamp;

/// A time as it will be written (RFC 3339 with the source's offset, or a
/// date) together with its parsed value, so adjustments compare instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct When {
    pub text: String,
    pub ts: Timestamp,
}

impl When {
    /// Order by instant (dates by day in UTC, as `check` compares them).
    pub(super) fn cmp(&self, other: &When) -> std::cmp::Ordering {
        self.ts.cmp_in(&other.ts, &jiff::tz::TimeZone::UTC)
    }
}

/// One status update of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub at: When,
    pub status: Option<Status>,
    pub text: String,
}

/// Where an item's ID comes from: the source's own ID, or a file name that
/// still has to be made one (date prefix dropped, characters replaced).
#[derive(Debug, Clone)]
pub(crate) enum IdHint {
    Source(String),
    FileName(String),
}

/// One incident as read from a source, in sitrep's terms.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Names the source item in warnings: `incidents.json: incident cp306tmzcl0y`.
    pub label: String,
    pub id: IdHint,
    pub title: String,
    pub services: Vec<String>,
    pub components: Vec<String>,
    pub status: Status,
    pub severity: Option<Severity>,
    pub classification: Classification,
    pub window: Option<(When, When)>,
    pub started: When,
    pub resolved: Option<When>,
    pub summary: Option<String>,
    pub timeline: Vec<Entry>,
    pub body: String,
    pub sources: Vec<(String, String)>,
    /// The latest time in the item (its last update), to pick the newer of two
    /// copies of the same incident.
    pub updated: Option<When>,
}

impl Item {
    /// An item with only what every source has; the rest is filled in by the source.
    pub(super) fn new(label: String, id: IdHint, title: String, started: When) -> Item {
        Item {
            label,
            id,
            title,
            services: Vec::new(),
            components: Vec::new(),
            status: Status::Investigating,
            severity: None,
            classification: Classification::Incident,
            window: None,
            started,
            resolved: None,
            summary: None,
            timeline: Vec::new(),
            body: String::new(),
            sources: Vec::new(),
            updated: None,
        }
    }
}

/// Warnings of a run, each naming its source item; and item-level errors
/// (an item that cannot be imported at all), which make the exit code 1.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    pub warnings: Vec<String>,
    pub errors: Vec<crate::diag::Diagnostic>,
}

impl Notes {
    pub(super) fn warn(&mut self, label: &str, what: impl AsRef<str>) {
        self.warnings.push(format!("{label}: {}", what.as_ref()));
    }

    /// An item that cannot be imported at all: an error naming it (exit 1);
    /// the other items go on.
    pub(super) fn skip(&mut self, label: &str, why: impl AsRef<str>) {
        self.errors.push(
            crate::diag::Diagnostic::error(label, format!("not imported: {}", why.as_ref()))
                .hint("fix the item in the source and import again"),
        );
    }
}
