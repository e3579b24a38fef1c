#!/usr/bin/env bash
# The two ways issue 21 allowed to keep unchanged files as they were, on this
# machine's disk: what each costs the file system on a rebuild, beside the
# render that both share.
#
#   bench/publish-strategies.sh [--bin PATH] [--incidents N] [--runs R] [--dir DIR]
#
# hard links: every rebuild makes a fresh staged tree with a hard link per
#   unchanged file (cp -al: one mkdir per folder, one link per file), swaps it
#   in, and deletes the previous tree (rm -rf: one unlink per file, one rmdir
#   per folder). Timed here with cp -al / mv / rm -rf on a real output.
# in place: what sitrep build does now (src/write/): unchanged files are not
#   touched; changed ones are staged and moved in under a journal. Timed as a
#   whole rebuild after a one-incident edit, with its `write` stage (moving
#   the staged files in) and its `render` stage (which includes comparing
#   each rendered file with the previous one) from --timings.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$here/../target/release/sitrep incidents=10000 runs=5 dir=/tmp
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --incidents) incidents=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "publish-strategies.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d "$dir/publish-strategies.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
python3 "$here/../../shared/bench/gen-corpus.py" --incidents "$incidents" --news $((incidents / 10)) --seed 1 --paginate 30 --format sitrep --out "$tmp/site" >/dev/null
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1780000000}
"$bin" build --root "$tmp/site" --output "$tmp/out" 2>/dev/null
echo "== $incidents incidents: $(find "$tmp/out" -type f | wc -l) files, $(find "$tmp/out" -type d | wc -l) folders"
src=$(find "$tmp/site/content/incidents" -name '*.md' | sort | awk 'NR == 1')  # awk reads it all: no SIGPIPE under pipefail
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
: >"$tmp/times"
for i in $(seq 1 "$runs"); do
  t=$(date +%s%N); cp -al "$tmp/out" "$tmp/staged"; link=$(ms "$t")
  t=$(date +%s%N); mv "$tmp/out" "$tmp/old" && mv "$tmp/staged" "$tmp/out"; swap=$(ms "$t")
  t=$(date +%s%N); rm -rf "$tmp/old"; rm_ms=$(ms "$t")
  printf '\nUpdate %d.\n' "$i" >>"$src"
  t=$(date +%s%N)
  "$bin" build --root "$tmp/site" --output "$tmp/out" --timings 2>"$tmp/timings"
  whole=$(ms "$t")
  render=$(awk '$1 == "render" { print $2 }' "$tmp/timings")
  write=$(awk '$1 == "write" { print $2 }' "$tmp/timings")
  echo "   run $i: hard links: cp -al $link ms, swap $swap ms, rm -rf $rm_ms ms | in place: rebuild $whole ms (render+compare $render ms, write $write ms)"
  echo "$link $swap $rm_ms $whole $render $write" >>"$tmp/times"
done
python3 - "$tmp/times" <<'PY'
import statistics, sys
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1])]
m = lambda k: statistics.median(r[k] for r in rows)
print(f"hard links, file system only: {m(0) + m(1) + m(2):.0f} ms a rebuild (cp -al {m(0):.0f}, swap {m(1):.0f}, rm -rf {m(2):.0f}), medians")
print(f"in place, whole rebuild: {m(3):.0f} ms (render and compare {m(4):.0f}, write {m(5):.0f}), medians")
PY
