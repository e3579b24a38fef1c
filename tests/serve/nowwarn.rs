//! Warnings that need "now" in serve (issue 18, step 4): the stale-update
//! warning follows serve's clock — its own timer wakes at the instant, the
//! checks run with no render — and goes with an update; "did you mean to
//! relate" follows edits on every rebuild path (front-matter patch, body
//! patch, re-link), also in a file the edit did not touch. Each time the
//! engine's warnings equal `sitrep check`'s at the same "now". Then the real
//! binary: the status JSON and the event stream carry them, and the
//! terminal prints them once.

use super::common::serve::{Serve, wait_for};
use super::common::{BIN, EPOCH, write};
use super::equal::*;
use super::stream::Events;
use sitrep::serve::incremental::Outcome;
use std::path::Path;
use std::process::Command;

const CONFIG: &str = "title = \"Test Desk\"\nbase_url = \"https://example.org/desk/\"\ntimezone = \"UTC\"\nstale_after = \"2h\"\n";

fn epoch() -> i64 {
    EPOCH.parse().unwrap()
}

/// `EPOCH + s` as the front matter writes it.
fn at(s: i64) -> String {
    jiff::Timestamp::from_second(epoch() + s)
        .unwrap()
        .to_string()
}

/// O1, open: started at -3570 s (so "open for" turns a minute at +30 s,
/// +90 s, …), its last update at -3000 s, so it turns stale a second after
/// +4200 s. `extra` goes into the front matter, `entries` after the first.
fn o1(extra: &str, entries: &str, body: &str) -> String {
    format!(
        "---\nid: O1\ntitle: Mail bounces\nservices: [Mail]\nstatus: investigating\nstarted: {}\n{extra}timeline:\n  - at: {}\n    text: Looking.\n{entries}---\n{body}\n",
        at(-3570),
        at(-3000)
    )
}

/// R1, resolved long ago, with the error O1 may come to share.
fn r1(extra: &str, body: &str) -> String {
    format!(
        "---\nid: R1\ntitle: Mail bounced before\nservices: [Mail]\nstatus: resolved\nstarted: 2026-03-02T10:00:00Z\nresolved: 2026-03-02T12:00:00Z\nerrors: [SuspiciousRemoteServerError]\n{extra}---\n{body}\n"
    )
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "sitrep.toml", CONFIG);
    write(
        root,
        "content/incidents/O1.md",
        &o1("", "", "Mail bounces."),
    );
    write(root, "content/incidents/R1.md", &r1("", "It bounced."));
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\nWe track outages.\n",
    );
    dir
}

/// (file, line, message) of each warning.
type Warned = Vec<(String, usize, String)>;

fn warned(o: &Outcome) -> Warned {
    let mut w: Warned = o
        .diags
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| (d.file.clone(), d.line, d.message.clone()))
        .collect();
    w.sort();
    w
}

/// `sitrep check --format json`'s warnings at the live clock.
fn check_warnings(root: &Path, epoch: i64) -> Warned {
    let o = Command::new(BIN)
        .args(["check", "--format", "json", "--root"])
        .arg(root)
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut w: Warned = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "warning")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as usize,
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    w.sort();
    w
}

/// The engine's warnings are `check`'s, at the same "now".
fn assert_same_as_check(live: &Live, o: &Outcome, what: &str) {
    assert_eq!(
        warned(o),
        check_warnings(&live.root, live.epoch()),
        "{what}: serve's warnings against check's"
    );
}

fn patched(o: &Outcome) -> bool {
    o.timings.iter().any(|(n, _)| *n == "patch")
}

fn stale(w: &Warned) -> Vec<&(String, usize, String)> {
    w.iter()
        .filter(|(_, _, m)| m.contains("`stale_after`"))
        .collect()
}

fn relate(w: &Warned) -> Vec<&(String, usize, String)> {
    w.iter()
        .filter(|(_, _, m)| m.starts_with("did you mean to relate"))
        .collect()
}

