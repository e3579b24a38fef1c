//! `sitrep notify --since PREVIOUS [--dry-run]`: the site (built public, in
//! memory) and the last published output in; one message per changed incident
//! to each matching `[[notify]]` channel out, and a [`Report`] for main to print.
//! snapshot (API JSON → types) → diff → message (one file per kind) →
//! transport (HTTP / SMTP with retries). Only the public API is ever read for
//! a message, so nothing internal can be sent.

mod diff;
mod message;
mod previous;
mod snapshot;
mod transport;

use crate::build::{self, BuildOptions, Failure};
use crate::config::{Channel, Config, Filter, Target};
use crate::diag::Diagnostic;
use crate::i18n::Strings;
use crate::render::{self, Now, Output, Sink};
use crate::theme::Theme;
use diff::Changed;
use message::{Payload, Wording};
use previous::Previous;
use snapshot::{LIST_PATH, Listed, Snapshot, record_path};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use transport::Secrets;

/// Options resolved once from the command line.
#[derive(Debug, Clone)]
pub struct NotifyOptions {
    pub root: PathBuf,
    /// PREVIOUS: a folder or an http(s) URL.
    pub since: String,
    pub dry_run: bool,
}

/// What a run did, for main to print: `out` to stdout (the messages of a dry
/// run, or one line per delivery, then a summary), `failures` to stderr (each
/// names the channel and the incident; exit 1 when there are any).
#[derive(Debug, Default)]
pub struct Report {
    pub out: Vec<String>,
    pub failures: Vec<String>,
    pub warnings: Vec<Diagnostic>,
}

/// One message to send: where, about which incident, what.
struct Outgoing<'a> {
    channel: &'a Channel,
    id: String,
    payload: Payload,
}

pub fn run(opts: &NotifyOptions) -> Result<Report, Failure> {
    let build_opts = BuildOptions {
        root: opts.root.clone(),
        ..Default::default()
    };
    let build::Prepared { config, theme, now } = build::prepare(&build_opts)?;
    if config.notify.is_empty() {
        return Err(usage(
            Diagnostic::error("sitrep.toml", "no `[[notify]]` channel in sitrep.toml")
                .hint("add one, e.g. `[[notify]]` with `kind = \"slack\"` and `url_env = \"SITREP_SLACK_URL\"` (see docs/notify.md)"),
        ));
    }
    // A dry run needs no secrets; with those that are set it shows the signature.
    let (secrets, missing) = Secrets::from_env(config.notify.iter().map(|c| &c.target));
    if !missing.is_empty() && !opts.dry_run {
        let diags = missing.iter().map(|m| missing_env(&config, m)).collect();
        return Err(Failure::Usage(diags));
    }
    let (current, warnings) = current(&opts.root, config.clone(), &theme, &now)?;
    let previous = Previous::parse(&opts.since);
    let before = previous
        .snapshot(|id| current.find(id).is_some())
        .map_err(|m| {
            usage(Diagnostic::error("--since", m).hint(
                "PREVIOUS is the folder or URL of the site as last published by `sitrep build`",
            ))
        })?;
    let changed = diff::diff(&before, &current);
    let outgoing = plan(&config, &theme.strings, &changed);
    let mut report = if opts.dry_run {
        dry_run(&outgoing, &secrets)
    } else {
        send(&outgoing, &secrets)
    };
    report.out.push(summary(&changed, &outgoing, &report, opts));
    report.warnings = warnings;
    Ok(report)
}

fn usage(d: Diagnostic) -> Failure {
    Failure::Usage(vec![d])
}

/// A variable a channel names is not set: name it (and the channel), never a value.
fn missing_env(config: &Config, name: &str) -> Diagnostic {
    let uses: Vec<String> = config
        .notify
        .iter()
        .filter(|c| {
            let (required, optional) = transport::env_names(&c.target);
            required
                .into_iter()
                .chain(optional)
                .any(|n| n.as_str() == name)
        })
        .map(Channel::name)
        .collect();
    Diagnostic::error("sitrep.toml", format!("environment variable {name} is not set (needed by {})", uses.join(", ")))
        .hint(format!("set {name} in the job's environment (a CI secret), or use --dry-run to see the messages without sending"))
}

