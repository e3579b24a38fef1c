//! Property: whatever sequence of edits serve follows, what it serves equals
//! a full build of the files it ends with. Over seeds, a generated site of
//! ~200 incidents gets 20–50 random edits in batches of one to three: body
//! and front matter edits (regions, errors, status, severity, related, dates,
//! drafts), new, deleted and renamed files, broken files and their fixes,
//! news, pages, config edits (`[groups]` on and off, with a member that has
//! no incident) and template edits (`/embed/` among them), and the clock
//! moving. Severities and recent days make uptime, groups, `/embed/` and
//! `/api/services.json` move with the edits and the clock. Broken files are fixed
//! before the comparison (a build of a broken site has nothing to compare).
//!
//! `SITREP_PROPERTY_SEEDS=a..b` picks the seeds (default `0..2`, to keep CI
//! short); `bench/serve-property.sh` runs a longer range.

use super::common::write;
use super::equal::*;
use std::collections::BTreeMap;
use std::path::Path;

/// splitmix64: small, seedable, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const INCIDENTS: usize = 200;
/// Incidents below this are never deleted or renamed, so references to them hold.
const STABLE: usize = 40;
const REGIONS: [&str; 6] = [
    "Europe",
    "Asia",
    "North America",
    "Germany",
    "Japan",
    "Brazil",
];
const SERVICES: [&str; 4] = ["Mail", "Chat", "Files", "Calendar"];
const ERRORS: [&str; 3] = ["E-QUOTA", "E-AUTH", "SuspiciousRemoteServerError"];
const STATUSES: [&str; 4] = ["investigating", "identified", "monitoring", "resolved"];
/// `None`: no severity written.
const SEVERITIES: [Option<&str>; 5] = [
    Some("critical"),
    Some("major"),
    Some("minor"),
    Some("none"),
    None,
];
const WORDS: [&str; 8] = [
    "queue", "outage", "retry", "latency", "users", "fixed", "DNS", "the",
];

/// One incident's front matter and body, as the generator holds it.
#[derive(Clone)]
struct Inc {
    id: String,
    folder: String,
    title: String,
    services: Vec<&'static str>,
    regions: Vec<&'static str>,
    /// Error codes: what ranks similar incidents first.
    errors: Vec<&'static str>,
    status: &'static str,
    severity: Option<&'static str>,
    day: usize,
    related: Vec<String>,
    draft: bool,
    body: String,
}

impl Inc {
    fn path(&self) -> String {
        format!("content/incidents/{}{}.md", self.folder, self.id)
    }

    fn text(&self) -> String {
        let started =
            jiff::Timestamp::from_second(1_767_225_600 + self.day as i64 * 43_200).unwrap();
        let resolved = if self.status == "resolved" {
            format!(
                "resolved: {}\n",
                started + jiff::SignedDuration::from_mins(95)
            )
        } else {
            String::new()
        };
        let list = |v: &[&str]| v.join(", ");
        let errors = if self.errors.is_empty() {
            String::new()
        } else {
            format!("errors: [{}]\n", self.errors.join(", "))
        };
        let severity = self
            .severity
            .map_or(String::new(), |s| format!("severity: {s}\n"));
        let related = if self.related.is_empty() {
            String::new()
        } else {
            format!("related: [{}]\n", self.related.join(", "))
        };
        format!(
            "---\nid: {}\ntitle: {}\nservices: [{}]\nregions: [{}]\nstatus: {}\n{severity}started: {started}\n{resolved}{errors}{related}draft: {}\n---\n{}\n",
            self.id,
            self.title,
            list(&self.services),
            list(&self.regions),
            self.status,
            self.draft,
            self.body
        )
    }
}

/// The generated site's files and what the generator knows of them.
struct Model {
    incidents: BTreeMap<usize, Inc>,
    news: BTreeMap<usize, String>,
    next: usize,
    /// Files written broken, with the good text to restore.
    broken: BTreeMap<String, String>,
    paginate_by: usize,
    title: String,
    /// `[groups]` in sitrep.toml.
    groups: bool,
    template: Option<String>,
}

fn body(rng: &mut Rng, mention: Option<&str>) -> String {
    let mut words: Vec<String> = (0..3 + rng.below(12))
        .map(|_| rng.pick(&WORDS).to_string())
        .collect();
    if let Some(id) = mention {
        let at = rng.below(words.len());
        words.insert(at, id.to_string());
    }
    let mut text = words.join(" ");
    if rng.chance(30) {
        text.push_str("\n\n## Details\n\nMore *detail* here.");
    }
    text
}

