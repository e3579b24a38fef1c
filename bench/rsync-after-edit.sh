#!/usr/bin/env bash
# What a sync tool would move after a one-incident edit (issue 21): build the
# corpus, copy the output as "published" (cp -a keeps modification times),
# give one incident one more paragraph, rebuild, and ask rsync (dry run, as a
# default `rsync -a --delete` decides: by size and modification time) which
# files it would send.
#
#   bench/rsync-after-edit.sh [--bin PATH] [--incidents N] [--dir DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$here/../target/release/sitrep incidents=10000 dir=/tmp
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --incidents) incidents=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "rsync-after-edit.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
command -v rsync >/dev/null || { echo "rsync-after-edit.sh: needs rsync (apt-get install rsync)" >&2; exit 2; }
tmp=$(mktemp -d "$dir/rsync-after-edit.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
python3 "$here/../../shared/bench/gen-corpus.py" --incidents "$incidents" --news $((incidents / 10)) --seed 1 --paginate 30 --format sitrep --out "$tmp/site" >/dev/null
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1780000000}
"$bin" build --root "$tmp/site" --output "$tmp/out" 2>/dev/null
cp -a "$tmp/out" "$tmp/published"
src=$(find "$tmp/site/content/incidents" -name '*.md' | sort | awk 'NR == 1')  # awk reads it all: no SIGPIPE under pipefail
printf '\nUpdate: the provider posted another paragraph.\n' >>"$src"
sleep 1
"$bin" build --root "$tmp/site" --output "$tmp/out" 2>/dev/null
echo "== $incidents incidents, $(find "$tmp/out" -type f | wc -l) files, $(du -sm "$tmp/out" | cut -f1) MiB; edited $(basename "$src")"
rsync -a --delete --dry-run --itemize-changes --stats "$tmp/out/" "$tmp/published/" >"$tmp/rsync"
echo "rsync -a --delete would send:"
grep -E '^[<>ch*]' "$tmp/rsync" | sed 's/^/   /'
grep -E 'Number of (regular )?files transferred|Total transferred file size|Number of deleted files' "$tmp/rsync"
