//! `<script>` in a title, a region and an error message: the site builds, and
//! every output format shows the text, never runs it.

use crate::harness::*;
use serde_json::Value;
use std::fs;

#[test]
fn script_in_title_region_and_error_is_escaped_everywhere() {
    let (_tmp, site) = site("script-injection");
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = site.join("output");
    let raw = ["<script>alert", "<img src=x", "</code><script>"];
    let mut checked = 0;
    for (path, bytes) in tree(&out) {
        let Some(bytes) = bytes else { continue };
        let text = String::from_utf8(bytes).unwrap();
        if path.ends_with(".html") {
            for r in raw {
                assert!(!text.contains(r), "{path} holds raw `{r}`");
            }
            checked += 1;
        } else if path.ends_with(".xml") {
            // Well-formed, and the text reads back exactly as written: escaped
            // once, not twice.
            let doc = roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{path} is not well-formed XML: {e}"));
            for r in raw {
                assert!(!text.contains(r), "{path} holds raw `{r}`");
            }
            if path == "atom.xml" {
                let titles: Vec<_> = doc
                    .descendants()
                    .filter(|n| n.has_tag_name("title"))
                    .filter_map(|n| n.text())
                    .collect();
                assert!(
                    titles
                        .iter()
                        .any(|t| t.ends_with("<script>alert('title')</script> Mail delayed")),
                    "{titles:?}"
                );
            }
            checked += 1;
        } else if path.ends_with(".json") {
            // JSON: valid, plain-text fields round-trip exactly, and HTML fields
            // hold the escaped form only.
            let v: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
            let mut strings = Vec::new();
            collect_strings(&v, "", &mut strings);
            for (key, s) in &strings {
                if key.ends_with("html") {
                    for r in raw {
                        assert!(!s.contains(r), "{path}: `{key}` holds raw `{r}`");
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} files checked");
    let page = fs::read_to_string(out.join("incidents/ex1/index.html")).unwrap();
    for escaped in [
        "&lt;script&gt;alert(",
        "region",
        "&lt;&#x2F;code&gt;&lt;script&gt;",
    ] {
        assert!(
            page.contains(escaped) || page.contains(&escaped.replace("&#x2F;", "/")),
            "the incident page does not show `{escaped}`"
        );
    }
    let api = fs::read_to_string(out.join("api/incidents.json")).unwrap();
    let api: Value = serde_json::from_str(&api).unwrap();
    let inc = &api["incidents"][0];
    assert_eq!(inc["title"], "<script>alert('title')</script> Mail delayed");
    assert_eq!(inc["regions"][0], "<script>alert('region')</script>");
    assert_eq!(inc["errors"][0], "550 <script>alert('code')</script>");
    let full = fs::read_to_string(out.join("api/incidents/ex1.json")).unwrap();
    assert!(!full.contains('<'), "raw markup in the full record");
    let full: Value = serde_json::from_str(&full).unwrap();
    assert_eq!(
        full["errors"][0]["message"],
        "<script>alert('message')</script>"
    );
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("/regions/script-alert-region-script/"));
}

fn collect_strings(v: &Value, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((key.to_string(), s.clone())),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, key, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| collect_strings(x, k, out)),
        _ => {}
    }
}
