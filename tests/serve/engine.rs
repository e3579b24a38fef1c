//! Regression tests of serve's incremental engine, one per bug of issue 9,
//! each ending equal to a full build (see `equal.rs`).

use super::common::write;
use super::equal::*;
use sitrep::serve::incremental::Outcome;

const CONFIG: &str =
    "title = \"Test Desk\"\nbase_url = \"https://example.org/desk/\"\ntimezone = \"UTC\"\n";

/// An incident file; `services: [Mail]` unless `extra` names its services.
fn incident(id: &str, title: &str, extra: &str, body: &str) -> String {
    let services = if extra.contains("services:") {
        ""
    } else {
        "services: [Mail]\n"
    };
    format!(
        "---\nid: {id}\ntitle: {title}\nstatus: resolved\nstarted: 2026-03-02T10:00:00Z\nresolved: 2026-03-02T12:30:00Z\n{services}{extra}---\n{body}\n"
    )
}

/// AB101 of [`small_site`] with this body.
fn ab101(body: &str) -> String {
    incident(
        "AB101",
        "Mail delayed",
        "services: [Mail]\nregions: [Europe]\n",
        body,
    )
}

/// Three incidents (one relating to another, two sharing a region), a story
/// about one, a page linking to one, an image.
fn small_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "sitrep.toml", CONFIG);
    write(root, "content/incidents/AB101.md", &ab101("Mail was late."));
    write(
        root,
        "content/incidents/AB202.md",
        &incident(
            "AB202",
            "Chat down",
            "services: [Chat]\nregions: [Europe]\nrelated: [AB101]\n",
            "Chat would not load.",
        ),
    );
    write(
        root,
        "content/incidents/2025/AB303.md",
        &incident(
            "AB303",
            "Calendar slow",
            "services: [Mail]\nregions: [Germany]\n",
            "Slow.",
        ),
    );
    write(
        root,
        "content/news/chat.md",
        "---\ntitle: Chat explained\ndate: 2026-03-04T09:00:00Z\nincidents: [AB202]\n---\nWhat happened.\n",
    );
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nSee [the mail delay](incidents/AB101.md).\n",
    );
    write(root, "content/img/pic.png", "\u{89}PNG fake");
    dir
}

fn started(root: &std::path::Path) -> Live {
    let (live, o) = Live::start(root);
    assert_ok(&o, "the first build");
    live
}

/// Issue 9: the Markdown cache keyed texts by length and ends, so two timeline
/// entries of one file that differ only in the middle swapped HTML after a re-link.
#[test]
fn timeline_entries_differing_in_the_middle_keep_their_own_html() {
    let site = small_site();
    let root = site.path();
    let pad = "word ".repeat(20);
    let timeline = format!(
        "timeline:\n  - at: 2026-03-02T10:10:00Z\n    text: \"{pad}*alpha* {pad}\"\n  - at: 2026-03-02T10:20:00Z\n    text: \"{pad}_gamma_ {pad}\"\n"
    );
    let text = incident(
        "AB101",
        "Mail delayed",
        &format!("services: [Mail]\n{timeline}"),
        "Late.",
    );
    write(root, "content/incidents/AB101.md", &text);
    let mut live = started(root);
    // A re-link with AB101 unchanged (its renders come from the cache) that
    // re-renders its page: AB202, which relates to it, gets a new title.
    let retitled = incident("AB202", "Chat down again", "related: [AB101]\n", "Chat.");
    assert_ok(
        &live.write("content/incidents/AB202.md", &retitled),
        "the new title",
    );
    let page = live.page("incidents/ab101/index.html").unwrap();
    assert!(page.contains("Chat down again"), "{page}");
    let (a, g) = (
        page.find("<em>alpha</em>").unwrap(),
        page.find("<em>gamma</em>").unwrap(),
    );
    assert!(a < g, "the entries swapped:\n{page}");
    assert_same_as_full_build(&live);
}

