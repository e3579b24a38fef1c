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

/// (line index, column) of `path` in `fm`, 0-based; the deepest part of the path
/// that could be found.
pub(crate) fn locate(fm: &str, path: &[Seg]) -> (usize, usize) {
    let lines: Vec<&str> = fm.lines().collect();
    // A block: lines [start, end); its content starts at column `col` (on the first
    // line possibly after a `- `).
    let (mut start, mut end, mut col) = (0usize, lines.len(), 0usize);
    let mut found = (0usize, 0usize);
    for seg in path {
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
                let Some(i) = hit else { return found };
                let key_col = if i == start { col } else { indent(lines[i]) };
                found = (i, key_col);
                let after = content(i).split_once(':').map_or("", |(_, r)| r).trim();
                if !after.is_empty()
                    && !after.starts_with('#')
                    && !after.starts_with('|')
                    && !after.starts_with('>')
                {
                    // inline or flow value: nothing deeper to find on other lines
                    start = i;
                    end = i + 1;
                    col = key_col;
                    continue;
                }
                let child_start = i + 1;
                let Some(first) = (child_start..end).find(|&j| !blank(lines[j])) else {
                    return found;
                };
                let child_col = indent(lines[first]);
                let is_item = |j: usize| {
                    lines[j]
                        .get(indent(lines[j])..)
                        .is_some_and(|c| c.starts_with('-'))
                };
                if child_col < key_col || (child_col == key_col && !is_item(first)) {
                    return found;
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
                    return found;
                };
                let item_col = if i == start { col } else { indent(lines[i]) };
                let after_dash = content(i)[1..].len() - content(i)[1..].trim_start().len();
                let next = items.get(n + 1).copied().unwrap_or(end);
                (start, end, col) = (i, next, item_col + 1 + after_dash);
                found = (i, col);
            }
        }
    }
    found
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
            (9, 0)
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
}
