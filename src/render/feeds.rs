//! Feeds: the view of the site in, the site's Atom and JSON feeds and one Atom
//! feed per taxonomy term out. Which feed files exist is the output
//! registry's business (`machine.rs`).

use super::format::{compact, rfc3339};
use super::view::Builder;
use crate::escape::xml;
use crate::ix::{IncidentIx, StoryIx};
use crate::link::{Tax, incident_path, news_path};
use serde_json::{Value, json};
use std::borrow::Cow;
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
    content_html: Cow<'a, str>,
    categories: Vec<String>,
}

fn incident_entry<'a>(cx: &Builder<'a>, i: IncidentIx) -> Entry<'a> {
    let inc = cx.incident(i);
    let url = cx.config().abs_url(&incident_path(&inc.id));
    let summary = cx.summary(i).to_string();
    let updated = inc.updated();
    Entry {
        id: url.clone(),
        title: format!(
            "[{}] {}: {}",
            cx.status_label(inc.status),
            inc.id,
            inc.title
        ),
        url,
        updated: rfc3339(updated),
        published: rfc3339(&inc.started),
        summary,
        content_html: incident_content(cx, i),
        categories: inc
            .services
            .iter()
            .chain(&inc.regions)
            .chain(&inc.tags)
            .cloned()
            .collect(),
    }
}

/// An incident's write-up for a feed: its body, then its postmortem (as on its page).
fn incident_content<'a>(cx: &Builder<'a>, i: IncidentIx) -> Cow<'a, str> {
    let (inc, html) = (cx.incident(i), cx.incident_html(i));
    let Some(pm) = &inc.postmortem else {
        return html.body.html.unpack();
    };
    let mut s = html.body.html.unpack().into_owned();
    let _ = writeln!(s, "<h2>{}</h2>", xml(cx.strings.get("postmortem.title")));
    for ((part, _), h) in pm.parts.iter().zip(&html.postmortem) {
        let _ = write!(s, "<h3>{}</h3>\n{h}", xml(cx.strings.get(part.key())));
    }
    Cow::Owned(s)
}

fn news_entry<'a>(cx: &Builder<'a>, n: StoryIx) -> Entry<'a> {
    let (s, html) = (cx.story(n), cx.story_html(n));
    let url = cx.config().abs_url(&news_path(&s.slug));
    let updated = s.updated.as_ref().unwrap_or(&s.date);
    Entry {
        id: url.clone(),
        title: s.title.clone(),
        url,
        updated: rfc3339(updated),
        published: rfc3339(&s.date),
        summary: s.summary.clone().unwrap_or_else(|| html.summary.clone()),
        content_html: html.html.unpack(),
        categories: s.tags.clone(),
    }
}

#[derive(Clone, Copy)]
enum Item {
    Incident(IncidentIx),
    News(StoryIx),
}

/// The newest [`FEED_ENTRIES`] items as entries, newest first (ties by ID). Only
/// the kept ones are built: a term can hold thousands of incidents.
fn newest<'a>(cx: &Builder<'a>, items: impl Iterator<Item = Item>) -> Vec<Entry<'a>> {
    let c = cx.config();
    let mut keyed: Vec<(i64, String, Item)> = items
        .map(|it| match it {
            Item::Incident(i) => {
                let inc = cx.incident(i);
                let id = c.abs_url(&incident_path(&inc.id));
                (inc.updated().sort_key(), id, it)
            }
            Item::News(n) => {
                let s = cx.story(n);
                let id = c.abs_url(&news_path(&s.slug));
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
    let c = cx.config();
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
                xml(&e.content_html)
            );
        }
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

fn json_feed(cx: &Builder, entries: &[Entry]) -> String {
    let c = cx.config();
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
    compact(&feed)
}

/// Every incident and story, newest first.
fn everything<'a>(cx: &Builder<'a>) -> Vec<Entry<'a>> {
    let site = cx.whole();
    newest(
        cx,
        (site.incidents.keys().map(Item::Incident)).chain(site.news.keys().map(Item::News)),
    )
}

/// `/atom.xml`: the whole site, with whole write-ups.
pub(super) fn site_atom(cx: &Builder) -> String {
    atom(
        cx,
        &cx.config().title,
        "atom.xml",
        "",
        &everything(cx),
        true,
    )
}

/// `/feed.json`: JSON Feed 1.1 of the same entries.
pub(super) fn site_json(cx: &Builder) -> String {
    json_feed(cx, &everything(cx))
}

/// `/<taxonomy>/<slug>/atom.xml` for the term `term` of taxonomy `tax`.
/// The Atom feed of term `slug` of taxonomy `t`: it reads the term's
/// incidents (every one: the newest are picked from them).
pub(super) fn term_atom(cx: &Builder, t: Tax, slug: &str) -> (String, String) {
    let c = cx.config();
    let members = cx.members(super::reads::List::Term(t, slug.to_string()));
    let entries = newest(cx, members.iter().map(|&i| Item::Incident(i)));
    let (name, tax) = (cx.taxonomy_name(t), t.title());
    let term = cx.term_name(t, slug).unwrap_or_default();
    let dir = format!("{name}/{slug}/");
    let title = format!("{} — {tax}: {term}", c.title);
    let path = format!("{dir}atom.xml");
    let feed = atom(cx, &title, &path, &dir, &entries, false);
    (path, feed)
}
