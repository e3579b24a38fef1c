//! Machine-readable outputs: the linked site in, Atom and JSON feeds, per-term
//! feeds, sitemap, robots.txt, `/api/incidents.json` and the search index out.

use super::context::Builder;
use super::{RenderResult, Sink};
use crate::diag::Diagnostic;
use crate::link::{incident_path, news_path, page_path};
use crate::model::*;
use crate::time::Timestamp;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// Entries per feed, like most generators: feeds are for "what is new".
const FEED_ENTRIES: usize = 50;

struct Entry<'a> {
    id: String,
    title: String,
    url: String,
    updated: String,
    published: String,
    summary: String,
    content_html: &'a str,
    categories: Vec<String>,
}

fn rfc3339(t: &Timestamp) -> String {
    match t {
        Timestamp::Instant(i) => i.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Timestamp::Date(d) => format!("{d}T00:00:00Z"),
    }
}

/// XML text: escaped, and without the control characters XML 1.0 forbids.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn incident_entry<'a>(cx: &Builder<'a>, i: usize) -> Entry<'a> {
    let site = cx.site;
    let inc = &site.incidents[i];
    let url = site.config.abs_url(&incident_path(&inc.id));
    let summary = inc
        .summary
        .clone()
        .unwrap_or_else(|| site.incident_html[i].body.summary.clone());
    let updated = Builder::updated(inc);
    Entry {
        id: url.clone(),
        title: format!("[{}] {}: {}", inc.status.label(), inc.id, inc.title),
        url,
        updated: rfc3339(updated),
        published: rfc3339(&inc.started),
        summary,
        content_html: &site.incident_html[i].body.html,
        categories: inc
            .services
            .iter()
            .chain(&inc.regions)
            .chain(&inc.tags)
            .cloned()
            .collect(),
    }
}

fn news_entry<'a>(cx: &Builder<'a>, n: usize) -> Entry<'a> {
    let site = cx.site;
    let s = &site.news[n];
    let url = site.config.abs_url(&news_path(&s.slug));
    let updated = s.updated.as_ref().unwrap_or(&s.date);
    Entry {
        id: url.clone(),
        title: s.title.clone(),
        url,
        updated: rfc3339(updated),
        published: rfc3339(&s.date),
        summary: s
            .summary
            .clone()
            .unwrap_or_else(|| site.news_html[n].summary.clone()),
        content_html: &site.news_html[n].html,
        categories: s.tags.clone(),
    }
}

#[derive(Clone, Copy)]
enum Item {
    Incident(usize),
    News(usize),
}

/// The newest [`FEED_ENTRIES`] items as entries, newest first (ties by ID). Only
/// the kept ones are built: a term can hold thousands of incidents.
fn newest<'a>(cx: &Builder<'a>, items: impl Iterator<Item = Item>) -> Vec<Entry<'a>> {
    let site = cx.site;
    let mut keyed: Vec<(i64, String, Item)> = items
        .map(|it| match it {
            Item::Incident(i) => {
                let inc = &site.incidents[i];
                let id = site.config.abs_url(&incident_path(&inc.id));
                (Builder::updated(inc).sort_key(), id, it)
            }
            Item::News(n) => {
                let s = &site.news[n];
                let id = site.config.abs_url(&news_path(&s.slug));
                (s.updated.as_ref().unwrap_or(&s.date).sort_key(), id, it)
            }
        })
        .collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    keyed.truncate(FEED_ENTRIES);
    keyed
        .into_iter()
        .map(|(_, _, it)| match it {
            Item::Incident(i) => incident_entry(cx, i),
            Item::News(n) => news_entry(cx, n),
        })
        .collect()
}

