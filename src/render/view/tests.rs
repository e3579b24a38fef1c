//! The proof that reads record themselves (issue 17, step 3): a context
//! written with no recording code at all — it only calls the view's methods —
//! still tells serve's ledger what it read, and the ledger then sends the
//! page back to be rendered when exactly that input changes.

use super::super::{Mode, Scope, memo::Memo, reads::Facts};
use crate::serve::ledger::Ledger;
use std::path::Path;

fn incident(id: &str, day: u32, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Incident {id}\nservices: [Mail]\nstatus: resolved\nstarted: 2026-03-{day:02}T10:00:00Z\nresolved: 2026-03-{day:02}T11:00:00Z\n{extra}---\nBody of {id}.\n"
    )
}

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn site(root: &Path) -> crate::link::Site {
    let text = std::fs::read_to_string(root.join("sitrep.toml")).unwrap();
    let config = crate::config::Config::parse("sitrep.toml", text).unwrap();
    let m = crate::build::model(root, config, false, &mut Default::default(), None, None);
    m.site
        .unwrap_or_else(|| panic!("the site links: {:?}", m.diags))
}

/// A page kind nobody wrote recording code for: it shows the title of
/// incident `EX2` and whether `EX9` exists, through the view alone.
fn new_context(cx: &super::Builder) -> String {
    let ex2 = cx.find("ex2").map(|i| cx.incident(i).title.clone());
    format!("{ex2:?} {}", cx.find("ex9").is_some())
}

/// Renders [`new_context`] on `site` as serve would, and records the page.
fn render(site: &crate::link::Site, ledger: &mut Ledger) -> String {
    let theme = crate::theme::load(Path::new("/nonexistent"), &site.config).unwrap();
    let tera = super::super::tera(&theme, site).unwrap();
    let now = super::Now(jiff::Timestamp::from_second(1_780_000_000).unwrap());
    let memo = Memo::default();
    let mut scope = Scope::new(site, &now, &tera, &theme.strings);
    scope.mode = Mode::Serve(&memo);
    let cx = scope.builder();
    let shown = new_context(&cx);
    let reads = cx.take_reads().expect("serve records");
    let facts = Facts::new(site, &scope.status);
    let stale = ledger.stale(&facts);
    ledger.commit(
        stale,
        vec![("new/index.html".into(), reads)],
        &[],
        site,
        &facts,
    );
    shown
}

#[test]
fn a_context_with_no_recording_code_is_re_rendered_when_what_it_read_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "sitrep.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\n",
    );
    for (id, day) in [("EX1", 1), ("EX2", 2), ("EX3", 3)] {
        write(
            root,
            &format!("content/incidents/{id}.md"),
            &incident(id, day, ""),
        );
    }
    let mut ledger = Ledger::default();
    let before = render(&site(root), &mut ledger);
    assert_eq!(before, "Some(\"Incident EX2\") false");

    // Its document: an edit of EX2's file reaches the page, EX3's does not.
    let readers = |ledger: &Ledger, path: &str| ledger.readers([path]).len();
    assert_eq!(
        readers(&ledger, "incidents/EX2.md"),
        1,
        "EX2's file is read"
    );
    assert_eq!(readers(&ledger, "incidents/EX3.md"), 0, "EX3's file is not");

    // Its ID lookup: adding EX9 makes the page stale, though no document
    // the page showed changed.
    write(root, "content/incidents/EX9.md", &incident("EX9", 9, ""));
    let site = site(root);
    let status =
        crate::status::compute(&site, jiff::Timestamp::from_second(1_780_000_000).unwrap());
    let stale = ledger.stale(&Facts::new(&site, &status));
    assert!(
        stale.pages.iter().any(|p| &**p == "new/index.html"),
        "the lookup of EX9 is recorded, so its appearance re-renders the page"
    );
    assert_eq!(render(&site, &mut ledger), "Some(\"Incident EX2\") true");

    // An unrelated edit (EX1's title) leaves every recorded fact as it was.
    write(
        root,
        "content/incidents/EX1.md",
        &incident("EX1", 1, "summary: Changed.\n"),
    );
    let site = self::site(root);
    let status =
        crate::status::compute(&site, jiff::Timestamp::from_second(1_780_000_000).unwrap());
    assert!(ledger.stale(&Facts::new(&site, &status)).pages.is_empty());
    assert_eq!(readers(&ledger, "incidents/EX1.md"), 0);
}