#[test]
fn a_stale_warning_appears_on_its_own_timer_and_goes_with_an_update() {
    let dir = site();
    let (mut live, o) = Live::start(dir.path());
    assert_ok(&o, "the first build");
    assert!(warned(&o).is_empty(), "{:?}", warned(&o));

    // After the minute tick at +4170 s the next change of a page is +4230 s,
    // but the stale warning comes first: the timer wakes for it, in 11 s.
    live.set_epoch(epoch() + 4190);
    let o = live.apply(Default::default());
    assert_ok(&o, "the tick at +4190 s");
    assert!(o.rendered > 0, "\"open for\" moved");
    assert!(warned(&o).is_empty(), "not stale yet: {:?}", warned(&o));
    assert_eq!(live.wait().map(|d| d.as_secs()), Some(11));

    // The timer fires: the checks run, nothing is rendered or even checked.
    live.set_epoch(epoch() + 4201);
    let o = live.apply(Default::default());
    assert_ok(&o, "the stale instant");
    assert_eq!((o.rendered, o.checked), (0, 0), "the checks alone ran");
    let w = warned(&o);
    assert_eq!(
        stale(&w),
        [&(
            "content/incidents/O1.md".to_string(),
            8,
            "O1 is open and its last update was 2 h ago, longer than `stale_after` (2 h)"
                .to_string()
        )],
        "the warning points at the last entry's `at`"
    );
    assert_same_as_check(&live, &o, "stale");
    // Next: the page's minute, at +4230 s.
    assert_eq!(live.wait().map(|d| d.as_secs()), Some(29));

    // A body edit of the warned file (patched in place) keeps the warning.
    live.set_epoch(epoch() + 4210);
    let o = live.write("content/incidents/O1.md", &o1("", "", "Still bouncing."));
    assert_ok(&o, "the body edit");
    assert!(patched(&o), "{:?}", o.timings);
    assert_eq!(stale(&warned(&o)).len(), 1, "{:?}", warned(&o));
    assert_same_as_check(&live, &o, "after the body edit");

    // An update appended to the timeline (a front-matter patch): gone.
    live.set_epoch(epoch() + 4300);
    let entry = format!("  - at: {}\n    text: Found it.\n", at(4290));
    let o = live.write(
        "content/incidents/O1.md",
        &o1("", &entry, "Still bouncing."),
    );
    assert_ok(&o, "the update");
    assert!(patched(&o), "{:?}", o.timings);
    assert!(warned(&o).is_empty(), "{:?}", warned(&o));
    assert_same_as_check(&live, &o, "after the update");
    assert_same_as_full_build(&live);

    // Two hours on, stale again (the clock passes the new instant); the
    // page's minute ticks come in between, and each keeps the count right.
    let due = 4290 + 7201;
    assert!(live.wait().unwrap().as_secs() <= 60);
    live.set_epoch(epoch() + due - 1);
    assert!(warned(&live.apply(Default::default())).is_empty());
    live.set_epoch(epoch() + due);
    let o = live.apply(Default::default());
    assert_eq!(stale(&warned(&o)).len(), 1, "{:?}", warned(&o));
    // A new file forces a re-link: the warning stands there too.
    let o = live.write(
        "content/news/note.md",
        "---\ntitle: A note\ndate: 2026-03-04T09:00:00Z\n---\nText.\n",
    );
    assert_ok(&o, "the new story");
    assert!(!patched(&o), "a new file re-links: {:?}", o.timings);
    assert_eq!(stale(&warned(&o)).len(), 1, "{:?}", warned(&o));
    assert_same_as_check(&live, &o, "after the re-link");
    assert_same_as_full_build(&live);
}

