//! Whole-site builds with the real binary (sample site, small fixtures and
//! generated sites of a few hundred incidents), the CLI, the stages fed hostile
//! input, and the theme's templates: each feature has its own module here.

#[path = "../common/mod.rs"]
mod common;

mod a11y;
mod api;
mod badges;
mod build;
mod charts;
mod cli;
mod collisions;
mod contexts;
mod embed;
mod fuzz;
mod gaps;
mod groups;
mod html_valid;
mod i18n;
mod ics;
mod internal;
mod pagination;
mod postmortem;
mod publish;
mod schema;
mod search;
mod similar;
mod statuspage;
mod theme_fixes;
mod theme_render;
