//! Whole-site builds at scale: generated sites of a few hundred incidents,
//! built with the real binary; each feature has its own module here.

#[path = "../common/mod.rs"]
mod common;

mod api;
mod badges;
mod ics;
mod pagination;
mod schema;
mod search;
mod statuspage;
