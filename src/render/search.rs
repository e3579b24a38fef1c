//! Search index: the linked [`Site`] in (typed incident fields, whole bodies,
//! news), the files under `search/` out — a small manifest, an inverted index
//! sharded by token hash, and result records in blocks — so that a query
//! downloads only the parts its words need. docs/templates.md has the format;
//! `themes/default/static/search.js` is the reader and must match [`words`],
//! [`phrase_key`], [`fnv1a`] and [`Postings`].

use super::memo::KeyStore;
use super::sink::Emit;
use super::view::Builder;
use crate::ix::{IncidentIx, StoryIx};
use crate::link::{Site, incident_path, news_path};
use crate::time::Timestamp;
use std::borrow::Cow;
use std::collections::HashMap;

mod invert;
pub(crate) mod saved;
use invert::invert;

/// Bump when the file layout or encoding changes (search.js checks it).
const VERSION: u32 = 1;
/// Records per `search/r/<n>.json`: a result page fetches a few small blocks.
const BLOCK: usize = 32;
/// Documents per shard the shard count aims at (about 4 KB of postings per
/// shard on the generated corpus). A function of the document count alone, so
/// the search page can name it and the reader need not wait for the manifest.
const DOCS_PER_SHARD: usize = 48;
const MAX_SHARDS: usize = 4096;
/// Postings longer than this get a file of their own (listed in the manifest),
/// so one common word does not make its whole shard heavy.
const OWN_FILE: usize = 2048;
/// Longer tokens are noise (hashes, base64) and only bloat the index.
const MAX_TOKEN: usize = 64;

/// Field weights, 0..=7 (the reader scores a hit as weight + 1).
const W_ID: u8 = 7;
const W_ERROR: u8 = 6;
const W_TITLE: u8 = 5;
const W_TERM: u8 = 3;
const W_TIMELINE: u8 = 1;
const W_BODY: u8 = 0;

/// 32-bit FNV-1a over UTF-8: the shard of a token and the key of a phrase.
pub(super) fn fnv1a(text: &str) -> u32 {
    fnv1a_bytes(text.as_bytes())
}

fn fnv1a_bytes(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

/// Lower-cased runs of letters and digits: "421 4.3.2 (Timeout)" → 421 4 3 2 timeout.
pub(super) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The key of a whole ID, error code, message or title: its words joined by
/// one space, hashed. Case, punctuation and spacing do not matter, so a
/// pasted message finds the incidents that list exactly that message.
pub(super) fn phrase_key(text: &str) -> Option<String> {
    let joined = words(text).collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then(|| format!("#{:08x}", fnv1a(&joined)))
}

const ALPHABET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// [`Postings`] of a list at once, for tests.
#[cfg(test)]
pub fn encode(postings: &[(u32, u8)]) -> String {
    let mut out = Postings::default();
    for &(doc, w) in postings {
        out.push(doc, w);
    }
    out.text
}

/// One key's postings as text, encoded as they come (documents ascending):
/// per document, `(gap - 1) * 8 + weight` (gap from the previous document
/// number, the first counted from -1) as a base-32 number whose leading
/// digits come from the upper half of [`ALPHABET`] and whose last digit from
/// the lower half. Dense words cost about one byte a document, against the
/// eight of a `(u32, u8)` held until the end (hundreds of MB at 100,000
/// incidents).
#[derive(Default)]
pub(super) struct Postings {
    pub text: String,
    /// The document after the last one pushed (the next gap counts from it).
    next: u32,
    /// Documents pushed: the key's document frequency.
    pub df: usize,
}

impl Postings {
    pub(super) fn push(&mut self, doc: u32, w: u8) {
        let mut v = u64::from(doc - self.next) * 8 + u64::from(w);
        self.next = doc + 1;
        self.df += 1;
        let mut digits = [0u8; 14];
        let mut n = digits.len() - 1;
        digits[n] = ALPHABET[(v % 32) as usize];
        v /= 32;
        while v > 0 {
            n -= 1;
            digits[n] = ALPHABET[(32 + v % 32) as usize];
            v /= 32;
        }
        // The alphabet is ASCII.
        self.text
            .push_str(std::str::from_utf8(&digits[n..]).unwrap_or_default());
    }
}

/// The inverse of [`encode`], for tests.
#[cfg(test)]
pub fn decode(text: &str) -> Vec<(u32, u8)> {
    let mut out = Vec::new();
    let (mut n, mut prev) = (0u64, -1i64);
    for b in text.bytes() {
        let Some(x) = ALPHABET.iter().position(|&a| a == b) else {
            continue;
        };
        n = n * 32 + (x % 32) as u64;
        if x < 32 {
            let doc = prev + 1 + (n / 8) as i64;
            out.push((doc as u32, (n % 8) as u8));
            prev = doc;
            n = 0;
        }
    }
    out
}

/// Slots of the per-text cache of words already keyed (see [`Doc::text`]):
/// 2-3x faster on a 5 MB body in debug builds, about 25% slower in release.
const RECENT: usize = 512;

/// ASCII letters and digits.
static WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut c = 0;
    while c < 128 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

/// The maps of tokenizing: keys are short words, hashed millions of times per
/// build; foldhash beats SipHash there, and a fixed seed keeps builds repeatable.
type KeyMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// One document's keys (words and phrase keys) with their best field weight.
/// Words already in lower case borrow from the site's text: a key is copied
/// once per distinct word of the whole site, not once per document.
#[derive(Default)]
struct Doc<'a>(KeyMap<Cow<'a, str>, u8>);

