#!/usr/bin/env bash
# Where a build's memory peaks: one `sitrep build --timings` of SITE_DIR with
# its resident set sampled every INTERVAL seconds, printed as "ms rss_mib"
# lines, then the stage times. Read the samples against the stages (load,
# parse, link, render) to see which one holds the peak.
#
#   bench/rss-timeline.sh SITREP_BIN SITE_DIR [INTERVAL]
set -euo pipefail
bin=$1 site=$2 interval=${3:-0.5}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1780000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" build --root "$site" --output "$tmp/out" --timings 2>"$tmp/stderr" &
pid=$!
t0=$(date +%s%N)
peak=0
while kill -0 "$pid" 2>/dev/null; do
  kib=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  if [ -n "$kib" ]; then
    [ "$kib" -gt "$peak" ] && peak=$kib
    echo "$(( ($(date +%s%N) - t0) / 1000000 )) $(( kib / 1024 ))"
  fi
  sleep "$interval"
done
wait "$pid"
cat "$tmp/stderr"
echo "peak sampled rss: $(( peak / 1024 )) MiB"
