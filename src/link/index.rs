//! The incident index and the site's link targets: sorted documents in, the
//! ID index (with duplicate-ID errors), checked `related` and news `incidents`
//! references, page URLs (with slug collisions) and the [`Resolver`] that
//! Markdown links are resolved with out. No file system access.

use super::{Resolver, incident_path, news_path, page_path};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::frontmatter::{diag_at, key_path};
use crate::ix::{IncidentIx, PageIx, StoryIx, TiSlice};
use crate::load::Asset;
use crate::model::*;
use std::collections::{HashMap, HashSet};

/// Lower-cased ID → index into `incidents`; duplicates (case-insensitive)
/// are errors pointing at both files.
pub(super) fn index(
    incidents: &TiSlice<IncidentIx, Incident>,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, IncidentIx> {
    let mut index: HashMap<String, IncidentIx> = HashMap::new();
    let mut by_file: Vec<IncidentIx> = incidents.keys().collect();
    by_file.sort_by(|&a, &b| {
        incidents[a]
            .origin
            .source
            .path
            .cmp(&incidents[b].origin.source.path)
    });
    for &i in &by_file {
        let inc = &incidents[i];
        if let Some(&first) = index.get(&inc.id.key()) {
            let other = &incidents[first];
            diags.push(diag_at(
                &inc.origin,
                &key_path("id", None, None),
                format!("duplicate incident ID `{}`: `{}` in {} has the same ID (IDs are compared ignoring case)", inc.id, other.id, other.origin.source.path),
                Some("give each incident its own ID, or merge the two files".into()),
            ));
            diags.push(diag_at(
                &other.origin,
                &key_path("id", None, None),
                format!(
                    "duplicate incident ID `{}`: also used by {}",
                    other.id, inc.origin.source.path
                ),
                None,
            ));
        } else {
            index.insert(inc.id.key(), i);
        }
    }
    index
}

/// What an unknown ID is told: a draft, or close known IDs.
pub(super) type Unknown<'a> = dyn Fn(&str, &str) -> (String, Option<String>) + 'a;

/// `related` entries must exist and may not be the incident itself; a news
/// story's `incidents` must exist.
pub(super) fn check_references(
    incidents: &TiSlice<IncidentIx, Incident>,
    news: &TiSlice<StoryIx, NewsStory>,
    index: &HashMap<String, IncidentIx>,
    unparsed: &HashSet<String>,
    unknown_msg: &Unknown,
    diags: &mut Vec<Diagnostic>,
) {
    for inc in incidents {
        for (ri, r) in inc.related.iter().enumerate() {
            let Related::Incident { id, .. } = r else {
                continue;
            };
            // Points at the `id:` line, or at the item itself when written as a plain ID.
            let at = key_path("related", Some(ri), Some("id"));
            if id.key() == inc.id.key() {
                diags.push(diag_at(
                    &inc.origin,
                    &at,
                    format!("incident `{}` lists itself as related", inc.id),
                    Some("remove this entry; list earlier outages here".into()),
                ));
            } else if !index.contains_key(&id.key()) && !unparsed.contains(&id.key()) {
                let (msg, hint) = unknown_msg(id.as_str(), "related incident");
                diags.push(diag_at(&inc.origin, &at, msg, hint));
            }
        }
    }
    for story in news {
        for (k, id) in story.incidents.iter().enumerate() {
            if !index.contains_key(&id.key()) && !unparsed.contains(&id.key()) {
                let (msg, hint) = unknown_msg(id.as_str(), "incident");
                diags.push(diag_at(
                    &story.origin,
                    &key_path("incidents", Some(k), None),
                    msg,
                    hint,
                ));
            }
        }
    }
}

/// The incidents, stories and pages of a site.
pub(super) type Documents<'a> = (
    &'a TiSlice<IncidentIx, Incident>,
    &'a TiSlice<StoryIx, NewsStory>,
    &'a TiSlice<PageIx, Page>,
);

/// Content path → URL of every page, with news and page slug collisions.
pub(super) fn page_urls(
    config: &Config,
    (incidents, news, pages): Documents,
    home: bool,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, String> {
    let mut page_urls: HashMap<String, String> = HashMap::new();
    for inc in incidents {
        page_urls.insert(
            inc.origin.content_path.clone(),
            config.url(&incident_path(&inc.id)),
        );
    }
    let mut seen_slugs: HashMap<String, String> = HashMap::new();
    for story in news {
        if let Some(other) = seen_slugs.insert(story.slug.clone(), story.origin.source.path.clone())
        {
            diags.push(diag_at(
                &story.origin,
                &key_path("slug", None, None),
                format!("news slug `{}` is also used by {other}", story.slug),
                Some("set a different `slug:`".into()),
            ));
        }
        page_urls.insert(
            story.origin.content_path.clone(),
            config.url(&news_path(&story.slug)),
        );
    }
    let mut seen_pages: HashMap<String, String> = HashMap::new();
    for p in pages {
        // Pages inside sitrep's own sections are refused at render, which
        // knows every path it generates (`render::collisions`).
        if let Some(other) = seen_pages.insert(p.slug.clone(), p.origin.source.path.clone()) {
            diags.push(diag_at(
                &p.origin,
                &key_path("slug", None, None),
                format!("page slug `{}` is also used by {other}", p.slug),
                Some("set a different `slug:`".into()),
            ));
        }
        page_urls.insert(
            p.origin.content_path.clone(),
            config.url(&page_path(&p.slug)),
        );
    }
    if home {
        page_urls.insert("_index.md".into(), config.url(""));
    }
    page_urls
}

pub(super) fn resolver(
    config: &Config,
    incidents: &TiSlice<IncidentIx, Incident>,
    index: &HashMap<String, IncidentIx>,
    page_urls: HashMap<String, String>,
    assets: &[Asset],
) -> Resolver {
    Resolver {
        by_key: index
            .iter()
            .map(|(k, &i)| {
                (
                    k.clone(),
                    (
                        incidents[i].id.to_string(),
                        config.url(&incident_path(&incidents[i].id)),
                    ),
                )
            })
            .collect(),
        exact: index
            .values()
            .map(|&i| {
                (
                    incidents[i].id.to_string(),
                    config.url(&incident_path(&incidents[i].id)),
                )
            })
            .collect(),
        pages: page_urls,
        assets: assets
            .iter()
            .map(|a| (a.content_path.clone(), config.url(&a.content_path)))
            .collect(),
        internal_label: config.internal_label.clone(),
    }
}
