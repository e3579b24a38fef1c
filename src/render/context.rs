//! Template contexts: the linked site in (through the view), the typed page
//! contexts of `pages.rs` out. Everything a template shows is computed here
//! (URLs with the base sub-path, times in the site zone, durations), so
//! themes stay simple.

use super::pages::*;
use super::view::{Builder, LATEST, POSTMORTEM_ANCHOR};
use crate::ix::{IncidentIx, PageIx, StoryIx};
use crate::link::{Backlink, Tax, incident_path, news_path};
use crate::model::*;
use crate::status::{ComponentStatus, Phase};
use crate::time::Timestamp;
use std::borrow::Cow;

/// The most incidents `/embed/` lists; the rest are a link away.
pub(super) const EMBED_MAX: usize = 5;

impl<'a> Builder<'a> {
    pub(crate) fn common(&self, path: &str) -> Common<'a> {
        let c = self.config();
        let section = path.split('/').next().unwrap_or_default();
        let nav = (super::outputs::navigation().iter())
            .map(|&(key, p)| NavItem {
                title: self.strings.get(key).to_string(),
                url: self.url(&format!("{p}/")),
                current: section == p,
            })
            .collect();
        let feed = |key: &str, file: &str, mime| FeedLink {
            title: self.strings.fmt(key, &[("title", &c.title)]),
            url: self.url(file),
            mime,
        };
        Common {
            site: SiteVars {
                title: &c.title,
                description: &c.description,
                language: &c.language,
                base_url: &c.base_url,
                base_path: c.base_path(),
                timezone: &c.timezone_name,
                internal: c.audience.is_internal(),
            },
            canonical: c.abs_url(path),
            description: &c.description,
            nav,
            feeds: [
                feed("feed.atom", "atom.xml", "application/atom+xml"),
                feed("feed.json", "feed.json", "application/feed+json"),
            ],
            assets: Assets {
                style: self.url("style.css"),
                syntax_light: self.url("syntax-light.css"),
                syntax_dark: self.url("syntax-dark.css"),
                search_js: self.url("search.js"),
            },
        }
    }

    fn site_status(&self) -> SiteStatus {
        let indicator = self.status().indicator.as_str();
        SiteStatus {
            indicator,
            description: self
                .strings
                .get(&format!("site_status.{indicator}"))
                .to_string(),
        }
    }

    pub(crate) fn home(&self) -> Home<'a> {
        let (site, status) = (self.whole(), self.status());
        // One banner row per service in no group that is not operational, in
        // name order; then every group, as written, with all its members.
        let service_status = (status.services.iter())
            .filter(|s| s.status != ComponentStatus::Operational && s.group.is_none())
            .map(|s| self.service_status(s))
            .collect();
        let service_groups = (status.groups.iter())
            .map(|g| GroupState {
                name: &g.name,
                id: &g.id,
                status: g.status.as_str(),
                status_label: self
                    .strings
                    .get(&format!("service_status.{}", g.status.as_str()))
                    .to_string(),
                members: g
                    .members
                    .iter()
                    .map(|&m| self.service_status(&status.services[m]))
                    .collect(),
            })
            .collect();
        let upcoming = (status.phases.iter_enumerated())
            .filter(|(_, p)| matches!(p, Some(Phase::Upcoming | Phase::InProgress)))
            .map(|(i, _)| self.card(i))
            .collect();
        let latest = (site.incidents.iter_enumerated())
            .filter(|(_, inc)| !inc.is_open())
            .take(LATEST)
            .map(|(i, _)| self.card(i))
            .collect();
        Home {
            page_title: &site.config.title,
            page_kind: "home",
            intro: (site.home.as_ref()).map(|(h, r)| Intro {
                title: h.title.as_deref(),
                html: &r.html,
                extra: &h.extra,
            }),
            site_status: self.site_status(),
            service_status,
            service_groups,
            calendar_url: self.url("maintenance.ics"),
            open_incidents: status.open.iter().map(|&i| self.card(i)).collect(),
            upcoming_maintenance: upcoming,
            latest_news: site
                .news
                .keys()
                .take(5)
                .map(|n| self.story_card(n))
                .collect(),
            latest_incidents: latest,
        }
    }

    pub(crate) fn incident_page(&self, i: IncidentIx) -> IncidentPage<'a> {
        let (inc, html) = (self.incident(i), self.incident_html(i));
        let open = inc.unresolved();
        let errors = (inc.errors.iter())
            .map(|e| ErrorLink {
                code: e.code.as_deref(),
                message: e.message.as_deref(),
                url: self.term_url(Tax::Errors, e.term()),
            })
            .collect();
        let timeline = (inc.timeline.iter().zip(&html.timeline))
            .map(|(e, h)| Entry {
                at: self.time(&e.at),
                status: e.status.map(|s| s.as_str()),
                status_label: e.status.map(|s| self.status_label(s)),
                html: h.html(&e.text),
                internal_only: e.internal,
            })
            .collect();
        let takes = (inc.takes.iter().zip(&html.takes))
            .map(|((aud, _), h)| Take {
                audience: aud,
                label: self.take_label(aud),
                html: h,
            })
            .collect();
        let actions = (inc.actions.iter())
            .map(|a| ActionItem {
                text: &a.text,
                owner: a.owner.as_deref(),
                status: a.status.as_str(),
                due: self.opt_time(a.due.as_ref()),
                internal_only: a.internal,
            })
            .collect();
        // A promised update whose time has passed ("now"), shown as overdue.
        let overdue = open
            && (inc.next_update.as_ref()).is_some_and(|t| {
                let now = Timestamp::Instant(self.now().0);
                t.cmp_in(&now, &self.config().timezone).is_lt()
            });
        let card = self.card(i);
        let incident = IncidentFull {
            detected: self.opt_time(inc.detected.as_ref()),
            acknowledged: self.opt_time(inc.acknowledged.as_ref()),
            mitigated: self.opt_time(inc.mitigated.as_ref()),
            next_update: if open {
                self.opt_time(inc.next_update.as_ref())
            } else {
                None
            },
            next_update_overdue: overdue,
            metrics: self.metrics(inc),
            components: &inc.components,
            tags: self.links(Tax::Tags, inc.tags.iter().map(String::as_str)),
            errors,
            timeline,
            related: inc.related.iter().map(|r| self.related(r)).collect(),
            backlinks: self.backlink_list(i),
            similar: self.similar_list(i),
            takes,
            actions,
            sources: &inc.sources,
            body_html: &html.body.html,
            headings: html.body.headings.iter().map(heading).collect(),
            toc: self.toc(i),
            postmortem: self.postmortem(i),
            internal_notes: html.notes.as_ref(),
            extra: &inc.extra,
            feed_url: None,
            phases: super::charts::phase_bar(self, i),
            card,
        };
        IncidentPage {
            page_title: format!("{}: {}", inc.id, inc.title),
            page_kind: "incident",
            description: incident.card.summary,
            incident,
        }
    }

    /// Time to detect, acknowledge, mitigate, and the duration (or "open for").
    fn metrics(&self, inc: &Incident) -> Vec<Metric> {
        let mut metrics = Vec::new();
        let mut metric = |key: &str, to: Option<&Timestamp>| {
            if let Some(s) = to.and_then(|t| inc.started.seconds_until(t)) {
                let label = self.strings.get(key).to_string();
                metrics.push(Metric {
                    label,
                    value: self.duration(s),
                });
            }
        };
        metric("metric.detect", inc.detected.as_ref());
        metric("metric.acknowledge", inc.acknowledged.as_ref());
        metric("metric.mitigate", inc.mitigated.as_ref());
        if inc.is_open() {
            let now = Timestamp::Instant(self.now().0);
            if let Some(s) = inc.started.seconds_until(&now).filter(|s| *s >= 0) {
                let label = self.strings.get("metric.open_for").to_string();
                metrics.push(Metric {
                    label,
                    value: self.duration(s),
                });
            }
        } else {
            metric("metric.duration", inc.resolved.as_ref());
        }
        metrics
    }

    /// One `related` entry: a link to an incident of the site, or plain text.
    fn related(&self, r: &'a Related) -> RelatedLink<'a> {
        match r {
            Related::Incident { id, note, internal } => {
                match self.find(&id.key()).map(|t| self.incident(t)) {
                    Some(t) => RelatedLink {
                        internal: true,
                        id: Some(&t.id),
                        title: &t.title,
                        url: Some(self.url(&incident_path(&t.id))),
                        note: note.as_deref(),
                        date: Some(self.time(&t.started)),
                        status: Some(t.status.as_str()),
                        status_label: Some(self.status_label(t.status)),
                        internal_only: *internal,
                    },
                    // An internal incident in a public build: its ID as plain text.
                    None => RelatedLink {
                        internal: false,
                        id: None,
                        title: id.as_str(),
                        url: None,
                        note: note.as_deref(),
                        date: None,
                        status: None,
                        status_label: None,
                        internal_only: false,
                    },
                }
            }
            Related::External {
                title,
                url,
                date,
                note,
                internal,
            } => RelatedLink {
                internal: false,
                id: None,
                title,
                url: url.clone(),
                note: note.as_deref(),
                date: self.opt_time(date.as_ref()),
                status: None,
                status_label: None,
                internal_only: *internal,
            },
        }
    }

    /// The earlier incidents that resemble incident `i` (`link::similar`).
    fn similar_list(&self, i: IncidentIx) -> Vec<SimilarRef<'a>> {
        (self.similar(i).iter())
            .map(|&j| SimilarRef {
                incident: self.incident_ref(j),
                date: self.time(&self.incident(j).started),
            })
            .collect()
    }

    /// The later incidents and the stories that refer to incident `i`.
    fn backlink_list(&self, i: IncidentIx) -> Vec<BacklinkRef<'a>> {
        (self.backlinks(i).iter())
            .map(|b| match *b {
                Backlink::Incident(j) => {
                    let o = self.incident(j);
                    BacklinkRef {
                        kind: "incident",
                        title: &o.title,
                        url: self.url(&incident_path(&o.id)),
                        id: Some(&o.id),
                        date: self.time(&o.started),
                    }
                }
                Backlink::News(n) => {
                    let s = self.story(n);
                    BacklinkRef {
                        kind: "news",
                        title: &s.title,
                        url: self.url(&news_path(&s.slug)),
                        id: None,
                        date: self.time(&s.date),
                    }
                }
            })
            .collect()
    }

    /// The incident page's table of contents: the body's headings, then the
    /// postmortem and its parts.
    fn toc(&self, i: IncidentIx) -> Vec<Heading<'a>> {
        let inc = self.incident(i);
        let mut toc: Vec<Heading> = self
            .incident_html(i)
            .body
            .headings
            .iter()
            .map(heading)
            .collect();
        if let Some(pm) = &inc.postmortem {
            let (section, parts) = self.postmortem_anchors(i);
            let title = self.strings.get("postmortem.title").to_string();
            toc.push(Heading {
                level: 2,
                id: section.into(),
                text: title.into(),
            });
            toc.extend(pm.parts.iter().zip(parts).map(|((p, _), id)| Heading {
                level: 3,
                id: id.into(),
                text: self.strings.get(p.key()).to_string().into(),
            }));
        }
        toc
    }

    /// The anchors of the postmortem section and its parts: `postmortem`,
    /// `postmortem-impact`, …, stepping around a body heading that took one.
    fn postmortem_anchors(&self, i: IncidentIx) -> (String, Vec<String>) {
        let body = &self.incident_html(i).body.headings;
        let free = |base: String| {
            let mut id = base.clone();
            let mut n = 1;
            while body.iter().any(|h| h.id == id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            id
        };
        let parts = self.incident(i).postmortem.iter().flat_map(|pm| &pm.parts);
        let parts = parts.map(|(p, _)| free(p.anchor())).collect();
        (free(POSTMORTEM_ANCHOR.to_string()), parts)
    }

    /// `incident.postmortem`: its parts in the contract's order, each with its
    /// heading anchor and HTML; `None` without a `postmortem`.
    fn postmortem(&self, i: IncidentIx) -> Option<PostmortemView<'a>> {
        let pm = self.incident(i).postmortem.as_ref()?;
        let html = &self.incident_html(i).postmortem;
        let (section, anchors) = self.postmortem_anchors(i);
        let parts = (pm.parts.iter().zip(html).zip(anchors))
            .map(|(((p, _), h), id)| PostmortemPartView {
                key: p.as_str(),
                title: self.strings.get(p.key()).to_string(),
                id,
                html: h,
            })
            .collect();
        Some(PostmortemView {
            id: section,
            parts,
            authors: &pm.authors,
            published: self.opt_time(pm.published.as_ref()),
        })
    }

    pub(crate) fn story_page(&self, n: StoryIx) -> StoryPage<'a> {
        let story = self.story(n);
        let card = self.story_card(n);
        StoryPage {
            page_title: &story.title,
            page_kind: "news",
            description: card.summary,
            story: StoryFull {
                card,
                body_html: &self.story_html(n).html,
                extra: &story.extra,
            },
        }
    }

    pub(crate) fn page(&self, p: PageIx) -> ContentPage<'a> {
        let (page, html) = self.page_doc(p);
        ContentPage {
            page_title: &page.title,
            page_kind: "page",
            page: PageBody {
                title: &page.title,
                body_html: &html.html,
                extra: &page.extra,
            },
        }
    }

    pub(crate) fn taxonomy(&self, t: Tax) -> TaxonomyPage<'a> {
        let tax = self.whole().taxonomy(t);
        let mut terms: Vec<&crate::link::Term> = tax.terms.values().collect();
        terms.sort_by(|a, b| {
            (a.name.to_lowercase().cmp(&b.name.to_lowercase())).then_with(|| a.slug.cmp(&b.slug))
        });
        let terms = (terms.iter())
            .map(|term| TermEntry {
                name: &term.name,
                url: self.url(&format!("{}/{}/", tax.name, term.slug)),
                count: term.incidents.len(),
                feed_url: self.url(&format!("{}/{}/atom.xml", tax.name, term.slug)),
            })
            .collect();
        TaxonomyPage {
            page_title: self.taxonomy_title(t),
            page_kind: "taxonomy",
            taxonomy: TaxonomyFull {
                head: self.taxonomy_head(t),
                terms,
            },
        }
    }

    pub(crate) fn search(&self) -> SearchPage<'a> {
        let site = self.whole();
        SearchPage {
            page_title: self.string("nav.search"),
            page_kind: "search",
            search_index_url: self.url("search/index.json"),
            search_shards: super::search::shard_count(site.incidents.len() + site.news.len()),
        }
    }

    pub(crate) fn not_found(&self) -> NotFound<'a> {
        NotFound {
            page_title: self.string("not_found.title"),
            page_kind: "404",
        }
    }

    /// `/embed/`: the indicator, then open incidents (newest first) and
    /// maintenance in progress, at most [`EMBED_MAX`], and the site's address.
    pub(crate) fn embed(&self) -> Embed<'a> {
        // The indicator and the lists follow every incident and the clock.
        let (site, status) = (self.whole(), self.status());
        let in_progress = (status.phases.iter_enumerated())
            .filter(|&(i, p)| {
                *p == Some(Phase::InProgress)
                    && site.incidents[i].classification == Classification::Maintenance
            })
            .map(|(i, _)| i);
        let shown: Vec<IncidentIx> = status.open.iter().copied().chain(in_progress).collect();
        Embed {
            page_title: self.string("embed.title"),
            page_kind: "embed",
            site_status: self.site_status(),
            incidents: shown
                .iter()
                .take(EMBED_MAX)
                .map(|&i| self.card(i))
                .collect(),
            more: shown.len().saturating_sub(EMBED_MAX),
            site_url: &site.config.base_url,
        }
    }

    fn take_label(&self, audience: &str) -> String {
        let key = match audience {
            "admin" | "admins" => "take.admin",
            "user" | "users" => "take.user",
            "developer" | "developers" => "take.developer",
            other => {
                let audience = other.replace(['_', '-'], " ");
                return self.strings.fmt("take.other", &[("audience", &audience)]);
            }
        };
        self.strings.get(key).to_string()
    }
}

fn heading(h: &crate::markdown::Heading) -> Heading<'_> {
    Heading {
        level: h.level,
        id: Cow::Borrowed(&h.id),
        text: Cow::Borrowed(&h.text),
    }
}
