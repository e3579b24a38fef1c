//! FORMAT.md "Errors": a content file whose output path sitrep generates is an
//! error naming both, in `build` and `check`, and the previous output stays.

use crate::common::{build_ok, check_json, run, site};

const INCIDENT: &str = "---\nid: AB101\ntitle: Mail delayed\nservices: [Mail]\nregions: [Europe]\nstatus: resolved\nstarted: 2026-03-02T10:00:00Z\nresolved: 2026-03-02T12:00:00Z\n---\nLate.\n";

/// The site's one incident plus `extra`: `check`'s errors as "file: message".
fn errors_with(extra: (&str, &str)) -> Vec<String> {
    let dir = site(&[("content/incidents/AB101.md", INCIDENT), extra]);
    let (code, diags) = check_json(dir.path());
    assert_eq!(code, 1, "{extra:?} is an error: {diags:#?}");
    diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{}: {}",
                d["file"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn content_files_at_generated_paths_are_errors_naming_both() {
    let cases = [
        ("content/atom.xml", "<feed/>", "`/atom.xml`"),
        ("content/robots.txt", "x", "`/robots.txt`"),
        ("content/search/extra.json", "{}", "`/search/`"),
        ("content/api/incidents.json", "[]", "`/api/incidents.json`"),
        ("content/api/other.json", "[]", "`/api/`"),
        (
            "content/regions/europe/atom.xml",
            "x",
            "`/regions/europe/atom.xml`",
        ),
        (
            "content/incidents/ab101/index.html",
            "x",
            "content/incidents/AB101.md",
        ),
    ];
    for (file, text, names) in cases {
        let errs = errors_with((file, text));
        assert!(
            errs.iter()
                .any(|e| e.starts_with(&format!("{file}: ")) && e.contains(names)),
            "{file}: {errs:#?}"
        );
    }
}

#[test]
fn pages_in_generated_sections_are_errors_naming_both() {
    let page = |slug: &str| format!("---\ntitle: Mine\nslug: {slug}\n---\nMine.\n");
    let cases = [
        ("incidents/ab101", "content/incidents/AB101.md"),
        ("search/help", "`/search/`"),
        ("history", "`/history/`"),
        ("atom.xml", "`/atom.xml`"),
    ];
    for (slug, names) in cases {
        let text = page(slug);
        let errs = errors_with(("content/mine.md", &text));
        assert!(
            errs.iter()
                .any(|e| e.starts_with("content/mine.md: ") && e.contains(names)),
            "{slug}: {errs:#?}"
        );
    }
}

#[test]
fn files_beside_documents_and_a_failed_build_keep_the_output() {
    let dir = site(&[
        ("content/incidents/AB101.md", INCIDENT),
        ("content/incidents/chart.png", "png"),
        ("content/news/pic.png", "png"),
        ("content/img/logo.png", "png"),
        ("content/about.md", "---\ntitle: About\n---\nAbout.\n"),
        ("content/about/photo.png", "png"),
    ]);
    let out = build_ok(dir.path(), &[]);
    let atom = std::fs::read(out.join("atom.xml")).unwrap();
    for f in [
        "incidents/chart.png",
        "news/pic.png",
        "img/logo.png",
        "about/photo.png",
    ] {
        assert!(out.join(f).is_file(), "{f} is copied");
    }
    std::fs::write(dir.path().join("content/atom.xml"), "<feed/>").unwrap();
    let o = run(dir.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("content/atom.xml"), "{stderr}");
    assert_eq!(
        std::fs::read(out.join("atom.xml")).unwrap(),
        atom,
        "the output stays"
    );
}
