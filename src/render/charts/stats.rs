//! `/stats/`: the linked site and "now" in; out, the page's template context —
//! incidents per month by severity over the 24 months ending with now's month
//! (site time zone, month of `started`), and time to acknowledge and to
//! resolve per service (median and p90) with the counts behind them, and
//! each service's 90-day uptime (`render/services.rs`).
//! Maintenance entries are planned work, not incidents: they are not counted.

use super::super::view::Builder;
use super::{Bucket, Cell, Chart, Fill, Shape, Svg, cell, chart, num_cell, severity_fills};
use crate::i18n::Strings;
use crate::model::{Classification, Incident};
use serde::Serialize;

/// How many months the monthly chart covers.
pub(super) const MONTHS: usize = 24;

/// One month of the chart: (year, month 1–12) and its count per [`Bucket`].
struct MonthCount {
    year: i16,
    month: i8,
    counts: [usize; 5],
}

fn counted(inc: &Incident) -> bool {
    inc.classification != Classification::Maintenance
}

/// The [`MONTHS`] months ending with now's month, oldest first, with counts.
fn monthly(cx: &Builder) -> Vec<MonthCount> {
    let today = crate::time::Timestamp::Instant(cx.now().0).date(&cx.config().timezone);
    let (mut y, mut m) = (today.year(), today.month());
    let mut months = Vec::with_capacity(MONTHS);
    for _ in 0..MONTHS {
        let mut counts = [0; 5];
        // site.months is newest first, one entry per month that has incidents.
        if let Some(found) = cx
            .whole()
            .months
            .iter()
            .find(|x| x.year == y && x.month == m)
        {
            for &i in &found.incidents {
                let inc = &cx.whole().incidents[i];
                if counted(inc) {
                    counts[Bucket::of(inc.severity) as usize] += 1;
                }
            }
        }
        months.push(MonthCount {
            year: y,
            month: m,
            counts,
        });
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    months.reverse();
    months
}

fn month_label(s: &Strings, m: &MonthCount) -> String {
    format!("{} {}", s.month(m.month), m.year)
}

/// The stacked bars: one column per month, worst severity at the bottom.
fn monthly_chart(s: &Strings, months: &[MonthCount]) -> Chart {
    let (left, top, plot_h, w) = (34.0, 24.0, 170.0, 720.0);
    let slot = (w - left - 6.0) / months.len() as f64;
    let max = months
        .iter()
        .map(|m| m.counts.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let unit = plot_h / max as f64;
    let total: usize = months.iter().map(|m| m.counts.iter().sum::<usize>()).sum();
    let (first, last) = (
        month_label(s, &months[0]),
        month_label(s, &months[months.len() - 1]),
    );
    let title = s.get("chart.monthly_title");
    let count = s.count("count.incidents", total as i64, &[]);
    let desc = s.fmt(
        "chart.monthly_desc",
        &[
            ("first", &first),
            ("last", &last),
            ("count", &count),
            ("max", &max.to_string()),
        ],
    );
    let mut svg = Svg::new(
        "chart-monthly",
        (w, top + plot_h + 44.0),
        false,
        title,
        &desc,
    );
    let fills = severity_fills();
    svg.patterns(&fills);
    svg.legend(s, &fills, (left, 12.0), 96.0);
    let base = top + plot_h;
    let mut ticks = vec![0, max / 2, max];
    ticks.dedup();
    for tick in ticks {
        let y = base - tick as f64 * unit;
        svg.line("grid", (left, y), (w - 6.0, y));
        svg.text("axis", (left - 4.0, y + 3.5), "end", &tick.to_string());
    }
    let columns = Columns {
        left,
        slot,
        base,
        unit,
    };
    for (n, m) in months.iter().enumerate() {
        columns.draw(&mut svg, s, n, m);
    }
    let (head, rows) = monthly_table(s, months);
    let caption = s.fmt(
        "chart.monthly_caption",
        &[("last", &last), ("first", &first)],
    );
    chart(s, "monthly", svg, (title, &desc), (caption, head, rows))
}

/// Where the monthly chart's columns go: the x of the first, the width of
/// each, the y of the baseline and the height of one incident.
struct Columns {
    left: f64,
    slot: f64,
    base: f64,
    unit: f64,
}

impl Columns {
    /// Month `m`, column `n`: its stacked bars (with a tooltip) and axis labels.
    fn draw(&self, svg: &mut Svg, s: &Strings, n: usize, m: &MonthCount) {
        let (slot, base) = (self.slot, self.base);
        let x = self.left + slot * n as f64;
        svg.raw(&format!(
            "<g class=\"month\"><title>{}</title>",
            super::xml(&month_tip(s, m))
        ));
        let mut y = base;
        for b in Bucket::ALL {
            let c = m.counts[b as usize];
            if c > 0 {
                let h = c as f64 * self.unit;
                y -= h;
                svg.bar(&b.fill(), (x + slot * 0.15, y, slot * 0.7, h), None);
            }
        }
        svg.raw("</g>");
        let label = s.month_short(m.month);
        svg.text("axis", (x + slot / 2.0, base + 14.0), "middle", label);
        if n == 0 || m.month == 1 {
            svg.text(
                "axis year",
                (x + slot / 2.0, base + 28.0),
                "middle",
                &m.year.to_string(),
            );
        }
    }
}

/// The tooltip of month `m`: its count, then the count per severity.
fn month_tip(s: &Strings, m: &MonthCount) -> String {
    let sum: usize = m.counts.iter().sum();
    let parts: Vec<String> = Bucket::ALL
        .iter()
        .filter(|b| m.counts[**b as usize] > 0)
        .map(|b| format!("{} {}", m.counts[*b as usize], s.get(b.in_text_key())))
        .collect();
    let tip = s.fmt(
        "chart.monthly_tip",
        &[
            ("month", &month_label(s, m)),
            ("count", &s.count("count.incidents", sum as i64, &[])),
        ],
    );
    if parts.is_empty() {
        tip
    } else {
        format!("{tip} ({})", parts.join(", "))
    }
}

/// The monthly chart's data table: header, and one row per month, newest first.
fn monthly_table<'s>(s: &'s Strings, months: &[MonthCount]) -> (Vec<&'s str>, Vec<Vec<Cell>>) {
    let mut head = vec![s.get("chart.month")];
    head.extend(Bucket::ALL.iter().map(|b| s.get(b.key())));
    head.push(s.get("chart.total"));
    let rows = months
        .iter()
        .rev()
        .map(|m| {
            let mut row = vec![cell(month_label(s, m))];
            row.extend(m.counts.iter().map(num_cell));
            row.push(num_cell(m.counts.iter().sum::<usize>()));
            row
        })
        .collect();
    (head, rows)
}

/// Median (mean of the two middle values for an even count) and p90 (nearest
/// rank) of `v`, which must be non-empty; sorts it.
pub(super) fn median_p90(v: &mut [i64]) -> (i64, i64) {
    v.sort_unstable();
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    };
    (median, v[(9 * n).div_ceil(10) - 1])
}

