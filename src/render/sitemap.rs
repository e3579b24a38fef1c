//! `/sitemap.xml` (sitemaps.org 0.9): one `<urlset>` while the site has at most
//! [`MAX_URLS`] pages, else a `<sitemapindex>` of `sitemap-1.xml`, `sitemap-2.xml`, ….

use crate::config::Config;
use crate::escape::xml;
use std::fmt::Write as _;

/// The sitemaps.org limit of URLs per file (and per index: 50,000 children of
/// 50,000 URLs each is more than any site here will have).
pub(super) const MAX_URLS: usize = 50_000;

const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// One page of the site: its path below `base_url` and its last change, if known.
pub(super) struct Url {
    pub path: String,
    pub lastmod: Option<String>,
}

impl Url {
    pub(super) fn plain(path: impl Into<String>) -> Url {
        Url {
            path: path.into(),
            lastmod: None,
        }
    }

    pub(super) fn with(path: String, lastmod: String) -> Url {
        Url {
            path,
            lastmod: Some(lastmod),
        }
    }
}

/// The sitemap files of these URLs: `sitemap.xml` alone, or the index and its parts.
pub(super) fn files(c: &Config, urls: &[Url]) -> Vec<(String, String)> {
    if urls.len() <= MAX_URLS {
        return vec![("sitemap.xml".into(), urlset(c, urls))];
    }
    let parts: Vec<&[Url]> = urls.chunks(MAX_URLS).collect();
    let mut out = Vec::with_capacity(parts.len() + 1);
    let mut index =
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"{NS}\">\n");
    for (n, part) in parts.iter().enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        let _ = write!(index, "  <sitemap><loc>{}</loc>", xml(&c.abs_url(&name)));
        // rfc3339 strings in UTC compare as times.
        if let Some(l) = part.iter().filter_map(|u| u.lastmod.as_deref()).max() {
            let _ = write!(index, "<lastmod>{l}</lastmod>");
        }
        index.push_str("</sitemap>\n");
        out.push((name, urlset(c, part)));
    }
    index.push_str("</sitemapindex>\n");
    out.insert(0, ("sitemap.xml".into(), index));
    out
}

fn urlset(c: &Config, urls: &[Url]) -> String {
    let mut s = String::with_capacity(80 * urls.len() + 128);
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"{NS}\">"
    );
    for u in urls {
        let _ = write!(s, "  <url><loc>{}</loc>", xml(&c.abs_url(&u.path)));
        if let Some(l) = &u.lastmod {
            let _ = write!(s, "<lastmod>{l}</lastmod>");
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            "sitrep.toml",
            "title = \"T\"\nbase_url = \"https://example.org/pm/\"\n".into(),
        )
        .unwrap()
    }

    #[test]
    fn one_urlset_up_to_the_limit_then_an_index() {
        let c = config();
        let urls =
            |n: usize| -> Vec<Url> { (0..n).map(|i| Url::plain(format!("p{i}/"))).collect() };
        let at = files(&c, &urls(MAX_URLS));
        assert_eq!(at.len(), 1);
        assert!(at[0].1.contains("<urlset"));
        let over = files(&c, &urls(MAX_URLS + 1));
        let names: Vec<_> = over.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
        assert!(
            over[0]
                .1
                .contains("<loc>https://example.org/pm/sitemap-2.xml</loc>")
        );
        assert_eq!(over[2].1.matches("<url>").count(), 1);
    }
}
