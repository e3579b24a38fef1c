//! The view of the site every context builder reads through: the linked
//! site, "now", the interface strings and the status model in, the shared
//! conversions out (a time's four forms, URLs with the base sub-path, term
//! links, status labels). Context builders in `context.rs`, `lists.rs`,
//! `fragments.rs`, the charts and the machine outputs all build on it.

use super::reads::{Doc, Fact, List, Reads, Recorder};
use crate::config::Config;
use crate::i18n::Strings;
use crate::ix::{IncidentIx, PageIx, StoryIx};
use crate::link::{Backlink, IncidentHtml, Site, Tax};
use crate::markdown::Rendered;
use crate::model::{Action, Incident, NewsStory, Page, Status};
use crate::status::{Phase, ServiceStatus, StatusModel};
use crate::time::Timestamp;

/// "Now", for maintenance state and "open for" (from SOURCE_DATE_EPOCH or the clock).
#[derive(Debug, Clone, Copy)]
pub struct Now(pub jiff::Timestamp);

/// A context builder's only way into the site. Its fields are private: every
/// method that hands out part of the site notes what it hands out in
/// [`Recorder`] (a document, a list slice, an ID lookup, backlinks, a
/// service's status, "now", or the whole site), so a page cannot read
/// something serve would not re-render it for. Only the config is read
/// unrecorded: a config change makes serve re-render everything.
pub(crate) struct Builder<'a> {
    site: &'a Site,
    now: &'a Now,
    /// Interface strings of the site's language: every word a context carries.
    pub strings: &'a Strings,
    status: &'a StatusModel,
    pub cards: &'a super::cards::Cards<'a>,
    pub memo: Option<&'a super::memo::Memo>,
    /// Search keys of documents tokenized before: serve's memo, or the
    /// previous build's ([`super::Mode::Record`]).
    pub keys: Option<&'a dyn super::memo::KeyStore>,
    /// What the page being built reads (serve records it; see `reads.rs`).
    reads: Recorder,
}

pub(super) const LATEST: usize = 10;

/// The anchor of the postmortem section of an incident page.
pub(super) const POSTMORTEM_ANCHOR: &str = "postmortem";

/// **time**: an instant or date in its four forms (docs/templates.md).
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Time {
    pub machine: String,
    pub display: String,
    pub date: String,
    pub clock: Option<String>,
}

/// **link**: a taxonomy term, `{name, url}`.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Link<'a> {
    pub name: &'a str,
    pub url: Option<String>,
}

/// Template variables as Tera reads them (a map), built straight from a
/// typed context, and — in serve, which skips a page whose context did not
/// change — a hash of them.
#[derive(Debug, Clone)]
pub(crate) struct Vars {
    pub value: tera::Value,
    pub hash: u64,
}

/// One page of a paged list: how long the whole list is, and the site
/// indices of the items on this page.
pub(super) struct ListPage<I> {
    pub len: usize,
    pub items: Vec<I>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(
        site: &'a Site,
        (now, status): (&'a Now, &'a StatusModel),
        strings: &'a Strings,
        (cards, memo): (&'a super::cards::Cards<'a>, Option<&'a super::memo::Memo>),
        record: bool,
    ) -> Builder<'a> {
        let reads = if record {
            Recorder::on()
        } else {
            Recorder::default()
        };
        Builder {
            site,
            now,
            strings,
            status,
            cards,
            memo,
            keys: memo.map(|m| m as &dyn super::memo::KeyStore),
            reads,
        }
    }

    /// `v` as template variables: converted for Tera once, and hashed only
    /// for serve (it has a memo).
    pub(crate) fn vars<T: serde::Serialize + ?Sized>(&self, v: &T) -> Vars {
        Vars {
            value: tera::Value::from_serializable(v),
            hash: self.hash_of(v),
        }
    }

    /// A hash of `v` for serve (0 in a build, which compares nothing).
    pub(crate) fn hash_of<T: serde::Serialize + ?Sized>(&self, v: &T) -> u64 {
        self.memo.map_or(0, |_| {
            use std::hash::Hasher;
            let mut h = super::reads::hasher();
            // Serialising into a hasher cannot fail.
            let _ = serde_json::to_writer(super::reads::HashWriter(&mut h), v);
            h.finish()
        })
    }

