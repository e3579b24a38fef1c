//! The incremental result equals a full build, byte for byte, after a
//! sequence of edits of every kind.

use super::common::serve::*;
use super::common::{BIN, EPOCH, write};
use std::path::Path;
use std::process::Command;

/// Everything served (less the injected script) equals `sitrep build` of the
/// same files with the same base_url and "now".
fn assert_same_as_full_build(s: &Serve, root: &Path) {
    s.settle();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("site");
    let status = Command::new(BIN)
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(&out_dir)
        .args(["--base-url", &s.url()])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .status()
        .unwrap();
    assert!(status.success());
    let mut built: Vec<String> = walkdir::WalkDir::new(&out_dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&out_dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != ".sitrep-output")
        .collect();
    built.sort();
    let served: Vec<String> = serde_json::from_slice(&s.get("/__sitrep/files").body).unwrap();
    assert_eq!(served, built, "the same set of files");
    // /stats/ reads every incident: it must be among the compared pages.
    assert!(built.iter().any(|p| p == "stats/index.html"));
    for p in &built {
        let want = std::fs::read(out_dir.join(p)).unwrap();
        let got = s.get(&format!("/{p}"));
        assert_eq!(got.status, 200, "{p}");
        let body = if p.ends_with(".html") {
            got.text().replacen(SCRIPT_TAG, "", 1).into_bytes()
        } else {
            got.body
        };
        assert!(
            body == want,
            "{p} differs from a full build:\n--- served\n{}\n--- built\n{}",
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&want)
        );
    }
}

#[test]
fn incremental_rebuilds_equal_a_full_build() {
    let site = serve_site();
    let root = site.path();
    let s = Serve::start(root);
    assert_same_as_full_build(&s, root);

    // 1. Body edit (the summary in every list changes).
    write(
        root,
        "content/incidents/AB101.md",
        &incident(
            "AB101",
            "Mail delayed in Europe",
            "services: [Exchange Online]\nregions: [Europe]\ntags: [mail]\n",
            "A new first paragraph.\n\nAnd more.",
        ),
    );
    s.wait_page("/incidents/ab101/", "edit 1", |t| {
        t.contains("A new first paragraph")
    });
    // 1b. Body-only edits of a story and a page (patched in place, no re-link).
    write(
        root,
        "content/news/teams-outage.md",
        "---\ntitle: Teams outage explained\ndate: 2026-03-04T09:00:00Z\nincidents: [AB202]\n---\nA clearer account of Teams.\n\n## Timeline\n\nIt broke, then it was fixed.\n",
    );
    s.wait_page("/news/teams-outage/", "edit 1b", |t| {
        t.contains("A clearer account")
    });
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages, big and small. The first one here was [the mail delay](incidents/AB101.md).\n",
    );
    s.wait_page("/about/", "edit 1c", |t| t.contains("big and small"));
    assert!(
        s.log().contains("patch"),
        "body edits take the patch path:\n{}",
        s.log()
    );
    assert_same_as_full_build(&s, root);
    // 2. Front matter: AB303 moves from Europe/Germany to North America, gains a tag.
    write(
        root,
        "content/incidents/2025/AB303.md",
        &incident(
            "AB303",
            "Calendar sync slow",
            "services: [Exchange Online]\nregions: [North America]\ntags: [calendar]\n",
            "Calendars synced slowly.",
        ),
    );
    s.wait_page("/regions/north-america/", "edit 2", |t| {
        t.contains("Calendar sync slow")
    });
    // 3. A new incident mentioned by an existing one, and a new news story.
    write(
        root,
        "content/incidents/EF505.md",
        &incident(
            "EF505",
            "OneDrive sync stuck",
            "services: [OneDrive]\nrelated: [AB202]\n",
            "Sync stuck, like AB101.",
        ),
    );
    write(
        root,
        "content/news/onedrive.md",
        "---\ntitle: OneDrive sync\ndate: 2026-03-09T09:00:00Z\nincidents: [EF505, AB101]\n---\nOneDrive stopped syncing; see EF505.\n",
    );
    s.wait_page("/news/onedrive/", "edit 3", |t| {
        t.contains("OneDrive stopped")
    });
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages such as EF505 and [the mail delay](incidents/AB101.md).\n",
    );
    s.wait_page("/about/", "edit 3b", |t| t.contains("EF505"));
    assert_same_as_full_build(&s, root);

    // 4. Rename a file and change an ID (links to the old ID break: an error), then fix.
    std::fs::rename(
        root.join("content/incidents/EF505.md"),
        root.join("content/incidents/2025/EF506.md"),
    )
    .unwrap();
    write(
        root,
        "content/incidents/2025/EF506.md",
        &incident(
            "EF506",
            "OneDrive sync stuck",
            "services: [OneDrive]\nrelated: [AB202]\n",
            "Sync stuck, like AB101.",
        ),
    );
    wait_for(15, "the broken references", || {
        (!s.status()["errors"].as_array().unwrap().is_empty()).then_some(())
    });
    write(
        root,
        "content/news/onedrive.md",
        "---\ntitle: OneDrive sync\ndate: 2026-03-09T09:00:00Z\nincidents: [EF506, AB101]\n---\nOneDrive stopped syncing; see EF506.\n",
    );
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages such as EF505 and [the mail delay](incidents/AB101.md).\n",
    );
    s.wait_page("/incidents/ef506/", "edit 4", |t| t.contains("Sync stuck"));
    wait_for(15, "the errors to clear", || {
        (s.status()["errors"] == serde_json::json!([])).then_some(())
    });
    assert_same_as_full_build(&s, root);

    // 5. Delete an incident that others point at, with its references.
    write(root, "content/incidents/AB202.md", "");
    std::fs::remove_file(root.join("content/incidents/AB202.md")).unwrap();
    write(
        root,
        "content/incidents/2025/EF506.md",
        &incident(
            "EF506",
            "OneDrive sync stuck",
            "services: [OneDrive]\n",
            "Sync stuck, like AB101.",
        ),
    );
    write(
        root,
        "content/news/teams-outage.md",
        "---\ntitle: Teams outage explained\ndate: 2026-03-04T09:00:00Z\n---\nWhat happened to Teams.\n",
    );
    wait_for(15, "the deletion", || {
        (s.get("/incidents/ab202/").status == 404).then_some(())
    });
    // 6. A page is added, a stylesheet overridden, the config changed.
    write(
        root,
        "content/glossary.md",
        "---\ntitle: Glossary\n---\nTerms. See [about](about.md).\n",
    );
    write(root, "static/extra.css", "body { color: red }\n");
    s.wait_page("/glossary/", "edit 6", |t| t.contains("Terms."));
    assert_same_as_full_build(&s, root);
    write(
        root,
        "sitrep.toml",
        "title = \"Renamed Desk\"\nbase_url = \"https://example.org/desk/\"\ntimezone = \"Europe/Berlin\"\n",
    );
    s.wait_page("/", "the config change", |t| t.contains("Renamed Desk"));
    assert_same_as_full_build(&s, root);
}

