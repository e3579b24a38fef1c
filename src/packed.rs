//! Text kept compressed in memory. Rendered Markdown bodies are most of a large
//! site's memory (about 16 KB of HTML per incident), yet each is read only a few
//! times per build: for its page, a feed entry and the search index. LZ4 packs
//! HTML about 3x and unpacks at gigabytes a second, so holding bodies packed
//! costs little time and saves most of that memory.
//!
//! Texts of one kind (rendered bodies; source files) share their words and
//! markup, and a body of a few KB alone gives LZ4 little to match. So each
//! kind is packed against a [`Dictionary`]: the first [`DICTIONARY`] bytes of
//! texts of that kind packed in the process, frozen once full. On the
//! generated 10k corpus a 64 KB one packed incident bodies 7.5x instead of
//! 2.6x (100k: about 190 MB less at the build's peak). Texts packed before
//! the dictionary is full are packed on their own. What is stored never
//! changes what comes back.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// Below this many bytes a text is kept as it is: packing would save little.
/// Against a dictionary even a timeline entry of a few hundred bytes packs.
const PACK_FROM: usize = 256;

/// LZ4 looks back 64 KB at most, but every text packed indexes the whole
/// dictionary again (lz4_flex keeps no prepared one): 32 KB instead of 64
/// took 1.4 % off a cold 10k build's instructions and added 18 MiB (2 %) to
/// a 100k build's peak.
const DICTIONARY: usize = 32 * 1024;

#[derive(Clone, Default)]
pub struct PackedText(Repr);

#[derive(Clone)]
enum Repr {
    Plain(Box<str>),
    /// LZ4 block with its length prepended, against `Kind`'s dictionary (or
    /// none); always valid UTF-8 once unpacked.
    Lz4(Box<[u8]>, Kind),
}

/// Which dictionary a text was packed against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Alone,
    Html,
    Source,
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Plain(Box::default())
    }
}

/// A sample of the first texts of one kind, frozen once [`DICTIONARY`] bytes
/// long; never changed after, so whatever was packed against it unpacks.
pub(crate) struct Dictionary {
    sample: Mutex<Vec<u8>>,
    ready: OnceLock<Box<[u8]>>,
}

impl Dictionary {
    const fn new() -> Dictionary {
        Dictionary {
            sample: Mutex::new(Vec::new()),
            ready: OnceLock::new(),
        }
    }

    /// The frozen dictionary, or `None` while `text` joins the sample.
    fn take(&self, text: &[u8]) -> Option<&[u8]> {
        if let Some(d) = self.ready.get() {
            return Some(d);
        }
        let mut sample = self.sample.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = self.ready.get() {
            return Some(d);
        }
        let room = DICTIONARY - sample.len();
        sample.extend_from_slice(&text[..text.len().min(room)]);
        if sample.len() == DICTIONARY {
            let _ = self
                .ready
                .set(std::mem::take(&mut *sample).into_boxed_slice());
        }
        None
    }

    fn get(&self) -> &[u8] {
        self.ready.get().map_or(&[], |d| d)
    }
}

static HTML: Dictionary = Dictionary::new();
static SOURCE: Dictionary = Dictionary::new();

impl Kind {
    fn dictionary(self) -> Option<&'static Dictionary> {
        match self {
            Kind::Alone => None,
            Kind::Html => Some(&HTML),
            Kind::Source => Some(&SOURCE),
        }
    }
}

impl PackedText {
    /// Rendered HTML (or any text of the site's Markdown).
    pub fn new(text: String) -> PackedText {
        PackedText::pack(text, Kind::Html)
    }

    /// Held as it is, unpacked: for texts held briefly or on small sites.
    pub fn plain(text: String) -> PackedText {
        PackedText(Repr::Plain(text.into_boxed_str()))
    }

    /// A content file's text (front matter and Markdown).
    pub fn source(text: String) -> PackedText {
        PackedText::pack(text, Kind::Source)
    }

