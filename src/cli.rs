//! The command line: arguments in, resolved options out (clap derive, one
//! struct per subcommand).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "sitrep",
    version,
    about = "A static site generator for incident reports and postmortems",
    after_help = "Examples:\n  sitrep build                      build ./content into ./output\n  sitrep build --base-url https://example.org/pm/ --output /tmp/site\n  sitrep check --format json        list every problem as JSON\n  sitrep serve --port 0             preview with live reload on a free port\n  sitrep new incident EX1331830     scaffold content/incidents/EX1331830.md"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (atomically).
    #[command(
        after_help = "On a terminal, a build that runs over a second shows a progress bar and ends with\none summary line (pages, feeds, bytes, time). In a pipe or a CI log it prints only\n`sitrep: built DIR in N ms` (and diagnostics)."
    )]
    Build(BuildArgs),
    /// Build, watch and serve the site with live reload; never writes output/.
    Serve(ServeArgs),
    /// Report every error and warning of the site; writes nothing.
    Check(CheckArgs),
    /// Scaffold a new incident or news story.
    New(NewArgs),
    /// Create a new site with one sample incident.
    Init(InitArgs),
    /// Tell the `[[notify]]` channels what changed since the last publish.
    #[command(
        after_help = "Examples:\n  sitrep notify --since https://status.example.org/ --dry-run\n  sitrep notify --since /srv/www/status      the folder last published\n\nExit codes: 0 every message was accepted (or nothing changed), 1 a channel failed\n(each failure is named) or the content has errors, 2 usage or config (a missing\nenvironment variable is named). See docs/notify.md."
    )]
    Notify(NotifyArgs),
}

#[derive(Debug, Args)]
pub struct RootArg {
    /// The site folder (holding sitrep.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Output folder (default: `output_dir` of sitrep.toml, relative to the root).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Override `base_url` of sitrep.toml.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include files with `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Build for the team: include everything marked internal (banner, noindex).
    #[arg(long)]
    pub internal: bool,
    /// Replace a non-empty output folder that sitrep did not write.
    #[arg(long)]
    pub force: bool,
    /// Print the time of each stage (load, parse, link, render, write) to stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Include files with `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Serve the team's build: include everything marked internal.
    #[arg(long)]
    pub internal: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Include files with `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Print the time of each stage (load, parse, link, render) to stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NewKind {
    Incident,
    News,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to create.
    pub kind: NewKind,
    /// The incident ID or the news slug.
    pub name: String,
    #[command(flatten)]
    pub root: RootArg,
}

#[derive(Debug, Args)]
pub struct NotifyArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// The site as last published: its output folder, or its http(s) URL.
    #[arg(long, value_name = "PREVIOUS")]
    pub since: String,
    /// Print the messages that would be sent; send nothing (needs no secrets).
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the new site (created; must be empty if it exists).
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
