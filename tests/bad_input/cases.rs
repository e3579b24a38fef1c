//! The table: one fixture site per case, its exit code and every diagnostic it
//! must produce. `check_case` runs all three commands on a fresh copy.

use crate::harness::*;
use std::fs;
use std::path::Path;

/// `file`, `line`, `column`, and words that must all appear in the message or
/// the hint. A file of `*` is not compared (see the output-folder cases).
type Expect = (&'static str, usize, usize, &'static [&'static str]);

struct Case {
    dir: &'static str,
    /// Exit code of `check` and `build` (0 ok, 1 content errors, 2 usage/config).
    exit: i32,
    /// Every diagnostic, in the printed order (by file, then line).
    expect: &'static [Expect],
    /// Changes a fixture cannot hold (a `.git` folder, a 5 MB body).
    setup: fn(&Path),
    /// Whether `check` reports this case too: a foreign output folder depends on
    /// `--force`, which `check` does not take.
    check_sees: bool,
}

const fn case(dir: &'static str, exit: i32, expect: &'static [Expect]) -> Case {
    Case {
        dir,
        exit,
        expect,
        setup: |_| {},
        check_sees: true,
    }
}

const fn build_only(dir: &'static str, expect: &'static [Expect]) -> Case {
    Case {
        check_sees: false,
        ..case(dir, 2, expect)
    }
}

const EX1: &str = "content/incidents/EX1.md";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // --- YAML and the shape of the front matter
    case("yaml-syntax", 1, &[
        (EX1, 6, 10, &["invalid YAML", "`[`", "never closed", "line 7", "close it with `]`"]),
        // the YAML error in EX1.md does not hide the unknown ID in EX2.md
        ("content/incidents/EX2.md", 7, 11, &["`EX9`", "not an incident"]),
    ]),
    case("unclosed", 1, &[(EX1, 1, 1, &["never closed", "`---`"])]),
    case("empty-file", 1, &[(EX1, 1, 1, &["empty", "`---`"])]),
    case("missing-key", 1, &[(EX1, 1, 1, &["missing the required key `status`", "add a line `status:"])]),
    case("wrong-type", 1, &[
        (EX1, 7, 1, &["`regions` should be a list of text, found text", "`- a`"]),
        (EX1, 8, 1, &["`draft` should be true or false", "`draft: true`"]),
    ]),
    case("unknown-key", 1, &[(EX1, 7, 1, &["unknown key `region`", "did you mean `regions`?"])]),
    case("bad-enum", 1, &[
        (EX1, 5, 1, &["`fixed` is not a valid `status`", "investigating, identified, monitoring, resolved"]),
        (EX1, 6, 1, &["`huge` is not a valid `severity`", "critical, major, minor, none"]),
    ]),
    // --- dates and times
    case("no-offset", 1, &[(EX1, 6, 1, &["`started`", "no offset", "ambiguous", "`-04:00`"])]),
    case("impossible-date", 1, &[
        (EX1, 6, 1, &["`2026-02-30` is not a valid date", "day", "YYYY-MM-DD"]),
        (EX1, 7, 1, &["`2026-02-28T25:10:00Z` is not a valid date-time", "hour"]),
    ]),
    case("timeline-order", 1, &[(EX1, 11, 5, &["out of order", "line 11", "line 8", "oldest first"])]),
    case("resolved-before-started", 1, &[(EX1, 7, 1, &["`resolved` is earlier than `started`", "line 6"])]),
    // --- IDs and references across files
    case("duplicate-id", 1, &[
        ("content/incidents/2026/EX1331830.md", 2, 1, &["duplicate incident ID `EX1331830`", "content/incidents/old/copy.md"]),
        ("content/incidents/old/copy.md", 2, 1, &["duplicate incident ID `ex1331830`", "content/incidents/2026/EX1331830.md", "ignoring case"]),
    ]),
    case("unknown-related", 1, &[
        ("content/incidents/TM200.md", 8, 5, &["related incident `EX133183`", "not an incident", "EX1331830"]),
        ("content/incidents/TM200.md", 9, 5, &["related incident `ZZ-999`", "not an incident"]),
        ("content/incidents/TM200.md", 12, 24, &["`EX1331380`", "EX1331830"]),
        ("content/news/teams.md", 4, 20, &["`TM2000`", "not an incident", "TM200"]),
    ]),
    case("self-relation", 1, &[(EX1, 8, 5, &["`EX1` lists itself as related"])]),
    case("missing-md-link", 1, &[(EX1, 11, 54, &["missing page `../runbooks/mail.md`", "relative links"])]),
    case("slug-collision", 1, &[
        (EX1, 8, 5, &["`North America`", "`north-america`", "both get the URL slug `north-america`", "content/incidents/EX2.md"]),
    ]),
    case("id-path-chars", 1, &[
        ("content/incidents/dots.md", 2, 1, &["`../x` is not a valid incident ID"]),
        ("content/incidents/slash.md", 2, 1, &["`a/b` is not a valid incident ID"]),
        ("content/incidents/space.md", 2, 1, &["`EX 1` is not a valid incident ID"]),
        ("content/news/story.md", 4, 1, &["`../../etc` cannot be used as a URL slug"]),
    ]),
    // --- hostile bytes and sizes
    case("invalid-utf8", 1, &[(EX1, 8, 22, &["not valid UTF-8", "byte 140", "0xFC", "save the file as UTF-8"])]),
    case("nul-bytes", 1, &[(EX1, 8, 9, &["NUL byte"])]),
    case("alias-bomb", 1, &[(EX1, 9, 10, &["too much data", "aliases", "`*alias`"])]),
    case("deep-nesting", 1, &[(EX1, 7, 135, &["nested too deeply"])]),
    Case { setup: big_body, ..case("big-body", 0, &[]) },
    case("javascript-url", 1, &[(EX1, 11, 5, &["JavaScript:alert(document.cookie)", "not a web link", "`https://`"])]),
    // builds; `escaping` checks every output file
    case("script-injection", 0, &[]),
    // --- config and usage: exit 2
    case("no-config", 2, &[("sitrep.toml", 0, 0, &["no sitrep.toml", "sitrep init"])]),
    case("config-unknown-key", 2, &[("sitrep.toml", 3, 1, &["unknown key `time_zone` in sitrep.toml", "did you mean `timezone`?"])]),
    case("unknown-theme", 2, &[("sitrep.toml", 3, 9, &["unknown theme `fancy`", "`default`"])]),
    // --- output folders sitrep does not own: exit 2, nothing touched
    case("output-root", 2, &[("sitrep.toml", 3, 14, &["is the site root"])]),
    case("output-ancestor", 2, &[("sitrep.toml", 3, 14, &["is a parent of the site root"])]),
    case("output-content", 2, &[("sitrep.toml", 3, 14, &["inside the site's `content/`"])]),
    case("output-themes", 2, &[("sitrep.toml", 3, 14, &["inside the site's `themes/`"])]),
    case("output-static", 2, &[("sitrep.toml", 3, 14, &["inside the site's `static/`"])]),
    case("output-templates", 2, &[("sitrep.toml", 3, 14, &["inside the site's `templates/`"])]),
    Case { setup: git_folder, ..case("output-git", 2, &[("sitrep.toml", 3, 14, &["holds a `.git`", "not a build folder"])]) },
    case("output-sitrep-toml", 2, &[("sitrep.toml", 3, 14, &["holds a `sitrep.toml`", "not a build folder"])]),
    build_only("output-foreign", &[("sitrep.toml", 3, 14, &["not empty and was not written by sitrep", "--force"])]),
    // --- failing builds (every failing case also checks the previous output)
    case("output-failed-build", 1, &[("content/incidents/EX2.md", 6, 1, &["no offset"])]),
    case("output-render-error", 1, &[("templates/incident.html", 3, 4, &["cannot render /incidents/ex1/", "no_such_variable"])]),
];

/// A repository in the output folder (a fixture cannot hold a `.git`).
fn git_folder(site: &Path) {
    fs::create_dir_all(site.join("public/.git")).unwrap();
    fs::write(site.join("public/.git/HEAD"), "ref: refs/heads/main\n").unwrap();
}

/// A 5 MB body of what a long write-up holds: prose, headings, lists, code and
/// incident IDs. Generated here rather than committed.
fn big_body(site: &Path) {
    let mut body = String::new();
    let mut i = 0;
    while body.len() < 5 * 1024 * 1024 {
        match i % 40 {
            0 => body.push_str(&format!(
                "## Update {i}\n\nAt 10:{:02} the queues for EX1 grew again; see [the first update](#update-0).\n\n",
                i % 60
            )),
            20 => body.push_str("```text\n550 5.7.1 SuspiciousRemoteServerError\nretry in 300 seconds\n```\n\n"),
            n if n % 7 == 0 => body.push_str("- mail to **North America** was *delayed*\n- users saw `550 5.7.1`\n\n"),
            _ => body.push_str("Mail flow to North America and Germany was delayed; users saw bounces and admins watched the queues grow while the provider investigated.\n\n"),
        }
        if i % 4000 == 3999 {
            body.push_str("```yaml\nstatus: resolved\nregions: [North America, Germany]\n```\n\n");
        }
        i += 1;
    }
    let path = site.join(EX1);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(&body);
    fs::write(path, text).unwrap();
}

fn check_case(c: &Case) {
    let (tmp, site) = site(c.dir);
    (c.setup)(&site);
    previous_output(&site);
    let before = tree(tmp.path());

    let json = run(&site, &["check", "--format", "json"]);
    let text = run(&site, &["check"]);
    assert_eq!(tree(tmp.path()), before, "{}: `check` changed files", c.dir);
    let build = run(&site, &["build"]);
    let all = format!(
        "{}\n--- check --format json\n{}\n--- check\n{}\n--- build\n{}",
        c.dir, json.stdout, text.stderr, build.stderr
    );

    assert_eq!(build.code, c.exit, "build exit code: {all}");
    let reported = if c.check_sees {
        assert_eq!(
            (json.code, text.code),
            (c.exit, c.exit),
            "check exit codes: {all}"
        );
        let diags = parse_json(&json.stdout);
        // `check` and `build` report the same set, in text and in JSON.
        assert_eq!(
            parse_text(&text.stderr),
            without_hints(&diags),
            "check text vs JSON: {all}"
        );
        assert_eq!(
            parse_text(&build.stderr),
            without_hints(&diags),
            "build vs check: {all}"
        );
        diags
    } else {
        assert_eq!((json.code, json.stdout.trim()), (0, "[]"), "{all}");
        parse_text(&build.stderr)
    };

    assert_eq!(
        reported.len(),
        c.expect.len(),
        "number of diagnostics: {all}"
    );
    for (d, (file, line, col, words)) in reported.iter().zip(c.expect) {
        if *file != "*" {
            assert_eq!(
                (d.file.as_str(), d.line, d.column),
                (*file, *line, *col),
                "location of {d:?}: {all}"
            );
        }
        let said = format!("{} {}", d.message, d.hint);
        for w in *words {
            // Build's text output carries no hints: look for the word in either form.
            let in_build = build.stderr.contains(w);
            assert!(
                said.contains(w) || (!c.check_sees && in_build),
                "`{w}` not in {d:?}: {all}"
            );
        }
        if c.check_sees && d.severity == "error" && d.line > 0 {
            // the text printer quotes the line and puts a caret under the column
            let header = format!("{}:{}:{}: error: ", d.file, d.line, d.column);
            assert!(text.stderr.contains(&header), "{all}");
        }
    }

    if c.exit == 0 {
        assert!(
            site.join("output/.sitrep-output").is_file(),
            "a successful build writes a marked output: {all}"
        );
        assert!(!site.join("output/incidents/old").exists(), "{all}");
    } else {
        assert_eq!(
            tree(tmp.path()),
            before,
            "{}: a failing build changed files",
            c.dir
        );
    }
}

#[test]
fn every_bad_input_case() {
    // One test over the table reports every failing case at once.
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|c| {
            std::panic::catch_unwind(|| check_case(c)).err().map(|e| {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("== {}\n{msg}", c.dir)
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_fixture_has_a_case() {
    let mut dirs: Vec<String> = fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    // (the other two are used by tests of their own)
    let mut listed: Vec<String> = CASES.iter().map(|c| c.dir.to_string()).collect();
    listed.extend(["bad-flag", "output-killed-build"].map(String::from));
    listed.sort();
    assert_eq!(dirs, listed);
}
