//! Links in a body: Markdown links and images in (with the site's
//! [`LinkResolver`](super::LinkResolver)), rewritten events out — `incident:`
//! links, relative `.md` links, bare incident IDs turned into links, and
//! script-capable URLs refused. Part of the one pass of [`Stage`].

use super::Stage;
use super::scan::{
    dest_span, ends_with_ignore_case, is_relative, percent_decode, split_at_any,
    strip_prefix_ignore_case, unsafe_scheme,
};
use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use std::ops::Range;

impl<'a> Stage<'a, '_> {
    /// An image with a script-capable URL becomes an `<img>` with only its alt text;
    /// returns the index after it, or None for a safe image (handled like any tag).
    pub(super) fn unsafe_image(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        i: usize,
        dest: &str,
    ) -> Option<usize> {
        let scheme = unsafe_scheme(dest)?;
        let range = events[i].1.clone();
        let span = dest_span(self.body, range, dest);
        self.problem(
            span,
            format!("unsafe link scheme `{scheme}:`"),
            Some(unsafe_hint()),
        );
        let mut alt = String::new();
        let mut nested = 0;
        let mut j = i + 1;
        while j < events.len() {
            match &events[j].0 {
                Event::Start(Tag::Image { .. }) => nested += 1,
                Event::End(TagEnd::Image) if nested == 0 => break,
                Event::End(TagEnd::Image) => nested -= 1,
                Event::Text(text) | Event::Code(text) => alt.push_str(text),
                _ => {}
            }
            j += 1;
        }
        self.out.push(Event::InlineHtml(
            format!("<img alt=\"{}\" />", crate::escape::html(&alt)).into(),
        ));
        Some(j + 1)
    }

    pub(super) fn link(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        i: usize,
        link_type: LinkType,
        dest: &CowStr<'a>,
        range: Range<usize>,
    ) -> usize {
        self.in_link = true;
        self.depth += 1;
        let keep = |stage: &mut Self| {
            stage.out.push(events[i].0.clone());
            i + 1
        };
        if link_type == LinkType::Email {
            return keep(self);
        }
        let body = self.body;
        let span = || dest_span(body, range.clone(), dest);
        if let Some(scheme) = unsafe_scheme(dest) {
            self.problem(
                span(),
                format!("unsafe link scheme `{scheme}:`"),
                Some(unsafe_hint()),
            );
            return self.hrefless(i);
        }
        if let Some(rest) = strip_prefix_ignore_case(dest, "incident:") {
            let (id, fragment) = split_at_any(rest, "#");
            let Some((canonical, url)) = self.resolver.incident(id) else {
                let message = if id.is_empty() {
                    "incident link without an ID".to_owned()
                } else {
                    format!("unknown incident `{id}` in link")
                };
                self.problem(span(), message, None);
                // Unknown IDs fail the build; an incident left out of a public
                // build is not known either, and its link must read as text.
                self.unlinked = true;
                return i + 1;
            };
            self.add_ref(&canonical);
            self.out.push(link_to(format!("{url}{fragment}")));
            // `<incident:EX1>` and `[](incident:EX1)` would show a raw URL or nothing;
            // the ID is what the reader wants to see.
            let end = end_of_link(events, i);
            if link_type == LinkType::Autolink || end == i + 1 {
                self.text(&canonical);
                self.out.push(Event::Text(canonical.into()));
                return end;
            }
            return i + 1;
        }
        if is_relative(dest) {
            let (path, suffix) = split_at_any(dest, "?#");
            if ends_with_ignore_case(path, ".md") {
                let target = percent_decode(path);
                let Some(url) = self.resolver.page_url(self.from, &target) else {
                    let hint = format!(
                        "relative links are resolved from the folder of `{}`; the target must be a .md file under content/",
                        self.from
                    );
                    let message = format!("link to missing page `{target}`");
                    self.problem(span(), message, Some(hint));
                    return self.hrefless(i);
                };
                self.out.push(link_to(format!("{url}{suffix}")));
                return i + 1;
            }
            if let Some(url) = self.resolver.asset_url(self.from, &percent_decode(path)) {
                self.out.push(link_to(format!("{url}{suffix}")));
                return i + 1;
            }
        }
        keep(self)
    }

    /// A link that must not point anywhere keeps its text in an `<a>` without `href`; the
    /// HTML writer closes every link with `</a>`, so only the start needs replacing.
    pub(super) fn hrefless(&mut self, i: usize) -> usize {
        self.out.push(Event::InlineHtml("<a>".into()));
        i + 1
    }

    /// Emits `text` with every bare incident ID of the site turned into a link.
    pub(super) fn link_bare_ids(&mut self, text: &CowStr<'a>) {
        let bytes = text.as_bytes();
        let mut emitted = 0;
        let mut i = 0;
        while i < bytes.len() {
            if !is_word_byte(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_word_byte(bytes[i]) {
                i += 1;
            }
            // IDs start and end alphanumeric, so sentence punctuation around them stays text.
            let raw = &text[start..i];
            let trimmed_start = raw.trim_start_matches(WORD_EDGE);
            let word = trimmed_start.trim_end_matches(WORD_EDGE);
            // Only words with a digit can be IDs worth linking; skipping the rest keeps
            // the resolver lookups to a handful per page.
            if !word.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            let Some((id, url)) = self.resolver.bare_id(word) else {
                continue;
            };
            if self.is_self(&id) {
                continue;
            }
            let word_start = start + (raw.len() - trimmed_start.len());
            if word_start > emitted {
                self.out
                    .push(Event::Text(text[emitted..word_start].to_owned().into()));
            }
            self.add_ref(&id);
            self.out.push(link_to(url));
            self.out.push(Event::Text(word.to_owned().into()));
            self.out.push(Event::End(TagEnd::Link));
            emitted = word_start + word.len();
        }
        if emitted == 0 {
            self.out.push(Event::Text(text.clone()));
        } else if emitted < text.len() {
            self.out
                .push(Event::Text(text[emitted..].to_owned().into()));
        }
    }
}

const WORD_EDGE: &[char] = &['.', '-', '_'];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

fn link_to<'a>(url: String) -> Event<'a> {
    Event::Start(Tag::Link {
        link_type: LinkType::Inline,
        dest_url: url.into(),
        title: CowStr::Borrowed(""),
        id: CowStr::Borrowed(""),
    })
}

/// Index of the `End(Link)` that closes the link starting at `i` (links don't nest).
fn end_of_link(events: &[(Event, Range<usize>)], i: usize) -> usize {
    events[i + 1..]
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Link)))
        .map_or(events.len(), |p| i + 1 + p)
}

fn unsafe_hint() -> String {
    "javascript:, vbscript: and data: URLs other than images can run code in the reader's browser; the link is shown without its address".to_owned()
}
