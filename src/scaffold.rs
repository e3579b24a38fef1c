//! Scaffolding: `sitrep new` (a file from the theme's archetype) and `sitrep
//! init` (a new site). Never overwrites a file that exists.

use crate::build::Failure;
use crate::cli::{InitArgs, NewArgs, NewKind};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::diag::SourceText;
use crate::edit::{FrontMatterEdit, Scalar};
use crate::frontmatter::{self, DocKind};
use crate::model::{Document, IncidentId, Status};
use crate::time::Timestamp;
use crate::update::{Facts, Times, render_template};
use std::fs;
use std::path::Path;
use std::sync::Arc;

const INCIDENT: &str = include_str!("../themes/default/archetypes/incident.md");
const NEWS: &str = include_str!("../themes/default/archetypes/news.md");

fn usage(msg: String, hint: &str) -> Failure {
    Failure::Usage(vec![Diagnostic::error("sitrep", msg).hint(hint)])
}

/// The archetype: the site's theme folder may override the built-in one.
fn archetype(root: &Path, name: &str, builtin: &str) -> String {
    let theme = config(root).map_or_else(|| "default".into(), |c| c.theme);
    fs::read_to_string(
        root.join("themes")
            .join(theme)
            .join("archetypes")
            .join(name),
    )
    .unwrap_or_else(|_| builtin.to_string())
}

/// The site's config, if it reads (scaffolding falls back to UTC and English).
fn config(root: &Path) -> Option<Config> {
    Config::parse(
        "sitrep.toml",
        fs::read_to_string(root.join("sitrep.toml")).ok()?,
    )
    .ok()
}

/// "Now" in the site zone as written into a file (as `sitrep update` writes it).
fn now_zoned(config: Option<&Config>) -> Result<jiff::ZonedDateTime, Failure> {
    crate::update::now_in(config.map_or(&jiff::tz::TimeZone::UTC, |c| &c.timezone))
}

/// `new incident ID --title … --service … --region … --severity …`: the
/// archetype's keys replaced by the flags, and its timeline by one
/// `investigating` entry at `now` from the update template of that name.
fn fill(
    root: &Path,
    shown: &str,
    text: &str,
    a: &NewArgs,
    now: &jiff::ZonedDateTime,
) -> Result<String, Failure> {
    let content = |d: Diagnostic| Failure::Content(vec![d]);
    let mut e = FrontMatterEdit::new(shown, text).map_err(content)?;
    if let Some(t) = &a.title {
        e.set("title", Scalar::Text(t.clone()));
    }
    if !a.services.is_empty() {
        e.set_list("services", &a.services);
    }
    if !a.regions.is_empty() {
        e.set_list("regions", &a.regions);
    }
    if let Some(s) = a.severity {
        e.set("severity", s.into());
    }
    e.set("status", Status::Investigating.into());
    e.set("started", Scalar::Time(now.clone()));
    e.remove("timeline");
    let so_far = e.clone().finish();
    let src = Arc::new(SourceText::new(shown, so_far));
    let entry = match (
        config(root),
        frontmatter::parse(DocKind::Incident, src, shown),
    ) {
        (Some(config), Ok(Document::Incident(inc))) => {
            let strings = crate::theme::load(root, &config)
                .map_err(Failure::Usage)?
                .strings;
            let at = Timestamp::Instant(now.timestamp());
            let times = Times {
                strings: &strings,
                tz: &config.timezone,
                at,
                next_update: None,
            };
            let facts = Facts::of(&inc, Status::Investigating, &times);
            render_template(root, &config, "investigating", &facts)?
        }
        _ => "We are investigating.".to_string(),
    };
    e.append_timeline(now, Some(Status::Investigating), &entry)
        .map_err(content)?;
    Ok(e.finish())
}

fn create(path: &Path, text: &str) -> Result<Vec<Diagnostic>, Failure> {
    if path.exists() {
        return Err(usage(
            format!("`{}` already exists", path.display()),
            "choose another name; sitrep never overwrites your files",
        ));
    }
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).map_err(|e| {
            usage(
                format!("cannot create `{}`: {e}", p.display()),
                "check permissions",
            )
        })?;
    }
    fs::write(path, text).map_err(|e| {
        usage(
            format!("cannot write `{}`: {e}", path.display()),
            "check permissions",
        )
    })?;
    eprintln!("sitrep: created {}", path.display());
    Ok(Vec::new())
}

pub fn new(a: &NewArgs) -> Result<Vec<Diagnostic>, Failure> {
    let root = &a.root.root;
    if !root.join("sitrep.toml").is_file() {
        return Err(usage(
            format!("no sitrep.toml in `{}`", root.display()),
            "run this in a site folder or pass --root",
        ));
    }
    match a.kind {
        NewKind::Incident => {
            let id = IncidentId::parse(&a.name)
                .map_err(|m| usage(m, "e.g. `sitrep new incident EX1331830`"))?;
            let now = now_zoned(config(root).as_ref())?;
            let mut text = archetype(root, "incident.md", INCIDENT)
                .replace("{{id}}", id.as_str())
                .replace("{{now}}", &crate::time::written(&now));
            let path = root.join("content/incidents").join(format!("{id}.md"));
            let flagged = a.title.is_some()
                || !a.services.is_empty()
                || !a.regions.is_empty()
                || a.severity.is_some();
            if flagged {
                let shown = format!("content/incidents/{id}.md");
                text = fill(root, &shown, &text, a, &now)?;
            }
            create(&path, &text)
        }
        NewKind::News => {
            let slug = crate::slug::slugify(&a.name);
            if slug.is_empty() {
                return Err(usage(
                    format!("`{}` makes no usable slug", a.name),
                    "e.g. `sitrep new news exchange-outage`",
                ));
            }
            let text = archetype(root, "news.md", NEWS)
                .replace("{{title}}", &a.name.replace('"', "'"))
                .replace(
                    "{{now}}",
                    &crate::time::written(&now_zoned(config(root).as_ref())?),
                );
            create(&root.join("content/news").join(format!("{slug}.md")), &text)
        }
    }
}

pub fn init(a: &InitArgs) -> Result<Vec<Diagnostic>, Failure> {
    let dir = &a.dir;
    if dir.exists()
        && fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(usage(
            format!("`{}` exists and is not empty", dir.display()),
            "choose a new folder",
        ));
    }
    create(
        &dir.join("sitrep.toml"),
        "title = \"Incident Desk\"\nbase_url = \"https://status.example.org/\"\ndescription = \"Outages, postmortems and what they mean for you\"\nlanguage = \"en\"\ntimezone = \"UTC\"\n",
    )?;
    create(
        &dir.join("content/_index.md"),
        "---\ntitle: Incident Desk\n---\n\nCurrent and past incidents of the services we depend on.\n",
    )?;
    let text = INCIDENT
        .replace("{{id}}", "EXAMPLE-1")
        .replace("{{now}}", &crate::time::written(&now_zoned(None)?));
    create(&dir.join("content/incidents/EXAMPLE-1.md"), &text)?;
    create(&dir.join(".gitignore"), "/output/\n")
}
