//! The CLI around the build: help, version, init/new scaffolding, theme
//! overrides, maintenance state against "now".

use crate::common::*;
use std::process::Command;

#[test]
fn help_lists_commands_with_examples_and_version_prints() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for w in ["build", "serve", "check", "new", "init", "Examples:"] {
        assert!(text.contains(w), "--help lacks {w}:\n{text}");
    }
    let v = Command::new(BIN).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("sitrep "));
    let bad = Command::new(BIN).arg("--nonsense").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn init_then_new_then_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let out = Command::new(BIN).arg("init").arg(&root).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = run(&root, &["new", "incident", "EX42"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(root.join("content/incidents/EX42.md").is_file());
    let r = run(&root, &["new", "news", "Mail is down"]);
    assert!(r.status.success());
    assert!(root.join("content/news/mail-is-down.md").is_file());
    // never overwrite
    let again = run(&root, &["new", "incident", "EX42"]);
    assert_eq!(again.status.code(), Some(2));
    let bad = run(&root, &["new", "incident", "../evil"]);
    assert_eq!(bad.status.code(), Some(2));
    let out = build_ok(&root, &[]);
    assert!(out.join("incidents/ex42/index.html").is_file());
    assert!(out.join("incidents/example-1/index.html").is_file());
    assert!(out.join("news/mail-is-down/index.html").is_file());
}

const INC: &str = "---\nid: M1\ntitle: Relay maintenance\nservices: Mail relay\nstatus: identified\nstarted: 2026-06-13T22:00:00-04:00\nclassification: maintenance\nwindow:\n  start: 2026-06-13T22:00:00-04:00\n  end: 2026-06-14T01:00:00-04:00\n---\n\nPlanned work.\n";

fn maintenance_state(epoch: &str) -> String {
    let dir = site(&[("content/incidents/m1.md", INC)]);
    let out = std::process::Command::new(BIN)
        .args(["build", "--root"])
        .arg(dir.path())
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    read(&dir.path().join("output"), "incidents/m1/index.html")
}

#[test]
fn maintenance_state_follows_source_date_epoch() {
    // 2026-06-13T00:00Z, 2026-06-14T03:00Z (23:00 EDT), 2026-06-15T00:00Z
    assert!(maintenance_state("1781308800").contains("Upcoming"));
    assert!(maintenance_state("1781406000").contains("In progress"));
    assert!(maintenance_state("1781481600").contains("Completed"));
}

#[test]
fn site_templates_override_the_theme_and_unknown_themes_are_config_errors() {
    let dir = site(&[
        ("content/about.md", "---\ntitle: About us\n---\n\nHello.\n"),
        (
            "templates/page.html",
            "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">CUSTOM {{ page.title }}</p>{% endblock %}",
        ),
        ("static/style.css", "body { color: red }"),
    ]);
    let out = build_ok(dir.path(), &[]);
    let about = read(&out, "about/index.html");
    assert!(
        about.contains("<p id=\"custom\">CUSTOM About us</p>"),
        "{about}"
    );
    assert!(
        about.contains("<header"),
        "the base layout still comes from the theme"
    );
    assert_eq!(read(&out, "style.css"), "body { color: red }");

    write(
        dir.path(),
        "sitrep.toml",
        "title = \"T\"\nbase_url = \"https://e.org/\"\ntheme = \"nope\"\n",
    );
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown theme `nope`"));
}

#[test]
fn a_broken_site_template_is_reported_with_its_file() {
    let dir = site(&[
        ("content/about.md", "---\ntitle: About\n---\n"),
        ("templates/page.html", "{% if %}"),
    ]);
    let r = run(dir.path(), &["check"]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("templates/page.html"), "{err}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let draft = "---\nid: D1\ntitle: Draft\nservices: X\nstatus: investigating\nstarted: 2026-06-01T00:00:00Z\ndraft: true\n---\n";
    let relating = "---\nid: P1\ntitle: Published\nservices: X\nstatus: investigating\nstarted: 2026-06-02T00:00:00Z\n---\n\nText.\n";
    let dir = site(&[
        ("content/incidents/d1.md", draft),
        ("content/incidents/p1.md", relating),
    ]);
    let out = build_ok(dir.path(), &[]);
    assert!(!out.join("incidents/d1/index.html").exists());
    assert!(!read(&out, "incidents/index.html").contains("/pm/incidents/d1/"));
    let out = build_ok(dir.path(), &["--drafts"]);
    assert!(out.join("incidents/d1/index.html").is_file());
    // relating to a draft is an error that says so
    write(
        dir.path(),
        "content/incidents/p1.md",
        &relating.replace(
            "status: investigating\n",
            "status: investigating\nrelated: [D1]\n",
        ),
    );
    let (code, diags) = check_json(dir.path());
    assert_eq!(code, 1);
    assert!(
        diags[0]["message"].as_str().unwrap().contains("is a draft"),
        "{diags:?}"
    );
    assert_eq!(diags[0]["line"], 6);
}
