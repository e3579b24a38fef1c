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

/// Random update sequences on incidents written in random styles: the file
/// parses to the model with the same changes applied, and every line the
/// edits did not touch is still there, byte for byte, in order.
mod property {
    use super::*;
    use crate::diag::SourceText;
    use crate::frontmatter::{DocKind, parse};
    use crate::model::Document;
    use proptest::prelude::*;
    use std::sync::Arc;

    #[derive(Debug, Clone, Copy)]
    enum Timeline {
        Absent,
        Block,
        Flow,
        FlowItems,
    }

    #[derive(Debug, Clone)]
    struct Style {
        crlf: bool,
        pad: usize,
        timeline: Timeline,
        quote: usize,
        comments: bool,
        next_update: bool,
        entries: usize,
    }

    #[derive(Debug, Clone)]
    struct Op {
        minutes: i64,
        status: Option<Status>,
        text: &'static str,
        next: Option<i64>,
    }

    const TEXTS: &[&str] = &[
        "Queues are draining.",
        "Cause: a bad config push",
        "a, b and [c]",
        "it's #1 on our list",
        "yes",
        "Two lines\nof text.",
        "  leading space",
        "ends with a break\n",
        "quote \" and backslash \\",
        "tab\there",
    ];

    fn style() -> impl Strategy<Value = Style> {
        (
            any::<bool>(),
            prop::sample::select(vec![0usize, 2, 4]),
            prop::sample::select(vec![
                Timeline::Absent,
                Timeline::Block,
                Timeline::Flow,
                Timeline::FlowItems,
            ]),
            0usize..3,
            any::<bool>(),
            any::<bool>(),
            1usize..3,
        )
            .prop_map(
                |(crlf, pad, timeline, quote, comments, next_update, entries)| Style {
                    crlf,
                    pad,
                    timeline,
                    quote,
                    comments,
                    next_update,
                    entries,
                },
            )
    }

    fn op() -> impl Strategy<Value = Op> {
        (
            0i64..90,
            prop::option::of(prop::sample::select(vec![
                Status::Investigating,
                Status::Identified,
                Status::Monitoring,
            ])),
            prop::sample::select(TEXTS.to_vec()),
            prop::option::of(1i64..600),
        )
            .prop_map(|(minutes, status, text, next)| Op {
                minutes,
                status,
                text,
                next,
            })
    }

    fn at(minute: i64) -> jiff::ZonedDateTime {
        ny("2026-06-03T14:00:00Z")
            .timestamp()
            .checked_add(jiff::SignedDuration::from_mins(minute))
            .unwrap()
            .to_zoned_datetime(jiff::tz::TimeZone::get("America/New_York").unwrap())
    }

    /// The incident file: initial entries at minutes 5, 15, ….
    fn render(s: &Style) -> String {
        let p = " ".repeat(s.pad);
        let q = ["investigating", "\"investigating\"", "'investigating'"][s.quote];
        let mut l: Vec<String> = vec!["---".into()];
        if s.comments {
            l.push("# written by hand".into());
        }
        l.extend([
            "id: P1".into(),
            "title: 'Prop: test'".into(),
            "services:".into(),
            format!("{p}- Exchange Online"),
            format!("status: {q}{}", if s.comments { "  # moves" } else { "" }),
            "started: 2026-06-03T10:00:00-04:00".into(),
        ]);
        if s.next_update {
            l.push("next_update: 2026-06-03T10:30:00-04:00".into());
        }
        if s.comments {
            l.extend(["".into(), "# the timeline".into()]);
        }
        let at = |i: usize| format!("2026-06-03T10:{:02}:00-04:00", 5 + 10 * i);
        match s.timeline {
            Timeline::Absent => {}
            Timeline::Block => {
                l.push("timeline:".into());
                for i in 0..s.entries {
                    l.push(format!("{p}- at: {}", at(i)));
                    if s.comments {
                        l.push(format!("{p}  # entry {i}"));
                    }
                    l.push(format!("{p}  text: \"Looking {i}.\""));
                }
            }
            Timeline::Flow => {
                let items: Vec<String> = (0..s.entries)
                    .map(|i| format!("{{at: {}, text: Looking {i}.}}", at(i)))
                    .collect();
                l.push(format!("timeline: [{}]", items.join(", ")));
            }
            Timeline::FlowItems => {
                l.push("timeline:".into());
                for i in 0..s.entries {
                    l.push(format!("{p}- {{at: {}, text: 'Looking {i}.'}}", at(i)));
                }
            }
        }
        if s.comments {
            l.push("# after".into());
        }
        l.extend(["tags: [a]".into(), "---".into(), "".into()]);
        l.extend([
            "Body.".into(),
            "".into(),
            "--- not a fence".into(),
            "".into(),
        ]);
        l.join(if s.crlf { "\r\n" } else { "\n" })
    }

