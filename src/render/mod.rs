//! Render: the linked [`Site`] and a [`Theme`] in, every output file out (HTML
//! through Tera, feeds, sitemap, JSON) handed to a [`Sink`]. Render never
//! touches the file system itself: the sink decides where bytes go.

mod api;
mod badges;
mod cards;
mod charts;
mod claims;
mod compact;
mod context;
mod feeds;
mod format;
mod fragments;
mod ics;
mod lists;
pub(crate) mod machine;
pub(crate) mod memo;
mod outputs;
mod pages;
pub(crate) mod reads;
pub(crate) mod reuse;
mod search;
mod sink;
use sink::Recording;
pub(crate) use sink::Sink;
mod select;
mod services;
mod sitemap;
mod statuspage;
mod view;

use crate::diag::Diagnostic;
use crate::i18n::Strings;
use crate::link::Site;
use crate::theme::{StaticFile, Theme};
use rayon::prelude::*;
use serde_json::Value;
use tera::{Context, Tera};

pub(crate) use claims::collisions;
pub(crate) use outputs::{Kind, Output, outputs};
pub(crate) use view::{Now, next_change};

/// Who renders: `build` and `check` render once and keep nothing; serve
/// renders again on every edit, so it records what each page reads
/// ([`reads::Reads`]) and reuses per-document work from its [`memo::Memo`].
#[derive(Clone, Copy, Default)]
pub(crate) enum Mode<'a> {
    #[default]
    Build,
    /// A build that reuses the previous one's pages: it records reads, to
    /// leave them for the next build (`reuse.rs`), and reuses the search
    /// keys of documents the previous build tokenized.
    Record(Option<&'a dyn memo::KeyStore>),
    Serve(&'a memo::Memo),
}

impl<'a> Mode<'a> {
    pub(crate) fn memo(self) -> Option<&'a memo::Memo> {
        match self {
            Mode::Build | Mode::Record(_) => None,
            Mode::Serve(m) => Some(m),
        }
    }

    /// Where the search index finds keys tokenized before.
    pub(crate) fn keys(self) -> Option<&'a dyn memo::KeyStore> {
        match self {
            Mode::Build => None,
            Mode::Record(k) => k,
            Mode::Serve(m) => Some(m),
        }
    }

    /// Pages note what they read only for serve.
    pub(crate) fn records(self) -> bool {
        matches!(self, Mode::Serve(_) | Mode::Record(_))
    }
}

/// What one render pass reads: the site, "now", the interface strings, and
/// the cards it builds once.
pub(crate) struct Scope<'a> {
    pub site: &'a Site,
    pub now: &'a Now,
    pub strings: &'a Strings,
    /// The one status model every status shown or served comes from.
    pub status: crate::status::StatusModel,
    cards: cards::Cards<'a>,
    /// A one-off build, or serve's render with what it keeps across renders.
    pub mode: Mode<'a>,
}

impl<'a> Scope<'a> {
    /// `tera` renders each card's HTML once for all the lists it is on.
    pub(crate) fn new(
        site: &'a Site,
        now: &'a Now,
        tera: &'a Tera,
        strings: &'a Strings,
    ) -> Scope<'a> {
        Scope {
            site,
            now,
            strings,
            status: crate::status::compute(site, now.0),
            cards: cards::Cards::new(site.incidents.len(), tera),
            mode: Mode::Build,
        }
    }

    fn builder(&self) -> view::Builder<'_> {
        self.builder_recording(self.mode.records())
    }

    /// The builder of [`machine::write_all`]: it records only when the
    /// machine jobs are kept across builds ([`reuse::keeps_jobs`]); at
    /// 100,000 incidents recording every job's reads (the API records and
    /// the search index read every incident) cost more memory than a build
    /// of that size can spare.
    fn machine_builder(&self, record: bool) -> view::Builder<'_> {
        self.builder_recording(record && self.mode.records())
    }

    fn builder_recording(&self, record: bool) -> view::Builder<'_> {
        let mut b = view::Builder::new(
            self.site,
            (self.now, &self.status),
            self.strings,
            (&self.cards, self.mode.memo()),
            record,
        );
        b.keys = self.mode.keys();
        b
    }
}

