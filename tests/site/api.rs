//! The JSON API (compact list, one full record per incident), the sitemap index
//! past 50,000 URLs, and what `build` prints (timings, progress) — on generated
//! sites built with the real binary.

use crate::common::{build_ok, files, read, run, sample_site, site, write};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

const BASE: &str = "https://example.org/pm/";

/// `n` small incidents of varied shape: some resolved, some with errors by code
/// or by message, several services and regions.
fn generate(root: &Path, n: usize) {
    let statuses = ["investigating", "identified", "monitoring", "resolved"];
    let severities = ["critical", "major", "minor", "none"];
    let services = ["Exchange Online", "Microsoft Teams", "SharePoint Online"];
    let regions = ["North America", "Europe", "Asia Pacific", "Germany"];
    for i in 0..n {
        let status = statuses[i % 4];
        let resolved = if status == "resolved" {
            format!("resolved: 2026-05-{:02}T12:00:00Z\n", i % 27 + 2)
        } else {
            String::new()
        };
        let errors = match i % 3 {
            0 => format!("errors:\n  - code: E{i}\n    message: Mail delayed\n"),
            1 => "errors: [\"Something went wrong\"]\n".to_string(),
            _ => String::new(),
        };
        let text = format!(
            "---\nid: GEN{i:04}\ntitle: Generated incident {i} with a plain title\nstatus: {status}\nseverity: {}\nservices: [{}, {}]\nregions: [{}]\nstarted: 2026-05-{:02}T10:00:00Z\n{resolved}{errors}---\nBody of incident {i}.\n",
            severities[i % 4],
            services[i % 3],
            services[(i + 1) % 3],
            regions[i % 4],
            i % 27 + 1,
        );
        write(root, &format!("content/incidents/gen{i:04}.md"), &text);
    }
}