    fn incident(text: &str) -> crate::model::Incident {
        let src = Arc::new(SourceText::new("content/incidents/P1.md", text.into()));
        match parse(DocKind::Incident, src, "incidents/P1.md") {
            Ok(Document::Incident(i)) => *i,
            other => panic!("{other:?}\n{text}"),
        }
    }

    /// Keys whose lines an op may change in place.
    fn touched(line: &str, s: &Style) -> bool {
        ["status:", "next_update:", "resolved:"]
            .iter()
            .any(|k| line.starts_with(k))
            || (matches!(s.timeline, Timeline::Flow) && line.starts_with("timeline:"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn edits_match_the_model_and_keep_other_lines(
            s in style(),
            ops in prop::collection::vec(op(), 1..5),
            resolve in any::<bool>(),
        ) {
            let before = render(&s);
            let mut model = incident(&before);
            let mut text = before.clone();
            let mut minute = 60;
            let n = ops.len();
            for (k, o) in ops.into_iter().enumerate() {
                minute += o.minutes;
                let when = at(minute);
                let status = if resolve && k + 1 == n { Some(Status::Resolved) } else { o.status };
                let mut e = FrontMatterEdit::new("content/incidents/P1.md", &text).unwrap();
                if let Some(st) = status {
                    e.set("status", st.into());
                    model.status = st;
                }
                let stamp = crate::time::Timestamp::Instant(when.timestamp());
                if status == Some(Status::Resolved) {
                    e.set("resolved", Scalar::Time(when.clone()));
                    e.remove("next_update");
                    model.resolved = Some(stamp);
                    model.next_update = None;
                } else if let Some(m) = o.next {
                    let next = at(minute + m);
                    e.set("next_update", Scalar::Time(next.clone()));
                    model.next_update = Some(crate::time::Timestamp::Instant(next.timestamp()));
                }
                e.append_timeline(&when, status, o.text).unwrap();
                model.timeline.push(crate::model::TimelineEntry {
                    at: stamp,
                    status,
                    text: o.text.to_string(),
                    internal: false,
                });
                text = e.finish();
            }
            let got = incident(&text);
            prop_assert_eq!(got.status, model.status);
            prop_assert_eq!(got.resolved, model.resolved);
            prop_assert_eq!(got.next_update, model.next_update);
            prop_assert_eq!(got.timeline.len(), model.timeline.len());
            for (g, m) in got.timeline.iter().zip(&model.timeline) {
                prop_assert_eq!(g.at, m.at);
                prop_assert_eq!(g.status, m.status);
                prop_assert_eq!(&g.text, &m.text);
            }
            prop_assert_eq!(got.body(), model.body());
            // Untouched lines: all there, in order, byte for byte.
            let after: Vec<&str> = text.split_inclusive('\n').collect();
            let mut rest = after.iter();
            for line in before.split_inclusive('\n').filter(|l| !touched(l, &s)) {
                prop_assert!(
                    rest.any(|a| *a == line),
                    "line {:?} is gone or moved:\n{}", line, text
                );
            }
            if s.crlf {
                prop_assert!(!text.replace("\r\n", "").contains('\n'), "a bare LF:\n{}", text);
            }
        }
    }
}
