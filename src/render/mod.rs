//! Render: the linked [`Site`] and a [`Theme`] in, every output file out (HTML
//! through Tera, feeds, sitemap, JSON) handed to a [`Sink`]. Render never
//! touches the file system itself: the sink decides where bytes go.

mod api;
mod badges;
mod charts;
mod claims;
mod context;
mod feeds;
mod ics;
mod lists;
pub mod memo;
pub mod reads;
mod search;
mod sitemap;
mod statuspage;

use crate::diag::Diagnostic;
use crate::i18n::Strings;
use crate::link::{Site, incident_path, news_path, page_path};
use crate::theme::{StaticFile, Theme};
use rayon::prelude::*;
use serde_json::Value;
use tera::{Context, Tera};

pub use claims::collisions;
pub use context::{Now, next_change};
pub use lists::{HashWriter, month_path, open_actions, page_count, paged_path, postmortem_list};

/// What one render pass reads: the site, "now", the interface strings, and
/// the cards it builds once.
pub struct Scope<'a> {
    pub site: &'a Site,
    pub now: &'a Now,
    pub strings: &'a Strings,
    /// The one status model every status shown or served comes from.
    pub status: crate::status::StatusModel,
    cards: lists::Cards<'a>,
    /// Serve's feed memo ([`memo::Memo`]); `None` in a build.
    pub memo: Option<&'a memo::Memo>,
    /// Note what each page reads ([`reads::Reads`], serve); a build does not.
    pub record: bool,
}

impl<'a> Scope<'a> {
    /// `tera` renders each card's HTML once for all the lists it is on.
    pub fn new(site: &'a Site, now: &'a Now, tera: &'a Tera, strings: &'a Strings) -> Scope<'a> {
        Scope {
            site,
            now,
            strings,
            status: crate::status::compute(site, now.0),
            cards: lists::Cards::new(site.incidents.len(), tera),
            memo: None,
            record: false,
        }
    }

    fn builder(&self) -> context::Builder<'_> {
        context::Builder {
            site: self.site,
            now: self.now,
            strings: self.strings,
            status: &self.status,
            cards: &self.cards,
            memo: self.memo,
            reads: if self.record {
                reads::Recorder::on()
            } else {
                reads::Recorder::default()
            },
        }
    }
}

/// Where rendered files go: a folder on disk for `build`, memory for `serve`.
pub trait Sink: Sync {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()>;
    fn copy(&self, path: &str, from: &std::path::Path) -> std::io::Result<()> {
        self.put(path, std::fs::read(from)?)
    }
    /// True once the sink has given up (a full disk): render stops rendering.
    fn stopped(&self) -> bool {
        false
    }
}

/// Passes files on to `inner`, noting their paths (the files the feeds write).
struct Recording<'a> {
    inner: &'a dyn Sink,
    files: std::sync::Mutex<Vec<String>>,
}

impl Sink for Recording<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        self.inner.put(path, bytes)
    }
    fn stopped(&self) -> bool {
        self.inner.stopped()
    }
}

/// Every template problem and write failure, as diagnostics.
pub type RenderResult = Result<(), Vec<Diagnostic>>;

pub fn tera(theme: &Theme, site: &Site) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::new();
    tera.set_escape_fn(crate::escape::html_to);
    tera.autoescape_on(vec![".html", ".xml"]);
    // Functions and filters first: Tera checks that the templates' calls exist.
    let base = site.config.base_path().to_string();
    tera.register_function(
        "url",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            Ok(format!("{base}{}", path.trim_start_matches('/')))
        },
    );
    let tz = site.config.timezone.clone();
    let strings = theme.strings.clone();
    tera.register_filter(
        "datetime",
        move |v: &str, _: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            crate::time::Timestamp::parse(v)
                .map(|t| t.display_in(&tz, &strings))
                .map_err(|e| tera::Error::message(e.message))
        },
    );
    let strings = theme.strings.clone();
    tera.register_filter(
        "duration",
        move |v: i64, _: tera::Kwargs, _: &tera::State| strings.duration(v),
    );
    let strings = theme.strings.clone();
    tera.register_function("t", move |kwargs: tera::Kwargs, _: &tera::State| {
        crate::i18n::translate(&strings, &kwargs)
    });
    // All at once: inheritance and includes are resolved across the whole set.
    if let Err(e) = tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str())),
    ) {
        return Err(vec![
            tera_diag(theme, &e, None, "template error")
                .hint("fix the Tera syntax of this template"),
        ]);
    }
    // A list card rendered once, by the theme's own `incident_card`; a theme
    // without that component simply renders its cards in each list.
    let _ = tera.add_raw_template(lists::CARD_TEMPLATE, lists::CARD_SOURCE);
    if theme.templates_built_in() {
        let _ = tera.add_raw_template(lists::HTML_ONLY, "");
    }
    Ok(tera)
}

