//! Key paths (`related[2].id`) in, 1-based line and column inside the front
//! matter text out. YAML values carry no positions once parsed, so diagnostics
//! about a value find its line again by reading block-style indentation.
//! Flow style (`[a, b]`) resolves to the line of its key.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Where a key path sits: 0-based line and column (in characters), and for an
/// item of a flow collection (`[a, b]`, `{k: v}`) its length, since the rest of
/// the line is not all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Located {
    pub line: usize,
    pub col: usize,
    pub len: Option<usize>,
}

/// (line index, column) of `path` in `fm`, 0-based; the deepest part of the path
/// that could be found.
pub(crate) fn locate(fm: &str, path: &[Seg]) -> (usize, usize) {
    let l = locate_span(fm, path);
    (l.line, l.col)
}

/// As [`locate`], with the span of a flow item.
pub(crate) fn locate_span(fm: &str, path: &[Seg]) -> Located {
    let lines: Vec<&str> = fm.lines().collect();
    // A block: lines [start, end); its content starts at column `col` (on the first
    // line possibly after a `- `).
    let (mut start, mut end, mut col) = (0usize, lines.len(), 0usize);
    let mut found = (0usize, 0usize);
    // Inside a flow collection: (line, byte offset of its `[` or `{`).
    let mut flow: Option<(usize, usize)> = None;
    let done = |found: (usize, usize)| Located {
        line: found.0,
        col: found.1,
        len: None,
    };
    for (depth, seg) in path.iter().enumerate() {
        if let Some((fl, open)) = flow {
            let line = lines[fl];
            let items = flow_items(line, open);
            let hit = match seg {
                Seg::Index(n) if line.as_bytes()[open] == b'[' => items.get(*n).copied(),
                Seg::Key(k) if line.as_bytes()[open] == b'{' => items
                    .iter()
                    .copied()
                    .find(|&(a, b)| flow_key(&line[a..b]) == Some(k.as_str())),
                _ => None,
            };
            let Some((a, b)) = hit else {
                return done(found);
            };
            found = (fl, line[..a].chars().count());
            let item = &line[a..b];
            let value_at = match seg {
                Seg::Key(_) => item.find(':').map(|c| {
                    let v = &item[c + 1..];
                    a + c + 1 + (v.len() - v.trim_start().len())
                }),
                Seg::Index(_) => Some(a),
            };
            flow = value_at
                .filter(|&v| matches!(line.as_bytes().get(v), Some(b'[' | b'{')))
                .map(|v| (fl, v));
            // The end of the path, or a scalar with more of the path left (which
            // then does not exist): this item is as deep as it goes.
            if depth + 1 == path.len() || flow.is_none() {
                return Located {
                    line: fl,
                    col: found.1,
                    len: Some(item.chars().count().max(1)),
                };
            }
            continue;
        }
        let content = |i: usize| -> &str {
            let l = lines[i];
            if i == start {
                l.get(col..).unwrap_or("")
            } else {
                l.get(indent(l)..).unwrap_or("")
            }
        };
        let at_col = |i: usize| i == start || indent(lines[i]) == col;
        match seg {
            Seg::Key(k) => {
                let hit = (start..end).find(|&i| {
                    if blank(lines[i]) || !at_col(i) {
                        return false;
                    }
                    let c = content(i);
                    let c = c.trim_start_matches(['"', '\'']);
                    c.strip_prefix(k.as_str())
                        .is_some_and(|r| r.trim_start_matches(['"', '\'']).starts_with(':'))
                });
                let Some(i) = hit else { return done(found) };
                let key_col = if i == start { col } else { indent(lines[i]) };
                found = (i, key_col);
                let after = content(i).split_once(':').map_or("", |(_, r)| r).trim();
                if after.starts_with(['[', '{']) {
                    // A flow value: its items are on this line.
                    let open = lines[i].len()
                        - content(i)
                            .split_once(':')
                            .map_or("", |(_, r)| r)
                            .trim_start()
                            .len();
                    flow = Some((i, open));
                    continue;
                }
                if !after.is_empty()
                    && !after.starts_with('#')
                    && !after.starts_with('|')
                    && !after.starts_with('>')
                {
                    // inline value: nothing deeper to find on other lines
                    start = i;
                    end = i + 1;
                    col = key_col;
                    continue;
                }
                let child_start = i + 1;
                let Some(first) = (child_start..end).find(|&j| !blank(lines[j])) else {
                    return done(found);
                };
                let child_col = indent(lines[first]);
                let is_item = |j: usize| {
                    lines[j]
                        .get(indent(lines[j])..)
                        .is_some_and(|c| c.starts_with('-'))
                };
                if child_col < key_col || (child_col == key_col && !is_item(first)) {
                    return done(found);
                }
                let child_end = (first + 1..end)
                    .find(|&j| {
                        !blank(lines[j])
                            && (indent(lines[j]) < child_col
                                || (indent(lines[j]) == key_col
                                    && child_col == key_col
                                    && !is_item(j)))
                    })
                    .unwrap_or(end);
                (start, end, col) = (first, child_end, child_col);
            }
            Seg::Index(n) => {
                let items: Vec<usize> = (start..end)
                    .filter(|&i| !blank(lines[i]) && at_col(i) && content(i).starts_with('-'))
                    .collect();
                let Some(&i) = items.get(*n) else {
                    return done(found);
                };
                let item_col = if i == start { col } else { indent(lines[i]) };
                let after_dash = content(i)[1..].len() - content(i)[1..].trim_start().len();
                let next = items.get(n + 1).copied().unwrap_or(end);
                (start, end, col) = (i, next, item_col + 1 + after_dash);
                found = (i, col);
                if lines[i]
                    .as_bytes()
                    .get(col)
                    .is_some_and(|b| matches!(b, b'[' | b'{'))
                {
                    flow = Some((i, col));
                }
            }
        }
    }
    done(found)
}

