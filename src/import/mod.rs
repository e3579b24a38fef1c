//! `sitrep import`: another tool's incidents in (Statuspage, Microsoft 365,
//! cState, Statusfy; files, folders or URLs), incident files out. Reads every
//! source first (a JSON document that does not parse stops the run before
//! anything is written), maps each item ([`item::Item`]), adjusts what would
//! break a `check` rule, assigns IDs, then writes each file atomically — or,
//! for an incident that already has a file, edits only what a re-import may.

mod adjust;
mod cstate;
mod emit;
mod fetch;
mod html;
mod ids;
mod item;
mod m365;
mod read;
mod reimport;
mod source;
mod statusfy;
mod statuspage;
mod store;
mod when;

use crate::build::{BuildOptions, Failure};
use crate::cli::ImportFormat;
use crate::diag::{Diagnostic, SourceText};
use item::{IdHint, Item, Notes};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use store::{Change, Planned};

/// What `sitrep import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub root: PathBuf,
    pub format: ImportFormat,
    pub sources: Vec<String>,
    pub dry_run: bool,
}

/// What a run did: the files it created or updated (relative to the root),
/// its warnings (one line each), the errors of items or files it had to skip,
/// and the counts of the summary line.
#[derive(Debug, Default)]
pub struct Outcome {
    pub written: Vec<(String, &'static str)>,
    pub warnings: Vec<String>,
    pub errors: Vec<Diagnostic>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Outcome {
    /// `created N, updated M, unchanged K`.
    pub fn summary(&self) -> String {
        format!(
            "created {}, updated {}, unchanged {}",
            self.created, self.updated, self.unchanged
        )
    }
}

pub fn import(opts: &ImportOptions) -> Result<Outcome, Failure> {
    let config = crate::build::load_config(&BuildOptions {
        root: opts.root.clone(),
        ..Default::default()
    })?;
    let mut notes = Notes::default();
    let items = read_items(opts, &config.timezone, &mut notes)?;
    let mut items = dedup(items, &mut notes);
    for item in &mut items {
        adjust::adjust(item, &mut notes);
    }
    let mut existing = store::existing(&opts.root);
    for item in &mut items {
        same_spelling(item, &mut existing.services, &mut notes);
    }
    let ids = ids::assign(&items, format_name(opts.format), &mut notes);
    let planned: Vec<Result<Planned, Diagnostic>> = items
        .par_iter()
        .zip(ids.par_iter())
        .map(|(item, id)| {
            let fresh = emit::file_text(id, item);
            let planned = store::plan(&opts.root, &existing, id, item, fresh)?;
            verify(&planned)?;
            Ok(planned)
        })
        .collect();
    let mut out = Outcome {
        warnings: std::mem::take(&mut notes.warnings),
        errors: std::mem::take(&mut notes.errors),
        ..Default::default()
    };
    for p in planned {
        match p {
            Ok(p) => apply(p, opts.dry_run, &mut out),
            Err(d) => out.errors.push(d),
        }
    }
    Ok(out)
}

fn apply(p: Planned, dry_run: bool, out: &mut Outcome) {
    out.warnings.extend(p.warnings);
    let verb = match p.change {
        Change::Unchanged => {
            out.unchanged += 1;
            return;
        }
        Change::Created => "created",
        Change::Updated => "updated",
    };
    if !dry_run && let Err(e) = store::write_atomic(&p.path, p.text.as_bytes()) {
        out.errors.push(
            Diagnostic::error(&p.shown, format!("cannot write `{}`: {e}", p.shown))
                .hint("check the folder's permissions"),
        );
        return;
    }
    match p.change {
        Change::Created => out.created += 1,
        _ => out.updated += 1,
    }
    out.written.push((p.shown, verb));
}

/// Every item of every source. Unreadable sources and JSON that does not
/// parse stop the run here, before anything is written.
fn read_items(
    opts: &ImportOptions,
    tz: &jiff::tz::TimeZone,
    notes: &mut Notes,
) -> Result<Vec<Item>, Failure> {
    let json = matches!(opts.format, ImportFormat::Statuspage | ImportFormat::M365);
    let want = if json {
        source::Want::Json
    } else {
        source::Want::Markdown
    };
    let (docs, mut errors) = source::read(
        &opts.sources,
        want,
        matches!(opts.format, ImportFormat::Statuspage),
    );
    if docs.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error("sitrep", "the sources hold no file to import").hint(match want {
                source::Want::Json => "name the JSON documents, or a folder holding `.json` files",
                source::Want::Markdown => "name the site folder, or its `.md` files",
            }),
        );
    }
    let mut items = Vec::new();
    let mut cx = read::Ctx { tz, notes };
    for doc in &docs {
        if json {
            match source::json(doc).and_then(|v| json_items(opts.format, doc, &v, &mut cx)) {
                Ok(mut v) => items.append(&mut v),
                Err(d) => errors.push(d),
            }
        } else {
            let src = SourceText::new(doc.name.clone(), doc.text.clone());
            match crate::frontmatter::foreign(&src) {
                Ok((fm, body_at)) => {
                    let body = &doc.text[body_at..];
                    let item = match opts.format {
                        ImportFormat::Cstate => cstate::item(&doc.name, &fm, body, &mut cx),
                        _ => statusfy::item(&doc.name, &fm, body, &mut cx),
                    };
                    items.extend(item);
                }
                // A broken file is named and skipped; the others are imported.
                Err(d) => cx.notes.errors.push(d),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Content(errors));
    }
    Ok(items)
}

fn json_items(
    format: ImportFormat,
    doc: &source::Doc,
    v: &serde_json::Value,
    cx: &mut read::Ctx,
) -> Result<Vec<Item>, Diagnostic> {
    let r = match format {
        ImportFormat::Statuspage => statuspage::items(&doc.name, v, cx),
        _ => m365::items(&doc.name, v, cx),
    };
    r.map_err(|m| {
        Diagnostic::error(&doc.name, m).hint(match format {
            ImportFormat::Statuspage => "give `sitrep import statuspage` an API v2 document such as `incidents.json`, or the page's base URL",
            _ => "export the issues with `Get-MgServiceAnnouncementIssue` or Graph Explorer (`/admin/serviceAnnouncement/issues`)",
        })
    })
}

/// The same incident in two documents (`incidents.json` and `summary.json`):
/// the copy updated last is kept.
fn dedup(items: Vec<Item>, notes: &mut Notes) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut by_id: std::collections::HashMap<String, usize> = Default::default();
    for item in items {
        let IdHint::Source(id) = &item.id else {
            out.push(item);
            continue;
        };
        match by_id.get(id) {
            Some(&i) => {
                let newer = match (&item.updated, &out[i].updated) {
                    (Some(a), Some(b)) => a.cmp(b).is_ge(),
                    _ => item.timeline.len() >= out[i].timeline.len(),
                };
                if out[i].timeline != item.timeline || out[i].status != item.status {
                    notes.warn(
                        &item.label,
                        format!(
                            "incident `{id}` is also in {}; kept the copy updated last",
                            out[i].label
                        ),
                    );
                }
                if newer {
                    out[i] = item;
                }
            }
            None => {
                by_id.insert(id.clone(), out.len());
                out.push(item);
            }
        }
    }
    out
}

