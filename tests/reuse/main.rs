//! `sitrep build` reusing the previous build's pages (issue 21, step 2): the
//! real binary into its own output folder, compared file by file (the file
//! set and every byte) with a fresh build of the same site into a new folder.
//! Random edit sequences (the generators of serve's property test), a
//! hand-edited output file, builds killed at random moments, and builds that
//! may not reuse anything (first build, another output folder).
//!
//! `SITREP_REUSE_SEEDS=a..b` picks the seeds (default `0..2`).

#[path = "../common/mod.rs"]
mod common;

use common::edits::{Clock, Model, Rng, edit};
use common::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// "Now" for the builds: `SOURCE_DATE_EPOCH`, moved by the edits.
struct Epoch(Cell<i64>);

impl Clock for Epoch {
    fn epoch(&self) -> i64 {
        self.0.get()
    }
    fn set_epoch(&self, secs: i64) {
        self.0.set(secs);
    }
}

fn build(root: &Path, out: &Path, epoch: i64) -> Output {
    Command::new(BIN)
        .args(["build", "--timings", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// HTML pages (rendered, reused) from `--timings`.
fn counts(o: &Output) -> (usize, usize) {
    counts_of(o, "html ")
}

/// Machine jobs (feeds, API files, badges, …) (run, reused) from `--timings`.
fn jobs(o: &Output) -> (usize, usize) {
    counts_of(o, "machine ")
}

fn counts_of(o: &Output, what: &str) -> (usize, usize) {
    let text = stderr(o);
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(what))
        .unwrap_or_else(|| panic!("no {what}counts in:\n{text}"));
    let (r, k) = line.trim().split_once(" rendered, ").unwrap();
    (
        r.parse().unwrap(),
        k.trim_end_matches(" reused").parse().unwrap(),
    )
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// The output equals a fresh build into a new folder: same files, same bytes.
fn assert_fresh(root: &Path, out: &Path, epoch: i64, what: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("fresh");
    let o = build(root, &fresh, epoch);
    assert!(o.status.success(), "{what}: fresh build: {}", stderr(&o));
    let (a, b) = (tree(out), tree(&fresh));
    let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{what}: the file sets differ");
    for (f, bytes) in &a {
        assert!(
            *bytes == b[f],
            "{what}: {f} differs from a fresh build:\n--- reused\n{}\n--- fresh\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&b[f])
        );
    }
}

fn seeds() -> std::ops::Range<u64> {
    let spec = std::env::var("SITREP_REUSE_SEEDS").unwrap_or_else(|_| "0..2".into());
    let (a, b) = spec.split_once("..").expect("SITREP_REUSE_SEEDS=a..b");
    a.trim().parse().unwrap()..b.trim().parse().unwrap()
}

/// One seed: batches of one to three random edits, a build after each, and
/// the output compared with a fresh build whenever the build succeeded.
/// Returns the pages and the machine jobs (rendered, reused) over all builds.
fn run_seed(seed: u64) -> [(usize, usize); 2] {
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let out = dir.path().join("public");
    let mut m = Model::new(&mut rng);
    m.write_all(&root);
    let clock = Epoch(Cell::new(1_780_000_000));
    let o = build(&root, &out, clock.epoch());
    assert!(
        o.status.success(),
        "seed {seed}: first build: {}",
        stderr(&o)
    );
    assert_eq!(counts(&o).1, 0, "a first build reuses nothing");
    let (mut rendered, mut reused) = (0, 0);
    let (mut run, mut kept) = (0, 0);
    let mut log = Vec::new();
    let edits = 15 + rng.below(16);
    let mut done = 0;
    while done < edits {
        let mut names = Vec::new();
        for _ in 0..1 + rng.below(3) {
            names.push(edit(&mut rng, &mut m, &root, &clock).1);
            done += 1;
        }
        let o = build(&root, &out, clock.epoch());
        log.push(format!("{names:?} -> {}", o.status));
        if !o.status.success() {
            assert!(!m.broken.is_empty(), "seed {seed}: {}", stderr(&o));
            continue;
        }
        let (r, k) = counts(&o);
        rendered += r;
        reused += k;
        let (r, k) = jobs(&o);
        run += r;
        kept += k;
        let what = format!("seed {seed} after:\n{}", log.join("\n"));
        assert_fresh(&root, &out, clock.epoch(), &what);
    }
    [(rendered, reused), (run, kept)]
}

#[test]
fn random_edit_sequences_build_what_a_fresh_build_does() {
    let [(mut rendered, mut reused), (mut run, mut kept)] = [(0, 0); 2];
    for seed in seeds() {
        let [(r, k), (jr, jk)] = run_seed(seed);
        (rendered, reused, run, kept) = (rendered + r, reused + k, run + jr, kept + jk);
    }
    eprintln!("pages over all rebuilds: {rendered} rendered, {reused} reused");
    eprintln!("machine jobs over all rebuilds: {run} run, {kept} reused");
    // Reuse must happen, or the test proves only full builds.
    assert!(reused > rendered, "{rendered} rendered, {reused} reused");
    assert!(kept > run, "machine jobs: {run} run, {kept} reused");
}

/// A small site from the generator, built once into `public/`.
fn small_site(seed: u64) -> (tempfile::TempDir, Model) {
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let m = Model::new(&mut rng);
    m.write_all(&dir.path().join("site"));
    (dir, m)
}

const EPOCH_N: i64 = 1_780_000_000;

#[test]
fn a_hand_edited_output_file_is_rendered_again() {
    let (dir, _) = small_site(7);
    let (root, out) = (dir.path().join("site"), dir.path().join("public"));
    assert!(build(&root, &out, EPOCH_N).status.success());
    let page = out.join("incidents/pr0005/index.html");
    let good = std::fs::read(&page).unwrap();
    // The same size and a new time; then another size; then a new inode
    // with the time of the original.
    let same_size = String::from_utf8(good.clone())
        .unwrap()
        .replacen("<html", "<HTML", 1);
    type HandEdit<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let edits: [HandEdit; 3] = [
        (
            "same size",
            Box::new(|| std::fs::write(&page, &same_size).unwrap()),
        ),
        (
            "longer",
            Box::new(|| std::fs::write(&page, "hand edit").unwrap()),
        ),
        (
            "replaced",
            Box::new(|| {
                let tmp = out.join("incidents/pr0005/tmp");
                std::fs::write(&tmp, &same_size).unwrap();
                let t = std::fs::metadata(&page).unwrap().modified().unwrap();
                std::fs::File::options()
                    .write(true)
                    .open(&tmp)
                    .unwrap()
                    .set_modified(t)
                    .unwrap();
                std::fs::rename(&tmp, &page).unwrap();
            }),
        ),
    ];
    for (what, hand_edit) in edits {
        // Reused from the manifest before the hand edit.
        let o = build(&root, &out, EPOCH_N);
        assert_eq!(counts(&o).0, 0, "{what}: {}", stderr(&o));
        std::thread::sleep(Duration::from_millis(15));
        hand_edit();
        let o = build(&root, &out, EPOCH_N);
        assert_eq!(counts(&o).0, 1, "{what}: only the edited page renders");
        assert_eq!(std::fs::read(&page).unwrap(), good, "{what}");
        assert_fresh(&root, &out, EPOCH_N, what);
    }
}

/// Each output file's inode and modification time.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    files(dir)
        .into_iter()
        .map(|f| {
            let m = std::fs::metadata(dir.join(&f)).unwrap();
            (f, (m.ino(), m.modified().unwrap()))
        })
        .collect()
}

#[test]
fn machine_outputs_are_reused_unless_their_reads_or_files_changed() {
    let (dir, mut m) = small_site(7);
    let (root, out) = (dir.path().join("site"), dir.path().join("public"));
    let o = build(&root, &out, EPOCH_N);
    assert!(o.status.success(), "{}", stderr(&o));
    let (all, none) = jobs(&o);
    assert_eq!(none, 0, "a first build runs every job");
    // Nothing changed: no job runs, no file is touched.
    let before = stamps(&out);
    let o = build(&root, &out, EPOCH_N);
    assert_eq!(jobs(&o), (0, all), "{}", stderr(&o));
    assert_eq!(stamps(&out), before);
    // A hand-edited API record: its job runs again and writes it back.
    let api = out.join("api/incidents/pr0005.json");
    let good = std::fs::read(&api).unwrap();
    std::thread::sleep(Duration::from_millis(15));
    std::fs::write(&api, b"{}").unwrap();
    let o = build(&root, &out, EPOCH_N);
    assert_eq!(jobs(&o), (1, all - 1), "{}", stderr(&o));
    assert_eq!(std::fs::read(&api).unwrap(), good);
    // A body edit runs the jobs that read that incident (its record, the
    // site-wide files, its terms' feeds), not every incident's record.
    let mut rng = Rng(5);
    let inc = m
        .incidents
        .get_mut(&5)
        .expect("the generator writes PR0005");
    inc.body = common::edits::body(&mut rng, None);
    write(&root, &inc.path(), &inc.text());
    let o = build(&root, &out, EPOCH_N);
    let (run, kept) = jobs(&o);
    assert!(run > 1 && kept > run, "{run} run, {kept} reused");
    assert_fresh(&root, &out, EPOCH_N, "after a body edit");
}

#[test]
fn a_first_build_another_output_or_a_lost_manifest_renders_everything() {
    let (dir, _) = small_site(3);
    let root = dir.path().join("site");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let first = counts(&build(&root, &a, EPOCH_N));
    assert_eq!(first.1, 0);
    assert_eq!(counts(&build(&root, &a, EPOCH_N)), (0, first.0));
    // Another folder: nothing of `a`'s is taken for it.
    assert_eq!(counts(&build(&root, &b, EPOCH_N)), first);
    // Built elsewhere, `a`'s own manifest still holds.
    assert_eq!(counts(&build(&root, &a, EPOCH_N)), (0, first.0));
    let manifest = dir.path().join(".sitrep-manifest-a");
    assert!(manifest.is_file());
    // Not a manifest: everything renders, and a sound one is written again.
    std::fs::write(&manifest, "garbage").unwrap();
    assert_eq!(counts(&build(&root, &a, EPOCH_N)), first);
    assert_eq!(counts(&build(&root, &a, EPOCH_N)), (0, first.0));
    std::fs::remove_file(&manifest).unwrap();
    assert_eq!(counts(&build(&root, &a, EPOCH_N)), first);
    // The manifest lives beside the output, never in it.
    assert!(!files(&a).iter().any(|f| f.contains("manifest")));
    assert_fresh(&root, &a, EPOCH_N, "after a lost manifest");
}

#[test]
fn a_build_killed_at_any_moment_is_recovered_and_reuse_stays_right() {
    let (dir, mut m) = small_site(11);
    let (root, out) = (dir.path().join("site"), dir.path().join("public"));
    assert!(build(&root, &out, EPOCH_N).status.success());
    let mut rng = Rng(99);
    // How long a rebuild after a body edit takes, so kills land inside one.
    let clock = Instant::now();
    let body_edit = |m: &mut Model, rng: &mut Rng| {
        let n = 40 + rng.below(100);
        if let Some(inc) = m.incidents.get_mut(&n) {
            inc.body = common::edits::body(rng, None);
            write(&root, &inc.path(), &inc.text());
        }
    };
    body_edit(&mut m, &mut rng);
    assert!(build(&root, &out, EPOCH_N).status.success());
    let took = clock.elapsed();
    for percent in [5, 20, 40, 55, 70, 80, 90, 95, 100] {
        body_edit(&mut m, &mut rng);
        let args = ["build".as_ref(), "--root".as_ref(), root.as_os_str()];
        let args = [&args[..], &["--output".as_ref(), out.as_os_str()]].concat();
        killed_after(&args, &EPOCH_N.to_string(), took * percent / 100);
        // Another edit, then the build that recovers and reuses what it can.
        body_edit(&mut m, &mut rng);
        let o = build(&root, &out, EPOCH_N);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_fresh(&root, &out, EPOCH_N, &format!("after a kill at {percent}%"));
    }
}

/// Large enough that texts are packed against dictionaries built from
/// whichever texts parallel parsing met first: the same unedited site must
/// still be recognised as the same, page for page.
#[test]
fn an_unedited_site_of_packed_texts_reuses_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write(
        &root,
        "sitrep.toml",
        "title = \"Packed\"\nbase_url = \"https://example.org/\"\n",
    );
    let words = [
        "mailbox", "queue", "relay", "tenant", "token", "region", "latency", "rollback",
    ];
    for n in 0..400 {
        let body: String = (0..60)
            .map(|k| words[(n * 7 + k * 3) % words.len()])
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!(
            "---\nid: PK{n:04}\ntitle: Incident {n}\nservices: [Mail]\nstatus: resolved\nstarted: 2026-03-01T10:00:00Z\nresolved: 2026-03-01T11:00:00Z\n---\n{body}.\n\n{body} again, {n}.\n"
        );
        write(&root, &format!("content/incidents/PK{n:04}.md"), &text);
    }
    let out = dir.path().join("out");
    let first = build(&root, &out, 1_780_000_000);
    assert!(first.status.success(), "{}", stderr(&first));
    for _ in 0..3 {
        let again = build(&root, &out, 1_780_000_000);
        assert!(again.status.success(), "{}", stderr(&again));
        let (rendered, reused) = counts(&again);
        assert_eq!(
            rendered, 0,
            "nothing changed, yet {rendered} pages rendered ({reused} reused)"
        );
    }
}