/// Byte ranges (trimmed) of the top-level items of the flow collection whose
/// `[` or `{` is at byte `open` of `line`. An unclosed collection runs to the end
/// of the line.
fn flow_items(line: &str, open: usize) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut push = |a: usize, b: usize| {
        let part = &line[a..b];
        let lead = part.len() - part.trim_start().len();
        let text = part.trim();
        if !text.is_empty() {
            items.push((a + lead, a + lead + text.len()));
        }
    };
    let (mut depth, mut quote, mut start) = (0usize, None::<u8>, open + 1);
    for (i, b) in line.bytes().enumerate().skip(open) {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            continue;
        }
        match b {
            b'"' | b'\'' => quote = Some(b),
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    push(start, i);
                    return items;
                }
            }
            b',' if depth == 1 => {
                push(start, i);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(start.min(line.len()), line.len());
    items
}

/// The key of a `key: value` item of a flow map, without quotes.
fn flow_key(item: &str) -> Option<&str> {
    let (k, _) = item.split_once(':')?;
    Some(k.trim().trim_matches(['"', '\'']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "id: X\nregions:\n  - A\n  - B\nrelated:\n  - id: EX1\n    note: n\n  - title: T\n    url: u\ntags: [a, b]\ntimeline:\n- at: t\n  text: |\n    long\n- at: u\nextra:\n  deep:\n    key: 1\n";

    #[test]
    fn finds_keys_items_and_nested_keys() {
        assert_eq!(locate(FM, &[Seg::Key("id".into())]), (0, 0));
        assert_eq!(
            locate(FM, &[Seg::Key("regions".into()), Seg::Index(1)]),
            (3, 4)
        );
        assert_eq!(
            locate(
                FM,
                &[
                    Seg::Key("related".into()),
                    Seg::Index(1),
                    Seg::Key("url".into())
                ]
            ),
            (8, 4)
        );
        assert_eq!(
            locate(
                FM,
                &[
                    Seg::Key("related".into()),
                    Seg::Index(0),
                    Seg::Key("id".into())
                ]
            ),
            (5, 4)
        );
        assert_eq!(
            locate(FM, &[Seg::Key("tags".into()), Seg::Index(1)]),
            (9, 10)
        );
        assert_eq!(
            locate(
                FM,
                &[
                    Seg::Key("timeline".into()),
                    Seg::Index(1),
                    Seg::Key("at".into())
                ]
            ),
            (14, 2)
        );
        assert_eq!(
            locate(
                FM,
                &[
                    Seg::Key("extra".into()),
                    Seg::Key("deep".into()),
                    Seg::Key("key".into())
                ]
            ),
            (17, 4)
        );
        assert_eq!(locate(FM, &[Seg::Key("missing".into())]), (0, 0));
    }

    #[test]
    fn finds_items_and_keys_of_flow_collections_with_their_length() {
        let fm = "incidents: [TM200, TM2000]\nwindow: {start: a, end: \"b, c\"}\nrelated:\n  - {id: X1, note: n}\n";
        let k = |s: &str| Seg::Key(s.into());
        assert_eq!(
            locate_span(fm, &[k("incidents"), Seg::Index(1)]),
            Located {
                line: 0,
                col: 19,
                len: Some(6)
            }
        );
        assert_eq!(
            locate_span(fm, &[k("window"), k("end")]),
            Located {
                line: 1,
                col: 19,
                len: Some(11)
            }
        );
        assert_eq!(
            locate_span(fm, &[k("related"), Seg::Index(0), k("note")]),
            Located {
                line: 3,
                col: 13,
                len: Some(7)
            }
        );
        // A scalar item has no keys: the item, not some other `id:` line.
        assert_eq!(
            locate_span(
                "id: A\nrelated: [EX9]\n",
                &[k("related"), Seg::Index(0), k("id")]
            ),
            Located {
                line: 1,
                col: 10,
                len: Some(3)
            }
        );
        // Out of range: the key itself.
        assert_eq!(locate(fm, &[k("incidents"), Seg::Index(5)]), (0, 0));
        // Unclosed: items run to the end of the line.
        assert_eq!(
            locate("tags: [a, b\n", &[k("tags"), Seg::Index(1)]),
            (0, 10)
        );
    }
}
