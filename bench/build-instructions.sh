#!/usr/bin/env bash
# What a change costs a full build, in instructions: one build of SITE_DIR with
# each of two sitrep binaries under valgrind's cachegrind (no cache model),
# printing the instructions executed and the ratio NEW/OLD. Unlike wall or
# CPU time, the count barely moves with the machine's load, so two cores shared
# with other work still give a usable figure. Needs valgrind; about 3 minutes
# per binary on the 10k corpus.
#
#   bench/build-instructions.sh OLD_BIN NEW_BIN SITE_DIR
#
# SOURCE_DATE_EPOCH defaults to 1780000000 (as in build-delta.sh). Output goes
# to a temp dir on /dev/shm when there is one.
set -euo pipefail
old=$1 new=$2 site=$3
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1780000000}
command -v valgrind >/dev/null || { echo "build-instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
base=/tmp; [ -d /dev/shm ] && base=/dev/shm
tmp=$(mktemp -d "$base/build-instructions.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$tmp/cg" \
    "$1" build --root "$site" --output "$tmp/out" 2>&1 >/dev/null |
    awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
  rm -rf "$tmp/out"
}
o=$(count "$old")
n=$(count "$new")
echo "old $o instructions ($old)"
echo "new $n instructions ($new)"
awk -v o="$o" -v n="$n" 'BEGIN { printf "new/old %.4f (%+.2f%%)\n", n / o, (n / o - 1) * 100 }'
