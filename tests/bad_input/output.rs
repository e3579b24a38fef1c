//! Output folders: sitrep replaces only what it wrote, never the site or a
//! repository, and a build that fails or is killed leaves the previous output
//! byte-identical.

use crate::harness::*;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_foreign_output_folder_is_replaced_only_with_force() {
    let (_tmp, site) = site("output-foreign");
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(site.join("public/notes.txt").exists());
    let r = run(&site, &["build", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!site.join("public/notes.txt").exists());
    assert!(site.join("public/.sitrep-output").is_file());
    assert!(site.join("public/incidents/ex1/index.html").is_file());
    // Now sitrep owns it: no --force needed any more.
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn force_never_overrides_the_site_itself() {
    for case in ["output-root", "output-content", "output-sitrep-toml"] {
        let (tmp, site) = site(case);
        let before = tree(tmp.path());
        let r = run(&site, &["build", "--force"]);
        assert_eq!(r.code, 2, "{case}: {}", r.stderr);
        assert_eq!(tree(tmp.path()), before, "{case}");
    }
    let (tmp, site) = site("output-git");
    fs::create_dir_all(site.join(".git")).unwrap();
    let before = tree(tmp.path());
    for out in [".git", ".git/out", "."] {
        let r = run(&site, &["build", "--force", "--output", out]);
        assert_eq!(r.code, 2, "--output {out}: {}", r.stderr);
    }
    assert_eq!(tree(tmp.path()), before);
}

#[cfg(unix)]
#[test]
fn an_output_symlink_into_the_site_is_refused() {
    let (tmp, site) = site("output-killed-build");
    std::os::unix::fs::symlink(site.join("content"), site.join("output")).unwrap();
    let before = tree(tmp.path());
    let r = run(&site, &["build", "--force"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("inside the site's `content/`"),
        "{}",
        r.stderr
    );
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn a_failed_build_leaves_a_real_previous_output_byte_identical() {
    let (_tmp, site) = site("output-failed-build");
    let broken = site.join("content/incidents/EX2.md");
    let text = fs::read_to_string(&broken).unwrap();
    fs::write(&broken, text.replace("T10:33:00\n", "T10:33:00Z\n")).unwrap();
    assert_eq!(run(&site, &["build"]).code, 0);
    let built = tree(&site.join("output"));
    assert!(built.contains_key("incidents/ex2/index.html"));

    fs::write(&broken, text).unwrap();
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(tree(&site.join("output")), built);
    assert_eq!(stray(&site), Vec::<String>::new());
}

/// A site large enough that a debug build takes a few hundred milliseconds.
fn grow(site: &Path, version: u32) {
    let dir = site.join("content/incidents/many");
    fs::create_dir_all(&dir).unwrap();
    let para = "Mail flow to North America was delayed while the provider investigated; users saw `550 5.7.1` bounces and EX1 came up again.\n\n";
    for n in 0..250 {
        fs::write(
            dir.join(format!("GEN{n}.md")),
            format!(
                "---\nid: GEN{n}\ntitle: Generated incident {n}, version {version}\nservices: [Service {s}]\nstatus: resolved\nstarted: 2026-05-{d:02}T10:{m:02}:00Z\nresolved: 2026-05-{d:02}T12:00:00Z\nregions: [Region {r}]\ntags: [generated, v{version}]\nrelated: [EX1]\n---\n{}",
                para.repeat(40),
                s = n % 7,
                r = n % 5,
                d = n % 28 + 1,
                m = n % 60,
            ),
        )
        .unwrap();
    }
}

#[test]
fn a_killed_build_leaves_the_previous_output_byte_identical() {
    // Timing matters here: no other test's runs on the same cores.
    let _machine = exclusive();
    let (_tmp, site) = site("output-killed-build");
    let versions: Vec<_> = (1..=2)
        .map(|v| {
            grow(&site, v);
            let r = run_untimed(&site, &["build"]);
            assert_eq!(r.code, 0, "{}", r.stderr);
            tree(&site.join("output"))
        })
        .collect();
    assert_ne!(versions[0], versions[1]);
    // The output is version 2 now; each trial builds the other version and kills it.
    let mut current = 1;
    let (mut killed_mid_way, mut killed_while_writing) = (0, 0);
    for delay in [1u64, 3, 8, 15, 25, 40, 60, 90, 130, 180, 250, 350, 500] {
        let next = 1 - current;
        grow(&site, next as u32 + 1);
        for s in stray(&site) {
            fs::remove_dir_all(site.join(s)).unwrap();
        }
        let mut child = Command::new(BIN)
            .arg("build")
            .current_dir(&site)
            .env("SOURCE_DATE_EPOCH", NOW)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let running = child.try_wait().unwrap().is_none();
        child.kill().ok();
        let status = child.wait().unwrap();
        let now = tree(&site.join("output"));
        if status.success() {
            assert_eq!(now, versions[next], "a completed build (after {delay} ms)");
            current = next;
        } else if now == versions[current] {
            killed_mid_way += usize::from(running);
            // A staging folder left behind: it was killed while writing files.
            killed_while_writing += usize::from(!stray(&site).is_empty());
        } else if now == versions[next] {
            // Killed after the commit: the new output, complete.
            current = next;
        } else {
            // Killed while moving the changed files in (a rebuild updates
            // in place): the journal is there, and the next build undoes
            // the cut-off update before its own.
            let journal = stray(&site)
                .iter()
                .any(|s| site.join(s).join("journal").is_file());
            assert!(
                journal,
                "killed after {delay} ms: a mixed output and no journal"
            );
            let r = run_untimed(&site, &["build"]);
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert_eq!(tree(&site.join("output")), versions[next]);
            current = next;
        }
    }
    eprintln!("killed mid-way: {killed_mid_way}, of them while writing: {killed_while_writing}");
    assert!(
        killed_mid_way >= 3,
        "only {killed_mid_way} builds were killed mid-way"
    );
    assert!(
        killed_while_writing >= 1,
        "no build was killed while writing"
    );
    // The next build tidies up what the killed ones left and succeeds.
    let r = run_untimed(&site, &["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(stray(&site), Vec::<String>::new());
}
