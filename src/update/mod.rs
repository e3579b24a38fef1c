//! `sitrep update`: an incident ID and the writer's flags in, one timeline
//! entry appended to that incident's file (and `status`, `resolved`,
//! `next_update` moved) out — written atomically, and only when the whole
//! site with the change passes `check` (run in memory on the edited text).

mod template;

pub(crate) use template::{Facts, Times, render as render_template};

use crate::build::{self, BuildOptions, Failure, Substitute};
use crate::cli::UpdateArgs;
use crate::diag::{Diagnostic, SourceText, closest};
use crate::edit::{FrontMatterEdit, Scalar, write_atomic};
use crate::frontmatter::{self, DocKind};
use crate::model::{Document, Incident, Status};
use crate::time::Timestamp;
use jiff::ZonedDateTime;
use jiff::tz::TimeZone;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the entry's text comes from.
enum Text {
    Message(String),
    Template(String),
}

fn usage(msg: String, hint: &str) -> Failure {
    Failure::Usage(vec![Diagnostic::error("sitrep", msg).hint(hint)])
}

fn text_source(a: &UpdateArgs) -> Result<Text, Failure> {
    match (&a.message, &a.template, a.status) {
        (Some(m), None, _) => Ok(Text::Message(m.clone())),
        (None, Some(t), _) => Ok(Text::Template(t.clone())),
        (None, None, Some(s)) => Ok(Text::Template(s.as_str().to_string())),
        (None, None, None) => Err(usage(
            "an update needs its text: --message, --template or --status".into(),
            "e.g. `sitrep update EX1331830 --message \"Mail queues are draining.\"`, or `--status monitoring` for the theme's text",
        )),
        (Some(_), Some(_), _) => Err(usage(
            "--message and --template both give the update's text".into(),
            "pass one of them",
        )),
    }
}

/// "Now" in the site's zone, to the second.
pub(crate) fn now_in(tz: &TimeZone) -> Result<ZonedDateTime, Failure> {
    let now = build::now()?.0;
    Ok(to_zone(now, tz))
}

fn to_zone(t: jiff::Timestamp, tz: &TimeZone) -> ZonedDateTime {
    jiff::Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .to_zoned_datetime(tz.clone())
}

/// A date-time flag: an instant (a plain date has no time to post at).
fn instant_flag(flag: &str, text: &str, tz: &TimeZone) -> Result<ZonedDateTime, Failure> {
    match Timestamp::parse(text) {
        Ok(Timestamp::Instant(t)) => Ok(to_zone(t, tz)),
        Ok(Timestamp::Date(_)) => Err(usage(
            format!("{flag} `{text}` is a date without a time"),
            "give the time with its offset, e.g. `2026-06-03T16:05:00-04:00`",
        )),
        Err(e) => Err(usage(format!("{flag}: {}", e.message), &e.hint)),
    }
}

/// `--next-update`: a duration after `at`, or a date-time.
fn next_update(when: &str, at: &ZonedDateTime, tz: &TimeZone) -> Result<ZonedDateTime, Failure> {
    if when.trim_start().starts_with(|c: char| c.is_ascii_digit())
        && let Ok(d) = crate::time::parse_duration(when)
    {
        return at
            .timestamp()
            .checked_add(d)
            .map(|t| to_zone(t, tz))
            .map_err(|e| {
                usage(
                    format!("--next-update `{when}`: {e}"),
                    "use a shorter duration",
                )
            });
    }
    if !when.contains(['T', ' ']) {
        return Err(usage(
            format!("--next-update `{when}` is neither a duration nor a date-time"),
            "write a duration such as `30m`, `2h`, `1h30m`, `1d`, or a date-time such as `2026-06-03T16:35:00-04:00`",
        ));
    }
    instant_flag("--next-update", when, tz)
}

/// The incident file an ID names, parsed.
struct Found {
    path: PathBuf,
    content_path: String,
    source: Arc<SourceText>,
    incident: Incident,
}

