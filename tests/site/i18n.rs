//! Translations: `language` picks the theme's `i18n/<language>.toml`; German
//! ships with the default theme; a missing string falls back to English; a
//! site's own theme (or its `i18n/` folder) can add languages and strings.

use crate::common::{build_ok, check_json, copy_dir, read, site};
use scraper::{Html, Selector};
use std::path::Path;

const GERMAN_TOML: &str = "title = \"Störungsdesk\"\nbase_url = \"https://example.org/\"\nlanguage = \"de\"\ntimezone = \"Europe/Berlin\"\n";

const MARCH: &str = "---\nid: EX5\ntitle: Mail delayed\nservices: [Exchange Online]\nregions: [Germany]\ncomponents: [mail flow]\nseverity: major\nstatus: resolved\nstarted: 2026-03-04T10:00:00Z\nacknowledged: 2026-03-04T10:20:00Z\nresolved: 2026-03-04T12:05:00Z\ntimeline:\n  - at: 2026-03-04T10:30:00Z\n    status: identified\n    text: Found the cause.\n  - at: 2026-03-04T12:05:00Z\n    status: resolved\n    text: Fixed.\n---\n\nBody.\n";

fn text_of(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn page(out: &Path, rel: &str) -> Html {
    Html::parse_document(&read(out, rel))
}

fn lang(doc: &Html) -> String {
    let sel = Selector::parse("html").unwrap();
    doc.select(&sel)
        .next()
        .unwrap()
        .value()
        .attr("lang")
        .unwrap()
        .to_string()
}

#[test]
fn a_german_build_uses_german_strings_and_dates() {
    let dir = site(&[
        ("sitrep.toml", GERMAN_TOML),
        ("content/incidents/ex5.md", MARCH),
    ]);
    let out = build_ok(dir.path(), &[]);
    let inc = page(&out, "incidents/ex5/index.html");
    assert_eq!(lang(&inc), "de");
    let nav = text_of(&inc, ".site-nav a");
    assert_eq!(nav[..3], ["Störungen", "Meldungen", "Dienste"], "{nav:?}");
    let labels = text_of(&inc, ".facts dt");
    for want in [
        "Status",
        "Schweregrad",
        "Beginn",
        "Bestätigt",
        "Behoben",
        "Komponenten",
    ] {
        assert!(labels.iter().any(|l| l == want), "{want} in {labels:?}");
    }
    // Dates in German words and order, in the site zone (CET in March).
    let times = text_of(&inc, ".facts time");
    assert!(
        times.contains(&"4. März 2026, 11:00 CET".to_string()),
        "{times:?}"
    );
    // Durations in German units: 10:00 → 12:05 is 2 h 5 min.
    assert_eq!(
        text_of(&inc, ".metrics dt"),
        ["Zeit bis zur Bestätigung", "Dauer"]
    );
    assert_eq!(text_of(&inc, ".metrics dd"), ["20 Min.", "2 Std. 5 Min."]);
    assert!(text_of(&inc, ".badge-status").contains(&"Behoben".to_string()));
    assert_eq!(text_of(&inc, "#timeline-h"), ["Zeitverlauf"]);
    // Month names of the history and the pager-free lists.
    let history = page(&out, "history/index.html");
    assert_eq!(text_of(&history, "h1"), ["Verlauf"]);
    assert!(text_of(&history, ".history-months a")[0].starts_with("März"));
    let month = page(&out, "history/2026-03/index.html");
    assert_eq!(text_of(&month, "h1"), ["März 2026"]);
    assert_eq!(
        text_of(&month, ".lead"),
        ["1 Störung, die neuesten zuerst."]
    );
    let feed = read(&out, "atom.xml");
    assert!(feed.contains("[Behoben] EX5: Mail delayed"), "{feed}");
}

#[test]
fn the_english_default_stays_english() {
    let dir = site(&[("content/incidents/ex5.md", MARCH)]);
    let out = build_ok(dir.path(), &[]);
    let inc = page(&out, "incidents/ex5/index.html");
    assert_eq!(lang(&inc), "en");
    let times = text_of(&inc, ".facts time");
    assert!(
        times.contains(&"Mar 4, 2026, 05:00 EST".to_string()),
        "{times:?}"
    );
    assert_eq!(
        text_of(&inc, ".metrics dt"),
        ["Time to acknowledge", "Duration"]
    );
    assert_eq!(text_of(&inc, ".metrics dd"), ["20 min", "2 h 5 min"]);
}

/// A site theme `mine`: the default theme's files plus a partial French file
/// and a string of its own.
fn french_theme_site() -> tempfile::TempDir {
    let dir = site(&[
        (
            "sitrep.toml",
            "title = \"Desk\"\nbase_url = \"https://example.org/\"\nlanguage = \"fr\"\ntheme = \"mine\"\n",
        ),
        ("content/incidents/ex5.md", MARCH),
    ]);
    let theme = dir.path().join("themes/mine");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &theme,
    );
    std::fs::write(
        theme.join("i18n/fr.toml"),
        "[nav]\nincidents = \"Incidents (fr)\"\n\n[month]\n3 = \"mars\"\n\n[date]\nformat = \"{day} {month} {year}\"\ndatetime = \"{day} {month} {year}, {time}\"\n\n[status]\nresolved = \"Résolu\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_site_theme_adds_a_language() {
    let dir = french_theme_site();
    let out = build_ok(dir.path(), &[]);
    let inc = page(&out, "incidents/ex5/index.html");
    assert_eq!(lang(&inc), "fr");
    assert_eq!(text_of(&inc, ".site-nav a")[0], "Incidents (fr)");
    assert!(text_of(&inc, ".badge-status").contains(&"Résolu".to_string()));
    let times = text_of(&inc, ".facts time");
    assert!(
        times.iter().any(|t| t.starts_with("4 mars 2026, ")),
        "{times:?}"
    );
}

#[test]
fn a_missing_string_falls_back_to_english() {
    // fr.toml above has no `nav.news`, no `incident.timeline`, no duration units.
    let dir = french_theme_site();
    let out = build_ok(dir.path(), &[]);
    let inc = page(&out, "incidents/ex5/index.html");
    assert_eq!(text_of(&inc, ".site-nav a")[1], "News");
    assert_eq!(text_of(&inc, "#timeline-h"), ["Timeline"]);
    assert_eq!(text_of(&inc, ".metrics dd"), ["20 min", "2 h 5 min"]);
}

#[test]
fn the_site_i18n_folder_overrides_a_string() {
    let dir = site(&[
        ("sitrep.toml", GERMAN_TOML),
        ("content/incidents/ex5.md", MARCH),
        ("i18n/de.toml", "[nav]\nnews = \"Neuigkeiten\"\n"),
    ]);
    let out = build_ok(dir.path(), &[]);
    let nav = text_of(&page(&out, "index.html"), ".site-nav a");
    assert_eq!(nav[..2], ["Störungen", "Neuigkeiten"], "{nav:?}");
}

#[test]
fn an_unknown_language_warns_and_builds_in_english() {
    let dir = site(&[
        (
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\nlanguage = \"tlh\"\n",
        ),
        ("content/incidents/ex5.md", MARCH),
    ]);
    let (code, diags) = check_json(dir.path());
    assert_eq!(code, 0, "{diags:#?}");
    let w: Vec<_> = diags
        .iter()
        .filter(|d| d["file"] == "sitrep.toml")
        .collect();
    assert_eq!(w.len(), 1, "{diags:#?}");
    assert_eq!(
        (w[0]["severity"].as_str(), w[0]["line"].as_u64()),
        (Some("warning"), Some(3))
    );
    assert!(w[0]["message"].as_str().unwrap().contains("`tlh`"));
    let out = build_ok(dir.path(), &[]);
    let inc = page(&out, "incidents/ex5/index.html");
    assert_eq!(lang(&inc), "tlh");
    assert_eq!(text_of(&inc, ".site-nav a")[0], "Incidents");
}

#[test]
fn a_site_theme_inherits_the_built_in_translations() {
    // A theme of the site's own with templates only: German still comes from
    // the built-in de.toml, with no warning.
    let dir = site(&[
        (
            "sitrep.toml",
            "title = \"Desk\"\nbase_url = \"https://example.org/\"\nlanguage = \"de\"\ntheme = \"plain\"\n",
        ),
        ("content/incidents/ex5.md", MARCH),
    ]);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(
        &repo.join("themes/default/templates"),
        &dir.path().join("themes/plain/templates"),
    );
    let (code, diags) = check_json(dir.path());
    assert_eq!((code, diags.len()), (0, 0), "{diags:#?}");
    let out = build_ok(dir.path(), &[]);
    let inc = page(&out, "incidents/ex5/index.html");
    assert_eq!(text_of(&inc, "#timeline-h"), ["Zeitverlauf"]);
}