fn id(n: usize) -> String {
    format!("PR{n:04}")
}

impl Model {
    fn new(rng: &mut Rng) -> Model {
        let mut m = Model {
            incidents: BTreeMap::new(),
            news: BTreeMap::new(),
            next: INCIDENTS,
            broken: BTreeMap::new(),
            paginate_by: 10,
            title: "Property Desk".into(),
            groups: true,
            template: None,
        };
        for n in 0..INCIDENTS {
            let inc = m.fresh(rng, n);
            m.incidents.insert(n, inc);
        }
        for s in 0..5 {
            let story = m.story(rng, s);
            m.news.insert(s, story);
        }
        m
    }

    fn stable(&self, rng: &mut Rng) -> String {
        id(rng.below(STABLE))
    }

    fn fresh(&self, rng: &mut Rng, n: usize) -> Inc {
        let mention = rng.chance(30).then(|| self.stable(rng));
        Inc {
            id: id(n),
            // about.md links to PR0002's file.
            folder: if n != 2 && rng.chance(30) {
                format!("{}/", 2025 + n % 2)
            } else {
                String::new()
            },
            title: format!("Outage {n}"),
            services: vec![*rng.pick(&SERVICES)],
            regions: (0..rng.below(3)).map(|_| *rng.pick(&REGIONS)).collect(),
            errors: (0..rng.below(2)).map(|_| *rng.pick(&ERRORS)).collect(),
            status: if rng.chance(85) {
                "resolved"
            } else {
                rng.pick::<&str>(&STATUSES)
            },
            severity: *rng.pick(&SEVERITIES),
            day: rng.below(700),
            related: (n >= STABLE && rng.chance(30))
                .then(|| self.stable(rng))
                .into_iter()
                .collect(),
            draft: false,
            body: body(rng, mention.as_deref()),
        }
    }

    fn story(&self, rng: &mut Rng, s: usize) -> String {
        format!(
            "---\ntitle: Story {s}\ndate: 2026-0{}-1{}T09:00:00Z\nincidents: [{}]\n---\nAbout {}.\n",
            1 + rng.below(4),
            rng.below(10),
            self.stable(rng),
            self.stable(rng)
        )
    }

    fn config(&self) -> String {
        // "Notes" has no incident: a group makes it a service all the same.
        let groups = if self.groups {
            "\n[groups]\nWork = [\"Mail\", \"Calendar\", \"Notes\"]\n"
        } else {
            ""
        };
        format!(
            "title = \"{}\"\nbase_url = \"https://example.org/desk/\"\ntimezone = \"Europe/Berlin\"\npaginate_by = {}\n{groups}",
            self.title, self.paginate_by
        )
    }

    fn write_all(&self, root: &Path) {
        write(root, "sitrep.toml", &self.config());
        for inc in self.incidents.values() {
            write(root, &inc.path(), &inc.text());
        }
        for (s, text) in &self.news {
            write(root, &format!("content/news/story-{s}.md"), text);
        }
        write(
            root,
            "content/about.md",
            "---\ntitle: About\n---\nSee PR0001 and [this](incidents/PR0002.md).\n",
        );
    }

    /// A random incident that is not broken; `movable`: not a stable one.
    fn some(&self, rng: &mut Rng, movable: bool) -> Option<usize> {
        let keys: Vec<usize> = self
            .incidents
            .iter()
            .filter(|(n, inc)| {
                (!movable || **n >= STABLE) && !self.broken.contains_key(&inc.path())
            })
            .map(|(n, _)| *n)
            .collect();
        (!keys.is_empty()).then(|| *rng.pick(&keys))
    }
}