/// A Tera error as a diagnostic: Tera's own report carries `--> name:line:col`
/// and a snippet; we keep its first line as the message and point our own
/// location at the template file.
fn tera_diag(theme: &Theme, e: &tera::Error, fallback: Option<&str>, what: &str) -> Diagnostic {
    let msg = tera_message(e);
    let located = msg.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("--> ")?;
        let mut parts = rest.rsplitn(3, ':');
        let col: usize = parts.next()?.trim().parse().ok()?;
        let line: usize = parts.next()?.trim().parse().ok()?;
        Some((parts.next()?.to_string(), line, col))
    });
    let name = located.as_ref().map(|(n, _, _)| n.as_str()).or(fallback);
    let first = msg
        .lines()
        .map(|l| l.trim().trim_start_matches("error: "))
        .find(|l| !l.is_empty())
        .unwrap_or("unknown template error");
    let message = format!("{what}: {first}");
    match name.and_then(|n| theme.templates.get(n)) {
        Some((shown, text)) => {
            let src = crate::diag::SourceText::new(shown.clone(), text.clone());
            match located {
                Some((_, line, col)) => src.at(crate::diag::Severity::Error, line, col, 1, message),
                None => Diagnostic::error(shown.clone(), message),
            }
        }
        None => Diagnostic::error(
            name.map_or_else(|| "templates".to_string(), |n| format!("templates/{n}")),
            message,
        ),
    }
}

fn tera_message(e: &tera::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// One output of the site, named so serve can re-render a subset later. List
/// outputs carry their page number, from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Output {
    Home,
    Incidents(usize),
    Incident(usize),
    NewsList(usize),
    News(usize),
    Page(usize),
    Taxonomy(usize),
    Term(usize, String, usize),
    History,
    /// Index into `Site::months`, page.
    Month(usize, usize),
    Actions(usize),
    /// `/postmortems/`, page.
    Postmortems(usize),
    Search,
    /// `/stats/`: the charts over every incident.
    Stats,
    NotFound,
    Feeds,
}

/// Every page of a list of `items`.
fn pages_of(items: usize, per: usize) -> impl Iterator<Item = usize> {
    1..=page_count(items, per)
}

pub fn outputs(site: &Site) -> Vec<Output> {
    let per = site.config.paginate_by;
    let mut out = vec![
        Output::Home,
        Output::History,
        Output::Search,
        Output::Stats,
        Output::NotFound,
        Output::Feeds,
    ];
    out.extend(pages_of(open_actions(site).len(), per).map(Output::Actions));
    out.extend(pages_of(postmortem_list(site).len(), per).map(Output::Postmortems));
    out.extend(pages_of(site.incidents.len(), per).map(Output::Incidents));
    out.extend(pages_of(site.news.len(), per).map(Output::NewsList));
    out.extend((0..site.incidents.len()).map(Output::Incident));
    out.extend((0..site.news.len()).map(Output::News));
    out.extend((0..site.pages.len()).map(Output::Page));
    for (t, tax) in site.taxonomies.iter().enumerate() {
        out.push(Output::Taxonomy(t));
        for (slug, term) in &tax.terms {
            out.extend(
                pages_of(term.incidents.len(), per).map(|p| Output::Term(t, slug.clone(), p)),
            );
        }
    }
    for (m, month) in site.months.iter().enumerate() {
        out.extend(pages_of(month.incidents.len(), per).map(|p| Output::Month(m, p)));
    }
    out
}

