use super::*;
use crate::model::{Classification, IncidentId, Severity, Status};
use crate::notify::diff::{Change, Changed, Kind};
use crate::notify::snapshot::{Listed, Record, Update};

fn config(language: &str) -> Config {
    Config::parse(
        "sitrep.toml",
        format!("title = \"Desk\"\nbase_url = \"https://e.org/\"\ntimezone = \"Europe/Berlin\"\nlanguage = \"{language}\"\n"),
    )
    .unwrap()
}

fn german() -> Strings {
    let de = crate::i18n::parse_layer(
        "de.toml",
        include_str!("../../../themes/default/i18n/de.toml"),
    )
    .unwrap();
    Strings::layered("de", vec![de])
}

#[test]
fn words_are_translated_and_times_shown_in_the_site_zone() {
    let inc = Listed {
        id: IncidentId::parse("EX1").unwrap(),
        title: "Mail <late> & slow".into(),
        status: Status::Resolved,
        classification: Classification::Incident,
        severity: Some(Severity::Major),
        services: vec!["Exchange Online".into()],
        regions: vec![],
        url: "https://e.org/incidents/ex1/".into(),
        compact: serde_json::Value::Null,
    };
    let update = Update {
        at: "2026-06-03T14:33:00Z".into(),
        status: Some(Status::Resolved),
        text: "Mail flows again.".into(),
    };
    let record = Record {
        timeline: vec![update.clone()],
        window: None,
    };
    let c = Changed {
        incident: &inc,
        record: &record,
        changes: vec![Change {
            kind: Kind::Resolved,
            update: Some(&update),
        }],
    };
    let w = Wording::new(&config("de"), &german(), &c);
    assert_eq!(w.headline, "EX1 Behoben: Mail <late> & slow");
    assert_eq!(w.lines[0].label, "Behoben");
    assert_eq!(w.lines[0].when.as_deref(), Some("3. Juni 2026, 16:33 CEST"));
    assert!(
        w.facts.contains(&("Schweregrad".into(), "Schwer".into())),
        "{:?}",
        w.facts
    );
    let mail = email::mail(&w);
    assert_eq!(mail.subject, "[Desk] EX1 Behoben: Mail <late> & slow");
    assert!(
        mail.html.contains("Mail &lt;late&gt; &amp; slow") && !mail.html.contains("<late>"),
        "{}",
        mail.html
    );
    let slack: serde_json::Value = serde_json::from_str(&slack::body(&w)).unwrap();
    assert!(
        slack["text"].as_str().unwrap().contains("&lt;late&gt;"),
        "{slack}"
    );
}

#[test]
fn cut_keeps_chat_fields_within_their_limits() {
    assert_eq!(cut("abc", 3), "abc");
    assert_eq!(cut("abcdef", 4), "abc…");
    assert_eq!(cut(&"ä".repeat(300), 256).chars().count(), 256);
}
