//! Issue 21: a rebuild into sitrep's own output folder leaves every file whose
//! bytes did not change exactly as it was (inode and modification time); a
//! build killed at any moment leaves the old or the new output and the next
//! build recovers; a full or read-only output is one error and the old output
//! stays. Real binary, real files (and real mounts where the test may make them).

use crate::common::*;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A file of an output: its bytes, inode and modification time (ns).
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    bytes: Vec<u8>,
    ino: u64,
    mtime: i128,
}

fn snapshot(dir: &Path) -> BTreeMap<String, Entry> {
    files(dir)
        .into_iter()
        .map(|f| {
            let p = dir.join(&f);
            let m = std::fs::metadata(&p).unwrap();
            let e = Entry {
                bytes: std::fs::read(&p).unwrap(),
                ino: m.ino(),
                mtime: m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128,
            };
            (f, e)
        })
        .collect()
}

fn contents(s: &BTreeMap<String, Entry>) -> BTreeMap<String, Vec<u8>> {
    s.iter()
        .map(|(k, e)| (k.clone(), e.bytes.clone()))
        .collect()
}

fn incident(i: usize, tag: &str, body: &str) -> String {
    let region = ["Europe", "Asia", "North America"][i % 3];
    format!(
        "---\nid: P{i:04}\ntitle: Outage {i}\nservices: [Mail]\nstatus: resolved\nstarted: 2026-0{}-{:02}T10:00:00Z\nresolved: 2026-0{}-{:02}T12:00:00Z\nregions: [{region}]\ntags: [{tag}]\n---\n\n{body}\n",
        1 + i % 5,
        1 + i % 28,
        1 + i % 5,
        1 + i % 28
    )
}

/// A site of `n` incidents.
fn generated(n: usize) -> tempfile::TempDir {
    let dir = site(&[]);
    for i in 0..n {
        write(
            dir.path(),
            &format!("content/incidents/p{i:04}.md"),
            &incident(i, "common", &format!("Body of outage {i}.")),
        );
    }
    dir
}

/// `sitrep build --output out`, which must succeed.
fn build_into(root: &Path, out: &Path) {
    let r = run(root, &["build", "--output", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
}

/// What a fresh build of the site as it is now holds.
fn fresh(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fresh");
    build_into(root, &out);
    contents(&snapshot(&out))
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sitrep-build") || n.starts_with(".sitrep-old"))
        .collect()
}

/// Rebuild after `edit` and check, file by file, against the output before:
/// same bytes → same inode and mtime; other bytes → a new file; and the whole
/// output equals a fresh build. Returns the changed, added and removed paths.
fn rebuild_after(root: &Path, edit: impl FnOnce()) -> [Vec<String>; 3] {
    let out = root.join("output");
    let before = snapshot(&out);
    // A new file's mtime must be able to differ from the old one's.
    std::thread::sleep(Duration::from_millis(15));
    edit();
    build_into(root, &out);
    let after = snapshot(&out);
    let (mut changed, mut added, mut removed) = (vec![], vec![], vec![]);
    for (path, old) in &before {
        match after.get(path) {
            None => removed.push(path.clone()),
            Some(new) if new.bytes == old.bytes => {
                assert_eq!(
                    (new.ino, new.mtime),
                    (old.ino, old.mtime),
                    "{path}: same bytes, but the file was rewritten"
                );
            }
            Some(new) => {
                assert_ne!(new.mtime, old.mtime, "{path} changed but kept its time");
                changed.push(path.clone());
            }
        }
    }
    added.extend(after.keys().filter(|p| !before.contains_key(*p)).cloned());
    assert_eq!(
        contents(&after),
        fresh(root),
        "the rebuilt output is not what a fresh build writes"
    );
    assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
    [changed, added, removed]
}

#[test]
fn issue_21_unchanged_files_keep_inode_and_mtime_across_rebuilds() {
    let dir = generated(40);
    let root = dir.path();
    build_ok(root, &[]);
    let n_files = files(&root.join("output")).len();

    let [changed, added, removed] = rebuild_after(root, || {});
    assert!(changed.is_empty() && added.is_empty() && removed.is_empty());

    let [changed, added, removed] = rebuild_after(root, || {
        write(
            root,
            "content/incidents/p0007.md",
            &incident(7, "common", "A new body, longer than before."),
        );
    });
    assert!(
        changed.contains(&"incidents/p0007/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        added.is_empty() && removed.is_empty(),
        "{added:?} {removed:?}"
    );
    assert!(
        changed.len() * 4 < n_files,
        "a body edit changed {} of {n_files} files: {changed:?}",
        changed.len()
    );

    // A front-matter edit: a tag of its own appears, and goes again.
    let [changed, added, _] = rebuild_after(root, || {
        write(
            root,
            "content/incidents/p0007.md",
            &incident(7, "only-here", "Body."),
        );
    });
    assert!(
        added.contains(&"tags/only-here/index.html".to_string()),
        "{added:?}"
    );
    assert!(
        changed.contains(&"api/incidents/p0007.json".to_string()),
        "{changed:?}"
    );
    let [_, added, removed] = rebuild_after(root, || {
        write(
            root,
            "content/incidents/p0007.md",
            &incident(7, "common", "Body."),
        );
    });
    assert!(added.is_empty(), "{added:?}");
    assert!(
        removed.contains(&"tags/only-here/index.html".to_string()),
        "{removed:?}"
    );
    assert!(
        !root.join("output/tags/only-here").exists(),
        "its folder goes too"
    );

    // A whole incident removed: its page, record and folder go.
    let [_, _, removed] = rebuild_after(root, || {
        std::fs::remove_file(root.join("content/incidents/p0011.md")).unwrap();
    });
    assert!(
        removed.contains(&"incidents/p0011/index.html".to_string()),
        "{removed:?}"
    );
    assert!(!root.join("output/incidents/p0011").exists());
}

/// The output is the old one or the new one, whole, however the build was killed.
#[test]
fn issue_21_a_killed_build_leaves_the_old_or_the_new_output_and_the_next_build_recovers() {
    let dir = generated(80);
    let root = dir.path();
    let out = root.join("output");
    let config = std::fs::read_to_string(root.join("sitrep.toml")).unwrap();
    let old = fresh(root);
    // Every page changes with the title: the update moves every file.
    let retitle = |on: bool| {
        let c = if on {
            config.replace("Test Desk", "Retitled Desk")
        } else {
            config.clone()
        };
        write(root, "sitrep.toml", &c);
    };
    retitle(true);
    let new = fresh(root);
    retitle(false);
    build_into(root, &out);
    // The quicker of two timed rebuilds, so most kills land inside a build.
    let mut took = Duration::MAX;
    for _ in 0..2 {
        let clock = Instant::now();
        retitle(true);
        build_into(root, &out);
        took = took.min(clock.elapsed());
        retitle(false);
        build_into(root, &out);
    }
    let (mut olds, mut news, mut cut) = (0, 0, 0);
    for percent in [10, 30, 50, 60, 70, 75, 80, 85, 90, 95] {
        retitle(true);
        let args = ["build".as_ref(), "--root".as_ref(), root.as_os_str()];
        killed_after(&args, EPOCH, took * percent / 100);
        let now = contents(&snapshot(&out));
        if now == old {
            olds += 1;
        } else if now == new {
            news += 1;
        } else {
            // Killed while moving files in: the journal must be there to undo it.
            let journal = leftovers(root)
                .iter()
                .any(|s| root.join(s).join("journal").is_file());
            assert!(
                journal,
                "killed at {percent}%: neither output, and no journal"
            );
            cut += 1;
        }
        build_into(root, &out);
        assert_eq!(
            contents(&snapshot(&out)),
            new,
            "the build after a kill at {percent}%"
        );
        assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
        retitle(false);
        build_into(root, &out);
        assert_eq!(contents(&snapshot(&out)), old);
    }
    eprintln!("killed builds left: {olds} old, {news} new, {cut} cut off while moving files in");
    assert!(olds > 0, "no kill landed before the commit");
}

/// Runs `mount ARGS`; false (after saying so) where this test may not mount.
fn mount(args: &[&str]) -> bool {
    let ok = Command::new("mount")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "\n!!! SKIPPED: `mount {}` failed (tests that mount need root)\n",
            args.join(" ")
        );
        assert!(
            std::env::var_os("CI").is_none(),
            "under CI this test must run"
        );
    }
    ok
}

/// Unmounts on drop, also when the test fails.
struct Mounted(PathBuf);
impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn one_error(stderr: &str) -> String {
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 1, "not one error:\n{stderr}");
    stderr.to_string()
}

