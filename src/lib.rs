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
pub(crate) mod config;
pub mod diag;
pub(crate) mod edit;
pub(crate) mod escape;
pub mod frontmatter;
pub(crate) mod highlight;
pub mod i18n;
pub mod import;
pub(crate) mod ix;
pub(crate) mod link;
pub mod load;
pub mod markdown;
pub(crate) mod model;
pub mod notify;
pub(crate) mod nowchecks;
pub(crate) mod packed;
pub(crate) mod render;
pub mod scaffold;
pub mod serve;
pub(crate) mod slug;
pub(crate) mod stages;
pub(crate) mod status;
pub(crate) mod theme;
pub(crate) mod time;
mod trim;
pub mod update;
pub(crate) mod uptime;
pub mod visibility;
pub(crate) mod write;
