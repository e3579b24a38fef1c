//! Markdown: one body's text in (with its path and a [`LinkResolver`] that knows the rest
//! of the site), [`Rendered`] out — HTML, summary, headings, the incidents it
//! refers to, and problems located by byte offset. Never touches the file system and never
//! fails: every problem is data for the caller to report.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{
    CodeBlockKind, Event, Options, Parser, Tag, TagEnd, TextMergeWithOffset, html,
};

use crate::escape::html;
use crate::highlight::highlight;
use crate::packed::PackedText;
use crate::slug::slugify;
use scan::{
    collapse_whitespace, is_relative, percent_decode, raw_depth_after, raw_html_problems,
    split_at_any,
};

/// The label of an internal note until the theme's strings say otherwise
/// (`incident.internal` in the built-in English).
pub const INTERNAL_LABEL: &str = "Internal";

/// What the markdown stage needs to know about the rest of the site.
pub trait LinkResolver: Sync {
    /// The incident with this ID (compared case-insensitively): (canonical ID, URL). None if
    /// the site has no such incident.
    fn incident(&self, id: &str) -> Option<(String, String)>;
    /// A relative link `target` (path part only, no `#fragment`, already percent-decoded,
    /// e.g. "../about.md") written in the content file `from` (path relative to content/,
    /// with `/`, e.g. "incidents/2026/EX1.md"): the URL of that page, or None if no such .md
    /// file exists in content/.
    fn page_url(&self, from: &str, target: &str) -> Option<String>;
    /// For bare-ID auto-linking: Some((canonical ID, URL)) only when `word` is exactly
    /// (case-sensitively) an incident ID of the site.
    fn bare_id(&self, word: &str) -> Option<(String, String)>;
    /// The label of an internal note, in the site's language.
    fn internal_label(&self) -> &str {
        INTERNAL_LABEL
    }
    /// A relative link or image `target` (percent-decoded, no `?`/`#`) to a non-Markdown
    /// file beside the content: its URL in the built site, or None to leave it as written.
    fn asset_url(&self, _from: &str, _target: &str) -> Option<String> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A problem found in a body, located by byte offset into the body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Held packed: bodies are most of a large site's memory.
    pub html: PackedText,
    /// First paragraph as plain text (inline markup stripped, whitespace collapsed); "" if none.
    pub summary: String,
    pub headings: Vec<Heading>,
    /// Canonical IDs of incidents this body links to (incident: links and auto-linked bare
    /// IDs), deduplicated, in first-seen order.
    pub incident_refs: Vec<String>,
    pub problems: Vec<Problem>,
}

/// The one place the dialect is chosen: CommonMark plus what FORMAT.md promises, and
/// `{#id}` heading attributes so writers can pin anchors that others link to.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The info string that marks a fenced block as team-only Markdown.
pub const INTERNAL_FENCE: &str = "internal";

fn is_internal_fence(kind: &CodeBlockKind) -> bool {
    matches!(kind, CodeBlockKind::Fenced(info) if fence_lang(info) == INTERNAL_FENCE)
}

/// The language word of an info string: `rust,ignore` and `sh title="x"` name it first.
fn fence_lang(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
}

/// Byte ranges of the ```` ```internal ```` blocks of a body, fences included,
/// so a public build can remove them before anything renders the body.
pub fn internal_blocks(body: &str) -> Vec<Range<usize>> {
    // Most bodies have none: skip the second parse of a multi-megabyte body.
    if !body.contains(INTERNAL_FENCE) {
        return Vec::new();
    }
    Parser::new_ext(body, options())
        .into_offset_iter()
        .filter_map(|(e, r)| match e {
            Event::Start(Tag::CodeBlock(kind)) if is_internal_fence(&kind) => Some(r),
            _ => None,
        })
        .collect()
}

/// `from`: the file's path relative to content/ (for relative links); `self_id`: the
/// incident whose body this is (its own ID is not auto-linked).
pub fn render(
    body: &str,
    from: &str,
    self_id: Option<&str>,
    resolver: &dyn LinkResolver,
) -> Rendered {
    // Merged text runs matter: the parser splits text at backslash escapes and entities,
    // which would cut `INC\_9` (writers escape underscores out of habit) into pieces the
    // auto-linker can't recognise.
    let events: Vec<(Event, Range<usize>)> =
        TextMergeWithOffset::new(Parser::new_ext(body, options()).into_offset_iter()).collect();
    let mut stage = Stage::new(body, from, self_id, resolver, &events);
    let mut i = 0;
    while i < events.len() {
        i = stage.event(&events, i);
    }
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, stage.out.into_iter());
    Rendered {
        html: PackedText::new(html_out),
        summary: collapse_whitespace(&stage.summary),
        headings: stage.headings,
        incident_refs: stage.refs,
        problems: stage.problems,
    }
}