#[test]
fn issue_21_a_full_disk_is_one_error_and_the_old_output_stays() {
    let dir = generated(3);
    let root = dir.path();
    let disk = tempfile::tempdir().unwrap();
    if !mount(&[
        "-t",
        "tmpfs",
        "-o",
        "size=400k",
        "tmpfs",
        disk.path().to_str().unwrap(),
    ]) {
        return;
    }
    let _m = Mounted(disk.path().to_path_buf());
    let out = disk.path().join("site");
    build_into(root, &out);
    let before = snapshot(&out);
    let big = "A long paragraph of the incident's write-up. ".repeat(200);
    for i in 3..120 {
        write(
            root,
            &format!("content/incidents/p{i:04}.md"),
            &incident(i, "common", &big),
        );
    }
    let r = run(root, &["build", "--output", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    let err = one_error(&String::from_utf8_lossy(&r.stderr));
    for want in [
        out.to_str().unwrap(),
        "the disk is full",
        "this build had written",
        "were free when it began",
    ] {
        assert!(err.contains(want), "no {want:?} in:\n{err}");
    }
    assert_eq!(snapshot(&out), before, "the previous output changed");
    assert!(
        leftovers(disk.path()).is_empty(),
        "{:?}",
        leftovers(disk.path())
    );
}

#[test]
fn issue_21_a_read_only_output_is_one_error_and_the_old_output_stays() {
    let dir = generated(3);
    let root = dir.path();
    let out = root.join("output");
    build_into(root, &out);
    let before = snapshot(&out);
    let o = out.to_str().unwrap();
    if !mount(&["--bind", o, o]) {
        return;
    }
    let _m = Mounted(out.clone());
    assert!(mount(&["-o", "remount,bind,ro", o]));
    write(
        root,
        "content/incidents/p0001.md",
        &incident(1, "common", "Edited."),
    );
    let r = run(root, &["build"]);
    assert_eq!(r.status.code(), Some(1));
    let err = one_error(&String::from_utf8_lossy(&r.stderr));
    assert!(
        err.contains("read-only file system") && err.contains(o),
        "{err}"
    );
    assert_eq!(snapshot(&out), before);
    assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
}

#[test]
fn issue_21_a_read_only_parent_is_one_error_before_anything_is_written() {
    let dir = generated(3);
    let parent = tempfile::tempdir().unwrap();
    let p = parent.path().to_str().unwrap();
    if !mount(&["--bind", p, p]) {
        return;
    }
    let _m = Mounted(parent.path().to_path_buf());
    assert!(mount(&["-o", "remount,bind,ro", p]));
    let out = parent.path().join("site");
    let r = run(dir.path(), &["build", "--output", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    let err = one_error(&String::from_utf8_lossy(&r.stderr));
    assert!(err.contains("read-only file system"), "{err}");
    assert!(!out.exists());
}