    /// What the page read (`None` when not recording).
    pub(crate) fn take_reads(self) -> Option<Reads> {
        self.reads.take()
    }

    /// `f` on a builder of its own, and what `f` read, which this builder
    /// reads too. Caches keep what a cached value read, to replay it
    /// ([`Builder::replay`]) for every page that reuses the value.
    pub(super) fn recorded<T>(&self, f: impl FnOnce(&Builder<'a>) -> T) -> (T, Option<Reads>) {
        let inner = Builder {
            reads: self.reads.fresh(),
            ..*self
        };
        let value = f(&inner);
        let reads = inner.reads.take();
        if let Some(r) = &reads {
            self.reads.replay(r);
        }
        (value, reads)
    }

    /// Notes that this page read what a cached value read when it was built.
    pub(super) fn replay(&self, reads: Option<&Reads>) {
        if let Some(r) = reads {
            self.reads.replay(r);
        }
    }

    /// The config: read without a record, since serve re-renders every page
    /// when it changes.
    pub(crate) fn config(&self) -> &'a Config {
        &self.site.config
    }

    /// The whole site, for pages that show all of it (home, indexes,
    /// feeds): they are checked again on every change.
    pub(crate) fn whole(&self) -> &'a Site {
        self.reads.whole();
        self.site
    }

    /// The status model as a whole (the home page's banner, the APIs).
    pub(crate) fn status(&self) -> &'a StatusModel {
        self.reads.whole();
        self.status
    }

    /// "Now": the page is checked again when the clock moves.
    pub(crate) fn now(&self) -> Now {
        self.reads.now();
        *self.now
    }

    pub(crate) fn incident(&self, i: IncidentIx) -> &'a Incident {
        self.reads.doc(Doc::Incident(i));
        &self.site.incidents[i]
    }

    pub(crate) fn incident_html(&self, i: IncidentIx) -> &'a IncidentHtml {
        self.reads.doc(Doc::Incident(i));
        &self.site.incident_html[i]
    }

    /// Incident `i`'s one-line summary (`Site::incident_summary`).
    pub(crate) fn summary(&self, i: IncidentIx) -> &'a str {
        self.reads.doc(Doc::Incident(i));
        self.site.incident_summary(i)
    }

    pub(crate) fn story(&self, n: StoryIx) -> &'a NewsStory {
        self.reads.doc(Doc::News(n));
        &self.site.news[n]
    }

    pub(crate) fn story_html(&self, n: StoryIx) -> &'a Rendered {
        self.reads.doc(Doc::News(n));
        &self.site.news_html[n]
    }

    pub(crate) fn page_doc(&self, p: PageIx) -> (&'a Page, &'a Rendered) {
        self.reads.doc(Doc::Page(p));
        (&self.site.pages[p], &self.site.page_html[p])
    }

    /// The incident an ID key (`ex1`) names, if the site has it.
    pub(crate) fn find(&self, key: &str) -> Option<IncidentIx> {
        self.reads.fact(|| Fact::Id(key.to_string()));
        self.site.index.get(key).copied()
    }

    /// The later incidents and stories that refer to incident `i`.
    pub(crate) fn backlinks(&self, i: IncidentIx) -> &'a [Backlink] {
        self.reads
            .fact(|| Fact::Backlinks(self.site.incidents[i].id.key()));
        &self.site.backlinks[i]
    }

    /// The earlier incidents that resemble incident `i`.
    pub(crate) fn similar(&self, i: IncidentIx) -> &'a [IncidentIx] {
        self.reads
            .fact(|| Fact::Similar(self.site.incidents[i].id.key()));
        &self.site.similar[i]
    }

    /// Page `page` (1-based) of a list of incidents: which it holds and how
    /// long the list is.
    pub(super) fn list_page(&self, list: List, page: usize) -> ListPage<IncidentIx> {
        debug_assert!(list != List::News, "stories page through news_page");
        let all = super::reads::members(self.site, &list);
        let p = self.slice(all.as_deref().unwrap_or_default(), page);
        self.reads.fact(|| Fact::Slice(list, page));
        p
    }

    /// Page `page` (1-based) of `/news/`.
    pub(super) fn news_page(&self, page: usize) -> ListPage<StoryIx> {
        let all: Vec<StoryIx> = self.site.news.keys().collect();
        self.reads.fact(|| Fact::Slice(List::News, page));
        self.slice(&all, page)
    }

    fn slice<I: Copy>(&self, all: &[I], page: usize) -> ListPage<I> {
        let per = self.site.config.paginate_by.max(1);
        let len = all.len();
        let from = (page.saturating_sub(1) * per).min(len);
        let items = all[from..(from + per).min(len)].to_vec();
        ListPage { len, items }
    }

    /// Page `page` of `/actions/`: the open action items on it, each with
    /// its incident, and how many there are in all.
    pub(super) fn actions_page(&self, page: usize) -> (usize, Vec<(&'a Incident, &'a Action)>) {
        let per = self.site.config.paginate_by.max(1);
        let open = super::select::open_actions(self.site);
        self.reads.fact(|| Fact::Slice(List::Actions, page));
        let items = (open.iter().skip((page - 1) * per).take(per))
            .map(|&(i, _, a)| (self.incident(i), a))
            .collect();
        (open.len(), items)
    }

    /// Every incident of a list (a service's strip and figures).
    pub(super) fn members(&self, list: List) -> Vec<IncidentIx> {
        let all = super::reads::members(self.site, &list).map(|m| m.into_owned());
        self.reads.fact(|| Fact::Members(list));
        all.unwrap_or_default()
    }

    /// The name of a taxonomy's term by slug. A name is the same on every
    /// incident that has it (`link::taxonomies` refuses two spellings), so
    /// the incidents a term's page lists carry it; its members come through
    /// [`Builder::list_page`] or [`Builder::members`].
    pub(crate) fn term_name(&self, t: Tax, slug: &str) -> Option<&'a str> {
        let term = self.site.taxonomy(t).terms.get(slug)?;
        Some(term.name.as_str())
    }

    /// `services`, `regions`…: fixed by sitrep.
    pub(crate) fn taxonomy_name(&self, t: Tax) -> &'static str {
        self.site.taxonomy(t).name
    }

    /// Which month the `m`-th `/history/` month is (year, month 1–12): a
    /// name for its page, whose incidents come through [`Builder::list_page`].
    pub(super) fn month_at(&self, m: usize) -> (i16, i8) {
        let month = &self.site.months[m];
        (month.year, month.month)
    }

    /// The maintenance phase of incident `i`'s window, which moves with "now".
    pub(crate) fn phase(&self, i: IncidentIx) -> Option<Phase> {
        self.reads.doc(Doc::Incident(i));
        let phase = self.status.phases[i];
        if phase.is_some() {
            self.reads.now();
        }
        phase
    }

    /// A service's status by slug.
    pub(crate) fn service(&self, slug: &str) -> Option<&'a ServiceStatus> {
        self.reads.fact(|| Fact::Service(slug.to_string()));
        self.status.service(slug)
    }

    /// The name of a service's group (`[groups]`, config).
    pub(crate) fn group_name(&self, s: &ServiceStatus) -> Option<&'a str> {
        self.status.group_of(s).map(|g| g.name.as_str())
    }

    /// Serve's memo of cards: incident `i`'s card from an earlier render,
    /// if still good. It reads what it read then, with `i` its place now.
    pub(super) fn memo_card(&self, i: IncidentIx) -> Option<super::cards::Card> {
        let mut card = self.memo?.card(self.site, i)?;
        card.reads = card.reads.map(|r| {
            let docs = r.docs.iter().map(|_| Doc::Incident(i)).collect();
            std::sync::Arc::new(Reads {
                docs,
                ..(*r).clone()
            })
        });
        Some(card)
    }

    /// Keeps a card in serve's memo, if it reads nothing but its own
    /// incident (and "now"): the memo keeps it by that incident's file.
    pub(super) fn memo_put_card(&self, i: IncidentIx, card: &super::cards::Card) {
        let Some(memo) = self.memo else { return };
        let own = card.reads.as_ref().is_none_or(|r| {
            r.docs.iter().all(|&d| d == Doc::Incident(i)) && r.facts.is_empty() && !r.whole
        });
        if own {
            memo.put_card(self.site, i, card.clone());
        }
    }

    pub(crate) fn time(&self, t: &Timestamp) -> Time {
        let tz = &self.config().timezone;
        // As `Timestamp::display_in`, with the zone conversions done once:
        // pages show thousands of times.
        let (day, clock) = (t.date(tz), t.clock(tz));
        let date = self.strings.date(day);
        let display = match &clock {
            Some(c) => self.strings.datetime(day, c),
            None => date.clone(),
        };
        Time {
            machine: t.machine(),
            display,
            date,
            clock,
        }
    }

    /// An interface string (its key when missing everywhere; a unit test
    /// checks the built-in English file has every key sitrep asks for).
    pub(super) fn string(&self, key: &'static str) -> &'a str {
        let strings: &'a crate::i18n::Strings = self.strings;
        strings.get(key)
    }

    /// A status in the site's language (`Resolved`, `Behoben`).
    pub(super) fn status_label(&self, s: Status) -> String {
        self.strings
            .get(&format!("status.{}", s.as_str()))
            .to_string()
    }

    pub(super) fn duration(&self, seconds: i64) -> String {
        self.strings.duration(seconds)
    }

    pub(super) fn opt_time(&self, t: Option<&Timestamp>) -> Option<Time> {
        t.map(|t| self.time(t))
    }

    pub(super) fn url(&self, path: &str) -> String {
        self.config().url(path)
    }

    /// The URL of a term of taxonomy `t` by name (its slug follows from the
    /// name alone).
    pub(super) fn term_url(&self, t: Tax, name: &str) -> Option<String> {
        self.site.taxonomy(t).term_url(self.config(), name)
    }

    /// Term links of taxonomy `t`.
    pub(super) fn links<'s>(
        &self,
        t: Tax,
        names: impl IntoIterator<Item = &'s str>,
    ) -> Vec<Link<'s>> {
        let tax = self.site.taxonomy(t);
        let url = |n: &str| tax.term_url(self.config(), n);
        names
            .into_iter()
            .map(|name| Link {
                name,
                url: url(name),
            })
            .collect()
    }
}