/// The HTML [`render`] makes of `text` when `text` is one plain paragraph
/// (no markup, no links): link keeps no copy of such a timeline entry's HTML
/// and render makes it again from the text.
pub(crate) fn paragraph_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let events = [
        Event::Start(Tag::Paragraph),
        Event::Text(text.into()),
        Event::End(TagEnd::Paragraph),
    ];
    html::push_html(&mut out, events.into_iter());
    out
}

#[derive(PartialEq)]
enum Summary {
    Pending,
    Collecting,
    Done,
}

/// Walks the parser's events once, rewriting links, headings and code blocks into `out`
/// and collecting everything else `Rendered` reports on the way.
struct Stage<'a, 'r> {
    body: &'a str,
    from: &'r str,
    self_id: Option<&'r str>,
    resolver: &'r dyn LinkResolver,
    out: Vec<Event<'a>>,
    summary: String,
    summary_state: Summary,
    headings: Vec<Heading>,
    /// `{#custom}` ids of the whole body, so an earlier automatic slug doesn't take them.
    reserved_ids: HashSet<String>,
    used_ids: HashSet<String>,
    refs: Vec<String>,
    seen_refs: HashSet<String>,
    problems: Vec<Problem>,
    /// Open tags of any kind; 0 means the next block is at the top level.
    depth: usize,
    in_link: bool,
    /// The open link lost its target (an incident this build leaves out, or an
    /// unknown one): its text stays, its `<a>` and `</a>` go.
    unlinked: bool,
    in_heading: bool,
    image_depth: usize,
    /// Open raw HTML elements whose text must stay as written (`<a>`, `<code>`, …).
    raw_depth: usize,
    /// Code highlighted so far; past [`HIGHLIGHT_BUDGET`] code stays plain.
    highlighted: usize,
    /// Inside an HTML block refused by [`raw_html_problems`]: its lines become text.
    refused_block: bool,
    /// A task-list item's `<label>` is open: it wraps the checkbox and the item's
    /// first line of text, so the checkbox has an accessible name.
    task_label: bool,
}

/// Bytes of code one body may have highlighted. Highlighting costs about a
/// microsecond per byte; a pasted multi-megabyte log must not stall a build.
const HIGHLIGHT_BUDGET: usize = 256 * 1024;

