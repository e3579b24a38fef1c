//! Random edits of a generated site (~200 incidents): body and front matter
//! edits (regions, errors, status, severity, related, dates, drafts), new,
//! deleted and renamed files, broken files and their fixes, news, config
//! edits (`[groups]` on and off) and template edits, and the clock moving.
//! Serve's property test (tests/serve/property.rs) and the build's
//! (tests/reuse/) apply them and compare with a full build.

use super::write;
use std::collections::BTreeMap;
use std::path::Path;

/// Where "now" comes from for [`edit`]'s clock moves.
pub trait Clock {
    fn epoch(&self) -> i64;
    fn set_epoch(&self, secs: i64);
}

/// splitmix64: small, seedable, the same everywhere.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

pub const INCIDENTS: usize = 200;
/// Incidents below this are never deleted or renamed, so references to them hold.
pub const STABLE: usize = 40;
pub const REGIONS: [&str; 6] = [
    "Europe",
    "Asia",
    "North America",
    "Germany",
    "Japan",
    "Brazil",
];
pub const SERVICES: [&str; 4] = ["Mail", "Chat", "Files", "Calendar"];
pub const ERRORS: [&str; 3] = ["E-QUOTA", "E-AUTH", "SuspiciousRemoteServerError"];
pub const STATUSES: [&str; 4] = ["investigating", "identified", "monitoring", "resolved"];
/// `None`: no severity written.
pub const SEVERITIES: [Option<&str>; 5] = [
    Some("critical"),
    Some("major"),
    Some("minor"),
    Some("none"),
    None,
];
pub const WORDS: [&str; 8] = [
    "queue", "outage", "retry", "latency", "users", "fixed", "DNS", "the",
];

/// One incident's front matter and body, as the generator holds it.
#[derive(Clone)]
pub struct Inc {
    pub id: String,
    pub folder: String,
    pub title: String,
    pub services: Vec<&'static str>,
    pub regions: Vec<&'static str>,
    /// Error codes: what ranks similar incidents first.
    pub errors: Vec<&'static str>,
    pub status: &'static str,
    pub severity: Option<&'static str>,
    pub day: usize,
    pub related: Vec<String>,
    pub draft: bool,
    pub body: String,
}

impl Inc {
    pub fn path(&self) -> String {
        format!("content/incidents/{}{}.md", self.folder, self.id)
    }

    pub fn text(&self) -> String {
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
pub struct Model {
    pub incidents: BTreeMap<usize, Inc>,
    pub news: BTreeMap<usize, String>,
    pub next: usize,
    /// Files written broken, with the good text to restore.
    pub broken: BTreeMap<String, String>,
    pub paginate_by: usize,
    pub title: String,
    /// `[groups]` in sitrep.toml.
    pub groups: bool,
    pub template: Option<String>,
}

pub fn body(rng: &mut Rng, mention: Option<&str>) -> String {
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

pub fn id(n: usize) -> String {
    format!("PR{n:04}")
}

impl Model {
    pub fn new(rng: &mut Rng) -> Model {
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

    pub fn stable(&self, rng: &mut Rng) -> String {
        id(rng.below(STABLE))
    }

    pub fn fresh(&self, rng: &mut Rng, n: usize) -> Inc {
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

    pub fn story(&self, rng: &mut Rng, s: usize) -> String {
        format!(
            "---\ntitle: Story {s}\ndate: 2026-0{}-1{}T09:00:00Z\nincidents: [{}]\n---\nAbout {}.\n",
            1 + rng.below(4),
            rng.below(10),
            self.stable(rng),
            self.stable(rng)
        )
    }

    pub fn config(&self) -> String {
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

    pub fn write_all(&self, root: &Path) {
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
    pub fn some(&self, rng: &mut Rng, movable: bool) -> Option<usize> {
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
pub fn theme_template(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes/default/templates")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Apply one random edit to the files; the paths it touched (for the batch)
/// and what it was (for the failure message).
pub fn edit(rng: &mut Rng, m: &mut Model, root: &Path, live: &dyn Clock) -> (Vec<String>, String) {
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
