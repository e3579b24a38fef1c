//! Two snapshots in (the last published and the new build), the changes per
//! incident out: a new incident or maintenance, new timeline entries, a status
//! change, a resolution. Pure: no I/O, so the rules are tested here directly.

use super::snapshot::{Listed, Record, Snapshot, Update};
use crate::model::{Classification, Status};
use std::collections::HashSet;

/// The `type` of a change (FORMAT.md, the generic webhook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Created,
    MaintenanceScheduled,
    Updated,
    Resolved,
}

impl Kind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Kind::Created => "incident.created",
            Kind::MaintenanceScheduled => "maintenance.scheduled",
            Kind::Updated => "incident.updated",
            Kind::Resolved => "incident.resolved",
        }
    }
}

/// One change: its kind and the new timeline entry it brings, if any.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change<'a> {
    pub kind: Kind,
    pub update: Option<&'a Update>,
}

/// An incident with all its changes: what one message says.
#[derive(Debug)]
pub(crate) struct Changed<'a> {
    pub incident: &'a Listed,
    pub record: &'a Record,
    pub changes: Vec<Change<'a>>,
}

/// Every incident of `after` that changed since `before`, in `after`'s order.
/// Incidents gone from `after` (deleted, made internal) send nothing.
pub(crate) fn diff<'a>(before: &Snapshot, after: &'a Snapshot) -> Vec<Changed<'a>> {
    let empty = Record::default();
    after
        .incidents
        .iter()
        .filter_map(|inc| {
            // Every listed incident of a snapshot has its record (both readers
            // fail otherwise); `before` reads only those `after` still lists.
            let record = after.record(&inc.id)?;
            let changes = match before.find(&inc.id) {
                None => created(inc, record),
                Some(old) => updated(old, before.record(&old.id).unwrap_or(&empty), inc, record),
            };
            (!changes.is_empty()).then_some(Changed {
                incident: inc,
                record,
                changes,
            })
        })
        .collect()
}

/// A new incident: one change, carrying its latest update.
fn created<'a>(inc: &Listed, record: &'a Record) -> Vec<Change<'a>> {
    let kind = if inc.classification == Classification::Maintenance {
        Kind::MaintenanceScheduled
    } else {
        Kind::Created
    };
    vec![Change {
        kind,
        update: record.timeline.last(),
    }]
}

fn updated<'a>(old: &Listed, old_rec: &Record, new: &Listed, rec: &'a Record) -> Vec<Change<'a>> {
    let seen: HashSet<(&str, &str)> = old_rec
        .timeline
        .iter()
        .map(|u| (u.at.as_str(), u.text.as_str()))
        .collect();
    let mut changes: Vec<Change> = rec
        .timeline
        .iter()
        .filter(|u| !seen.contains(&(u.at.as_str(), u.text.as_str())))
        .map(|u| Change {
            kind: Kind::Updated,
            update: Some(u),
        })
        .collect();
    let resolved_now = new.status == Status::Resolved && old.status != Status::Resolved;
    if resolved_now {
        match changes
            .iter_mut()
            .rev()
            .find(|c| c.update.and_then(|u| u.status) == Some(Status::Resolved))
        {
            Some(c) => c.kind = Kind::Resolved,
            None => changes.push(Change {
                kind: Kind::Resolved,
                update: None,
            }),
        }
    } else if new.status != old.status
        && !changes
            .iter()
            .any(|c| c.update.and_then(|u| u.status) == Some(new.status))
    {
        // A status set without a timeline entry saying so.
        changes.push(Change {
            kind: Kind::Updated,
            update: None,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IncidentId;
    use serde_json::Value;

    fn listed(id: &str, status: Status, class: Classification) -> Listed {
        Listed {
            id: IncidentId::parse(id).unwrap(),
            title: "T".into(),
            status,
            classification: class,
            severity: None,
            services: vec![],
            regions: vec![],
            url: String::new(),
            compact: Value::Null,
        }
    }

    fn update(at: &str, status: Option<Status>, text: &str) -> Update {
        Update {
            at: at.into(),
            status,
            text: text.into(),
        }
    }

    fn snap(items: Vec<(Listed, Vec<Update>)>) -> Snapshot {
        let mut s = Snapshot::default();
        for (l, timeline) in items {
            s.records.insert(
                l.id.key(),
                Record {
                    timeline,
                    window: None,
                },
            );
            s.incidents.push(l);
        }
        s
    }

    fn kinds<'a>(c: &'a Changed<'a>) -> Vec<(Kind, Option<&'a str>)> {
        c.changes
            .iter()
            .map(|c| (c.kind, c.update.map(|u| u.text.as_str())))
            .collect()
    }

    use Classification::{Incident, Maintenance};
    use Status::*;

    #[test]
    fn new_incidents_and_maintenance() {
        let before = snap(vec![]);
        let after = snap(vec![
            (
                listed("A", Investigating, Incident),
                vec![
                    update("1", Some(Investigating), "a1"),
                    update("2", None, "a2"),
                ],
            ),
            (listed("M", Identified, Maintenance), vec![]),
        ]);
        let d = diff(&before, &after);
        assert_eq!(kinds(&d[0]), [(Kind::Created, Some("a2"))]);
        assert_eq!(kinds(&d[1]), [(Kind::MaintenanceScheduled, None)]);
    }

    #[test]
    fn new_entries_status_changes_and_resolution() {
        let a_old = vec![update("1", Some(Investigating), "a1")];
        let before = snap(vec![
            (listed("A", Investigating, Incident), a_old.clone()),
            (listed("B", Investigating, Incident), vec![]),
            (
                listed("C", Monitoring, Incident),
                vec![update("1", None, "c1")],
            ),
            (listed("D", Identified, Incident), vec![]),
            (listed("E", Resolved, Incident), vec![]),
        ]);
        let mut a_new = a_old.clone();
        a_new.push(update("2", Some(Identified), "a2"));
        a_new.push(update("3", Some(Resolved), "a3"));
        let after = snap(vec![
            (listed("A", Resolved, Incident), a_new),
            (listed("B", Monitoring, Incident), vec![]),
            (
                listed("C", Resolved, Incident),
                vec![update("1", None, "c1"), update("2", None, "c2")],
            ),
            (listed("D", Identified, Incident), vec![]),
            (
                listed("E", Investigating, Incident),
                vec![update("9", Some(Investigating), "reopened")],
            ),
        ]);
        let d = diff(&before, &after);
        let ids: Vec<_> = d.iter().map(|c| c.incident.id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C", "E"], "D did not change");
        assert_eq!(
            kinds(&d[0]),
            [(Kind::Updated, Some("a2")), (Kind::Resolved, Some("a3"))]
        );
        assert_eq!(kinds(&d[1]), [(Kind::Updated, None)]);
        assert_eq!(
            kinds(&d[2]),
            [(Kind::Updated, Some("c2")), (Kind::Resolved, None)]
        );
        assert_eq!(kinds(&d[3]), [(Kind::Updated, Some("reopened"))]);
    }

    #[test]
    fn the_same_snapshot_changes_nothing_and_gone_incidents_send_nothing() {
        let s = || {
            snap(vec![(
                listed("A", Investigating, Incident),
                vec![update("1", None, "a")],
            )])
        };
        assert!(diff(&s(), &s()).is_empty());
        assert!(diff(&s(), &snap(vec![])).is_empty());
    }
}