impl<'a, 'r> Stage<'a, 'r> {
    fn new(
        body: &'a str,
        from: &'r str,
        self_id: Option<&'r str>,
        resolver: &'r dyn LinkResolver,
        events: &[(Event<'a>, Range<usize>)],
    ) -> Self {
        let reserved_ids = events
            .iter()
            .filter_map(|(event, _)| match event {
                Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
                _ => None,
            })
            .collect();
        Stage {
            body,
            from,
            self_id,
            resolver,
            out: Vec::with_capacity(events.len()),
            summary: String::new(),
            summary_state: Summary::Pending,
            headings: Vec::new(),
            reserved_ids,
            used_ids: HashSet::new(),
            refs: Vec::new(),
            seen_refs: HashSet::new(),
            problems: Vec::new(),
            depth: 0,
            in_link: false,
            unlinked: false,
            in_heading: false,
            image_depth: 0,
            raw_depth: 0,
            highlighted: 0,
            refused_block: false,
            task_label: false,
        }
    }

    /// Handles `events[i]` (and whatever it consumes after it); returns the next index.
    fn event(&mut self, events: &[(Event<'a>, Range<usize>)], i: usize) -> usize {
        let (event, range) = &events[i];
        if self.task_label && ends_task_label(event) {
            self.out.push(Event::InlineHtml("</label>".into()));
            self.task_label = false;
        }
        match event {
            Event::Start(tag) => return self.start(events, i, tag),
            Event::End(TagEnd::Link) if self.unlinked => {
                self.unlinked = false;
                self.in_link = false;
                self.depth = self.depth.saturating_sub(1);
            }
            Event::End(end) => self.end(end, event),
            Event::Text(text) => {
                self.text(text);
                if self.may_autolink() {
                    self.link_bare_ids(text);
                } else {
                    self.out.push(event.clone());
                }
            }
            Event::Code(code) => {
                self.text(code);
                self.out.push(event.clone());
            }
            Event::Html(raw) if self.refused_block => self.out.push(Event::Text(raw.clone())),
            Event::InlineHtml(raw) if self.refuse_raw(raw, range.start) => {
                self.out.push(Event::Text(raw.clone()));
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                self.raw_depth = raw_depth_after(self.raw_depth, raw);
                self.out.push(event.clone());
            }
            Event::SoftBreak | Event::HardBreak => {
                self.text(" ");
                self.out.push(event.clone());
            }
            Event::TaskListMarker(done) => {
                let checked = if *done { " checked" } else { "" };
                let input =
                    format!("<label class=\"task\"><input type=\"checkbox\" disabled{checked}> ");
                self.out.push(Event::InlineHtml(input.into()));
                self.task_label = true;
            }
            _ => self.out.push(event.clone()),
        }
        i + 1
    }

    /// Handles the start tag `tag` at `events[i]`; returns the next index.
    fn start(&mut self, events: &[(Event<'a>, Range<usize>)], i: usize, tag: &Tag<'a>) -> usize {
        let (event, range) = &events[i];
        match tag {
            Tag::CodeBlock(kind) => return self.code_block(events, i, kind),
            Tag::Image { dest_url, .. } => {
                if let Some(next) = self.unsafe_image(events, i, dest_url) {
                    return next;
                }
                self.open_image(tag);
            }
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                return self.link(events, i, *link_type, dest_url, range.clone());
            }
            Tag::Heading { .. } => self.open_heading(tag, &events[i + 1..]),
            Tag::Paragraph => {
                if self.depth == 0 && self.summary_state == Summary::Pending {
                    self.summary_state = Summary::Collecting;
                }
                self.open(event.clone());
            }
            Tag::HtmlBlock => {
                // The whole block at once: a tag's attributes may span its lines.
                self.refused_block = self.refuse_raw(&self.body[range.clone()], range.start);
                self.open(event.clone());
            }
            _ => self.open(event.clone()),
        }
        i + 1
    }

    /// An image (already found safe); a relative one beside the Markdown file
    /// points at where it is copied.
    fn open_image(&mut self, tag: &Tag<'a>) {
        self.image_depth += 1;
        let Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } = tag
        else {
            return self.open(Event::Start(tag.clone()));
        };
        let asset = is_relative(dest_url)
            .then(|| split_at_any(dest_url, "?#"))
            .and_then(|(path, suffix)| {
                let url = self.resolver.asset_url(self.from, &percent_decode(path))?;
                Some(format!("{url}{suffix}"))
            });
        self.open(Event::Start(Tag::Image {
            link_type: *link_type,
            dest_url: asset.map_or_else(|| dest_url.clone(), Into::into),
            title: title.clone(),
            id: id.clone(),
        }));
    }

    /// A heading, given a unique `id` (the writer's, or a slug of its text
    /// `after` it) and recorded for the table of contents.
    fn open_heading(&mut self, tag: &Tag<'a>, after: &[(Event<'a>, Range<usize>)]) {
        let Tag::Heading {
            level,
            id,
            classes,
            attrs,
        } = tag
        else {
            return self.open(Event::Start(tag.clone()));
        };
        let text = heading_text(after);
        let id = match id {
            Some(custom) => self.unique_id(custom, true),
            None => {
                let slug = slugify(&text);
                self.unique_id(if slug.is_empty() { "section" } else { &slug }, false)
            }
        };
        self.headings.push(Heading {
            level: *level as u8,
            id: id.clone(),
            text,
        });
        self.in_heading = true;
        self.open(Event::Start(Tag::Heading {
            level: *level,
            id: Some(id.into()),
            classes: classes.clone(),
            attrs: attrs.clone(),
        }));
    }

    /// An end tag (`event`): leaves what it closes, and ends the summary after
    /// the first paragraph with text.
    fn end(&mut self, end: &TagEnd, event: &Event<'a>) {
        match end {
            TagEnd::Image => self.image_depth = self.image_depth.saturating_sub(1),
            TagEnd::Link => self.in_link = false,
            TagEnd::Heading(_) => self.in_heading = false,
            TagEnd::Paragraph if self.summary_state == Summary::Collecting => {
                // A paragraph of only an image or markup has nothing to summarise;
                // the next one may.
                self.summary_state = if self.summary.trim().is_empty() {
                    Summary::Pending
                } else {
                    Summary::Done
                };
            }
            _ => {}
        }
        self.depth = self.depth.saturating_sub(1);
        self.out.push(event.clone());
    }

    fn open(&mut self, event: Event<'a>) {
        self.depth += 1;
        self.out.push(event);
    }

    /// Text that readers see: in the first paragraph, the summary (alt text would
    /// read oddly there). Search takes its text from the HTML ([`html_text`]).
    fn text(&mut self, text: &str) {
        if self.summary_state == Summary::Collecting && self.image_depth == 0 {
            self.summary.push_str(text);
        }
    }

    /// Reports what raw HTML `html` (at body offset `at`) may not contain; true when it
    /// has any of it (then it is shown as text, never passed through).
    fn refuse_raw(&mut self, html: &str, at: usize) -> bool {
        let found = raw_html_problems(html);
        for (span, message) in &found {
            let hint = "raw HTML may not run script: remove the `<script>`, the `on…=` handler or the javascript:/vbscript:/data: URL (other HTML passes through)";
            self.problem(
                at + span.start..at + span.end,
                message.clone(),
                Some(hint.to_owned()),
            );
        }
        !found.is_empty()
    }

    fn may_autolink(&self) -> bool {
        !self.in_link && !self.in_heading && self.image_depth == 0 && self.raw_depth == 0
    }

    fn add_ref(&mut self, id: &str) {
        if self.is_self(id) {
            return;
        }
        if self.seen_refs.insert(id.to_owned()) {
            self.refs.push(id.to_owned());
        }
    }

    fn is_self(&self, id: &str) -> bool {
        self.self_id.is_some_and(|own| own.eq_ignore_ascii_case(id))
    }

    fn problem(&mut self, span: Range<usize>, message: String, hint: Option<String>) {
        self.problems.push(Problem {
            offset: span.start,
            len: span.len(),
            message,
            hint,
        });
    }

    /// A heading id no earlier heading has. A `{#custom}` id is kept as written unless it
    /// repeats; automatic slugs also step around custom ids that come later.
    fn unique_id(&mut self, base: &str, custom: bool) -> String {
        let taken = |id: &str| {
            self.used_ids.contains(id)
                || (self.reserved_ids.contains(id) && !(custom && id == base))
        };
        let mut id = base.to_owned();
        let mut n = 0;
        while taken(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.used_ids.insert(id.clone());
        id
    }

    /// Fenced or indented code → highlighted (or escaped) HTML in the wrapper the theme
    /// styles. Its text stays out of the summary and the search index on purpose: code is
    /// noise there.
    fn code_block(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        i: usize,
        kind: &CodeBlockKind,
    ) -> usize {
        let mut code = String::new();
        let mut j = i + 1;
        while j < events.len() {
            match &events[j].0 {
                Event::Text(text) => code.push_str(text),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
            j += 1;
        }
        if is_internal_fence(kind) {
            self.internal_block(&code, events.get(i + 1).map(|(_, r)| r.start));
            return j + 1;
        }
        let lang = match kind {
            CodeBlockKind::Fenced(info) => fence_lang(info),
            CodeBlockKind::Indented => "",
        };
        let html = if lang.is_empty() {
            format!("<pre class=\"code\"><code>{}</code></pre>\n", html(&code))
        } else {
            self.highlighted += code.len();
            let inner = (self.highlighted <= HIGHLIGHT_BUDGET)
                .then(|| highlight(&code, lang))
                .flatten()
                .unwrap_or_else(|| html(&code).into_owned());
            let lang = html(lang);
            format!(
                "<pre class=\"code\" data-lang=\"{lang}\"><code class=\"language-{lang}\">{inner}</code></pre>\n"
            )
        };
        self.out.push(Event::Html(html.into()));
        j + 1
    }

    /// A ```` ```internal ```` block (only still here in internal builds): its
    /// Markdown rendered into an aside marked for the team. `at`: where its text
    /// starts in the body, so problems in it point at the right line.
    fn internal_block(&mut self, markdown: &str, at: Option<usize>) {
        let inner = render(markdown, self.from, self.self_id, self.resolver);
        let at = at.unwrap_or(0);
        self.problems
            .extend(inner.problems.into_iter().map(|mut p| {
                p.offset += at;
                p
            }));
        for id in &inner.incident_refs {
            self.add_ref(id);
        }
        let label = html(self.resolver.internal_label());
        let html = format!(
            "<div class=\"internal-note\" role=\"note\" aria-label=\"{label}\"><p class=\"internal-label\">{label}</p>\n{}</div>\n",
            inner.html
        );
        self.out.push(Event::Html(html.into()));
    }
}

fn is_inline(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Where a task item's label ends: with the item's first paragraph or line of
/// text, before any nested block.
fn ends_task_label(event: &Event) -> bool {
    match event {
        Event::End(TagEnd::Paragraph | TagEnd::Item) => true,
        Event::Start(tag) => !is_inline(&tag.to_end()),
        _ => false,
    }
}

/// The visible text of the heading whose events follow, whitespace collapsed.
fn heading_text(events: &[(Event, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Heading(_)) => break,
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

mod links;
mod scan;
mod text;
pub use text::{html_text, html_words};
#[cfg(test)]
mod tests;