/// How many HTML pages [`render_all`] writes (every output but the feeds).
pub fn html_page_count(site: &Site) -> usize {
    outputs(site).len() - 1
}

/// Render everything into `sink`: pages in parallel, then static files and assets.
pub fn render_all(site: &Site, theme: &Theme, now: &Now, sink: &dyn Sink) -> RenderResult {
    let tera = tera(theme, site)?;
    let scope = Scope::new(site, now, &tera, &theme.strings);
    let feeds = Recording {
        inner: sink,
        files: Default::default(),
    };
    let outputs = outputs(site);
    let errors: Vec<Diagnostic> = outputs
        .par_iter()
        .flat_map_iter(|o| {
            if sink.stopped() {
                return Vec::new();
            }
            let sink: &dyn Sink = if *o == Output::Feeds { &feeds } else { sink };
            render_output(&tera, theme, &scope, o, sink)
                .err()
                .unwrap_or_default()
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let pages: Vec<(String, Output)> = outputs
        .into_iter()
        .filter_map(|o| output_file(site, &o).map(|f| (f, o)))
        .collect();
    let feeds = feeds.files.into_inner().unwrap_or_else(|e| e.into_inner());
    let clashes = collisions(site, &pages, &feeds);
    if !clashes.is_empty() {
        return Err(clashes);
    }
    let mut errors = Vec::new();
    for (path, file) in &theme.statics {
        let r = match file {
            StaticFile::Embedded(bytes) => sink.put(path, bytes.to_vec()),
            StaticFile::Disk(p) => sink.copy(path, p),
        };
        if let Err(e) = r {
            errors.push(Diagnostic::error(
                path,
                format!("cannot write static file: {e}"),
            ));
        }
    }
    for a in &site.assets {
        if let Err(e) = sink.copy(&a.content_path, &a.path) {
            errors.push(Diagnostic::error(
                format!("content/{}", a.content_path),
                format!("cannot copy: {e}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Render one output (one page, or all feeds) into the sink.
pub fn render_output(
    tera: &Tera,
    theme: &Theme,
    scope: &Scope,
    output: &Output,
    sink: &dyn Sink,
) -> RenderResult {
    let Some(job) = page_job(scope, output) else {
        return feeds::write_all(&scope.builder(), sink);
    };
    let html = render_job(tera, theme, &job)?;
    sink.put(&job.file, html.into_bytes())
        .map_err(|e| vec![Diagnostic::error(&job.file, format!("cannot write: {e}"))])
}

/// A page output ready for Tera: its template, URL path (`incidents/ex1/`),
/// output file (`incidents/ex1/index.html`) and whole template context. Serve
/// hashes the context to skip pages whose input did not change.
#[derive(Debug, Clone)]
pub struct PageJob {
    pub template: String,
    pub path: String,
    pub file: String,
    pub context: Value,
    /// The cards of a list page, kept as Tera values (shared, not copied).
    pub cards: Option<lists::CardList>,
    /// What the page read, when the scope records ([`Scope::record`]).
    pub reads: Option<reads::Reads>,
}

/// The template and URL path of a page output; `None` for [`Output::Feeds`].
fn target(site: &Site, output: &Output) -> Option<(String, String)> {
    let term_base = |t: usize, slug: &str| format!("{}/{slug}/", site.taxonomies[t].name);
    Some(match output {
        Output::Home => ("index.html".into(), String::new()),
        Output::Incidents(p) => ("incidents.html".into(), paged_path("incidents/", *p)),
        Output::Incident(i) => (
            "incident.html".into(),
            incident_path(&site.incidents[*i].id),
        ),
        Output::NewsList(p) => ("news_list.html".into(), paged_path("news/", *p)),
        Output::News(n) => ("news.html".into(), news_path(&site.news[*n].slug)),
        Output::Page(p) => (
            site.pages[*p].template.clone(),
            page_path(&site.pages[*p].slug),
        ),
        Output::Taxonomy(t) => (
            "taxonomy.html".into(),
            format!("{}/", site.taxonomies[*t].name),
        ),
        Output::Term(t, slug, p) => ("term.html".into(), paged_path(&term_base(*t, slug), *p)),
        Output::History => ("history.html".into(), "history/".into()),
        Output::Month(m, p) => (
            "month.html".into(),
            paged_path(&month_path(&site.months[*m].key()), *p),
        ),
        Output::Actions(p) => ("actions.html".into(), paged_path("actions/", *p)),
        Output::Postmortems(p) => ("postmortems.html".into(), paged_path("postmortems/", *p)),
        Output::Search => ("search.html".into(), "search/".into()),
        Output::Stats => ("stats.html".into(), "stats/".into()),
        Output::NotFound => ("404.html".into(), "404.html".into()),
        Output::Feeds => return None,
    })
}

fn file_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// The file a page output is written to (`incidents/ex1/index.html`); `None`
/// for [`Output::Feeds`], which writes many.
pub fn output_file(site: &Site, output: &Output) -> Option<String> {
    target(site, output).map(|(_, path)| file_of(&path))
}

/// The [`PageJob`] of a page output; `None` for [`Output::Feeds`] (no template).
pub fn page_job(scope: &Scope, output: &Output) -> Option<PageJob> {
    let cx = scope.builder();
    let (template, path) = target(scope.site, output)?;
    let plain = |v: Value| (v, None);
    let listed = |(v, c): (Value, lists::CardList)| (v, Some(c));
    let (vars, cards) = match output {
        Output::Home => plain(cx.home()),
        Output::Incidents(p) => listed(cx.incidents(*p)),
        Output::Incident(i) => plain(cx.incident(*i)),
        Output::NewsList(p) => plain(cx.news_list(*p)),
        Output::News(n) => plain(cx.story_page(*n)),
        Output::Page(p) => plain(cx.page(*p)),
        Output::Taxonomy(t) => plain(cx.taxonomy(*t)),
        Output::Term(t, slug, p) => listed(cx.term(*t, slug, *p)),
        Output::History => plain(cx.history()),
        Output::Month(m, p) => listed(cx.month(*m, *p)),
        Output::Actions(p) => plain(cx.actions(*p)),
        Output::Postmortems(p) => listed(cx.postmortems(*p)),
        Output::Search => plain(cx.search()),
        Output::Stats => plain(charts::stats_page(&cx)),
        Output::NotFound => plain(cx.not_found()),
        Output::Feeds => return None,
    };
    let file = file_of(&path);
    let mut context = cx.common(&path);
    if let (Value::Object(a), Value::Object(b)) = (&mut context, vars) {
        a.extend(b);
    }
    Some(PageJob {
        template,
        path,
        file,
        context,
        cards,
        reads: cx.reads.take(),
    })
}

/// Render a [`PageJob`] with Tera.
pub fn render_job(tera: &Tera, theme: &Theme, job: &PageJob) -> Result<String, Vec<Diagnostic>> {
    render_page(tera, theme, job)
}

fn render_page(tera: &Tera, theme: &Theme, job: &PageJob) -> Result<String, Vec<Diagnostic>> {
    let (template, path) = (job.template.as_str(), job.path.as_str());
    let shown = |t: &str| {
        theme
            .templates
            .get(t)
            .map_or_else(|| format!("templates/{t}"), |(s, _)| s.clone())
    };
    if !tera.contains_template(template) {
        return Err(vec![Diagnostic::error(shown(template), format!("template `{template}` does not exist (needed for /{path})"))
            .hint("add it to the theme's or the site's `templates/` folder, or fix the page's `template:`")]);
    }
    let mut context = Context::new();
    if let Value::Object(m) = &job.context {
        for (k, v) in m {
            context.insert(k.clone(), v);
        }
    }
    if let Some((key, cards)) = &job.cards {
        let values: Vec<tera::Value> = cards.iter().map(|(v, _)| v.clone()).collect();
        context.insert_value(*key, tera::Value::from(values));
    }
    tera.render(template, &context).map_err(|e| {
        vec![
            tera_diag(theme, &e, Some(template), &format!("cannot render /{path}"))
                .hint("check the template against docs/templates.md"),
        ]
    })
}
