//! Issue 9, step 5: front-matter edits patch the kept site instead of
//! re-linking it (regions, services, tags, status, related, a body naming
//! another incident). Each edit must take the patch path and leave every
//! served file equal to a full build — term pages that shift, terms that
//! appear and vanish, backlinks, service status on every page of a service,
//! and the memo's cards, search keys and API records across a clock move.

use super::common::write;
use super::equal::{Live, assert_ok, assert_same_as_full_build};
use sitrep::serve::incremental::Outcome;

struct Inc {
    id: String,
    day: i64,
    services: &'static str,
    regions: &'static str,
    status: &'static str,
    extra: String,
    body: String,
}

impl Inc {
    fn new(n: usize) -> Inc {
        Inc {
            id: format!("FM{n:03}"),
            day: n as i64,
            services: ["Mail", "Chat", "Files"][n % 3],
            regions: ["Europe", "Asia", "Americas"][n % 3 + n % 2 - (n % 3 + n % 2) / 3 * 3],
            status: "resolved",
            extra: String::new(),
            body: format!("Incident {n} body.\n\nMore text about it."),
        }
    }

    fn path(&self) -> String {
        format!("content/incidents/{}.md", self.id)
    }

    fn text(&self) -> String {
        let started = jiff::Timestamp::from_second(1_767_225_600 + self.day * 43_200).unwrap();
        let resolved = if self.status == "resolved" {
            format!(
                "resolved: {}\n",
                started + jiff::SignedDuration::from_mins(90)
            )
        } else {
            String::new()
        };
        format!(
            "---\nid: {}\ntitle: Incident {}\nservices: [{}]\nregions: [{}]\nstatus: {}\nstarted: {started}\n{resolved}{}---\n{}\n",
            self.id, self.id, self.services, self.regions, self.status, self.extra, self.body
        )
    }
}

fn patched(o: &Outcome) -> bool {
    o.timings.iter().any(|(n, _)| *n == "patch")
}

/// Write incident `n` as `edit` leaves it; the rebuild must patch, and equal a full build.
fn edit(
    live: &mut Live,
    incs: &mut [Inc],
    n: usize,
    what: &str,
    patch: bool,
    f: impl FnOnce(&mut Inc),
) {
    f(&mut incs[n]);
    let o = live.write(&incs[n].path(), &incs[n].text());
    assert_ok(&o, what);
    assert_eq!(
        patched(&o),
        patch,
        "{what}: patch path taken? {:?}",
        o.timings
    );
    assert_same_as_full_build(live);
}

#[test]
fn issue_9_front_matter_edits_patch_and_equal_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "sitrep.toml",
        "title = \"FM\"\nbase_url = \"https://example.org/fm/\"\npaginate_by = 3\n",
    );
    let mut incs: Vec<Inc> = (0..24).map(Inc::new).collect();
    incs[20].extra = "related: [FM003]\n".into();
    for i in &incs {
        write(root, &i.path(), &i.text());
    }
    write(
        root,
        "content/news/story.md",
        "---\ntitle: A story\ndate: 2026-02-01T10:00:00Z\nincidents: [FM010]\n---\nAbout FM010.\n",
    );
    let (mut live, o) = Live::start(root);
    assert_ok(&o, "first build");

    // A middle incident changes region: two term lists shift from its place.
    edit(&mut live, &mut incs, 10, "region move", true, |i| {
        i.regions = "Asia, Oceania"
    });
    edit(&mut live, &mut incs, 10, "region back", true, |i| {
        i.regions = "Europe"
    });
    // Open again: its service's status changes on every page of that service.
    edit(&mut live, &mut incs, 7, "status", true, |i| {
        i.status = "investigating"
    });
    // A new service and a tag: new terms, new feeds; then they vanish.
    edit(&mut live, &mut incs, 5, "new terms", true, |i| {
        i.services = "Mail, Voice";
        i.extra = "tags: [dns]\n".into();
    });
    edit(&mut live, &mut incs, 5, "terms gone", true, |i| {
        i.services = "Chat";
        i.extra.clear();
    });
    // Related added and removed: the target's backlinks follow.
    edit(&mut live, &mut incs, 15, "related added", true, |i| {
        i.extra = "related: [FM002]\n".into();
    });
    edit(&mut live, &mut incs, 20, "related removed", true, |i| {
        i.extra.clear()
    });
    // A body that names another incident makes a backlink too.
    edit(&mut live, &mut incs, 12, "body mention", true, |i| {
        i.body = "Like FM004, but worse.".into();
    });
    // The clock moves: cards (which read "now") must not be reused stale.
    live.set_epoch(live.epoch() + 86_400);
    edit(&mut live, &mut incs, 7, "after a clock move", true, |i| {
        i.regions = "Americas";
    });
    // A new start moves it in every list: that needs a re-link.
    edit(&mut live, &mut incs, 3, "start moved", false, |i| {
        i.day = 30
    });
    edit(
        &mut live,
        &mut incs,
        3,
        "patched after a re-link",
        true,
        |i| {
            i.regions = "Europe, Asia";
        },
    );
    // Two spellings of one term: the patch refuses, the link reports it.
    incs[9].regions = "Zürich";
    let o = live.write(&incs[9].path(), &incs[9].text());
    assert_ok(&o, "Zürich");
    incs[11].regions = "Zurich";
    let o = live.write(&incs[11].path(), &incs[11].text());
    assert!(
        !patched(&o) && !o.ok,
        "a slug clash is a link error: {:?}",
        o.timings
    );
    edit(&mut live, &mut incs, 11, "clash fixed", false, |i| {
        i.regions = "Zürich"
    });
    assert_same_as_full_build(&live);
}
