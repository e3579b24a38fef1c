//! The split search index of a generated site: every file parses, every part
//! the manifest names exists, whole bodies are indexed, IDs and messages are
//! found as phrases, and builds are byte-identical. Lookups here re-implement
//! what `themes/default/static/search.js` does (FNV-1a shards, the postings
//! code), so a change to the format that the reader would miss fails here.

mod browser;

use crate::common::{BIN, EPOCH, build_ok, files, site};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const INCIDENTS: usize = 120;
const MARKER: &str = "zanzibarquux";

fn filler() -> String {
    "Mail to some recipients was delayed while the queues drained slowly. ".repeat(50)
}

fn incident(n: usize) -> String {
    let title = if n == 7 {
        "\"Calls <dropped> & rejoined\"".to_string()
    } else {
        format!("Generated outage {n} of mail flow")
    };
    let mut body = filler();
    if n == 42 {
        assert!(body.len() > 3000);
        body.push_str(&format!("Only here, after all that: {MARKER}."));
    }
    format!(
        "---\nid: GEN{n:04}\ntitle: {title}\nservices: [Exchange Online]\nstatus: resolved\n\
         started: 2026-05-{d:02}T10:00:00Z\nresolved: 2026-05-{d:02}T12:00:00Z\n\
         errors:\n  - code: E{c}\n    message: \"Queue {c} is over its limit, retry later.\"\n---\n\n{body}\n",
        d = 1 + n % 28,
        c = n % 7,
    )
}

fn generated() -> tempfile::TempDir {
    let files: Vec<(String, String)> = (0..INCIDENTS)
        .map(|n| (format!("content/incidents/GEN{n:04}.md"), incident(n)))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    site(&refs)
}

