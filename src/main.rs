//! The `sitrep` binary: parse the command line, call the library, print
//! diagnostics, map the result to an exit code (0 ok, 1 content, 2 usage).

use clap::Parser;
use sitrep::build::{self, BuildOptions, Failure};
use sitrep::cli::{Cli, Command, Format};
use sitrep::diag::{self, Diagnostic};
use std::process::ExitCode;

fn print(diags: &[Diagnostic], format: Format) {
    match format {
        Format::Text => eprint!("{}", diag::render_text(diags)),
        Format::Json => print!("{}", diag::render_json(diags)),
    }
}

fn exit_for(result: Result<Vec<Diagnostic>, Failure>, format: Format) -> ExitCode {
    match result {
        Ok(warnings) => {
            print(&warnings, format);
            ExitCode::SUCCESS
        }
        Err(f) => {
            print(f.diagnostics(), format);
            let errors = f.diagnostics().iter().filter(|d| d.is_error()).count();
            if matches!(format, Format::Text) {
                eprintln!(
                    "sitrep: {errors} error{}",
                    if errors == 1 { "" } else { "s" }
                );
            }
            ExitCode::from(match f {
                Failure::Usage(_) => 2,
                Failure::Content(_) => 1,
            })
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Build(a) => {
            let opts = BuildOptions {
                root: a.root.root,
                output: a.output,
                base_url: a.base_url,
                drafts: a.drafts,
                force: a.force,
            };
            let started = std::time::Instant::now();
            let result = build::build(&opts).map(|r| {
                if let Some(out) = &r.output {
                    eprintln!(
                        "sitrep: built {} in {} ms",
                        out.display(),
                        started.elapsed().as_millis()
                    );
                }
                r.warnings
            });
            exit_for(result, Format::Text)
        }
        Command::Check(a) => {
            let opts = BuildOptions {
                root: a.root.root,
                drafts: a.drafts,
                ..Default::default()
            };
            exit_for(build::check(&opts), a.format)
        }
        Command::Serve(a) => exit_for(sitrep::serve::run(&a), Format::Text),
        Command::New(a) => exit_for(sitrep::scaffold::new(&a), Format::Text),
        Command::Init(a) => exit_for(sitrep::scaffold::init(&a), Format::Text),
    }
}