impl<'a> Doc<'a> {
    fn key(&mut self, key: &str, w: u8) {
        match self.0.get_mut(key) {
            Some(e) => *e = (*e).max(w),
            None => {
                self.0.insert(Cow::Owned(key.to_string()), w);
            }
        }
    }

    fn key_borrowed(&mut self, key: &'a str, w: u8) {
        // A borrowed key costs nothing to build: one hash, hit or miss.
        let e = self.0.entry(Cow::Borrowed(key)).or_insert(w);
        *e = (*e).max(w);
    }

    /// As [`words`], but byte by byte over ASCII without allocating per word
    /// (bodies are most of the text, and `check` runs this in debug builds too).
    fn text(&mut self, text: &'a str, w: u8) {
        let bytes = text.as_bytes();
        // About one distinct word per 24 bytes of prose: grow once, not eight times.
        self.0
            .reserve((text.len() / 24).saturating_sub(self.0.capacity() - self.0.len()));
        let mut buf: Vec<u8> = Vec::new();
        // The cache pays off only where the map itself is slow: in debug
        // builds (which the test suite's `check` runs use), for long texts.
        let cached = cfg!(debug_assertions) && text.len() > 4096;
        let mut recent = vec![Vec::new(); if cached { RECENT } else { 0 }];
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] < 0x80 && !WORD[usize::from(bytes[i])] {
                i += 1;
                continue;
            }
            // A run up to the next ASCII non-word byte (a char boundary).
            let start = i;
            let (mut ascii, mut lower) = (true, true);
            while i < bytes.len() && (bytes[i] >= 0x80 || WORD[usize::from(bytes[i])]) {
                ascii &= bytes[i] < 0x80;
                lower &= !bytes[i].is_ascii_uppercase();
                i += 1;
            }
            let run = &text[start..i];
            if !ascii {
                self.unicode(run, w);
            } else if run.len() <= MAX_TOKEN {
                let word: &[u8] = if lower {
                    run.as_bytes()
                } else {
                    buf.clear();
                    buf.extend_from_slice(run.as_bytes());
                    buf.make_ascii_lowercase();
                    &buf
                };
                // A word met again in this text (most of them) is found in
                // `recent` without a map lookup.
                if let Some(slot) = recent.get_mut(fnv1a_bytes(word) as usize % RECENT) {
                    if slot.as_slice() == word {
                        continue;
                    }
                    slot.clear();
                    slot.extend_from_slice(word);
                }
                if lower {
                    self.key_borrowed(run, w);
                } else {
                    self.key(std::str::from_utf8(&buf).unwrap_or_default(), w);
                }
            }
        }
    }

    fn unicode(&mut self, run: &str, w: u8) {
        for word in words(run).filter(|w| w.chars().count() <= MAX_TOKEN) {
            // "Zürich" is also found as "zurich".
            let plain = deunicode::deunicode(&word).to_lowercase();
            if !plain.is_empty() && plain.chars().all(|c| c.is_ascii_alphanumeric()) {
                self.key(&plain, w);
            }
            self.key(&word, w);
        }
    }

    fn phrase(&mut self, text: &'a str, w: u8) {
        if let Some(k) = phrase_key(text) {
            self.key(&k, w);
        }
        self.text(text, w);
    }
}

