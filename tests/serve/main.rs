//! `sitrep serve` end to end: the real binary on a temp site and a free port,
//! fetched over HTTP while the tests edit, create, rename and delete files.

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod edits;
mod engine;
mod equal;
mod fm_patch;
mod http;
mod incremental;
mod internal;
mod ledger;
mod nowwarn;
mod panel;
mod property;
mod reload;
mod soak;
mod stream;
