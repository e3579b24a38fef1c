use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

const FROM: &str = "incidents/2026/EX1331830.md";

/// A tiny site: four incidents and three pages.
struct Site {
    lookups: AtomicUsize,
}

const IDS: [&str; 4] = ["EX1331830", "EX42", "MO-7.1", "INC_9_B"];
const PAGES: [(&str, &str); 3] = [
    ("about.md", "/about/"),
    ("incidents/2026/EX42.md", "/incidents/ex42/"),
    ("my page.md", "/my-page/"),
];

fn site() -> Site {
    Site {
        lookups: AtomicUsize::new(0),
    }
}

fn incident_url(id: &str) -> String {
    format!("/incidents/{}/", id.to_lowercase())
}

impl LinkResolver for Site {
    fn incident(&self, id: &str) -> Option<(String, String)> {
        let id = IDS.iter().find(|known| known.eq_ignore_ascii_case(id))?;
        Some((id.to_string(), incident_url(id)))
    }

    fn page_url(&self, from: &str, target: &str) -> Option<String> {
        let mut path: Vec<&str> = from.split('/').collect();
        path.pop();
        for part in target.split('/') {
            match part {
                "." | "" => {}
                ".." => {
                    path.pop()?;
                }
                _ => path.push(part),
            }
        }
        let path = path.join("/");
        PAGES
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, url)| url.to_string())
    }

    fn bare_id(&self, word: &str) -> Option<(String, String)> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let id = IDS.iter().find(|known| **known == word)?;
        Some((id.to_string(), incident_url(id)))
    }
}

fn md(body: &str) -> Rendered {
    render(body, FROM, None, &site())
}

/// The problems as (the body text they point at, message, hint).
fn problems(body: &str, rendered: &Rendered) -> Vec<(String, String, Option<String>)> {
    rendered
        .problems
        .iter()
        .map(|p| {
            (
                body[p.offset..p.offset + p.len].to_owned(),
                p.message.clone(),
                p.hint.clone(),
            )
        })
        .collect()
}

#[test]
fn tables() {
    let r = md("| ID | Status |\n|----|:------:|\n| x | resolved |\n");
    assert_eq!(
        r.html,
        "<table><thead><tr><th>ID</th><th style=\"text-align: center\">Status</th></tr></thead>\
         <tbody>\n<tr><td>x</td><td style=\"text-align: center\">resolved</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn footnotes() {
    let r = md("Mail was delayed[^q].\n\n[^q]: Queued, not lost.\n");
    assert!(
        r.html
            .unpack()
            .contains("<sup class=\"footnote-reference\"><a href=\"#q\">1</a></sup>"),
        "{}",
        r.html
    );
    assert!(
        r.html.unpack().contains("<div class=\"footnote-definition\" id=\"q\"><sup class=\"footnote-definition-label\">1</sup>"),
        "{}",
        r.html
    );
    assert_eq!(
        super::html_text(&r.html.unpack()),
        "Mail was delayed. Queued, not lost."
    );
}

#[test]
fn task_lists_and_strikethrough() {
    let r = md("- [ ] add alerting\n- [x] ~~restart~~ drain queue\n");
    assert_eq!(
        r.html,
        "<ul>\n<li><label class=\"task\"><input type=\"checkbox\" disabled> add alerting</label></li>\n\
         <li><label class=\"task\"><input type=\"checkbox\" disabled checked> <del>restart</del> drain queue</label></li>\n</ul>\n"
    );
}

#[test]
fn task_list_checkboxes_are_labelled_by_their_item_text() {
    // Loose items (paragraphs) and nested lists: the label ends with the first
    // paragraph, before the nested block.
    let r = md("- [ ] check the queue\n\n  More detail.\n- [x] drain\n  - [ ] nested\n");
    let doc = scraper::Html::parse_fragment(&r.html.unpack());
    let boxes = scraper::Selector::parse("input[type=checkbox]").unwrap();
    let mut names = Vec::new();
    for input in doc.select(&boxes) {
        let label = input
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .find(|e| e.value().name() == "label")
            .unwrap_or_else(|| panic!("checkbox without a label: {}", r.html));
        names.push(label.text().collect::<String>().trim().to_string());
    }
    assert_eq!(names, ["check the queue", "drain", "nested"], "{}", r.html);
    assert!(
        r.html.unpack().contains("<p>More detail.</p>"),
        "{}",
        r.html
    );
}

#[test]
fn headings_get_unique_ids() {
    let r = md("# Impact\n\n## Impact\n\n## Impact\n\n### !!!\n\n## Zürich `mail` *flow*\n");
    let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "impact",
            "impact-1",
            "impact-2",
            "section",
            "zurich-mail-flow"
        ]
    );
    assert_eq!(
        r.headings[4],
        Heading {
            level: 2,
            id: "zurich-mail-flow".into(),
            text: "Zürich mail flow".into()
        }
    );
    assert!(
        r.html
            .unpack()
            .starts_with("<h1 id=\"impact\">Impact</h1>\n<h2 id=\"impact-1\">Impact</h2>\n")
    );
    assert!(
        r.html.unpack().contains("<h3 id=\"section\">!!!</h3>"),
        "{}",
        r.html
    );
}

