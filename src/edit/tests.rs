use super::*;

fn ny(s: &str) -> jiff::ZonedDateTime {
    let t: jiff::Timestamp = s.parse().unwrap();
    t.to_zoned_datetime(jiff::tz::TimeZone::get("America/New_York").unwrap())
}

fn edit(text: &str, f: impl FnOnce(&mut FrontMatterEdit)) -> String {
    let mut e = FrontMatterEdit::new("x.md", text).unwrap();
    f(&mut e);
    e.finish()
}

#[test]
fn set_keeps_comment_and_quotes() {
    let t = "---\nid: X\nstatus: investigating  # changes a lot\ntitle: 'T'\n---\nbody\n";
    let out = edit(t, |e| {
        e.set("status", Status::Monitoring.into());
        e.set("title", Scalar::Text("It's new".into()));
    });
    assert_eq!(
        out,
        "---\nid: X\nstatus: monitoring  # changes a lot\ntitle: 'It''s new'\n---\nbody\n"
    );
}

#[test]
fn set_adds_missing_key_and_remove_drops_lines() {
    let t =
        "---\r\nid: X\r\nnext_update: 2026-06-03T10:00:00Z\r\n# keep\r\ntags:\r\n  - a\r\n---\r\n";
    let out = edit(t, |e| {
        e.remove("next_update");
        e.set("resolved", Scalar::Time(ny("2026-06-03T20:05:00Z")));
        e.remove("tags");
    });
    assert_eq!(
        out,
        "---\r\nid: X\r\n# keep\r\nresolved: 2026-06-03T16:05:00-04:00[America/New_York]\r\n---\r\n"
    );
}

#[test]
fn appends_to_block_timeline_after_comments_inside() {
    let t = "---\nid: X\ntimeline:\n  - at: 2026-06-03T10:00:00Z\n    text: |\n      # not a comment\n  # a comment in the list\n# a comment after\ntags: [a]\n---\n";
    let out = edit(t, |e| {
        e.append_timeline(
            &ny("2026-06-03T20:05:00Z"),
            Some(Status::Identified),
            "Two\nlines",
        )
        .unwrap()
    });
    assert_eq!(
        out,
        "---\nid: X\ntimeline:\n  - at: 2026-06-03T10:00:00Z\n    text: |\n      # not a comment\n  - at: 2026-06-03T16:05:00-04:00[America/New_York]\n    status: identified\n    text: |-\n      Two\n      lines\n  # a comment in the list\n# a comment after\ntags: [a]\n---\n"
    );
}

#[test]
fn appends_to_flow_timelines_and_creates_one() {
    let at = ny("2026-06-03T20:05:00Z");
    let t = "---\ntimeline: [{at: 2026-06-03T10:00:00Z, text: a}] # c\n---\n";
    let out = edit(t, |e| e.append_timeline(&at, None, "b, c").unwrap());
    assert_eq!(
        out,
        "---\ntimeline: [{at: 2026-06-03T10:00:00Z, text: a}, {at: \"2026-06-03T16:05:00-04:00[America/New_York]\", text: \"b, c\"}] # c\n---\n"
    );
    let t = "---\ntimeline: []\n---\n";
    let out = edit(t, |e| e.append_timeline(&at, None, "b").unwrap());
    assert!(out.starts_with("---\ntimeline: [{at: \""), "{out}");
    let t = "---\nid: X\nregions:\n- A\n---\n";
    let out = edit(t, |e| e.append_timeline(&at, None, "b").unwrap());
    assert_eq!(
        out,
        "---\nid: X\nregions:\n- A\ntimeline:\n- at: 2026-06-03T16:05:00-04:00[America/New_York]\n  text: b\n---\n"
    );
    let t = "---\ntimeline: 3\n---\n";
    let mut e = FrontMatterEdit::new("x.md", t).unwrap();
    assert!(e.append_timeline(&at, None, "b").is_err());
}

#[test]
fn set_list_keeps_block_style() {
    let t = "---\nservices:\n  - Exchange Online\nregions: [A]\n---\n";
    let out = edit(t, |e| {
        e.set_list("services", &["Teams".into(), "Mail: flow".into()]);
        e.set_list("regions", &["B".into()]);
    });
    assert_eq!(
        out,
        "---\nservices:\n  - Teams\n  - \"Mail: flow\"\nregions: [B]\n---\n"
    );
}
