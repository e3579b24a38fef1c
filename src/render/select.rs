//! What each list holds and where its pages live: the linked site in, the
//! items of `/actions/` and `/postmortems/`, page counts and paged paths out.
//! A leaf: contexts, serve's read records and the output registry all use it.

use crate::ix::IncidentIx;
use crate::link::Site;
use crate::model::{Action, ActionStatus, Incident};

/// How many pages a list of `items` takes: at least one, so an empty list
/// still has its page.
pub(super) fn page_count(items: usize, per: usize) -> usize {
    items.div_ceil(per.max(1)).max(1)
}

/// The path of page `page` of the list at `base` (`incidents/`): page 1 is the
/// list itself, page N is `incidents/page/N/`.
pub(super) fn paged_path(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{page}/")
    }
}

/// Every open action item of the site, in incident order (newest first),
/// with its incident's index.
pub(super) fn open_actions(site: &Site) -> Vec<(IncidentIx, &Incident, &Action)> {
    site.incidents
        .iter_enumerated()
        .flat_map(|(i, inc)| inc.actions.iter().map(move |a| (i, inc, a)))
        .filter(|(_, _, a)| a.status == ActionStatus::Open)
        .collect()
}

/// `/postmortems/`: resolved incidents with a published postmortem, newest
/// published first (ties: newest started first, as the incident order has it).
pub(super) fn postmortem_list(site: &Site) -> Vec<IncidentIx> {
    let mut v: Vec<(i64, IncidentIx)> = (site.incidents.iter_enumerated())
        .filter_map(|(i, inc)| Some((inc.postmortem_published()?.sort_key(), i)))
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    v.into_iter().map(|(_, i)| i).collect()
}

pub(super) fn month_path(key: &str) -> String {
    format!("history/{key}/")
}
