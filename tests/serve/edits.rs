//! Following the files: edits, creations, renames, deletions, errors (the
//! last good site stays), templates and static files, editor scratch files.

use super::common::serve::*;
use super::common::write;
use std::time::Duration;

#[test]
fn edits_creations_renames_and_deletions_are_followed() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);

    // Body edit, saved the way editors do (temp file renamed over the original).
    save_atomically(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregions: [Europe]\ntags: [mail]\n",
            "Mail to Europe was delayed by two hours, not one.\n\n## Details\n\nQueues.",
        ),
    );
    s.wait_page("/incidents/ab101/", "the body edit", |t| {
        t.contains("two hours, not one")
    });
    s.wait_page("/incidents/", "the list's summary", |t| {
        t.contains("two hours, not one")
    });

    // Front matter: AB101 leaves Europe for Asia Pacific.
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Asia",
            "services: [Exchange Online]\nregions: [Asia Pacific]\ntags: [mail]\n",
            "Mail to Asia was delayed.",
        ),
    );
    s.wait_page("/regions/asia-pacific/", "the new term page", |t| {
        t.contains("Mail delayed in Asia")
    });
    s.wait_page("/regions/europe/", "the old term page", |t| {
        !t.contains("Mail delayed")
    });
    // AB202 relates to AB101 and shows its title.
    s.wait_page("/incidents/ab202/", "the related title", |t| {
        t.contains("Mail delayed in Asia")
    });

    // A new incident appears everywhere, and a bare ID elsewhere becomes a link.
    write(
        root,
        "content/incidents/CD404.md",
        &incident(
            "CD404",
            "Sign-in failures",
            "services: [Entra ID]\nrelated: [AB303]\n",
            "Nobody could sign in.",
        ),
    );
    s.wait_page("/incidents/cd404/", "the new page", |t| {
        t.contains("Nobody could sign in")
    });
    s.wait_page("/incidents/", "the list with the new incident", |t| {
        t.contains("Sign-in failures")
    });
    s.wait_page("/services/entra-id/", "a new term", |t| {
        t.contains("Sign-in failures")
    });
    s.wait_page("/incidents/ab303/", "a backlink", |t| {
        t.contains("/incidents/cd404/")
    });
    write(
        root,
        "content/incidents/2025/AB303.md",
        &incident(
            "AB303",
            "Calendar sync slow",
            "services: [Exchange Online]\nregions: [Europe, Germany]\n",
            "Calendars synced slowly; see CD404.",
        ),
    );
    s.wait_page("/incidents/ab303/", "a bare ID linked", |t| {
        t.contains("href=\"/incidents/cd404/\">CD404</a>")
    });

    // Rename the file (same ID): the page stays.
    std::fs::rename(
        root.join("content/incidents/CD404.md"),
        root.join("content/incidents/2025/CD404.md"),
    )
    .unwrap();
    s.settle();
    assert!(
        s.get("/incidents/cd404/")
            .text()
            .contains("Nobody could sign in")
    );
    // Rename a folder: its incidents stay.
    std::fs::rename(
        root.join("content/incidents/2025"),
        root.join("content/incidents/older"),
    )
    .unwrap();
    s.settle();
    assert_eq!(s.get("/incidents/ab303/").status, 200);
    assert_eq!(s.get("/incidents/cd404/").status, 200);

    // Delete: gone from its page, the lists, the feeds and the backlinks.
    std::fs::remove_file(root.join("content/incidents/older/CD404.md")).unwrap();
    write(
        root,
        "content/incidents/older/AB303.md",
        &incident(
            "AB303",
            "Calendar sync slow",
            "services: [Exchange Online]\nregions: [Europe, Germany]\n",
            "Calendars synced slowly.",
        ),
    );
    wait_for(15, "the deleted page to go", || {
        (s.get("/incidents/cd404/").status == 404).then_some(())
    });
    s.wait_page("/incidents/", "the list without it", |t| {
        !t.contains("Sign-in failures")
    });
    s.wait_page("/incidents/ab303/", "no backlink", |t| !t.contains("cd404"));
    wait_for(15, "an emptied term to disappear", || {
        (s.get("/services/entra-id/").status == 404).then_some(())
    });
    assert!(!s.get("/atom.xml").text().contains("CD404"));

    // Assets: created, changed and deleted.
    std::fs::write(root.join("content/img/new.svg"), "<svg/>").unwrap();
    wait_for(15, "a new asset", || {
        (s.get("/img/new.svg").text() == "<svg/>").then_some(())
    });
    std::fs::remove_file(root.join("content/img/new.svg")).unwrap();
    wait_for(15, "a deleted asset", || {
        (s.get("/img/new.svg").status == 404).then_some(())
    });
}

