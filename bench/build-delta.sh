#!/usr/bin/env bash
# What a change costs a full build: alternating cold builds of one site with two
# sitrep binaries, printing wall, user and sys seconds and peak RSS per run.
# Compare user CPU run by run: ext4 slows file creation after each deleted
# output, so wall and sys time drift upward over the runs for both binaries.
#
#   bench/build-delta.sh OLD_BIN NEW_BIN SITE_DIR [RUNS]
#
# SOURCE_DATE_EPOCH defaults to 1780000000 so time-dependent pages (charts,
# maintenance, "open for") have content and both binaries see the same "now".
set -euo pipefail
old=$1 new=$2 site=$3 runs=${4:-4}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1780000000}
tmp=$(mktemp -d "${BUILD_DELTA_TMP:-${TMPDIR:-/tmp}}/build-delta.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$runs"); do
  for t in old new; do
    bin=${!t}
    /usr/bin/time -f "$t run$r wall=%e user=%U sys=%S rss_kib=%M" \
      "$bin" build --root "$site" --output "$tmp/out" 2>&1 | grep -E 'wall='
    rm -rf "$tmp/out"
  done
done