/// `body`: the body's text, which [`invert`] derives from its HTML.
fn incident_doc<'a>(site: &'a Site, i: IncidentIx, body: &'a str) -> Doc<'a> {
    let inc = &site.incidents[i];
    let mut d = Doc::default();
    d.phrase(inc.id.as_str(), W_ID);
    for e in &inc.errors {
        for t in e.code.iter().chain(&e.message) {
            d.phrase(t, W_ERROR);
        }
    }
    d.phrase(&inc.title, W_TITLE);
    for t in inc
        .services
        .iter()
        .chain(&inc.regions)
        .chain(&inc.tags)
        .chain(&inc.components)
    {
        d.text(t, W_TERM);
    }
    for e in &inc.timeline {
        d.text(&e.text, W_TIMELINE);
    }
    let postmortem = inc
        .postmortem
        .iter()
        .flat_map(|p| p.parts.iter().map(|(_, t)| t));
    // `notes` is only ever set in an internal build.
    for t in inc
        .summary
        .iter()
        .chain(inc.takes.iter().map(|(_, t)| t))
        .chain(postmortem)
        .chain(&inc.notes)
    {
        d.text(t, W_BODY);
    }
    d.text(body, W_BODY);
    d
}

fn news_doc<'a>(site: &'a Site, n: StoryIx, body: &'a str) -> Doc<'a> {
    let s = &site.news[n];
    let mut d = Doc::default();
    d.phrase(&s.title, W_TITLE);
    for t in &s.tags {
        d.text(t, W_TERM);
    }
    if let Some(t) = &s.summary {
        d.text(t, W_BODY);
    }
    d.text(body, W_BODY);
    d
}

/// A JSON string literal that stays inert inside HTML.
fn js(text: &str) -> String {
    crate::escape::json_in_html(serde_json::to_string(text).unwrap_or_default())
}