fn json(out: &Path, rel: &str) -> Value {
    serde_json::from_str(&read(out, rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The output file of an absolute URL of the site.
fn file_of(url: &str) -> String {
    let rel = url
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not below {BASE}"));
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

#[test]
fn every_compact_entry_links_its_full_record_and_stays_small() {
    let dir = site(&[]);
    generate(dir.path(), 300);
    let out = build_ok(dir.path(), &[]);
    let list = json(&out, "api/incidents.json");
    assert_eq!(list["version"], 1);
    assert_eq!(list["generator"], "sitrep");
    assert_eq!(list["site"], BASE);
    let incidents = list["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 300);
    let keys: BTreeSet<&str> = [
        "id",
        "title",
        "status",
        "severity",
        "classification",
        "services",
        "regions",
        "errors",
        "started",
        "resolved",
        "url",
        "json",
    ]
    .into();
    let mut records = BTreeSet::new();
    for inc in incidents {
        let have: BTreeSet<&str> = inc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(have, keys, "{inc}");
        let url = inc["json"].as_str().unwrap();
        let rel = file_of(url);
        assert!(
            rel.starts_with("api/incidents/") && rel.ends_with(".json"),
            "{url}"
        );
        let full = json(&out, &rel);
        assert_eq!(full["id"], inc["id"], "{rel}");
        assert_eq!(full["version"], 1, "{rel}");
        assert_eq!(full["url"], inc["url"], "{rel}");
        assert!(out.join(file_of(inc["url"].as_str().unwrap())).is_file());
        records.insert(rel);
    }
    // One record per incident and no stray ones.
    let on_disk: BTreeSet<String> = files(&out)
        .into_iter()
        .filter(|f| f.starts_with("api/incidents/"))
        .collect();
    assert_eq!(on_disk, records);
    let gen7 = incidents.iter().find(|i| i["id"] == "GEN0007").unwrap();
    assert_eq!(gen7["status"], "resolved");
    assert_eq!(gen7["resolved"], "2026-05-09T12:00:00Z");
    assert_eq!(gen7["errors"], serde_json::json!(["Something went wrong"]));
    let gen3 = incidents.iter().find(|i| i["id"] == "GEN0003").unwrap();
    assert_eq!(gen3["errors"], serde_json::json!(["E3"]));
    assert_eq!(gen3["json"], format!("{BASE}api/incidents/gen0003.json"));
    // Compact: one line, and small per incident.
    let text = read(&out, "api/incidents.json");
    assert_eq!(text.trim_end().lines().count(), 1, "not compact");
    let per = text.len() / incidents.len();
    assert!(per <= 400, "{per} bytes per incident");
}

#[test]
fn a_full_record_holds_every_field() {
    let dir = sample_site();
    let out = dir.path().join("out");
    let o = run(dir.path(), &["build", "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&out, "api/incidents/ex1331830.json");
    assert_eq!(r["version"], 1);
    assert_eq!(r["id"], "EX1331830");
    for key in [
        "url",
        "title",
        "services",
        "status",
        "started",
        "detected",
        "acknowledged",
        "mitigated",
        "next_update",
        "resolved",
        "classification",
        "window",
        "severity",
        "regions",
        "components",
        "errors",
        "timeline",
        "related",
        "summary",
        "tags",
        "sources",
        "actions",
        "takes",
        "extra",
        "durations",
        "started_display",
    ] {
        assert!(r.get(key).is_some(), "no `{key}` in the record");
    }
    assert_eq!(r["acknowledged"], "2026-06-03T14:33:00Z");
    assert_eq!(r["next_update"], "2026-06-03T20:00:00Z");
    assert_eq!(r["durations"]["time_to_acknowledge_s"], 0);
    assert_eq!(r["timeline"].as_array().unwrap().len(), 3);
    assert_eq!(
        r["errors"][1],
        serde_json::json!({"code": "SuspiciousRemoteServerError", "message": "Connection was closed abruptly (SuspiciousRemoteServerError)"})
    );
    assert_eq!(r["takes"].as_object().unwrap().len(), 2);
    assert_eq!(r["actions"][0]["status"], "done");
    // Related incidents link both their page and their record, and both exist.
    let rel = &r["related"][0];
    assert_eq!(rel["id"], "LOCAL-2026-04-outlook-mobile-mac");
    let record = rel["json"]
        .as_str()
        .unwrap()
        .replace("https://status.example.org/desk/", "");
    assert!(out.join(&record).is_file(), "{record}");
    // A maintenance entry carries its window.
    let list = json(&out, "api/incidents.json");
    let m = list["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["classification"] == "maintenance")
        .expect("the sample site has a maintenance entry");
    let key = m["id"].as_str().unwrap().to_ascii_lowercase();
    let full = json(&out, &format!("api/incidents/{key}.json"));
    assert!(full["window"]["start"].is_string() && full["window"]["end"].is_string());
}

/// Every `<loc>` of a sitemap file, checking its root element.
fn locs(xml: &str, root: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let r = doc.root_element();
    assert_eq!(r.tag_name().name(), root);
    assert_eq!(
        r.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let entry = if root == "urlset" { "url" } else { "sitemap" };
    r.children()
        .filter(|n| n.is_element())
        .map(|n| {
            assert_eq!(n.tag_name().name(), entry);
            n.children()
                .find(|c| c.has_tag_name("loc"))
                .and_then(|c| c.text())
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A temp folder on tmpfs when there is one with room to spare, else the usual
/// one: the sitemap test makes some 100,000 files and folders, which on a busy
/// ext4 (inode allocation skips recently deleted inodes) cost more kernel time
/// than sitrep spends rendering them.
fn fast_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let free_kib = std::process::Command::new("df")
        .args(["-Pk", "/dev/shm"])
        .output()
        .ok()
        .and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            text.lines()
                .nth(1)?
                .split_whitespace()
                .nth(3)?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    if shm.is_dir()
        && free_kib > 2 * 1024 * 1024
        && let Ok(d) = tempfile::tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

#[test]
fn past_50000_urls_the_sitemap_is_an_index_of_valid_parts() {
    const PAGES: usize = 50_100;
    let dir = fast_tempdir();
    write(
        dir.path(),
        "sitrep.toml",
        &format!("title = \"Big\"\nbase_url = \"{BASE}\"\n"),
    );
    write(dir.path(), "templates/page.html", "p");
    for i in 0..PAGES {
        // Minimal plain pages: a trivial template keeps the debug build quick.
        write(
            dir.path(),
            &format!("content/p/{i}.md"),
            "---\ntitle: p\n---\n",
        );
    }
    let out = build_ok(dir.path(), &[]);
    let parts = locs(&read(&out, "sitemap.xml"), "sitemapindex");
    assert_eq!(
        parts,
        [
            format!("{BASE}sitemap-1.xml"),
            format!("{BASE}sitemap-2.xml")
        ]
    );
    let mut seen: HashMap<String, usize> = HashMap::new();
    for part in &parts {
        let urls = locs(&read(&out, &file_of(part)), "urlset");
        assert!(urls.len() <= 50_000, "{part}: {} URLs", urls.len());
        for u in urls {
            *seen.entry(u).or_default() += 1;
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "listed more than once: {twice:?}");
    for i in 0..PAGES {
        assert!(
            seen.contains_key(&format!("{BASE}p/{i}/")),
            "p/{i}/ missing"
        );
    }
    for home in ["", "incidents/", "news/"] {
        assert!(
            seen.contains_key(&format!("{BASE}{home}")),
            "/{home} missing"
        );
    }
    // Every listed URL is a page of the site.
    for u in seen.keys() {
        assert!(out.join(file_of(u)).is_file(), "{u} has no file");
    }
    assert!(read(&out, "robots.txt").contains(&format!("Sitemap: {BASE}sitemap.xml")));
}

#[test]
fn timings_name_every_stage_and_a_pipe_gets_no_escape_codes() {
    let dir = site(&[]);
    generate(dir.path(), 200);
    let o = run(dir.path(), &["build", "--timings"]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for stage in ["load", "parse", "link", "render", "write"] {
        assert!(
            err.lines()
                .any(|l| l.trim_start().starts_with(stage) && l.ends_with(" ms")),
            "no `{stage}` timing in:\n{err}"
        );
    }
    // stderr is a pipe here: no bar, no summary, no control characters.
    assert!(!err.contains(['\x1b', '\r']), "escape codes in:\n{err:?}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("sitrep: built ") && l.ends_with(" ms"))
    );
    assert!(!err.contains("pages"), "{err}");
    let o = run(dir.path(), &["check", "--timings"]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for stage in ["load", "parse", "link", "render"] {
        assert!(
            err.contains(stage),
            "no `{stage}` timing from check:\n{err}"
        );
    }
    let plain = run(dir.path(), &["build"]);
    let err = String::from_utf8_lossy(&plain.stderr);
    assert!(!err.contains("timings"), "{err}");
    // A build that fails still says how long the stages it ran took.
    write(
        dir.path(),
        "content/incidents/broken.md",
        "---\nid: BR1\ntitle: [unclosed\n---\n",
    );
    for cmd in ["build", "check"] {
        let o = run(dir.path(), &[cmd, "--timings"]);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("error"), "{cmd}: {err}");
        let after = err.split("sitrep: timings").nth(1).unwrap_or_default();
        for stage in ["load", "parse", "link"] {
            assert!(
                after
                    .lines()
                    .any(|l| l.trim_start().starts_with(stage) && l.ends_with(" ms")),
                "{cmd}: no `{stage}` timing after a failure:\n{err}"
            );
        }
    }
}

#[test]
fn a_terminal_gets_the_summary_line() {
    // `script` gives the build a pseudo-terminal as its stderr.
    let dir = site(&[]);
    generate(dir.path(), 50);
    let cmd = format!(
        "SOURCE_DATE_EPOCH={} {} build --root {}",
        crate::common::EPOCH,
        crate::common::BIN,
        dir.path().display()
    );
    let o = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("`script` (util-linux) runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let summary = text
        .lines()
        .find(|l| l.contains("sitrep: built"))
        .unwrap_or_else(|| panic!("no summary in {text:?}"));
    assert!(
        summary.contains("pages") && summary.contains("feeds") && summary.contains(" ms"),
        "{summary}"
    );
}
