//! Link: parsed documents in, a cross-referenced [`Site`] out — the incident
//! index, validated references (related, news incidents, Markdown links),
//! rendered Markdown, backlinks and taxonomies. Every cross-file rule of
//! FORMAT.md is checked here. No file system access.

use crate::config::Config;
use crate::diag::{Diagnostic, closest};
use crate::frontmatter::{Seg, diag_at, key_path};
use crate::ix::{IncidentIx, PageIx, StoryIx, TiSlice, TiVec};
use crate::load::Asset;
use crate::markdown::{self, LinkResolver, Rendered};
use crate::model::*;
use crate::packed::PackedText;
use bodies::BodyPass;

mod bodies;
mod entry;
mod history;
mod index;
pub(crate) mod similar;
mod taxonomy;
pub(crate) use entry::EntryHtml;
pub(crate) use history::Month;
use std::collections::{HashMap, HashSet};
use taxonomy::taxonomies;
pub(crate) use taxonomy::{Tax, Taxonomy, Term, refile};

/// Markdown of one incident: body, timeline entries and takes.
pub(crate) struct IncidentHtml {
    pub body: Rendered,
    /// One per timeline entry; [`IncidentHtml::entry`] reads them.
    pub timeline: Vec<EntryHtml>,
    pub takes: Vec<PackedText>,
    /// One per written postmortem part, in the same order.
    pub postmortem: Vec<PackedText>,
    /// The `internal` notes (only ever present in internal builds).
    pub notes: Option<PackedText>,
    /// Canonical IDs the timeline entries and takes refer to (they make
    /// backlinks like the body's `incident_refs` do), first-seen order.
    pub field_refs: Vec<String>,
}

impl IncidentHtml {
    /// Timeline entry `k`'s HTML; `inc` is the incident this is the HTML of.
    pub(crate) fn entry<'a>(&'a self, inc: &Incident, k: usize) -> std::borrow::Cow<'a, str> {
        self.timeline[k].html(&inc.timeline[k].text)
    }

    /// Every incident the page refers to in Markdown: body, timeline, takes.
    pub(crate) fn refs(&self) -> impl Iterator<Item = &String> {
        self.body.incident_refs.iter().chain(&self.field_refs)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Backlink {
    Incident(IncidentIx),
    News(StoryIx),
}

pub(crate) struct Site {
    pub config: Config,
    /// Newest first.
    pub incidents: TiVec<IncidentIx, Incident>,
    pub incident_html: TiVec<IncidentIx, IncidentHtml>,
    /// Newest first.
    pub news: TiVec<StoryIx, NewsStory>,
    pub news_html: TiVec<StoryIx, Rendered>,
    /// By slug.
    pub pages: TiVec<PageIx, Page>,
    pub page_html: TiVec<PageIx, Rendered>,
    pub home: Option<(HomeIntro, Rendered)>,
    /// Lower-cased ID → index into `incidents`.
    pub index: HashMap<String, IncidentIx>,
    /// Per incident: who refers to it, sorted.
    pub backlinks: TiVec<IncidentIx, Vec<Backlink>>,
    /// Per incident: the earlier incidents that resemble it, best first
    /// ([`similar`]). Kept current by serve's patches too.
    pub similar: TiVec<IncidentIx, Vec<IncidentIx>>,
    pub taxonomies: Vec<Taxonomy>,
    /// Months that have incidents, newest first.
    pub months: Vec<Month>,
    pub assets: Vec<Asset>,
}

impl Site {
    pub(crate) fn taxonomy(&self, t: Tax) -> &Taxonomy {
        &self.taxonomies[t as usize]
    }

    /// Incident `i`'s one-line summary: its `summary`, else its body's first
    /// paragraph. Every list, feed and calendar shows this one.
    pub(crate) fn incident_summary(&self, i: IncidentIx) -> &str {
        self.incidents[i]
            .summary
            .as_deref()
            .unwrap_or(&self.incident_html[i].body.summary)
    }

    /// Let go of what only linking needed: the file texts (kept so far for
    /// diagnostics) and the Markdown sources, whose HTML is rendered. `build`
    /// and `check` render from the rest, which is about half the memory of a
    /// large site; serve keeps them for its incremental re-links.
    pub(crate) fn release_sources(&mut self) {
        for i in &mut self.incidents {
            i.origin.release_text();
        }
        for n in &mut self.news {
            n.origin.release_text();
        }
        // Plain pages are few; render still points into them (a page at a
        // path sitrep generates, `render::collisions`).
    }
}

impl Config {
    /// A site path (`incidents/ex1/`) as a link with the base sub-path (`/pm/incidents/ex1/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path(), path.trim_start_matches('/'))
    }

    pub fn abs_url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }
}