#[test]
fn did_you_mean_to_relate_follows_edits_on_every_path() {
    let dir = site();
    let (mut live, o) = Live::start(dir.path());
    assert_ok(&o, "the first build");
    let o1_path = "content/incidents/O1.md";
    let shared = "errors: [SuspiciousRemoteServerError]\n";

    // O1 now lists R1's error: a front-matter patch, and the warning in O1.
    let o = live.write(o1_path, &o1(shared, "", "Mail bounces."));
    assert_ok(&o, "the shared error");
    assert!(patched(&o), "{:?}", o.timings);
    let w = warned(&o);
    assert_eq!(
        relate(&w),
        [&(
            o1_path.to_string(),
            7,
            "did you mean to relate R1 (same error SuspiciousRemoteServerError)?".to_string()
        )],
        "{w:?}"
    );
    assert_same_as_check(&live, &o, "the shared error");

    // Body edits, of O1 and of R1, keep it.
    let o = live.write(o1_path, &o1(shared, "", "Mail bounces a lot."));
    assert!(patched(&o) && relate(&warned(&o)).len() == 1, "{:?}", o);
    let o = live.write("content/incidents/R1.md", &r1("", "It bounced, twice."));
    assert!(patched(&o) && relate(&warned(&o)).len() == 1, "{:?}", o);
    assert_same_as_check(&live, &o, "after the body edits");

    // R1 relates O1 (front matter of the other file; IDs in any case): O1's warning goes.
    let o = live.write(
        "content/incidents/R1.md",
        &r1("related: [o1]\n", "It bounced, twice."),
    );
    assert_ok(&o, "R1 relates O1");
    assert!(patched(&o), "{:?}", o.timings);
    assert!(relate(&warned(&o)).is_empty(), "{:?}", warned(&o));
    assert_same_as_check(&live, &o, "R1 relates O1");

    // Undone: back. Then O1 relates R1 through a re-link (its start moves).
    let o = live.write("content/incidents/R1.md", &r1("", "It bounced, twice."));
    assert_eq!(relate(&warned(&o)).len(), 1, "{:?}", warned(&o));
    let moved = o1(&format!("{shared}related: [R1]\n"), "", "Mail bounces.")
        .replace(&at(-3570), &at(-3560));
    let o = live.write(o1_path, &moved);
    assert_ok(&o, "O1 relates R1");
    assert!(!patched(&o), "a new start re-links: {:?}", o.timings);
    assert!(relate(&warned(&o)).is_empty(), "{:?}", warned(&o));
    assert_same_as_check(&live, &o, "O1 relates R1");
    assert_same_as_full_build(&live);
}

/// The real binary, with "now" held by SOURCE_DATE_EPOCH: the status JSON
/// and the event stream carry the warnings (file, line, message, hint), an
/// update clears them, and the terminal prints them once, not per rebuild.
#[test]
fn serve_reports_now_warnings_in_status_events_and_terminal() {
    let dir = site();
    let root = dir.path();
    // Stale at EPOCH: the last update 2 h 10 min before.
    let old = |s: i64| s - 7800 + 3000;
    let text = o1("", "", "Mail bounces.")
        .replace(&at(-3000), &at(old(-3000)))
        .replace(&at(-3570), &at(old(-3570)));
    write(root, "content/incidents/O1.md", &text);
    let s = Serve::start(root);
    s.settle();
    let st = s.status();
    let w = st["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{st}");
    assert_eq!(w[0]["file"], "content/incidents/O1.md");
    assert_eq!(w[0]["line"], 8);
    assert_eq!(w[0]["severity"], "warning");
    assert_eq!(
        w[0]["message"],
        "O1 is open and its last update was 2 h 10 min ago, longer than `stale_after` (2 h)"
    );
    assert!(w[0]["hint"].as_str().unwrap().contains("sitrep update O1"));
    assert_eq!(st["errors"], serde_json::json!([]));
    let generation = st["warnings_generation"].as_u64().unwrap();

    // A stream opens with the state, warnings included.
    let mut events = Events::open(s.port);
    let first = events.until(|e| e.contains("event: state"));
    let data: serde_json::Value = serde_json::from_str(
        first
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(data["warnings"], st["warnings"]);

    // Two edits that leave the warning: printed once in all.
    write(root, "content/about.md", "---\ntitle: About\n---\nOne.\n");
    s.wait_page("/about/", "the first edit", |t| t.contains("One."));
    write(root, "content/about.md", "---\ntitle: About\n---\nTwo.\n");
    s.wait_page("/about/", "the second edit", |t| t.contains("Two."));
    s.settle();
    let log = s.log();
    assert_eq!(log.matches("O1 is open").count(), 1, "{log}");
    assert_eq!(s.status()["warnings_generation"], generation);

    // An update: a state event without the warning, and the status agrees.
    let entry = format!("  - at: {}\n    text: Found it.\n", at(-60));
    write(
        root,
        "content/incidents/O1.md",
        &text.replace("---\nMail", &format!("{entry}---\nMail")),
    );
    let e = events.until(|e| e.contains("event: state") && e.contains("\"warnings\":[]"));
    assert!(e.contains("\"errors\":[]"), "{e}");
    let st = wait_for(15, "the warnings to clear", || {
        let st = s.status();
        (st["warnings"] == serde_json::json!([])).then_some(st)
    });
    assert!(st["warnings_generation"].as_u64().unwrap() > generation);
    s.settle();
    assert!(s.log().contains("sitrep: no warnings left"), "{}", s.log());
}
