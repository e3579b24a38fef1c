//! The contract with theme authors cannot drift (issue 17): the template
//! contexts sitrep really builds — every page of the sample site and of the
//! status fixture, public and internal — are checked against
//! docs/templates.md (every page variable listed for its template, every key
//! named somewhere) and against the hand-built contexts of the theme fixture
//! (`theme_render.rs`, which may not invent or miss a key).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Keys every page has (docs/templates.md, "Variables on every page").
const COMMON: [&str; 8] = [
    "site",
    "page_title",
    "page_kind",
    "canonical",
    "description",
    "nav",
    "feeds",
    "assets",
];

/// Template → every key path seen in its real contexts (`incident.timeline[].at.display`).
type Shapes = BTreeMap<String, BTreeSet<String>>;

fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                // `extra` is the writer's own data, passed through as is.
                if k != "extra" {
                    paths(v, &p, out);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| paths(i, &format!("{prefix}[]"), out)),
        _ => {}
    }
}

fn real_shapes() -> Shapes {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut shapes = Shapes::new();
    // SAFETY of the env var: every test of this binary that reads it sets the same value.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "1780000000") };
    for (root, internal) in [
        (repo.to_path_buf(), false),
        (repo.join("tests/fixtures/status"), false),
        (repo.to_path_buf(), true),
    ] {
        let opts = sitrep::build::BuildOptions {
            root: root.clone(),
            output: None,
            base_url: None,
            drafts: false,
            internal,
            force: false,
            progress: None,
        };
        let contexts = sitrep::build::template_contexts(&opts)
            .unwrap_or_else(|_| panic!("{} builds", root.display()));
        for (template, context) in contexts {
            paths(&context, "", shapes.entry(template).or_default());
        }
    }
    shapes
}

/// The `| template | URL | variables |` rows of docs/templates.md: template →
/// the backticked names of its page-specific variables.
fn documented_rows(doc: &str) -> BTreeMap<String, BTreeSet<String>> {
    let section = doc
        .split("## Templates and the page they render")
        .nth(1)
        .unwrap();
    let section = section.split("\n## ").next().unwrap();
    // Parenthesised words say what a variable holds (`taxonomy` (with `terms`)).
    let unbracketed = |s: &str| {
        let mut depth = 0;
        s.chars()
            .filter(|&c| {
                depth += (c == '(') as i32 - (c == ')') as i32;
                depth == 0 && c != ')'
            })
            .collect::<String>()
    };
    let ticked = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').collect();
        let template = ticked(cells[1]).remove(0);
        rows.insert(
            template,
            ticked(&unbracketed(cells[3])).into_iter().collect(),
        );
    }
    rows
}

/// Every identifier docs/templates.md names (inside backticks or `{…}` shapes).
fn documented_words(doc: &str) -> BTreeSet<String> {
    doc.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn issue_17_docs_templates_md_lists_what_each_template_receives() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/templates.md"))
            .unwrap();
    let rows = documented_rows(&doc);
    let words = documented_words(&doc);
    let shapes = real_shapes();
    let mut problems = Vec::new();
    for (template, paths) in &shapes {
        let top: BTreeSet<String> = paths
            .iter()
            .filter(|p| !p.contains(['.', '[']))
            .filter(|p| !COMMON.contains(&p.as_str()))
            .cloned()
            .collect();
        // A page's own template (`page.html` or a page's `template:`) is one row.
        match rows.get(template) {
            Some(listed) if listed != &top => problems.push(format!(
                "{template}: docs list {listed:?}, sitrep gives {top:?}"
            )),
            Some(_) => {}
            None => problems.push(format!("{template} has no row in the templates table")),
        }
        for p in paths {
            let key = p
                .rsplit(['.', '['])
                .find(|s| !s.is_empty() && *s != "]")
                .unwrap_or(p);
            let key = key.trim_end_matches("[]").trim_end_matches(']');
            if !words.contains(key) {
                problems.push(format!(
                    "{template}: `{p}` is named nowhere in docs/templates.md"
                ));
            }
        }
    }
    for template in rows.keys() {
        if !shapes.contains_key(template) {
            problems.push(format!(
                "docs list {template}, which no page of the sample or fixture sites uses"
            ));
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "docs/templates.md drifted:\n{}",
        problems.join("\n")
    );
}

#[test]
fn issue_17_the_theme_fixture_has_the_shape_of_real_contexts() {
    let shapes = real_shapes();
    let mut fixture = Shapes::new();
    for (_, template, context) in super::theme_render::pages() {
        paths(
            &context,
            "",
            fixture.entry(template.to_string()).or_default(),
        );
    }
    let mut problems = Vec::new();
    for template in shapes.keys().filter(|t| !fixture.contains_key(*t)) {
        problems.push(format!(
            "sitrep renders {template}, the fixture has no page for it"
        ));
    }
    for (template, fake) in &fixture {
        let Some(real) = shapes.get(template) else {
            problems.push(format!(
                "the fixture renders {template}, which no real page uses"
            ));
            continue;
        };
        // The fixture renders list cards through `incident_card`, the
        // component sitrep renders a paged list's `card.html` with.
        for p in real
            .difference(fake)
            .filter(|p| !p.ends_with("incidents[].html"))
        {
            problems.push(format!(
                "{template}: sitrep gives `{p}`, the fixture lacks it"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the theme fixture drifted from real contexts:\n{}",
        problems.join("\n")
    );
}
