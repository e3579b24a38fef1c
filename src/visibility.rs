//! Visibility: parsed documents and an [`Audience`] in, the documents that
//! audience may see out. Runs between parse and link, so that in a public build
//! nothing internal reaches Markdown, link, render or serve: internal incidents
//! and stories are dropped (their IDs kept, so references to them render as
//! plain text instead of failing), and internal timeline entries, actions,
//! sources, related items, `internal` notes and ```` ```internal ```` blocks are
//! removed from the rest. An internal build passes everything through.

use crate::diag::{Diagnostic, Severity, SourceText};
use crate::frontmatter::{Seg, diag_at, key_path};
use crate::markdown;
use crate::model::{Document, Incident, IncidentId, Origin, Related};
use std::collections::HashSet;
use std::sync::Arc;

/// Who a build is for: `build`/`serve` are public, `--internal` is the team's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Audience {
    #[default]
    Public,
    Internal,
}

impl Audience {
    pub fn from_flag(internal: bool) -> Audience {
        if internal {
            Audience::Internal
        } else {
            Audience::Public
        }
    }

    pub fn is_internal(self) -> bool {
        self == Audience::Internal
    }
}

/// One document as an audience sees it.
pub enum Seen {
    Shown(Document),
    /// Left out; an incident's ID is kept so references to it are not errors.
    Hidden(Option<IncidentId>),
}

/// One document for `audience`: shown (stripped of its internal parts in a
/// public build) or hidden.
pub fn admit(doc: Document, audience: Audience) -> Seen {
    if audience.is_internal() {
        return Seen::Shown(doc);
    }
    match doc {
        Document::Incident(i) if i.internal => Seen::Hidden(Some(i.id)),
        Document::News(n) if n.internal => Seen::Hidden(None),
        Document::Incident(mut i) => {
            strip(&mut i);
            Seen::Shown(Document::Incident(i))
        }
        Document::News(mut n) => {
            blank_internal_blocks(&mut n.origin);
            Seen::Shown(Document::News(n))
        }
        Document::Page(mut p) => {
            blank_internal_blocks(&mut p.origin);
            Seen::Shown(Document::Page(p))
        }
        Document::Home(mut h) => {
            blank_internal_blocks(&mut h.origin);
            Seen::Shown(Document::Home(h))
        }
    }
}

fn strip(i: &mut Incident) {
    i.timeline.retain(|e| !e.internal);
    i.actions.retain(|a| !a.internal);
    i.sources.retain(|s| !s.internal);
    i.related.retain(|r| !r.is_internal());
    i.notes = None;
    blank_internal_blocks(&mut i.origin);
    // The Markdown fields render like bodies, so a block written there goes too.
    let fields = i.timeline.iter_mut().map(|e| &mut e.text);
    let fields = fields.chain(i.takes.iter_mut().map(|(_, t)| t));
    let fields = fields.chain(
        i.postmortem
            .iter_mut()
            .flat_map(|p| p.parts.iter_mut().map(|(_, t)| t)),
    );
    for text in fields {
        drop_internal_blocks(text);
    }
}

/// Removes the internal blocks of a front matter Markdown field (its problems
/// are reported at the key, so offsets need not survive).
fn drop_internal_blocks(text: &mut String) {
    for r in markdown::internal_blocks(text).into_iter().rev() {
        text.replace_range(r, "");
    }
}

