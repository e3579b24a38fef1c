//! Text kept compressed in memory. Rendered Markdown bodies are most of a large
//! site's memory (about 16 KB of HTML per incident), yet each is read only a few
//! times per build: for its page, a feed entry and the search index. LZ4 packs
//! HTML about 3x and unpacks at gigabytes a second, so holding bodies packed
//! costs little time and saves most of that memory.

use std::borrow::Cow;
use std::fmt;

/// Below this many bytes a text is kept as it is: packing would save little.
const PACK_FROM: usize = 1024;

#[derive(Clone, Default)]
pub struct PackedText(Repr);

#[derive(Clone)]
enum Repr {
    Plain(Box<str>),
    /// LZ4 block with its length prepended; always valid UTF-8 once unpacked.
    Lz4(Box<[u8]>),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Plain(Box::default())
    }
}

impl PackedText {
    pub fn new(text: String) -> PackedText {
        if text.len() < PACK_FROM {
            return PackedText(Repr::Plain(text.into_boxed_str()));
        }
        PackedText(Repr::Lz4(
            lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice(),
        ))
    }

    pub fn unpack(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Plain(s) => Cow::Borrowed(s),
            Repr::Lz4(bytes) => {
                // Packed from a `String` by `new`: neither step can fail.
                let raw = lz4_flex::decompress_size_prepended(bytes).unwrap_or_default();
                Cow::Owned(String::from_utf8(raw).unwrap_or_default())
            }
        }
    }

    /// Hash what is held, packed or not, without unpacking: equal texts held
    /// alike hash alike (packing is deterministic).
    pub fn hash_into(&self, h: &mut impl std::hash::Hasher) {
        match &self.0 {
            Repr::Plain(s) => {
                h.write_u8(0);
                h.write(s.as_bytes());
            }
            Repr::Lz4(b) => {
                h.write_u8(1);
                h.write(b);
            }
        }
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
        let PackedText(super::Repr::Lz4(bytes)) = PackedText::new(text.clone()) else {
            panic!("a long text is packed");
        };
        assert!(
            bytes.len() * 3 < text.len(),
            "{} of {}",
            bytes.len(),
            text.len()
        );
    }
}