/// Issue 9: a batch that broke sitrep.toml returned before reading the
/// batch's content files, so their edits were missing once the config was fixed.
#[test]
fn a_failed_config_reload_keeps_the_batchs_content_edits() {
    let site = small_site();
    let root = site.path();
    let mut live = started(root);
    write(root, "sitrep.toml", "title = [broken\n");
    let edit = incident(
        "AB101",
        "Mail delayed",
        "services: [Mail]\n",
        "Edited while the config was broken.",
    );
    write(root, "content/incidents/AB101.md", &edit);
    let o = live.changed(&["sitrep.toml", "content/incidents/AB101.md"]);
    assert!(!errors(&o).is_empty(), "the broken config is an error");
    assert_ok(&live.write("sitrep.toml", CONFIG), "the fixed config");
    let page = live.page("incidents/ab101/index.html").unwrap();
    assert!(
        page.contains("Edited while the config was broken"),
        "{page}"
    );
    assert_same_as_full_build(&live);

    // Likewise a template that does not compile, fixed in a later batch.
    write(root, "templates/incident.html", "{% if %}");
    let edit = incident(
        "AB202",
        "Chat down",
        "related: [AB101]\n",
        "Edited with a broken template.",
    );
    write(root, "content/incidents/AB202.md", &edit);
    let o = live.changed(&["templates/incident.html", "content/incidents/AB202.md"]);
    assert!(!errors(&o).is_empty(), "the broken template is an error");
    std::fs::remove_file(root.join("templates/incident.html")).unwrap();
    assert_ok(
        &live.changed(&["templates/incident.html"]),
        "the template removed",
    );
    let page = live.page("incidents/ab202/index.html").unwrap();
    assert!(page.contains("Edited with a broken template"), "{page}");
    assert_same_as_full_build(&live);
}

/// Issue 9 / FORMAT.md "Errors": a content file at a path sitrep generates
/// replaced sitrep's own file. It is an error naming both, and the generated
/// file stays served until it is fixed.
#[test]
fn content_files_at_generated_paths_are_errors_in_serve() {
    let site = small_site();
    let root = site.path();
    let mut live = started(root);
    let atom = live.page("atom.xml").unwrap();
    let cases: [(&str, &str, &str); 4] = [
        ("content/atom.xml", "<feed/>", "`/atom.xml`"),
        ("content/search/extra.json", "{}", "`/search/`"),
        ("content/api/incidents.json", "[]", "`/api/incidents.json`"),
        (
            "content/clash.md",
            "---\ntitle: Clash\nslug: incidents/ab101\n---\nMine.\n",
            "content/incidents/AB101.md",
        ),
    ];
    for (file, text, names) in cases {
        let o = live.write(file, text);
        let errs = errors(&o);
        assert!(
            errs.iter().any(|e| e.contains(file) && e.contains(names)),
            "{file}: {errs:#?}"
        );
        assert_eq!(
            live.page("atom.xml").unwrap(),
            atom,
            "{file}: the feed stays"
        );
        assert_ok(&live.remove(file), file);
        assert_same_as_full_build(&live);
    }
}

/// Issue 9: deleting or renaming files removes their pages and updates every
/// list, term, feed, search part and API file.
#[test]
fn deleted_and_renamed_files_leave_every_list() {
    let site = small_site();
    let root = site.path();
    let mut live = started(root);
    assert!(live.page("regions/germany/index.html").is_some());
    // AB303 is the only incident in Germany: its term goes with it.
    assert_ok(
        &live.remove("content/incidents/2025/AB303.md"),
        "the deletion",
    );
    assert!(live.page("incidents/ab303/index.html").is_none());
    assert!(live.page("regions/germany/index.html").is_none());
    assert!(live.page("api/incidents/ab303.json").is_none());
    assert!(
        !live
            .page("incidents/index.html")
            .unwrap()
            .contains("Calendar slow")
    );
    assert_same_as_full_build(&live);
    // A rename with a new ID: the old page goes, references follow the new file.
    std::fs::create_dir_all(root.join("content/incidents/moved")).unwrap();
    std::fs::rename(
        root.join("content/incidents/AB101.md"),
        root.join("content/incidents/moved/AB111.md"),
    )
    .unwrap();
    write(
        root,
        "content/incidents/moved/AB111.md",
        &incident(
            "AB111",
            "Mail delayed",
            "services: [Mail]\nregions: [Europe]\n",
            "Mail was late.",
        ),
    );
    write(
        root,
        "content/incidents/AB202.md",
        &incident(
            "AB202",
            "Chat down",
            "services: [Chat]\nrelated: [AB111]\n",
            "Chat.",
        ),
    );
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nSee [the mail delay](incidents/moved/AB111.md).\n",
    );
    let o = live.changed(&[
        "content/incidents/AB101.md",
        "content/incidents/moved",
        "content/incidents/AB202.md",
        "content/about.md",
    ]);
    assert_ok(&o, "the rename");
    assert!(live.page("incidents/ab101/index.html").is_none());
    assert!(live.page("incidents/ab111/index.html").is_some());
    assert_same_as_full_build(&live);
    // A deleted asset and a deleted page.
    assert_ok(&live.remove("content/img/pic.png"), "the image");
    assert!(live.page("img/pic.png").is_none());
    assert_ok(&live.remove("content/about.md"), "the page");
    assert!(live.page("about/index.html").is_none());
    assert_same_as_full_build(&live);
}