/// `with_content`: the site feed carries whole write-ups; per-term feeds only
/// summaries (78 term feeds × 50 full entries would dwarf the site itself).
fn atom(
    cx: &Builder,
    title: &str,
    self_path: &str,
    alt_path: &str,
    entries: &[Entry],
    with_content: bool,
) -> String {
    let c = &cx.site.config;
    // The feed's own "updated" is the newest entry's, never the build time.
    let updated = entries
        .iter()
        .map(|e| e.updated.as_str())
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    let mut s = String::new();
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n",
        xml(&c.language),
        xml(title)
    );
    if !c.description.is_empty() {
        let _ = writeln!(s, "  <subtitle>{}</subtitle>", xml(&c.description));
    }
    let self_url = c.abs_url(self_path);
    let _ = write!(
        s,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n  <generator>sitrep</generator>\n",
        xml(&self_url),
        xml(&c.abs_url(alt_path)),
        xml(&self_url)
    );
    for e in entries {
        let _ = write!(
            s,
            "  <entry>\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <id>{}</id>\n    <published>{}</published>\n    <updated>{}</updated>\n    <author><name>{}</name></author>\n",
            xml(&e.title),
            xml(&e.url),
            xml(&e.id),
            e.published,
            e.updated,
            xml(&c.title)
        );
        for cat in &e.categories {
            let _ = writeln!(s, "    <category term=\"{}\"/>", xml(cat));
        }
        let _ = writeln!(s, "    <summary>{}</summary>", xml(&e.summary));
        if with_content {
            let _ = writeln!(
                s,
                "    <content type=\"html\">{}</content>",
                xml(e.content_html)
            );
        }
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

fn json_feed(cx: &Builder, entries: &[Entry]) -> String {
    let c = &cx.site.config;
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "url": e.url, "title": e.title, "summary": e.summary,
                "content_html": e.content_html, "date_published": e.published,
                "date_modified": e.updated, "tags": e.categories,
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": c.title, "description": c.description,
        "home_page_url": c.base_url, "feed_url": c.abs_url("feed.json"),
        "language": c.language, "items": items,
    });
    pretty(&feed)
}

fn pretty(v: &Value) -> String {
    html_safe(serde_json::to_string_pretty(v).unwrap_or_default() + "\n")
}

