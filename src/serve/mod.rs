//! `sitrep serve`: [`ServeArgs`] in; a live preview out — the site built into
//! memory (never into `output/`) with `base_url` set to the served address,
//! rebuilt incrementally on every change and pushed to open pages.
//!
//! Threads: the main thread runs the HTTP server ([`server`], [`http`]) on a
//! small tokio runtime, which also carries the browsers' event streams
//! ([`events`]); one thread waits for debounced file changes and rebuilds
//! ([`watch`], [`incremental`]). On SIGINT or SIGTERM both stop.

mod cache;
mod docs;
pub(crate) mod events;
pub(crate) mod http;
pub mod incremental;
pub(crate) mod ledger;
pub(crate) mod server;
pub(crate) mod site;
mod templates;
pub mod watch;

use crate::build::Failure;
use crate::cli::ServeArgs;
use crate::diag::{self, Diagnostic};
use events::{Event, Hub};
use incremental::{Engine, Outcome};
use site::{Publisher, Shared};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};
use watch::{Changes, Debounce, FsWatch, Msg};

/// How long after Ctrl-C a rebuild in progress may take to finish, so that
/// serve stops within 2 s.
const STOP_WAIT: Duration = Duration::from_millis(1500);

/// The command line, resolved once.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub drafts: bool,
    /// `--internal`: serve the team's build.
    pub internal: bool,
}

impl ServeOptions {
    pub fn from_args(a: &ServeArgs) -> Result<ServeOptions, Failure> {
        let root = std::fs::canonicalize(&a.root.root).map_err(|e| {
            usage(
                &a.root.root.display().to_string(),
                format!("cannot open the site folder: {e}"),
                "pass the folder that holds sitrep.toml with --root",
            )
        })?;
        Ok(ServeOptions {
            root,
            bind: a.bind.clone(),
            port: a.port,
            drafts: a.drafts,
            internal: a.internal,
        })
    }
}

fn usage(file: &str, msg: String, hint: &str) -> Failure {
    Failure::Usage(vec![Diagnostic::error(file, msg).hint(hint)])
}

/// The warnings of a rebuild.
fn warnings_of(o: &Outcome) -> Vec<Diagnostic> {
    o.diags.iter().filter(|d| !d.is_error()).cloned().collect()
}

/// Print the warnings if they changed since those printed last (`last`, in
/// [`crate::nowchecks::steady`] form: a stale warning's growing age is no change).
fn print_warnings(warnings: &[Diagnostic], last: &mut Vec<Diagnostic>) {
    let steady: Vec<Diagnostic> = warnings.iter().map(crate::nowchecks::steady).collect();
    if steady == *last {
        return;
    }
    if warnings.is_empty() {
        eprintln!("sitrep: no warnings left");
    }
    eprint!("{}", diag::render_text(warnings));
    *last = steady;
}

/// A tick of the clock that rendered nothing: only the warnings can have
/// changed (a stale-update warning appeared). Reported only if they did.
fn report_tick(o: &Outcome, shared: &Shared, hub: &Hub, last: &mut Vec<Diagnostic>) {
    let warnings = warnings_of(o);
    print_warnings(&warnings, last);
    if shared.set_warnings(warnings) {
        hub.send(Event::State);
    }
}

/// Print what a rebuild found and record it for the browsers.
fn report(o: &Outcome, shared: &Shared, hub: &Hub, started: Instant, last: &mut Vec<Diagnostic>) {
    let errors: Vec<Diagnostic> = o.diags.iter().filter(|d| d.is_error()).cloned().collect();
    let warnings = warnings_of(o);
    let ms = started.elapsed().as_millis();
    if errors.is_empty() {
        print_warnings(&warnings, last);
        eprintln!("sitrep: rebuilt in {ms} ms ({} pages rendered)", o.rendered);
    } else {
        eprint!("{}", diag::render_text(&o.diags));
        let n = errors.len();
        eprintln!(
            "sitrep: {n} error{}; still serving the last good site",
            if n == 1 { "" } else { "s" }
        );
        last.clear();
    }
    if std::env::var_os("SITREP_TIMINGS").is_some() {
        let parts: Vec<String> = o
            .timings
            .iter()
            .map(|(n, d)| format!("{n} {:.1}ms", d.as_secs_f64() * 1000.0))
            .collect();
        eprintln!("sitrep: timings: {}", parts.join(", "));
    }
    let warned = shared.set_warnings(warnings);
    if shared.finish(errors) | warned {
        hub.send(Event::State);
    }
}