/// Two spellings of a service with the same URL slug (`API`, `api`) are an
/// error in a site: each service takes the spelling the site (or an earlier
/// item of this run) already uses.
fn same_spelling(
    item: &mut Item,
    known: &mut std::collections::HashMap<String, String>,
    notes: &mut Notes,
) {
    for s in &mut item.services {
        let spelled = known
            .entry(crate::slug::slugify(s))
            .or_insert_with(|| s.clone());
        if spelled != s {
            notes.warn(
                &item.label,
                format!("service `{s}` written `{spelled}`, as the site already spells it"),
            );
            *s = spelled.clone();
        }
    }
}

/// Every file import writes must pass the per-file rules of `check`; one that
/// would not is a bug here, reported rather than written.
fn verify(p: &Planned) -> Result<(), Diagnostic> {
    if p.change == Change::Unchanged {
        return Ok(());
    }
    let src = Arc::new(SourceText::new(p.shown.clone(), p.text.clone()));
    let content_path = p.shown.strip_prefix("content/").unwrap_or(&p.shown);
    crate::frontmatter::parse(crate::frontmatter::DocKind::Incident, src, content_path)
        .map(|_| ())
        .map_err(|d| {
            let first = d.into_iter().find(Diagnostic::is_error);
            first
                .unwrap_or_else(|| {
                    Diagnostic::error(&p.shown, "the imported file does not pass check")
                })
                .hint("this is a bug in `sitrep import`; nothing was written to this file")
        })
}

fn format_name(f: ImportFormat) -> &'static str {
    match f {
        ImportFormat::Statuspage => "statuspage",
        ImportFormat::M365 => "m365",
        ImportFormat::Cstate => "cstate",
        ImportFormat::Statusfy => "statusfy",
    }
}
