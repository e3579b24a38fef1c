//! Checks that need "now", in serve: the kept site and the clock in, the
//! warnings of [`crate::nowchecks`] out — after every rebuild, whichever
//! path it took (a patch changes warnings in other files too: `related`
//! added to one incident clears another's "did you mean to relate"), and on
//! their own timer: a stale warning appears at its instant (last update +
//! `stale_after`) with the checks run alone, no render. The link's own
//! warnings (`Kept::warnings`) never hold these, so none goes stale.

use super::{Engine, Outcome};
use crate::diag::Diagnostic;
use crate::link::Site;
use std::time::Instant;

impl Engine {
    /// The instant the checks run at: the clock now. (The render's "now"
    /// moves only when a page would show it, and may lag by a minute.)
    fn checks_now(&self) -> Option<jiff::Timestamp> {
        (self.clock)().ok().or(self.now.map(|n| n.0))
    }

    /// The now-warnings of `site`, noting when its next stale warning
    /// appears; their time goes into `o`'s timings as "now checks".
    pub(super) fn now_warnings(&mut self, site: &Site, o: &mut Outcome) -> Vec<Diagnostic> {
        let t = Instant::now();
        let Some(now) = self.checks_now() else {
            self.stale_at = None;
            return Vec::new();
        };
        self.stale_at = crate::nowchecks::next_stale(site, now);
        let out = crate::nowchecks::of_site(site, now);
        o.timings.push(("now checks", t.elapsed()));
        out
    }

    /// After a rebuild that kept its site: the site's now-warnings join
    /// `o`'s. Run once the pages are published, so an edited page is served
    /// without waiting for the checks (they read every incident).
    pub(super) fn add_now_warnings(&mut self, o: &mut Outcome) {
        let Some(k) = self.kept.take() else {
            return;
        };
        let now_warnings = self.now_warnings(&k.site, o);
        self.kept = Some(k);
        o.diags.extend(now_warnings);
        crate::diag::sort(&mut o.diags);
    }

    /// A rebuild with nothing to render (the timer woke for a stale warning,
    /// or nothing changed): the kept site's standing warnings and its
    /// now-warnings checked again.
    pub(super) fn checks_only(&mut self, o: &mut Outcome) {
        if let Some(k) = &self.kept {
            o.diags = k.warnings.clone();
        }
        self.add_now_warnings(o);
    }

    /// When "now" next matters: a page that reads it changes, or a stale
    /// warning appears.
    pub(super) fn next_wake(&self) -> Option<jiff::Timestamp> {
        match (self.next_tick, self.stale_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
