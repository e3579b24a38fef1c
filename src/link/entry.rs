//! A timeline entry's rendered Markdown as link keeps it: the entry's text
//! and its HTML in, nothing held when the HTML is what the text alone makes.

use crate::markdown;
use crate::packed::PackedText;
use std::borrow::Cow;

/// A timeline entry's HTML. Most entries are one plain paragraph, whose HTML
/// is made again from the text when asked rather than held: at 100,000
/// incidents the held copies were 72 MB.
pub(crate) enum EntryHtml {
    /// [`markdown::paragraph_html`] of the entry's text, byte for byte.
    Paragraph,
    Html(PackedText),
}

impl EntryHtml {
    /// `html` rendered from `text`, held only if it is not [`EntryHtml::Paragraph`].
    pub(crate) fn new(text: &str, html: PackedText) -> EntryHtml {
        let rendered = html.unpack();
        if rendered.starts_with("<p>") && *rendered == markdown::paragraph_html(text) {
            EntryHtml::Paragraph
        } else {
            drop(rendered);
            EntryHtml::Html(html)
        }
    }

    /// The HTML held, given the entry's text.
    pub(crate) fn into_packed(self, text: &str) -> PackedText {
        match self {
            EntryHtml::Paragraph => PackedText::new(markdown::paragraph_html(text)),
            EntryHtml::Html(p) => p,
        }
    }

    /// The HTML, given the entry's text.
    pub(crate) fn html<'a>(&'a self, text: &str) -> Cow<'a, str> {
        match self {
            EntryHtml::Paragraph => markdown::paragraph_html(text).into(),
            EntryHtml::Html(p) => p.unpack(),
        }
    }
}
