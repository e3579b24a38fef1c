//! Build-time charts: numbers computed from the linked site in, a [`Chart`]
//! out — an inline SVG string (no script, no external library) plus the same
//! numbers as a data table the theme renders beside it. Colours come from CSS
//! classes (light and dark themes), and each severity or phase also has its own
//! fill pattern and a text label, so colour is never the only signal.
//!
//! All coordinates are formatted with fixed precision: the same input gives
//! byte-identical SVG.

mod phases;
mod stats;
mod strip;

pub(super) use phases::phase_bar;
pub(super) use stats::stats_page;
pub(super) use strip::service_strip;

use crate::escape::xml;
use crate::i18n::Strings;
use crate::model::Severity;
use std::fmt::Write as _;

/// A severity bucket of the charts: the four written severities and
/// "not rated" for an incident without `severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Bucket {
    Critical,
    Major,
    Minor,
    /// No severity given: ranked above an explicit `none`, whose impact is known to be nil.
    Unrated,
    None,
}

impl Bucket {
    /// Worst first: the order of stacks, legends and table columns.
    pub(super) const ALL: [Bucket; 5] = [
        Bucket::Critical,
        Bucket::Major,
        Bucket::Minor,
        Bucket::Unrated,
        Bucket::None,
    ];

    pub(super) fn of(s: Option<Severity>) -> Bucket {
        match s {
            Some(Severity::Critical) => Bucket::Critical,
            Some(Severity::Major) => Bucket::Major,
            Some(Severity::Minor) => Bucket::Minor,
            Some(Severity::None) => Bucket::None,
            None => Bucket::Unrated,
        }
    }

    /// The interface-string key of the bucket's label (legend, table).
    pub(super) fn key(self) -> &'static str {
        match self {
            Bucket::Critical => "severity.critical",
            Bucket::Major => "severity.major",
            Bucket::Minor => "severity.minor",
            Bucket::Unrated => "chart.unrated",
            Bucket::None => "severity.none",
        }
    }

    /// The key of the label inside a sentence (`2 major`).
    pub(super) fn in_text_key(self) -> &'static str {
        match self {
            Bucket::Critical => "chart.in_text_critical",
            Bucket::Major => "chart.in_text_major",
            Bucket::Minor => "chart.in_text_minor",
            Bucket::Unrated => "chart.in_text_unrated",
            Bucket::None => "chart.in_text_none",
        }
    }
}

/// The texture drawn over a fill colour, so neighbouring fills differ without colour.
#[derive(Debug, Clone, Copy)]
pub(super) enum Shape {
    Cross,
    Diagonal,
    Dots,
    Horizontal,
    Vertical,
    Solid,
}

/// One fill of a chart: CSS class (`sev-major`), pattern shape, and the
/// interface-string key of its legend label.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fill {
    pub class: &'static str,
    pub shape: Shape,
    pub label: &'static str,
}

pub(super) fn severity_fills() -> Vec<Fill> {
    Bucket::ALL.iter().map(|b| b.fill()).collect()
}

impl Bucket {
    pub(super) fn fill(self) -> Fill {
        Fill {
            class: match self {
                Bucket::Critical => "sev-critical",
                Bucket::Major => "sev-major",
                Bucket::Minor => "sev-minor",
                Bucket::Unrated => "sev-unrated",
                Bucket::None => "sev-none",
            },
            shape: match self {
                Bucket::Critical => Shape::Cross,
                Bucket::Major => Shape::Diagonal,
                Bucket::Minor => Shape::Dots,
                Bucket::Unrated => Shape::Horizontal,
                Bucket::None => Shape::Solid,
            },
            label: self.key(),
        }
    }
}

/// A number for SVG attributes: two decimals at most, no trailing zeros.
pub(super) fn num(v: f64) -> String {
    let mut s = String::with_capacity(8);
    push_num(&mut s, v);
    s
}

