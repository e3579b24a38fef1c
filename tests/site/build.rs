//! Issue 2: `sitrep build` end to end on real sites in temp dirs.

use crate::common::*;
use std::path::Path;

const INC_A: &str = "---\nid: EX100\ntitle: Older mail outage\nservices: Exchange Online\nstatus: resolved\nstarted: 2026-04-01T09:00:00-04:00\nresolved: 2026-04-01T11:00:00-04:00\nregions: [North America]\nerrors:\n  - code: \"451 4.3.2\"\n    message: Temporary server error\ntags: [mail-flow]\n---\n\nFirst outage.\n";
const INC_B: &str = "---\nid: EX200\ntitle: Newer mail outage\nservices: [Exchange Online, Microsoft Teams]\nstatus: investigating\nstarted: 2026-06-03T10:33:00-04:00[America/New_York]\nacknowledged: 2026-06-03T10:45:00-04:00\nnext_update: 2026-06-03T16:00:00-04:00\nregions: [Germany, Zürich]\nerrors:\n  - SuspiciousRemoteServerError\nrelated:\n  - id: ex100\n    note: same symptoms\n  - title: An outage without a page\n    url: https://example.com/old\n---\n\nLike EX100 before it. See [the glossary](../../glossary.md#terms) and `EX100` in code.\n\n![A diagram](diagram.png)\n\n## Mentions EX100 in a heading\n";
const STORY: &str = "---\ntitle: Mail is slow again\ndate: 2026-06-03T12:00:00-04:00\nincidents: [EX200]\n---\n\nOur take on [the older one](incident:EX100).\n";
const GLOSSARY: &str = "---\ntitle: Glossary\n---\n\n## Terms\n\nWords.\n";

fn linked_site() -> tempfile::TempDir {
    site(&[
        ("content/incidents/a.md", INC_A),
        ("content/incidents/2026/b.md", INC_B),
        ("content/news/mail-slow.md", STORY),
        ("content/glossary.md", GLOSSARY),
        ("content/incidents/2026/diagram.png", "not really a png"),
        ("content/_drafts/ignored.md", "not front matter at all"),
        ("content/.hidden.md", "neither"),
    ])
}

#[test]
fn every_url_of_the_format_exists() {
    let dir = linked_site();
    let out = build_ok(dir.path(), &[]);
    for p in [
        "index.html",
        "incidents/index.html",
        "incidents/ex100/index.html",
        "incidents/ex200/index.html",
        "news/index.html",
        "news/mail-slow/index.html",
        "glossary/index.html",
        "regions/index.html",
        "regions/north-america/index.html",
        "regions/zurich/index.html",
        "regions/zurich/atom.xml",
        "services/index.html",
        "services/exchange-online/index.html",
        "services/microsoft-teams/atom.xml",
        "errors/index.html",
        "errors/451-4-3-2/index.html",
        "errors/suspiciousremoteservererror/index.html",
        "tags/mail-flow/index.html",
        "actions/index.html",
        "atom.xml",
        "feed.json",
        "api/incidents.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "search/index.html",
        "search/index.json",
        "incidents/2026/diagram.png",
        "style.css",
        "syntax-light.css",
        "syntax-dark.css",
    ] {
        assert!(out.join(p).is_file(), "missing {p}; have {:?}", files(&out));
    }
    assert!(
        !files(&out)
            .iter()
            .any(|f| f.contains("ignored") || f.contains("hidden"))
    );
}

