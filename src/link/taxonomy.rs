//! Taxonomies: incidents in, the `services`, `regions`, `errors` and `tags`
//! terms out — one slug per term, newest incidents first, and an error when two
//! differently written terms would share a URL.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::frontmatter::{diag_at, key_path};
use crate::ix::{IncidentIx, TiSlice};
use crate::model::{ErrorRef, Incident};
use crate::slug::term_slug;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The four taxonomies, by name rather than by their place in
/// [`TAXONOMIES`] and `Site::taxonomies`. Stored (the rebuild manifest's
/// `List::Term`) as that place.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "usize", try_from = "usize")]
pub enum Tax {
    Services = 0,
    Regions = 1,
    Errors = 2,
    Tags = 3,
}

impl Tax {
    /// In [`TAXONOMIES`] order.
    pub const ALL: [Tax; 4] = [Tax::Services, Tax::Regions, Tax::Errors, Tax::Tags];

    /// `Services`: the built-in English title.
    pub fn title(self) -> &'static str {
        TAXONOMIES[self as usize].1
    }
}

impl From<Tax> for usize {
    fn from(t: Tax) -> usize {
        t as usize
    }
}

impl TryFrom<usize> for Tax {
    type Error = String;

    fn try_from(i: usize) -> Result<Tax, String> {
        Tax::ALL
            .get(i)
            .copied()
            .ok_or_else(|| format!("no taxonomy {i}"))
    }
}

pub(super) const TAXONOMIES: [(&str, &str); 4] = [
    ("services", "Services"),
    ("regions", "Regions"),
    ("errors", "Errors"),
    ("tags", "Tags"),
];

pub(crate) struct Term {
    pub name: String,
    pub slug: String,
    /// Indices into `Site::incidents`, newest first.
    pub incidents: Vec<IncidentIx>,
    /// A service named in `[groups]`: it exists even with no incident.
    pub declared: bool,
}

pub(crate) struct Taxonomy {
    pub name: &'static str,
    /// By slug (sorted, so output order is stable).
    pub terms: BTreeMap<String, Term>,
    /// Term name as written → its slug (render asks for term URLs per card).
    pub slugs: HashMap<String, String>,
}

impl Taxonomy {
    pub(crate) fn term_url(&self, config: &Config, name: &str) -> Option<String> {
        let slug = self.slugs.get(name)?;
        Some(config.url(&format!("{}/{slug}/", self.name)))
    }
}

/// The services `[groups]` names, as terms without incidents yet: written
/// first, so an incident spelling one differently is the one told.
fn declared(config: &Config, out: &mut Taxonomy, diags: &mut Vec<Diagnostic>) {
    for name in config.groups.iter().flat_map(|g| &g.services) {
        let slug = term_slug(name);
        let clash = out.terms.get(&slug).map(|t| t.name.clone());
        match clash {
            _ if slug.is_empty() => diags.push(config.key_error(
                "groups",
                format!("the service `{name}` in [groups] has no letters or digits to make a URL from"),
            ).hint("use a name with letters or digits")),
            Some(other) if other != *name => diags.push(config.key_error(
                "groups",
                format!("the services `{other}` and `{name}` in [groups] both get the URL slug `{slug}`"),
            ).hint("spell each service the same way everywhere")),
            _ => {
                out.slugs.insert(name.clone(), slug.clone());
                out.terms.entry(slug.clone()).or_insert(Term {
                    name: name.clone(),
                    slug,
                    incidents: Vec::new(),
                    declared: true,
                });
            }
        }
    }
}