/// Every template problem and write failure, as diagnostics.
pub(crate) type RenderResult = Result<(), Vec<Diagnostic>>;

pub(crate) fn tera(theme: &Theme, site: &Site) -> Result<Tera, Vec<Diagnostic>> {
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
    let _ = tera.add_raw_template(cards::CARD_TEMPLATE, cards::CARD_SOURCE);
    if theme.templates_built_in() {
        let _ = tera.add_raw_template(cards::HTML_ONLY, "");
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

/// How many HTML pages [`render_all`] writes (every output but the feeds).
pub(crate) fn html_page_count(site: &Site) -> usize {
    outputs(site).len() - 1
}

/// Render everything into `sink`: pages in parallel, then static files and assets.
pub(crate) fn render_all(site: &Site, theme: &Theme, now: &Now, sink: &dyn Sink) -> RenderResult {
    render_reusing(site, theme, now, sink, None).map(|_| ())
}

/// [`render_all`], but with `reuse`, the HTML pages whose previous files
/// stand are left out (see `reuse.rs`): those files, and the next manifest.
pub(crate) fn render_reusing(
    site: &Site,
    theme: &Theme,
    now: &Now,
    sink: &dyn Sink,
    reuse: Option<&reuse::Reuse>,
) -> Result<Option<reuse::Done>, Vec<Diagnostic>> {
    let tera = tera(theme, site)?;
    // Search keys are kept only while the site is small enough (`keeps_jobs`).
    let saved = (reuse.filter(|_| reuse::keeps_jobs(site)))
        .map(|r| search::saved::SavedKeys::new(r.take_search(), &r.docs));
    let mut scope = Scope::new(site, now, &tera, &theme.strings);
    if reuse.is_some() {
        scope.mode = Mode::Record(saved.as_ref().map(|s| s as &dyn memo::KeyStore));
    }
    // The plan fingerprints facts on the status model, which render keeps.
    let status = scope.status.clone();
    let plan = reuse.map(|r| r.plan(site, &status, now.0));
    let kept = std::sync::Mutex::new(Vec::new());
    let outputs = outputs(site);
    let reusing = Reusing {
        plan: plan.as_ref(),
        kept: &kept,
    };
    let (errors, clashes) = render_outputs(&tera, theme, &mut scope, &outputs, (sink, reusing));
    if !errors.is_empty() {
        return Err(errors);
    }
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
    if !errors.is_empty() {
        return Err(errors);
    }
    let kept = kept.into_inner().unwrap_or_else(|e| e.into_inner());
    drop(scope);
    let search = saved.and_then(search::saved::SavedKeys::save);
    Ok(plan.map(|p| p.finish(site, kept, search)))
}

/// Render `outputs` into `sink` in three rounds, each in parallel: the
/// machine outputs, the paged lists, then every other page. Returns the
/// render problems, and the files written twice ([`collisions`]). This order
/// keeps a large site's peak memory down: the machine outputs build
/// site-wide files (the search index, `/api/incidents.json`, the sitemap)
/// whose text is large at 100,000 incidents, and they are gone before the
/// lists fill the card cache, which is emptied before the clash check
/// (which maps every file path) and the incident pages (which read no
/// cards).
fn render_outputs<'a>(
    tera: &'a Tera,
    theme: &Theme,
    scope: &mut Scope<'a>,
    outputs: &[Output],
    (sink, reusing): (&dyn Sink, Reusing),
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let feeds = Recording {
        inner: sink,
        files: Default::default(),
    };
    let (machine, pages): (Vec<&Output>, Vec<&Output>) =
        outputs.iter().partition(|o| o.kind == Kind::Feeds);
    let mut errors = render_each(tera, theme, scope, &machine, (sink, &feeds, reusing));
    crate::trim::trim();
    let (lists, rest): (Vec<&Output>, Vec<&Output>) =
        pages.into_iter().partition(|o| reads_cards(o.kind));
    errors.extend(render_each(
        tera,
        theme,
        scope,
        &lists,
        (sink, &feeds, reusing),
    ));
    scope.cards = cards::Cards::new(scope.site.incidents.len(), tera);
    crate::trim::trim();
    // The feeds have named their files: every path of the build is known.
    // Checked here, at the render's low point, and on a pool thread, whose
    // heap holds what the rounds before let go of (at 100,000 incidents,
    // checked on this thread right after the machine outputs, it was the
    // build's peak).
    let site = scope.site;
    let (clashes, ()) = rayon::join(
        || {
            let fed = std::mem::take(&mut *feeds.files.lock().unwrap_or_else(|e| e.into_inner()));
            let files: Vec<(String, Output)> = outputs
                .iter()
                .filter_map(|o| output_file(site, o).map(|f| (f, o.clone())))
                .collect();
            collisions(site, &files, &fed)
        },
        || (),
    );
    errors.extend(render_each(
        tera,
        theme,
        scope,
        &rest,
        (sink, &feeds, reusing),
    ));
    (errors, clashes)
}

/// The kinds whose pages list incidents as cards (`lists.rs`, `incident_page`).
fn reads_cards(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Incidents | Kind::Term | Kind::Month | Kind::Postmortems
    )
}

