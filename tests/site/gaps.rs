//! Contract gaps of issue 10: backlinks from timeline entries and takes,
//! `_index.md` `extra`, sitrep.toml problems together, raw-HTML refusals,
//! symlinks in content and themes.

use crate::common::{build_ok, check_json, read, run, site, write};
use scraper::{Html, Selector};

const EARLIER: &str = "---\nid: EX1\ntitle: Earlier outage\nservices: Mail\nstatus: resolved\nstarted: 2026-05-01T10:00:00Z\nresolved: 2026-05-01T11:00:00Z\n---\n\nBody.\n";

fn later(timeline_text: &str, take: &str) -> String {
    format!(
        "---\nid: EX2\ntitle: Later outage\nservices: Mail\nstatus: identified\nstarted: 2026-05-10T10:00:00Z\ntimeline:\n  - at: 2026-05-10T10:30:00Z\n    text: {timeline_text}\ntakes:\n  admin: {take}\n---\n\nNo reference in the body.\n"
    )
}

/// The backlink hrefs in the "referred to by" part of an incident page.
fn backlinks(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(".backlinks a").unwrap();
    doc.select(&sel)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

#[test]
fn backlinks_from_a_timeline_entry() {
    let dir = site(&[
        ("content/incidents/ex1.md", EARLIER),
        (
            "content/incidents/ex2.md",
            &later("\"Same cause as [before](incident:EX1).\"", "nothing here"),
        ),
    ]);
    let out = build_ok(dir.path(), &[]);
    let links = backlinks(&read(&out, "incidents/ex1/index.html"));
    assert_eq!(links, ["/pm/incidents/ex2/"], "backlinks of EX1");
}

#[test]
fn backlinks_from_a_take_with_a_bare_id() {
    let dir = site(&[
        ("content/incidents/ex1.md", EARLIER),
        (
            "content/incidents/ex2.md",
            &later("Investigating.", "\"Like EX1, restart the connector.\""),
        ),
    ]);
    let out = build_ok(dir.path(), &[]);
    let links = backlinks(&read(&out, "incidents/ex1/index.html"));
    assert_eq!(links, ["/pm/incidents/ex2/"], "backlinks of EX1");
    // And without any reference there is none: the test can fail.
    let dir = site(&[
        ("content/incidents/ex1.md", EARLIER),
        (
            "content/incidents/ex2.md",
            &later("Investigating.", "Nothing."),
        ),
    ]);
    let out = build_ok(dir.path(), &[]);
    assert!(backlinks(&read(&out, "incidents/ex1/index.html")).is_empty());
}

#[test]
fn home_extra_reaches_the_home_template() {
    let dir = site(&[
        ("content/incidents/ex1.md", EARLIER),
        (
            "content/_index.md",
            "---\ntitle: Welcome\nextra:\n  banner: Planned work on Sunday\n  links: [a, b]\n---\n\nHello.\n",
        ),
        (
            "templates/index.html",
            "<p id=\"banner\">{{ intro.extra.banner }}</p><p id=\"n\">{{ intro.extra.links | length }}</p>",
        ),
    ]);
    let out = build_ok(dir.path(), &[]);
    let doc = Html::parse_document(&read(&out, "index.html"));
    let text = |id: &str| {
        let sel = Selector::parse(&format!("#{id}")).unwrap();
        doc.select(&sel).next().unwrap().text().collect::<String>()
    };
    assert_eq!(text("banner"), "Planned work on Sunday");
    assert_eq!(text("n"), "2");
}

#[test]
fn config_problems_are_reported_together() {
    let dir = site(&[
        (
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"example.org\"\ntimezon = \"UTC\"\ntimezone = \"Mars/Base\"\npaginate_by = 0\n",
        ),
        ("content/incidents/ex1.md", EARLIER),
    ]);
    let (code, diags) = check_json(dir.path());
    assert_eq!(code, 2);
    let mut lines: Vec<u64> = diags
        .iter()
        .filter(|d| d["file"] == "sitrep.toml")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    lines.sort();
    assert_eq!(lines, [2, 3, 4, 5], "{diags:#?}");
}

#[test]
fn raw_html_refusals_at_file_and_line() {
    let body = "Intro.\n\n<a href=\"JaVa&#x09;Script:alert(1)\">x</a> inline.\n\n<div\n  onclick=\"steal()\">block</div>\n\n<script>alert(1)</script>\n\n<abbr title=\"Exchange Online\">EXO</abbr> and <details><summary>More</summary>ok</details>\n";
    let inc = EARLIER.replace("Body.\n", body);
    let dir = site(&[("content/incidents/ex1.md", &inc)]);
    let (code, diags) = check_json(dir.path());
    assert_eq!(code, 1);
    let at = |line: u64, word: &str| {
        diags.iter().any(|d| {
            d["file"] == "content/incidents/ex1.md"
                && d["line"] == line
                && d["message"].as_str().unwrap().contains(word)
        })
    };
    let dump = serde_json::to_string_pretty(&diags).unwrap();
    assert!(at(12, "javascript:"), "{dump}");
    assert!(at(15, "onclick"), "{dump}");
    assert!(at(17, "<script>"), "{dump}");
    assert_eq!(diags.len(), 3, "other raw HTML passes: {dump}");
    // The harmless raw HTML alone builds and is passed through.
    let inc = EARLIER.replace(
        "Body.\n",
        "<abbr title=\"Exchange Online\">EXO</abbr> <kbd>Ctrl</kbd>\n",
    );
    let dir = site(&[("content/incidents/ex1.md", &inc)]);
    let out = build_ok(dir.path(), &[]);
    let doc = Html::parse_document(&read(&out, "incidents/ex1/index.html"));
    let sel = Selector::parse("abbr[title=\"Exchange Online\"]").unwrap();
    assert_eq!(doc.select(&sel).count(), 1);
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_root_are_followed() {
    use std::os::unix::fs::symlink;
    let dir = site(&[
        ("shared/ex1.md", EARLIER),
        ("shared/logo.txt", "logo"),
        ("themes/mine/templates/index.html", "home"),
        ("shared/tpl/404.html", "not found here"),
    ]);
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/incidents")).unwrap();
    symlink(
        root.join("shared/ex1.md"),
        root.join("content/incidents/ex1.md"),
    )
    .unwrap();
    symlink("../shared/logo.txt", root.join("content/logo.txt")).unwrap();
    // A whole folder of a theme linked from elsewhere in the site.
    std::fs::create_dir_all(root.join("themes/mine/templates")).unwrap();
    symlink(root.join("shared/tpl"), root.join("templates")).unwrap();
    let out = build_ok(root, &[]);
    assert!(read(&out, "incidents/ex1/index.html").contains("Earlier outage"));
    assert_eq!(read(&out, "logo.txt"), "logo");
    assert_eq!(read(&out, "404.html"), "not found here");
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_loops_and_dangling_are_reported() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.md", EARLIER);
    let dir = site(&[("content/incidents/ex1.md", EARLIER)]);
    let root = dir.path();
    symlink(
        outside.path().join("secret.md"),
        root.join("content/secret.md"),
    )
    .unwrap();
    symlink(root.join("content"), root.join("content/incidents/loop")).unwrap();
    symlink(
        root.join("content/nowhere.md"),
        root.join("content/gone.md"),
    )
    .unwrap();
    let (code, diags) = check_json(root);
    assert_eq!(code, 1);
    let dump = serde_json::to_string_pretty(&diags).unwrap();
    let has = |file: &str, word: &str| {
        diags
            .iter()
            .any(|d| d["file"] == file && d["message"].as_str().unwrap().contains(word))
    };
    assert!(
        has("content/secret.md", "outside the site folder"),
        "{dump}"
    );
    assert!(has("content/incidents/loop", "loop"), "{dump}");
    assert!(has("content/gone.md", "does not exist"), "{dump}");
    // The same in a site theme: a template linked from outside the root.
    let dir = site(&[
        (
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\ntheme = \"mine\"\n",
        ),
        ("content/incidents/ex1.md", EARLIER),
        ("themes/mine/templates/index.html", "home"),
    ]);
    symlink(
        outside.path().join("secret.md"),
        dir.path().join("themes/mine/templates/page.html"),
    )
    .unwrap();
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(
        stderr.contains("themes/mine/templates/page.html")
            && stderr.contains("outside the site folder"),
        "{stderr}"
    );
}
