//! The per-render store of incident cards: one Tera value per incident,
//! built on first use by the list contexts (`lists.rs`), shared by every list
//! page showing it. A leaf, so the serve memo can hold cards too.

use crate::ix::{IncidentIx, TiVec};
use std::sync::OnceLock;

/// Each incident's card as a Tera value, built on first use, with its HTML as
/// `card.html` when the theme's `incident_card` component renders it. Tera
/// values share their arrays and maps, so handing one to many pages copies
/// nothing, and a card on seven lists is templated once.
///
/// In a build with the built-in templates unchanged, whose paged lists print
/// `card.html` and read nothing else of a card, a card keeps only its HTML:
/// the whole Tera value of a card is about 10 KB, which at 100,000 incidents
/// held for the whole render was 1 GB.
pub(crate) struct Cards<'a> {
    pub(super) cards: TiVec<IncidentIx, OnceLock<Cached>>,
    pub(super) tera: &'a tera::Tera,
    pub(super) html_only: bool,
    /// Whether an html-only card's HTML is held packed: only on a large
    /// site, where the cards' HTML is tens of MB; below [`PACK_FROM`]
    /// incidents packing each card cost more time than the memory is worth.
    pub(super) packs: bool,
}

/// From this many incidents an html-only card's HTML is held packed.
const PACK_FROM: usize = 25_000;

impl<'a> Cards<'a> {
    pub(crate) fn new(incidents: usize, tera: &'a tera::Tera) -> Cards<'a> {
        let cards = (0..incidents).map(|_| OnceLock::new()).collect();
        let html_only = tera.contains_template(HTML_ONLY);
        Cards {
            cards,
            tera,
            html_only,
            packs: incidents >= PACK_FROM,
        }
    }
}

/// An empty template whose presence says that paged lists read only
/// `card.html` ([`crate::theme::Theme::templates_built_in`]).
pub(super) const HTML_ONLY: &str = "__sitrep/cards-html-only";

/// The internal template that renders one list card (`level` 2, as on every
/// paged list).
pub(super) const CARD_TEMPLATE: &str = "__sitrep/card.html";

pub(super) const CARD_SOURCE: &str = "{{ <incident_card card={card} level={2}/> }}";

/// One card as Tera reads it, a hash of it (serve hashes a list page's
/// context from its cards' hashes), and what building it read (when
/// recording): every page that shows the card reads that too.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub value: tera::Value,
    pub hash: u64,
    pub reads: Option<std::sync::Arc<super::reads::Reads>>,
}

/// A card as the store keeps it: whole, or — a build's html-only card —
/// its HTML packed ([`crate::packed::PackedText`]) with what building it
/// read, made a Tera value again for each page listing it. At 100,000
/// incidents the cards' HTML as values (about 1 KB each) was the peak of
/// the lists round.
pub(super) enum Cached {
    Whole(Card),
    Html(
        crate::packed::PackedText,
        Option<std::sync::Arc<super::reads::Reads>>,
    ),
}

/// The cards of one list page, under the context key the template reads.
pub(super) type CardList = (&'static str, Vec<Card>);