/// Issue 9: "now" was read once at start, so "open for" and maintenance
/// states stopped moving. Now pages that read it follow the clock, and only
/// when what they show changes.
#[test]
fn now_advances_in_serve() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "sitrep.toml", CONFIG);
    let epoch: i64 = super::common::EPOCH.parse().unwrap();
    let at = |s: i64| jiff::Timestamp::from_second(epoch + s).unwrap().to_string();
    write(
        root,
        "content/incidents/OP1.md",
        &format!(
            "---\nid: OP1\ntitle: Still broken\nstatus: investigating\nstarted: {}\nservices: [Mail]\n---\nOpen.\n",
            at(-150)
        ),
    );
    write(
        root,
        "content/incidents/MW1.md",
        &format!(
            "---\nid: MW1\ntitle: Planned work\nclassification: maintenance\nstatus: resolved\nstarted: {}\nresolved: {}\nwindow:\n  start: {}\n  end: {}\nservices: [Mail]\n---\nWork.\n",
            at(100),
            at(400),
            at(100),
            at(400)
        ),
    );
    write(
        root,
        "content/incidents/OLD.md",
        &incident("OLD", "Long ago", "services: [Chat]\n", "Done."),
    );
    let mut live = started(root);
    let open = |live: &Live| live.page("incidents/op1/index.html").unwrap();
    assert!(open(&live).contains("2 min"), "{}", open(&live));
    // "Open for" next changes 30 s on (2 min 30 s open at the start).
    let wait = live.wait().expect("a timer");
    assert_eq!(wait.as_secs(), 30);
    live.set_epoch(epoch + 20);
    let o = live.apply(Default::default());
    assert_ok(&o, "an early tick");
    assert_eq!(o.rendered, 0, "nothing shows a change yet");
    live.set_epoch(epoch + 31);
    let o = live.apply(Default::default());
    assert_ok(&o, "the minute");
    assert!(open(&live).contains("3 min"), "{}", open(&live));
    // Only the pages that read "now", or the whole site, are checked.
    assert!(
        o.checked * 2 < live.served.0.len(),
        "a tick checked {} pages of {}",
        o.checked,
        live.served.0.len()
    );
    assert!(
        live.page("incidents/old/index.html").is_some() && o.rendered < 10,
        "only pages that show the time re-render ({} did)",
        o.rendered
    );
    assert_same_as_full_build(&live);
    // The maintenance window begins, then ends.
    let state = |live: &Live| live.page("incidents/mw1/index.html").unwrap();
    assert!(state(&live).contains("Upcoming"));
    live.set_epoch(epoch + 101);
    assert_ok(&live.apply(Default::default()), "the window starts");
    assert!(state(&live).contains("In progress"), "{}", state(&live));
    assert_same_as_full_build(&live);
    live.set_epoch(epoch + 401);
    assert_ok(&live.apply(Default::default()), "the window ends");
    assert!(state(&live).contains("Completed"), "{}", state(&live));
    assert_same_as_full_build(&live);
}

/// Issue 9: a template edit re-rendered every page. Now only the pages whose
/// template is the edited one, extends it, includes it or calls a component
/// it defines are rendered again.
#[test]
fn template_edits_rerender_only_the_pages_that_read_them() {
    let site = small_site();
    let root = site.path();
    let mut live = started(root);
    let theme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let marked = |name: &str, n: usize| {
        let text = std::fs::read_to_string(theme.join(name)).unwrap();
        text.replacen("class=\"", &format!("data-edit=\"{n}\" class=\""), 1)
    };
    let html_pages = |live: &Live, keep: &dyn Fn(&str) -> bool| {
        let pages = live.served.0.keys().filter(|p| p.ends_with(".html"));
        pages.filter(|p| keep(p)).count()
    };
    let terms = html_pages(&live, &|p| {
        ["services/", "regions/", "errors/", "tags/"]
            .iter()
            .any(|t| p.starts_with(t))
            && p.matches('/').count() >= 2
    });
    let o = live.write("templates/term.html", &marked("term.html", 1));
    assert_ok(&o, "term.html");
    assert_eq!(o.rendered, terms, "only the term pages");
    assert!(
        live.page("regions/europe/index.html")
            .unwrap()
            .contains("data-edit=\"1\"")
    );
    assert_same_as_full_build(&live);
    // Every page extends base.html but /embed/, which stands alone.
    let o = live.write("templates/base.html", &marked("base.html", 2));
    assert_ok(&o, "base.html");
    let framed = html_pages(&live, &|p| p != "embed/index.html");
    assert_eq!(o.rendered, framed, "every page but /embed/");
    assert_same_as_full_build(&live);
    // Dropping the override puts the theme's own back, on those pages only.
    let o = live.remove("templates/term.html");
    assert_ok(&o, "term.html removed");
    assert_eq!(o.rendered, terms, "only the term pages again");
    assert_same_as_full_build(&live);
}