/// `{"key":"postings",…}`, keys sorted (they come from a BTreeMap).
fn object<'a>(entries: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    let body: Vec<String> = entries
        .map(|(k, v)| format!("{}:{}", js(k), js(v)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// How many shards a site of `docs` incidents and news stories has.
pub(super) fn shard_count(docs: usize) -> usize {
    docs.div_ceil(DOCS_PER_SHARD)
        .max(1)
        .next_power_of_two()
        .min(MAX_SHARDS)
}

/// What the manifest says of the index files: the shard count, and the keys
/// with a file of their own, sorted, with their document frequency.
struct Index {
    shards: usize,
    big: Vec<(String, usize)>,
}

/// The index files, each to `emit` as it is made: `search/s/<n>.json`
/// shards and `search/b/<n>.json` own files of big keys. A big key also has
/// `"@<n>"` in its shard, so its file can be found without the manifest.
fn index_files(site: &Site, memo: Option<&dyn KeyStore>, shards: usize, emit: &mut Emit) -> Index {
    // Straight from the sorted index: collecting into a second map would
    // hold every key's postings twice at the build's peak (100k incidents).
    let encoded = invert(site, memo)
        .into_iter()
        .map(|(k, p)| (k, (p.text, p.df)));
    split(encoded, shards, emit)
}

/// Key → (encoded postings, document frequency), keys ascending, into shard
/// and own files. Taken by value: each key's text moves into its shard,
/// never copied, and each file goes out as soon as it is whole.
fn split(
    encoded: impl IntoIterator<Item = (String, (String, usize))>,
    shards: usize,
    emit: &mut Emit,
) -> Index {
    let mut big = Vec::new();
    let mut by_shard: Vec<Vec<(String, String)>> = vec![Vec::new(); shards];
    for (k, (e, df)) in encoded {
        let shard = &mut by_shard[fnv1a(&k) as usize % shards];
        if e.len() > OWN_FILE {
            let file = format!("search/b/{}.json", big.len());
            emit(file, object(std::iter::once((&k, &e))));
            shard.push((k.clone(), format!("@{}", big.len())));
            big.push((k, df));
        } else {
            shard.push((k, e));
        }
    }
    for (n, entries) in by_shard.into_iter().enumerate() {
        let text = object(entries.iter().map(|(k, e)| (k, e)));
        drop(entries);
        emit(format!("search/s/{n}.json"), text);
    }
    Index { shards, big }
}

/// `[id, title, status, status label, start date (machine), start date, url]`;
/// news stories have an empty ID and status and their publication date.
fn records<'c>(cx: &'c Builder) -> impl Iterator<Item = String> + 'c {
    let site = cx.whole();
    let tz = &site.config.timezone;
    let day = move |t: &Timestamp| {
        let d = t.date(tz);
        (d.to_string(), cx.strings.date(d))
    };
    let incidents = site.incidents.iter().map(move |inc| {
        let (machine, shown) = day(&inc.started);
        let url = site.config.url(&incident_path(&inc.id));
        row(&[
            inc.id.as_str(),
            &inc.title,
            inc.status.as_str(),
            &cx.status_label(inc.status),
            &machine,
            &shown,
            &url,
        ])
    });
    incidents.chain(site.news.iter().map(move |s| {
        let (machine, shown) = day(&s.date);
        let url = site.config.url(&news_path(&s.slug));
        row(&[
            "",
            &s.title,
            "",
            cx.strings.get("nav.news"),
            &machine,
            &shown,
            &url,
        ])
    }))
}

fn row(fields: &[&str]) -> String {
    let cells: Vec<String> = fields.iter().map(|f| js(f)).collect();
    format!("[{}]", cells.join(","))
}

