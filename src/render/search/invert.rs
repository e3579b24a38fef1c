//! The inverted index: the site's documents in, key → postings (document,
//! best field weight), documents ascending, encoded as they come, out. Serve's [`Memo`] supplies the
//! keys of documents it has tokenized before.

use super::{Doc, KeyMap, Postings, incident_doc, news_doc};
use crate::link::Site;
use crate::markdown;
use crate::render::memo::{self, KeyStore, Keys, SearchDoc};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Documents tokenized at once: their word maps are large next to the
/// postings they become, so only this many are held at a time.
const INVERT_CHUNK: usize = 512;

/// Key → postings (encoded as they come), documents ascending: incidents
/// (newest first), then news.
/// With a `memo` (serve's, or the keys a previous build saved), documents
/// whose keys it holds are not tokenized again.
pub(super) fn invert(site: &Site, memo: Option<&dyn KeyStore>) -> BTreeMap<String, Postings> {
    let total = site.incidents.len() + site.news.len();
    let mut index: KeyMap<String, Postings> = KeyMap::default();
    let mut post = |k: &str, d: usize, w: u8| match index.get_mut(k) {
        Some(p) => p.push(d as u32, w),
        None => {
            let mut p = Postings::default();
            p.push(d as u32, w);
            index.insert(k.to_string(), p);
        }
    };
    let mut words = memo.map(|m| memo::lock(m.words()));
    for start in (0..total).step_by(INVERT_CHUNK) {
        let end = (start + INVERT_CHUNK).min(total);
        let kept: Vec<Option<Keys>> = (start..end)
            .map(|d| memo.and_then(|m| m.keys(site, SearchDoc::nth(site, d))))
            .collect();
        // Body texts exist only for the chunk being tokenized: the site keeps
        // each body once, as HTML.
        let bodies: Vec<Option<String>> = (start..end)
            .into_par_iter()
            .map(|d| {
                kept[d - start].is_none().then(|| {
                    markdown::html_words(&match SearchDoc::nth(site, d) {
                        SearchDoc::Incident(i) => site.incident_html[i].body.html.unpack(),
                        SearchDoc::News(n) => site.news_html[n].html.unpack(),
                    })
                })
            })
            .collect();
        let docs: Vec<Option<Doc>> = (start..end)
            .into_par_iter()
            .map(|d| {
                let body = bodies[d - start].as_deref()?;
                Some(match SearchDoc::nth(site, d) {
                    SearchDoc::Incident(i) => incident_doc(site, i, body),
                    SearchDoc::News(n) => news_doc(site, n, body),
                })
            })
            .collect();
        // Chunks in order keep every key's postings ascending. A key is copied
        // once per distinct key of the whole site.
        for ((d, doc), kept) in (start..).zip(docs).zip(kept) {
            if let (Some(keys), Some(words)) = (kept, &words) {
                for (k, w) in keys.iter() {
                    post(words.word(k), d, w);
                }
                continue;
            }
            let Some(doc) = doc else { continue };
            if let (Some(m), Some(words)) = (memo, &mut words) {
                let keys = words.keys(doc.0.iter().map(|(k, w)| (k.as_ref(), *w)));
                m.put_keys(site, SearchDoc::nth(site, d), keys);
            }
            for (k, w) in doc.0 {
                post(&k, d, w);
            }
        }
    }
    index.into_iter().collect()
}
