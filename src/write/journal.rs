//! The update journal: each change to the output folder is written to a file
//! in the staging folder before it is made, so a killed or failed update can
//! be undone — by the build itself when a step fails, or by the next build
//! when the process was killed. A journal that ends in `C` was committed and
//! needs no undoing. In: the steps of an update; out: the output as it was.
//!
//! Steps, one a line (paths as JSON strings, so any name fits on a line):
//! `M path` the previous entry at `path` moved to `old/` (it is removed, or
//! something of another kind takes its place); `L path` the previous file at
//! `path` hard-linked into `old/` (a new file replaces it, so readers never
//! find it missing); `D path` a folder was made; `N path` the new file moved
//! from `new/` to `path`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub(super) const FILE: &str = "journal";
const COMMITTED: &str = "C";

/// One step of an update, as journaled.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Moved(String),
    Linked(String),
    Dir(String),
    New(String),
}

/// The journal of one update: where the staged files are and where they go.
pub(super) struct Journal {
    file: File,
    /// The staging folder: `new/`, `old/` and the journal file.
    stage: PathBuf,
    target: PathBuf,
}

impl Journal {
    pub(super) fn create(stage: &Path, target: &Path) -> io::Result<Journal> {
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(stage.join(FILE))?;
        Ok(Journal {
            file,
            stage: stage.to_path_buf(),
            target: target.to_path_buf(),
        })
    }

    /// Journal `step`, then make it. Unbuffered: the line is in the file
    /// before the change is made, which is all a killed process needs.
    pub(super) fn run(&mut self, step: Step) -> io::Result<()> {
        let (tag, path) = match &step {
            Step::Moved(p) => ('M', p),
            Step::Linked(p) => ('L', p),
            Step::Dir(p) => ('D', p),
            Step::New(p) => ('N', p),
        };
        let line = format!("{tag} {}\n", serde_json::Value::from(path.as_str()));
        self.file.write_all(line.as_bytes())?;
        let (old, new, out) = (
            self.stage.join("old").join(path),
            self.stage.join("new").join(path),
            self.target.join(path),
        );
        match step {
            Step::Moved(_) | Step::Linked(_) => {
                if let Some(parent) = old.parent() {
                    fs::create_dir_all(parent)?;
                }
                // A file system without hard links gets a move instead.
                if !(matches!(step, Step::Linked(_)) && fs::hard_link(&out, &old).is_ok()) {
                    fs::rename(&out, &old)?;
                }
                Ok(())
            }
            Step::Dir(_) => fs::create_dir(&out),
            Step::New(_) => fs::rename(&new, &out),
        }
    }

    /// Every step is made: from here on the new output stands.
    pub(super) fn commit(mut self) -> io::Result<()> {
        self.file.write_all(format!("{COMMITTED}\n").as_bytes())
    }
}

/// Undo the journaled steps of the update staged in `stage`, newest first,
/// unless it was committed. Each step is undone only as far as it was made, so
/// a journal cut off between a line and its change rolls back too.
pub(super) fn roll_back(stage: &Path, target: &Path) -> io::Result<()> {
    let text = match fs::read_to_string(stage.join(FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let steps = parse(&text);
    let Some(steps) = steps else {
        return Ok(());
    };
    for step in steps.iter().rev() {
        undo(step, stage, target)?;
    }
    Ok(())
}

/// The steps of a journal, or `None` if it was committed. A last line cut off
/// by a kill is ignored: its step was not begun.
fn parse(text: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for line in text.lines() {
        if line == COMMITTED {
            return None;
        }
        let Some((tag, json)) = line.split_once(' ') else {
            continue;
        };
        let Ok(serde_json::Value::String(path)) = serde_json::from_str(json) else {
            continue;
        };
        steps.push(match tag {
            "M" => Step::Moved(path),
            "L" => Step::Linked(path),
            "D" => Step::Dir(path),
            "N" => Step::New(path),
            _ => continue,
        });
    }
    Some(steps)
}

fn undo(step: &Step, stage: &Path, target: &Path) -> io::Result<()> {
    let gone =
        |p: &Path| matches!(p.symlink_metadata(), Err(e) if e.kind() == io::ErrorKind::NotFound);
    match step {
        Step::Moved(p) | Step::Linked(p) => {
            let (old, out) = (stage.join("old").join(p), target.join(p));
            let Ok(was) = old.symlink_metadata() else {
                return Ok(());
            };
            // A new file where a folder was goes first; a new file over a
            // previous file is replaced by one rename, never leaving a gap.
            if was.is_dir() && out.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                fs::remove_file(&out)?;
            }
            fs::rename(&old, &out)?;
        }
        Step::Dir(p) => {
            let out = target.join(p);
            if !gone(&out) {
                fs::remove_dir(out)?;
            }
        }
        Step::New(p) => {
            let (new, out) = (stage.join("new").join(p), target.join(p));
            // Moved in, and no previous entry to put back over it (that is
            // the `M`/`L` step's undo, next): remove it.
            if gone(&new) && gone(&stage.join("old").join(p)) && !gone(&out) {
                fs::remove_file(out)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_off_or_committed_journal_parses_as_it_should() {
        let text = "L \"a/b.html\"\nM \"x\"\nD \"c\"\nN \"c/d.html\"\nN \"c/e";
        assert_eq!(
            parse(text),
            Some(vec![
                Step::Linked("a/b.html".into()),
                Step::Moved("x".into()),
                Step::Dir("c".into()),
                Step::New("c/d.html".into()),
            ])
        );
        assert_eq!(parse(&format!("{text}.html\"\nC\n")), None);
        assert_eq!(
            parse("N \"line\\nbreak\"\n"),
            Some(vec![Step::New("line\nbreak".into())])
        );
    }
}
