//! Whole-site builds at scale: generated sites of a few hundred incidents,
//! built with the real binary; each feature has its own module here.

#[path = "../common/mod.rs"]
mod common;

mod a11y;
mod api;
mod charts;
mod pagination;
mod search;
