//! Unit tests of the write stage: refusals, first builds, in-place updates
//! (what stays untouched), and the journal undoing an update cut off at any
//! step.

use super::journal::{self, Journal};
use super::sink::DirSink;
use super::staging::{old_prefix, plan, recover, staging_prefix};
use super::*;
use crate::render::Sink;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;

fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    fs::create_dir_all(root.join("content")).unwrap();
    fs::write(root.join("sitrep.toml"), "").unwrap();
    (tmp, root)
}

#[test]
fn refuses_the_site_its_parents_and_its_sources() {
    let (tmp, root) = site();
    for bad in [
        root.clone(),
        tmp.path().to_path_buf(),
        root.join("content"),
        root.join("content/x"),
        root.join("themes/default"),
        root.join("static"),
        root.join("templates"),
        root.join("output/../content"),
        root.join(".git/out"),
    ] {
        assert!(
            check_output(&root, &bad, true).is_err(),
            "{} was accepted",
            bad.display()
        );
    }
    assert!(check_output(&root, &root.join("output"), false).is_ok());
    assert!(check_output(&root, &root.join("contents"), false).is_ok());
}

#[test]
fn a_foreign_folder_needs_force_and_a_marked_one_does_not() {
    let (_tmp, root) = site();
    let out = root.join("public");
    fs::create_dir_all(&out).unwrap();
    assert!(check_output(&root, &out, false).is_ok(), "empty is fine");
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let Refusal(msg, hint) = check_output(&root, &out, false).unwrap_err();
    assert!(msg.contains("not written by sitrep"), "{msg}");
    assert!(hint.contains("--force"), "{hint}");
    assert!(check_output(&root, &out, true).is_ok());
    fs::write(out.join(MARKER), "").unwrap();
    assert!(check_output(&root, &out, false).is_ok());
}

/// Every file below `dir` with its bytes, and every folder (as `path/`).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if e.file_type().is_dir() {
                (format!("{rel}/"), Vec::new())
            } else {
                (rel, fs::read(e.path()).unwrap())
            }
        })
        .collect()
}

/// (inode, modification time in ns) of `path`.
fn identity(path: &Path) -> (u64, i64) {
    let m = fs::metadata(path).unwrap();
    (m.ino(), m.mtime() * 1_000_000_000 + m.mtime_nsec())
}

fn leftovers(root: &Path) -> Vec<String> {
    fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sitrep"))
        .collect()
}

/// One build of `files` into `out`, as `sitrep build` writes it.
fn build(out: &Path, files: &[(&str, &str)]) -> Written {
    let mut staging = Staging::new(out).unwrap();
    let sink = staging.sink().unwrap();
    for (p, text) in files {
        sink.put(p, text.as_bytes().to_vec()).unwrap();
    }
    let produced = sink.finish().unwrap();
    staging.commit(produced).unwrap()
}

const V1: &[(&str, &str)] = &[
    ("index.html", "home 1"),
    ("incidents/a/index.html", "a"),
    ("incidents/b/index.html", "b"),
    ("incidents/b/diagram.png", "png"),
    ("tags/x/page/2/index.html", "x2"),
    ("api/incidents/a.json", "{}"),
];

const V2: &[(&str, &str)] = &[
    ("index.html", "home 2"),
    ("incidents/a/index.html", "a"),
    ("incidents/c/index.html", "c"),
    ("api/incidents/a.json", "{}"),
    ("api/incidents/c.json", "{}"),
    // a file where a folder was
    ("tags/x/page", "now a file"),
];