/// `<`, `>` and `&` only occur inside JSON strings, where `\u003c` etc. mean the
/// same; escaping them keeps a writer's `<script>` inert even if a consumer pastes
/// the JSON into HTML.
fn html_safe(json: String) -> String {
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn api(cx: &Builder) -> String {
    let site = cx.site;
    let tz = &site.config.timezone;
    let t = |t: &Option<Timestamp>| t.as_ref().map(Timestamp::machine);
    let incidents: Vec<Value> = site
        .incidents
        .iter()
        .map(|inc| {
            let secs = |to: &Option<Timestamp>| to.as_ref().and_then(|x| inc.started.seconds_until(x));
            json!({
                "id": inc.id, "url": site.config.abs_url(&incident_path(&inc.id)), "title": inc.title,
                "services": inc.services, "status": inc.status.as_str(),
                "started": inc.started.machine(), "detected": t(&inc.detected), "acknowledged": t(&inc.acknowledged),
                "mitigated": t(&inc.mitigated), "next_update": t(&inc.next_update), "resolved": t(&inc.resolved),
                "classification": inc.classification.as_str(),
                "window": inc.window.map(|w| json!({"start": w.start.machine(), "end": w.end.machine()})),
                "severity": inc.severity.map(|s| s.as_str()), "regions": inc.regions, "components": inc.components,
                "errors": inc.errors,
                "timeline": inc.timeline.iter().map(|e| json!({"at": e.at.machine(), "status": e.status.map(|s| s.as_str()), "text": e.text})).collect::<Vec<_>>(),
                "related": inc.related.iter().map(|r| match r {
                    Related::Incident { id, note } => json!({"id": id, "note": note, "url": site.config.abs_url(&incident_path(id))}),
                    Related::External { title, url, date, note } => json!({"title": title, "url": url, "date": date.as_ref().map(Timestamp::machine), "note": note}),
                }).collect::<Vec<_>>(),
                "summary": inc.summary, "tags": inc.tags, "sources": inc.sources,
                "actions": inc.actions.iter().map(|a| json!({"text": a.text, "owner": a.owner, "status": a.status.as_str(), "due": a.due.as_ref().map(Timestamp::machine)})).collect::<Vec<_>>(),
                "takes": inc.takes.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
                "extra": inc.extra,
                "durations": {
                    "time_to_detect_s": secs(&inc.detected), "time_to_acknowledge_s": secs(&inc.acknowledged),
                    "time_to_mitigate_s": secs(&inc.mitigated), "time_to_resolve_s": secs(&inc.resolved),
                },
                "started_display": inc.started.display(tz),
            })
        })
        .collect();
    pretty(&json!({"generator": "sitrep", "site": site.config.base_url, "incidents": incidents}))
}

fn sitemap(cx: &Builder) -> String {
    let site = cx.site;
    let c = &site.config;
    let mut paths: Vec<(String, Option<String>)> = vec![
        (String::new(), None),
        ("incidents/".into(), None),
        ("news/".into(), None),
        ("actions/".into(), None),
        ("search/".into(), None),
    ];
    paths.extend(
        site.incidents
            .iter()
            .map(|i| (incident_path(&i.id), Some(rfc3339(Builder::updated(i))))),
    );
    paths.extend(site.news.iter().map(|n| {
        (
            news_path(&n.slug),
            Some(rfc3339(n.updated.as_ref().unwrap_or(&n.date))),
        )
    }));
    paths.extend(site.pages.iter().map(|p| (page_path(&p.slug), None)));
    for tax in &site.taxonomies {
        paths.push((format!("{}/", tax.name), None));
        paths.extend(
            tax.terms
                .keys()
                .map(|slug| (format!("{}/{slug}/", tax.name), None)),
        );
    }
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (p, lastmod) in paths {
        let _ = write!(s, "  <url><loc>{}</loc>", xml(&c.abs_url(&p)));
        if let Some(l) = lastmod {
            let _ = write!(s, "<lastmod>{l}</lastmod>");
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

pub(super) fn write_all(cx: &Builder, sink: &dyn Sink) -> RenderResult {
    let site = cx.site;
    let c = &site.config;
    let mut files: Vec<(String, String)> = Vec::new();
    let all = newest(
        cx,
        (0..site.incidents.len())
            .map(Item::Incident)
            .chain((0..site.news.len()).map(Item::News)),
    );
    files.push((
        "atom.xml".into(),
        atom(cx, &c.title, "atom.xml", "", &all, true),
    ));
    files.push(("feed.json".into(), json_feed(cx, &all)));
    for tax in &site.taxonomies {
        for (slug, term) in &tax.terms {
            let entries = newest(cx, term.incidents.iter().map(|&i| Item::Incident(i)));
            let dir = format!("{}/{slug}/", tax.name);
            let title = format!("{} — {}: {}", c.title, tax.title, term.name);
            files.push((
                format!("{dir}atom.xml"),
                atom(cx, &title, &format!("{dir}atom.xml"), &dir, &entries, false),
            ));
        }
    }
    files.push(("api/incidents.json".into(), api(cx)));
    files.extend(super::search::files(cx));
    files.push(("sitemap.xml".into(), sitemap(cx)));
    files.push((
        "robots.txt".into(),
        format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            c.abs_url("sitemap.xml")
        ),
    ));
    let errors: Vec<Diagnostic> = files
        .into_iter()
        .filter_map(|(p, text)| {
            sink.put(&p, text.into_bytes())
                .err()
                .map(|e| Diagnostic::error(&p, format!("cannot write: {e}")))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_outputs_keep_markup_inert_and_valid() {
        let text = html_safe(serde_json::to_string(&json!({"t": "<script>&</script>"})).unwrap());
        assert_eq!(
            text,
            r#"{"t":"\u003cscript\u003e\u0026\u003c/script\u003e"}"#
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["t"], "<script>&</script>");
        assert_eq!(xml("a<b & \u{1}c"), "a&lt;b &amp; c");
    }
}
