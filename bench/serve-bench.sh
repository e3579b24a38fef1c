#!/usr/bin/env bash
# How fast `sitrep serve` shows an edit, on a generated incident site.
#
#   bench/serve-bench.sh [--bin PATH] [--incidents N] [--news M] [--runs R]
#                        [--gen PATH] [--hugo PATH] [--keep]
#
#   --bin PATH     sitrep binary (default: target/release/sitrep, or
#                  $CARGO_TARGET_DIR/release/sitrep)
#   --incidents N  incidents in the corpus (default 10000), --news M (default N/10)
#   --runs R       edits per measurement (default 7); medians are printed
#   --gen PATH     gen-corpus.py (default: ../shared/bench/gen-corpus.py beside the repo)
#   --hugo PATH    also time `hugo server --disableFastRender` (fast render mode
#                  leaves unvisited term pages stale) on the same corpus (default: a hugo on
#                  PATH or in ~/.cache/sitrep-bench/hugo-venv, if there is one)
#   --keep         keep the temp dir and print its path
#
# Prints: the full `sitrep build` wall time; then, as medians over R edits:
# save -> the incident page served with the new body text; the same for a
# front matter edit that moves the incident to another region (its own page
# linking the new term, and the term page listing it); and save -> the whole
# rebuild finished (feeds included). Public tools only: bash, python3, curl.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bin=
incidents=10000 news= runs=7 keep=0 hugo=
gen=$repo/../shared/bench/gen-corpus.py
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --incidents) incidents=$2; shift 2 ;;
    --news) news=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --gen) gen=$2; shift 2 ;;
    --hugo) hugo=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "serve-bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
news=${news:-$((incidents / 10))}
if [ -z "$bin" ]; then
  bin=${CARGO_TARGET_DIR:-$repo/target}/release/sitrep
fi
[ -x "$bin" ] || { echo "serve-bench.sh: no sitrep binary at $bin (cargo build --release, or pass --bin)" >&2; exit 2; }
[ -f "$gen" ] || { echo "serve-bench.sh: no gen-corpus.py at $gen (pass --gen)" >&2; exit 2; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
export SOURCE_DATE_EPOCH=1780000000

echo "== corpus: $incidents incidents, $news news stories"
python3 "$gen" --incidents "$incidents" --news "$news" --out "$tmp/site" >/dev/null
ms() { python3 -c 'import time; print(time.monotonic_ns() // 1000000)'; }

echo "== full build (sitrep build)"
t0=$(ms)
"$bin" build --root "$tmp/site" --output "$tmp/out" 2>/dev/null
t1=$(ms)
build_ms=$((t1 - t0))
echo "   full build: ${build_ms} ms"
rm -rf "$tmp/out"

echo "== sitrep serve (first build in memory, then $runs edits of each kind)"
t0=$(ms)
"$bin" serve --root "$tmp/site" --port 0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=($!)
url=
for _ in $(seq 1 600); do
  url=$(sed -n 's/^Serving at //p' "$tmp/serve.out" 2>/dev/null | head -n 1)
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || { echo "serve-bench.sh: sitrep serve did not start; its stderr:" >&2; cat "$tmp/serve.err" >&2; exit 1; }
t1=$(ms)
echo "   serving at $url after $((t1 - t0)) ms"
python3 "$here/serve-measure.py" --root "$tmp/site" --url "$url" --runs "$runs" --kind sitrep | tee "$tmp/sitrep.json"

if [ -z "$hugo" ]; then
  venv=${XDG_CACHE_HOME:-$HOME/.cache}/sitrep-bench/hugo-venv
  real=$(ls "$venv"/lib/python3*/site-packages/hugo/binaries/hugo* 2>/dev/null | head -n 1 || true)
  if [ -n "$real" ] && [ -x "$real" ]; then hugo=$real; elif command -v hugo >/dev/null; then hugo=$(command -v hugo); fi
fi
if [ -n "$hugo" ] && [ -x "$hugo" ]; then
  echo "== hugo server ($("$hugo" version | head -n 1))"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 "$gen" --incidents "$incidents" --news "$news" --out "$tmp/hugo" --format hugo \
    --base-url "http://127.0.0.1:$port/" >/dev/null
  (cd "$tmp/hugo" && exec "$hugo" server --bind 127.0.0.1 --port "$port" --disableLiveReload --disableFastRender >"$tmp/hugo.out" 2>&1) &
  pids+=($!)
  for _ in $(seq 1 900); do
    curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
    sleep 0.2
  done
  python3 "$here/serve-measure.py" --root "$tmp/hugo" --url "http://127.0.0.1:$port/" --runs "$runs" --kind hugo | tee "$tmp/hugo.json"
else
  echo "== hugo: not available (pass --hugo PATH, or install it as ../shared/bench/compare-hugo.sh does)"
fi
