//! Serve: build in memory, watch, serve with live reload (see issue 4).

use crate::build::Failure;
use crate::cli::ServeArgs;
use crate::diag::Diagnostic;

pub fn run(_: &ServeArgs) -> Result<Vec<Diagnostic>, Failure> {
    Err(Failure::Usage(vec![Diagnostic::error(
        "sitrep",
        "serve is not implemented yet",
    )]))
}