#[test]
fn custom_heading_ids_win_over_earlier_automatic_ones() {
    let r = md("## Timeline\n\n## Details {#timeline}\n\n## Again {#timeline}\n");
    let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["timeline-1", "timeline", "timeline-2"]);
    assert!(
        r.html.unpack().contains("<h2 id=\"timeline\">Details</h2>"),
        "{}",
        r.html
    );
    assert_eq!(r.headings[1].text, "Details");
}

#[test]
fn fenced_code_with_known_language_is_highlighted() {
    let r = md("```rust\nfn main() {}\n```\n");
    assert!(
        r.html.unpack().starts_with(
            "<pre class=\"code\" data-lang=\"rust\"><code class=\"language-rust\"><span class=\"hl-source hl-rust\">"
        ),
        "{}",
        r.html
    );
    assert!(r.html.unpack().ends_with("</code></pre>\n"), "{}", r.html);
    assert!(
        r.html
            .unpack()
            .contains("<span class=\"hl-storage hl-type hl-function hl-rust\">fn</span>")
    );
}

#[test]
fn info_string_extras_do_not_hide_the_language() {
    let r = md("```sh title=\"restart\"\necho hi\n```\n");
    assert!(r.html.unpack().starts_with(
        "<pre class=\"code\" data-lang=\"sh\"><code class=\"language-sh\"><span class=\"hl-"
    ));
}

#[test]
fn code_without_known_language_is_escaped_plain() {
    let r = md("```nosuchlang\n<b> & EX42\n```\n");
    assert_eq!(
        r.html,
        "<pre class=\"code\" data-lang=\"nosuchlang\"><code class=\"language-nosuchlang\">&lt;b&gt; &amp; EX42\n</code></pre>\n"
    );
    assert_eq!(
        md("```\nx < y\n```\n").html,
        "<pre class=\"code\"><code>x &lt; y\n</code></pre>\n"
    );
    assert_eq!(
        md("    indented\n").html,
        "<pre class=\"code\"><code>indented\n</code></pre>\n"
    );
}

#[test]
fn incident_link_resolves_case_insensitively() {
    let r = md("See [the outage](incident:ex1331830) and [its timeline](incident:EX42#timeline).");
    assert_eq!(
        r.html,
        "<p>See <a href=\"/incidents/ex1331830/\">the outage</a> and \
         <a href=\"/incidents/ex42/#timeline\">its timeline</a>.</p>\n"
    );
    assert_eq!(r.incident_refs, ["EX1331830", "EX42"]);
    assert!(r.problems.is_empty());
}

#[test]
fn incident_autolink_and_empty_link_show_the_id() {
    let r = md("Like <incident:ex42> and [](incident:MO-7.1).");
    assert_eq!(
        r.html,
        "<p>Like <a href=\"/incidents/ex42/\">EX42</a> and <a href=\"/incidents/mo-7.1/\">MO-7.1</a>.</p>\n"
    );
    assert_eq!(super::html_text(&r.html.unpack()), "Like EX42 and MO-7.1.");
}