/// [`num`] appended to `out`. Rounds to hundredths in integers: `{:.2}` on a
/// float takes the exact (bignum) path and was most of a phase bar's cost.
fn push_num(out: &mut String, v: f64) {
    let hundredths = (v * 100.0).round();
    if !hundredths.is_finite() || hundredths.abs() >= 1e15 {
        // Not a chart coordinate; keep the general formatter.
        let _ = write!(out, "{v}");
        return;
    }
    let h = hundredths as i64;
    if h < 0 {
        out.push('-');
    }
    let (int, frac) = (h.unsigned_abs() / 100, h.unsigned_abs() % 100);
    let _ = write!(out, "{int}");
    match frac {
        0 => {}
        f if f % 10 == 0 => {
            let _ = write!(out, ".{}", f / 10);
        }
        f => {
            let _ = write!(out, ".{f:02}");
        }
    }
}

/// An SVG document under construction, opened with its accessible name and
/// description. Charts are inline in HTML pages, whose parser puts `<svg>` in
/// the SVG namespace, so no `xmlns` is written. `id` prefixes every id inside, so several charts share a page.
pub(super) struct Svg {
    pub id: String,
    out: String,
    /// The classes of the fills of [`Svg::patterns`], in order: a fill's
    /// pattern id is the chart's id and its position (`ph-0`), which is
    /// unique on the page and short (the phase bar is on every incident page).
    fills: Vec<&'static str>,
}

impl Svg {
    /// `linked`: the chart holds links. A picture is `role="img"`, but an
    /// image's children are presentational, so its links would be hidden; a
    /// chart with links keeps the SVG root's own role (graphics-document).
    pub(super) fn new(id: &str, (w, h): (f64, f64), linked: bool, title: &str, desc: &str) -> Svg {
        let mut out = String::with_capacity(4096);
        let role = if linked { "" } else { " role=\"img\"" };
        let _ = write!(
            out,
            "<svg class=\"chart-svg\" id=\"{id}\" viewBox=\"0 0 {} {}\"{role} aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            num(w),
            num(h),
            xml(title),
            xml(desc)
        );
        Svg {
            id: id.to_string(),
            out,
            fills: Vec::new(),
        }
    }

    /// The `<defs>` with one pattern per fill: a coloured ground (by class)
    /// and a texture on it.
    pub(super) fn patterns(&mut self, fills: &[Fill]) {
        self.out.push_str("<defs>");
        self.fills = fills.iter().map(|f| f.class).collect();
        for f in fills {
            let _ = write!(
                self.out,
                "<pattern id=\"{}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\"><rect class=\"{}\" width=\"6\" height=\"6\"/>",
                self.fill_id(f),
                f.class
            );
            let texture = match f.shape {
                Shape::Cross => "<path class=\"hatch\" d=\"M0 0L6 6M6 0L0 6\"/>",
                Shape::Diagonal => "<path class=\"hatch\" d=\"M-1 1L1 -1M0 6L6 0M5 7L7 5\"/>",
                Shape::Dots => "<circle class=\"dot\" cx=\"3\" cy=\"3\" r=\"1.2\"/>",
                Shape::Horizontal => "<path class=\"hatch\" d=\"M0 3H6\"/>",
                Shape::Vertical => "<path class=\"hatch\" d=\"M3 0V6\"/>",
                Shape::Solid => "",
            };
            self.out.push_str(texture);
            self.out.push_str("</pattern>");
        }
        self.out.push_str("</defs>");
    }

    fn fill_id(&self, f: &Fill) -> String {
        match self.fills.iter().position(|c| *c == f.class) {
            Some(n) => format!("{}-{n}", self.id),
            None => format!("{}-{}", self.id, f.class),
        }
    }

    /// A rectangle painted with a fill's pattern; `title` (if any) names it on hover.
    pub(super) fn bar(&mut self, f: &Fill, rect: (f64, f64, f64, f64), title: Option<&str>) {
        self.rect("bar", f, rect, title);
    }

