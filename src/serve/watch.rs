//! Watch: file system events in (notify, on the site's own folders), debounced
//! [`Changes`] out — a burst of events (an editor's atomic save, a `git
//! checkout`) becomes one batch. [`classify`] decides what a path means and is
//! pure, so it is unit-tested without a file system.

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// What a changed path means for the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// A file or folder under `content/`: its path relative to `content/`
    /// (`""` for `content/` itself).
    Content(String),
    /// `templates/` or a theme's templates.
    Template,
    /// `static/` or a theme's static files.
    Static,
    /// `sitrep.toml`.
    Config,
    /// Editor scratch files, the output folder, anything sitrep does not read.
    Ignored,
}

/// Names editors write next to the real file while saving: vim's swap files and
/// its `4913` probe, backups (`x~`), emacs lock and autosave files, JetBrains'
/// safe-write copies, macOS metadata.
pub fn is_editor_temp(name: &str) -> bool {
    name == "4913"
        || name == ".DS_Store"
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|s| name.ends_with(s))
}

/// Classify a path relative to the site root (`/`-separated). `output_dir` is
/// the config's output folder, relative to the root: never a source.
pub fn classify(rel: &str, output_dir: &str) -> ChangeKind {
    let rel = rel.trim_matches('/');
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let Some(&first) = parts.first() else {
        return ChangeKind::Ignored;
    };
    if parts.last().is_some_and(|n| is_editor_temp(n)) {
        return ChangeKind::Ignored;
    }
    let out = output_dir.trim_start_matches("./").trim_matches('/');
    if !out.is_empty() && (rel == out || rel.starts_with(&format!("{out}/"))) {
        return ChangeKind::Ignored;
    }
    match (first, parts.len()) {
        ("sitrep.toml", 1) => ChangeKind::Config,
        ("content", _) => {
            let inner = &parts[1..];
            // The loader skips `.`/`_` names (but `_index.md`); so does the watcher.
            if inner.iter().any(|p| crate::load::ignored(p)) {
                ChangeKind::Ignored
            } else {
                ChangeKind::Content(inner.join("/"))
            }
        }
        // The site's own interface strings re-render every page, like a template.
        ("templates" | "i18n", _) => ChangeKind::Template,
        ("static", _) => ChangeKind::Static,
        ("themes", _) => match parts.get(2) {
            Some(&"static") => ChangeKind::Static,
            _ => ChangeKind::Template,
        },
        _ => ChangeKind::Ignored,
    }
}

/// One debounced batch of changes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Paths relative to `content/` to look at again (files or folders).
    pub content: BTreeSet<String>,
    pub templates: bool,
    pub statics: bool,
    pub config: bool,
    /// Events were lost (queue overflow): reread everything.
    pub rescan: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.content.is_empty() && !self.templates && !self.statics && !self.config && !self.rescan
    }

    pub fn add(&mut self, kind: ChangeKind) {
        match kind {
            ChangeKind::Content(p) => {
                self.content.insert(p);
            }
            ChangeKind::Template => self.templates = true,
            ChangeKind::Static => self.statics = true,
            ChangeKind::Config => self.config = true,
            ChangeKind::Ignored => {}
        }
    }

    /// Everything, as after a lost event or at start.
    pub fn everything() -> Changes {
        Changes {
            rescan: true,
            ..Default::default()
        }
    }
}

/// What the watch thread receives: file system events, or the order to stop.
pub enum Msg {
    Fs(notify::Result<Event>),
    Stop,
}

/// Folders watched recursively; the root itself is watched non-recursively
/// (for `sitrep.toml` and for these folders appearing later).
pub const WATCHED: [&str; 5] = ["content", "templates", "themes", "static", "i18n"];

/// The notify watcher, and which folders it has.
pub struct FsWatch {
    watcher: RecommendedWatcher,
    root: PathBuf,
    watched: BTreeSet<String>,
}

impl FsWatch {
    /// Start watching `root` (an absolute path); events go to `tx`.
    pub fn start(root: &Path, tx: Sender<Msg>) -> notify::Result<FsWatch> {
        let watcher = notify::recommended_watcher(move |ev| {
            // The receiver is gone only while shutting down.
            let _ = tx.send(Msg::Fs(ev));
        })?;
        let mut w = FsWatch {
            watcher,
            root: root.to_path_buf(),
            watched: BTreeSet::new(),
        };
        w.watcher.watch(root, RecursiveMode::NonRecursive)?;
        w.refresh()?;
        Ok(w)
    }

