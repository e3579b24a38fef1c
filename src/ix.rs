//! Typed positions into the site's per-kind vectors: an [`IncidentIx`] indexes
//! only incidents (and what runs parallel to them: their HTML, backlinks,
//! similar incidents), a [`StoryIx`] only news stories, a [`PageIx`] only plain
//! pages, so `site.incidents[story]` does not compile. A `u32` inside: a
//! 100,000-incident build holds millions of them (members, backlinks, reads).

use serde::{Deserialize, Serialize};
pub(crate) use typed_index_collections::{TiSlice, TiVec};

macro_rules! index_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub(crate) struct $name(u32);

        impl From<usize> for $name {
            fn from(i: usize) -> Self {
                // A site has far fewer than 4 billion documents of a kind; a
                // wrapped index would point at the wrong one, so refuse it.
                Self(u32::try_from(i).expect("more than u32::MAX documents of one kind"))
            }
        }

        impl From<$name> for usize {
            fn from(i: $name) -> usize {
                i.0 as usize
            }
        }
    };
}

index_type!(
    /// Position in `Site::incidents` (newest first).
    IncidentIx
);
index_type!(
    /// Position in `Site::news` (newest first).
    StoryIx
);
index_type!(
    /// Position in `Site::pages` (by slug).
    PageIx
);
