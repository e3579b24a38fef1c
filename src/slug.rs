//! Slugs: text in, URL path segment out (ASCII, lower-case, `-` between words).
//! Used for taxonomy terms, heading anchors and news/page URLs.

/// `North America` → `north-america`, `Zürich` → `zurich`: transliterate to ASCII,
/// lower-case, and turn every run of other characters into one `-`.
pub(crate) fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    let mut pending_dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Longest slug a term keeps before it is cut and given a hash suffix.
pub(crate) const MAX_TERM_SLUG: usize = 60;

/// A taxonomy term's slug: [`slugify`], but a slug longer than 60 characters (a long
/// error message) is cut at 60 and gets `-` plus 8 hex digits of a stable hash of
/// the full term, so two long messages with the same start stay distinct.
pub(crate) fn term_slug(term: &str) -> String {
    let slug = slugify(term);
    if slug.len() <= MAX_TERM_SLUG {
        return slug;
    }
    let cut = slug[..MAX_TERM_SLUG].trim_end_matches('-');
    format!("{cut}-{:08x}", stable_hash(term) as u32)
}

/// FNV-1a: stable across platforms, releases and runs (std's hasher is not).
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_from_the_format() {
        assert_eq!(slugify("North America"), "north-america");
        assert_eq!(slugify("Zürich"), "zurich");
        assert_eq!(slugify("451 4.3.2"), "451-4-3-2");
        assert_eq!(slugify("  --Exchange  Online!! "), "exchange-online");
        assert_eq!(slugify("Türkiye"), "turkiye");
    }

    #[test]
    fn long_terms_are_cut_with_a_stable_hash() {
        let a =
            "The maximum number of concurrent connections per resource forest has exceeded a limit";
        let b =
            "The maximum number of concurrent connections per resource forest has exceeded a quota";
        let (sa, sb) = (term_slug(a), term_slug(b));
        assert_ne!(sa, sb);
        assert!(sa.len() <= MAX_TERM_SLUG + 9, "{sa}");
        assert!(sa.starts_with("the-maximum-number-of-concurrent-connections-per-resource"));
        assert_eq!(sa, term_slug(a));
        assert_eq!(term_slug("short one"), "short-one");
    }
}