#[test]
fn unknown_incident_link_is_a_problem_pointing_at_the_destination() {
    let body = "Intro.\n\nSee [the outage](incident:EX133183) now.";
    let r = md(body);
    assert_eq!(
        problems(body, &r),
        [(
            "incident:EX133183".to_owned(),
            "unknown incident `EX133183` in link".to_owned(),
            None
        )]
    );
    assert_eq!(r.problems[0].offset, body.find("incident:").unwrap());
    assert!(
        // Plain text: the same render serves links to incidents a public build leaves out.
        r.html.unpack().contains("<p>See the outage now.</p>"),
        "{}",
        r.html
    );
    assert!(r.incident_refs.is_empty());
}

#[test]
fn reference_link_problem_points_at_the_link() {
    let body = "See [it][r].\n\n[r]: incident:NOPE1\n";
    let r = md(body);
    assert_eq!(problems(body, &r)[0].0, "[it][r]");
    assert_eq!(r.problems[0].message, "unknown incident `NOPE1` in link");
}

#[test]
fn md_links_resolve_with_fragment_and_query() {
    let r = md(
        "[About](../../about.md), [team](../../about.md#team), [q](EX42.md?x=1#y), [sp](../../my%20page.md)",
    );
    assert_eq!(
        r.html,
        "<p><a href=\"/about/\">About</a>, <a href=\"/about/#team\">team</a>, \
         <a href=\"/incidents/ex42/?x=1#y\">q</a>, <a href=\"/my-page/\">sp</a></p>\n"
    );
    assert!(r.problems.is_empty());
}

#[test]
fn missing_md_link_is_a_problem() {
    let body = "Read [the guide](../guide.md#setup).";
    let r = md(body);
    let found = problems(body, &r);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "../guide.md#setup");
    assert_eq!(found[0].1, "link to missing page `../guide.md`");
    assert!(
        found[0].2.as_deref().unwrap().contains(FROM),
        "{:?}",
        found[0].2
    );
    assert_eq!(r.html, "<p>Read <a>the guide</a>.</p>\n");
}

#[test]
fn other_links_are_untouched() {
    let r = md(
        "[a](https://example.com/x.md) [b](/abs.md) [c](#impact) [d](diagram.png) <ops@example.com>",
    );
    assert_eq!(
        r.html,
        "<p><a href=\"https://example.com/x.md\">a</a> <a href=\"/abs.md\">b</a> <a href=\"#impact\">c</a> \
         <a href=\"diagram.png\">d</a> <a href=\"mailto:ops@example.com\">ops@example.com</a></p>\n"
    );
    assert!(r.problems.is_empty());
}

#[test]
fn bare_id_in_text_is_linked() {
    let r = md("Same cause as EX1331830, see **EX42** and MO-7.1 too.");
    assert_eq!(
        r.html,
        "<p>Same cause as <a href=\"/incidents/ex1331830/\">EX1331830</a>, see \
         <strong><a href=\"/incidents/ex42/\">EX42</a></strong> and \
         <a href=\"/incidents/mo-7.1/\">MO-7.1</a> too.</p>\n"
    );
    assert_eq!(r.incident_refs, ["EX1331830", "EX42", "MO-7.1"]);
}