/// The public site's API files, rendered in memory and read back as a snapshot.
fn current(
    root: &Path,
    config: Config,
    theme: &Theme,
    now: &Now,
) -> Result<(Snapshot, Vec<Diagnostic>), Failure> {
    let build::Model { site, mut diags } =
        build::model(root, config, false, &mut Default::default(), None, None);
    crate::diag::sort(&mut diags);
    let Some(site) = site else {
        return Err(Failure::Content(diags));
    };
    let tera = render::tera(theme, &site).map_err(Failure::Content)?;
    let scope = render::Scope::new(&site, now, &tera, &theme.strings);
    let sink = ApiFiles::default();
    let feeds = Output::new(render::Kind::Feeds, 0);
    render::render_output(&tera, theme, &scope, &feeds, &sink).map_err(Failure::Content)?;
    let files = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
    let ours = |e: String| Failure::Content(vec![Diagnostic::error(LIST_PATH, e)]);
    let file = |rel: &str| files.get(rel).map(String::as_str).unwrap_or_default();
    let incidents = snapshot::parse_list(file(LIST_PATH), LIST_PATH).map_err(ours)?;
    let mut records = HashMap::new();
    for inc in &incidents {
        let rel = record_path(&inc.id);
        records.insert(
            inc.id.key(),
            snapshot::parse_record(file(&rel), &rel).map_err(ours)?,
        );
    }
    Ok((Snapshot { incidents, records }, diags))
}

/// Keeps the JSON API files of a render, drops everything else.
#[derive(Default)]
struct ApiFiles(Mutex<HashMap<String, String>>);

impl Sink for ApiFiles {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        if path == LIST_PATH || path.starts_with("api/incidents/") {
            let text = String::from_utf8(bytes).map_err(std::io::Error::other)?;
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_string(), text);
        }
        Ok(())
    }
}

/// `only`: every key given must match; services and regions by any shared
/// name (case-insensitively), severity at least as bad.
fn matches(f: &Filter, inc: &Listed) -> bool {
    let shares = |want: &[String], has: &[String]| {
        want.is_empty()
            || want
                .iter()
                .any(|w| has.iter().any(|h| h.eq_ignore_ascii_case(w)))
    };
    let rank = |s: crate::model::Severity| {
        crate::model::Severity::ALL
            .iter()
            .position(|x| *x == s.as_str())
    };
    let severe = match f.severity {
        None => true,
        Some(min) => inc.severity.is_some_and(|s| rank(s) <= rank(min)),
    };
    shares(&f.services, &inc.services) && shares(&f.regions, &inc.regions) && severe
}

/// Every message: channels in the order written, each its changed incidents in turn.
fn plan<'a>(config: &'a Config, strings: &Strings, changed: &[Changed]) -> Vec<Outgoing<'a>> {
    let words: Vec<Wording> = changed
        .iter()
        .map(|c| Wording::new(config, strings, c))
        .collect();
    let mut out = Vec::new();
    for channel in &config.notify {
        for (c, w) in changed.iter().zip(&words) {
            if matches(&channel.only, c.incident) {
                out.push(Outgoing {
                    channel,
                    id: c.incident.id.to_string(),
                    payload: message::payload(&channel.target, w, c),
                });
            }
        }
    }
    out
}

/// The variable holding where a channel sends.
fn address_env(t: &Target) -> &str {
    match t {
        Target::Slack { url }
        | Target::Discord { url }
        | Target::Teams { url }
        | Target::Webhook { url, .. } => url.as_str(),
        Target::Email { smtp, .. } => smtp.as_str(),
    }
}

/// The signature header of a webhook with a signing key; `Err(name)` when its
/// variable is not set (a dry run without secrets).
fn signature_header(t: &Target, body: &str, secrets: &Secrets) -> Option<Result<String, String>> {
    let Target::Webhook {
        secret: Some(name), ..
    } = t
    else {
        return None;
    };
    Some(match secrets.get(name.as_str()) {
        Some(key) => Ok(transport::signature(key, body.as_bytes())),
        None => Err(name.as_str().to_string()),
    })
}

/// The messages exactly as they would be sent, and where to.
fn dry_run(outgoing: &[Outgoing], secrets: &Secrets) -> Report {
    let mut out = Vec::new();
    for o in outgoing {
        let t = &o.channel.target;
        let mut text = match (&o.payload, t) {
            (Payload::Json(body), _) => {
                let mut s = format!(
                    "=== {} · {} · POST ${}\nContent-Type: application/json\n",
                    o.channel.name(),
                    o.id,
                    address_env(t)
                );
                match signature_header(t, body, secrets) {
                    Some(Ok(sig)) => s.push_str(&format!("X-Sitrep-Signature: {sig}\n")),
                    Some(Err(name)) => s.push_str(&format!(
                        "X-Sitrep-Signature: (signed with ${name} when sent; it is not set)\n"
                    )),
                    None => {}
                }
                format!("{s}\n{body}\n")
            }
            (Payload::Mail(m), Target::Email { from, to, .. }) => {
                let to: Vec<String> = to.iter().map(ToString::to_string).collect();
                format!(
                    "=== {} · {} · SMTP ${}\nFrom: {from}\nTo: {}\nSubject: {}\n\n{}\n--- text/html ---\n{}",
                    o.channel.name(),
                    o.id,
                    address_env(t),
                    to.join(", "),
                    m.subject,
                    m.text,
                    m.html
                )
            }
            (Payload::Mail(_), _) => continue,
        };
        if !text.ends_with('\n') {
            text.push('\n');
        }
        out.push(text);
    }
    Report {
        out,
        ..Default::default()
    }
}

