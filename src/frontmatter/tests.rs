use super::*;
use crate::model::{Classification, Document, Status};

fn parse_incident(text: &str) -> Result<Document, Vec<Diagnostic>> {
    let src = Arc::new(SourceText::new("content/incidents/x.md", text.to_string()));
    parse(DocKind::Incident, src, "incidents/x.md")
}

const GOOD: &str = "---\nid: EX1331830\ntitle: Mail flow\nservices: Exchange Online\nstatus: investigating\nstarted: 2026-06-03T10:33:00-04:00\nregions:\n  - North America\n  - Germany\nerrors:\n  - code: SuspiciousRemoteServerError\n    message: Connection was closed abruptly (SuspiciousRemoteServerError)\n  - \"421 plain message\"\ntakes:\n  admin: Check the alert.\n  user: Wait.\n---\n\nBody **text**.\n";

#[test]
fn a_valid_incident_parses_into_types() {
    let Ok(Document::Incident(i)) = parse_incident(GOOD) else {
        panic!("{:?}", parse_incident(GOOD))
    };
    assert_eq!(i.id.as_str(), "EX1331830");
    assert_eq!(i.services, ["Exchange Online"]);
    assert_eq!(i.status, Status::Investigating);
    assert_eq!(i.classification, Classification::Incident);
    assert_eq!(i.regions.len(), 2);
    assert_eq!(i.errors[1].term(), "421 plain message");
    assert_eq!(i.takes[0].0, "admin");
    assert!(i.body().contains("Body **text**."));
}

fn errors_of(text: &str) -> Vec<Diagnostic> {
    match parse_incident(text) {
        Ok(_) => panic!("expected errors"),
        Err(d) => d,
    }
}

#[test]
fn unknown_key_points_at_its_own_line_with_suggestion() {
    let text = GOOD.replace("regions:", "region:");
    let d = errors_of(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].line, 7);
    assert_eq!(d[0].message, "unknown key `region`");
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `regions`?"));
}

#[test]
fn several_problems_in_one_file_are_all_reported() {
    let text = GOOD
        .replace("status: investigating", "status: investigatin")
        .replace(
            "started: 2026-06-03T10:33:00-04:00",
            "started: 2026-06-03T10:33:00",
        );
    let d = errors_of(&text);
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!((d[0].line, d[1].line), (5, 6));
    assert!(
        d[0].hint
            .as_deref()
            .unwrap()
            .contains("investigating, identified, monitoring, resolved")
    );
    assert!(d[1].message.contains("no offset"), "{:?}", d[1]);
}

#[test]
fn missing_required_key_and_wrong_type() {
    let d = errors_of("---\nid: A1\ntitle: [1, 2]\nservices: X\nstatus: resolved\n---\n");
    let msgs: Vec<_> = d.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert!(
        msgs.contains(&(3, "`title` should be text, found a list")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(_, m)| m.contains("required key `started`")),
        "{msgs:?}"
    );
}

#[test]
fn yaml_syntax_errors_have_file_lines() {
    let d = errors_of("---\nid: A1\ntitle: \"unclosed\nservices: X\n---\n");
    assert_eq!(d.len(), 1);
    assert!(d[0].message.starts_with("invalid YAML"), "{:?}", d[0]);
    assert!(d[0].line >= 3, "{:?}", d[0]);
}

#[test]
fn fences_empty_and_unclosed() {
    assert!(errors_of("")[0].message.contains("empty"));
    assert!(
        errors_of("---\nid: A\n")[0]
            .message
            .contains("never closed")
    );
    assert!(errors_of("id: A\n")[0].message.contains("does not start"));
}

#[test]
fn timeline_order_names_both_lines() {
    let text = GOOD.replace(
        "takes:",
        "timeline:\n  - at: 2026-06-03T11:00:00-04:00\n    text: b\n  - at: 2026-06-03T10:40:00-04:00\n    text: a\ntakes:",
    );
    let d = errors_of(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].line, 17);
    assert!(
        d[0].message.contains("line 17") && d[0].message.contains("line 15"),
        "{}",
        d[0].message
    );
}

#[test]
fn resolved_rules() {
    let d = errors_of(&GOOD.replace("regions:", "resolved: 2026-06-02T10:00:00-04:00\nregions:"));
    let msgs: Vec<_> = d.iter().map(|d| d.message.clone()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("`status` is `investigating`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("earlier than `started`")),
        "{msgs:?}"
    );
}

#[test]
fn javascript_source_is_an_error_and_bad_id_too() {
    let d = errors_of(&GOOD.replace("id: EX1331830", "id: ../x").replace(
        "takes:",
        "sources:\n  - title: x\n    url: \"javascript:alert(1)\"\ntakes:",
    ));
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0].line, 2);
    assert_eq!(d[1].line, 16);
    assert!(d[1].message.contains("not a web link"));
}

#[test]
fn alias_bomb_fails_fast() {
    let mut y = String::from(
        "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='j' {
        y.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    y.push_str("---\n");
    let t = std::time::Instant::now();
    let d = errors_of(&y);
    assert!(t.elapsed().as_secs() < 2);
    assert!(d[0].message.contains("too much data"), "{:?}", d[0]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let y = format!(
        "---\nextra: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let d = errors_of(&y);
    assert!(d[0].message.contains("nested too deeply"), "{:?}", d[0]);
}

#[test]
fn declared_id_is_read_from_a_broken_file() {
    let src = SourceText::new("x.md", "---\nid: \"EX9\"\ntitle: [unclosed\n---\n".into());
    assert_eq!(declared_id(&src).map(|i| i.to_string()), Some("EX9".into()));
    let src = SourceText::new("x.md", "---\ntitle: x\n---\nid: EX9\n".into());
    assert_eq!(declared_id(&src), None);
    let src = SourceText::new("x.md", "---\nid: ../x\n".into());
    assert_eq!(declared_id(&src), None);
}
