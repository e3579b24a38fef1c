//! List pages: the linked site in, the template contexts of every paginated
//! list out — `/incidents/`, `/news/`, each term, `/history/` and its months —
//! each page with its slice of cards and a pager ("page N of M", newer and
//! older links). Cards come from the per-render [`Cards`] cache, so an
//! incident listed on five pages is built and converted for Tera once.

use super::context::Builder;
use super::reads::{Doc, Fact, List};
use crate::link::{Site, incident_path};
use crate::model::{Action, ActionStatus, Incident};
use serde_json::{Value, json};
use std::hash::Hasher;
use std::sync::OnceLock;

/// A hasher as an `io::Write`, so a value hashes without a string copy.
pub struct HashWriter<'a, H: Hasher>(pub &'a mut H);

impl<H: Hasher> std::io::Write for HashWriter<'_, H> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Each incident's card as a Tera value, built on first use, with its HTML as
/// `card.html` when the theme's `incident_card` component renders it. Tera
/// values share their arrays and maps, so handing one to many pages copies
/// nothing, and a card on seven lists is templated once.
///
/// In a build with the built-in templates unchanged, whose paged lists print
/// `card.html` and read nothing else of a card, a card keeps only its HTML:
/// the whole Tera value of a card is about 10 KB, which at 100,000 incidents
/// held for the whole render was 1 GB.
pub struct Cards<'a> {
    cards: Vec<OnceLock<Card>>,
    tera: &'a tera::Tera,
    html_only: bool,
}

impl<'a> Cards<'a> {
    pub fn new(incidents: usize, tera: &'a tera::Tera) -> Cards<'a> {
        let cards = (0..incidents).map(|_| OnceLock::new()).collect();
        let html_only = tera.contains_template(HTML_ONLY);
        Cards {
            cards,
            tera,
            html_only,
        }
    }
}

/// An empty template whose presence says that paged lists read only
/// `card.html` ([`crate::theme::Theme::templates_built_in`]).
pub const HTML_ONLY: &str = "__sitrep/cards-html-only";

/// The internal template that renders one list card (`level` 2, as on every
/// paged list).
pub const CARD_TEMPLATE: &str = "__sitrep/card.html";
pub const CARD_SOURCE: &str = "{{ <incident_card card={card} level={2}/> }}";

/// One card as Tera reads it, and a hash of it (serve hashes a list page's
/// context from its cards' hashes).
pub type Card = (tera::Value, u64);

/// The cards of one list page, under the context key the template reads.
pub type CardList = (&'static str, Vec<Card>);

/// How many pages a list of `items` takes: at least one, so an empty list
/// still has its page.
pub fn page_count(items: usize, per: usize) -> usize {
    items.div_ceil(per.max(1)).max(1)
}

/// The path of page `page` of the list at `base` (`incidents/`): page 1 is the
/// list itself, page N is `incidents/page/N/`.
pub fn paged_path(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{page}/")
    }
}

/// Every open action item of the site, in incident order (newest first),
/// with its incident's index.
pub fn open_actions(site: &Site) -> Vec<(usize, &Incident, &Action)> {
    site.incidents
        .iter()
        .enumerate()
        .flat_map(|(i, inc)| inc.actions.iter().map(move |a| (i, inc, a)))
        .filter(|(_, _, a)| a.status == ActionStatus::Open)
        .collect()
}

/// `/postmortems/`: resolved incidents with a published postmortem, newest
/// published first (ties: newest started first, as the incident order has it).
pub fn postmortem_list(site: &Site) -> Vec<usize> {
    let mut v: Vec<(i64, usize)> = (0..site.incidents.len())
        .filter_map(|i| Some((site.incidents[i].postmortem_published()?.sort_key(), i)))
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    v.into_iter().map(|(_, i)| i).collect()
}

pub fn month_path(key: &str) -> String {
    format!("history/{key}/")
}

impl Builder<'_> {
    fn card_value(&self, i: usize) -> Card {
        self.reads.doc(Doc::Incident(i));
        if self.status.phases[i].is_some() {
            // Its maintenance state (`Builder::maintenance`), though the card is cached.
            self.reads.now();
        }
        self.cards.cards[i]
            .get_or_init(|| {
                if let Some(c) = self.memo.and_then(|m| m.card(self.site, i)) {
                    return c;
                }
                let mut card = self.card(i);
                let tera = self.cards.tera;
                if tera.contains_template(CARD_TEMPLATE) {
                    let mut cx = tera::Context::new();
                    cx.insert("card", &card);
                    // On failure the list renders the card itself, and reports
                    // the template error with the page it is on.
                    match tera.render(CARD_TEMPLATE, &cx) {
                        // Serve keeps whole cards: its page hashes must not
                        // change when a template edit ends the html-only case.
                        Ok(html) if self.cards.html_only && self.memo.is_none() => {
                            card = json!({ "html": html })
                        }
                        Ok(html) => card["html"] = Value::String(html),
                        Err(_) => {}
                    }
                }
                // Only serve (which has a memo) compares pages by hash; a
                // build would hash every card for nothing. serde_json's maps
                // are sorted: the same card hashes the same.
                let hash = self.memo.map_or(0, |_| {
                    let mut h = super::reads::hasher();
                    let _ = serde_json::to_writer(HashWriter(&mut h), &card);
                    h.finish()
                });
                let c = (tera::Value::from_serializable(&card), hash);
                if let Some(m) = self.memo {
                    m.put_card(self.site, i, c.clone());
                }
                c
            })
            .clone()
    }

