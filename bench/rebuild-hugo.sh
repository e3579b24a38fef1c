#!/usr/bin/env bash
# Rebuild after a one-incident edit: sitrep into its own previous output
# against Hugo's in-place rebuild of the same corpus (issue 21).
#
#   bench/rebuild-hugo.sh [--bin PATH] [--hugo PATH] [--incidents N] [--runs R]
#                         [--dir DIR] [--id ID]
#
# Both corpora come from ../shared/bench/gen-corpus.py (N incidents, N/10 news,
# seed 1, lists paged by 30). Each tool builds its site once into its output
# folder; then, R times: the same incident (ID, default: the first the sitrep
# corpus lists) gets one more paragraph in both corpora, sitrep rebuilds into
# its output, Hugo rebuilds into its destination (Hugo writes in place; it is
# run without --cleanDestinationDir, as a user would). Prints each pair, the
# median of run-by-run ratios, and how many files of each output changed
# (files newer than the edit: what rsync or s3 sync would consider).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$here/../target/release/sitrep incidents=10000 runs=5 dir=/tmp id=
hugo=$(ls "${XDG_CACHE_HOME:-$HOME/.cache}"/sitrep-bench/hugo-venv/lib/python3*/site-packages/hugo/binaries/hugo* 2>/dev/null | head -n 1 || true)
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --hugo) hugo=$2; shift 2 ;;
    --incidents) incidents=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --id) id=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "rebuild-hugo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "rebuild-hugo.sh: no sitrep binary at $bin (cargo build --release)" >&2; exit 2; }
[ -n "$hugo" ] && [ -x "$hugo" ] || { echo "rebuild-hugo.sh: no Hugo (run ../shared/bench/compare-hugo.sh once to install it, or pass --hugo)" >&2; exit 2; }
gen=$here/../../shared/bench/gen-corpus.py
tmp=$(mktemp -d "$dir/rebuild-hugo.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
for f in sitrep hugo; do
  python3 "$gen" --incidents "$incidents" --news $((incidents / 10)) --seed 1 --paginate 30 --format $f --out "$tmp/site-$f" >/dev/null
done
if [ -z "$id" ]; then
  id=$(basename "$(find "$tmp/site-sitrep/content/incidents" -name '*.md' | sort | awk 'NR == 1')" .md)
fi
src_s=$(find "$tmp/site-sitrep/content/incidents" -name "$id.md" | awk 'NR == 1')
src_h=$(find "$tmp/site-hugo/content/incidents" -name "$id.md" | awk 'NR == 1')
[ -n "$src_s" ] && [ -n "$src_h" ] || { echo "rebuild-hugo.sh: incident $id is not in both corpora" >&2; exit 2; }
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1780000000}
s_cmd=("$bin" build --root "$tmp/site-sitrep" --output "$tmp/out-sitrep")
h_cmd=("$hugo" --quiet --source "$tmp/site-hugo" --destination "$tmp/out-hugo")
echo "== $incidents incidents; editing $id before each of $runs pairs (plus one uncounted warm-up pair)"
echo "== $("$hugo" version | cut -d' ' -f1-2); sitrep $bin"
"${s_cmd[@]}" >/dev/null 2>&1
"${h_cmd[@]}" >/dev/null 2>&1
: >"$tmp/times"
for i in $(seq 0 "$runs"); do   # pair 0 warms the page cache and is not counted
  printf '\nUpdate %d: the provider posted another paragraph for the rebuild benchmark.\n' "$i" | tee -a "$src_s" >>"$src_h"
  touch "$tmp/edited"; sleep 0.01
  line="$i"
  for tool in sitrep hugo; do
    if [ $tool = sitrep ]; then cmd=("${s_cmd[@]}"); else cmd=("${h_cmd[@]}"); fi
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S %M' -o "$tmp/t" "${cmd[@]}" >/dev/null 2>&1
    t1=$(date +%s%N)
    changed=$(find "$tmp/out-$tool" -type f -newer "$tmp/edited" | wc -l)
    line="$line $tool $(( (t1 - t0) / 1000000 )) $(cat "$tmp/t") $changed"
  done
  echo "   $line"
  [ "$i" = 0 ] || echo "$line" >>"$tmp/times"
done
echo "   files: sitrep $(find "$tmp/out-sitrep" -type f | wc -l), hugo $(find "$tmp/out-hugo" -type f | wc -l)"
python3 - "$tmp/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
# i sitrep ms user sys rss changed hugo ms user sys rss changed
for name, k in (("sitrep", 1), ("hugo", 7)):
    w = [int(r[k + 1]) / 1000 for r in rows]
    print(f"{name:7} rebuild wall median {statistics.median(w):.2f} s (min {min(w):.2f}, max {max(w):.2f}), "
          f"user {statistics.median(float(r[k + 2]) for r in rows):.2f} s, sys {statistics.median(float(r[k + 3]) for r in rows):.2f} s, "
          f"peak RSS {statistics.median(int(r[k + 4]) for r in rows) / 1024:.0f} MiB, files rewritten {statistics.median(int(r[k + 5]) for r in rows):.0f}")
pairs = [int(r[2]) / int(r[8]) for r in rows]
print(f"ratio sitrep/hugo, rebuild wall: {statistics.median(pairs):.3f} (median of pairs {', '.join(f'{p:.3f}' for p in pairs)})")
PY
