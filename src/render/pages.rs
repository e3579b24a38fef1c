//! The typed template contexts of the HTML pages: what each template
//! receives (docs/templates.md, checked against these by
//! `tests/site/contexts.rs`). They borrow from the site; `context.rs`
//! builds them through the view. Tera reads them as maps.

use super::fragments::{IncidentCard, IncidentRef, ServiceState, StoryCard, TaxonomyHead};
use super::view::{Link, Time};
use crate::model::{IncidentId, SourceLink};
use crate::packed::PackedText;
use serde::Serialize;
use serde_json::Value;

/// What every page has (docs/templates.md, "Variables on every page").
#[derive(Serialize)]
pub(crate) struct Common<'a> {
    pub site: SiteVars<'a>,
    pub canonical: String,
    pub description: &'a str,
    pub nav: Vec<NavItem>,
    pub feeds: [FeedLink; 2],
    pub assets: Assets,
}

#[derive(Serialize)]
pub(crate) struct SiteVars<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub base_url: &'a str,
    pub base_path: &'a str,
    pub timezone: &'a str,
    pub internal: bool,
}

#[derive(Serialize)]
pub(crate) struct NavItem {
    pub title: String,
    pub url: String,
    pub current: bool,
}

#[derive(Serialize)]
pub(crate) struct FeedLink {
    pub title: String,
    pub url: String,
    #[serde(rename = "type")]
    pub mime: &'static str,
}

#[derive(Serialize)]
pub(crate) struct Assets {
    pub style: String,
    pub syntax_light: String,
    pub syntax_dark: String,
    pub search_js: String,
}

/// `site_status`: the indicator and its words.
#[derive(Serialize)]
pub(crate) struct SiteStatus {
    pub indicator: &'static str,
    pub description: String,
}

/// `/`.
#[derive(Serialize)]
pub(crate) struct Home<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
    pub intro: Option<Intro<'a>>,
    pub site_status: SiteStatus,
    pub service_status: Vec<ServiceState<'a>>,
    pub service_groups: Vec<GroupState<'a>>,
    pub calendar_url: String,
    pub open_incidents: Vec<IncidentCard<'a>>,
    pub upcoming_maintenance: Vec<IncidentCard<'a>>,
    pub latest_news: Vec<StoryCard<'a>>,
    pub latest_incidents: Vec<IncidentCard<'a>>,
}

#[derive(Serialize)]
pub(crate) struct Intro<'a> {
    pub title: Option<&'a str>,
    pub html: &'a PackedText,
    pub extra: &'a Value,
}

/// A `[groups]` group on the home page, with all its members.
#[derive(Serialize)]
pub(crate) struct GroupState<'a> {
    pub name: &'a str,
    pub id: &'a str,
    pub status: &'static str,
    pub status_label: String,
    pub members: Vec<ServiceState<'a>>,
}

/// `/incidents/<id>/`.
#[derive(Serialize)]
pub(crate) struct IncidentPage<'a> {
    pub page_title: String,
    pub page_kind: &'static str,
    pub description: &'a str,
    pub incident: IncidentFull<'a>,
}

/// `incident`: a card plus everything its page shows.
#[derive(Serialize)]
pub(crate) struct IncidentFull<'a> {
    #[serde(flatten)]
    pub card: IncidentCard<'a>,
    pub detected: Option<Time>,
    pub acknowledged: Option<Time>,
    pub mitigated: Option<Time>,
    pub next_update: Option<Time>,
    pub next_update_overdue: bool,
    pub metrics: Vec<Metric>,
    pub components: &'a [String],
    pub tags: Vec<Link<'a>>,
    pub errors: Vec<ErrorLink<'a>>,
    pub timeline: Vec<Entry<'a>>,
    pub related: Vec<RelatedLink<'a>>,
    pub backlinks: Vec<BacklinkRef<'a>>,
    pub similar: Vec<SimilarRef<'a>>,
    pub takes: Vec<Take<'a>>,
    pub actions: Vec<ActionItem<'a>>,
    pub sources: &'a [SourceLink],
    pub body_html: &'a PackedText,
    pub headings: Vec<Heading<'a>>,
    pub toc: Vec<Heading<'a>>,
    pub postmortem: Option<PostmortemView<'a>>,
    pub internal_notes: Option<&'a PackedText>,
    pub extra: &'a Value,
    pub feed_url: Option<String>,
    pub phases: Option<super::charts::Chart>,
}

