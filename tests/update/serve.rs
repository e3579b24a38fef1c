//! `sitrep update` while `sitrep serve` runs: the atomic rename is a save.

use super::common::serve::{Serve, wait_for};
use super::*;

#[test]
fn serve_follows_an_update_and_prints_stale_warnings() {
    // common::EPOCH is 2026-05-28T20:26:40Z; this incident's last word is a day older.
    let s = site(&[(
        "content/incidents/SV1.md",
        "---\nid: SV1\ntitle: Sign-in fails\nservices: [Entra ID]\nstatus: investigating\nstarted: 2026-05-27T10:00:00-04:00\n---\nBody.\n",
    )]);
    let serve = Serve::start(s.path());
    serve.wait_page("/incidents/sv1/", "the incident page", |t| {
        t.contains("Sign-in fails")
    });
    wait_for(15, "the stale warning in serve's output", || {
        serve
            .log()
            .contains("SV1 is open and its last update was")
            .then_some(())
    });
    let o = sitrep(
        s.path(),
        common::EPOCH,
        &[
            "update",
            "SV1",
            "--status",
            "identified",
            "--message",
            "A certificate expired; renewing it.",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    serve.wait_page("/incidents/sv1/", "the update on the page", |t| {
        t.contains("A certificate expired; renewing it.")
    });
    serve.settle();
    assert!(!serve.log().contains("error"), "{}", serve.log());
}