    /// Watch the folders of [`WATCHED`] that exist now and are not watched yet
    /// (a folder created after start), and forget those that went away.
    pub fn refresh(&mut self) -> notify::Result<()> {
        for dir in WATCHED {
            let path = self.root.join(dir);
            let exists = path.is_dir();
            if exists && !self.watched.contains(dir) {
                self.watcher.watch(&path, RecursiveMode::Recursive)?;
                self.watched.insert(dir.to_string());
            } else if !exists && self.watched.remove(dir) {
                // The kernel dropped the watch with the folder; nothing to undo.
                let _ = self.watcher.unwatch(&path);
            }
        }
        Ok(())
    }
}

/// Does this event change anything? Opening and reading files does not (and
/// the build itself reads them).
fn mutates(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(notify::event::AccessKind::Close(notify::event::AccessMode::Write)) => {
            true
        }
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Files being written in a batch: a batch whose writes were all closed
/// can end after [`Debounce::settle`] instead of [`Debounce::quiet`].
#[derive(Default)]
struct Writes {
    open: BTreeSet<PathBuf>,
    closed: bool,
}

impl Writes {
    fn note(&mut self, ev: &Event) {
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
        match ev.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for p in &ev.paths {
                    self.open.remove(p);
                }
                self.closed = true;
            }
            EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_)) => {
                self.open.extend(ev.paths.iter().cloned());
            }
            // Renames, removals, metadata, reads: nothing left open by them.
            _ => {}
        }
    }

    fn done(&self) -> bool {
        self.closed && self.open.is_empty()
    }
}

/// Add one event's paths to `changes`; true if it mattered.
fn absorb(ev: &Event, root: &Path, output_dir: &str, changes: &mut Changes) -> bool {
    if ev.need_rescan() {
        changes.rescan = true;
        return true;
    }
    if !mutates(&ev.kind) {
        return false;
    }
    let mut any = false;
    for p in &ev.paths {
        let Ok(rel) = p.strip_prefix(root) else {
            continue;
        };
        let rel = crate::load::rel(Path::new(""), rel);
        let kind = classify(&rel, output_dir);
        if kind != ChangeKind::Ignored {
            any = true;
            changes.add(kind);
        }
    }
    any
}

/// Timing of the debouncer.
#[derive(Debug, Clone, Copy)]
pub struct Debounce {
    /// A batch ends after this long without a relevant event.
    pub quiet: Duration,
    /// ...or this long after its first event, whatever keeps coming.
    pub max: Duration,
    /// ...or this long without an event once every file written in the
    /// batch was closed (the writer is done: no need to wait `quiet`).
    pub settle: Duration,
}

impl Default for Debounce {
    fn default() -> Self {
        Debounce {
            quiet: Duration::from_millis(30),
            max: Duration::from_millis(1000),
            settle: Duration::from_millis(3),
        }
    }
}

