#!/usr/bin/env bash
# The serve property test (tests/serve/property.rs) over a longer seed range:
# random edit sequences on a generated 200-incident site, each ending equal to
# a full build byte for byte. CI runs seeds 0..2; this runs more.
#
#   bench/serve-property.sh [FIRST [LAST]]    (default 0 50: seeds 0..50)
#
# With SITREP_PROPERTY_EVERY=1 it also compares after every batch that left
# the site without errors (the patch path's intermediate states).
#
# A failing seed prints its edit batches; rerun just it with
#   SITREP_PROPERTY_SEEDS=N..N+1 cargo test --test serve property
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
first=${1:-0} last=${2:-50}
SITREP_PROPERTY_SEEDS="$first..$last" exec cargo test --release --test serve property -- --nocapture
