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
    let mut w = Walk {
        start: 0,
        end: lines.len(),
        col: 0,
        found: (0, 0),
        flow: None,
        lines,
    };
    for (depth, seg) in path.iter().enumerate() {
        let step = match (w.flow, seg) {
            (Some(flow), _) => w.flow_item(flow, seg, depth + 1 == path.len()),
            (None, Seg::Key(k)) => w.block_key(k),
            (None, Seg::Index(n)) => w.block_item(*n),
        };
        if let Step::Stop(located) = step {
            return located;
        }
    }
    w.done()
}

/// The walk down a key path: the block still searched and the deepest spot found.
struct Walk<'a> {
    lines: Vec<&'a str>,
    // A block: lines [start, end); its content starts at column `col` (on the first
    // line possibly after a `- `).
    start: usize,
    end: usize,
    col: usize,
    /// (line, column) of the deepest part of the path found so far.
    found: (usize, usize),
    /// Inside a flow collection: (line, byte offset of its `[` or `{`).
    flow: Option<(usize, usize)>,
}

/// After one segment of the path: go on with the next, or the answer.
enum Step {
    Deeper,
    Stop(Located),
}

impl<'a> Walk<'a> {
    fn done(&self) -> Located {
        Located {
            line: self.found.0,
            col: self.found.1,
            len: None,
        }
    }

    fn stop(&self) -> Step {
        Step::Stop(self.done())
    }

    /// Line `i` of the block from its content column on.
    fn content(&self, i: usize) -> &'a str {
        let l = self.lines[i];
        if i == self.start {
            l.get(self.col..).unwrap_or("")
        } else {
            l.get(indent(l)..).unwrap_or("")
        }
    }

    fn at_col(&self, i: usize) -> bool {
        i == self.start || indent(self.lines[i]) == self.col
    }

    fn is_item(&self, j: usize) -> bool {
        let l = self.lines[j];
        l.get(indent(l)..).is_some_and(|c| c.starts_with('-'))
    }

    /// `seg` as an item of the flow collection opened at (`fl`, `open`).
    fn flow_item(&mut self, (fl, open): (usize, usize), seg: &Seg, last: bool) -> Step {
        let line = self.lines[fl];
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
            return self.stop();
        };
        self.found = (fl, line[..a].chars().count());
        let item = &line[a..b];
        let value_at = match seg {
            Seg::Key(_) => item.find(':').map(|c| {
                let v = &item[c + 1..];
                a + c + 1 + (v.len() - v.trim_start().len())
            }),
            Seg::Index(_) => Some(a),
        };
        self.flow = value_at
            .filter(|&v| matches!(line.as_bytes().get(v), Some(b'[' | b'{')))
            .map(|v| (fl, v));
        // The end of the path, or a scalar with more of the path left (which
        // then does not exist): this item is as deep as it goes.
        if last || self.flow.is_none() {
            return Step::Stop(Located {
                line: fl,
                col: self.found.1,
                len: Some(item.chars().count().max(1)),
            });
        }
        Step::Deeper
    }

    /// Key `k` of the block mapping; the block becomes its value.
    fn block_key(&mut self, k: &str) -> Step {
        let hit = (self.start..self.end).find(|&i| {
            if blank(self.lines[i]) || !self.at_col(i) {
                return false;
            }
            let c = self.content(i).trim_start_matches(['"', '\'']);
            c.strip_prefix(k)
                .is_some_and(|r| r.trim_start_matches(['"', '\'']).starts_with(':'))
        });
        let Some(i) = hit else { return self.stop() };
        let key_col = if i == self.start {
            self.col
        } else {
            indent(self.lines[i])
        };
        self.found = (i, key_col);
        let value = self.content(i).split_once(':').map_or("", |(_, r)| r);
        let after = value.trim();
        if after.starts_with(['[', '{']) {
            // A flow value: its items are on this line.
            self.flow = Some((i, self.lines[i].len() - value.trim_start().len()));
            return Step::Deeper;
        }
        if !after.is_empty()
            && !after.starts_with('#')
            && !after.starts_with('|')
            && !after.starts_with('>')
        {
            // inline value: nothing deeper to find on other lines
            (self.start, self.end, self.col) = (i, i + 1, key_col);
            return Step::Deeper;
        }
        self.key_children(i, key_col)
    }

    /// The indented (or `- ` list) lines under the key on line `i`.
    fn key_children(&mut self, i: usize, key_col: usize) -> Step {
        let lines = &self.lines;
        let Some(first) = (i + 1..self.end).find(|&j| !blank(lines[j])) else {
            return self.stop();
        };
        let child_col = indent(lines[first]);
        if child_col < key_col || (child_col == key_col && !self.is_item(first)) {
            return self.stop();
        }
        let child_end = (first + 1..self.end)
            .find(|&j| {
                !blank(lines[j])
                    && (indent(lines[j]) < child_col
                        || (indent(lines[j]) == key_col
                            && child_col == key_col
                            && !self.is_item(j)))
            })
            .unwrap_or(self.end);
        (self.start, self.end, self.col) = (first, child_end, child_col);
        Step::Deeper
    }

    /// Item `n` of the block list; the block becomes that item.
    fn block_item(&mut self, n: usize) -> Step {
        let items: Vec<usize> = (self.start..self.end)
            .filter(|&i| {
                !blank(self.lines[i]) && self.at_col(i) && self.content(i).starts_with('-')
            })
            .collect();
        let Some(&i) = items.get(n) else {
            return self.stop();
        };
        let item_col = if i == self.start {
            self.col
        } else {
            indent(self.lines[i])
        };
        let rest = &self.content(i)[1..];
        let after_dash = rest.len() - rest.trim_start().len();
        let next = items.get(n + 1).copied().unwrap_or(self.end);
        (self.start, self.end, self.col) = (i, next, item_col + 1 + after_dash);
        self.found = (i, self.col);
        if self.lines[i]
            .as_bytes()
            .get(self.col)
            .is_some_and(|b| matches!(b, b'[' | b'{'))
        {
            self.flow = Some((i, self.col));
        }
        Step::Deeper
    }
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
