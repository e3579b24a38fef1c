//! Status badges: `/services/<slug>/badge.svg` parsed with roxmltree (title,
//! role, aria-label, WCAG AA contrast computed from its own colours),
//! `shields.json`, and the Markdown on each service page — all agreeing with
//! `/api/v2/components.json`.

use super::statuspage::{api_doc, block_after, fixture, json};
use crate::common::{build_ok, read};

/// WCAG 2 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    assert_eq!(h.len(), 6, "colour {hex}");
    let ch = |i: usize| {
        let c = u8::from_str_radix(&h[i..i + 2], 16).unwrap() as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(0) + 0.7152 * ch(2) + 0.0722 * ch(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn contrast_formula_matches_known_values() {
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
}

#[test]
fn badges_say_the_api_status_readably_and_in_contrast() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let components = json(&out, "api/v2/components.json");
    let components = components["components"].as_array().unwrap();
    assert_eq!(components.len(), 8);
    let words = [
        ("operational", "Operational"),
        ("under_maintenance", "Under maintenance"),
        ("degraded_performance", "Degraded performance"),
        ("partial_outage", "Partial outage"),
        ("major_outage", "Major outage"),
    ];
    for c in components {
        let (slug, name, status) = (
            c["id"].as_str().unwrap(),
            c["name"].as_str().unwrap(),
            c["status"].as_str().unwrap(),
        );
        let word = words.iter().find(|(s, _)| *s == status).unwrap().1;
        let svg = read(&out, &format!("services/{slug}/badge.svg"));
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{slug}: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        let said = format!("{name}: {word}");
        assert_eq!(root.attribute("aria-label"), Some(said.as_str()));
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .expect("title first");
        assert_eq!(title.text(), Some(said.as_str()));
        let texts: Vec<_> = root
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .collect();
        let shown: Vec<&str> = texts.iter().filter_map(|t| t.text()).collect();
        assert_eq!(shown, [name, word]);
        // Each text over the rect it sits on: AA (4.5:1) for 11 px text.
        let rects: Vec<_> = root
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .collect();
        assert_eq!(rects.len(), 2);
        for (t, r) in texts.iter().zip(&rects) {
            let (fg, bg) = (t.attribute("fill").unwrap(), r.attribute("fill").unwrap());
            let ratio = contrast(fg, bg);
            assert!(ratio >= 4.5, "{slug}: {fg} on {bg} is {ratio:.2}:1");
            // The text's centre lies within its rect.
            let x: f64 = t.attribute("x").unwrap().parse().unwrap();
            let rx: f64 = r.attribute("x").unwrap_or("0").parse().unwrap();
            let rw: f64 = r.attribute("width").unwrap().parse().unwrap();
            assert!(
                rx < x && x < rx + rw,
                "{slug}: text at {x} outside {rx}+{rw}"
            );
        }
        let shields = json(&out, &format!("services/{slug}/shields.json"));
        assert_eq!(shields["schemaVersion"], 1);
        assert_eq!(shields["label"], name);
        assert_eq!(shields["message"], word);
        let colour = shields["color"].as_str().unwrap();
        assert_eq!(format!("#{colour}"), rects[1].attribute("fill").unwrap());
    }
}

#[test]
fn service_pages_show_status_and_copy_ready_markdown() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let components = json(&out, "api/v2/components.json");
    for c in components["components"].as_array().unwrap() {
        let slug = c["id"].as_str().unwrap();
        let page = read(&out, &format!("services/{slug}/index.html"));
        let doc = scraper::Html::parse_document(&page);
        let sel = |s: &str| scraper::Selector::parse(s).unwrap();
        let badge = doc
            .select(&sel(".service-now .badge"))
            .next()
            .expect("status shown");
        assert!(badge.value().has_class(
            &format!("st-{}", c["status"].as_str().unwrap()),
            scraper::CaseSensitivity::CaseSensitive
        ));
        let code: Vec<String> = doc
            .select(&sel(".service-now pre code"))
            .map(|e| e.text().collect())
            .collect();
        let svg_url = format!("https://example.org/pm/services/{slug}/badge.svg");
        let page_url = format!("https://example.org/pm/services/{slug}/");
        assert!(
            code[0].starts_with("[![") && code[0].contains(&format!("]({svg_url})]({page_url})")),
            "{}",
            code[0]
        );
        let endpoint = format!("https%3A%2F%2Fexample.org%2Fpm%2Fservices%2F{slug}%2Fshields.json");
        assert!(
            code[1].contains(&format!("https://img.shields.io/endpoint?url={endpoint}")),
            "{}",
            code[1]
        );
    }
    // Other taxonomies have no status section.
    let region = read(&out, "regions/europe/index.html");
    assert!(!region.contains("service-now"));
}

#[test]
fn the_documented_badge_is_real_output() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let doc = api_doc();
    let svg = block_after(&doc, "## Status badges", "svg");
    assert_eq!(svg, read(&out, "services/teams/badge.svg").trim_end());
    let shields = block_after(&doc, "## Status badges", "json");
    let shown: serde_json::Value = serde_json::from_str(&shields).unwrap();
    assert_eq!(shown, json(&out, "services/teams/shields.json"));
}
