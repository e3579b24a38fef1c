//! The Markdown pass of a link: incidents, stories, pages and the home intro
//! in, their rendered HTML and body problems out (incidents and stories in
//! parallel, letting each file's text go in a build).

use super::{IncidentHtml, MarkdownRenderer, Resolver, body_problems, render_incident};
use crate::diag::Diagnostic;
use crate::ix::{IncidentIx, PageIx, StoryIx, TiSlice, TiVec};
use crate::markdown::Rendered;
use crate::model::*;
use rayon::prelude::*;
use std::collections::HashSet;

/// What every Markdown body is rendered with and checked against.
pub(super) struct BodyPass<'a> {
    pub(super) md: &'a dyn MarkdownRenderer,
    pub(super) resolver: &'a Resolver,
    pub(super) suggest: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub(super) unparsed: &'a HashSet<String>,
    /// Let each file's text go once its Markdown is rendered (a build).
    pub(super) release: bool,
}

impl BodyPass<'_> {
    // Incidents and stories render in parallel: the hot path of a build. It is
    // the last rule that quotes their files, so a build lets the text go right
    // after (at 100,000 incidents the texts were 0.85 GB).

    pub(super) fn incidents(
        &self,
        incidents: &mut TiSlice<IncidentIx, Incident>,
    ) -> (TiVec<IncidentIx, IncidentHtml>, Vec<Diagnostic>) {
        let rendered: Vec<(IncidentHtml, Vec<Diagnostic>)> = incidents
            .raw
            .par_iter_mut()
            .map(|inc| {
                // A build holds texts shelved from parse to here.
                let back = inc.origin.unpack_text();
                let mut r =
                    render_incident(inc, self.md, self.resolver, self.suggest, self.unparsed);
                r.1.extend(back.err());
                if self.release {
                    inc.origin.release_text();
                }
                r
            })
            .collect();
        let (html, diags): (Vec<_>, Vec<_>) = rendered.into_iter().unzip();
        (html.into(), diags.into_iter().flatten().collect())
    }

    pub(super) fn news(
        &self,
        news: &mut TiSlice<StoryIx, NewsStory>,
    ) -> (TiVec<StoryIx, Rendered>, Vec<Diagnostic>) {
        let rendered: Vec<(Rendered, Vec<Diagnostic>)> = news
            .raw
            .par_iter_mut()
            .map(|n| {
                let back = n.origin.unpack_text();
                let r = self
                    .md
                    .render(n.body(), &n.origin.content_path, None, self.resolver);
                let mut d: Vec<Diagnostic> = back.err().into_iter().collect();
                body_problems(&n.origin, &r, self.suggest, self.unparsed, &mut d);
                if self.release {
                    n.origin.release_text();
                }
                (r, d)
            })
            .collect();
        let (html, diags): (Vec<_>, Vec<_>) = rendered.into_iter().unzip();
        (html.into(), diags.into_iter().flatten().collect())
    }

    /// Pages and the home intro, in order (their problems go straight to `diags`).
    pub(super) fn pages(
        &self,
        pages: &TiSlice<PageIx, Page>,
        home: Option<HomeIntro>,
        diags: &mut Vec<Diagnostic>,
    ) -> (TiVec<PageIx, Rendered>, Option<(HomeIntro, Rendered)>) {
        let page_html = pages
            .iter()
            .map(|p| self.plain(&p.origin, p.body(), diags))
            .collect();
        let home = home.map(|h| {
            let r = self.plain(&h.origin, h.body(), diags);
            (h, r)
        });
        (page_html, home)
    }

    /// A page's or the home intro's body.
    pub(super) fn plain(
        &self,
        origin: &Origin,
        body: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Rendered {
        let r = self
            .md
            .render(body, &origin.content_path, None, self.resolver);
        body_problems(origin, &r, self.suggest, self.unparsed, diags);
        r
    }
}