pub(crate) fn incident_path(id: &IncidentId) -> String {
    format!("incidents/{}/", id.key())
}

pub(crate) fn news_path(slug: &str) -> String {
    format!("news/{slug}/")
}

pub(crate) fn page_path(slug: &str) -> String {
    format!("{slug}/")
}

/// `target` relative to the folder of `from` (both content paths); None if it
/// climbs out of `content/`.
fn join_relative(from: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

struct Resolver {
    /// Lower-cased ID → (canonical ID, URL).
    by_key: HashMap<String, (String, String)>,
    /// Exact ID → URL, for bare-ID auto-linking.
    exact: HashMap<String, String>,
    /// Content path → URL.
    pages: HashMap<String, String>,
    /// Content path of a copied file → its URL.
    assets: HashMap<String, String>,
    /// [`Config::internal_label`].
    internal_label: String,
}

impl LinkResolver for Resolver {
    fn incident(&self, id: &str) -> Option<(String, String)> {
        self.by_key.get(&id.to_ascii_lowercase()).cloned()
    }

    fn page_url(&self, from: &str, target: &str) -> Option<String> {
        self.pages.get(&join_relative(from, target)?).cloned()
    }

    fn bare_id(&self, word: &str) -> Option<(String, String)> {
        self.exact.get(word).map(|u| (word.to_string(), u.clone()))
    }

    fn asset_url(&self, from: &str, target: &str) -> Option<String> {
        self.assets.get(&join_relative(from, target)?).cloned()
    }

    fn internal_label(&self) -> &str {
        &self.internal_label
    }
}

/// How [`link_with`] turns Markdown into HTML: [`Direct`] renders every time;
/// `serve` passes a cache that reuses renders across rebuilds.
pub(crate) trait MarkdownRenderer: Sync {
    /// Same contract as [`markdown::render`].
    fn render(
        &self,
        body: &str,
        from: &str,
        self_id: Option<&str>,
        resolver: &dyn LinkResolver,
    ) -> Rendered;

    /// Whether [`link_with`] keeps each incident's and story's file text once
    /// its Markdown is rendered (serve does; a build lets it go).
    fn keeps_bodies(&self) -> bool {
        true
    }
}

/// Renders with [`markdown::render`], no cache.
pub(crate) struct Direct;

impl MarkdownRenderer for Direct {
    fn render(
        &self,
        body: &str,
        from: &str,
        self_id: Option<&str>,
        resolver: &dyn LinkResolver,
    ) -> Rendered {
        markdown::render(body, from, self_id, resolver)
    }
}

/// [`Direct`] for a build: each incident's and story's file text is let go as
/// soon as its Markdown is rendered ([`Origin::release_text`]), so a large
/// site never holds every file beside every rendered page.
struct DirectOnce;

impl MarkdownRenderer for DirectOnce {
    fn render(
        &self,
        body: &str,
        from: &str,
        self_id: Option<&str>,
        resolver: &dyn LinkResolver,
    ) -> Rendered {
        Direct.render(body, from, self_id, resolver)
    }

    fn keeps_bodies(&self) -> bool {
        false
    }
}

/// A linked site, the problems linking found (warnings ride along) and the
/// link resolver its Markdown was rendered with. A site with errors must not
/// be rendered; serve keeps it anyway, to take its documents and renders back
/// for the next attempt.
pub(crate) struct Linked {
    pub site: Site,
    pub diags: Vec<Diagnostic>,
    /// Serve re-renders one edited body against the same site with it.
    pub resolver: Box<dyn LinkResolver + Send>,
}

/// Build the site model. For `build` and `check`: the incidents' and
/// stories' file texts are gone from the site it returns.
pub(crate) fn link(
    config: Config,
    docs: Vec<Document>,
    assets: Vec<Asset>,
    drafts: bool,
    unparsed: &HashSet<String>,
) -> Linked {
    link_with(config, docs, assets, drafts, unparsed, &DirectOnce)
}

/// [`link`] with Markdown rendered through `md` (serve's render cache).
/// Draft documents left out (without `drafts`) are not in it.
pub(crate) fn link_with(
    config: Config,
    docs: Vec<Document>,
    assets: Vec<Asset>,
    drafts: bool,
    unparsed: &HashSet<String>,
    md: &dyn MarkdownRenderer,
) -> Linked {
    let mut diags = Vec::new();
    let Sorted {
        mut incidents,
        mut news,
        pages,
        home,
        draft_ids,
    } = sort_documents(docs, drafts);

    // The incident index; duplicates (case-insensitive) point at both files.
    let index = index::index(&incidents, &mut diags);
    // The IDs on their own, so the Markdown pass below may let bodies go
    // while suggestions still read every ID.
    let known = known_ids(&incidents, &index);
    let suggest = |wrong: &str| suggest_id(wrong, &known);
    let unknown_msg = |wrong: &str, what: &str| unknown_message(wrong, what, &draft_ids, &suggest);
    index::check_references(
        &incidents,
        &news,
        &index,
        unparsed,
        &unknown_msg,
        &mut diags,
    );

    let page_urls = index::page_urls(
        &config,
        (&incidents, &news, &pages),
        home.is_some(),
        &mut diags,
    );
    let resolver = index::resolver(&config, &incidents, &index, page_urls, &assets);

    // Taxonomies before the Markdown: their slug rules quote the front matter.
    let taxonomies = taxonomies(&config, &incidents, &mut diags);
    let months = history::months(&incidents, &config.timezone);

    let pass = BodyPass {
        md,
        resolver: &resolver,
        suggest: &suggest,
        unparsed,
        release: !md.keeps_bodies(),
    };
    let (incident_html, incident_diags) = pass.incidents(&mut incidents);
    let (news_html, news_diags) = pass.news(&mut news);
    let (page_html, home) = pass.pages(&pages, home, &mut diags);
    diags.extend(incident_diags.into_iter().chain(news_diags));
    let backlinks = backlinks((&incidents, &incident_html), (&news, &news_html), &index);
    Linked {
        site: Site {
            // First: the fields below move what it reads.
            similar: similar::similar(&incidents, &index),
            config,
            incidents,
            incident_html,
            news,
            news_html,
            pages,
            page_html,
            home,
            index,
            backlinks,
            taxonomies,
            months,
            assets,
        },
        diags,
        resolver: Box::new(resolver),
    }
}

/// Every published incident ID, by index key.
fn known_ids(
    incidents: &TiSlice<IncidentIx, Incident>,
    index: &HashMap<String, IncidentIx>,
) -> Vec<String> {
    index
        .keys()
        .map(|k| incidents[index[k]].id.to_string())
        .collect()
}

/// A hint naming the known IDs closest to `wrong`, if any are close.
fn suggest_id(wrong: &str, known: &[String]) -> Option<String> {
    closest(wrong, known.iter().map(String::as_str))
        .map(|c| format!("known IDs close to this: {c}"))
}

/// The message and hint for a reference to `wrong`, an ID no published
/// incident has (`what` names the field): a left-out draft, or the closest IDs.
fn unknown_message(
    wrong: &str,
    what: &str,
    draft_ids: &HashMap<String, String>,
    suggest: &dyn Fn(&str) -> Option<String>,
) -> (String, Option<String>) {
    if let Some(d) = draft_ids.get(&wrong.to_ascii_lowercase()) {
        (
            format!("{what} `{wrong}` is a draft"),
            Some(format!(
                "publish {d} (remove `draft: true`) or build with --drafts"
            )),
        )
    } else {
        (format!("{what} `{wrong}` is not an incident of this site"), suggest(wrong).or_else(|| Some("check the ID, or describe an outage without a page here as `{title, url, date}`".into())))
    }
}

/// The documents a link works on, each kind in site order.
struct Sorted {
    /// Newest first.
    incidents: TiVec<IncidentIx, Incident>,
    /// Newest first.
    news: TiVec<StoryIx, NewsStory>,
    /// By slug.
    pages: TiVec<PageIx, Page>,
    home: Option<HomeIntro>,
    /// Lower-cased ID → ID of the drafts left out (to explain a reference).
    draft_ids: HashMap<String, String>,
}

/// Split the documents by kind, leave out drafts (unless `drafts`), and sort.
fn sort_documents(docs: Vec<Document>, drafts: bool) -> Sorted {
    // Sized up front: an incident is about 700 bytes, and a vector grown by
    // doubling would hold a third more than it needs at 100,000 of them.
    let count = |f: fn(&Document) -> bool| docs.iter().filter(|d| f(d)).count();
    let mut incidents = Vec::with_capacity(count(|d| matches!(d, Document::Incident(_))));
    let mut news = Vec::with_capacity(count(|d| matches!(d, Document::News(_))));
    let (mut pages, mut home) = (Vec::new(), None);
    let mut draft_ids = HashMap::new();
    for d in docs {
        match d {
            Document::Incident(i) if i.draft && !drafts => {
                draft_ids.insert(i.id.key(), i.id.to_string());
            }
            Document::Incident(i) => incidents.push(*i),
            Document::News(n) if n.draft && !drafts => {}
            Document::News(n) => news.push(*n),
            Document::Page(p) if p.draft && !drafts => {}
            Document::Page(p) => pages.push(*p),
            Document::Home(h) => home = Some(*h),
        }
    }
    incidents.sort_by(|a, b| {
        b.started
            .sort_key()
            .cmp(&a.started.sort_key())
            .then_with(|| a.id.key().cmp(&b.id.key()))
    });
    news.sort_by(|a, b| {
        b.date
            .sort_key()
            .cmp(&a.date.sort_key())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    Sorted {
        incidents: incidents.into(),
        news: news.into(),
        pages: pages.into(),
        home,
        draft_ids,
    }
}

/// The Markdown of one incident (body, timeline entries, takes, postmortem
/// parts, notes) rendered against `resolver`, with the problems found.
pub(crate) fn render_incident(
    inc: &Incident,
    md: &dyn MarkdownRenderer,
    resolver: &dyn LinkResolver,
    suggest: &dyn Fn(&str) -> Option<String>,
    unparsed: &HashSet<String>,
) -> (IncidentHtml, Vec<Diagnostic>) {
    let from = &inc.origin.content_path;
    let me = Some(inc.id.as_str());
    let mut d = Vec::new();
    let mut field_refs: Vec<String> = Vec::new();
    let body = md.render(inc.body(), from, me, resolver);
    body_problems(&inc.origin, &body, suggest, unparsed, &mut d);
    let mut field = |text: &str, at: Vec<Seg>| {
        let r = md.render(text, from, me, resolver);
        for p in r.problems.iter().filter(|p| !about_unparsed(p, unparsed)) {
            d.push(diag_at(&inc.origin, &at, p.message.clone(), p.hint.clone()));
        }
        for id in r.incident_refs {
            if !field_refs.contains(&id) {
                field_refs.push(id);
            }
        }
        r.html
    };
    let timeline = inc
        .timeline
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let html = field(&e.text, key_path("timeline", Some(i), Some("text")));
            EntryHtml::new(&e.text, html)
        })
        .collect();
    let takes = inc
        .takes
        .iter()
        .map(|(aud, t)| {
            let at = key_path("takes", None, None);
            field(t, at.into_iter().chain([Seg::Key(aud.clone())]).collect())
        })
        .collect();
    let postmortem = inc.postmortem.iter().flat_map(|pm| &pm.parts);
    let postmortem = postmortem
        .map(|(part, t)| field(t, key_path("postmortem", None, Some(part.as_str()))))
        .collect();
    let notes = inc
        .notes
        .as_ref()
        .map(|t| field(t, key_path("internal", None, None)));
    let html = IncidentHtml {
        body,
        timeline,
        takes,
        postmortem,
        notes,
        field_refs,
    };
    (html, d)
}

/// The lower-cased IDs an incident refers to: its `related` entries and its
/// Markdown references (each makes a backlink on the target).
pub(crate) fn outgoing<'a>(
    inc: &'a Incident,
    html: &'a IncidentHtml,
) -> impl Iterator<Item = String> + 'a {
    let related = inc.related.iter().filter_map(|r| match r {
        Related::Incident { id, .. } => Some(id.key()),
        Related::External { .. } => None,
    });
    related.chain(html.refs().map(|s| s.to_ascii_lowercase()))
}

