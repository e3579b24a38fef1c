#!/usr/bin/env bash
# Build a generated site and report what a reader downloads: total output
# size, the largest list pages, and every HTML page over a budget (default
# 250 KB) other than single incident and story pages, which hold one write-up.
#
#   bench/page-sizes.sh [--incidents N] [--budget KB] [--bin PATH]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
incidents=10000 budget=250 bin=$here/../target/release/sitrep
while [ $# -gt 0 ]; do
  case $1 in
    --incidents) incidents=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "page-sizes.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 "$here/../../shared/bench/gen-corpus.py" --incidents "$incidents" --news $((incidents / 10)) --seed 1 --out "$tmp/site" >/dev/null
"$bin" build --root "$tmp/site" --output "$tmp/out" >/dev/null
cd "$tmp/out"
echo "output: $(find . -type f | wc -l) files, $(du -sm . | cut -f1) MiB on disk, $(find . -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.1f", s/1048576}') MiB of bytes"
echo "largest list pages:"
find . -name '*.html' -not -regex '\./\(incidents\|news\)/[^/]*/index\.html' -printf '%s %p\n' \
  | sort -rn | awk 'NR <= 5 {printf "  %7.1f KB  %s\n", $1/1000, $2}'   # awk reads all: head would SIGPIPE sort under pipefail
over=$(find . -name '*.html' -size +"${budget}k" -not -regex '\./\(incidents\|news\)/[^/]*/index\.html' | sort)
if [ -n "$over" ]; then
  echo "over ${budget} KB:"; echo "$over" | sed 's/^/  /'; exit 1
fi
echo "no other HTML page over ${budget} KB"
