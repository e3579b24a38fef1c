//! What a rebuild must redo besides re-reading the edited files, as one
//! value: each reason the Engine meets (the clock passed a change, a template
//! changed, the content assets moved, the config or the interface strings
//! changed) merges into it, and a good rebuild resets it to [`Redo::NOTHING`].
//! Two kinds of work vary — whether the kept site may be patched, and which
//! pages are checked — and a full redo implies the most of both, so the
//! states are a small lattice rather than a set of flags.

/// Which pages a rebuild checks besides those the ledger names (pages that
/// read an edited document or a changed fact, and new pages). Ordered: each
/// includes the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Check {
    Ledger,
    /// Also the pages that read "now": the clock passed a change.
    Clocked,
    /// Every page: a template changed (only those whose template's version
    /// or context changed are rendered).
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Redo {
    /// The kept site stays: edits are patched into it where a patch can take them.
    Patch(Check),
    /// Re-link rather than patch: the set of content assets changed, so
    /// links to them resolve differently.
    Relink(Check),
    /// Re-link and check every page, trusting no per-document memo: the
    /// first build, a new config or new interface strings.
    Everything,
    /// [`Redo::Everything`], and every cached Markdown render is stale too
    /// (the config or the label of internal notes changed).
    Markdown,
}

impl Redo {
    pub(super) const NOTHING: Redo = Redo::Patch(Check::Ledger);

    /// The least redo that does what both do.
    pub(super) fn merge(self, other: Redo) -> Redo {
        use Redo::*;
        match (self, other) {
            (Markdown, _) | (_, Markdown) => Markdown,
            (Everything, _) | (_, Everything) => Everything,
            (Patch(a), Patch(b)) => Patch(a.max(b)),
            (Patch(a) | Relink(a), Patch(b) | Relink(b)) => Relink(a.max(b)),
        }
    }

    pub(super) fn add(&mut self, other: Redo) {
        *self = self.merge(other);
    }

    /// Whether the kept site may be patched instead of linked afresh.
    pub(super) fn patches(self) -> bool {
        matches!(self, Redo::Patch(_))
    }

    pub(super) fn check(self) -> Check {
        match self {
            Redo::Patch(c) | Redo::Relink(c) => c,
            Redo::Everything | Redo::Markdown => Check::All,
        }
    }

    /// Whether the memo's entries of documents not edited still hold.
    pub(super) fn trusts_memo(self) -> bool {
        matches!(self, Redo::Patch(_) | Redo::Relink(_))
    }

    /// For the link about to run: whether it must drop every cached
    /// Markdown render (once; the rest of the redo stands until a good
    /// rebuild).
    pub(super) fn take_markdown(&mut self) -> bool {
        let stale = *self == Redo::Markdown;
        if stale {
            *self = Redo::Everything;
        }
        stale
    }
}

#[cfg(test)]
mod tests {
    use super::{Check::*, Redo, Redo::*};

    const ALL: [Redo; 8] = [
        Patch(Ledger),
        Patch(Clocked),
        Patch(All),
        Relink(Ledger),
        Relink(Clocked),
        Relink(All),
        Everything,
        Markdown,
    ];

    /// `a` does at least what `b` does.
    fn covers(a: Redo, b: Redo) -> bool {
        a.check() >= b.check()
            && (b.patches() || !a.patches())
            && (b.trusts_memo() || !a.trusts_memo())
            && (b != Markdown || a == Markdown)
    }

    #[test]
    fn merge_is_the_least_redo_covering_both() {
        for a in ALL {
            assert_eq!(a.merge(Redo::NOTHING), a);
            for b in ALL {
                let m = a.merge(b);
                assert_eq!(m, b.merge(a), "{a:?} {b:?}");
                assert!(covers(m, a) && covers(m, b), "{a:?} {b:?} → {m:?}");
                let least = ALL.iter().filter(|c| covers(**c, a) && covers(**c, b));
                assert!(least.clone().all(|c| covers(*c, m)), "{a:?} {b:?} → {m:?}");
            }
        }
    }

    #[test]
    fn the_clock_and_a_template_do_not_force_a_relink_but_moved_assets_keep_the_checks() {
        let mut r = Redo::NOTHING;
        r.add(Patch(Clocked));
        assert!(r.patches() && r.check() == Clocked);
        r.add(Relink(Ledger));
        assert_eq!(r, Relink(Clocked));
        r.add(Patch(All));
        assert_eq!(r, Relink(All));
        r.add(Markdown);
        assert!(r.take_markdown() && r == Everything && !r.take_markdown());
    }
}