/// Render `outputs` in parallel into `sink` (the feeds into `feeds`); the
/// problems found. Stops asking once the sink has stopped (a full disk).
fn render_each(
    tera: &Tera,
    theme: &Theme,
    scope: &Scope,
    outputs: &[&Output],
    (sink, feeds, reusing): (&dyn Sink, &dyn Sink, Reusing),
) -> Vec<Diagnostic> {
    outputs
        .par_iter()
        .flat_map_iter(|o| {
            if sink.stopped() {
                return Vec::new();
            }
            if o.kind == Kind::Feeds {
                let cx = scope.machine_builder(reuse::keeps_jobs(scope.site));
                return machine::write_all(&cx, feeds, reusing.plan)
                    .err()
                    .unwrap_or_default();
            }
            let Some(plan) = reusing.plan else {
                return render_output(tera, theme, scope, o, sink)
                    .err()
                    .unwrap_or_default();
            };
            match plan.page(tera, theme, scope, o, sink) {
                Ok(Some(file)) => {
                    reusing
                        .kept
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(file);
                    Vec::new()
                }
                Ok(None) => Vec::new(),
                Err(e) => e,
            }
        })
        .collect()
}

/// A build's plan of the pages to leave as the previous build wrote them,
/// and the files it left.
#[derive(Clone, Copy)]
struct Reusing<'p, 'a> {
    plan: Option<&'p reuse::Plan<'a>>,
    kept: &'p std::sync::Mutex<Vec<String>>,
}

/// Render one output (one page, or all feeds) into the sink.
pub(crate) fn render_output(
    tera: &Tera,
    theme: &Theme,
    scope: &Scope,
    output: &Output,
    sink: &dyn Sink,
) -> RenderResult {
    let Some(job) = page_job(scope, output) else {
        return machine::write_all(&scope.machine_builder(false), sink, None);
    };
    let html = render_job(tera, theme, &job)?;
    sink.put(&job.file, html.into_bytes())
        .map_err(|e| vec![Diagnostic::error(&job.file, format!("cannot write: {e}"))])
}

/// A page output ready for Tera: its template, URL path (`incidents/ex1/`),
/// output file (`incidents/ex1/index.html`) and whole template context. Serve
/// hashes the context to skip pages whose input did not change.
#[derive(Debug, Clone)]
pub(crate) struct PageJob {
    pub template: String,
    pub path: String,
    pub file: String,
    /// What every page has, then the page's own variables.
    pub context: [view::Vars; 2],
    /// The cards of a list page, kept as Tera values (shared, not copied).
    pub cards: Option<cards::CardList>,
    /// What the page read, when the scope records ([`Scope::record`]).
    pub reads: Option<reads::Reads>,
}