#[test]
fn related_links_and_backlinks_are_on_both_sides() {
    let dir = linked_site();
    let out = build_ok(dir.path(), &[]);
    let b = read(&out, "incidents/ex200/index.html");
    let a = read(&out, "incidents/ex100/index.html");
    // B relates to A (written lower-case in front matter: resolved case-insensitively).
    assert!(
        links(&b).contains(&"/pm/incidents/ex100/".to_string()),
        "B → A missing"
    );
    assert!(b.contains("same symptoms"));
    assert!(b.contains("https://example.com/old"));
    // A shows both referrers: the later incident and the news story.
    assert!(
        links(&a).contains(&"/pm/incidents/ex200/".to_string()),
        "backlink A ← B missing"
    );
    assert!(
        links(&a).contains(&"/pm/news/mail-slow/".to_string()),
        "backlink A ← story missing"
    );
    // The story links the incident it covers.
    let story = read(&out, "news/mail-slow/index.html");
    assert!(links(&story).contains(&"/pm/incidents/ex200/".to_string()));
    assert!(links(&story).contains(&"/pm/incidents/ex100/".to_string()));
}

#[test]
fn markdown_links_resolve_and_bare_ids_autolink_outside_code_and_headings() {
    let dir = linked_site();
    let out = build_ok(dir.path(), &[]);
    let b = read(&out, "incidents/ex200/index.html");
    assert!(
        b.contains("href=\"/pm/glossary/#terms\""),
        "relative .md link not rewritten"
    );
    assert!(
        b.contains("<a href=\"/pm/incidents/ex100/\">EX100</a> before it"),
        "bare ID not linked"
    );
    assert!(
        b.contains("<code>EX100</code>"),
        "ID in code must stay code"
    );
    assert!(
        !b.contains("<a href=\"/pm/incidents/ex100/\">EX100</a></h2>"),
        "ID in heading must not be linked"
    );
}

#[test]
fn incident_page_shows_times_in_site_zone_and_derived_metrics() {
    let dir = linked_site();
    let out = build_ok(dir.path(), &[]);
    let b = read(&out, "incidents/ex200/index.html");
    assert!(
        b.contains("<time datetime=\"2026-06-03T14:33:00Z\">Jun 3, 2026, 10:33 EDT</time>"),
        "started time"
    );
    assert!(b.contains("12 min"), "time to acknowledge");
    assert!(b.contains("16:00 EDT"), "next update by");
    assert!(
        b.contains("<code>SuspiciousRemoteServerError</code>")
            || b.contains("SuspiciousRemoteServerError</code>")
    );
    let a = read(&out, "incidents/ex100/index.html");
    assert!(a.contains("2 h"), "duration of the resolved incident");
}

#[test]
fn taxonomy_term_pages_list_the_right_incidents() {
    let dir = linked_site();
    let out = build_ok(dir.path(), &[]);
    let ex = read(&out, "services/exchange-online/index.html");
    assert!(ex.contains("/pm/incidents/ex100/") && ex.contains("/pm/incidents/ex200/"));
    // newest first (in the cards: the 90-day strip above them links days too)
    let cards = &ex[ex.find("<article class=\"card").unwrap()..];
    assert!(
        cards.find("/pm/incidents/ex200/").unwrap() < cards.find("/pm/incidents/ex100/").unwrap()
    );
    let teams = read(&out, "services/microsoft-teams/index.html");
    assert!(teams.contains("/pm/incidents/ex200/") && !teams.contains("/pm/incidents/ex100/"));
    let na = read(&out, "regions/north-america/index.html");
    assert!(na.contains("/pm/incidents/ex100/") && !na.contains("/pm/incidents/ex200/"));
    let index = read(&out, "services/index.html");
    assert!(index.contains("Exchange Online") && index.contains("Microsoft Teams"));
    let feed = read(&out, "regions/zurich/atom.xml");
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let ids: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert_eq!(ids.len(), 1);
}

