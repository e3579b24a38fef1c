//! The machine outputs: the view of the site in, every file that is not an
//! HTML page out — feeds, the JSON API, the Statuspage API, the calendar,
//! badges, the search index, the sitemap and robots.txt — each file (or
//! group of files) rendered on its own rayon task.

use super::reuse::Plan;
use super::sink::Emit;
use super::view::Builder;
use super::{RenderResult, Sink, api, badges, feeds, ics, search, services, sitemap, statuspage};
use crate::diag::Diagnostic;
use crate::link::Tax;
use rayon::prelude::*;

/// One machine output: its key (its first file's path, stable across
/// edits) and how it renders its files (path, text). It gets a builder of its
/// own, so what it reads is recorded for it alone: serve runs again only the
/// jobs whose reads changed.
pub(crate) struct Job<'a> {
    pub key: String,
    run: Box<Render<'a>>,
}

/// What a job does: its files, handed one by one to the [`Emit`] it gets,
/// read through the builder it gets.
type Render<'a> = dyn Fn(&Builder<'a>, &mut Emit) + Send + Sync + 'a;

/// A job of a few files, returned together.
fn job<'a>(
    key: impl Into<String>,
    run: impl Fn(&Builder<'a>) -> Vec<(String, String)> + Send + Sync + 'a,
) -> Job<'a> {
    streamed(key, move |cx, emit| {
        for (path, text) in run(cx) {
            emit(path, text);
        }
    })
}

/// A job that hands over each file as it is made.
fn streamed<'a>(
    key: impl Into<String>,
    run: impl Fn(&Builder<'a>, &mut Emit) + Send + Sync + 'a,
) -> Job<'a> {
    Job {
        key: key.into(),
        run: Box::new(run),
    }
}

/// Files one job rendered, and what it read (serve only).
pub(crate) struct Done {
    pub key: String,
    pub files: Vec<(String, String)>,
    pub reads: Option<super::reads::Reads>,
}

impl<'a> Job<'a> {
    /// Every file at once, for serve, which keeps them all in memory anyway.
    pub(crate) fn run(&self, cx: &Builder<'a>) -> Done {
        let mut files = Vec::new();
        let reads = self.stream(cx, &mut |path, text| files.push((path, text)));
        Done {
            key: self.key.clone(),
            files,
            reads,
        }
    }

    /// Each file to `emit` as it is made; what the job read.
    fn stream(&self, cx: &Builder<'a>, emit: &mut Emit) -> Option<super::reads::Reads> {
        cx.recorded(|jcx| (self.run)(jcx, emit)).1
    }
}

/// The site-wide outputs as independent jobs; the incident records, term
/// feeds and service badges are one job each.
pub(crate) fn jobs<'a>(cx: &Builder<'a>) -> Vec<Job<'a>> {
    let site = cx.whole();
    let mut jobs: Vec<Job> = vec![
        job("atom.xml", |cx| {
            vec![("atom.xml".into(), feeds::site_atom(cx))]
        }),
        job("feed.json", |cx| {
            vec![("feed.json".into(), feeds::site_json(cx))]
        }),
    ];
    for t in Tax::ALL {
        let tax = site.taxonomy(t);
        for slug in tax.terms.keys() {
            let key = format!("{}/{slug}/atom.xml", tax.name);
            jobs.push(job(key, move |cx| vec![feeds::term_atom(cx, t, slug)]));
        }
    }
    jobs.push(job("api/incidents.json", |cx| {
        vec![("api/incidents.json".into(), api::list(cx))]
    }));
    jobs.extend(site.incidents.iter_enumerated().map(|(i, inc)| {
        job(api::record_path(&inc.id), move |cx| {
            vec![api::record(cx, i)]
        })
    }));
    jobs.push(job("api/v2/summary.json", statuspage::files));
    jobs.push(job(services::PATH, |cx| {
        vec![(services::PATH.into(), services::file(cx))]
    }));
    jobs.push(job(ics::PATH, |cx| {
        vec![(ics::PATH.into(), ics::calendar(cx))]
    }));
    jobs.extend((cx.status().services.iter()).map(|s| {
        let slug = s.slug.as_str();
        job(badges::svg_path(slug), move |cx| {
            cx.service(slug).map(badges::files).unwrap_or_default()
        })
    }));
    jobs.push(streamed("search/index.json", search::files));
    jobs.push(job("sitemap.xml", |cx| {
        sitemap::files(cx.config(), &super::outputs::sitemap_urls(cx.whole()))
    }));
    // Only the config: a config change re-renders everything anyway.
    jobs.push(job("robots.txt", |cx| {
        let c = cx.config();
        // An internal build asks crawlers to stay out altogether, beside the
        // `noindex` of every page, in case it is ever served where they reach.
        let robots = if c.audience.is_internal() {
            "User-agent: *\nDisallow: /\n".to_string()
        } else {
            format!(
                "User-agent: *\nAllow: /\n\nSitemap: {}\n",
                c.abs_url("sitemap.xml")
            )
        };
        vec![("robots.txt".into(), robots)]
    }));
    jobs
}

/// Run every job into `sink`; with a rebuild's `plan`, a job whose files
/// stand and whose reads did not change is not run, its files kept.
pub(super) fn write_all(cx: &Builder, sink: &dyn Sink, plan: Option<&Plan>) -> RenderResult {
    // The next manifest wants each file's hash only if it keeps the job.
    let hashes = plan.is_some() && super::reuse::keeps_jobs(cx.whole());
    let errors: Vec<Diagnostic> = jobs(cx)
        .par_iter()
        .flat_map_iter(|job| {
            if let Some(files) = plan.and_then(|p| p.kept_job(&job.key)) {
                for (path, size) in files {
                    sink.keep(path, size);
                }
                return Vec::new();
            }
            let mut errors = Vec::new();
            let mut hashed = Vec::new();
            let reads = job.stream(cx, &mut |path, text| {
                if hashes {
                    hashed.push((path.clone(), Plan::hash(&text)));
                }
                if let Err(e) = sink.put(&path, text.into_bytes()) {
                    errors.push(Diagnostic::error(&path, format!("cannot write: {e}")));
                }
            });
            if let Some(plan) = plan {
                plan.ran_job(job.key.clone(), reads, hashed);
            }
            errors
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
