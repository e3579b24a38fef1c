//! Taxonomies: incidents in, the `services`, `regions`, `errors` and `tags`
//! terms out — one slug per term, newest incidents first, and an error when two
//! differently written terms would share a URL.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::frontmatter::{diag_at, key_path};
use crate::model::{ErrorRef, Incident};
use crate::slug::term_slug;
use std::collections::{BTreeMap, HashMap};

pub const TAXONOMIES: [(&str, &str); 4] = [
    ("services", "Services"),
    ("regions", "Regions"),
    ("errors", "Errors"),
    ("tags", "Tags"),
];

pub struct Term {
    pub name: String,
    pub slug: String,
    /// Indices into `Site::incidents`, newest first.
    pub incidents: Vec<usize>,
}

pub struct Taxonomy {
    pub name: &'static str,
    pub title: &'static str,
    /// By slug (sorted, so output order is stable).
    pub terms: BTreeMap<String, Term>,
    /// Term name as written → its slug (render asks for term URLs per card).
    pub slugs: HashMap<String, String>,
}

impl Taxonomy {
    pub fn term_url(&self, config: &Config, name: &str) -> Option<String> {
        let slug = self.slugs.get(name)?;
        Some(config.url(&format!("{}/{slug}/", self.name)))
    }
}

pub(super) fn taxonomies(incidents: &[Incident], diags: &mut Vec<Diagnostic>) -> Vec<Taxonomy> {
    let mut out: Vec<Taxonomy> = TAXONOMIES
        .iter()
        .map(|&(name, title)| Taxonomy {
            name,
            title,
            terms: BTreeMap::new(),
            slugs: HashMap::new(),
        })
        .collect();
    // Terms repeat across thousands of incidents: slug each distinct name once.
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for (i, inc) in incidents.iter().enumerate() {
        let lists: [(usize, &str, Vec<&str>); 4] = [
            (
                0,
                "services",
                inc.services.iter().map(String::as_str).collect(),
            ),
            (
                1,
                "regions",
                inc.regions.iter().map(String::as_str).collect(),
            ),
            (2, "errors", inc.errors.iter().map(ErrorRef::term).collect()),
            (3, "tags", inc.tags.iter().map(String::as_str).collect()),
        ];
        for (t, key, names) in lists {
            for (k, name) in names.into_iter().enumerate() {
                let slug = slugs.entry(name).or_insert_with(|| term_slug(name)).clone();
                let at = || key_path(key, Some(k), None);
                if slug.is_empty() {
                    diags.push(diag_at(
                        &inc.origin,
                        &at(),
                        format!(
                            "the {key} term `{name}` has no letters or digits to make a URL from"
                        ),
                        Some("use a name with letters or digits".into()),
                    ));
                    continue;
                }
                let term = out[t].terms.entry(slug).or_insert_with_key(|slug| Term {
                    name: name.to_string(),
                    slug: slug.clone(),
                    incidents: Vec::new(),
                });
                if term.name != name {
                    let first = &incidents[term.incidents[0]];
                    diags.push(diag_at(
                        &inc.origin,
                        &at(),
                        format!(
                            "the {key} terms `{name}` and `{}` both get the URL slug `{}`",
                            term.name, term.slug
                        ),
                        Some(format!(
                            "spell it the same way everywhere (`{}` is used in {})",
                            term.name, first.origin.source.path
                        )),
                    ));
                    continue;
                }
                if term.incidents.last() != Some(&i) {
                    term.incidents.push(i);
                }
                if !out[t].slugs.contains_key(name) {
                    let slug = slugs[name].clone();
                    out[t].slugs.insert(name.to_string(), slug);
                }
            }
        }
    }
    out
}