#[test]
fn an_error_keeps_the_last_good_site_and_reports_it() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    let good = s.get("/incidents/ab202/").text();
    assert_eq!(s.status()["errors"], serde_json::json!([]));

    // A misspelt key on line 7, and a body change that must not show yet.
    let broken = incident(
        "AB202",
        "Teams chat down",
        "servces: [Microsoft Teams]\n",
        "BROKEN EDIT",
    );
    write(root, "content/incidents/AB202.md", &broken);
    let errors = wait_for(15, "the errors", || {
        let st = s.status();
        let e = st["errors"].as_array().cloned().unwrap_or_default();
        (!e.is_empty()).then_some(e)
    });
    let e = errors
        .iter()
        .find(|e| e["message"].as_str().unwrap().contains("servces"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(e["file"], "content/incidents/AB202.md");
    assert_eq!(e["line"], 7);
    assert_eq!(e["column"], 1);
    assert!(e["hint"].as_str().unwrap().contains("services"));
    assert_eq!(
        s.get("/incidents/ab202/").text(),
        good,
        "the last good page stays"
    );
    assert!(
        s.log()
            .contains("content/incidents/AB202.md:7:1: error: unknown key `servces`"),
        "{}",
        s.log()
    );

    // Fixed: errors go, the edit shows.
    write(
        root,
        "content/incidents/AB202.md",
        &incident(
            "AB202",
            "Teams chat down",
            "services: [Microsoft Teams]\nrelated: [AB101]\n",
            "FIXED EDIT",
        ),
    );
    s.wait_page("/incidents/ab202/", "the fixed page", |t| {
        t.contains("FIXED EDIT")
    });
    wait_for(15, "the errors to clear", || {
        (s.status()["errors"] == serde_json::json!([])).then_some(())
    });

    // A template error also keeps the site.
    write(
        root,
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.title | nosuchfilter }}{% endblock content %}",
    );
    wait_for(15, "the template error", || {
        let e = s.status()["errors"].to_string();
        e.contains("templates/page.html").then_some(())
    });
    assert!(s.get("/about/").text().contains("We track outages"));
    std::fs::remove_file(root.join("templates/page.html")).unwrap();
    wait_for(15, "the template error to clear", || {
        (s.status()["errors"] == serde_json::json!([])).then_some(())
    });
}

#[test]
fn a_broken_site_at_start_is_served_with_its_errors() {
    let site = serve_site();
    let root = site.path();
    write(
        root,
        "content/incidents/AB101.md",
        "---\nid: AB101\ntitle: x\n---\n",
    );
    let s = Serve::start(root);
    let r = s.get("/");
    assert_eq!(r.status, 500);
    assert!(r.text().contains("reload.js"));
    assert!(
        r.text().contains("content/incidents/AB101.md"),
        "the errors, even without JavaScript"
    );
    assert!(!s.status()["errors"].as_array().unwrap().is_empty());
    write(
        root,
        "content/incidents/AB101.md",
        &incident("AB101", "Back", "services: [Exchange Online]\n", "Fixed."),
    );
    s.wait_page("/incidents/ab101/", "the first good build", |t| {
        t.contains("Fixed.")
    });
}

#[test]
fn static_and_template_changes() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    // A stylesheet of the site's own overrides the theme's.
    write(root, "static/style.css", "body { background: hotpink }\n");
    wait_for(15, "the stylesheet", || {
        s.get("/style.css").text().contains("hotpink").then_some(())
    });
    // A template override changes the pages that use it.
    write(
        root,
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1 id=\"custom\">{{ page.title }}</h1>{{ page.body_html | safe }}{% endblock content %}",
    );
    s.wait_page("/about/", "the template override", |t| {
        t.contains("id=\"custom\"")
    });
    std::fs::remove_file(root.join("templates/page.html")).unwrap();
    s.wait_page("/about/", "the theme's template again", |t| {
        !t.contains("id=\"custom\"")
    });
    std::fs::remove_file(root.join("static/style.css")).unwrap();
    wait_for(15, "the theme's stylesheet", || {
        (!s.get("/style.css").text().contains("hotpink")).then_some(())
    });
}

#[test]
fn editor_scratch_files_do_not_rebuild() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    s.settle();
    let g = s.status()["generation"].as_u64().unwrap();
    for name in [
        "content/incidents/.AB101.md.swp",
        "content/incidents/AB101.md~",
        "content/incidents/4913",
        "content/_drafts/x.md",
        "output/index.html",
        "notes.txt",
    ] {
        write(root, name, "scratch");
    }
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(s.status()["generation"].as_u64(), Some(g), "{}", s.log());
}