/// Every file of the search index, paths relative to the output root, each
/// to `emit` as it is made.
pub(super) fn files(cx: &Builder, emit: &mut Emit) {
    let site = cx.whole();
    let docs = site.incidents.len() + site.news.len();
    let Index { shards, big } = index_files(site, cx.keys, shard_count(docs), emit);
    let blocks = docs.div_ceil(BLOCK);
    let mut block = Vec::with_capacity(BLOCK);
    let mut n = 0;
    for row in records(cx) {
        block.push(row);
        if block.len() == BLOCK {
            emit(
                format!("search/r/{n}.json"),
                format!("[{}]\n", block.join(",\n")),
            );
            block.clear();
            n += 1;
        }
    }
    if !block.is_empty() {
        emit(
            format!("search/r/{n}.json"),
            format!("[{}]\n", block.join(",\n")),
        );
    }
    let big: Vec<String> = big
        .iter()
        .map(|(k, df)| format!("[{},{df}]", js(k)))
        .collect();
    let manifest = format!(
        "{{\"version\":{VERSION},\"docs\":{docs},\"incidents\":{},\"shards\":{shards},\"block\":{BLOCK},\"blocks\":{blocks},\"big\":[{}]}}\n",
        site.incidents.len(),
        big.join(",")
    );
    emit("search/index.json".into(), manifest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn words_split_on_punctuation_and_fold_case() {
        let w: Vec<String> = words("421 4.3.2 (SuspiciousRemoteServerError), Zürich!").collect();
        assert_eq!(
            w,
            [
                "421",
                "4",
                "3",
                "2",
                "suspiciousremoteservererror",
                "zürich"
            ]
        );
    }

    #[test]
    fn phrase_keys_ignore_case_spacing_and_punctuation() {
        let a = phrase_key("The maximum number  of connections, closing channel.");
        let b = phrase_key("the MAXIMUM number of connections closing channel");
        assert_eq!(a, b);
        assert_ne!(a, phrase_key("the maximum number of connections"));
        assert_eq!(phrase_key(" .. "), None);
        // The reader computes the same: FNV-1a of "ex1331830".
        assert_eq!(fnv1a("a"), 0xe40c292c);
    }

    #[test]
    fn document_text_has_the_keys_the_reader_computes() {
        let text = "Mail to Zürich: 421 4.3.2 ΣΊΣΥΦΟΣ, OK";
        let mut d = Doc::default();
        d.text(text, 0);
        let mut want: Vec<String> = words(text).collect();
        want.extend(["zurich".into(), "sisuphos".into()]);
        let mut have: Vec<String> = d.0.keys().map(|k| k.to_string()).collect();
        want.sort();
        have.sort();
        want.dedup();
        assert_eq!(have, want);
    }

    proptest::proptest! {
        #[test]
        fn the_fast_tokenizer_finds_every_word(text in "[a-zA-Z0-9 .,:()äÖßΣ_-]{0,80}", n in 1usize..80) {
            // Repeated past 4 KB, the cache of words already keyed is in play.
            let text = format!("{text} ").repeat(n);
            let mut d = Doc::default();
            d.text(&text, 0);
            for w in words(&text) {
                proptest::prop_assert!(d.0.contains_key(w.as_str()), "{w}");
            }
        }
    }

    #[test]
    fn postings_round_trip() {
        let p = vec![(0, 0), (1, 7), (2, 3), (40, 1), (41, 0), (100_000, 6)];
        let e = encode(&p);
        assert_eq!(&e[..3], "073");
        assert_eq!(decode(&e), p);
        assert!(
            e.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn a_big_key_has_its_own_file_and_a_pointer_in_its_shard() {
        let postings: Vec<(u32, u8)> = (0..3000).map(|d| (d, 0)).collect();
        let mut encoded = BTreeMap::new();
        encoded.insert("common".to_string(), (encode(&postings), 3000));
        encoded.insert("rare".to_string(), (encode(&[(7, 5)]), 1));
        let mut files = Vec::new();
        let Index { shards, big } = split(encoded, 4, &mut |p, t| files.push((p, t)));
        assert_eq!((shards, big), (4, vec![("common".to_string(), 3000)]));
        let file = |name: &str| {
            let text = &files.iter().find(|(p, _)| p == name).expect(name).1;
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        };
        let own = file("search/b/0.json");
        assert_eq!(decode(own["common"].as_str().unwrap()), postings);
        let shard = file(&format!("search/s/{}.json", fnv1a("common") % 4));
        assert_eq!(shard["common"], "@0");
        let shard = file(&format!("search/s/{}.json", fnv1a("rare") % 4));
        assert_eq!(decode(shard["rare"].as_str().unwrap()), [(7, 5)]);
        assert_eq!(files.len(), 5, "4 shards and 1 own file");
    }

    #[test]
    fn shard_count_is_a_power_of_two_in_range() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(7), 1);
        assert_eq!(shard_count(11_000), 256);
        assert_eq!(shard_count(usize::MAX / 2), MAX_SHARDS);
    }
}