    fn rect(
        &mut self,
        kind: &str,
        f: &Fill,
        (x, y, w, h): (f64, f64, f64, f64),
        title: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            "<rect class=\"{kind} {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#{})\"",
            f.class,
            num(x),
            num(y),
            num(w),
            num(h),
            self.fill_id(f)
        );
        match title {
            Some(t) => {
                let _ = write!(self.out, "><title>{}</title></rect>", xml(t));
            }
            None => self.out.push_str("/>"),
        }
    }

    /// Text at (x, y); `anchor` is `start`, `middle` or `end` (`start`, SVG's
    /// default, is not written).
    pub(super) fn text(&mut self, class: &str, (x, y): (f64, f64), anchor: &str, text: &str) {
        let _ = write!(
            self.out,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\"",
            num(x),
            num(y)
        );
        if anchor != "start" {
            let _ = write!(self.out, " text-anchor=\"{anchor}\"");
        }
        let _ = write!(self.out, ">{}</text>", xml(text));
    }

    pub(super) fn line(&mut self, class: &str, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
        let _ = write!(
            self.out,
            "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// Raw markup the caller has already escaped (groups, links).
    pub(super) fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// A legend row of swatches and labels starting at (x, y).
    pub(super) fn legend(
        &mut self,
        strings: &Strings,
        fills: &[Fill],
        (x, y): (f64, f64),
        step: f64,
    ) {
        for (n, f) in fills.iter().enumerate() {
            let x = x + step * n as f64;
            self.rect("swatch", f, (x, y - 9.0, 10.0, 10.0), None);
            self.text("legend", (x + 14.0, y), "start", strings.get(f.label));
        }
    }

    pub(super) fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// A data-table cell: text, optionally right-aligned (numbers) or links.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Cell {
    text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    num: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<CellLink>,
}

#[derive(Debug, serde::Serialize)]
pub(super) struct CellLink {
    text: String,
    url: String,
}

pub(super) fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        num: false,
        links: Vec::new(),
    }
}

pub(super) fn num_cell(n: impl std::fmt::Display) -> Cell {
    Cell {
        text: n.to_string(),
        num: true,
        links: Vec::new(),
    }
}

pub(super) fn links_cell(links: Vec<(String, String)>) -> Cell {
    let links = links
        .into_iter()
        .map(|(text, url)| CellLink { text, url })
        .collect();
    Cell {
        text: String::new(),
        num: false,
        links,
    }
}

/// **chart**: an SVG and the same figures as a table (docs/templates.md,
/// "Charts").
#[derive(Debug, serde::Serialize)]
pub(crate) struct Chart {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub desc: String,
    pub svg: String,
    pub table: Table,
    /// The 90-day strip: how many days it shows, for its heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<usize>,
}

#[derive(Debug, serde::Serialize)]
pub(crate) struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

/// The template value of one chart.
pub(super) fn chart(
    strings: &Strings,
    kind: &str,
    svg: Svg,
    (title, desc): (&str, &str),
    table: (String, Vec<&str>, Vec<Vec<Cell>>),
) -> Chart {
    let id = svg.id.clone();
    let (caption, head, rows) = table;
    Chart {
        id,
        kind: kind.to_string(),
        title: title.to_string(),
        desc: desc.to_string(),
        svg: svg.finish(),
        table: Table {
            caption,
            head: head.into_iter().map(str::to_string).collect(),
            rows,
            empty: strings.get("chart.no_data").to_string(),
        },
        days: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(-2.5), "-2.5");
        assert_eq!(num(552.5555), "552.56");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(719.999), "720");
    }

    #[test]
    fn numbers_round_to_hundredths() {
        // Over a dense range: the nearest hundredth (ties may go either way
        // after the multiplication), in the shortest form.
        for i in -200_000..200_000 {
            let v = i as f64 * 0.00731;
            let s = num(v);
            let back: f64 = s.parse().unwrap();
            assert!((back - v).abs() <= 0.005 + 1e-9, "{v} gave {s}");
            assert!(!s.ends_with('0') || !s.contains('.'), "{s}");
            assert!(!s.ends_with('.') && s != "-0", "{s}");
        }
    }

    #[test]
    fn an_svg_escapes_its_text_and_parses() {
        let mut s = Svg::new("c", (100.0, 20.0), false, "A <b> & c", "d");
        s.patterns(&severity_fills());
        s.bar(&Bucket::Major.fill(), (0.0, 0.0, 10.0, 5.0), Some("x < y"));
        s.text("t", (1.0, 2.0), "start", "\"q\"");
        let text = s.finish();
        let doc = roxmltree::Document::parse(&text).unwrap();
        assert_eq!(
            doc.descendants()
                .find(|n| n.has_tag_name("title"))
                .unwrap()
                .text(),
            Some("A <b> & c")
        );
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("pattern"))
                .count(),
            5
        );
    }
}