/// Seconds from `started` to `to`, when both are exact and in that order.
fn since_start(inc: &Incident, to: Option<&crate::time::Timestamp>) -> Option<i64> {
    to.and_then(|t| inc.started.seconds_until(t))
        .filter(|s| *s >= 0)
}

fn time_to_acknowledge(inc: &Incident) -> Option<i64> {
    since_start(inc, inc.acknowledged.as_ref())
}

fn time_to_resolve(inc: &Incident) -> Option<i64> {
    since_start(inc, inc.resolved.as_ref())
}

/// One service's measures, in seconds.
struct ServiceTimes {
    name: String,
    url: String,
    incidents: usize,
    ack: Vec<i64>,
    resolve: Vec<i64>,
}

fn service_times(cx: &Builder) -> Vec<ServiceTimes> {
    let tax = cx.whole().taxonomy(crate::link::Tax::Services);
    let mut out: Vec<ServiceTimes> = tax
        .terms
        .values()
        .map(|term| {
            let incs = term
                .incidents
                .iter()
                .map(|&i| &cx.whole().incidents[i])
                .filter(|i| counted(i));
            let mut s = ServiceTimes {
                name: term.name.clone(),
                url: cx.config().url(&format!("{}/{}/", tax.name, term.slug)),
                incidents: 0,
                ack: Vec::new(),
                resolve: Vec::new(),
            };
            for inc in incs {
                s.incidents += 1;
                s.ack.extend(time_to_acknowledge(inc));
                s.resolve.extend(time_to_resolve(inc));
            }
            s
        })
        .filter(|s| s.incidents > 0)
        .collect();
    out.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

const MEDIAN: Fill = Fill {
    class: "dur-median",
    shape: Shape::Solid,
    label: "chart.median",
};
const P90: Fill = Fill {
    class: "dur-p90",
    shape: Shape::Vertical,
    label: "chart.p90",
};

/// Horizontal median and p90 bars per service for one measure.
fn duration_chart(
    s: &Strings,
    services: &[ServiceTimes],
    key: &str,
    pick: fn(&ServiceTimes) -> &Vec<i64>,
) -> Chart {
    let (w, label_w, row_h, top) = (720.0, 150.0, 46.0, 24.0);
    let stats: Vec<Option<(i64, i64)>> = services
        .iter()
        .map(|svc| median_p90_of(pick(svc)))
        .collect();
    let max = stats
        .iter()
        .flatten()
        .map(|s| s.1)
        .max()
        .unwrap_or(0)
        .max(1);
    let measured = stats.iter().flatten().count();
    let title = s.get(&format!("chart.{key}_title")).to_string();
    let desc = s.fmt(
        &format!("chart.{key}_desc"),
        &[
            ("measured", &measured.to_string()),
            ("services", &services.len().to_string()),
            ("longest", &s.duration(max)),
        ],
    );
    let h = top + row_h * services.len().max(1) as f64;
    let mut svg = Svg::new(&format!("chart-{key}"), (w, h), false, &title, &desc);
    svg.patterns(&[MEDIAN, P90]);
    svg.legend(s, &[MEDIAN, P90], (0.0, 12.0), 110.0);
    let scale = (w - 10.0 - label_w) / max as f64;
    let mut rows = Vec::new();
    for (n, (svc, st)) in services.iter().zip(&stats).enumerate() {
        let y = top + row_h * n as f64;
        svg.text("label", (0.0, y + 12.0), "start", &svc.name);
        let count = pick(svc).len();
        match st {
            Some((median, p90)) => {
                duration_bars(&mut svg, s, &svc.name, (y, scale), (*median, *p90));
                rows.push(vec![
                    cell(&svc.name),
                    num_cell(count),
                    num_cell(s.duration(*median)),
                    num_cell(s.duration(*p90)),
                ]);
            }
            None => {
                svg.text("value", (0.0, y + 30.0), "start", s.get("chart.no_time"));
                rows.push(vec![cell(&svc.name), num_cell(0), cell("—"), cell("—")]);
            }
        }
    }
    let caption = s.get(&format!("chart.{key}_caption")).to_string();
    let head = [
        "chart.service",
        "chart.with_time",
        "chart.median",
        "chart.p90",
    ];
    let head = head.iter().map(|k| s.get(k)).collect();
    chart(s, key, svg, (&title, &desc), (caption, head, rows))
}

/// Median and p90 of `v`, or None when it is empty.
fn median_p90_of(v: &[i64]) -> Option<(i64, i64)> {
    let mut v = v.to_vec();
    (!v.is_empty()).then(|| median_p90(&mut v))
}

/// Service `name`'s median and p90 bars in the row at `y`, `scale` pixels a
/// second, each with its tooltip and value label.
fn duration_bars(
    svg: &mut Svg,
    s: &Strings,
    name: &str,
    (y, scale): (f64, f64),
    (median, p90): (i64, i64),
) {
    for (k, (f, v)) in [(MEDIAN, median), (P90, p90)].iter().enumerate() {
        let by = y + 16.0 + 12.0 * k as f64;
        let in_text = if k == 0 {
            "chart.in_text_median"
        } else {
            "chart.in_text_p90"
        };
        let tip = format!("{}, {}: {}", name, s.get(in_text), s.duration(*v));
        svg.bar(f, (0.0, by, (*v as f64 * scale).max(1.0), 10.0), Some(&tip));
        let short = if k == 0 {
            "chart.median_short"
        } else {
            "chart.p90_short"
        };
        let text = s.fmt(short, &[("value", &s.duration(*v))]);
        svg.text("value", (*v as f64 * scale + 4.0, by + 9.0), "start", &text);
    }
}

/// `/stats/`.
#[derive(Serialize)]
pub(crate) struct StatsPage<'a> {
    page_title: &'a str,
    page_kind: &'static str,
    stats: Stats<'a>,
}

