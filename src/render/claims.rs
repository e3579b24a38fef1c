//! Output claims: the file of every output a render writes (pages, and each
//! file the feeds write) and the content files copied as they are, in; the
//! collisions out (FORMAT.md "Errors": a content file whose output path sitrep
//! generates is an error naming both, never a silent overwrite).
//!
//! What sitrep generates is taken from the render's own outputs, never from a
//! list kept here, so a new page kind or feed is covered as soon as it is
//! rendered. Its first path segments are sitrep's sections (`search/`,
//! `api/`, `atom.xml`): a content page may not live in one, nor a content file
//! — except beside the documents of the folders the loader reads documents
//! from (`incidents/`, `news/`), where images of a write-up belong.

use super::{Kind, Output};
use crate::diag::Diagnostic;
use crate::frontmatter::{DocKind, diag_at, key_path};
use crate::ix::PageIx;
use crate::link::Site;
use std::collections::{HashMap, HashSet};

/// What a generated file is, for messages: "the page of incident `EX1`
/// (content/incidents/ex1.md)", "sitrep's own `/search/`".
fn what(site: &Site, output: &Output, file: &str) -> String {
    match output.kind {
        Kind::Incident => {
            let inc = &site.incidents[output.incident()];
            format!(
                "the page of incident `{}` ({})",
                inc.id, inc.origin.source.path
            )
        }
        Kind::News => format!(
            "the page of {}",
            site.news[output.story()].origin.source.path
        ),
        Kind::Page => format!(
            "the page of {}",
            site.pages[output.page_ix()].origin.source.path
        ),
        _ => format!("sitrep's own `/{}`", file.trim_end_matches("index.html")),
    }
}

fn first_segment(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// Does the loader read documents (not plain pages) from this top folder?
fn document_folder(segment: &str) -> bool {
    crate::load::classify(&format!("{segment}/x.md")) != DocKind::Page
}

/// "`/search/`, which sitrep generates": the section `file` lies in.
fn section(file: &str) -> String {
    let s = first_segment(file);
    format!(
        "`/{s}{}`, which sitrep generates",
        if s.contains('.') { "" } else { "/" }
    )
}

/// Every collision among one render's outputs. `pages`: each page output and
/// its file; `feeds`: every file [`Kind::Feeds`] wrote.
pub(crate) fn collisions(
    site: &Site,
    pages: &[(String, Output)],
    feeds: &[String],
) -> Vec<Diagnostic> {
    let feed = Output::new(Kind::Feeds, 0);
    let all = pages
        .iter()
        .map(|(f, o)| (f.as_str(), o))
        .chain(feeds.iter().map(|f| (f.as_str(), &feed)));
    // File → what writes it, and the first segments of them all.
    let mut generated: HashMap<&str, &Output> = HashMap::new();
    let mut sections: HashSet<&str> = HashSet::new();
    let mut diags = Vec::new();
    let mut content_pages = Vec::new();
    for (file, output) in all {
        if output.kind == Kind::Page {
            content_pages.push((file, output.page_ix()));
            continue;
        }
        sections.insert(first_segment(file));
        if let Some(other) = generated.insert(file, output) {
            diags.push(Diagnostic::error(
                file,
                format!(
                    "`/{file}` is written twice: by {} and by {}",
                    what(site, other, file),
                    what(site, output, file)
                ),
            ));
        }
    }
    let mut by_page: HashMap<&str, PageIx> = HashMap::new();
    for &(file, p) in &content_pages {
        by_page.insert(file, p);
        let page = &site.pages[p];
        let clash = match generated.get(file) {
            Some(o) => Some(format!("is also {}", what(site, o, file))),
            None => sections
                .contains(first_segment(file))
                .then(|| format!("is inside {}", section(file))),
        };
        if let Some(clash) = clash {
            diags.push(diag_at(
                &page.origin,
                &key_path("slug", None, None),
                format!("the page URL `/{}/` {clash}", page.slug),
                Some("set another `slug:` or move the file".into()),
            ));
        }
    }
    for a in &site.assets {
        let c = a.content_path.as_str();
        let shown = format!("content/{c}");
        let clash = if let Some(o) = generated.get(c) {
            Some(format!("to `/{c}`, which is {}", what(site, o, c)))
        } else if let Some(&p) = by_page.get(c) {
            Some(format!(
                "to `/{c}`, which is {}",
                what(site, &Output::of_page(p), c)
            ))
        } else {
            let s = first_segment(c);
            (sections.contains(s) && !document_folder(s)).then(|| format!("into {}", section(c)))
        };
        if let Some(clash) = clash {
            diags.push(
                Diagnostic::error(&shown, format!("`{shown}` would be copied {clash}"))
                    .hint("rename or move the file: sitrep generates that path itself"),
            );
        }
    }
    diags
}