/// The first instant after `now` at which a page that reads "now" can show
/// something else: an open incident's "open for" gains a minute, a
/// maintenance window starts or ends, the date in the site's zone changes.
/// Serve advances its clock then. Code that reads `now` must be covered here.
pub(crate) fn next_change(site: &Site, now: &Now) -> Option<jiff::Timestamp> {
    let tz = &site.config.timezone;
    let n = now.0.as_second();
    let at = |t: &Timestamp| match t {
        Timestamp::Instant(i) => Some(i.as_second()),
        Timestamp::Date(d) => d
            .to_zoned_datetime(tz.clone())
            .ok()
            .map(|z| z.timestamp().as_second()),
    };
    let midnight = now
        .0
        .to_zoned_datetime(tz.clone())
        .date()
        .tomorrow()
        .ok()
        .and_then(|d| at(&Timestamp::Date(d)));
    let mut times: Vec<i64> = midnight.into_iter().collect();
    for inc in &site.incidents {
        if let Some(w) = &inc.window {
            times.extend(at(&w.start));
            times.extend(at(&w.end));
        }
        if inc.unresolved()
            && let Some(s) = inc.started.instant().map(|s| s.as_second())
        {
            // "Open for" counts whole minutes from `started`.
            times.push(s);
            times.push(n + 60 - (n - s).rem_euclid(60));
        }
    }
    // Uptime figures move with the window's end while it holds downtime.
    times.extend(crate::uptime::next_change(&site.incidents, now.0, tz));
    let next = times.into_iter().filter(|&t| t > n).min()?;
    jiff::Timestamp::from_second(next).ok()
}

#[cfg(test)]
mod tests;