    fn per(&self) -> usize {
        self.site.config.paginate_by
    }

    /// Page `page` (1-based) of `list`, at `base`, of `len` incidents, the
    /// `n`-th being `at(n)`: its pager, its number of pages and its slice of cards.
    fn incident_page(
        &self,
        (list, base): (List, &str),
        (len, at): (usize, &dyn Fn(usize) -> usize),
        page: usize,
    ) -> (Value, usize, CardList) {
        self.reads.fact(|| Fact::Slice(list, page));
        let per = self.per();
        let total = page_count(len, per);
        let cards = ((page - 1) * per..(page * per).min(len))
            .map(|n| self.card_value(at(n)))
            .collect();
        (self.pager(base, page, total), total, ("incidents", cards))
    }

    /// The pager of page `page` of `total`: URLs of the newer (previous) and
    /// older (next) pages, `null` at either end.
    pub(super) fn pager(&self, base: &str, page: usize, total: usize) -> Value {
        let url = |p: usize| json!(self.site.config.url(&paged_path(base, p)));
        json!({
            "current": page, "total": total,
            "prev": if page > 1 { url(page - 1) } else { Value::Null },
            "next": if page < total { url(page + 1) } else { Value::Null },
            "first": url(1), "last": url(total),
        })
    }

    fn titled(&self, title: &str, page: usize, total: usize) -> String {
        if page > 1 {
            let (current, total) = (page.to_string(), total.to_string());
            let args = [("title", title), ("current", &current), ("total", &total)];
            self.strings.fmt("pager.title", &args)
        } else {
            title.to_string()
        }
    }

    fn month_label(&self, month: &crate::link::Month) -> String {
        format!("{} {}", self.strings.month(month.month), month.year)
    }

    pub fn incidents(&self, page: usize) -> (Value, CardList) {
        let len = self.site.incidents.len();
        let (pager, total, cards) =
            self.incident_page((List::Incidents, "incidents/"), (len, &|n| n), page);
        let title = self.titled(self.strings.get("nav.incidents"), page, total);
        let v =
            json!({"page_title": title, "page_kind": "incidents", "count": len, "pager": pager});
        (v, cards)
    }

    pub fn news_list(&self, page: usize) -> Value {
        let (per, n) = (self.per(), self.site.news.len());
        let total = page_count(n, per);
        self.reads.fact(|| Fact::Slice(List::News, page));
        let stories: Vec<Value> = ((page - 1) * per..(page * per).min(n))
            .map(|s| self.story_card(s))
            .collect();
        json!({
            "page_title": self.titled(self.strings.get("nav.news"), page, total), "page_kind": "news_list",
            "count": n, "stories": stories, "pager": self.pager("news/", page, total),
        })
    }

