//! Issue 9, step 3: serve checks the pages render recorded as reading what an
//! edit changed (`render/reads.rs`, `serve/ledger.rs`), not every page. An
//! edit checks few pages, reaches every page it changes (equal to a full
//! build), and a page that reads the whole site is checked every time.

use super::common::write;
use super::equal::{Live, assert_ok, assert_same_as_full_build};

fn incident(n: usize, region: &str, extra: &str, body: &str) -> String {
    let started = jiff::Timestamp::from_second(1_767_225_600 + n as i64 * 86_400).unwrap();
    let resolved = started + jiff::SignedDuration::from_mins(45);
    format!(
        "---\nid: LG{n:03}\ntitle: Incident {n}\nservices: [Mail]\nregions: [{region}]\nstatus: resolved\nstarted: {started}\nresolved: {resolved}\n{extra}---\nFirst paragraph of {n}.\n\n{body}\n"
    )
}

#[test]
fn issue_9_an_edit_checks_only_the_pages_that_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "sitrep.toml",
        "title = \"LG\"\nbase_url = \"https://example.org/\"\npaginate_by = 4\n",
    );
    let region = |n: usize| ["Europe", "Asia"][n % 2];
    for n in 0..40 {
        let text = incident(n, region(n), "", "Second paragraph.");
        write(root, &format!("content/incidents/LG{n:03}.md"), &text);
    }
    let (mut live, o) = Live::start(root);
    assert_ok(&o, "first build");
    let total = o.checked;
    assert!(total > 60, "the first build checks every page: {total}");

    // A second-paragraph edit changes no card: only its own page renders,
    // and the pages checked are those showing it plus the whole-site ones.
    let path = "content/incidents/LG010.md";
    let o = live.write(
        path,
        &incident(10, "Europe", "", "Edited second paragraph."),
    );
    assert_ok(&o, "body edit");
    assert_eq!(o.rendered, 1, "only its own page changed");
    assert!(
        o.checked < total / 3,
        "a body edit checks {} of {total} pages",
        o.checked
    );
    assert!(
        live.page("incidents/lg010/index.html")
            .unwrap()
            .contains("Edited second paragraph.")
    );
    assert_same_as_full_build(&live);

    // A related incident: the target's page (its backlinks) renders too,
    // though it reads nothing of LG020's file before the edit.
    let o = live.write(
        "content/incidents/LG020.md",
        &incident(20, "Asia", "related: [LG003]\n", "Second paragraph."),
    );
    assert_ok(&o, "related added");
    assert!(
        o.rendered >= 2,
        "LG020 and LG003's backlinks: {}",
        o.rendered
    );
    assert!(
        live.page("incidents/lg003/index.html")
            .unwrap()
            .contains("/incidents/lg020/")
    );
    assert_same_as_full_build(&live);

    // A region move: both terms' pages shift, each checked and equal.
    let o = live.write(path, &incident(10, "Asia", "", "Edited second paragraph."));
    assert_ok(&o, "region move");
    assert!(o.checked < total, "{} of {total}", o.checked);
    assert_same_as_full_build(&live);

    // A new incident, newest of all: every page of /incidents/ shifts.
    let o = live.write(
        "content/incidents/LG099.md",
        &incident(99, "Europe", "", "New."),
    );
    assert_ok(&o, "new incident");
    assert!(
        live.page("incidents/index.html")
            .unwrap()
            .contains("/incidents/lg099/")
    );
    assert_same_as_full_build(&live);

    // Deleted: its page goes, and every list it was on closes up.
    let o = live.remove("content/incidents/LG099.md");
    assert_ok(&o, "deleted");
    assert!(live.page("incidents/lg099/index.html").is_none());
    assert_same_as_full_build(&live);
}