fn json(out: &Path, rel: &str) -> Value {
    let text = std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

const ALPHABET: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// (document, weight) pairs of an encoded postings string.
fn decode(text: &str) -> Vec<(usize, u8)> {
    let (mut out, mut n, mut prev) = (Vec::new(), 0usize, -1i64);
    for c in text.chars() {
        let x = ALPHABET
            .find(c)
            .unwrap_or_else(|| panic!("bad digit {c:?}"));
        n = n * 32 + x % 32;
        if x < 32 {
            prev += 1 + (n / 8) as i64;
            out.push((prev as usize, (n % 8) as u8));
            n = 0;
        }
    }
    out
}

/// The phrase key the reader computes: words joined by one space, hashed.
fn phrase(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!("#{:08x}", fnv1a(&words.join(" ")))
}

/// Postings of `key`, from its own file or its shard, as search.js finds them.
fn lookup(out: &Path, key: &str) -> Vec<(usize, u8)> {
    let m = json(out, "search/index.json");
    let big = m["big"].as_array().unwrap();
    let file = match big.iter().position(|b| b[0] == key) {
        Some(n) => format!("search/b/{n}.json"),
        None => format!(
            "search/s/{}.json",
            fnv1a(key) as u64 % m["shards"].as_u64().unwrap()
        ),
    };
    json(out, &file)[key]
        .as_str()
        .map(decode)
        .unwrap_or_default()
}

/// The record of document `doc`: `[id, title, status, label, date, date, url]`.
fn record(out: &Path, doc: usize) -> Vec<String> {
    let block = json(out, "search/index.json")["block"].as_u64().unwrap() as usize;
    let rows = json(out, &format!("search/r/{}.json", doc / block));
    let row = rows[doc % block].as_array().expect("a record row");
    row.iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn ids(out: &Path, postings: &[(usize, u8)]) -> Vec<String> {
    postings
        .iter()
        .map(|&(d, _)| record(out, d)[0].clone())
        .collect()
}

#[test]
fn every_index_part_parses_and_every_named_part_exists() {
    let dir = generated();
    let out = build_ok(dir.path(), &[]);
    let m = json(&out, "search/index.json");
    assert_eq!(m["version"], 1);
    assert_eq!(m["docs"].as_u64(), Some(INCIDENTS as u64));
    let (shards, block) = (m["shards"].as_u64().unwrap(), m["block"].as_u64().unwrap());
    assert!(shards.is_power_of_two());
    let page = std::fs::read_to_string(out.join("search/index.html")).unwrap();
    assert!(
        page.contains(&format!("data-shards=\"{shards}\"")),
        "the page names the shard count"
    );
    let blocks = (INCIDENTS as u64).div_ceil(block);
    assert_eq!(m["blocks"].as_u64(), Some(blocks));
    let mut expected: Vec<String> = vec!["search/index.html".into(), "search/index.json".into()];
    expected.extend((0..shards).map(|n| format!("search/s/{n}.json")));
    expected.extend((0..m["big"].as_array().unwrap().len()).map(|n| format!("search/b/{n}.json")));
    expected.extend((0..blocks).map(|n| format!("search/r/{n}.json")));
    expected.sort();
    let have: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.starts_with("search/"))
        .collect();
    assert_eq!(have, expected);
    for f in have.iter().filter(|f| f.ends_with(".json")) {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(!text.contains(['<', '>', '&']), "{f} is not HTML-safe");
        let v = json(&out, f);
        // Every posting points at a document whose record exists.
        if let Some(obj) = v
            .as_object()
            .filter(|_| f.contains("/s/") || f.contains("/b/"))
        {
            for (key, p) in obj {
                let p = p.as_str().unwrap();
                // A big key's shard entry names its own file.
                if let Some(n) = p.strip_prefix('@') {
                    let n: usize = n.parse().unwrap();
                    assert_eq!(m["big"][n][0], key.as_str(), "{f}: {key}");
                    assert!(out.join(format!("search/b/{n}.json")).is_file());
                    continue;
                }
                for (doc, w) in decode(p) {
                    assert!(doc < INCIDENTS && w < 8, "{f}: {key}: {doc}/{w}");
                }
            }
        }
    }
    for doc in 0..INCIDENTS {
        let r = record(&out, doc);
        assert_eq!(r.len(), 7);
        assert!(r[6].starts_with("/pm/incidents/gen"), "{r:?}");
        assert_eq!(r[2], "resolved");
    }
    let dropped: Vec<Vec<String>> = (0..INCIDENTS)
        .map(|d| record(&out, d))
        .filter(|r| r[0] == "GEN0007")
        .collect();
    assert_eq!(dropped[0][1], "Calls <dropped> & rejoined");
}

#[test]
fn whole_bodies_ids_and_messages_are_found() {
    let dir = generated();
    let out = build_ok(dir.path(), &[]);
    // A word after 3000 characters of body (the old index cut at 1500).
    assert_eq!(ids(&out, &lookup(&out, MARKER)), ["GEN0042"]);
    // IDs, whatever their case, are one phrase key, with the ID weight.
    let id = lookup(&out, &phrase("gen0042"));
    assert_eq!(ids(&out, &id), ["GEN0042"]);
    assert_eq!(id[0].1, 7);
    assert_eq!(phrase("GEN0042"), phrase("gen0042"));
    // A full error message, pasted with other spacing and case, finds exactly
    // the incidents listing it (n % 7 == 3), with the error weight.
    let msg = lookup(&out, &phrase("queue 3 IS over its limit,  retry later"));
    let want: Vec<String> = (0..INCIDENTS)
        .map(|d| record(&out, d)[0].clone())
        .filter(|id| id[3..].parse::<usize>().unwrap() % 7 == 3)
        .collect();
    assert_eq!(ids(&out, &msg), want);
    assert!(msg.iter().all(|&(_, w)| w == 6));
    // Words in the title outweigh the same words in the body only.
    let outage = lookup(&out, "outage");
    assert!(outage.iter().all(|&(_, w)| w == 5), "{outage:?}");
    let queues = lookup(&out, "queues");
    assert_eq!(queues.len(), INCIDENTS);
    assert!(queues.iter().all(|&(_, w)| w == 0));
}

fn search_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    files(out)
        .into_iter()
        .filter(|f| f.starts_with("search/"))
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn the_index_is_byte_identical_across_builds_and_thread_counts() {
    let dir = generated();
    let out = build_ok(dir.path(), &[]);
    let first = search_files(&out);
    std::fs::remove_dir_all(&out).unwrap();
    let status = Command::new(BIN)
        .args(["build", "--root"])
        .arg(dir.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("RAYON_NUM_THREADS", "1")
        .status()
        .unwrap();
    assert!(status.success());
    let second = search_files(&out);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (f, bytes) in &first {
        assert!(second[f] == *bytes, "{f} differs between builds");
    }
}