/// What a template edit writes: the theme's own template with a marker.
fn theme_template(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes/default/templates")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Apply one random edit to the files; the paths it touched (for the batch)
/// and what it was (for the failure message).
fn edit(rng: &mut Rng, m: &mut Model, root: &Path, live: &Live) -> (Vec<String>, String) {
    let kind = rng.below(100);
    let mut touched = Vec::new();
    let put = |touched: &mut Vec<String>, p: String, text: &str| {
        write(root, &p, text);
        touched.push(p);
    };
    let what = match kind {
        // Body edit.
        0..=24 => {
            let Some(n) = m.some(rng, false) else {
                return (touched, "nothing".into());
            };
            let mention = rng.chance(30).then(|| m.stable(rng));
            let inc = m.incidents.get_mut(&n).unwrap();
            inc.body = body(rng, mention.as_deref());
            put(&mut touched, inc.path(), &inc.text());
            format!("body of {}", inc.id)
        }
        // Front matter: regions, status, related, date, draft, errors.
        25..=49 => {
            let Some(n) = m.some(rng, false) else {
                return (touched, "nothing".into());
            };
            let stable = m.stable(rng);
            let inc = m.incidents.get_mut(&n).unwrap();
            let field = rng.below(7);
            match field {
                0 => inc.regions = (0..rng.below(3)).map(|_| *rng.pick(&REGIONS)).collect(),
                1 => inc.status = *rng.pick(&STATUSES),
                6 => inc.severity = *rng.pick(&SEVERITIES),
                2 if n >= STABLE => inc.related = vec![stable],
                2 => inc.related.clear(),
                3 => inc.day = rng.below(700),
                4 if n >= STABLE => inc.draft = !inc.draft,
                5 => inc.errors = (0..rng.below(2)).map(|_| *rng.pick(&ERRORS)).collect(),
                _ => inc.title = format!("Outage {n} ({})", rng.pick(&WORDS)),
            }
            put(&mut touched, inc.path(), &inc.text());
            format!("front matter {field} of {}", inc.id)
        }
        // A new incident.
        50..=57 => {
            let n = m.next;
            m.next += 1;
            let inc = m.fresh(rng, n);
            put(&mut touched, inc.path(), &inc.text());
            let w = format!("new {}", inc.id);
            m.incidents.insert(n, inc);
            w
        }
        // Delete an incident nothing refers to.
        58..=63 => {
            let Some(n) = m.some(rng, true) else {
                return (touched, "nothing".into());
            };
            let inc = m.incidents.remove(&n).unwrap();
            std::fs::remove_file(root.join(inc.path())).unwrap();
            touched.push(inc.path());
            format!("delete {}", inc.id)
        }
        // Rename: another folder, maybe another ID.
        64..=69 => {
            let Some(n) = m.some(rng, true) else {
                return (touched, "nothing".into());
            };
            let mut inc = m.incidents.remove(&n).unwrap();
            let old = inc.path();
            std::fs::remove_file(root.join(&old)).unwrap();
            touched.push(old.clone());
            inc.folder = if inc.folder.is_empty() {
                "moved/".into()
            } else {
                String::new()
            };
            let mut key = n;
            if rng.chance(50) {
                key = m.next;
                m.next += 1;
                inc.id = id(key);
            }
            put(&mut touched, inc.path(), &inc.text());
            let w = format!("rename {old} to {}", inc.path());
            m.incidents.insert(key, inc);
            w
        }
        // Break a file (kept until fixed), or fix one.
        70..=77 => {
            let fix = !m.broken.is_empty() && rng.chance(60);
            if let Some((p, good)) = fix.then(|| m.broken.pop_first()).flatten() {
                put(&mut touched, p.clone(), &good);
                format!("fix {p}")
            } else if let Some(n) = m.some(rng, false) {
                let inc = &m.incidents[&n];
                let bad = if rng.chance(50) {
                    inc.text().replacen("title:", "titel:", 1)
                } else {
                    inc.text().replacen("status: ", "status: nonsense-", 1)
                };
                m.broken.insert(inc.path(), inc.text());
                put(&mut touched, inc.path(), &bad);
                format!("break {}", inc.path())
            } else {
                "nothing".into()
            }
        }
        // News: a new, changed or deleted story.
        78..=83 => {
            let s = rng.below(8);
            let p = format!("content/news/story-{s}.md");
            if m.news.contains_key(&s) && rng.chance(30) {
                m.news.remove(&s);
                std::fs::remove_file(root.join(&p)).unwrap();
                touched.push(p.clone());
                format!("delete {p}")
            } else {
                let text = m.story(rng, s);
                put(&mut touched, p.clone(), &text);
                m.news.insert(s, text);
                format!("write {p}")
            }
        }
        // Config: page size, title or groups.
        84..=89 => {
            match rng.below(3) {
                0 => m.paginate_by = 3 + rng.below(15),
                1 => m.title = format!("Desk {}", rng.pick(&WORDS)),
                _ => m.groups = !m.groups,
            }
            put(&mut touched, "sitrep.toml".into(), &m.config());
            let (p, t, g) = (m.paginate_by, &m.title, m.groups);
            format!("config paginate_by {p} title {t} groups {g}")
        }
        // Templates: override one with a marker, or drop the override.
        90..=94 => {
            let names = [
                "incident.html",
                "term.html",
                "incidents.html",
                "base.html",
                "partials/components.html",
                "embed.html",
                "index.html",
            ];
            let name = *rng.pick(&names);
            let p = format!("templates/{name}");
            if let Some(old) = m.template.take().filter(|_| rng.chance(40)) {
                std::fs::remove_file(root.join(&old)).unwrap();
                touched.push(old.clone());
                format!("drop {old}")
            } else {
                if let Some(old) = m.template.take() {
                    std::fs::remove_file(root.join(&old)).unwrap();
                    touched.push(old);
                }
                let mark = format!("data-edit=\"{}\" class=\"", rng.below(1000));
                let text = theme_template(name).replacen("class=\"", &mark, 1);
                put(&mut touched, p.clone(), &text);
                m.template = Some(p.clone());
                format!("template {p}")
            }
        }
        // The clock moves on (seconds to a day).
        _ => {
            let by = [7, 45, 61, 3600, 86_400][rng.below(5)];
            live.set_epoch(live.epoch() + by);
            format!("clock +{by} s")
        }
    };
    (touched, what)
}

/// How many batches took the patch path (no re-link).
fn run_seed(seed: u64) -> usize {
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut m = Model::new(&mut rng);
    m.write_all(root);
    let (mut live, o) = Live::start(root);
    assert_ok(&o, &format!("seed {seed}: the first build"));
    let mut log = Vec::new();
    let edits = 20 + rng.below(31);
    let mut done = 0;
    let mut patched = 0;
    let every = std::env::var_os("SITREP_PROPERTY_EVERY").is_some();
    while done < edits {
        let mut batch = Vec::new();
        let mut names = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let (touched, what) = edit(&mut rng, &mut m, root, &live);
            batch.extend(touched);
            names.push(what);
            done += 1;
        }
        let paths: Vec<&str> = batch.iter().map(String::as_str).collect();
        let o = live.changed(&paths);
        if o.timings.iter().any(|(n, _)| *n == "patch") {
            patched += 1;
        }
        log.push(format!("{names:?} -> {} errors", errors(&o).len()));
        // `SITREP_PROPERTY_EVERY=1` (bench/): compare after every good batch too.
        if every && m.broken.is_empty() && errors(&o).is_empty() {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                assert_same_as_full_build(&live);
            }));
            if let Err(e) = r {
                eprintln!(
                    "seed {seed} failed after these batches:\n{}",
                    log.join("\n")
                );
                std::panic::resume_unwind(e);
            }
        }
    }
    // Fix what is still broken, then compare.
    let fixes: Vec<(String, String)> = std::mem::take(&mut m.broken).into_iter().collect();
    for (p, good) in &fixes {
        write(root, p, good);
    }
    let paths: Vec<&str> = fixes.iter().map(|(p, _)| p.as_str()).collect();
    let o = live.changed(&paths);
    let log = log.join("\n");
    assert!(
        errors(&o).is_empty(),
        "seed {seed}: errors after the fixes: {:#?}\nedits:\n{log}",
        errors(&o)
    );
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_same_as_full_build(&live);
    }));
    if let Err(e) = result {
        eprintln!("seed {seed} failed after these batches:\n{log}");
        std::panic::resume_unwind(e);
    }
    patched
}

fn seeds() -> std::ops::Range<u64> {
    let spec = std::env::var("SITREP_PROPERTY_SEEDS").unwrap_or_else(|_| "0..2".into());
    let (a, b) = spec.split_once("..").expect("SITREP_PROPERTY_SEEDS=a..b");
    a.trim().parse().unwrap()..b.trim().parse().unwrap()
}

#[test]
fn random_edit_sequences_equal_a_full_build() {
    let mut patched = 0;
    for seed in seeds() {
        patched += run_seed(seed);
    }
    // Body and front-matter edits must reach the patch path, or the test
    // would prove only the re-link.
    assert!(patched > 0, "no batch was patched");
}
