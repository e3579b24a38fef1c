//! The registry of HTML page kinds: the linked site in, every page the site
//! has out, each with its template, URL path and context builder. The
//! sitemap, the navigation, the page count of `--timings` and the progress
//! bar, collision checks and serve's inventory are all loops over [`KINDS`],
//! so a new kind of page is one [`Kind`] variant and one entry here (see
//! docs/architecture.md, "Adding a page kind").

use super::cards::CardList;
use super::select::{month_path, open_actions, page_count, paged_path, postmortem_list};
use super::sitemap::Url;
use super::view::{Builder, Vars};
use crate::ix::{IncidentIx, PageIx, StoryIx};
use crate::link::{Site, Tax, incident_path, news_path, page_path};

/// A kind of output; the order is the order pages are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Home,
    Incidents,
    Incident,
    NewsList,
    News,
    Page,
    Taxonomy,
    Term,
    History,
    Month,
    Actions,
    Postmortems,
    Search,
    Stats,
    NotFound,
    /// `/embed/`: the status for an `<iframe>` on another site.
    Embed,
    /// Every machine output at once (feeds, API, badges, …: `machine.rs`).
    Feeds,
}

/// One output of the site, named so serve can re-render a subset later.
/// `index` is the document, taxonomy or month it shows (a document's through
/// [`Output::incident`] and its kin, typed); `slug` a term's; `page` the page
/// of a paginated list, from 1 (else 1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Output {
    pub kind: Kind,
    index: usize,
    pub slug: String,
    pub page: usize,
}

impl Output {
    pub(crate) fn new(kind: Kind, index: usize) -> Output {
        Output {
            kind,
            index,
            slug: String::new(),
            page: 1,
        }
    }

    pub(crate) fn of_incident(i: IncidentIx) -> Output {
        Output::new(Kind::Incident, i.into())
    }

    pub(crate) fn of_story(n: StoryIx) -> Output {
        Output::new(Kind::News, n.into())
    }

    pub(crate) fn of_page(p: PageIx) -> Output {
        Output::new(Kind::Page, p.into())
    }

    /// The incident of a [`Kind::Incident`] page.
    pub(crate) fn incident(&self) -> IncidentIx {
        debug_assert_eq!(self.kind, Kind::Incident);
        self.index.into()
    }

    /// The story of a [`Kind::News`] page.
    pub(crate) fn story(&self) -> StoryIx {
        debug_assert_eq!(self.kind, Kind::News);
        self.index.into()
    }

    /// The plain page of a [`Kind::Page`] output.
    pub(crate) fn page_ix(&self) -> PageIx {
        debug_assert_eq!(self.kind, Kind::Page);
        self.index.into()
    }

    /// The taxonomy of a [`Kind::Taxonomy`] or [`Kind::Term`] page.
    pub(crate) fn tax(&self) -> Tax {
        debug_assert!(matches!(self.kind, Kind::Taxonomy | Kind::Term));
        // Set from a `Tax` by `outputs` alone.
        Tax::ALL[self.index]
    }

    /// Page `page` of a list kind.
    pub(crate) fn paged(kind: Kind, page: usize) -> Output {
        Output {
            page,
            ..Output::new(kind, 0)
        }
    }
}

/// A page's template context, and the cards of a list page (kept as Tera
/// values, shared rather than copied).
pub(super) type Context = (Vars, Option<CardList>);

/// How a kind of page enters `/sitemap.xml`.
#[derive(Clone, Copy)]
pub(super) enum InSitemap {
    No,
    /// Its first page, among the sections at the top.
    Section,
    /// These URLs, after every section.
    Each(fn(&Site) -> Vec<Url>),
}

/// Everything sitrep knows about one kind of HTML page.
pub(super) struct PageKind {
    pub kind: Kind,
    /// The outputs of this kind the site has.
    pub outputs: fn(&Site) -> Vec<Output>,
    /// Its template (a plain page may name its own) and URL path.
    pub target: fn(&Site, &Output) -> (String, String),
    pub context: fn(&Builder, &Output) -> Context,
    /// Navigation entries: (position in the bar, string key, section).
    pub nav: &'static [(u8, &'static str, &'static str)],
    pub sitemap: InSitemap,
}

/// Every page of a list of `items`.
fn paged(kind: Kind, items: usize, site: &Site) -> Vec<Output> {
    (1..=page_count(items, site.config.paginate_by))
        .map(|p| Output::paged(kind, p))
        .collect()
}

fn fixed(template: &str, path: &str) -> (String, String) {
    (template.into(), path.into())
}

fn plain<T: serde::Serialize>(cx: &Builder, v: T) -> Context {
    (cx.vars(&v), None)
}

