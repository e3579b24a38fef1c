//! List pages: the linked site in, the template contexts of every paginated
//! list out — `/incidents/`, `/news/`, each term, `/history/` and its months —
//! each page with its slice of cards and a pager ("page N of M", newer and
//! older links). Cards come from the per-render [`Cards`] cache, so an
//! incident listed on five pages is built and converted for Tera once.

use super::cards::{CARD_TEMPLATE, Cached, Card, CardList};
use super::pages::*;
use super::reads::List;
use super::select::{month_path, page_count, paged_path};
use super::view::{Builder, ListPage};
use crate::ix::IncidentIx;
use crate::link::{Tax, incident_path};

impl<'a> Builder<'a> {
    /// Incident `i`'s card from the per-render store (built on first use),
    /// with what building it read noted for this page too.
    fn card_value(&self, i: IncidentIx) -> Card {
        match self.cards.cards[i].get_or_init(|| self.new_card(i)) {
            Cached::Whole(card) => {
                self.replay(card.reads.as_deref());
                card.clone()
            }
            Cached::Html(html, reads) => {
                self.replay(reads.as_deref());
                let html = html.unpack();
                Card {
                    value: tera::Value::from_serializable(&OnlyHtml { html: &html }),
                    hash: 0,
                    reads: reads.clone(),
                }
            }
        }
    }