/// Deliver every message; one failing channel does not stop the others.
fn send(outgoing: &[Outgoing], secrets: &Secrets) -> Report {
    let agent = transport::agent();
    let mut report = Report::default();
    for o in outgoing {
        let t = &o.channel.target;
        let env = address_env(t);
        let Some(address) = secrets.get(env) else {
            report.failures.push(format!(
                "{} · {}: ${env} is not set",
                o.channel.name(),
                o.id
            ));
            continue;
        };
        let result = match (&o.payload, t) {
            (Payload::Json(body), _) => {
                let headers: Vec<(&str, String)> = signature_header(t, body, secrets)
                    .and_then(Result::ok)
                    .map(|sig| ("X-Sitrep-Signature", sig))
                    .into_iter()
                    .collect();
                transport::post(&agent, address, body, &headers, transport::RETRY)
                    .map_err(|e| format!("POST to ${env} failed: {e}"))
            }
            (Payload::Mail(m), Target::Email { from, to, .. }) => {
                transport::send_mail(address, from, to, m, transport::RETRY)
                    .map_err(|e| format!("mail via ${env} failed: {e}"))
            }
            (Payload::Mail(_), _) => continue,
        };
        match result {
            Ok(tries) => report.out.push(format!(
                "sent {} · {}{}",
                o.channel.name(),
                o.id,
                if tries > 1 {
                    format!(" (after {tries} tries)")
                } else {
                    String::new()
                }
            )),
            Err(why) => report.failures.push(format!(
                "{} · {}: {}",
                o.channel.name(),
                o.id,
                secrets.redact(&why)
            )),
        }
    }
    report
}

fn summary(
    changed: &[Changed],
    outgoing: &[Outgoing],
    report: &Report,
    opts: &NotifyOptions,
) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if changed.is_empty() {
        return format!("notify: nothing changed since {}", opts.since);
    }
    let head = format!(
        "notify: {} since {}, {}",
        plural(changed.len(), "changed incident", "changed incidents"),
        opts.since,
        plural(outgoing.len(), "message", "messages")
    );
    if opts.dry_run {
        format!("{head} (dry run: nothing sent)")
    } else {
        format!(
            "{head}: {} sent, {} failed",
            outgoing.len() - report.failures.len(),
            report.failures.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Classification, IncidentId, Severity, Status};

    fn inc(severity: Option<Severity>) -> Listed {
        Listed {
            id: IncidentId::parse("A").unwrap(),
            title: "T".into(),
            status: Status::Investigating,
            classification: Classification::Incident,
            severity,
            services: vec!["Exchange Online".into(), "Teams".into()],
            regions: vec!["Europe".into()],
            url: String::new(),
            compact: serde_json::Value::Null,
        }
    }

    #[test]
    fn only_matches_every_key_given() {
        let f = |services: &[&str], regions: &[&str], severity| Filter {
            services: services.iter().map(|s| s.to_string()).collect(),
            regions: regions.iter().map(|s| s.to_string()).collect(),
            severity,
        };
        let major = inc(Some(Severity::Major));
        assert!(matches(&Filter::default(), &major));
        assert!(matches(
            &f(&["exchange online", "Other"], &[], None),
            &major
        ));
        assert!(!matches(&f(&["Other"], &[], None), &major));
        assert!(!matches(&f(&["Teams"], &["Asia"], None), &major));
        assert!(matches(&f(&[], &["Europe"], Some(Severity::Major)), &major));
        assert!(matches(&f(&[], &[], Some(Severity::Minor)), &major));
        assert!(!matches(&f(&[], &[], Some(Severity::Critical)), &major));
        assert!(!matches(&f(&[], &[], Some(Severity::None)), &inc(None)));
        assert!(matches(
            &f(&[], &[], Some(Severity::None)),
            &inc(Some(Severity::None))
        ));
    }
}