/// A patched rebuild (a body edit, no re-link) reported no warnings at all,
/// so another file's standing warning vanished from the terminal and the
/// browser overlay until the next full link.
#[test]
fn a_patched_rebuild_keeps_other_files_warnings() {
    let site = small_site();
    let root = site.path();
    // Resolved with no `resolved` time: a warning, not an error.
    let unresolved = "---\nid: AB404\ntitle: Files stuck\nstatus: resolved\nstarted: 2026-03-03T10:00:00Z\nservices: [Mail]\n---\nStuck.\n";
    write(root, "content/incidents/AB404.md", unresolved);
    let mut live = started(root);
    let warned = |o: &Outcome| -> Vec<String> {
        o.diags
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| format!("{}: {}", d.file, d.message))
            .collect()
    };
    let patched = |o: &Outcome| o.timings.iter().any(|(n, _)| *n == "patch");

    let edit = ab101("Mail was very late.");
    let o = live.write("content/incidents/AB101.md", &edit);
    assert_ok(&o, "the body edit");
    assert!(patched(&o), "a body edit patches: {:?}", o.timings);
    let w = warned(&o);
    assert!(
        w.len() == 1 && w[0].starts_with("content/incidents/AB404.md: `status` is `resolved`"),
        "{w:?}"
    );

    // The warned file's own body edit: still warned, its own parse warning
    // coming with the patch.
    let o = live.write(
        "content/incidents/AB404.md",
        &unresolved.replace("Stuck.", "Still stuck."),
    );
    assert!(patched(&o), "{:?}", o.timings);
    assert_eq!(warned(&o).len(), 1, "{:?}", warned(&o));
    // Fixed: the warning goes, on whichever path the fix takes.
    let fixed = unresolved.replace("started:", "resolved: 2026-03-03T11:00:00Z\nstarted:");
    let o = live.write("content/incidents/AB404.md", &fixed);
    assert_ok(&o, "the fix");
    assert!(warned(&o).is_empty(), "{:?}", warned(&o));
    // And a later patch does not bring it back.
    let o = live.write(
        "content/incidents/AB101.md",
        &edit.replace("very", "really"),
    );
    assert!(
        patched(&o) && warned(&o).is_empty(),
        "{:?} {:?}",
        o.timings,
        warned(&o)
    );
    assert_same_as_full_build(&live);
}

/// An internal note's label is the theme's `incident.internal` string, and
/// rendered Markdown holds it: editing the site's strings must re-render the
/// cached Markdown, not only the templates.
#[test]
fn an_internal_notes_label_follows_the_sites_strings() {
    let site = small_site();
    let root = site.path();
    write(root, "sitrep.toml", &format!("{CONFIG}language = \"de\"\n"));
    let body = "Mail was late.\n\n```internal\nThe pager was silent.\n```\n";
    write(root, "content/incidents/AB101.md", &ab101(body));
    let (mut live, o) = Live::start_as(root, true);
    assert_ok(&o, "the first build");
    let label = |live: &Live| {
        let page = live.page("incidents/ab101/index.html").unwrap();
        let at = page
            .find("<p class=\"internal-label\">")
            .expect("an internal note");
        page[at..].split(['>', '<']).nth(2).unwrap().to_string()
    };
    assert_eq!(label(&live), "Intern");
    assert_same_as_full_build(&live);
    let o = live.write("i18n/de.toml", "[incident]\ninternal = \"Nur intern\"\n");
    assert_ok(&o, "the site's strings");
    assert_same_as_full_build(&live);
    assert_eq!(label(&live), "Nur intern");
}