fn listed<T: serde::Serialize>(cx: &Builder, (v, c): (T, CardList)) -> Context {
    (cx.vars(&v), Some(c))
}

/// The registry, in sitemap order: sections first, then documents, months
/// and taxonomies.
pub(super) static KINDS: &[PageKind] = &[
    PageKind {
        kind: Kind::Home,
        outputs: |_| vec![Output::new(Kind::Home, 0)],
        target: |_, _| fixed("index.html", ""),
        context: |cx, _| plain(cx, cx.home()),
        nav: &[],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::Incidents,
        outputs: |s| paged(Kind::Incidents, s.incidents.len(), s),
        target: |_, o| fixed("incidents.html", &paged_path("incidents/", o.page)),
        context: |cx, o| listed(cx, cx.incidents(o.page)),
        nav: &[(0, "nav.incidents", "incidents")],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::NewsList,
        outputs: |s| paged(Kind::NewsList, s.news.len(), s),
        target: |_, o| fixed("news_list.html", &paged_path("news/", o.page)),
        context: |cx, o| plain(cx, cx.news_list(o.page)),
        nav: &[(1, "nav.news", "news")],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::History,
        outputs: |_| vec![Output::new(Kind::History, 0)],
        target: |_, _| fixed("history.html", "history/"),
        context: |cx, _| plain(cx, cx.history()),
        nav: &[(5, "nav.history", "history")],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::Postmortems,
        outputs: |s| paged(Kind::Postmortems, postmortem_list(s).len(), s),
        target: |_, o| fixed("postmortems.html", &paged_path("postmortems/", o.page)),
        context: |cx, o| listed(cx, cx.postmortems(o.page)),
        nav: &[(6, "nav.postmortems", "postmortems")],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::Stats,
        outputs: |_| vec![Output::new(Kind::Stats, 0)],
        target: |_, _| fixed("stats.html", "stats/"),
        context: |cx, _| plain(cx, super::charts::stats_page(cx)),
        nav: &[(7, "nav.stats", "stats")],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::Actions,
        outputs: |s| paged(Kind::Actions, open_actions(s).len(), s),
        target: |_, o| fixed("actions.html", &paged_path("actions/", o.page)),
        context: |cx, o| plain(cx, cx.actions(o.page)),
        nav: &[(8, "nav.actions", "actions")],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::Search,
        outputs: |_| vec![Output::new(Kind::Search, 0)],
        target: |_, _| fixed("search.html", "search/"),
        context: |cx, _| plain(cx, cx.search()),
        nav: &[(9, "nav.search", "search")],
        sitemap: InSitemap::Section,
    },
    PageKind {
        kind: Kind::NotFound,
        outputs: |_| vec![Output::new(Kind::NotFound, 0)],
        target: |_, _| fixed("404.html", "404.html"),
        context: |cx, _| plain(cx, cx.not_found()),
        nav: &[],
        sitemap: InSitemap::No,
    },
    PageKind {
        kind: Kind::Embed,
        outputs: |_| vec![Output::new(Kind::Embed, 0)],
        target: |_, _| fixed("embed.html", "embed/"),
        context: |cx, _| plain(cx, cx.embed()),
        nav: &[],
        sitemap: InSitemap::No,
    },
    PageKind {
        kind: Kind::Incident,
        outputs: |s| s.incidents.keys().map(Output::of_incident).collect(),
        target: |s, o| {
            fixed(
                "incident.html",
                &incident_path(&s.incidents[o.incident()].id),
            )
        },
        context: |cx, o| plain(cx, cx.incident_page(o.incident())),
        nav: &[],
        sitemap: InSitemap::Each(|s| {
            let lastmod = |i: &crate::model::Incident| super::format::rfc3339(i.updated());
            let url = |i: &crate::model::Incident| Url::with(incident_path(&i.id), lastmod(i));
            s.incidents.iter().map(url).collect()
        }),
    },
    PageKind {
        kind: Kind::News,
        outputs: |s| s.news.keys().map(Output::of_story).collect(),
        target: |s, o| fixed("news.html", &news_path(&s.news[o.story()].slug)),
        context: |cx, o| plain(cx, cx.story_page(o.story())),
        nav: &[],
        sitemap: InSitemap::Each(|s| {
            let url = |n: &crate::model::NewsStory| {
                let lastmod = super::format::rfc3339(n.updated.as_ref().unwrap_or(&n.date));
                Url::with(news_path(&n.slug), lastmod)
            };
            s.news.iter().map(url).collect()
        }),
    },
    PageKind {
        kind: Kind::Page,
        outputs: |s| s.pages.keys().map(Output::of_page).collect(),
        target: |s, o| {
            let page = &s.pages[o.page_ix()];
            (page.template.clone(), page_path(&page.slug))
        },
        context: |cx, o| plain(cx, cx.page(o.page_ix())),
        nav: &[],
        sitemap: InSitemap::Each(|s| {
            s.pages
                .iter()
                .map(|p| Url::plain(page_path(&p.slug)))
                .collect()
        }),
    },
    PageKind {
        kind: Kind::Month,
        outputs: |s| {
            let per = s.config.paginate_by;
            let pages = |(m, month): (usize, &crate::link::Month)| {
                (1..=page_count(month.incidents.len(), per)).map(move |page| Output {
                    page,
                    ..Output::new(Kind::Month, m)
                })
            };
            s.months.iter().enumerate().flat_map(pages).collect()
        },
        target: |s, o| {
            fixed(
                "month.html",
                &paged_path(&month_path(&s.months[o.index].key()), o.page),
            )
        },
        context: |cx, o| listed(cx, cx.month(o.index, o.page)),
        nav: &[],
        sitemap: InSitemap::Each(|s| {
            s.months
                .iter()
                .map(|m| Url::plain(month_path(&m.key())))
                .collect()
        }),
    },
    PageKind {
        kind: Kind::Taxonomy,
        outputs: |_| {
            Tax::ALL
                .map(|t| Output::new(Kind::Taxonomy, t.into()))
                .into()
        },
        target: |s, o| fixed("taxonomy.html", &format!("{}/", s.taxonomy(o.tax()).name)),
        context: |cx, o| plain(cx, cx.taxonomy(o.tax())),
        nav: &[
            (2, "nav.services", "services"),
            (3, "nav.regions", "regions"),
            (4, "nav.errors", "errors"),
        ],
        // Each index, then its terms (whose own entry adds none).
        sitemap: InSitemap::Each(|s| {
            let term = |name: &str, slug: &str| Url::plain(format!("{name}/{slug}/"));
            let taxonomy = |tax: &crate::link::Taxonomy| {
                let terms = tax.terms.keys().map(|slug| term(tax.name, slug));
                std::iter::once(Url::plain(format!("{}/", tax.name)))
                    .chain(terms)
                    .collect::<Vec<_>>()
            };
            s.taxonomies.iter().flat_map(taxonomy).collect()
        }),
    },
    PageKind {
        kind: Kind::Term,
        outputs: |s| {
            let per = s.config.paginate_by;
            let mut out = Vec::new();
            for t in Tax::ALL {
                for (slug, term) in &s.taxonomy(t).terms {
                    out.extend(
                        (1..=page_count(term.incidents.len(), per)).map(|page| Output {
                            kind: Kind::Term,
                            index: t.into(),
                            slug: slug.clone(),
                            page,
                        }),
                    );
                }
            }
            out
        },
        target: |s, o| {
            let base = format!("{}/{}/", s.taxonomy(o.tax()).name, o.slug);
            fixed("term.html", &paged_path(&base, o.page))
        },
        context: |cx, o| listed(cx, cx.term(o.tax(), &o.slug, o.page)),
        nav: &[],
        sitemap: InSitemap::No,
    },
];