#[derive(Serialize)]
pub(crate) struct Metric {
    pub label: String,
    pub value: String,
}

#[derive(Serialize)]
pub(crate) struct ErrorLink<'a> {
    pub code: Option<&'a str>,
    pub message: Option<&'a str>,
    pub url: Option<String>,
}

/// A timeline entry.
#[derive(Serialize)]
pub(crate) struct Entry<'a> {
    pub at: Time,
    pub status: Option<&'static str>,
    pub status_label: Option<String>,
    pub html: std::borrow::Cow<'a, str>,
    pub internal_only: bool,
}

/// A `related` entry: an incident of the site, or plain text and a link.
#[derive(Serialize)]
pub(crate) struct RelatedLink<'a> {
    pub internal: bool,
    pub id: Option<&'a IncidentId>,
    pub title: &'a str,
    pub url: Option<String>,
    pub note: Option<&'a str>,
    pub date: Option<Time>,
    pub status: Option<&'static str>,
    pub status_label: Option<String>,
    pub internal_only: bool,
}

#[derive(Serialize)]
pub(crate) struct BacklinkRef<'a> {
    pub kind: &'static str,
    pub title: &'a str,
    pub url: String,
    pub id: Option<&'a IncidentId>,
    pub date: Time,
}

#[derive(Serialize)]
pub(crate) struct SimilarRef<'a> {
    #[serde(flatten)]
    pub incident: IncidentRef<'a>,
    pub date: Time,
}

#[derive(Serialize)]
pub(crate) struct Take<'a> {
    pub audience: &'a str,
    pub label: String,
    pub html: &'a PackedText,
}

#[derive(Serialize)]
pub(crate) struct ActionItem<'a> {
    pub text: &'a str,
    pub owner: Option<&'a str>,
    pub status: &'static str,
    pub due: Option<Time>,
    pub internal_only: bool,
}

/// An entry of `toc`: `{level, id, text}`.
#[derive(Serialize)]
pub(crate) struct Heading<'a> {
    pub level: u8,
    pub id: std::borrow::Cow<'a, str>,
    pub text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
pub(crate) struct PostmortemView<'a> {
    pub id: String,
    pub parts: Vec<PostmortemPartView<'a>>,
    pub authors: &'a [String],
    pub published: Option<Time>,
}

#[derive(Serialize)]
pub(crate) struct PostmortemPartView<'a> {
    pub key: &'static str,
    pub title: String,
    pub id: String,
    pub html: &'a PackedText,
}

/// `/news/<slug>/`.
#[derive(Serialize)]
pub(crate) struct StoryPage<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
    pub description: &'a str,
    pub story: StoryFull<'a>,
}

#[derive(Serialize)]
pub(crate) struct StoryFull<'a> {
    #[serde(flatten)]
    pub card: StoryCard<'a>,
    pub body_html: &'a PackedText,
    pub extra: &'a Value,
}

/// `/<slug>/`: a page of `content/`.
#[derive(Serialize)]
pub(crate) struct ContentPage<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
    pub page: PageBody<'a>,
}

#[derive(Serialize)]
pub(crate) struct PageBody<'a> {
    pub title: &'a str,
    pub body_html: &'a PackedText,
    pub extra: &'a Value,
}

/// `/<taxonomy>/`.
#[derive(Serialize)]
pub(crate) struct TaxonomyPage<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
    pub taxonomy: TaxonomyFull<'a>,
}

