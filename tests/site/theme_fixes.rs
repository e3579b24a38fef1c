//! Theme fixes of issue 10 found by the real-browser audit: labelled task-list
//! checkboxes, definition-list labels that never break inside a word at 390 px
//! (measured in headless Chromium), and an overdue "next update by".

use crate::common::cdp::{Browser, chromium_or_skip};
use crate::common::serve::Serve;
use crate::common::{build_ok, read, site};
use scraper::{ElementRef, Html, Selector};

/// Every field the "At a glance" list can show, so every label is on the page.
const FULL: &str = "---\nid: EX7\ntitle: Mail queue stuck\nservices: [Exchange Online]\nregions: [North America]\ncomponents: [mail flow, transport]\ntags: [smtp]\nseverity: major\nstatus: identified\nstarted: 2026-05-20T10:00:00Z\ndetected: 2026-05-20T10:05:00Z\nacknowledged: 2026-05-20T10:20:00Z\nmitigated: 2026-05-20T11:00:00Z\nnext_update: 2026-05-21T09:00:00Z\ntimeline:\n  - at: 2026-05-20T10:30:00Z\n    status: identified\n    text: Found it.\n---\n\nSteps:\n\n- [ ] drain the queue\n- [x] restart the connector\n";

#[test]
fn task_list_checkboxes_have_labels() {
    let dir = site(&[("content/incidents/ex7.md", FULL)]);
    let out = build_ok(dir.path(), &[]);
    let doc = Html::parse_document(&read(&out, "incidents/ex7/index.html"));
    let boxes = Selector::parse("input[type=checkbox]").unwrap();
    let names: Vec<String> = doc
        .select(&boxes)
        .map(|input| {
            let label = input
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "label")
                .expect("a checkbox inside a <label>");
            label.text().collect::<String>().trim().to_string()
        })
        .collect();
    assert_eq!(names, ["drain the queue", "restart the connector"]);
}

#[test]
fn a_passed_next_update_is_shown_as_overdue() {
    // "now" is SOURCE_DATE_EPOCH 2026-05-28: EX7's 2026-05-21 has passed, EX8's has not.
    let later = FULL.replace("id: EX7", "id: EX8").replace(
        "next_update: 2026-05-21T09:00:00Z",
        "next_update: 2026-06-21T09:00:00Z",
    );
    let dir = site(&[
        ("content/incidents/ex7.md", FULL),
        ("content/incidents/ex8.md", &later),
    ]);
    let out = build_ok(dir.path(), &[]);
    let callout = |id: &str| {
        let doc = Html::parse_document(&read(&out, &format!("incidents/{id}/index.html")));
        let sel = Selector::parse(".next-update").unwrap();
        doc.select(&sel).next().unwrap().text().collect::<String>()
    };
    assert!(callout("ex7").contains("overdue"), "{}", callout("ex7"));
    assert!(!callout("ex8").contains("overdue"), "{}", callout("ex8"));
}

/// For every `<dt>` of the page: does any word of it lie on more than one line?
const BROKEN_WORDS: &str = r#"(() => {
  const broken = [];
  for (const dt of document.querySelectorAll('dt')) {
    const walker = document.createTreeWalker(dt, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const re = /\S+/g;
      let m;
      while ((m = re.exec(n.data))) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].map(c => Math.round(c.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return JSON.stringify({width: document.documentElement.clientWidth,
    labels: document.querySelectorAll('dt').length, broken});
})()"#;

#[test]
fn definition_labels_do_not_break_mid_word_at_390px() {
    let Some(bin) = chromium_or_skip("definition_labels_do_not_break_mid_word_at_390px") else {
        return;
    };
    let german = "title = \"Test\"\nbase_url = \"https://example.org/\"\nlanguage = \"de\"\n";
    for config in [None, Some(german)] {
        let mut files = vec![("content/incidents/ex7.md", FULL)];
        files.extend(config.map(|c| ("sitrep.toml", c)));
        let dir = site(&files);
        let s = Serve::start(dir.path());
        let browser = Browser::start(&bin);
        let mut cdp = browser.cdp();
        cdp.open("about:blank");
        cdp.call(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}),
        );
        cdp.call(
            "Page.navigate",
            serde_json::json!({"url": format!("{}incidents/ex7/", s.url())}),
        );
        cdp.wait(
            "the incident page with its styles",
            "document.readyState === 'complete' && document.querySelector('.facts') && getComputedStyle(document.querySelector('.facts')).display === 'grid'",
        );
        let v: serde_json::Value =
            serde_json::from_str(cdp.eval(BROKEN_WORDS).as_str().unwrap()).unwrap();
        assert_eq!(v["width"], 390, "{v}");
        assert!(v["labels"].as_u64().unwrap() >= 12, "{v}");
        assert_eq!(
            v["broken"],
            serde_json::json!([]),
            "words broken at 390 px ({config:?}): {v}"
        );
    }
}