/// The registry entry of `kind`; `None` for [`Kind::Feeds`], which is not a page.
pub(super) fn kind(kind: Kind) -> Option<&'static PageKind> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// Every page of the site, then [`Kind::Feeds`].
pub(crate) fn outputs(site: &Site) -> Vec<Output> {
    let mut out: Vec<Output> = KINDS.iter().flat_map(|k| (k.outputs)(site)).collect();
    out.push(Output::new(Kind::Feeds, 0));
    out
}

/// Every page URL of the site for the sitemap, each once: lists by their
/// first page (later pages hold the same items, reachable through rel=next).
pub(super) fn sitemap_urls(site: &Site) -> Vec<Url> {
    let sections = KINDS
        .iter()
        .filter(|k| matches!(k.sitemap, InSitemap::Section));
    let first = |k: &PageKind| (k.outputs)(site).first().map(|o| (k.target)(site, o).1);
    let mut urls: Vec<Url> = sections.filter_map(first).map(Url::plain).collect();
    for k in KINDS {
        if let InSitemap::Each(each) = k.sitemap {
            urls.extend(each(site));
        }
    }
    urls
}

/// The navigation bar: (string key, section), in bar order.
pub(super) fn navigation() -> Vec<(&'static str, &'static str)> {
    let mut nav: Vec<_> = KINDS.iter().flat_map(|k| k.nav.iter()).collect();
    nav.sort_by_key(|(at, _, _)| *at);
    nav.into_iter()
        .map(|&(_, key, section)| (key, section))
        .collect()
}

/// The template and URL path of a page output; `None` for [`Kind::Feeds`].
pub(super) fn target(site: &Site, output: &Output) -> Option<(String, String)> {
    kind(output.kind).map(|k| (k.target)(site, output))
}