/// Backlinks: related entries, Markdown references and news `incidents`.
fn backlinks(
    (incidents, incident_html): (
        &TiSlice<IncidentIx, Incident>,
        &TiSlice<IncidentIx, IncidentHtml>,
    ),
    (news, news_html): (&TiSlice<StoryIx, NewsStory>, &TiSlice<StoryIx, Rendered>),
    index: &HashMap<String, IncidentIx>,
) -> TiVec<IncidentIx, Vec<Backlink>> {
    let mut backlinks: TiVec<IncidentIx, Vec<Backlink>> = vec![Vec::new(); incidents.len()].into();
    for (i, inc) in incidents.iter_enumerated() {
        for key in outgoing(inc, &incident_html[i]) {
            if let Some(&t) = index.get(&key)
                && t != i
            {
                backlinks[t].push(Backlink::Incident(i));
            }
        }
    }
    for (n, story) in news.iter_enumerated() {
        let keys = story.incidents.iter().map(|id| id.key()).chain(
            news_html[n]
                .incident_refs
                .iter()
                .map(|s| s.to_ascii_lowercase()),
        );
        for key in keys {
            if let Some(&t) = index.get(&key) {
                backlinks[t].push(Backlink::News(n));
            }
        }
    }
    for b in &mut backlinks {
        b.sort();
        b.dedup();
    }
    backlinks
}

/// An `incident:` link to an incident whose own file failed to parse: that file's
/// error is the one to fix, so the link is not reported too.
fn about_unparsed(p: &markdown::Problem, unparsed: &HashSet<String>) -> bool {
    p.message.starts_with("unknown incident `")
        && p.message
            .split('`')
            .nth(1)
            .is_some_and(|id| unparsed.contains(&id.to_ascii_lowercase()))
}

fn body_problems(
    origin: &Origin,
    r: &Rendered,
    suggest: &dyn Fn(&str) -> Option<String>,
    unparsed: &HashSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    for p in r.problems.iter().filter(|p| !about_unparsed(p, unparsed)) {
        let mut d = origin.source.at_offset(
            crate::diag::Severity::Error,
            origin.body_offset + p.offset,
            p.len,
            p.message.clone(),
        );
        d.hint = p.hint.clone().or_else(|| {
            // "unknown incident `X`": suggest close IDs
            let wrong = p.message.split('`').nth(1)?;
            suggest(wrong)
        });
        out.push(d);
    }
}