/// Incident `n` of the paged site: started on day `day` of `month` 2026.
fn dated(n: usize, month: u8, day: u8, region: &str) -> String {
    format!(
        "---\nid: PG{n:03}\ntitle: Paged outage {n}\nservices: [Mail]\nregions: [{region}]\nstatus: resolved\nstarted: 2026-{month:02}-{day:02}T10:00:00Z\nresolved: 2026-{month:02}-{day:02}T12:00:00Z\n---\nOutage {n}.\n"
    )
}

#[test]
fn paged_lists_and_months_stay_equal_to_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "sitrep.toml",
        "title = \"Paged\"\nbase_url = \"https://example.org/desk/\"\npaginate_by = 3\n",
    );
    for n in 0..20 {
        let region = ["Europe", "Asia"][n % 2];
        let (month, day) = (1 + (n / 7) as u8, 1 + (n % 7) as u8 * 3);
        write(
            root,
            &format!("content/incidents/PG{n:03}.md"),
            &dated(n, month, day, region),
        );
    }
    let s = Serve::start(root);
    assert_same_as_full_build(&s, root);
    // PG004 moves from January to April (a new month) and from Europe to Asia:
    // both months, both regions and every page of /incidents/ change.
    write(root, "content/incidents/PG004.md", &dated(4, 4, 2, "Asia"));
    s.wait_page("/history/2026-04/", "the new month", |t| {
        t.contains("PG004")
    });
    assert_same_as_full_build(&s, root);
    // Deleting incidents shortens the chains: the last pages go away.
    for n in [0, 1, 2, 3] {
        std::fs::remove_file(root.join(format!("content/incidents/PG{n:03}.md"))).unwrap();
    }
    wait_for(15, "the deletions", || {
        (s.get("/incidents/pg000/").status == 404).then_some(())
    });
    assert_same_as_full_build(&s, root);
    // A new incident in a month of its own, then the page size changes.
    write(
        root,
        "content/incidents/PG099.md",
        &dated(99, 6, 30, "Europe"),
    );
    s.wait_page("/history/2026-06/", "a new month", |t| t.contains("PG099"));
    assert_same_as_full_build(&s, root);
    write(
        root,
        "sitrep.toml",
        "title = \"Paged\"\nbase_url = \"https://example.org/desk/\"\npaginate_by = 2\n",
    );
    s.wait_page("/incidents/page/8/", "the new page size", |t| {
        t.contains("Page 8 of")
    });
    assert_same_as_full_build(&s, root);
}