    fn pack(text: String, kind: Kind) -> PackedText {
        if text.len() < PACK_FROM {
            return PackedText(Repr::Plain(text.into_boxed_str()));
        }
        let bytes = text.as_bytes();
        let packed = match kind.dictionary().and_then(|d| d.take(bytes)) {
            Some(dict) => (
                lz4_flex::block::compress_prepend_size_with_dict(bytes, dict),
                kind,
            ),
            None => (lz4_flex::compress_prepend_size(bytes), Kind::Alone),
        };
        PackedText(Repr::Lz4(packed.0.into_boxed_slice(), packed.1))
    }

    pub fn unpack(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Plain(s) => Cow::Borrowed(s),
            Repr::Lz4(bytes, kind) => {
                // Packed from a `String` against a dictionary that never
                // changes once used: neither step can fail.
                let raw = match kind.dictionary() {
                    Some(d) => lz4_flex::block::decompress_size_prepended_with_dict(bytes, d.get()),
                    None => lz4_flex::decompress_size_prepended(bytes),
                };
                Cow::Owned(String::from_utf8(raw.unwrap_or_default()).unwrap_or_default())
            }
        }
    }

    /// Hash the text held: equal texts hash alike, packed or not.
    pub fn hash_into(&self, h: &mut impl std::hash::Hasher) {
        // The text, not its packed bytes: a dictionary is built from whichever
        // texts of its kind came first, which parallel parsing does not fix,
        // so the same text can pack differently from one build to the next.
        h.write(self.unpack().as_bytes());
    }

    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Repr::Plain(s) if s.is_empty())
    }
}

impl From<String> for PackedText {
    fn from(text: String) -> PackedText {
        PackedText::new(text)
    }
}

impl fmt::Display for PackedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.unpack())
    }
}

impl fmt::Debug for PackedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.unpack(), f)
    }
}

impl PartialEq for PackedText {
    fn eq(&self, other: &PackedText) -> bool {
        self.unpack() == other.unpack()
    }
}

impl Eq for PackedText {}

impl PartialEq<&str> for PackedText {
    fn eq(&self, other: &&str) -> bool {
        self.unpack() == *other
    }
}

impl serde::Serialize for PackedText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.unpack())
    }
}

#[cfg(test)]
mod tests {
    use super::PackedText;

    #[test]
    fn short_and_long_texts_come_back_unchanged() {
        for text in [
            String::new(),
            "<p>short</p>".to_string(),
            "<p>Zürich – mail queued.</p>\n".repeat(200),
        ] {
            let packed = PackedText::new(text.clone());
            assert_eq!(packed.unpack(), text);
            assert_eq!(packed.is_empty(), text.is_empty());
        }
    }

    #[test]
    fn long_html_is_held_smaller() {
        let text = "<p>Mail flow delays in Exchange Online.</p>\n".repeat(100);
        let PackedText(super::Repr::Lz4(bytes, _)) = PackedText::new(text.clone()) else {
            panic!("a long text is packed");
        };
        assert!(
            bytes.len() * 3 < text.len(),
            "{} of {}",
            bytes.len(),
            text.len()
        );
    }

    #[test]
    fn texts_packed_against_a_dictionary_come_back_unchanged() {
        // Enough texts of each kind to fill both dictionaries and pack more
        // against them (other tests of the process may have filled them).
        let text = |n: usize| {
            format!("<p>Incident {n}: mail flow delayed in Zürich.</p>\n").repeat(60 + n % 7)
        };
        let packed: Vec<(String, PackedText, PackedText)> = (0..60)
            .map(|n| {
                let t = text(n);
                (t.clone(), PackedText::new(t.clone()), PackedText::source(t))
            })
            .collect();
        assert!(super::HTML.ready.get().is_some() && super::SOURCE.ready.get().is_some());
        let against =
            |p: &PackedText| matches!(p.0, super::Repr::Lz4(_, k) if k != super::Kind::Alone);
        assert!(packed.iter().any(|(_, h, s)| against(h) && against(s)));
        for (t, html, source) in &packed {
            assert_eq!(html.unpack(), *t);
            assert_eq!(source.unpack(), *t);
        }
    }
}
