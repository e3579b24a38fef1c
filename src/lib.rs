//! sitrep: a static site generator for incident reports.
//! The pipeline reads top to bottom in `build.rs`: load → frontmatter (parse +
//! per-file rules) → visibility → now checks (the clock's warnings) → link
//! (cross-file rules, Markdown, backlinks, taxonomies) → render → write; the
//! stages serve shares with it are in `stages.rs`.
// A `Diagnostic` is a rich error value (file, line, source line, hint) returned on
// cold paths only; boxing every one would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod cli;
pub mod config;
pub mod diag;
pub(crate) mod edit;
pub mod escape;
pub mod frontmatter;
pub mod highlight;
pub mod i18n;
pub mod import;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod notify;
pub mod nowchecks;
pub mod packed;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod slug;
pub(crate) mod stages;
pub mod status;
pub mod theme;
pub mod time;
pub mod update;
pub mod uptime;
pub mod visibility;
pub mod write;
