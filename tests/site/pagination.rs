//! Paged lists and month history on a generated site: every list's chain of
//! pages is complete and ordered, there is no `page/1/`, prev/next (in the head
//! and in the pager) are right, and history counts equal the front matter.

use crate::common::{build_ok, read, site};
use scraper::{Html, Selector};
use std::collections::BTreeMap;
use std::path::Path;

const PER: usize = 7;
const INCIDENTS: usize = 150;
const BASE: &str = "/pm/";

/// Incident `i`: its ID, its start (UTC, one every 19 hours, newest last) and
/// its terms. IDs are zero-padded so the expected order is easy to compute.
fn incident(i: usize) -> (String, jiff::Timestamp, &'static str, &'static str) {
    let start = jiff::Timestamp::from_second(1_767_178_800 + i as i64 * 19 * 3600).unwrap();
    let service = ["Mail", "Chat", "Files"][i % 3];
    let region = ["Europe", "Asia"][i % 2];
    (format!("T{i:04}"), start, service, region)
}

fn generated() -> tempfile::TempDir {
    let mut files: Vec<(String, String)> = vec![(
        "sitrep.toml".into(),
        format!(
            "title = \"Paged\"\nbase_url = \"https://example.org/pm/\"\ntimezone = \"America/New_York\"\npaginate_by = {PER}\n"
        ),
    )];
    for i in 0..INCIDENTS {
        let (id, start, service, region) = incident(i);
        let action = if i % 4 == 0 {
            format!("actions:\n  - text: Fix thing {i}\n    status: open\n")
        } else {
            String::new()
        };
        files.push((
            format!("content/incidents/{id}.md"),
            format!("---\nid: {id}\ntitle: Outage {i}\nservices: {service}\nstatus: resolved\nstarted: {start}\nresolved: {}\nregions: [{region}]\n{action}---\n\nBody {i}.\n", start + jiff::SignedDuration::from_hours(1)),
        ));
    }
    for n in 0..20 {
        files.push((
            format!("content/news/story-{n:02}.md"),
            format!(
                "---\ntitle: Story {n}\ndate: 2026-02-{:02}T10:00:00Z\n---\n\nText.\n",
                n + 1
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    site(&refs)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// A site URL (`/pm/incidents/page/2/`) as its output file.
fn file_of(url: &str) -> String {
    let rel = url
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not below {BASE}"));
    format!("{rel}index.html")
}

struct Page {
    items: Vec<String>,
    head_prev: Option<String>,
    head_next: Option<String>,
    pager_prev: Option<String>,
    pager_next: Option<String>,
    status: Option<String>,
}

fn attr(doc: &Html, s: &str) -> Option<String> {
    doc.select(&sel(s))
        .next()
        .and_then(|e| e.value().attr("href"))
        .map(String::from)
}

fn page(out: &Path, url: &str, item: &str) -> Page {
    let doc = Html::parse_document(&read(out, &file_of(url)));
    let items = doc
        .select(&sel(item))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect();
    Page {
        items,
        head_prev: attr(&doc, "head link[rel=prev]"),
        head_next: attr(&doc, "head link[rel=next]"),
        pager_prev: attr(&doc, "nav[aria-label=Pagination] a[rel=prev]"),
        pager_next: attr(&doc, "nav[aria-label=Pagination] a[rel=next]"),
        status: doc
            .select(&sel("nav[aria-label=Pagination] .pager-status"))
            .next()
            .map(|e| e.text().collect()),
    }
}

/// Follow a list from its first page by `rel=next`; check every link on the
/// way and return the items in order.
fn walk(out: &Path, first: &str, item: &str, expected: usize) -> Vec<String> {
    let total = expected.div_ceil(PER).max(1);
    let (mut url, mut prev, mut all) = (first.to_string(), None::<String>, Vec::new());
    for n in 1..=total {
        let want = if n == 1 {
            first.to_string()
        } else {
            format!("{first}page/{n}/")
        };
        assert_eq!(url, want, "page {n} of {first}");
        let p = page(out, &url, item);
        assert_eq!(p.head_prev, prev, "{url}: <link rel=prev>");
        assert_eq!(p.pager_prev, prev, "{url}: pager's newer link");
        assert_eq!(p.head_next, p.pager_next, "{url}: head and pager agree");
        if total > 1 {
            assert_eq!(
                p.status.as_deref(),
                Some(format!("Page {n} of {total}").as_str()),
                "{url}"
            );
        } else {
            assert_eq!(p.status, None, "{url}: a single page has no pager");
        }
        let want_len = if n < total {
            PER
        } else {
            expected - PER * (total - 1)
        };
        assert_eq!(p.items.len(), want_len, "{url}: items");
        all.extend(p.items);
        prev = Some(url.clone());
        match p.head_next {
            Some(next) => url = next,
            None => assert_eq!(n, total, "{url}: chain ends early"),
        }
    }
    assert!(
        !out.join(file_of(first))
            .parent()
            .unwrap()
            .join("page/1")
            .exists(),
        "{first}page/1/ exists"
    );
    assert!(
        !out.join(file_of(&format!("{first}page/{}/", total + 1)))
            .exists(),
        "{first}: a page past the end"
    );
    all
}

const CARD_ID: &str = ".cards .card h2 .id";

/// Expected IDs, newest first, of incidents passing `keep`.
fn newest_first(keep: impl Fn(usize) -> bool) -> Vec<String> {
    (0..INCIDENTS)
        .rev()
        .filter(|&i| keep(i))
        .map(|i| incident(i).0)
        .collect()
}

#[test]
fn every_list_is_a_complete_ordered_chain_of_pages() {
    let dir = generated();
    let out = build_ok(dir.path(), &[]);
    assert_eq!(
        walk(&out, "/pm/incidents/", CARD_ID, INCIDENTS),
        newest_first(|_| true)
    );
    for (k, service) in ["mail", "chat", "files"].iter().enumerate() {
        let want = newest_first(|i| i % 3 == k);
        assert_eq!(
            walk(
                &out,
                &format!("/pm/services/{service}/"),
                CARD_ID,
                want.len()
            ),
            want,
            "{service}"
        );
    }
    let want = newest_first(|i| i % 2 == 1);
    assert_eq!(walk(&out, "/pm/regions/asia/", CARD_ID, want.len()), want);
    let stories = walk(&out, "/pm/news/", ".cards .card h2 a", 20);
    let want: Vec<String> = (0..20).rev().map(|n| format!("Story {n}")).collect();
    assert_eq!(stories, want);
    let actions = walk(
        &out,
        "/pm/actions/",
        ".actions-table tbody td[data-label=Incident] .id",
        INCIDENTS.div_ceil(4),
    );
    assert_eq!(actions, newest_first(|i| i % 4 == 0));
    // The home page stays one page.
    assert!(!out.join("page").exists());
}

/// Month of each incident's start in the site zone (New York), newest first.
fn months() -> BTreeMap<String, Vec<String>> {
    let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in (0..INCIDENTS).rev() {
        let (id, start, ..) = incident(i);
        m.entry(
            start
                .to_zoned_datetime(tz.clone())
                .strftime("%Y-%m")
                .to_string(),
        )
        .or_default()
        .push(id);
    }
    m
}

#[test]
fn history_counts_and_months_follow_the_front_matter() {
    let dir = generated();
    let out = build_ok(dir.path(), &[]);
    let expected = months();
    // Incident 40 starts 2026-02-01T03:00Z, still January in New York.
    let t40 = incident(40).1;
    assert_eq!(t40.to_string(), "2026-02-01T03:00:00Z");
    assert!(expected["2026-01"].contains(&incident(40).0));
    let doc = Html::parse_document(&read(&out, "history/index.html"));
    let listed: Vec<(String, String)> = doc
        .select(&sel(".history-months li"))
        .map(|li| {
            let a = li.select(&sel("a")).next().unwrap();
            let count = li
                .select(&sel(".count"))
                .next()
                .unwrap()
                .text()
                .collect::<String>();
            (a.value().attr("href").unwrap().to_string(), count)
        })
        .collect();
    let want: Vec<(String, String)> = expected
        .iter()
        .rev()
        .map(|(k, ids)| {
            (
                format!("/pm/history/{k}/"),
                format!(
                    "{} incident{}",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                ),
            )
        })
        .collect();
    assert_eq!(listed, want);
    for (key, ids) in &expected {
        assert_eq!(
            &walk(&out, &format!("/pm/history/{key}/"), CARD_ID, ids.len()),
            ids,
            "{key}"
        );
    }
    let nav = read(&out, "index.html");
    assert!(
        nav.contains("href=\"/pm/history/\""),
        "history is in the navigation"
    );
}

#[test]
fn paginate_by_is_validated_at_its_line() {
    let dir = site(&[(
        "sitrep.toml",
        "title = \"T\"\nbase_url = \"https://e.org/\"\npaginate_by = 0\n",
    )]);
    let out = crate::common::run(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sitrep.toml:3") && err.contains("paginate_by"),
        "{err}"
    );
}

#[test]
fn a_page_may_not_take_the_history_url() {
    let dir = site(&[(
        "content/history.md",
        "---\ntitle: Our history\n---\nFounded in 2020.\n",
    )]);
    let out = crate::common::run(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("content/history.md:2") && err.contains("/history/"),
        "{err}"
    );
}