#[test]
fn bare_id_not_linked_in_code_links_headings_or_raw_html() {
    let body = "## EX42 recap\n\n`EX42` and [EX42](https://example.com) and <code>EX42</code> \
                and <a href=\"/x\">EX42</a> and <abbr>EX42</abbr>\n\n```\nEX42\n```\n\n<div>EX42</div>\n";
    let r = md(body);
    assert_eq!(
        r.html.unpack().matches("href=\"/incidents/ex42/\"").count(),
        1,
        "{}",
        r.html
    );
    assert!(
        r.html
            .unpack()
            .contains("<abbr><a href=\"/incidents/ex42/\">EX42</a></abbr>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .unpack()
            .contains("<h2 id=\"ex42-recap\">EX42 recap</h2>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .unpack()
            .contains("<code>EX42</code> and <a href=\"https://example.com\">EX42</a>")
    );
    assert!(r.html.unpack().contains("<div>EX42</div>"));
}

#[test]
fn trailing_punctuation_stays_outside_the_link() {
    let r = md("Fixed in EX42. Before: EX1331830_, (MO-7.1.) and …EX42.\n");
    assert_eq!(
        r.html,
        "<p>Fixed in <a href=\"/incidents/ex42/\">EX42</a>. Before: \
         <a href=\"/incidents/ex1331830/\">EX1331830</a>_, (<a href=\"/incidents/mo-7.1/\">MO-7.1</a>.) and \
         …<a href=\"/incidents/ex42/\">EX42</a>.</p>\n"
    );
}

#[test]
fn only_exact_ids_are_linked() {
    let r = md("ex42 EX420 EX42x EX42.5 XEX42 EX42-b");
    assert!(!r.html.unpack().contains("<a"), "{}", r.html);
    assert!(r.incident_refs.is_empty());
}

#[test]
fn own_id_is_not_linked_or_referenced() {
    let site = site();
    let r = render(
        "EX1331830 follows EX42. [Self](incident:EX1331830)",
        FROM,
        Some("ex1331830"),
        &site,
    );
    assert_eq!(
        r.html,
        "<p>EX1331830 follows <a href=\"/incidents/ex42/\">EX42</a>. \
         <a href=\"/incidents/ex1331830/\">Self</a></p>\n"
    );
    assert_eq!(r.incident_refs, ["EX42"]);
}

#[test]
fn words_without_digits_are_never_looked_up() {
    let site = site();
    render(
        "The mail flow to EX42 was slow, see ticket 7 and v2.",
        FROM,
        None,
        &site,
    );
    assert_eq!(site.lookups.load(Ordering::Relaxed), 3);
}

#[test]
fn incident_refs_are_deduplicated_in_first_seen_order() {
    let r = md("EX42, then [x](incident:EX1331830), EX42 and [y](incident:ex42).");
    assert_eq!(r.incident_refs, ["EX42", "EX1331830"]);
}

#[test]
fn unsafe_schemes_are_problems_and_lose_their_address() {
    let body = "[x](javascript:alert(1)) [y](VBScript:msgbox) [z](data:text/html,hi) \
                <JavaScript:void(0)> ![img](javascript:evil) [ok](data:image/png;base64,AA==)";
    let r = md(body);
    let found = problems(body, &r);
    let spans: Vec<&str> = found.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        spans,
        [
            "javascript:alert(1)",
            "VBScript:msgbox",
            "data:text/html,hi",
            "JavaScript:void(0)",
            "javascript:evil"
        ]
    );
    assert!(
        found
            .iter()
            .all(|p| p.1.starts_with("unsafe link scheme `")),
        "{found:?}"
    );
    assert_eq!(found[1].1, "unsafe link scheme `vbscript:`");
    assert_eq!(
        r.html,
        "<p><a>x</a> <a>y</a> <a>z</a> <a>JavaScript:void(0)</a> <img alt=\"img\" /> \
         <a href=\"data:image/png;base64,AA==\">ok</a></p>\n"
    );
}

#[test]
fn entity_and_tab_obfuscated_javascript_is_caught() {
    let r = md("[x](&#106;avascript:alert(1)) [y](<java\tscript:alert(1)>)");
    assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
    assert!(!r.html.unpack().contains("script:"), "{}", r.html);
}

#[test]
fn summary_is_the_first_top_level_paragraph() {
    let r = md(
        "# Title\n\n> quoted\n\n- a list\n\n```\ncode\n```\n\n![chart](c.png)\n\nFirst *real* paragraph\nwith `code`, EX42 and [a link](x).\n\nSecond.\n",
    );
    assert_eq!(
        r.summary,
        "First real paragraph with code, EX42 and a link."
    );
    assert_eq!(md("# Only a heading\n").summary, "");
    assert_eq!(md("").summary, "");
}

#[test]
fn plain_text_leaves_out_code_blocks_and_markup() {
    let r = md(
        "# Impact\n\nMail *queued*.\n\n```sh\nsecret-command\n```\n\n| a | b |\n|---|---|\n| c | `d` |\n",
    );
    assert_eq!(
        super::html_text(&r.html.unpack()),
        "Impact Mail queued. a b c d"
    );
}

#[test]
fn problem_offsets_point_into_the_body() {
    let body =
        "# Héllo wörld\n\nText [a](incident:NOPE9) ünd [b](gone.md) and [c](javascript:x).\n";
    let r = md(body);
    let found = problems(body, &r);
    let spans: Vec<&str> = found.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(spans, ["incident:NOPE9", "gone.md", "javascript:x"]);
    assert_eq!(r.problems[1].offset, body.find("gone.md").unwrap());
}

#[test]
fn raw_html_passes_through() {
    let r = md("<details><summary>Raw</summary>\n\nInside EX42.\n\n</details>\n");
    assert!(
        r.html
            .unpack()
            .starts_with("<details><summary>Raw</summary>\n"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .unpack()
            .contains("<p>Inside <a href=\"/incidents/ex42/\">EX42</a>.</p>"),
        "{}",
        r.html
    );
}

#[test]
fn output_is_deterministic() {
    let body =
        "# A\n\n## A\n\nEX42 [x](incident:EX1331830) [y](nope.md)\n\n```rust\nlet x = 1;\n```\n";
    assert_eq!(md(body), md(body));
}

#[test]
fn commented_out_raw_link_does_not_stop_auto_linking() {
    let r = md("Old: <!-- <a href=\"/x\"> -->\n\nNow EX42.\n");
    assert!(
        r.html
            .unpack()
            .contains("Now <a href=\"/incidents/ex42/\">EX42</a>."),
        "{}",
        r.html
    );
}

#[test]
fn ids_with_escaped_underscores_survive_the_parser_splitting_text() {
    let r = md("Caused by INC\\_9\\_B, not INC_9.");
    assert_eq!(
        r.html,
        "<p>Caused by <a href=\"/incidents/inc_9_b/\">INC_9_B</a>, not INC_9.</p>\n"
    );
}

#[test]
fn links_in_headings_still_resolve() {
    let r = md("## Follow-up to [EX42](incident:EX42)\n");
    assert_eq!(
        r.html,
        "<h2 id=\"follow-up-to-ex42\">Follow-up to <a href=\"/incidents/ex42/\">EX42</a></h2>\n"
    );
    assert_eq!(r.incident_refs, ["EX42"]);
}

#[test]
fn highlighting_stops_after_the_budget_but_code_still_renders() {
    let block = format!("```rust\n{}\n```\n\n", "let x = 1;\n".repeat(2000));
    let body = block.repeat(20); // ~440 KB of code
    let r = render(&body, "a.md", None, &site());
    let pres = r
        .html
        .unpack()
        .matches("<pre class=\"code\" data-lang=\"rust\">")
        .count();
    assert_eq!(pres, 20);
    assert!(
        r.html.unpack().contains("hl-"),
        "early blocks are highlighted"
    );
    let html = r.html.unpack();
    let last = html.rsplit("<pre").next().unwrap();
    assert!(!last.contains("hl-"), "late blocks stay plain");
}

#[test]
fn internal_blocks_are_found_and_rendered_as_a_marked_aside() {
    let body = "Intro.\n\n```internal\nSee **the runbook**.\n```\n\n````markdown\n```internal\nan example\n```\n````\n";
    let blocks = crate::markdown::internal_blocks(body);
    assert_eq!(blocks.len(), 1, "a fence inside another fence is code");
    assert!(body[blocks[0].clone()].starts_with("```internal"));
    let r = md(body);
    assert!(
        r.html
            .unpack()
            .contains("<div class=\"internal-note\" role=\"note\" aria-label=\"Internal\">"),
        "{}",
        r.html
    );
    assert!(
        r.html.unpack().contains("<strong>the runbook</strong>"),
        "{}",
        r.html
    );
    assert!(super::html_text(&r.html.unpack()).contains("the runbook"));
}

#[test]
fn a_plain_timeline_entry_keeps_no_html_and_gives_back_what_render_made() {
    use crate::link::EntryHtml;
    let plain = "Traffic moved to healthy capacity; users can't sign in & waits > 5 min.";
    let marked = "See **EX1** and [the status page](https://example.com/).";
    let linked = "Same cause as EX1331830.";
    for (text, derived) in [(plain, true), (marked, false), (linked, false)] {
        let rendered = md(text).html.unpack().into_owned();
        let entry = EntryHtml::new(text, md(text).html);
        assert_eq!(matches!(entry, EntryHtml::Paragraph), derived, "{text}");
        assert_eq!(entry.html(text), rendered, "{text}");
        assert_eq!(entry.into_packed(text).unpack(), rendered, "{text}");
    }
}
