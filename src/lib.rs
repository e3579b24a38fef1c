//! sitrep: a static site generator for incident reports.
//! The pipeline reads top to bottom in [`build::run`]: load → parse → validate → link → render → write.
pub mod config;
pub mod diag;
pub mod frontmatter;
pub mod model;
pub mod slug;
pub mod time;
