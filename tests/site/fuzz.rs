//! Property tests over hostile input (issue 3): arbitrary bytes, YAML-ish text
//! and Markdown-ish text fed to the front-matter and Markdown stages. Whatever
//! comes in, nothing panics and every diagnostic points at a real place: line 0
//! (the whole file) or a line of the file, with a column on that line.
//! Bounded (a few hundred small cases) so it runs in the normal test suite.

use proptest::prelude::*;
use sitrep::diag::{Diagnostic, SourceText};
use sitrep::frontmatter::{self, DocKind};
use sitrep::markdown::{self, LinkResolver};
use std::sync::Arc;

const KINDS: [(DocKind, &str); 4] = [
    (DocKind::Incident, "incidents/x.md"),
    (DocKind::News, "news/x.md"),
    (DocKind::Page, "about.md"),
    (DocKind::Home, "_index.md"),
];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Shrinking a failure is worth it, but keep it short in the normal suite.
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    }
}

/// Every diagnostic is on line 0 or a real line, with a column on that line.
fn assert_located(src: &SourceText, diags: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in diags {
        prop_assert_eq!(&d.file, &src.path);
        if d.line == 0 {
            prop_assert_eq!(d.column, 0, "{:?}", d);
            continue;
        }
        prop_assert!(d.line <= src.line_count(), "line past the end: {:?}", d);
        let chars = src.line(d.line).map_or(0, |l| l.chars().count());
        prop_assert!(
            d.column >= 1 && d.column <= chars + 1,
            "column {} on a line of {} characters: {:?}",
            d.column,
            chars,
            d
        );
        prop_assert!(!d.message.is_empty());
        // The printer copes with it too.
        let _ = sitrep::diag::render_text(std::slice::from_ref(d));
    }
    Ok(())
}

fn parse_all_kinds(text: String) -> Result<(), TestCaseError> {
    let src = Arc::new(SourceText::new("content/x.md", text));
    for (kind, path) in KINDS {
        if let Err(diags) = frontmatter::parse(kind, src.clone(), path) {
            prop_assert!(!diags.is_empty(), "a failure with no diagnostic");
            assert_located(&src, &diags)?;
        }
    }
    Ok(())
}

const KEYS: &[&str] = &[
    "id",
    "title",
    "services",
    "status",
    "started",
    "resolved",
    "regions",
    "errors",
    "timeline",
    "related",
    "sources",
    "window",
    "classification",
    "takes",
    "extra",
    "slug",
    "date",
    "incidents",
    "draft",
    "at",
    "url",
    "code",
    "region",
    "start",
    "end",
    "text",
];

const VALUES: &[&str] = &[
    "",
    "EX1331830",
    "resolved",
    "maintenance",
    "2026-06-03T10:33:00-04:00",
    "2026-06-03T10:33:00",
    "2026-02-30",
    "[North America, Germany]",
    "[unclosed, list",
    "{start: 2026-06-03, end: 2026-06-02}",
    "{id: EX1, id: EX2}",
    "\"javascript:alert(1)\"",
    "\"unclosed quote",
    "&a [1, 2]",
    "*a",
    "[*a, *a, *a]",
    "!!binary aGk=",
    "!custom 3",
    "|",
    "true",
    "12",
    "../x",
    "a: b: c",
    "- x",
];

/// One front matter line from the pieces writers (and attackers) use.
fn yaml_line() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(String::from),
        1 => "[a-z_]{1,8}",
    ];
    let value = prop_oneof![
        4 => prop::sample::select(VALUES).prop_map(String::from),
        1 => "[ -~]{0,12}",
        1 => "\\PC{0,6}",
    ];
    let indent = prop_oneof![
        Just(""),
        Just("  "),
        Just("    "),
        Just("\t"),
        Just("  - "),
        Just("- ")
    ];
    prop_oneof![
        8 => (indent, key, value).prop_map(|(i, k, v)| format!("{i}{k}: {v}")),
        1 => Just("---".to_string()),
        1 => Just(String::new()),
        1 => "\\PC{0,10}",
    ]
}

fn front_matter_file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(yaml_line(), 0..14),
        any::<bool>(),
        "\\PC{0,40}",
    )
        .prop_map(|(lines, close, body)| {
            let mut s = String::from("---\n");
            for l in lines {
                s.push_str(&l);
                s.push('\n');
            }
            if close {
                s.push_str("---\n");
            }
            s.push_str(&body);
            s
        })
}

struct Resolver;

impl LinkResolver for Resolver {
    fn incident(&self, id: &str) -> Option<(String, String)> {
        id.eq_ignore_ascii_case("EX1")
            .then(|| ("EX1".into(), "/incidents/ex1/".into()))
    }
    fn page_url(&self, _from: &str, target: &str) -> Option<String> {
        (target == "../about.md").then(|| "/about/".into())
    }
    fn bare_id(&self, word: &str) -> Option<(String, String)> {
        (word == "EX1").then(|| ("EX1".into(), "/incidents/ex1/".into()))
    }
}

fn markdown_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[a](incident:EX1)".to_string()),
        Just("[a](incident:EX2)".to_string()),
        Just("[a](incident:)".to_string()),
        Just("[a](../about.md)".to_string()),
        Just("[a](../missing.md#x)".to_string()),
        Just("[a](javascript:alert(1))".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("EX1 ".to_string()),
        Just("\n```rust\nfn main() {}\n".to_string()),
        Just("\n```\n".to_string()),
        Just("\n# Heading {#id}\n".to_string()),
        Just("\n| a | b |\n|---|---|\n| 1 | 2 |\n".to_string()),
        Just("[^1]\n\n[^1]: note\n".to_string()),
        Just("\n- [ ] task\n".to_string()),
        Just("`code EX1`".to_string()),
        Just("\u{0}".to_string()),
        Just("\r\n".to_string()),
        "\\PC{0,12}",
        "[ -~\n]{0,12}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_the_front_matter_stage(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        parse_all_kinds(String::from_utf8_lossy(&bytes).into_owned())?;
        // The same bytes behind a fence, so they reach the YAML parser.
        let mut fenced = b"---\n".to_vec();
        fenced.extend_from_slice(&bytes);
        fenced.extend_from_slice(b"\n---\n");
        parse_all_kinds(String::from_utf8_lossy(&fenced).into_owned())?;
    }

    #[test]
    fn yaml_ish_front_matter_gets_located_diagnostics(text in front_matter_file()) {
        parse_all_kinds(text)?;
    }

    #[test]
    fn unreadable_bytes_are_located_by_line(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.md");
        std::fs::write(&path, &bytes).unwrap();
        match sitrep::load::read_text(&path, "content/x.md") {
            Ok(text) => prop_assert_eq!(text.as_bytes(), &bytes[..]),
            Err(d) => {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
                prop_assert!(d.line >= 1 && d.line <= lines, "{:?}", d);
                prop_assert!(d.column >= 1, "{:?}", d);
                let _ = sitrep::diag::render_text(&[d]);
            }
        }
    }

    #[test]
    fn markdown_problems_sit_inside_the_body(pieces in prop::collection::vec(markdown_piece(), 0..16)) {
        let body: String = pieces.concat();
        let r = markdown::render(&body, "incidents/x.md", Some("EX1"), &Resolver);
        let src = SourceText::new("content/incidents/x.md", body.clone());
        for p in &r.problems {
            prop_assert!(p.offset <= body.len() && p.offset + p.len <= body.len(), "{:?}", p);
            let d = src.at_offset(sitrep::diag::Severity::Error, p.offset, p.len, p.message.clone());
            assert_located(&src, &[d])?;
        }
    }
}
