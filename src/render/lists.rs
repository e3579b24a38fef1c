//! List pages: the linked site in, the template contexts of every paginated
//! list out — `/incidents/`, `/news/`, each term, `/history/` and its months —
//! each page with its slice of cards and a pager ("page N of M", newer and
//! older links). Cards come from the per-render [`Cards`] cache, so an
//! incident listed on five pages is built and converted for Tera once.

use super::cards::{CARD_TEMPLATE, Card, CardList};
use super::reads::{HashWriter, List};
use super::select::{month_path, page_count, paged_path};
use super::view::{Builder, ListPage};
use crate::link::{Tax, incident_path};
use serde_json::{Value, json};
use std::hash::Hasher;

impl Builder<'_> {
    /// Incident `i`'s card from the per-render store (built on first use),
    /// with what building it read noted for this page too.
    fn card_value(&self, i: usize) -> Card {
        let card = self.cards.cards[i].get_or_init(|| self.new_card(i));
        self.replay(card.reads.as_deref());
        card.clone()
    }

    /// Incident `i`'s card: kept by serve's memo, or built and templated.
    fn new_card(&self, i: usize) -> Card {
        if let Some(c) = self.memo_card(i) {
            return c;
        }
        let (mut card, reads) = self.recorded(|cx| cx.card(i));
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
        let c = Card {
            value: tera::Value::from_serializable(&card),
            hash,
            reads: reads.map(std::sync::Arc::new),
        };
        self.memo_put_card(i, &c);
        c
    }

    fn per(&self) -> usize {
        self.config().paginate_by
    }

    /// Page `page` (1-based) of a list of incidents at `base`: its pager,
    /// its slice of cards, and how long the list is.
    fn list_cards(&self, list: List, base: &str, page: usize) -> Paged {
        let ListPage { len, items } = self.list_page(list, page);
        let total = page_count(len, self.per());
        Paged {
            pager: self.pager(base, page, total),
            total,
            len,
            cards: (
                "incidents",
                items.iter().map(|&i| self.card_value(i)).collect(),
            ),
        }
    }

    /// The pager of page `page` of `total`: URLs of the newer (previous) and
    /// older (next) pages, `null` at either end.
    pub(super) fn pager(&self, base: &str, page: usize, total: usize) -> Value {
        let url = |p: usize| json!(self.url(&paged_path(base, p)));
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

    fn month_label(&self, (year, month): (i16, i8)) -> String {
        format!("{} {year}", self.strings.month(month))
    }

    pub fn incidents(&self, page: usize) -> (Value, CardList) {
        let p = self.list_cards(List::Incidents, "incidents/", page);
        let title = self.titled(self.strings.get("nav.incidents"), page, p.total);
        let v = json!({"page_title": title, "page_kind": "incidents", "count": p.len, "pager": p.pager});
        (v, p.cards)
    }

    pub fn news_list(&self, page: usize) -> Value {
        let ListPage { len, items } = self.list_page(List::News, page);
        let total = page_count(len, self.per());
        let stories: Vec<Value> = items.iter().map(|&s| self.story_card(s)).collect();
        json!({
            "page_title": self.titled(self.strings.get("nav.news"), page, total), "page_kind": "news_list",
            "count": len, "stories": stories, "pager": self.pager("news/", page, total),
        })
    }

    pub fn term(&self, t: usize, slug: &str, page: usize) -> (Value, CardList) {
        let name = self.term_name(t, slug).unwrap_or(slug);
        let base = format!("{}/{slug}/", self.taxonomy_name(t));
        let p = self.list_cards(List::Term(t, slug.to_string()), &base, page);
        let feed = self.url(&format!("{base}atom.xml"));
        let heading = format!("{}: {name}", self.taxonomy_title(t));
        let mut v = json!({
            "page_title": self.titled(&heading, page, p.total),
            "page_kind": "term",
            "taxonomy": self.taxonomy_head(t),
            "term": {"name": name, "url": self.url(&base), "count": p.len, "feed_url": feed},
            "pager": p.pager,
            "service": self.service_page(t, slug),
            "feeds": [{"title": self.strings.fmt("feed.atom", &[("title", &heading)]), "url": feed, "type": "application/atom+xml"}],
        });
        if t == Tax::Services as usize && page == 1 {
            v["strip"] = super::charts::service_strip(self, slug);
            if let (Some(s), Value::Object(service)) = (self.service(slug), &mut v["service"])
                && let Value::Object(figures) = self.service_figures(s)
            {
                service.extend(figures);
            }
        }
        (v, p.cards)
    }

    /// Page `page` of `/postmortems/`.
    pub fn postmortems(&self, page: usize) -> (Value, CardList) {
        let p = self.list_cards(List::Postmortems, "postmortems/", page);
        let title = self.titled(self.strings.get("postmortems.title"), page, p.total);
        let v = json!({"page_title": title, "page_kind": "postmortems", "count": p.len, "pager": p.pager});
        (v, p.cards)
    }

    /// Page `page` of `/actions/`: open action items, newest incident first.
    pub fn actions(&self, page: usize) -> Value {
        let (len, on_page) = self.actions_page(page);
        let total = page_count(len, self.per());
        let items: Vec<Value> = on_page
            .iter()
            .map(|&(inc, a)| {
                json!({
                    "text": a.text, "owner": a.owner,
                    "due": a.due.as_ref().map_or(Value::Null, |t| self.time(t)),
                    "incident": {"id": inc.id, "title": inc.title, "url": self.url(&incident_path(&inc.id))},
                })
            })
            .collect();
        json!({
            "page_title": self.titled(self.strings.get("actions.title"), page, total), "page_kind": "actions",
            "count": len, "actions": items, "pager": self.pager("actions/", page, total),
        })
    }

    /// `/history/`: every month with incidents, newest first, grouped by year.
    pub fn history(&self) -> Value {
        let site = self.whole();
        let mut years: Vec<(i16, Vec<Value>)> = Vec::new();
        for m in &site.months {
            let entry = json!({
                "key": m.key(), "name": self.strings.month(m.month), "label": self.month_label((m.year, m.month)),
                "count": m.incidents.len(), "url": self.url(&month_path(&m.key())),
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
        json!({"page_title": self.strings.get("history.title"), "page_kind": "history", "years": years, "count": site.incidents.len()})
    }

    /// One month's incidents. It links no neighbouring months: a page that
    /// reads only its own incidents is re-rendered exactly when they change.
    pub fn month(&self, m: usize, page: usize) -> (Value, CardList) {
        let (year, month) = self.month_at(m);
        let key = format!("{year:04}-{month:02}");
        let p = self.list_cards(List::Month(key.clone()), &month_path(&key), page);
        let label = self.month_label((year, month));
        let heading = self.strings.fmt("list.incidents_in", &[("month", &label)]);
        let v = json!({
            "page_title": self.titled(&heading, page, p.total),
            "page_kind": "month",
            "month": {
                "key": key, "label": label, "count": p.len,
                "history_url": self.url("history/"),
            },
            "pager": p.pager,
        });
        (v, p.cards)
    }
}

/// One page of a paged list of incident cards.
struct Paged {
    pager: Value,
    /// How many pages the list has.
    total: usize,
    /// How many incidents the list has.
    len: usize,
    cards: CardList,
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