#[test]
fn feeds_and_sitemap_parse() {
    let dir = linked_site();
    let out = build_ok(dir.path(), &[]);
    let atom = read(&out, "atom.xml");
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let ns = "http://www.w3.org/2005/Atom";
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ns));
    assert_eq!(feed.tag_name().name(), "feed");
    for req in ["id", "title", "updated"] {
        assert!(
            feed.children().any(|c| c.has_tag_name((ns, req))),
            "feed lacks {req}"
        );
    }
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ns, "entry")))
        .collect();
    assert_eq!(entries.len(), 3, "2 incidents + 1 story");
    for e in &entries {
        for req in ["id", "title", "updated", "link"] {
            assert!(
                e.children().any(|c| c.has_tag_name((ns, req))),
                "entry lacks {req}"
            );
        }
        let id = e
            .children()
            .find(|c| c.has_tag_name((ns, "id")))
            .unwrap()
            .text()
            .unwrap();
        assert!(id.starts_with("https://example.org/pm/"), "{id}");
    }
    let json: serde_json::Value = serde_json::from_str(&read(&out, "feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["items"].as_array().unwrap().len(), 3);
    let api: serde_json::Value = serde_json::from_str(&read(&out, "api/incidents.json")).unwrap();
    let b = api["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "EX200")
        .unwrap();
    assert_eq!(b["url"], "https://example.org/pm/incidents/ex200/");
    assert_eq!(b["json"], "https://example.org/pm/api/incidents/ex200.json");
    let full: serde_json::Value =
        serde_json::from_str(&read(&out, "api/incidents/ex200.json")).unwrap();
    assert_eq!(full["durations"]["time_to_acknowledge_s"], 720);
    assert_eq!(full["url"], b["url"]);
    let sitemap = read(&out, "sitemap.xml");
    let sm = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: Vec<_> = sm
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert!(locs.contains(&"https://example.org/pm/incidents/ex100/".to_string()));
    assert!(read(&out, "robots.txt").contains("Sitemap: https://example.org/pm/sitemap.xml"));
}

/// Every internal link of every HTML page points at a file that exists.
fn assert_links_resolve(out: &Path, base_path: &str) {
    for f in files(out).iter().filter(|f| f.ends_with(".html")) {
        let html = read(out, f);
        for l in links(&html) {
            if l.starts_with("http://")
                || l.starts_with("https://")
                || l.starts_with("mailto:")
                || l.starts_with('#')
            {
                continue;
            }
            assert!(
                l.starts_with(base_path),
                "{f}: link `{l}` does not start with the base path {base_path}"
            );
            let p = l[base_path.len()..].split(['#', '?']).next().unwrap();
            let target = if p.is_empty() || p.ends_with('/') {
                out.join(p).join("index.html")
            } else {
                out.join(p)
            };
            assert!(target.is_file(), "{f}: link `{l}` points at nothing");
        }
    }
}

#[test]
fn sample_site_builds_with_every_internal_link_resolving() {
    let dir = sample_site();
    let out = build_ok(dir.path(), &[]);
    let base = "/desk/";
    assert!(
        read(&out, "index.html").contains(base),
        "sample base_url sub-path"
    );
    assert_links_resolve(&out, base);
    let inc = read(&out, "incidents/ex1331830/index.html");
    assert!(inc.contains("SuspiciousRemoteServerError"));
    assert!(inc.contains("10:33 EDT"));
    let check = run(dir.path(), &["check"]);
    assert!(check.status.success());
    assert!(
        check.stderr.is_empty() && check.stdout.is_empty(),
        "check on the sample site must be silent: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn a_sub_path_base_url_is_honoured_by_every_link() {
    let dir = linked_site();
    let out = build_ok(
        dir.path(),
        &["--base-url", "https://mirror.example.net/deep/path/"],
    );
    assert_links_resolve(&out, "/deep/path/");
    let tmp = dir.path().to_string_lossy().to_string();
    for f in files(&out) {
        let bytes = std::fs::read(out.join(&f)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&tmp), "{f} embeds the build machine's path");
        assert!(
            !text.contains("example.org/pm"),
            "{f} still uses the config base_url"
        );
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = linked_site();
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    for o in [&one, &two] {
        let out = run(
            dir.path(),
            &["build", "--output", o.path().join("site").to_str().unwrap()],
        );
        assert!(out.status.success());
    }
    let (a, b) = (one.path().join("site"), two.path().join("site"));
    assert_eq!(files(&a), files(&b));
    for f in files(&a) {
        assert_eq!(
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
            "{f} differs between builds"
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let dir = linked_site();
    let out = build_ok(dir.path(), &[]);
    let before: Vec<(String, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    write(
        dir.path(),
        "content/incidents/a.md",
        &INC_A.replace("status: resolved", "status: resolvd"),
    );
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.status.code(), Some(1));
    let after: Vec<(String, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    assert_eq!(before, after);
    // no staging folder left behind
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".sitrep-"))
        // The manifest of the build before (beside the output) stays.
        .filter(|n| !n.starts_with(".sitrep-manifest-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn cross_file_errors_are_all_reported_with_file_and_line() {
    let dir = linked_site();
    // duplicate ID differing in case; unknown related ID; self relation; missing .md; unknown incident: link; slug collision
    write(
        dir.path(),
        "content/incidents/dup.md",
        &INC_A
            .replace("id: EX100", "id: ex100")
            .replace("North America", "north america"),
    );
    write(
        dir.path(),
        "content/incidents/2026/c.md",
        "---\nid: EX300\ntitle: T\nservices: X\nstatus: identified\nstarted: 2026-06-04T10:00:00Z\nrelated:\n  - EX20\n  - EX300\n---\n\nSee [x](missing.md) and [y](incident:EX2000).\n",
    );
    let (code, diags) = check_json(dir.path());
    assert_eq!(code, 1);
    let has = |file: &str, line: u64, word: &str| {
        diags.iter().any(|d| {
            d["file"] == file && d["line"] == line && d["message"].as_str().unwrap().contains(word)
        })
    };
    let dump = serde_json::to_string_pretty(&diags).unwrap();
    assert!(
        has("content/incidents/dup.md", 2, "duplicate incident ID"),
        "{dump}"
    );
    assert!(
        has("content/incidents/a.md", 2, "duplicate incident ID"),
        "{dump}"
    );
    assert!(has("content/incidents/2026/c.md", 8, "EX20"), "{dump}");
    assert!(
        diags
            .iter()
            .any(|d| d["hint"].as_str().is_some_and(|h| h.contains("EX200"))),
        "did you mean: {dump}"
    );
    assert!(
        has("content/incidents/2026/c.md", 9, "lists itself"),
        "{dump}"
    );
    assert!(
        has("content/incidents/2026/c.md", 12, "missing.md"),
        "{dump}"
    );
    assert!(has("content/incidents/2026/c.md", 12, "EX2000"), "{dump}");
    assert!(
        diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("north-america")),
        "slug collision: {dump}"
    );
    // build reports the same and writes nothing
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.status.code(), Some(1));
    assert!(!dir.path().join("output").exists());
}

#[test]
fn references_to_a_file_that_failed_to_parse_are_not_reported_twice() {
    let dir = linked_site();
    // A's YAML is broken; B relates to it, the story links it: only A's own error.
    write(
        dir.path(),
        "content/incidents/a.md",
        &INC_A.replace("title: Older mail outage", "title: \"unclosed"),
    );
    let (code, diags) = check_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["file"], "content/incidents/a.md");
}

#[test]
fn a_warning_keeps_the_document_and_the_build_succeeds() {
    let dir = linked_site();
    // resolved without a time, and no resolved timeline entry: a warning only
    write(
        dir.path(),
        "content/incidents/a.md",
        &INC_A.replace("resolved: 2026-04-01T11:00:00-04:00\n", ""),
    );
    let r = run(dir.path(), &["build"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("content/incidents/a.md:5:1: warning:"),
        "{err}"
    );
    assert!(
        dir.path()
            .join("output/incidents/ex100/index.html")
            .is_file()
    );
    let (code, diags) = check_json(dir.path());
    assert_eq!((code, diags.len()), (0, 1));
    assert_eq!(diags[0]["severity"], "warning");
}
