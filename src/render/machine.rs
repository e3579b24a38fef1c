//! The machine outputs: the view of the site in, every file that is not an
//! HTML page out — feeds, the JSON API, the Statuspage API, the calendar,
//! badges, the search index, the sitemap and robots.txt — each file (or
//! group of files) rendered on its own rayon task.

use super::view::Builder;
use super::{RenderResult, Sink, api, badges, feeds, ics, search, services, sitemap, statuspage};
use crate::diag::Diagnostic;
use rayon::prelude::*;

/// One site-wide output: renders its files (path, text) when run.
type Job<'a> = Box<dyn Fn() -> Vec<(String, String)> + Send + Sync + 'a>;

/// The site-wide outputs as independent jobs; the incident records are one job each.
fn jobs<'a>(cx: &'a Builder<'a>) -> Vec<Job<'a>> {
    let site = cx.whole();
    let c = &site.config;
    let mut jobs: Vec<Job> = vec![
        Box::new(move || vec![("atom.xml".into(), feeds::site_atom(cx))]),
        Box::new(move || vec![("feed.json".into(), feeds::site_json(cx))]),
    ];
    for tax in &site.taxonomies {
        for (slug, term) in &tax.terms {
            jobs.push(Box::new(move || {
                vec![feeds::term_atom(cx, tax, slug, term)]
            }));
        }
    }
    jobs.push(Box::new(move || {
        vec![("api/incidents.json".into(), api::list(cx))]
    }));
    jobs.extend((0..site.incidents.len()).map(|i| -> Job {
        Box::new(move || {
            let path = || api::record_path(&site.incidents[i].id);
            if let Some(text) = cx.memo.and_then(|m| m.record(site, i)) {
                return vec![(path(), text)];
            }
            let (path, text) = api::record(cx, i);
            if let Some(m) = cx.memo {
                m.put_record(site, i, std::sync::Arc::from(text.as_str()));
            }
            vec![(path, text)]
        })
    }));
    jobs.push(Box::new(move || statuspage::files(cx)));
    jobs.push(Box::new(move || {
        vec![(services::PATH.into(), services::file(cx))]
    }));
    jobs.push(Box::new(move || {
        vec![(ics::PATH.into(), ics::calendar(cx))]
    }));
    jobs.extend(
        cx.status()
            .services
            .iter()
            .map(|s| -> Job { Box::new(move || badges::files(s)) }),
    );
    jobs.push(Box::new(move || search::files(cx)));
    jobs.push(Box::new(move || {
        sitemap::files(c, &super::outputs::sitemap_urls(site))
    }));
    jobs.push(Box::new(move || {
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

pub(super) fn write_all(cx: &Builder, sink: &dyn Sink) -> RenderResult {
    let errors: Vec<Diagnostic> = jobs(cx)
        .par_iter()
        .flat_map_iter(|job| job())
        .filter_map(|(p, text)| {
            sink.put(&p, text.into_bytes())
                .err()
                .map(|e| Diagnostic::error(&p, format!("cannot write: {e}")))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
