//! List pages: the linked site in, the template contexts of every paginated
//! list out — `/incidents/`, `/news/`, each term, `/history/` and its months —
//! each page with its slice of cards and a pager ("page N of M", newer and
//! older links). Cards come from the per-render [`Cards`] cache, so an
//! incident listed on five pages is built and converted for Tera once.

use super::cards::{CARD_TEMPLATE, Card, CardList};
use super::reads::{Doc, Fact, HashWriter, List};
use super::select::{month_path, open_actions, page_count, paged_path, postmortem_list};
use super::view::Builder;
use crate::link::incident_path;
use serde_json::{Value, json};
use std::hash::Hasher;

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
            if let (Some(s), Value::Object(service)) =
                (self.status.service(slug), &mut v["service"])
                && let Value::Object(figures) = self.service_figures(s)
            {
                service.extend(figures);
            }
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
