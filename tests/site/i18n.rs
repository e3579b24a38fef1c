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
    // Status and severity are the badges under the title, not rows of facts.
    let labels = text_of(&inc, ".facts dt");
    for want in ["Beginn", "Bestätigt", "Behoben", "Komponenten"] {
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
    let badges = text_of(&inc, ".badges .badge");
    assert!(badges.contains(&"Behoben".to_string()), "{badges:?}");
    assert!(
        badges.iter().any(|b| b.starts_with("Schweregrad: ")),
        "{badges:?}"
    );
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
    assert!(text_of(&inc, ".badges .badge").contains(&"Résolu".to_string()));
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

/// One interface string of the default theme's `i18n/<lang>.toml` (dotted key).
fn theme_string(lang: &str, key: &str) -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("themes/default/i18n/{lang}.toml"));
    let table: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut v = &toml::Value::Table(table);
    for part in key.split('.') {
        v = &v[part];
    }
    v.as_str()
        .unwrap_or_else(|| panic!("{lang}: {key}"))
        .to_string()
}

/// All text of `doc` outside the authors' Markdown (`.prose`, and a timeline
/// entry but for its time and status line `.at`), one space between words.
fn interface_text(doc: &Html) -> String {
    let has_class = |e: &scraper::node::Element, class: &str| {
        e.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    };
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        let Some(t) = node.value().as_text() else {
            continue;
        };
        let mut in_at = false;
        let authored = node.ancestors().any(|a| {
            a.value().as_element().is_some_and(|e| {
                in_at |= has_class(e, "at");
                let entry = e.name() == "li"
                    && a.parent()
                        .and_then(|p| p.value().as_element().map(|p| has_class(p, "timeline")))
                        .unwrap_or(false);
                matches!(e.name(), "script" | "style") || has_class(e, "prose") || (entry && !in_at)
            })
        });
        if !authored {
            out.push_str(t);
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `phrase` occurs in `text` as whole words (`Date` is not in `Datentabelle`).
fn has_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn the_german_sample_site_has_no_english_interface_words() {
    let dir = crate::common::sample_site();
    let toml_path = dir.path().join("sitrep.toml");
    let conf = std::fs::read_to_string(&toml_path).unwrap();
    assert!(conf.contains("language = \"en\""));
    std::fs::write(
        &toml_path,
        conf.replace("language = \"en\"", "language = \"de\""),
    )
    .unwrap();
    let out = build_ok(dir.path(), &[]);
    let pages: [(&str, &[&str]); 6] = [
        (
            "incidents/local-2026-06-relay-retry-maintenance/index.html",
            &["calendar.add"],
        ),
        (
            "index.html",
            &[
                "home.current_status",
                "calendar.maintenance",
                "service_status.partial_outage",
                "site_status.major",
            ],
        ),
        (
            "incidents/local-2026-04-exchange-mailbox-access/index.html",
            &[
                "postmortem.title",
                "postmortem.impact",
                "postmortem.causes",
                "postmortem.lessons",
            ],
        ),
        (
            "services/exchange-online/index.html",
            &[
                "service_status.badge_shields",
                "chart.data_table",
                "chart.date",
                "chart.worst",
                "chart.strip_clear",
            ],
        ),
        (
            "stats/index.html",
            &[
                "stats.title",
                "stats.monthly",
                "stats.counts_caption",
                "stats.all_services",
                "chart.monthly_title",
                "chart.median",
                "chart.p90",
                "chart.unrated",
            ],
        ),
        ("postmortems/index.html", &["postmortems.title"]),
    ];
    for (rel, keys) in pages {
        let text = interface_text(&page(&out, rel));
        for key in keys {
            let (de, en) = (theme_string("de", key), theme_string("en", key));
            assert!(
                text.contains(&de),
                "{rel}: German `{key}` ({de}) missing in {text}"
            );
            // (a word both languages share, like `Median`, is only checked present)
            assert!(
                en == de || !has_phrase(&text, &en),
                "{rel}: English `{key}` ({en}) in {text}"
            );
        }
    }
    // Strings with placeholders: their fixed words.
    let home = interface_text(&page(&out, "index.html"));
    assert!(!home.contains("Maintenance calendar"), "{home}");
    let service = interface_text(&page(&out, "services/exchange-online/index.html"));
    assert!(service.contains("Die letzten 90 Tage"), "{service}");
    assert!(
        !service.contains("The last 90 days") && !service.contains("Status badge"),
        "{service}"
    );
    let stats = page(&out, "stats/index.html");
    let months = text_of(&stats, ".chart-monthly tbody th");
    assert!(
        months
            .iter()
            .all(|m| !m.starts_with("March") && !m.starts_with("May ")),
        "{months:?}"
    );
    assert!(months.iter().any(|m| m.starts_with("März")), "{months:?}");
    let pm = interface_text(&page(&out, "postmortems/index.html"));
    assert!(pm.contains("veröffentlichte Nachbetrachtung"), "{pm}");
    assert!(!pm.contains("published postmortem"), "{pm}");
    // The feed's postmortem headings follow the language too; /api/v2/ stays English.
    let atom = read(&out, "atom.xml");
    assert!(
        atom.contains("Grundursache und begünstigende Faktoren")
            && !atom.contains("Root cause and contributing factors")
    );
    let api = read(&out, "api/v2/status.json");
    assert!(
        api.contains(&theme_string("en", "site_status.major")),
        "{api}"
    );
}