/// The incident whose `id` is `id` (any case), among every incident file; an
/// unknown ID is a usage error with the closest known one.
fn find(root: &std::path::Path, id: &str) -> Result<Found, Failure> {
    let wanted = id.to_ascii_lowercase();
    let loaded = crate::load::load(root);
    let mut known = Vec::new();
    for d in loaded
        .docs
        .into_iter()
        .filter(|d| d.kind == DocKind::Incident)
    {
        let source = d.read().map_err(|e| Failure::Content(vec![e]))?;
        let (doc, diags) = frontmatter::parse_full(d.kind, source.clone(), &d.content_path);
        let declared = match &doc {
            Some(Document::Incident(i)) => Some(i.id.clone()),
            _ => frontmatter::declared_id(&source),
        };
        let Some(declared) = declared else { continue };
        if declared.key() != wanted {
            known.push(declared.to_string());
            continue;
        }
        return match doc {
            Some(Document::Incident(incident)) => Ok(Found {
                path: root.join("content").join(&d.content_path),
                content_path: d.content_path,
                source,
                incident: *incident,
            }),
            _ => Err(Failure::Content(diags)),
        };
    }
    let hint = match closest(id, known.iter().map(String::as_str)) {
        Some(k) => format!("did you mean `{k}`?"),
        None => "check the ID in the incident's front matter (`id:`); `sitrep new incident ID` creates one".into(),
    };
    Err(usage(format!("no incident has the ID `{id}`"), &hint))
}

pub fn run(a: &UpdateArgs) -> Result<Vec<Diagnostic>, Failure> {
    let text = text_source(a)?;
    let opts = BuildOptions {
        root: a.root.root.clone(),
        ..Default::default()
    };
    let config = build::load_config(&opts)?;
    let tz = config.timezone.clone();
    let at = match &a.at {
        Some(t) => instant_flag("--at", t, &tz)?,
        None => now_in(&tz)?,
    };
    let next = match &a.next_update {
        Some(w) => Some(next_update(w, &at, &tz)?),
        None => None,
    };
    if a.status == Some(Status::Resolved) && next.is_some() {
        return Err(usage(
            "--next-update with --status resolved: a resolved incident promises no next update"
                .into(),
            "leave out --next-update",
        ));
    }
    let found = find(&opts.root, &a.id)?;
    let entry = match text {
        Text::Message(m) => m,
        Text::Template(name) => {
            let strings = crate::theme::load(&opts.root, &config)
                .map_err(Failure::Usage)?
                .strings;
            let status = a.status.unwrap_or(found.incident.status);
            let times = Times {
                strings: &strings,
                tz: &tz,
                at: Timestamp::Instant(at.timestamp()),
                next_update: next.as_ref().map(|n| Timestamp::Instant(n.timestamp())),
            };
            let facts = Facts::of(&found.incident, status, &times);
            template::render(&opts.root, &config, &name, &facts)?
        }
    };
    if entry.trim().is_empty() {
        return Err(usage(
            "the update's text is empty".into(),
            "say what is affected, what is being done and when the next update comes",
        ));
    }
    let content_err = |d: Diagnostic| Failure::Content(vec![d]);
    let edited = edit(&found, a.status, &at, next.as_ref(), &entry).map_err(content_err)?;
    let sub = Substitute {
        content_path: found.content_path.clone(),
        text: edited.clone(),
    };
    let report = build::check_edited(&opts, &sub)?;
    write_atomic(&found.path, edited.as_bytes()).map_err(|err| {
        content_err(
            Diagnostic::error(&found.source.path, format!("cannot write the file: {err}"))
                .hint("check the file's and its folder's permissions; the file was not changed"),
        )
    })?;
    print_entry(&found.source.path, &at, a.status, &entry, next.as_ref());
    Ok(report
        .warnings
        .into_iter()
        .filter(|d| d.file == found.source.path)
        .collect())
}

/// The incident's file with the update applied: status (and `resolved` /
/// `next_update` with it), then the new timeline entry.
fn edit(
    found: &Found,
    status: Option<Status>,
    at: &ZonedDateTime,
    next: Option<&ZonedDateTime>,
    entry: &str,
) -> Result<String, Diagnostic> {
    let mut e = FrontMatterEdit::new(&found.source.path, &found.source.text)?;
    if let Some(s) = status {
        e.set("status", s.into());
        if s == Status::Resolved {
            e.set("resolved", Scalar::Time(at.clone()));
            e.remove("next_update");
        } else {
            // Reopened: `resolved` on an open incident is an error.
            e.remove("resolved");
        }
    }
    if let Some(n) = next {
        e.set("next_update", Scalar::Time(n.clone()));
    }
    e.append_timeline(at, status, entry)?;
    Ok(e.finish())
}

/// What was added, on stdout: the file, then the entry.
fn print_entry(
    file: &str,
    at: &ZonedDateTime,
    status: Option<Status>,
    text: &str,
    next: Option<&ZonedDateTime>,
) {
    println!("updated {file}");
    println!("  at: {}", crate::time::written(at));
    if let Some(s) = status {
        println!("  status: {}", s.as_str());
    }
    let mut lines = text.lines();
    println!("  text: {}", lines.next().unwrap_or(""));
    for l in lines {
        println!("        {l}");
    }
    if let Some(n) = next {
        println!("  next_update: {}", crate::time::written(n));
    }
}