/// Overwrites the body's internal blocks with spaces (line breaks kept), so
/// every byte offset and line number of the file stays where it was for
/// diagnostics, and the text is gone before Markdown sees it.
fn blank_internal_blocks(origin: &mut Origin) {
    let at = origin.body_offset;
    let blocks = markdown::internal_blocks(origin.body());
    if blocks.is_empty() {
        return;
    }
    let mut bytes = origin.source.text.clone().into_bytes();
    for r in blocks {
        for b in &mut bytes[at + r.start..at + r.end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Only whole UTF-8 sequences became spaces, so the text stays valid.
    let text = String::from_utf8(bytes).unwrap_or_default();
    origin.source = Arc::new(SourceText::new(origin.source.path.clone(), text));
}

/// Warnings for public text that names an internal incident: public readers
/// would see its bare ID (links and `related` entries to it render as text).
/// Also an error for a public incident whose ID an internal one has too, which
/// the link stage cannot see once the internal one is left out.
pub fn mentions(docs: &[Document], hidden: &[IncidentId]) -> Vec<Diagnostic> {
    if hidden.is_empty() {
        return Vec::new();
    }
    let keys: HashSet<String> = hidden.iter().map(IncidentId::key).collect();
    let mut out = Vec::new();
    for d in docs {
        match d {
            Document::Incident(i) if keys.contains(&i.id.key()) => out.push(diag_at(
                &i.origin,
                &key_path("id", None, None),
                format!("duplicate incident ID `{}`: an internal incident has the same ID (IDs are compared ignoring case)", i.id),
                Some("give each incident its own ID, or merge the two files".into()),
            )),
            Document::Incident(i) => incident_mentions(i, &keys, &mut out),
            Document::News(n) => {
                body_mentions(&n.origin, &keys, &mut out);
                let fields = [("title", Some(&n.title)), ("summary", n.summary.as_ref())];
                for (k, text) in fields.into_iter().filter_map(|(k, t)| Some((k, t?))) {
                    field_mentions(&n.origin, key_path(k, None, None), text, &keys, &mut out);
                }
            }
            Document::Page(p) => body_mentions(&p.origin, &keys, &mut out),
            Document::Home(h) => body_mentions(&h.origin, &keys, &mut out),
        }
    }
    out
}

fn incident_mentions(i: &Incident, keys: &HashSet<String>, out: &mut Vec<Diagnostic>) {
    body_mentions(&i.origin, keys, out);
    let mut fields: Vec<(Vec<Seg>, &str)> = vec![(key_path("title", None, None), &i.title)];
    fields.extend(
        i.summary
            .iter()
            .map(|s| (key_path("summary", None, None), s.as_str())),
    );
    for (n, e) in i.timeline.iter().enumerate() {
        fields.push((key_path("timeline", Some(n), Some("text")), &e.text));
    }
    for (aud, t) in &i.takes {
        let mut p = key_path("takes", None, None);
        p.push(Seg::Key(aud.clone()));
        fields.push((p, t));
    }
    for (part, t) in i.postmortem.iter().flat_map(|pm| &pm.parts) {
        fields.push((key_path("postmortem", None, Some(part.as_str())), t));
    }
    for (n, a) in i.actions.iter().enumerate() {
        fields.push((key_path("actions", Some(n), Some("text")), &a.text));
    }
    for (n, r) in i.related.iter().enumerate() {
        match r {
            Related::Incident { id, .. } if keys.contains(&id.key()) => {
                out.push(warning(diag_at(
                    &i.origin,
                    &key_path("related", Some(n), Some("id")),
                    format!("related incident `{id}` is internal: public builds show its ID as plain text"),
                    Some("mark this entry `internal: true` too, or leave it if the ID may be public".into()),
                )));
            }
            Related::Incident { note: Some(t), .. } | Related::External { note: Some(t), .. } => {
                fields.push((key_path("related", Some(n), Some("note")), t));
            }
            _ => {}
        }
    }
    for (path, text) in fields {
        field_mentions(&i.origin, path, text, keys, out);
    }
}

fn field_mentions(
    origin: &Origin,
    path: Vec<Seg>,
    text: &str,
    keys: &HashSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    for (_, id) in named(text, keys) {
        out.push(warning(diag_at(origin, &path, message(id), Some(hint()))));
    }
}

fn body_mentions(origin: &Origin, keys: &HashSet<String>, out: &mut Vec<Diagnostic>) {
    let origin = origin.unpacked();
    for (at, id) in named(origin.body(), keys) {
        out.push(
            origin
                .source
                .at_offset(
                    Severity::Warning,
                    origin.body_offset + at,
                    id.len(),
                    message(id),
                )
                .hint(hint()),
        );
    }
}

fn warning(mut d: Diagnostic) -> Diagnostic {
    d.severity = Severity::Warning;
    d
}

fn message(id: &str) -> String {
    format!("`{id}` is an internal incident: public readers see this ID as plain text")
}

fn hint() -> String {
    "put the sentence in an ```internal block, or leave it if the ID may be public".into()
}

/// Words of `text` (as the bare-ID linker splits them) that are hidden IDs,
/// compared ignoring case: (byte offset, word).
fn named<'t>(text: &'t str, keys: &HashSet<String>) -> Vec<(usize, &'t str)> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let edge: &[char] = &['.', '-', '_'];
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (is_word(c) && i < text.len(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let raw = &text[s..i];
                let lead = raw.len() - raw.trim_start_matches(edge).len();
                let word = raw.trim_matches(edge);
                // `incident:ID` link targets are not shown; the link's text is.
                let target = text[..s].to_ascii_lowercase().ends_with("incident:");
                if !target && !word.is_empty() && keys.contains(&word.to_ascii_lowercase()) {
                    out.push((s + lead, word));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_finds_whole_words_ignoring_case() {
        let keys: HashSet<String> = ["int-7".to_string()].into();
        let found = named(
            "See INT-7. Not xINT-7 or INT-77; (int-7) [x](incident:INT-7)",
            &keys,
        );
        assert_eq!(found, [(4, "INT-7"), (34, "int-7")]);
    }

    #[test]
    fn blocks_in_markdown_fields_are_dropped() {
        let mut t = "Public.\n\n```internal\nSecret.\n```\n\nAlso public.".to_string();
        drop_internal_blocks(&mut t);
        assert!(!t.contains("Secret") && t.contains("Public.") && t.contains("Also public."));
    }

    #[test]
    fn blanking_keeps_offsets_and_drops_the_block() {
        let text = "---\ntitle: T\n---\nBefore.\n\n```internal\nSecret ü.\n```\n\nAfter.\n";
        let body_offset = text.find("Before").unwrap();
        let mut origin = Origin {
            source: Arc::new(SourceText::new("x.md", text.to_string())),
            content_path: "x.md".into(),
            fm_first_line: 2,
            fm_start: 4,
            fm_end: 13,
            body_offset,
        };
        blank_internal_blocks(&mut origin);
        let out = &origin.source.text;
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(!out.contains("Secret") && !out.contains("internal"));
        assert!(out.contains("Before.") && out.contains("After."));
    }
}
