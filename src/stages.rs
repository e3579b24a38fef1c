//! The stages `build`, `check` and serve's Engine share, one named function
//! each: a file in, its document as the audience sees it out (parse); the
//! shown documents in, what link must not report out (visibility); the
//! incidents and "now" in, the clock's warnings out (now checks); the config in,
//! the theme out. build.rs runs them over the whole site, serve over what an
//! edit touched, so the two cannot drift apart.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::frontmatter::{self, DocKind};
use crate::load::SourceDoc;
use crate::model::{Document, Incident, IncidentId};
use crate::render::Now;
use crate::theme::{self, Theme};
use crate::visibility::{self, Audience, Seen};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

/// One content file after parse and visibility.
pub(crate) enum Parsed {
    /// Shown or hidden, with the document's warnings.
    Seen(Seen, Vec<Diagnostic>),
    /// Unreadable or invalid: every problem, and an incident file's declared
    /// ID (lower-cased), whose references are then not reported again.
    Failed(Vec<Diagnostic>, Option<String>),
}

/// Parse: one file's front matter, shown to `audience` ([`visibility::admit`]).
pub(crate) fn parse(doc: &SourceDoc, audience: Audience) -> Parsed {
    let source = match doc.read() {
        Ok(s) => s,
        Err(e) => return Parsed::Failed(vec![e], None),
    };
    match frontmatter::parse_full(doc.kind, source.clone(), &doc.content_path) {
        (Some(d), warnings) => Parsed::Seen(visibility::admit(d, audience), warnings),
        (None, diags) => {
            let id = (doc.kind == DocKind::Incident)
                .then(|| frontmatter::declared_id(&source).map(|id| id.key()))
                .flatten();
            Parsed::Failed(diags, id)
        }
    }
}

/// What parse left out of the documents link sees.
#[derive(Default)]
pub(crate) struct Absent {
    /// Internal incidents a public build hides.
    pub hidden: Vec<IncidentId>,
    /// Declared IDs (lower-cased) of incident files that failed to parse.
    pub unparsed: HashSet<String>,
}

/// Every file of a build after parse and visibility.
#[derive(Default)]
pub(crate) struct ParsedSite {
    /// The documents shown, their incidents' and stories' texts packed until
    /// link renders their Markdown.
    pub docs: Vec<Document>,
    pub absent: Absent,
    pub diags: Vec<Diagnostic>,
}

/// [`parse`] of every file, in parallel, each read as it is parsed.
pub(crate) fn parse_all(sources: Vec<SourceDoc>, audience: Audience) -> ParsedSite {
    let parsed: Vec<Parsed> = sources
        .into_par_iter()
        .map(|d| match parse(&d, audience) {
            Parsed::Seen(Seen::Shown(mut doc), w) => {
                match &mut doc {
                    Document::Incident(i) => i.origin.pack_text(),
                    Document::News(n) => n.origin.pack_text(),
                    Document::Page(_) | Document::Home(_) => {}
                }
                Parsed::Seen(Seen::Shown(doc), w)
            }
            other => other,
        })
        .collect();
    let mut out = ParsedSite {
        docs: Vec::with_capacity(parsed.len()),
        ..Default::default()
    };
    for p in parsed {
        match p {
            Parsed::Seen(Seen::Shown(d), w) => {
                out.docs.push(d);
                out.diags.extend(w);
            }
            Parsed::Seen(Seen::Hidden(id), w) => {
                out.absent.hidden.extend(id);
                out.diags.extend(w);
            }
            Parsed::Failed(ds, id) => {
                out.diags.extend(ds);
                out.absent.unparsed.extend(id);
            }
        }
    }
    out
}

/// Visibility across files: warnings for public text naming a hidden
/// incident (and the error for a public incident sharing a hidden one's ID)
/// into `diags`. Out: the IDs whose references link must not report as
/// unknown — a hidden incident's render as plain text, and a failed file's
/// own error says what to fix.
pub(crate) fn visibility(
    docs: &[Document],
    absent: Absent,
    diags: &mut Vec<Diagnostic>,
) -> HashSet<String> {
    diags.extend(visibility::mentions(docs, &absent.hidden));
    let mut quiet = absent.unparsed;
    quiet.extend(absent.hidden.iter().map(IncidentId::key));
    quiet
}

/// Now checks: what "now" says about the incidents being built (those of
/// the site, drafts only with `--drafts`) — warnings only, see
/// [`crate::nowchecks`]. The incidents' file texts must still be there to quote.
pub(crate) fn now_checks<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    config: &Config,
    now: &Now,
) -> Vec<Diagnostic> {
    let incidents: Vec<&Incident> = incidents.into_iter().collect();
    crate::nowchecks::warnings(&incidents, config, now.0)
}

/// The theme, with the site's interface strings; the config takes the label
/// of internal notes from them (rendered Markdown holds it).
pub(crate) fn theme(root: &Path, config: &mut Config) -> Result<Theme, Vec<Diagnostic>> {
    let theme = theme::load(root, config)?;
    config.internal_label = theme.strings.get("incident.internal").to_string();
    Ok(theme)
}
