//! The soak's short version, as CI runs it: `bench/serve-soak.py` (the same
//! script as the 10-minute run) with 30 edits over about 20 s while 5
//! live-reload clients stay connected, against this build's binary.

use super::common::serve::incident;
use super::common::{BIN, write};
use std::path::Path;
use std::process::Command;

#[test]
fn soak_short_version() {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    write(
        root,
        "sitrep.toml",
        "title = \"Soak Desk\"\nbase_url = \"https://example.org/\"\npaginate_by = 10\n",
    );
    for i in 0..30 {
        let id = format!("SK{i:04}");
        write(
            root,
            &format!("content/incidents/{id}.md"),
            &incident(
                &id,
                &format!("Outage number {i}"),
                &format!(
                    "services: [Service {}]\nregions: [Region {}]\n",
                    i % 4,
                    i % 3
                ),
                "Something was down for a while.",
            ),
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/serve-soak.py");
    let reports = tempfile::tempdir().unwrap();
    let report = reports.path().join("soak.json");
    let out = Command::new("python3")
        .arg(&script)
        .args(["--bin", BIN, "--site"])
        .arg(root)
        .args([
            "--edits",
            "30",
            "--duration",
            "20",
            "--clients",
            "5",
            "--baseline-after",
            "10",
            // A leak would pass 16 MiB in 20 edits; a 60 MB process swings 10%.
            "--rss-slack-kib",
            "16384",
            "--json",
        ])
        .arg(&report)
        .output()
        .expect("python3 runs bench/serve-soak.py");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let figures: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default())
            .unwrap_or_else(|e| panic!("no JSON report ({e}):\n{log}"));
    assert_eq!(figures["edits"], 30, "{log}");
    assert_eq!(figures["clients"], 5, "{log}");
    assert_eq!(figures["reloads_heard_min"], 30, "{log}");
    for (check, ok) in figures["checks"].as_object().unwrap() {
        assert_eq!(ok, true, "{check}\n{log}");
    }
    assert!(out.status.success(), "{log}");
    eprintln!("{log}");
}
