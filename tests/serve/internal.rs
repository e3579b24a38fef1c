//! Public and internal serve: a public serve never shows internal material,
//! also after an edit makes an incident internal or public; `--internal`
//! serves the team's build with its banner.

use super::common::serve::*;
use super::common::write;

const SECRET: &str = "ZqSecretMarker";

fn site() -> tempfile::TempDir {
    let dir = serve_site();
    let root = dir.path();
    write(
        root,
        "content/incidents/secret.md",
        &incident(
            "SEC9",
            "Database failover",
            "services: [Exchange Online]\ninternal: true\n",
            &format!("{SECRET}: the replica was stale."),
        ),
    );
    dir
}

#[test]
fn a_public_serve_hides_internal_incidents_across_edits() {
    let site = site();
    let s = Serve::start(site.path());
    s.settle();
    assert_eq!(s.get("/incidents/sec9/").status, 404);
    assert!(!s.get("/api/incidents.json").text().contains("SEC9"));
    assert!(!s.get("/search/index.json").text().contains("SEC9"));
    let home = s.get("/").text();
    assert!(!home.contains("internal-banner") && !home.contains("noindex"));

    // Made public: it appears; made internal again: it is gone again.
    let public = incident(
        "SEC9",
        "Database failover",
        "services: [Exchange Online]\n",
        &format!("{SECRET}: the replica was stale."),
    );
    save_atomically(site.path(), "content/incidents/secret.md", &public);
    s.wait_page("/incidents/sec9/", "the incident made public", |t| {
        t.contains(SECRET)
    });
    let internal = incident(
        "SEC9",
        "Database failover",
        "services: [Exchange Online]\ninternal: true\n",
        "Stale replica.",
    );
    save_atomically(site.path(), "content/incidents/secret.md", &internal);
    wait_for(15, "the incident hidden again", || {
        (s.get("/incidents/sec9/").status == 404).then_some(())
    });
    s.settle();
    assert!(!s.get("/incidents/").text().contains("SEC9"));
}

#[test]
fn an_internal_serve_shows_everything_with_the_banner() {
    let site = site();
    let s = Serve::start_with(site.path(), &["--internal"]);
    let page = s.wait_page("/incidents/sec9/", "the internal incident", |t| {
        t.contains(SECRET)
    });
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(page.contains("class=\"internal-banner\""));
}
