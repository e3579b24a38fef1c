//! Another tool's front matter (cState, Statusfy) in, a generic JSON value and
//! the body's offset out, so importers read it without knowing the YAML
//! backend. YAML errors point at their line in the file, as for our own files.

use super::{Split, split, yaml_error};
use crate::diag::{Diagnostic, SourceText};

/// The front matter of `src` as a JSON value (a map, or `null` when empty) and
/// the byte offset where the body starts.
pub(crate) fn foreign(src: &SourceText) -> Result<(serde_json::Value, usize), Diagnostic> {
    let s: Split = split(src)?;
    let fm = &src.text[s.fm_start..s.fm_end];
    let value: serde_yaml::Value = serde_yaml::from_str(fm).map_err(|e| yaml_error(src, &s, &e))?;
    let json = serde_json::to_value(&value).map_err(|e| {
        src.error_at_line(
            s.fm_first_line,
            1,
            format!("the front matter cannot be read: {e}"),
        )
        .hint("use text keys and plain values")
    })?;
    Ok((json, s.body_start))
}
