#!/usr/bin/env bash
# sitrep against Hugo with nothing deleted while the runs go on.
#
#   bench/compare-settled.sh [--bin PATH] [--hugo PATH] [--incidents N] [--runs R]
#                            [--settle S] [--dir DIR]
#
#   --dir DIR   where corpora and outputs go (default /tmp); /dev/shm (tmpfs)
#               takes the disk out of the comparison altogether
#
# Why this exists beside ../shared/bench/compare-hugo.sh: that script deletes each
# run's output before the next run. On this machine's disk (ext4 without a
# journal) the kernel then skips every recently freed inode when it creates a
# file or folder (fs/ext4/ialloc.c, find_inode_bit -> recently_deleted), and
# scans them one by one for each new inode. `perf record -g` on a 1k build made
# right after a 10k run puts over 60% of its samples there. Both tools pay, but
# the cost tracks what was deleted just before, not the tool, so run times
# swing 2x (10k: sitrep 4.5 to 11.7 s, Hugo 16.8 to 26.1 s in one series).
#
# Here the same corpora as compare-hugo.sh (gen-corpus.py, both paged by 30)
# are built alternately into fresh folders, and nothing is deleted until the
# end. It first waits S seconds (default 120) so that earlier deletions age
# out: the kernel skips an inode for 60 s after its deletion, or 360 s while
# its inode-table block is still dirty (dirty blocks are written back after
# 30 s, vm.dirty_expire_centisecs). Even so a large deletion keeps costing for
# minutes (a 10k build ten minutes after removing a 100k output still spent a
# quarter of its samples in recently_deleted), hence --dir. It prints each
# pair, user and system CPU, and the median of run-by-run ratios.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$here/../target/release/sitrep incidents=10000 runs=3 settle=120 dir=/tmp
hugo=$(ls "${XDG_CACHE_HOME:-$HOME/.cache}"/sitrep-bench/hugo-venv/lib/python3*/site-packages/hugo/binaries/hugo* 2>/dev/null | head -n 1 || true)
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --hugo) hugo=$2; shift 2 ;;
    --incidents) incidents=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "compare-settled.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "compare-settled.sh: no sitrep binary at $bin" >&2; exit 2; }
[ -n "$hugo" ] && [ -x "$hugo" ] || { echo "compare-settled.sh: no Hugo (run compare-hugo.sh once to install it, or pass --hugo)" >&2; exit 2; }
gen=$here/../../shared/bench/gen-corpus.py
tmp=$(mktemp -d "$dir/compare-settled.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
for f in sitrep hugo; do
  python3 "$gen" --incidents "$incidents" --news $((incidents / 10)) --seed 1 --paginate 30 --format $f --out "$tmp/site-$f" >/dev/null
done
echo "== $incidents incidents, $runs runs each; waiting ${settle}s for earlier deletions to age out"
sleep "$settle"
: >"$tmp/times"
for i in $(seq 0 "$runs"); do   # run 0 warms the page cache and is not counted
  for tool in sitrep hugo; do
    out=$tmp/out-$tool-$i
    if [ $tool = sitrep ]; then cmd=("$bin" build --root "$tmp/site-sitrep" --output "$out")
    else cmd=("$hugo" --quiet --source "$tmp/site-hugo" --destination "$out"); fi
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S %M' -o "$tmp/t" "${cmd[@]}" >/dev/null 2>&1
    t1=$(date +%s%N)
    line="$tool $i $(( (t1 - t0) / 1000000 )) $(cat "$tmp/t")"
    echo "   $line"
    [ "$i" = 0 ] || echo "$line" >>"$tmp/times"
  done
done
python3 - "$tmp/times" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {t: [r for r in rows if r[0] == t] for t in ("sitrep", "hugo")}
for t, rs in by.items():
    w = [int(r[2]) / 1000 for r in rs]
    print(f"{t:7} wall median {statistics.median(w):.2f} s (min {min(w):.2f}, max {max(w):.2f}), "
          f"user {statistics.median(float(r[3]) for r in rs):.2f} s, sys {statistics.median(float(r[4]) for r in rs):.2f} s, "
          f"peak RSS {statistics.median(int(r[5]) for r in rs) / 1024:.0f} MiB")
pairs = [int(s[2]) / int(h[2]) for s, h in zip(by["sitrep"], by["hugo"])]
print(f"ratio sitrep/hugo, wall: {statistics.median(pairs):.3f} (median of run-by-run pairs {', '.join(f'{p:.3f}' for p in pairs)})")
EOF
