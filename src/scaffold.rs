//! Scaffolding: `sitrep new` (a file from the theme's archetype) and `sitrep
//! init` (a new site). Never overwrites a file that exists.

use crate::build::Failure;
use crate::cli::{InitArgs, NewArgs, NewKind};
use crate::diag::Diagnostic;
use crate::model::IncidentId;
use std::fs;
use std::path::Path;

const INCIDENT: &str = include_str!("../themes/default/archetypes/incident.md");
const NEWS: &str = include_str!("../themes/default/archetypes/news.md");

fn usage(msg: String, hint: &str) -> Failure {
    Failure::Usage(vec![Diagnostic::error("sitrep", msg).hint(hint)])
}

/// The archetype: the site's theme folder may override the built-in one.
fn archetype(root: &Path, name: &str, builtin: &str) -> String {
    let theme = crate::config::Config::parse(
        "sitrep.toml",
        fs::read_to_string(root.join("sitrep.toml")).unwrap_or_default(),
    )
    .map(|c| c.theme)
    .unwrap_or_else(|_| "default".into());
    fs::read_to_string(
        root.join("themes")
            .join(theme)
            .join("archetypes")
            .join(name),
    )
    .unwrap_or_else(|_| builtin.to_string())
}

fn now_text() -> String {
    let now = crate::time::now().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    now.strftime("%Y-%m-%dT%H:%M:00Z").to_string()
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
            let text = archetype(root, "incident.md", INCIDENT)
                .replace("{{id}}", id.as_str())
                .replace("{{now}}", &now_text());
            create(
                &root.join("content/incidents").join(format!("{id}.md")),
                &text,
            )
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
                .replace("{{now}}", &now_text());
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
        .replace("{{now}}", &now_text());
    create(&dir.join("content/incidents/EXAMPLE-1.md"), &text)?;
    create(&dir.join(".gitignore"), "/output/\n")
}