/// `stats` (docs/templates.md).
#[derive(Serialize)]
struct Stats<'a> {
    months: usize,
    from: String,
    to: String,
    monthly: Chart,
    acknowledge: Chart,
    resolve: Chart,
    services: Vec<ServiceCount>,
    uptime: Vec<crate::render::services::UptimeRow<'a>>,
    uptime_days: i64,
    totals: Totals,
}

/// A service's incidents, and how many have a time to acknowledge and to resolve.
#[derive(Serialize)]
struct ServiceCount {
    name: String,
    url: String,
    incidents: usize,
    acknowledged: usize,
    resolved: usize,
}

#[derive(Serialize)]
struct Totals {
    incidents: usize,
    acknowledged: usize,
    resolved: usize,
}

/// The context of `/stats/`.
pub(crate) fn stats_page<'a>(cx: &Builder<'a>) -> StatsPage<'a> {
    // Every incident counts; the months end with now's, and the uptime table
    // reads it too.
    let site = cx.whole();
    cx.now();
    let months = monthly(cx);
    let services = service_times(cx);
    let total = |f: fn(&Incident) -> Option<i64>| {
        (site.incidents.iter())
            .filter(|i| counted(i) && f(i).is_some())
            .count()
    };
    let s = cx.strings;
    let stats = Stats {
        months: MONTHS,
        from: month_label(s, &months[0]),
        to: month_label(s, &months[months.len() - 1]),
        monthly: monthly_chart(s, &months),
        acknowledge: duration_chart(s, &services, "ack", |t| &t.ack),
        resolve: duration_chart(s, &services, "resolve", |t| &t.resolve),
        uptime: cx.uptime_table(),
        uptime_days: crate::uptime::DAYS,
        totals: Totals {
            incidents: site.incidents.iter().filter(|i| counted(i)).count(),
            acknowledged: total(time_to_acknowledge),
            resolved: total(time_to_resolve),
        },
        services: (services.into_iter())
            .map(|t| ServiceCount {
                acknowledged: t.ack.len(),
                resolved: t.resolve.len(),
                name: t.name,
                url: t.url,
                incidents: t.incidents,
            })
            .collect(),
    };
    StatsPage {
        page_title: cx.string("stats.title"),
        page_kind: "stats",
        stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90() {
        assert_eq!(median_p90(&mut [5]), (5, 5));
        assert_eq!(median_p90(&mut [30, 10]), (20, 30));
        let mut v: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(median_p90(&mut v), (5, 9));
        let mut v: Vec<i64> = (1..=11).collect();
        assert_eq!(median_p90(&mut v), (6, 10));
    }
}