/// The build thread: wait for a batch of changes, rebuild, repeat until told to stop.
fn build_loop(
    mut engine: Engine,
    mut fs: Option<FsWatch>,
    rx: std::sync::mpsc::Receiver<Msg>,
    root: &Path,
    shared: &Shared,
    hub: &Hub,
    mut last_warnings: Vec<Diagnostic>,
) {
    let output_dir = engine
        .config()
        .map_or_else(|| "output".to_string(), |c| c.output_dir.clone());
    loop {
        let mut started = Instant::now();
        let wake = engine.wait();
        let batch = watch::next_batch(
            &rx,
            root,
            &output_dir,
            Debounce::default(),
            wake,
            &mut || {
                started = Instant::now();
                shared.set_building();
            },
        );
        let Some(changes) = batch else {
            break;
        };
        if let Some(w) = fs.as_mut()
            && let Err(e) = w.refresh()
        {
            eprintln!("sitrep: cannot watch a new folder: {e}");
        }
        let outcome = engine.rebuild(&changes, &mut Publisher { shared, hub });
        // The clock's own ticks are reported only when they change a page
        // (or the warnings).
        if changes.is_empty() && outcome.rendered == 0 && outcome.ok {
            report_tick(&outcome, shared, hub, &mut last_warnings);
            continue;
        }
        report(&outcome, shared, hub, started, &mut last_warnings);
    }
}

/// Run until Ctrl-C. Usage problems (no sitrep.toml, port taken) are errors;
/// content errors are shown in the terminal and the browser while serving.
pub fn run(args: &ServeArgs) -> Result<Vec<Diagnostic>, Failure> {
    let opts = ServeOptions::from_args(args)?;
    // The config must at least load before anything is served.
    crate::build::load_config(&crate::build::BuildOptions {
        root: opts.root.clone(),
        ..Default::default()
    })?;
    let listener = bind(&opts)?;
    let addr = listener.addr;
    let base_url = format!("http://{addr}/");
    let shared = Arc::new(Shared::new(instance()));
    let hub = Hub::new(shared.clone().state_source());

    // Watch before the first build, so nothing saved during it is missed.
    let (tx, rx) = channel();
    let fs = start_watch(&opts.root, tx.clone());
    let started = Instant::now();
    let mut engine = Engine::new(&opts.root, opts.drafts, &base_url)
        .for_audience(crate::visibility::Audience::from_flag(opts.internal));
    let outcome = engine.rebuild(
        &Changes::everything(),
        &mut Publisher {
            shared: &shared,
            hub: &hub,
        },
    );
    let mut last_warnings = Vec::new();
    report(&outcome, &shared, &hub, started, &mut last_warnings);

    let (built_tx, built_rx) = channel::<()>();
    let builder = {
        let (shared, hub, root) = (shared.clone(), hub.clone(), opts.root.clone());
        std::thread::spawn(move || {
            build_loop(engine, fs, rx, &root, &shared, &hub, last_warnings);
            let _ = built_tx.send(());
        })
    };
    let app = Arc::new(http::App {
        shared,
        hub,
        hosts: http::Hosts::for_addr(addr),
    });
    let running = server::start(listener, app).map_err(|e| {
        usage(
            "--port",
            format!("cannot serve on {addr}: {e}"),
            "choose another --port or --bind address",
        )
    })?;
    println!("Serving at {base_url}");
    let _ = std::io::stdout().flush();
    eprintln!(
        "sitrep: watching {} for changes; press Ctrl-C to stop",
        opts.root.display()
    );
    // Blocks until SIGINT or SIGTERM; the rebuilds are told to stop at once.
    let stopped = running.wait(|| {
        let _ = tx.send(Msg::Stop);
    });
    // A rebuild in progress finishes first; do not wait long for a big one
    // (its thread ends with the process).
    if built_rx
        .recv_timeout(STOP_WAIT.saturating_sub(stopped.elapsed()))
        .is_ok()
    {
        let _ = builder.join();
    } else {
        eprintln!("sitrep: not waiting for the rebuild in progress");
    }
    Ok(Vec::new())
}

/// The listening socket, or a usage error naming the flag to change.
fn bind(opts: &ServeOptions) -> Result<server::Listener, Failure> {
    let listener = server::Listener::bind(&opts.bind, opts.port).map_err(|e| {
        usage(
            "--port",
            format!("cannot listen on {}:{}: {e}", opts.bind, opts.port),
            "choose another --port (0 picks a free one) or --bind address",
        )
    })?;
    if let Some(w) = listener.warning() {
        eprintln!("{w}");
    }
    Ok(listener)
}

/// This server's identity for open pages: a page that reconnects to another
/// server (a restart) reloads.
fn instance() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// The file watcher, or `None` (serving goes on without live reload).
fn start_watch(root: &Path, tx: std::sync::mpsc::Sender<Msg>) -> Option<FsWatch> {
    match FsWatch::start(root, tx) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!(
                "sitrep: cannot watch {}: {e}; serving without live reload",
                root.display()
            );
            None
        }
    }
}
