#!/usr/bin/env bash
# What a cold search costs a reader of a generated incident site.
#
#   bench/search-bench.sh [--bin PATH] [--incidents N] [--news M] [--corpus DIR]
#                         [--gen PATH] [--chromium PATH] [--keep] [QUERY...]
#
#   --bin PATH       sitrep binary (default: target/release/sitrep, or
#                    $CARGO_TARGET_DIR/release/sitrep)
#   --incidents N    incidents in the generated corpus (default 10000, seed 1),
#                    --news M (default 1000)
#   --corpus DIR     use a copy of this site (sitrep.toml + content/) instead
#   --gen PATH       gen-corpus.py (default: ../shared/bench/gen-corpus.py beside the repo)
#   --chromium PATH  default /usr/bin/chromium
#   --runs R         cold runs per query (default 5); the median time is printed
#   --keep           keep the temp dir and print its path
#   QUERY...         default: the seed's full error message, an error code and
#                    an incident ID (lower-cased), both picked from the corpus
#
# Builds the site, prints the build time and the size of search/ on disk, then
# serves the output over loopback with gzip and opens /search/?q=QUERY in a
# fresh headless Chromium per query (bench/search-measure.py): prints the bytes
# transferred (encoded, all requests: page, CSS, script, index parts, records)
# and the ms from navigation start to the first result shown.
# Needs python3 with websocket-client (pip install websocket-client).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bin= incidents=10000 news=1000 corpus= keep=0 runs=5 chromium=/usr/bin/chromium
gen=$repo/../shared/bench/gen-corpus.py
queries=()
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --incidents) incidents=$2; shift 2 ;;
    --news) news=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --gen) gen=$2; shift 2 ;;
    --chromium) chromium=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "search-bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    *) queries+=("$1"); shift ;;
  esac
done
bin=${bin:-${CARGO_TARGET_DIR:-$repo/target}/release/sitrep}
[ -x "$bin" ] || { echo "search-bench.sh: no sitrep binary at $bin (cargo build --release, or pass --bin)" >&2; exit 2; }
[ -x "$chromium" ] || { echo "search-bench.sh: no chromium at $chromium (apt-get install -y chromium)" >&2; exit 2; }
python3 -c 'import websocket' 2>/dev/null || { echo "search-bench.sh: pip install websocket-client" >&2; exit 2; }

tmp=$(mktemp -d)
cleanup() { if [ "$keep" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
export SOURCE_DATE_EPOCH=1780000000

if [ -n "$corpus" ]; then
  echo "== corpus: copy of $corpus"
  mkdir -p "$tmp/site" && cp -r "$corpus/sitrep.toml" "$corpus/content" "$tmp/site/"
else
  echo "== corpus: $incidents incidents, $news news stories (seed 1)"
  python3 "$gen" --incidents "$incidents" --news "$news" --seed 1 --out "$tmp/site" >/dev/null
fi
ms() { python3 -c 'import time; print(time.monotonic_ns() // 1000000)'; }
t0=$(ms)
"$bin" build --root "$tmp/site" --output "$tmp/out" >/dev/null 2>&1
t1=$(ms)
echo "   full build: $((t1 - t0)) ms"
echo "   search/ on disk: $(du -sb "$tmp/out/search" | cut -f1) bytes in $(find "$tmp/out/search" -type f | wc -l) files" \
     "($(cat "$tmp/out/search"/{s,b}/*.json | wc -c) bytes of postings, $(cat "$tmp/out/search"/r/*.json | wc -c) of records)"

if [ ${#queries[@]} -eq 0 ]; then
  inc=$tmp/site/content/incidents
  code=$(grep -rh -m1 -E '^  - code: [A-Za-z0-9]+$' "$inc" | sort | sed -n 1p | sed 's/.*code: //')
  id=$(grep -rh -m1 '^id: ' "$inc" | sort | sed -n 1p | sed 's/^id: //' | tr 'A-Z' 'a-z')
  queries=("The maximum number of concurrent connections per resource forest has exceeded a limit, closing transmission channel." "$code" "$id")
fi
base=$(sed -n 's/^base_url *= *"[a-z]*:\/\/[^/]*\(\/[^"]*\)".*/\1/p' "$tmp/site/sitrep.toml")
echo "== cold queries (gzip over loopback, fresh Chromium profile each; load average $(cut -d' ' -f1-3 /proc/loadavg))"
python3 "$here/search-measure.py" --out "$tmp/out" --base "${base:-/}" --chromium "$chromium" --runs "$runs" "${queries[@]}" >"$tmp/search.json"
python3 - "$tmp/search.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    ms = "never" if r["ms"] is None else f"{r['ms']:.0f} ms"
    print(f"   {r['bytes'] / 1024:7.1f} KB  {ms:>8} (runs: {r['runs_ms']})  {len(r['requests']):2} requests  first {r['first']}")
    print(f"      {r['count']}")
    print(f"      q = {r['query']}")
PY