pub(super) fn taxonomies(
    config: &Config,
    incidents: &TiSlice<IncidentIx, Incident>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Taxonomy> {
    let mut out: Vec<Taxonomy> = TAXONOMIES
        .iter()
        .map(|&(name, _)| Taxonomy {
            name,
            terms: BTreeMap::new(),
            slugs: HashMap::new(),
        })
        .collect();
    declared(config, &mut out[0], diags);
    // Terms repeat across thousands of incidents: slug each distinct name once.
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for (i, inc) in incidents.iter_enumerated() {
        for (t, names) in names(inc).into_iter().enumerate() {
            let key = TAXONOMIES[t].0;
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
                    declared: false,
                });
                if term.name != name {
                    diags.push(slug_clash(config, incidents, inc, (key, k, name), term));
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

/// Two spellings of one term (`name`, the `k`-th of `key` in `inc`, and the
/// `term` met first) that share a URL slug.
fn slug_clash(
    config: &Config,
    incidents: &TiSlice<IncidentIx, Incident>,
    inc: &Incident,
    (key, k, name): (&str, usize, &str),
    term: &Term,
) -> Diagnostic {
    let first = match term.incidents.first() {
        Some(&f) => incidents[f].origin.source.path.clone(),
        None => config.source.path.clone(),
    };
    diag_at(
        &inc.origin,
        &key_path(key, Some(k), None),
        format!(
            "the {key} terms `{name}` and `{}` both get the URL slug `{}`",
            term.name, term.slug
        ),
        Some(format!(
            "spell it the same way everywhere (`{}` is used in {first})",
            term.name
        )),
    )
}

/// An incident's term names per taxonomy, in [`TAXONOMIES`] order.
fn names(inc: &Incident) -> [Vec<&str>; 4] {
    [
        inc.services.iter().map(String::as_str).collect(),
        inc.regions.iter().map(String::as_str).collect(),
        inc.errors.iter().map(ErrorRef::term).collect(),
        inc.tags.iter().map(String::as_str).collect(),
    ]
}

/// File incident `i` under `new`'s terms instead of `old`'s, exactly as
/// [`taxonomies`] over the whole site would (serve, for a front-matter edit
/// that keeps the incident's place). `None`, with nothing changed, when a new
/// term would have no slug or share one with another spelling: a full link
/// reports that. Which pages that changes is for serve's ledger to find.
pub(crate) fn refile(
    taxes: &mut [Taxonomy],
    i: IncidentIx,
    old: &Incident,
    new: &Incident,
) -> Option<()> {
    let (old, new) = (names(old), names(new));
    let mut plan = Vec::new();
    for t in 0..TAXONOMIES.len() {
        let tax = &taxes[t];
        let before: BTreeSet<&str> = old[t]
            .iter()
            .filter_map(|n| tax.slugs.get(*n).map(String::as_str))
            .collect();
        let mut after: BTreeMap<String, &str> = BTreeMap::new();
        for name in &new[t] {
            let slug = tax
                .slugs
                .get(*name)
                .cloned()
                .unwrap_or_else(|| term_slug(name));
            if slug.is_empty() {
                return None;
            }
            let taken = tax.terms.get(&slug).map(|term| term.name.as_str());
            if taken.is_some_and(|n| n != *name) || after.get(&slug).is_some_and(|n| n != name) {
                return None;
            }
            after.insert(slug, name);
        }
        for slug in &before {
            if !after.contains_key(*slug) {
                plan.push((t, slug.to_string(), None));
            }
        }
        for (slug, name) in after {
            if !before.contains(slug.as_str()) {
                plan.push((t, slug, Some(name.to_string())));
            }
        }
    }
    for (t, slug, entered) in plan {
        let tax = &mut taxes[t];
        match entered {
            None => {
                let Some(term) = tax.terms.get_mut(&slug) else {
                    continue;
                };
                term.incidents.retain(|&x| x != i);
                if term.incidents.is_empty() && !term.declared {
                    let name = term.name.clone();
                    tax.terms.remove(&slug);
                    tax.slugs.remove(&name);
                }
            }
            Some(name) => {
                tax.slugs.insert(name.clone(), slug.clone());
                let term = tax.terms.entry(slug.clone()).or_insert_with(|| Term {
                    name,
                    slug,
                    incidents: Vec::new(),
                    declared: false,
                });
                // Newest first is index order.
                if let Err(at) = term.incidents.binary_search(&i) {
                    term.incidents.insert(at, i);
                }
            }
        }
    }
    Some(())
}