/// Block until the next batch of relevant changes (returned), or until `Stop`
/// or a closed channel (`None`). `on_first` runs when a batch begins, so the
/// server can report "building" before the quiet period ends. After `wake`
/// without an event, an empty batch comes back: "now" moved on.
pub fn next_batch(
    rx: &Receiver<Msg>,
    root: &Path,
    output_dir: &str,
    timing: Debounce,
    wake: Option<Duration>,
    on_first: &mut dyn FnMut(),
) -> Option<Changes> {
    let mut changes = Changes::default();
    let mut writes = Writes::default();
    let deadline = wake.map(|w| Instant::now() + w);
    // Wait for a relevant event (or the clock's next change).
    loop {
        let msg = match deadline {
            None => rx.recv().ok()?,
            Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => return Some(changes),
                Err(RecvTimeoutError::Disconnected) => return None,
            },
        };
        match msg {
            Msg::Stop => return None,
            Msg::Fs(Ok(ev)) => {
                if absorb(&ev, root, output_dir, &mut changes) {
                    writes.note(&ev);
                    break;
                }
            }
            // An error from the watcher backend: better to reread everything.
            Msg::Fs(Err(_)) => {
                changes.rescan = true;
                break;
            }
        }
    }
    on_first();
    let started = Instant::now();
    loop {
        let left = timing.max.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let quiet = if writes.done() {
            timing.settle
        } else {
            timing.quiet
        };
        match rx.recv_timeout(quiet.min(left)) {
            Ok(Msg::Stop) => return None,
            Ok(Msg::Fs(Ok(ev))) => {
                if absorb(&ev, root, output_dir, &mut changes) {
                    writes.note(&ev);
                }
            }
            Ok(Msg::Fs(Err(_))) => changes.rescan = true,
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    Some(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind, RemoveKind, RenameMode};
    use std::sync::mpsc::channel;

    fn content(p: &str) -> ChangeKind {
        ChangeKind::Content(p.into())
    }

    #[test]
    fn content_files_and_folders() {
        assert_eq!(
            classify("content/incidents/EX1.md", "output"),
            content("incidents/EX1.md")
        );
        assert_eq!(
            classify("content/incidents/2026", "output"),
            content("incidents/2026")
        );
        assert_eq!(classify("content", "output"), content(""));
        assert_eq!(
            classify("content/_index.md", "output"),
            content("_index.md")
        );
        assert_eq!(
            classify("content/img/chart.png", "output"),
            content("img/chart.png")
        );
    }

    #[test]
    fn what_the_loader_skips_is_ignored() {
        for p in [
            "content/.hidden.md",
            "content/_drafts/x.md",
            "content/incidents/_notes/x.md",
        ] {
            assert_eq!(classify(p, "output"), ChangeKind::Ignored, "{p}");
        }
    }

    #[test]
    fn editor_temp_files_are_ignored() {
        for p in [
            "content/incidents/.EX1.md.swp",
            "content/incidents/.EX1.md.swx",
            "content/incidents/EX1.md~",
            "content/incidents/4913",
            "content/incidents/.#EX1.md",
            "content/incidents/#EX1.md#",
            "templates/base.html~",
            "content/x.md.tmp",
            "static/style.css___jb_tmp___",
            "content/.DS_Store",
        ] {
            assert_eq!(classify(p, "output"), ChangeKind::Ignored, "{p}");
        }
    }

    #[test]
    fn templates_static_config() {
        assert_eq!(
            classify("templates/base.html", "output"),
            ChangeKind::Template
        );
        assert_eq!(classify("templates", "output"), ChangeKind::Template);
        assert_eq!(
            classify("themes/dark/templates/incident.html", "output"),
            ChangeKind::Template
        );
        assert_eq!(classify("themes/dark", "output"), ChangeKind::Template);
        assert_eq!(classify("static/style.css", "output"), ChangeKind::Static);
        assert_eq!(
            classify("themes/dark/static/style.css", "output"),
            ChangeKind::Static
        );
        assert_eq!(classify("sitrep.toml", "output"), ChangeKind::Config);
        assert_eq!(classify("/sitrep.toml", "output"), ChangeKind::Config);
    }

    #[test]
    fn output_and_unrelated_paths_are_ignored() {
        for p in [
            "output/index.html",
            "output",
            ".git/index",
            "README.md",
            "content.md",
            "sitrep.toml.bak/x",
            "",
        ] {
            assert_eq!(classify(p, "output"), ChangeKind::Ignored, "{p}");
        }
        assert_eq!(classify("public/x.html", "./public/"), ChangeKind::Ignored);
        // An output folder inside content/ is still never a source.
        assert_eq!(
            classify("content/out/index.html", "content/out"),
            ChangeKind::Ignored
        );
    }

    fn ev(kind: EventKind, paths: &[&str]) -> Msg {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        Msg::Fs(Ok(e))
    }

    fn fast() -> Debounce {
        Debounce {
            quiet: Duration::from_millis(20),
            max: Duration::from_millis(500),
            settle: Duration::from_millis(2),
        }
    }

    #[test]
    fn an_atomic_save_is_one_batch() {
        let (tx, rx) = channel();
        let root = Path::new("/site");
        // vim: probe file, swap file, write to a temp name, rename over the original.
        tx.send(ev(
            EventKind::Create(CreateKind::File),
            &["/site/content/incidents/4913"],
        ))
        .unwrap();
        tx.send(ev(
            EventKind::Modify(ModifyKind::Any),
            &["/site/content/incidents/.EX1.md.swp"],
        ))
        .unwrap();
        tx.send(ev(
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            &[
                "/site/content/incidents/EX1.md~",
                "/site/content/incidents/EX1.md",
            ],
        ))
        .unwrap();
        tx.send(ev(
            EventKind::Remove(RemoveKind::File),
            &["/site/content/incidents/EX1.md~"],
        ))
        .unwrap();
        let mut started = 0;
        let b = next_batch(&rx, root, "output", fast(), None, &mut || started += 1).unwrap();
        assert_eq!(started, 1);
        assert_eq!(
            b.content.iter().cloned().collect::<Vec<_>>(),
            vec!["incidents/EX1.md".to_string()]
        );
        assert!(!b.templates && !b.config && !b.statics);
        tx.send(Msg::Stop).unwrap();
        assert!(next_batch(&rx, root, "output", fast(), None, &mut || {}).is_none());
    }

    #[test]
    fn a_closed_write_ends_the_batch_without_the_quiet_wait() {
        use notify::event::{AccessKind, AccessMode, DataChange};
        let (tx, rx) = channel();
        let root = Path::new("/site");
        let slow = Debounce {
            quiet: Duration::from_secs(2),
            ..fast()
        };
        let file = "/site/content/incidents/EX1.md";
        tx.send(ev(
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            &[file],
        ))
        .unwrap();
        tx.send(ev(
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            &[file],
        ))
        .unwrap();
        let t = Instant::now();
        let b = next_batch(&rx, root, "output", slow, None, &mut || {}).unwrap();
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        assert!(b.content.contains("incidents/EX1.md"));
        // Still open (no close yet): the batch waits the quiet time.
        tx.send(ev(
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            &[file],
        ))
        .unwrap();
        let quiet = Debounce {
            quiet: Duration::from_millis(60),
            ..fast()
        };
        let t = Instant::now();
        next_batch(&rx, root, "output", quiet, None, &mut || {}).unwrap();
        assert!(t.elapsed() >= Duration::from_millis(60));
    }

    #[test]
    fn ignored_events_do_not_start_a_batch() {
        let (tx, rx) = channel();
        let root = Path::new("/site");
        tx.send(ev(
            EventKind::Access(notify::event::AccessKind::Open(
                notify::event::AccessMode::Read,
            )),
            &["/site/content/a.md"],
        ))
        .unwrap();
        tx.send(ev(
            EventKind::Modify(ModifyKind::Any),
            &["/site/output/index.html"],
        ))
        .unwrap();
        tx.send(ev(
            EventKind::Modify(ModifyKind::Any),
            &["/site/sitrep.toml"],
        ))
        .unwrap();
        tx.send(ev(
            EventKind::Create(CreateKind::Folder),
            &["/site/templates"],
        ))
        .unwrap();
        let mut started = 0;
        let b = next_batch(&rx, root, "output", fast(), None, &mut || started += 1).unwrap();
        assert_eq!(started, 1);
        assert!(b.config && b.templates && b.content.is_empty());
        drop(tx);
        assert!(next_batch(&rx, root, "output", fast(), None, &mut || {}).is_none());
    }

    #[test]
    fn lost_events_mean_rescan() {
        let (tx, rx) = channel();
        let e = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        tx.send(Msg::Fs(Ok(e))).unwrap();
        let b = next_batch(&rx, Path::new("/site"), "output", fast(), None, &mut || {}).unwrap();
        assert!(b.rescan);
    }

    #[test]
    fn the_clock_wakes_an_idle_watcher_with_an_empty_batch() {
        let (tx, rx) = channel::<Msg>();
        let t = Instant::now();
        let wake = Some(Duration::from_millis(40));
        let b = next_batch(&rx, Path::new("/site"), "output", fast(), wake, &mut || {}).unwrap();
        assert!(b.is_empty() && t.elapsed() >= Duration::from_millis(40));
        tx.send(Msg::Stop).unwrap();
        assert!(next_batch(&rx, Path::new("/site"), "output", fast(), wake, &mut || {}).is_none());
    }
}