    /// Incident `i`'s card: kept by serve's memo, or built and templated.
    fn new_card(&self, i: IncidentIx) -> Cached {
        if let Some(c) = self.memo_card(i) {
            return Cached::Whole(c);
        }
        let (card, reads) = self.recorded(|cx| cx.card(i));
        let tera = self.cards.tera;
        // On failure the list renders the card itself, and reports the
        // template error with the page it is on.
        let html = tera.contains_template(CARD_TEMPLATE).then(|| {
            let mut cx = tera::Context::new();
            cx.insert("card", &card);
            tera.render(CARD_TEMPLATE, &cx).ok()
        });
        let html = html.flatten();
        // Serve keeps whole cards: its page hashes must not change when a
        // template edit ends the html-only case.
        let reads = reads.map(std::sync::Arc::new);
        let html = match html {
            // Only serve (which has a memo) compares pages by hash.
            Some(html) if self.cards.html_only && self.memo.is_none() => {
                let html = match self.cards.packs {
                    true => crate::packed::PackedText::new(html),
                    false => crate::packed::PackedText::plain(html),
                };
                return Cached::Html(html, reads);
            }
            html => html,
        };
        let full = WithHtml {
            card: &card,
            html: html.as_deref(),
        };
        let c = Card {
            value: tera::Value::from_serializable(&full),
            hash: self.hash_of(&full),
            reads,
        };
        self.memo_put_card(i, &c);
        Cached::Whole(c)
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
    /// older (next) pages, `None` at either end.
    pub(super) fn pager(&self, base: &str, page: usize, total: usize) -> Pager {
        let url = |p: usize| self.url(&paged_path(base, p));
        Pager {
            current: page,
            total,
            prev: (page > 1).then(|| url(page - 1)),
            next: (page < total).then(|| url(page + 1)),
            first: url(1),
            last: url(total),
        }
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

    /// A list of cards: `/incidents/`, `/postmortems/`.
    fn card_list(
        &self,
        (list, base): (List, &'static str),
        title_key: &'static str,
        page: usize,
    ) -> (CardListPage, CardList) {
        let p = self.list_cards(list, base, page);
        let page_kind = base.trim_end_matches('/');
        let page_title = self.titled(self.string(title_key), page, p.total);
        (
            CardListPage {
                page_title,
                page_kind,
                count: p.len,
                pager: p.pager,
            },
            p.cards,
        )
    }

    pub(crate) fn incidents(&self, page: usize) -> (CardListPage, CardList) {
        self.card_list((List::Incidents, "incidents/"), "nav.incidents", page)
    }

    /// Page `page` of `/postmortems/`.
    pub(crate) fn postmortems(&self, page: usize) -> (CardListPage, CardList) {
        self.card_list(
            (List::Postmortems, "postmortems/"),
            "postmortems.title",
            page,
        )
    }

    pub(crate) fn news_list(&self, page: usize) -> NewsList<'a> {
        let ListPage { len, items } = self.news_page(page);
        let total = page_count(len, self.per());
        NewsList {
            page_title: self.titled(self.string("nav.news"), page, total),
            page_kind: "news_list",
            count: len,
            stories: items.iter().map(|&s| self.story_card(s)).collect(),
            pager: self.pager("news/", page, total),
        }
    }

    pub(crate) fn term(&self, t: Tax, slug: &str, page: usize) -> (TermPage<'a>, CardList) {
        // A term page exists only for a term of the site.
        let name = self.term_name(t, slug).unwrap_or_default();
        let base = format!("{}/{slug}/", self.taxonomy_name(t));
        let p = self.list_cards(List::Term(t, slug.to_string()), &base, page);
        let feed_url = self.url(&format!("{base}atom.xml"));
        let heading = format!("{}: {name}", self.taxonomy_title(t));
        let page_one_service = t == Tax::Services && page == 1;
        let v = TermPage {
            page_title: self.titled(&heading, page, p.total),
            page_kind: "term",
            taxonomy: self.taxonomy_head(t),
            feeds: [FeedLink {
                title: self.strings.fmt("feed.atom", &[("title", &heading)]),
                url: feed_url.clone(),
                mime: "application/atom+xml",
            }],
            term: TermEntry {
                name,
                url: self.url(&base),
                count: p.len,
                feed_url,
            },
            pager: p.pager,
            service: self.service_page(t, slug, page_one_service),
            strip: page_one_service.then(|| super::charts::service_strip(self, slug)),
        };
        (v, p.cards)
    }

    /// Page `page` of `/actions/`: open action items, newest incident first.
    pub(crate) fn actions(&self, page: usize) -> ActionsPage<'a> {
        let (len, on_page) = self.actions_page(page);
        let total = page_count(len, self.per());
        let actions = (on_page.iter())
            .map(|&(inc, a)| OpenAction {
                text: &a.text,
                owner: a.owner.as_deref(),
                due: self.opt_time(a.due.as_ref()),
                incident: IncidentTitle {
                    id: &inc.id,
                    title: &inc.title,
                    url: self.url(&incident_path(&inc.id)),
                },
            })
            .collect();
        ActionsPage {
            page_title: self.titled(self.string("actions.title"), page, total),
            page_kind: "actions",
            count: len,
            actions,
            pager: self.pager("actions/", page, total),
        }
    }

    /// `/history/`: every month with incidents, newest first, grouped by year.
    pub(crate) fn history(&self) -> History<'a> {
        let site = self.whole();
        let mut years: Vec<Year> = Vec::new();
        for m in &site.months {
            let entry = MonthEntry {
                key: m.key(),
                name: self.strings.month(m.month),
                label: self.month_label((m.year, m.month)),
                count: m.incidents.len(),
                url: self.url(&month_path(&m.key())),
            };
            match years.last_mut() {
                Some(y) if y.year == m.year => {
                    y.count += entry.count;
                    y.months.push(entry);
                }
                _ => years.push(Year {
                    year: m.year,
                    count: entry.count,
                    months: vec![entry],
                }),
            }
        }
        History {
            page_title: self.string("history.title"),
            page_kind: "history",
            years,
            count: site.incidents.len(),
        }
    }

    /// One month's incidents. It links no neighbouring months: a page that
    /// reads only its own incidents is re-rendered exactly when they change.
    pub(crate) fn month(&self, m: usize, page: usize) -> (MonthPage, CardList) {
        let (year, month) = self.month_at(m);
        let key = format!("{year:04}-{month:02}");
        let p = self.list_cards(List::Month(key.clone()), &month_path(&key), page);
        let label = self.month_label((year, month));
        let heading = self.strings.fmt("list.incidents_in", &[("month", &label)]);
        let v = MonthPage {
            page_title: self.titled(&heading, page, p.total),
            page_kind: "month",
            month: MonthHead {
                key,
                label,
                count: p.len,
                history_url: self.url("history/"),
            },
            pager: p.pager,
        };
        (v, p.cards)
    }
}

/// A card with the HTML its template rendered, if any.
#[derive(serde::Serialize)]
struct WithHtml<'c, 'a> {
    #[serde(flatten)]
    card: &'c super::fragments::IncidentCard<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<&'c str>,
}

/// A card that is only its HTML (a build whose paged lists read nothing else).
#[derive(serde::Serialize)]
struct OnlyHtml<'c> {
    html: &'c str,
}

/// One page of a paged list of incident cards.
struct Paged {
    pager: Pager,
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