#[test]
fn a_rebuild_touches_only_what_changed() {
    let (_tmp, root) = site();
    let out = root.join("output");
    let first = build(&out, V1);
    assert_eq!(first.changed, V1.len() + 1, "every file and the marker");
    let unchanged = ["incidents/a/index.html", "api/incidents/a.json", MARKER];
    let before: Vec<_> = unchanged.iter().map(|p| identity(&out.join(p))).collect();
    let dir_before = identity(&out.join("incidents/a"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let w = build(&out, V2);
    assert_eq!(
        (w.changed, w.kept, w.removed),
        (4, 3, 2),
        "home, c, c.json, tags/x/page changed; incidents/b and tags/x/page/ removed"
    );
    let after: Vec<_> = unchanged.iter().map(|p| identity(&out.join(p))).collect();
    assert_eq!(before, after, "unchanged files keep inode and mtime");
    assert_eq!(
        dir_before,
        identity(&out.join("incidents/a")),
        "and so does their folder"
    );
    let mut want: BTreeMap<String, Vec<u8>> = V2
        .iter()
        .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
        .collect();
    want.insert(MARKER.into(), MARKER_TEXT.into());
    for d in [
        "api",
        "api/incidents",
        "incidents",
        "incidents/a",
        "incidents/c",
        "tags",
        "tags/x",
    ] {
        want.insert(format!("{d}/"), Vec::new());
    }
    assert_eq!(tree(&out), want);
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    // A rebuild with nothing changed changes nothing at all.
    let snapshot: Vec<_> = tree(&out)
        .keys()
        .map(|p| (p.clone(), identity(&out.join(p))))
        .collect();
    let w = build(&out, V2);
    assert_eq!((w.changed, w.removed), (0, 0));
    let again: Vec<_> = tree(&out)
        .keys()
        .map(|p| (p.clone(), identity(&out.join(p))))
        .collect();
    assert_eq!(snapshot, again);
}

#[test]
fn a_file_edited_by_hand_or_added_is_put_right() {
    let (_tmp, root) = site();
    let out = root.join("output");
    build(&out, V1);
    // Same size, other bytes: only reading them tells.
    fs::write(out.join("incidents/a/index.html"), "A").unwrap();
    fs::write(out.join("stray.txt"), "mine").unwrap();
    std::os::unix::fs::symlink("index.html", out.join("incidents/b/link")).unwrap();
    let w = build(&out, V1);
    assert_eq!((w.changed, w.removed), (1, 2));
    assert_eq!(fs::read(out.join("incidents/a/index.html")).unwrap(), b"a");
    assert!(!out.join("stray.txt").exists());
    assert!(out.join("incidents/b/link").symlink_metadata().is_err());
}

#[test]
fn a_dropped_staging_folder_leaves_the_output_alone() {
    let (_tmp, root) = site();
    let out = root.join("output");
    build(&out, V1);
    let before = tree(&out);
    let mut staging = Staging::new(&out).unwrap();
    let sink = staging.sink().unwrap();
    for (p, _) in V2 {
        sink.put(p, b"new".to_vec()).unwrap();
    }
    drop(sink);
    drop(staging);
    assert_eq!(tree(&out), before);
    assert!(leftovers(&root).is_empty());
}

#[test]
fn an_update_cut_off_at_any_step_is_undone_by_the_next_build() {
    let (_tmp, root) = site();
    let out = root.join("output");
    build(&out, V1);
    let before = tree(&out);
    let prev = previous::Previous::scan(&out).unwrap();
    let produced = staging::Produced {
        files: V2.iter().map(|(p, _)| (p.to_string(), true)).collect(),
    };
    let new_files = produced.files.iter().map(|(p, _)| p.as_str()).collect();
    let steps = plan(&prev, &prev.removals(&new_files), &produced);
    assert!(steps.len() > 10, "{steps:?}");
    for cut in 0..=steps.len() {
        // What a build killed after `cut` steps leaves: a staging folder with
        // the new files not yet moved, the journal, and a half-updated output.
        let stage = root.join(format!("{}cut{cut}", staging_prefix(&out)));
        for (p, t) in V2 {
            let f = stage.join("new").join(p);
            fs::create_dir_all(f.parent().unwrap()).unwrap();
            fs::write(f, t).unwrap();
        }
        let mut j = Journal::create(&stage, &out).unwrap();
        for step in &steps[..cut] {
            j.run(step.clone()).unwrap();
        }
        drop(j);
        recover(&out).unwrap();
        assert_eq!(tree(&out), before, "cut after {cut} steps");
        assert!(leftovers(&root).is_empty(), "cut after {cut} steps");
    }
    // Cut off between a journal line and its step: nothing to undo for it.
    left_by_a_kill(
        &out,
        "new/index.html",
        "L \"index.html\"\nN \"index.html\"\n",
    );
    recover(&out).unwrap();
    assert_eq!(tree(&out), before);
}

/// A staging folder of `out` holding one staged file and `journal`.
fn left_by_a_kill(out: &Path, staged: &str, journal: &str) {
    let stage = out.with_file_name(format!("{}killed", staging_prefix(out)));
    let f = stage.join(staged);
    fs::create_dir_all(f.parent().unwrap()).unwrap();
    fs::write(f, "staged").unwrap();
    fs::write(stage.join(journal::FILE), journal).unwrap();
}

#[test]
fn a_committed_journal_is_not_undone() {
    let (_tmp, root) = site();
    let out = root.join("output");
    build(&out, V1);
    left_by_a_kill(
        &out,
        "old/index.html",
        "L \"index.html\"\nN \"index.html\"\nC\n",
    );
    recover(&out).unwrap();
    assert_eq!(fs::read(out.join("index.html")).unwrap(), b"home 1");
    assert!(leftovers(&root).is_empty());
}

#[test]
fn the_output_set_aside_by_an_earlier_version_is_put_back_not_deleted() {
    let (_tmp, root) = site();
    let out = root.join("output");
    // What a build of an earlier version killed between its two renames
    // leaves: no output, the previous one set aside, and a staging folder.
    let aside = root.join(format!("{}4242", old_prefix(&out)));
    fs::create_dir_all(&aside).unwrap();
    fs::write(aside.join("index.html"), "previous").unwrap();
    fs::create_dir_all(root.join(format!("{}abc", staging_prefix(&out)))).unwrap();
    let staging = Staging::new(&out).unwrap();
    assert_eq!(
        fs::read_to_string(out.join("index.html")).unwrap(),
        "previous"
    );
    assert!(!aside.exists());
    drop(staging);
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
}

#[test]
fn a_running_build_is_not_recovered_by_another() {
    let (_tmp, root) = site();
    let out = root.join("output");
    let running = Staging::new(&out).unwrap();
    let Err(e) = Staging::new(&out) else {
        panic!("a second build started while the first runs");
    };
    assert!(
        e.diagnostic().message.contains("another sitrep build"),
        "{:?}",
        e.diagnostic()
    );
    drop(running);
    assert!(Staging::new(&out).is_ok());
}

#[test]
fn the_first_error_stops_the_sink_and_is_the_only_one() {
    let (_tmp, root) = site();
    let out = root.join("output");
    let mut staging = Staging::new(&out).unwrap();
    let sink = staging.sink().unwrap();
    sink.put("ok.html", b"fine".to_vec()).unwrap();
    // A file where the next file needs a folder: the write fails.
    sink.put("a", b"file".to_vec()).unwrap();
    sink.put("a/b.html", b"x".to_vec()).unwrap();
    assert!(sink.stopped());
    sink.put("later.html", b"y".to_vec()).unwrap();
    let e = sink.finish().unwrap_err();
    let d = e.diagnostic();
    assert!(
        d.message.starts_with("cannot write the output folder"),
        "{}",
        d.message
    );
    drop(staging);
    assert!(!out.exists());
    assert!(leftovers(&root).is_empty());
}

#[test]
fn the_sink_makes_missing_folders_once_and_shares_existing_ones() {
    let (_tmp, root) = site();
    let out = root.join("not/yet");
    let sink = DirSink::new(&out);
    let files = [
        "top.html",
        "a/b/c.html",
        "a/b/d.html",
        "a/e.html",
        "f/g/h/i.json",
    ];
    for p in files {
        sink.put(p, p.as_bytes().to_vec()).unwrap();
    }
    for p in files {
        assert_eq!(fs::read_to_string(out.join(p)).unwrap(), p);
    }
    let made = sink.made.read().unwrap();
    let mut made: Vec<_> = made.iter().map(String::as_str).collect();
    made.sort();
    assert_eq!(made, ["", "a", "a/b", "f", "f/g", "f/g/h"]);
}

#[test]
fn the_sink_never_writes_outside_its_folder() {
    let (_tmp, root) = site();
    let sink = DirSink::new(&root);
    for bad in ["../x", "/etc/x", "a/../../x"] {
        assert!(sink.put(bad, Vec::new()).is_err(), "{bad}");
    }
}
