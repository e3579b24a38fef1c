//! PREVIOUS (`--since`: the folder last published, or its http(s) URL) in, its
//! [`Snapshot`] out: the list, and the record of each incident the new build
//! still has (fetched 8 at a time from a URL). A PREVIOUS that cannot be read
//! is an error naming the file or URL, never an empty site that would
//! announce every incident as new.

use super::snapshot::{self, LIST_PATH, Snapshot};
use crate::model::IncidentId;
use rayon::prelude::*;
use std::path::PathBuf;

/// Where the last published output is.
#[derive(Debug, Clone)]
pub(crate) enum Previous {
    Folder(PathBuf),
    /// Ends with `/`.
    Url(String),
}

impl Previous {
    pub(super) fn parse(since: &str) -> Previous {
        if since.starts_with("http://") || since.starts_with("https://") {
            let mut url = since.to_string();
            if !url.ends_with('/') {
                url.push('/');
            }
            Previous::Url(url)
        } else {
            Previous::Folder(PathBuf::from(since))
        }
    }

    /// How errors name a file of PREVIOUS.
    pub(super) fn shown(&self, rel: &str) -> String {
        match self {
            Previous::Folder(dir) => dir.join(rel).display().to_string(),
            Previous::Url(base) => format!("{base}{rel}"),
        }
    }

    /// The text of one file of PREVIOUS.
    fn read(&self, agent: &ureq::Agent, rel: &str) -> Result<String, String> {
        let shown = self.shown(rel);
        match self {
            Previous::Folder(dir) => std::fs::read_to_string(dir.join(rel))
                .map_err(|e| format!("cannot read {shown}: {e}")),
            Previous::Url(base) => {
                // A cache serving an older copy would announce old changes again.
                let mut resp = agent
                    .get(&format!("{base}{rel}"))
                    .header("Cache-Control", "no-cache")
                    .call()
                    .map_err(|e| format!("cannot fetch {shown}: {e}"))?;
                let code = resp.status().as_u16();
                if code != 200 {
                    return Err(format!("cannot fetch {shown}: HTTP {code}"));
                }
                resp.body_mut()
                    .with_config()
                    .limit(512 * 1024 * 1024)
                    .read_to_string()
                    .map_err(|e| format!("cannot fetch {shown}: {e}"))
            }
        }
    }

    /// The snapshot of PREVIOUS, with the records of the incidents `keep` wants.
    pub(super) fn snapshot(
        &self,
        keep: impl Fn(&IncidentId) -> bool + Sync,
    ) -> Result<Snapshot, String> {
        if let Previous::Folder(dir) = self
            && !dir.is_dir()
        {
            return Err(format!("{} is not a folder", dir.display()));
        }
        let agent = super::transport::agent();
        let incidents =
            snapshot::parse_list(&self.read(&agent, LIST_PATH)?, &self.shown(LIST_PATH))?;
        let wanted: Vec<&IncidentId> = incidents
            .iter()
            .map(|l| &l.id)
            .filter(|id| keep(id))
            .collect();
        let fetch = |id: &&IncidentId| {
            let rel = snapshot::record_path(id);
            let text = self.read(&agent, &rel)?;
            Ok((id.key(), snapshot::parse_record(&text, &self.shown(&rel))?))
        };
        let records: Result<Vec<_>, String> = match self {
            Previous::Folder(_) => wanted.iter().map(fetch).collect(),
            // Requests wait on the network, not the CPU: more of them than cores.
            Previous::Url(_) => rayon::ThreadPoolBuilder::new()
                .num_threads(8)
                .build()
                .map_err(|e| format!("cannot start the fetches: {e}"))?
                .install(|| wanted.par_iter().map(fetch).collect()),
        };
        Ok(Snapshot {
            incidents,
            records: records?.into_iter().collect(),
        })
    }
}
