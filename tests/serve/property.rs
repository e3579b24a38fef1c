//! Property: whatever sequence of edits serve follows, what it serves equals
//! a full build of the files it ends with. Over seeds, a generated site of
//! ~200 incidents gets 20–50 random edits in batches of one to three: body
//! and front matter edits (regions, errors, status, severity, related, dates,
//! drafts), new, deleted and renamed files, broken files and their fixes,
//! news, pages, config edits (`[groups]` on and off, with a member that has
//! no incident) and template edits (`/embed/` among them), and the clock
//! moving. Severities and recent days make uptime, groups, `/embed/` and
//! `/api/services.json` move with the edits and the clock. Broken files are fixed
//! before the comparison (a build of a broken site has nothing to compare).
//!
//! `SITREP_PROPERTY_SEEDS=a..b` picks the seeds (default `0..2`, to keep CI
//! short); `bench/serve-property.sh` runs a longer range.

use super::common::edits::*;
use super::common::write;
use super::equal::*;

impl Clock for Live {
    fn epoch(&self) -> i64 {
        Live::epoch(self)
    }
    fn set_epoch(&self, secs: i64) {
        Live::set_epoch(self, secs)
    }
}

/// How many batches took the patch path (no re-link).
fn run_seed(seed: u64) -> usize {
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut m = Model::new(&mut rng);
    m.write_all(root);
    let (mut live, o) = Live::start(root);
    assert_ok(&o, &format!("seed {seed}: the first build"));
    let mut log = Vec::new();
    let edits = 20 + rng.below(31);
    let mut done = 0;
    let mut patched = 0;
    let every = std::env::var_os("SITREP_PROPERTY_EVERY").is_some();
    while done < edits {
        let mut batch = Vec::new();
        let mut names = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let (touched, what) = edit(&mut rng, &mut m, root, &live);
            batch.extend(touched);
            names.push(what);
            done += 1;
        }
        let paths: Vec<&str> = batch.iter().map(String::as_str).collect();
        let o = live.changed(&paths);
        if o.timings.iter().any(|(n, _)| *n == "patch") {
            patched += 1;
        }
        log.push(format!("{names:?} -> {} errors", errors(&o).len()));
        // `SITREP_PROPERTY_EVERY=1` (bench/): compare after every good batch too.
        if every && m.broken.is_empty() && errors(&o).is_empty() {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                assert_same_as_full_build(&live);
            }));
            if let Err(e) = r {
                eprintln!(
                    "seed {seed} failed after these batches:\n{}",
                    log.join("\n")
                );
                std::panic::resume_unwind(e);
            }
        }
    }
    // Fix what is still broken, then compare.
    let fixes: Vec<(String, String)> = std::mem::take(&mut m.broken).into_iter().collect();
    for (p, good) in &fixes {
        write(root, p, good);
    }
    let paths: Vec<&str> = fixes.iter().map(|(p, _)| p.as_str()).collect();
    let o = live.changed(&paths);
    let log = log.join("\n");
    assert!(
        errors(&o).is_empty(),
        "seed {seed}: errors after the fixes: {:#?}\nedits:\n{log}",
        errors(&o)
    );
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_same_as_full_build(&live);
    }));
    if let Err(e) = result {
        eprintln!("seed {seed} failed after these batches:\n{log}");
        std::panic::resume_unwind(e);
    }
    patched
}

fn seeds() -> std::ops::Range<u64> {
    let spec = std::env::var("SITREP_PROPERTY_SEEDS").unwrap_or_else(|_| "0..2".into());
    let (a, b) = spec.split_once("..").expect("SITREP_PROPERTY_SEEDS=a..b");
    a.trim().parse().unwrap()..b.trim().parse().unwrap()
}

#[test]
fn random_edit_sequences_equal_a_full_build() {
    let mut patched = 0;
    for seed in seeds() {
        patched += run_seed(seed);
    }
    // Body and front-matter edits must reach the patch path, or the test
    // would prove only the re-link.
    assert!(patched > 0, "no batch was patched");
}