#[derive(Serialize)]
pub(crate) struct TaxonomyFull<'a> {
    #[serde(flatten)]
    pub head: TaxonomyHead<'a>,
    pub terms: Vec<TermEntry<'a>>,
}

#[derive(Serialize)]
pub(crate) struct TermEntry<'a> {
    pub name: &'a str,
    pub url: String,
    pub count: usize,
    pub feed_url: String,
}

/// `/search/`.
#[derive(Serialize)]
pub(crate) struct SearchPage<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
    pub search_index_url: String,
    pub search_shards: usize,
}

/// `/404.html`.
#[derive(Serialize)]
pub(crate) struct NotFound<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
}

/// `/embed/`.
#[derive(Serialize)]
pub(crate) struct Embed<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
    pub site_status: SiteStatus,
    pub incidents: Vec<IncidentCard<'a>>,
    pub more: usize,
    pub site_url: &'a str,
}

/// `pager`: page `current` of `total`, and the URLs around it.
#[derive(Serialize)]
pub(crate) struct Pager {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub first: String,
    pub last: String,
}

/// A paged list of incident cards (`/incidents/`, `/postmortems/`); the
/// cards go beside it, as `incidents` (`cards.rs`).
#[derive(Serialize)]
pub(crate) struct CardListPage {
    pub page_title: String,
    pub page_kind: &'static str,
    pub count: usize,
    pub pager: Pager,
}

/// `/news/`.
#[derive(Serialize)]
pub(crate) struct NewsList<'a> {
    pub page_title: String,
    pub page_kind: &'static str,
    pub count: usize,
    pub stories: Vec<StoryCard<'a>>,
    pub pager: Pager,
}

/// `/<taxonomy>/<slug>/`; its cards go beside it.
#[derive(Serialize)]
pub(crate) struct TermPage<'a> {
    pub page_title: String,
    pub page_kind: &'static str,
    pub taxonomy: TaxonomyHead<'a>,
    pub term: TermEntry<'a>,
    pub pager: Pager,
    pub service: Option<super::fragments::ServicePage<'a>>,
    pub feeds: [FeedLink; 1],
    /// Page 1 of a service: its 90-day strip (a chart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strip: Option<super::charts::Chart>,
}

/// `/actions/`.
#[derive(Serialize)]
pub(crate) struct ActionsPage<'a> {
    pub page_title: String,
    pub page_kind: &'static str,
    pub count: usize,
    pub actions: Vec<OpenAction<'a>>,
    pub pager: Pager,
}

#[derive(Serialize)]
pub(crate) struct OpenAction<'a> {
    pub text: &'a str,
    pub owner: Option<&'a str>,
    pub due: Option<Time>,
    pub incident: IncidentTitle<'a>,
}

/// `{id, title, url}` of an incident.
#[derive(Serialize)]
pub(crate) struct IncidentTitle<'a> {
    pub id: &'a IncidentId,
    pub title: &'a str,
    pub url: String,
}

/// `/history/`.
#[derive(Serialize)]
pub(crate) struct History<'a> {
    pub page_title: &'a str,
    pub page_kind: &'static str,
    pub years: Vec<Year<'a>>,
    pub count: usize,
}

#[derive(Serialize)]
pub(crate) struct Year<'a> {
    pub year: i16,
    pub count: usize,
    pub months: Vec<MonthEntry<'a>>,
}

#[derive(Serialize)]
pub(crate) struct MonthEntry<'a> {
    pub key: String,
    pub name: &'a str,
    pub label: String,
    pub count: usize,
    pub url: String,
}

/// `/history/<yyyy>-<mm>/`; its cards go beside it.
#[derive(Serialize)]
pub(crate) struct MonthPage {
    pub page_title: String,
    pub page_kind: &'static str,
    pub month: MonthHead,
    pub pager: Pager,
}

#[derive(Serialize)]
pub(crate) struct MonthHead {
    pub key: String,
    pub label: String,
    pub count: usize,
    pub history_url: String,
}
