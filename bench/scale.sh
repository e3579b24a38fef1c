#!/usr/bin/env bash
# How a build scales from 10k to 100k incidents (issue 21: 100k in ≤ 1 GiB
# peak RSS and ≤ 10× the 10k build's time).
#
#   bench/scale.sh [--bin PATH] [--small DIR] [--large DIR] [--dir DIR]
#
# Builds SMALL (default ../corpus-10k), then LARGE (default ../corpus-100k),
# then SMALL again, each cold into a fresh folder under DIR (default /tmp),
# with GNU time. Nothing is deleted until the end: a deletion just before a
# build makes ext4 skip the freed inodes one by one while it creates new ones
# (see compare-settled.sh), which would charge one tool run for the one
# before it. Prints each run (wall, user, sys, peak RSS, load average before
# it) and the large build's wall time over the mean of the two small ones.
# Generate the corpora with ../shared/bench/gen-corpus.py (--incidents 10000
# --news 1000, and --incidents 100000 --news 10000).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$here/../target/release/sitrep
small=$here/../../corpus-10k large=$here/../../corpus-100k dir=/tmp
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --small) small=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "scale.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
for d in "$small" "$large"; do
  [ -f "$d/sitrep.toml" ] || { echo "scale.sh: no site at $d (see gen-corpus.py)" >&2; exit 2; }
done
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1780000000}
work=$(mktemp -d "$dir/sitrep-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run NAME SITE: one cold build; prints "NAME wall user sys rss_kib load".
run() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o "$work/$1.time" \
    "$bin" build --root "$2" --output "$work/$1.out" >/dev/null 2>"$work/$1.err" \
    || { echo "scale.sh: $1 failed:" >&2; tail -n 20 "$work/$1.err" >&2; exit 1; }
  echo "$1 $(cat "$work/$1.time") $load"
}

{
  run small1 "$small"
  run large "$large"
  run small2 "$small"
} | tee "$work/runs"
awk '
  { wall[$1] = $2; rss[$1] = $5 }
  END {
    s = (wall["small1"] + wall["small2"]) / 2
    printf "large / small wall: %.2f (%.1f s / %.2f s); peak RSS large %d MiB (%d KiB), small %d MiB\n",
      wall["large"] / s, wall["large"], s, rss["large"] / 1024, rss["large"], rss["small1"] / 1024
  }' "$work/runs"
