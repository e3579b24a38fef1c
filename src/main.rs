//! The `sitrep` binary: parse the command line, call the library, print
//! diagnostics, progress and timings, map the result to an exit code (0 ok,
//! 1 content, 2 usage).

use clap::Parser;
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use sitrep::build::{self, BuildOptions, Failure, Progress, Report};
use sitrep::cli::{Cli, Command, Format};
use sitrep::diag::{self, Diagnostic};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// Builds allocate many short-lived strings and JSON values on every thread;
// mimalloc's per-thread heaps beat the system allocator there (see README).
// Its v2 (Cargo.toml), not v3: at 100,000 incidents v3 peaked 30-40 MiB
// higher and parsed about half as fast (docs/performance.md).
// `--features system-alloc` leaves it out, for heap profilers (heaptrack,
// massif) that see only the C library's malloc.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// The stage times a run left in `progress`, printed whether it succeeded or
/// not (the stages that did not run show 0). `check` writes nothing, so it has
/// no write stage.
fn print_timings(progress: &Progress, stages: usize) {
    let t = progress
        .timings
        .lock()
        .map(|t| t.clone())
        .unwrap_or_default();
    eprintln!("sitrep: timings");
    for (stage, d) in t.stages().into_iter().take(stages) {
        eprintln!("  {stage:<7}{:>9.1} ms", d.as_secs_f64() * 1e3);
    }
    if stages == 5 {
        let (reused, total) = (
            progress.reused.load(Relaxed),
            progress.pages_total.load(Relaxed),
        );
        // Not "pages": a piped build prints no summary line, and tests say so.
        eprintln!(
            "  html     {} rendered, {reused} reused",
            total.saturating_sub(reused)
        );
        eprintln!(
            "  machine  {} rendered, {} reused",
            progress.jobs_run.load(Relaxed),
            progress.jobs_reused.load(Relaxed)
        );
    }
}

/// A progress bar on stderr, drawn only once the build has run for a second so
/// quick builds do not flicker.
struct Bar {
    done: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Bar {
    fn start(progress: Arc<Progress>) -> Bar {
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut bar: Option<ProgressBar> = None;
            while !stop.load(Relaxed) {
                std::thread::park_timeout(Duration::from_millis(100));
                if started.elapsed() < Duration::from_secs(1) {
                    continue;
                }
                draw(&mut bar, &progress);
            }
            if let Some(b) = bar {
                b.finish_and_clear();
            }
        });
        Bar { done, thread }
    }

    fn stop(self) {
        self.done.store(true, Relaxed);
        self.thread.thread().unpark();
        let _ = self.thread.join();
    }
}

/// A spinner while content is read and linked (the page count is not known
/// yet), then a bar of pages written.
fn draw(bar: &mut Option<ProgressBar>, p: &Progress) {
    let style =
        |t: &str| ProgressStyle::with_template(t).unwrap_or_else(|_| ProgressStyle::default_bar());
    let b = bar.get_or_insert_with(|| {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style("{spinner} reading content {elapsed}"))
    });
    let total = p.pages_total.load(Relaxed) as u64;
    if total > 0 && b.length() != Some(total) {
        b.set_style(style("{bar:40} {pos}/{len} pages {elapsed}"));
        b.set_length(total);
    }
    if total == 0 {
        b.tick();
    }
    b.set_position(p.pages.load(Relaxed) as u64);
}

fn build_command(opts: BuildOptions, timings: bool) -> ExitCode {
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let progress = Arc::new(Progress::default());
    let bar = tty.then(|| Bar::start(progress.clone()));
    let opts = BuildOptions {
        progress: Some(progress.clone()),
        ..opts
    };
    let result = build::build(&opts);
    if let Some(b) = bar {
        b.stop();
    }
    let result = result.map(|r: Report| {
        if let Some(out) = &r.output {
            let ms = started.elapsed().as_millis();
            if tty {
                let w = r.written;
                eprintln!(
                    "sitrep: built {}: {} pages, {} feeds, {}; {} files changed, {} unchanged, {} removed in {ms} ms",
                    out.display(),
                    r.pages,
                    r.feeds,
                    HumanBytes(r.bytes),
                    w.changed,
                    w.kept,
                    w.removed
                );
            } else {
                eprintln!("sitrep: built {} in {ms} ms", out.display());
            }
        }
        r.warnings
    });
    if timings {
        print_timings(&progress, 5);
    }
    exit_for(result, Format::Text)
}

/// `notify`: the messages or deliveries on stdout, each failed channel on
/// stderr (exit 1 when any failed).
fn notify_command(a: &sitrep::cli::NotifyArgs) -> ExitCode {
    let opts = sitrep::notify::NotifyOptions {
        root: a.root.root.clone(),
        since: a.since.clone(),
        dry_run: a.dry_run,
    };
    let report = match sitrep::notify::run(&opts) {
        Ok(r) => r,
        Err(f) => return exit_for(Err(f), Format::Text),
    };
    print(&report.warnings, Format::Text);
    for line in &report.out {
        println!("{line}");
    }
    for f in &report.failures {
        eprintln!("error: {f}");
    }
    if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
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
                internal: a.internal,
                force: a.force,
                progress: None,
            };
            build_command(opts, a.timings)
        }
        Command::Check(a) => {
            let progress = Arc::new(Progress::default());
            let opts = BuildOptions {
                root: a.root.root,
                drafts: a.drafts,
                progress: Some(progress.clone()),
                ..Default::default()
            };
            let result = build::check(&opts).map(|r| r.warnings);
            if a.timings {
                print_timings(&progress, 4);
            }
            exit_for(result, a.format)
        }
        Command::Serve(a) => exit_for(sitrep::serve::run(&a), Format::Text),
        Command::New(a) => exit_for(sitrep::scaffold::new(&a), Format::Text),
        Command::Init(a) => exit_for(sitrep::scaffold::init(&a), Format::Text),
        Command::Notify(a) => notify_command(&a),
        Command::Update(a) => exit_for(sitrep::update::run(&a), Format::Text),
        Command::Import(a) => import_command(a),
    }
}

/// Warnings one a line on stderr, the files written and the summary on stdout
/// (the summary last); exit 1 when an item or file had to be skipped.
fn import_command(a: sitrep::cli::ImportArgs) -> ExitCode {
    let opts = sitrep::import::ImportOptions {
        root: a.root.root,
        format: a.format,
        sources: a.sources,
        dry_run: a.dry_run,
    };
    let outcome = match sitrep::import::import(&opts) {
        Ok(o) => o,
        Err(f) => return exit_for(Err(f), Format::Text),
    };
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    eprint!("{}", diag::render_text(&outcome.errors));
    let would = if a.dry_run { "would be " } else { "" };
    for (file, verb) in &outcome.written {
        println!("{would}{verb} {file}");
    }
    println!("{}", outcome.summary());
    if outcome.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