fn file_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// The file a page output is written to (`incidents/ex1/index.html`); `None`
/// for [`Kind::Feeds`], which writes many.
pub(crate) fn output_file(site: &Site, output: &Output) -> Option<String> {
    outputs::target(site, output).map(|(_, path)| file_of(&path))
}

/// The [`PageJob`] of a page output; `None` for [`Kind::Feeds`] (no template).
pub(crate) fn page_job(scope: &Scope, output: &Output) -> Option<PageJob> {
    let cx = scope.builder();
    let kind = outputs::kind(output.kind)?;
    let (template, path) = (kind.target)(scope.site, output);
    let (vars, cards) = (kind.context)(&cx, output);
    let file = file_of(&path);
    let common = cx.vars(&cx.common(&path));
    Some(PageJob {
        template,
        path,
        file,
        context: [common, vars],
        cards,
        reads: cx.take_reads(),
    })
}

/// Serve: the keys of every machine job, and the files and reads of those
/// `want` picks (the others are not run).
pub(crate) fn render_machine(
    scope: &Scope,
    want: &(dyn Fn(&str) -> bool + Sync),
) -> (Vec<String>, Vec<machine::Done>) {
    let cx = scope.builder();
    let jobs = machine::jobs(&cx);
    let keys = jobs.iter().map(|j| j.key.clone()).collect();
    let done = (jobs.par_iter())
        .filter(|j| want(&j.key))
        .map(|j| j.run(&scope.builder()))
        .collect();
    (keys, done)
}

/// Every HTML page's template and whole template context, as JSON (cards
/// included): what themes receive, for checking docs/templates.md and theme
/// fixtures against. Renders nothing.
pub(crate) fn template_contexts(
    site: &Site,
    theme: &Theme,
    now: &Now,
) -> Result<Vec<(String, Value)>, Vec<Diagnostic>> {
    let tera = tera(theme, site)?;
    let mut scope = Scope::new(site, now, &tera, &theme.strings);
    // As serve does: whole cards, never the build's html-only shortcut.
    let memo = memo::Memo::default();
    scope.mode = Mode::Serve(&memo);
    let outputs = outputs(site);
    let contexts = outputs
        .iter()
        .filter_map(|o| page_job(&scope, o))
        .map(|job| {
            let mut context = Value::Object(Default::default());
            for vars in &job.context {
                if let (Value::Object(all), Ok(Value::Object(m))) =
                    (&mut context, serde_json::to_value(&vars.value))
                {
                    all.extend(m);
                }
            }
            if let (Some((key, cards)), Value::Object(m)) = (&job.cards, &mut context) {
                let cards = cards
                    .iter()
                    .map(|c| serde_json::to_value(&c.value).unwrap_or_default());
                m.insert(key.to_string(), Value::Array(cards.collect()));
            }
            (job.template, context)
        });
    Ok(contexts.collect())
}

/// Render a [`PageJob`] with Tera.
pub(crate) fn render_job(
    tera: &Tera,
    theme: &Theme,
    job: &PageJob,
) -> Result<String, Vec<Diagnostic>> {
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
    for (k, v) in job
        .context
        .iter()
        .filter_map(|vars| vars.value.as_map())
        .flatten()
    {
        if let Some(k) = k.as_str() {
            context.insert_value(k.to_string(), v.clone());
        }
    }
    if let Some((key, cards)) = &job.cards {
        let values: Vec<tera::Value> = cards.iter().map(|c| c.value.clone()).collect();
        context.insert_value(*key, tera::Value::from(values));
    }
    tera.render(template, &context).map_err(|e| {
        vec![
            tera_diag(theme, &e, Some(template), &format!("cannot render /{path}"))
                .hint("check the template against docs/templates.md"),
        ]
    })
}
