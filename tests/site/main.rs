//! Whole-site builds at scale: generated sites of a few hundred incidents,
//! built with the real binary; each feature has its own module here.

#[path = "../common/mod.rs"]
mod common;

mod a11y;
mod api;
mod badges;
mod charts;
mod collisions;
mod gaps;
mod i18n;
mod ics;
mod internal;
mod pagination;
mod postmortem;
mod schema;
mod search;
mod statuspage;
mod theme_fixes;
