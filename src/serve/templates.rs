//! Template versions: the theme's templates (name → source) in, for each
//! template a hash of its own source and of every template it reads out —
//! the ones it extends, includes or imports, and those defining the
//! components it calls, transitively. A page's context hash includes its
//! template's version, so a template edit re-renders only the pages whose
//! template reads the edited one.
//!
//! Tera 2 keeps each template's parents and includes to itself (`pub(crate)`),
//! so they are read from the sources here; a name that only looks like a
//! reference makes a page re-render needlessly, never skip a change.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

/// The quoted names inside `{% extends/include/import … %}` tags.
fn tag_references(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("{%") {
        rest = &rest[i + 2..];
        let end = rest.find("%}").unwrap_or(rest.len());
        let tag = rest[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = tag.split_whitespace().next().unwrap_or("");
        if matches!(word, "extends" | "include" | "import") {
            // Every quoted string: `include ["a.html", "b.html"] ignore missing`.
            let mut q = tag;
            while let Some(open) = q.find(['"', '\'']) {
                let quote = q.as_bytes()[open] as char;
                let after = &q[open + 1..];
                let Some(close) = after.find(quote) else {
                    break;
                };
                out.push(&after[..close]);
                q = &after[close + 1..];
            }
        }
        rest = &rest[end..];
    }
    out
}

/// Component names a template defines (`{% component name(…) %}`).
fn components(src: &str) -> Vec<&str> {
    src.match_indices("component ")
        .filter(|(i, _)| src[..*i].trim_end_matches([' ', '-']).ends_with("{%"))
        .filter_map(|(i, m)| {
            let name = src[i + m.len()..].trim_start();
            let end = name.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
            (end > 0).then(|| &name[..end])
        })
        .collect()
}

/// Does `src` call component `name` (`<name …/>` inside an expression)?
fn calls(src: &str, name: &str) -> bool {
    src.match_indices(&format!("<{name}")).any(|(i, m)| {
        src[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_whitespace() || c == '/' || c == '>')
    })
}

/// Template name → version. `templates`: name → (shown path, source).
pub(super) fn versions(templates: &BTreeMap<String, (String, String)>) -> HashMap<String, u64> {
    let defines: Vec<(&str, &str)> = templates
        .iter()
        .flat_map(|(n, (_, src))| components(src).into_iter().map(move |c| (c, n.as_str())))
        .collect();
    let reads: HashMap<&str, Vec<&str>> = templates
        .iter()
        .map(|(n, (_, src))| {
            let mut r = tag_references(src);
            r.extend(
                defines
                    .iter()
                    .filter(|(c, _)| calls(src, c))
                    .map(|(_, t)| *t),
            );
            (n.as_str(), r)
        })
        .collect();
    templates
        .keys()
        .map(|name| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut todo = vec![name.as_str()];
            while let Some(t) = todo.pop() {
                if seen.insert(t) {
                    todo.extend(reads.get(t).into_iter().flatten());
                }
            }
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for t in seen {
                (t, templates.get(t).map(|(_, s)| s.as_str())).hash(&mut h);
            }
            (name.clone(), h.finish())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[(&str, &str)]) -> BTreeMap<String, (String, String)> {
        items
            .iter()
            .map(|(n, s)| (n.to_string(), (format!("templates/{n}"), s.to_string())))
            .collect()
    }

    #[test]
    fn a_version_changes_with_what_the_template_reads() {
        let before = set(&[
            ("base.html", "<html>{% block main %}{% endblock %}</html>"),
            (
                "page.html",
                "{%- extends \"base.html\" -%}{% block main %}{% include 'bits.html' %}{% endblock %}",
            ),
            ("bits.html", "bits"),
            (
                "term.html",
                "{% extends \"base.html\" %}{{ <card x={1}/> }}",
            ),
            (
                "parts.html",
                "{% component card(x) -%}<li>{{ x }}</li>{%- endcomponent %}",
            ),
            ("alone.html", "alone <cards>"),
        ]);
        let v = versions(&before);
        let changed = |name: &str, text: &str| {
            let mut after = before.clone();
            after.get_mut(name).unwrap().1 = text.to_string();
            let w = versions(&after);
            let mut names: Vec<&str> = v
                .keys()
                .filter(|k| v[*k] != w[*k])
                .map(String::as_str)
                .collect();
            names.sort();
            names
        };
        assert_eq!(changed("bits.html", "new bits"), ["bits.html", "page.html"]);
        assert_eq!(
            changed("base.html", "<html></html>"),
            ["base.html", "page.html", "term.html"]
        );
        assert_eq!(
            changed("parts.html", "{% component card(x) %}{% endcomponent %}"),
            ["parts.html", "term.html"]
        );
        assert_eq!(changed("alone.html", "x"), ["alone.html"]);
    }
}
