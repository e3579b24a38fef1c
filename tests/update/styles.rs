//! The file is sacred: an update changes only the lines it must and adds its
//! entry, in files written in many YAML styles.

use super::*;

fn update(file: &str, text: &str, args: &[&str]) -> String {
    let s = site(&[(file, text)]);
    let mut all = vec!["update"];
    all.extend_from_slice(args);
    let o = sitrep(s.path(), T1120, &all);
    assert!(o.status.success(), "{}", stderr(&o));
    read(s.path(), file)
}

#[test]
fn block_timeline_with_comments_and_quotes() {
    let before = r#"---
# Written by hand
id: "ST1"
title: 'Mail: delayed'   # quoted title
services: [Exchange Online, "Microsoft Teams"]
status: "investigating"  # moves with every update
started: 2026-06-03T10:00:00-04:00

# the timeline, oldest first
timeline:
  - at: 2026-06-03T10:05:00-04:00
    status: investigating
    # a comment inside an entry
    text: >-
      We are looking
      into it.
  # a comment after the last entry
tags:
  - mail
---

The body, with a line that is only dashes:

---
"#;
    let after = update(
        "content/incidents/ST1.md",
        before,
        &[
            "st1",
            "--status",
            "monitoring",
            "--message",
            "Queues are draining.",
        ],
    );
    let expected = before
        .replace(
            "status: \"investigating\"  # moves",
            "status: \"monitoring\"  # moves",
        )
        .replace(
            "      into it.\n",
            &format!("      into it.\n  - at: {AT1120}\n    status: monitoring\n    text: Queues are draining.\n"),
        );
    assert_lines(&after, &expected);
}

#[test]
fn crlf_file_without_a_timeline_and_lists_at_column_zero() {
    let before = "---\r\nid: ST2\r\ntitle: Teams down\r\nservices:\r\n- Microsoft Teams\r\nstatus: identified\r\nstarted: 2026-06-03T10:00:00-04:00\r\nnext_update: 2026-06-03T11:00:00-04:00 # promised\r\n---\r\nBody.\r\n";
    let after = update(
        "content/incidents/ST2.md",
        before,
        &[
            "ST2",
            "--message",
            "Line one.\n\nLine two: more.",
            "--next-update",
            "1h30m",
        ],
    );
    let expected = format!(
        "---\r\nid: ST2\r\ntitle: Teams down\r\nservices:\r\n- Microsoft Teams\r\nstatus: identified\r\nstarted: 2026-06-03T10:00:00-04:00\r\nnext_update: 2026-06-03T12:50:00-04:00[America/New_York] # promised\r\ntimeline:\r\n- at: {AT1120}\r\n  text: |-\r\n    Line one.\r\n\r\n    Line two: more.\r\n---\r\nBody.\r\n"
    );
    assert_lines(&after, &expected);
    let fm = front_matter(&after);
    assert_eq!(fm["timeline"][0]["text"], "Line one.\n\nLine two: more.");
}

#[test]
fn flow_timeline_on_one_line() {
    let before = "---\nid: ST3\ntitle: Flow\nservices: Exchange Online\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\ntimeline: [{at: 2026-06-03T10:05:00-04:00, status: investigating, text: \"Looking.\"}]  # flow\n---\nBody.\n";
    let after = update(
        "content/incidents/ST3.md",
        before,
        &[
            "ST3",
            "--status",
            "resolved",
            "--message",
            "Fixed: all good, thanks.",
        ],
    );
    let expected = format!(
        "---\nid: ST3\ntitle: Flow\nservices: Exchange Online\nstatus: resolved\nstarted: 2026-06-03T10:00:00-04:00\ntimeline: [{{at: 2026-06-03T10:05:00-04:00, status: investigating, text: \"Looking.\"}}, {{at: \"{AT1120}\", status: resolved, text: \"Fixed: all good, thanks.\"}}]  # flow\nresolved: {AT1120}\n---\nBody.\n"
    );
    assert_lines(&after, &expected);
}

#[test]
fn flow_timeline_over_lines_and_flow_items_in_a_block_list() {
    let before = "---\nid: ST4\ntitle: Flow\nservices: [A]\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\ntimeline: [\n  {at: 2026-06-03T10:05:00-04:00, text: Looking.},\n  {at: 2026-06-03T10:35:00-04:00, text: 'Still looking.'}\n]\n---\n";
    let after = update(
        "content/incidents/ST4.md",
        before,
        &["ST4", "--message", "Found it."],
    );
    let expected = format!(
        "---\nid: ST4\ntitle: Flow\nservices: [A]\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\ntimeline: [\n  {{at: 2026-06-03T10:05:00-04:00, text: Looking.}},\n  {{at: 2026-06-03T10:35:00-04:00, text: 'Still looking.'}},\n  {{at: \"{AT1120}\", text: Found it.}}\n]\n---\n"
    );
    assert_lines(&after, &expected);

    let before = "---\nid: ST5\ntitle: Items\nservices: [A]\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\ntimeline:\n    - {at: 2026-06-03T10:05:00-04:00, text: Looking.}\nextra: {k: v}\n---\n";
    let after = update(
        "content/incidents/ST5.md",
        before,
        &["ST5", "--message", "a, b"],
    );
    let expected = format!(
        "---\nid: ST5\ntitle: Items\nservices: [A]\nstatus: investigating\nstarted: 2026-06-03T10:00:00-04:00\ntimeline:\n    - {{at: 2026-06-03T10:05:00-04:00, text: Looking.}}\n    - {{at: \"{AT1120}\", text: \"a, b\"}}\nextra: {{k: v}}\n---\n"
    );
    assert_lines(&after, &expected);
}
