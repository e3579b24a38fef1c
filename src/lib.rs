//! sitrep: a static site generator for incident reports.
//! The pipeline reads top to bottom in [`build::run`]: load → parse → validate → link → render → write.
pub mod highlight;
pub mod markdown;
pub mod slug;