    pub fn term(&self, t: usize, slug: &str, page: usize) -> (Value, CardList) {
        let tax = &self.site.taxonomies[t];
        let term = &tax.terms[slug];
        let base = format!("{}/{slug}/", tax.name);
        let at = |n: usize| term.incidents[n];
        let list = List::Term(t, slug.to_string());
        let (pager, total, cards) =
            self.incident_page((list, &base), (term.incidents.len(), &at), page);
        let feed = self.site.config.url(&format!("{base}atom.xml"));
        let mut v = json!({
            "page_title": self.titled(&format!("{}: {}", self.taxonomy_title(t), term.name), page, total),
            "page_kind": "term",
            "taxonomy": self.taxonomy_head(t),
            "term": {"name": term.name, "url": self.site.config.url(&base), "count": term.incidents.len(), "feed_url": feed},
            "pager": pager,
            "service": self.service_page(t, slug),
            "feeds": [{"title": self.strings.fmt("feed.atom", &[("title", &format!("{}: {}", self.taxonomy_title(t), term.name))]), "url": feed, "type": "application/atom+xml"}],
        });
        if tax.name == "services" && page == 1 {
            v["strip"] = super::charts::service_strip(self, slug);
        }
        (v, cards)
    }

    /// Page `page` of `/postmortems/`.
    pub fn postmortems(&self, page: usize) -> (Value, CardList) {
        let list = postmortem_list(self.site);
        let at = |n: usize| list[n];
        let (pager, total, cards) =
            self.incident_page((List::Postmortems, "postmortems/"), (list.len(), &at), page);
        let title = self.titled(self.strings.get("postmortems.title"), page, total);
        let v = json!({"page_title": title, "page_kind": "postmortems", "count": list.len(), "pager": pager});
        (v, cards)
    }

    /// Page `page` of `/actions/`: open action items, newest incident first.
    pub fn actions(&self, page: usize) -> Value {
        let per = self.per();
        let open = open_actions(self.site);
        let total = page_count(open.len(), per);
        self.reads.fact(|| Fact::Slice(List::Actions, page));
        let items: Vec<Value> = open
            .iter()
            .skip((page - 1) * per)
            .take(per)
            .map(|&(i, inc, a)| {
                self.reads.doc(Doc::Incident(i));
                json!({
                    "text": a.text, "owner": a.owner,
                    "due": a.due.as_ref().map_or(Value::Null, |t| self.time(t)),
                    "incident": {"id": inc.id, "title": inc.title, "url": self.site.config.url(&incident_path(&inc.id))},
                })
            })
            .collect();
        json!({
            "page_title": self.titled(self.strings.get("actions.title"), page, total), "page_kind": "actions",
            "count": open.len(), "actions": items, "pager": self.pager("actions/", page, total),
        })
    }

    /// `/history/`: every month with incidents, newest first, grouped by year.
    pub fn history(&self) -> Value {
        self.reads.whole();
        let mut years: Vec<(i16, Vec<Value>)> = Vec::new();
        for m in &self.site.months {
            let entry = json!({
                "key": m.key(), "name": self.strings.month(m.month), "label": self.month_label(m),
                "count": m.incidents.len(), "url": self.site.config.url(&month_path(&m.key())),
            });
            match years.last_mut() {
                Some((y, months)) if *y == m.year => months.push(entry),
                _ => years.push((m.year, vec![entry])),
            }
        }
        let years: Vec<Value> = years
            .into_iter()
            .map(|(year, months)| {
                let count: u64 = months.iter().filter_map(|m| m["count"].as_u64()).sum();
                json!({"year": year, "count": count, "months": months})
            })
            .collect();
        json!({"page_title": self.strings.get("history.title"), "page_kind": "history", "years": years, "count": self.site.incidents.len()})
    }

    /// One month's incidents. It links no neighbouring months: a page that
    /// reads only its own incidents is re-rendered exactly when they change.
    pub fn month(&self, m: usize, page: usize) -> (Value, CardList) {
        let month = &self.site.months[m];
        let key = month.key();
        let at = |n: usize| month.incidents[n];
        let list = (month.incidents.len(), &at as &dyn Fn(usize) -> usize);
        let (pager, total, cards) =
            self.incident_page((List::Month(key.clone()), &month_path(&key)), list, page);
        let label = self.month_label(month);
        let heading = self.strings.fmt("list.incidents_in", &[("month", &label)]);
        let v = json!({
            "page_title": self.titled(&heading, page, total),
            "page_kind": "month",
            "month": {
                "key": key, "label": label, "count": month.incidents.len(),
                "history_url": self.site.config.url("history/"),
            },
            "pager": pager,
        });
        (v, cards)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_paths() {
        assert_eq!(page_count(0, 30), 1);
        assert_eq!(page_count(30, 30), 1);
        assert_eq!(page_count(31, 30), 2);
        assert_eq!(paged_path("incidents/", 1), "incidents/");
        assert_eq!(paged_path("incidents/", 3), "incidents/page/3/");
    }
}
