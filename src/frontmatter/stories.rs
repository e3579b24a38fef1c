//! News stories and plain pages: a YAML map in, a [`NewsStory`] or [`Page`]
//! out, with their single-file rules (slugs, dates, linked incidents).

use super::reader::{Ctx, Path, index, key};
use crate::model::*;
use serde_yaml::Mapping;

const NEWS_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "authors",
    "incidents",
    "summary",
    "tags",
    "slug",
    "internal",
    "draft",
    "extra",
];
const PAGE_KEYS: &[&str] = &["title", "slug", "template", "draft", "extra"];

pub(super) fn news(cx: &mut Ctx, m: &Mapping, origin: Origin) -> Option<NewsStory> {
    let r: Path = Vec::new();
    cx.check_keys(m, &r, NEWS_KEYS);
    let what = "a news story";
    let title = cx.text_req(m, "title", what);
    let date = cx
        .required(m, &r, "date", what)
        .and_then(|v| cx.time(v, &key(&r, "date")));
    let updated = cx.opt_time(m, &r, "updated");
    let authors = cx.text_list(m.get("authors"), &key(&r, "authors"), true);
    let ip = key(&r, "incidents");
    let incidents = cx
        .text_list(m.get("incidents"), &ip, true)
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| match IncidentId::parse(&t) {
            Ok(id) => Some(id),
            Err(e) => {
                cx.error(&index(&ip, i), e, None);
                None
            }
        })
        .collect();
    let summary = cx.opt_text(m, &r, "summary");
    let tags = cx.text_list(m.get("tags"), &key(&r, "tags"), false);
    let default_slug = origin
        .content_path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md")
        .to_string();
    let slug = slug_field(cx, m, default_slug, false);
    let (internal, _) = super::postmortem::internal(cx, m, false);
    let draft = cx.boolean(m, &r, "draft");
    let extra = cx.json(m.get("extra"));
    Some(NewsStory {
        origin,
        title: title?,
        date: date?,
        updated,
        authors,
        incidents,
        summary,
        tags,
        slug: slug?,
        internal,
        draft,
        extra,
    })
}

/// A slug the writer chose must stay inside the site: lower-case letters, digits,
/// `-`, `_`, `.` and (for pages) `/` between segments.
fn slug_field(cx: &mut Ctx, m: &Mapping, default: String, nested: bool) -> Option<String> {
    let given = cx.opt_text(m, &[], "slug");
    let slug = given
        .clone()
        .unwrap_or(default)
        .trim_matches('/')
        .to_string();
    let ok_seg = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let ok = if nested {
        slug.split('/').all(ok_seg)
    } else {
        ok_seg(&slug)
    };
    if !ok {
        let at = if given.is_some() {
            key(&[], "slug")
        } else {
            Vec::new()
        };
        cx.error(
            &at,
            format!("`{slug}` cannot be used as a URL slug"),
            Some(format!(
                "use letters, digits and `-`{}, e.g. `exchange-online-outage`",
                if nested {
                    " (and `/` between folders)"
                } else {
                    ""
                }
            )),
        );
        return None;
    }
    Some(slug)
}

pub(super) fn page(cx: &mut Ctx, m: &Mapping, origin: Origin) -> Option<Page> {
    let r: Path = Vec::new();
    cx.check_keys(m, &r, PAGE_KEYS);
    let title = cx.text_req(m, "title", "a page");
    let default_slug = origin.content_path.trim_end_matches(".md").to_string();
    let slug = slug_field(cx, m, default_slug, true);
    let template = cx
        .opt_text(m, &r, "template")
        .unwrap_or_else(|| "page.html".to_string());
    let draft = cx.boolean(m, &r, "draft");
    let extra = cx.json(m.get("extra"));
    Some(Page {
        origin,
        title: title?,
        slug: slug?,
        template,
        draft,
        extra,
    })
}
