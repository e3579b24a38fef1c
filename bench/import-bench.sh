#!/usr/bin/env bash
# `sitrep import statuspage` of N generated incidents (default 5,000; issue 19
# asks for under 5 s): a Statuspage API v2 `incidents.json` with 3 updates per
# incident (HTML bodies, one in five with a postmortem, every tenth a
# maintenance), imported into an empty site, then the same import again (every
# file unchanged). Prints wall, user and sys seconds and peak RSS of each run.
#
#   bench/import-bench.sh [SITREP_BIN] [N] [RUNS]
set -euo pipefail
bin=${1:-target/release/sitrep} n=${2:-5000} runs=${3:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/import-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 - "$n" > "$tmp/incidents.json" <<'PY'
import json, sys
n = int(sys.argv[1])
incidents = []
for i in range(n):
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 2015 + i // (28 * 12)
    t = lambda h, m=0: f"{year}-{month:02d}-{day:02d}T{h:02d}:{m:02d}:00.{i % 1000:03d}Z"
    maint = i % 10 == 0
    inc = {
        "id": f"gen{i:07d}",
        "name": f"Elevated errors on service {i % 40} ({i})",
        "status": "completed" if maint else "resolved",
        "impact": "maintenance" if maint else ["none", "minor", "major", "critical"][i % 4],
        "created_at": t(9), "started_at": t(9), "updated_at": t(12), "resolved_at": t(12),
        "shortlink": f"https://stspg.io/gen{i}",
        "components": [{"name": f"Service {i % 40}"}, {"name": f"Region {i % 7}"}],
        "incident_updates": [
            {"id": f"u{i}c", "status": "completed" if maint else "resolved", "body": "This incident has been resolved.", "created_at": t(12), "display_at": t(12)},
            {"id": f"u{i}b", "status": "in_progress" if maint else "monitoring", "body": f"A fix has been deployed.<br />We are monitoring.<br /><br />See <a href=\"https://example.com/{i}\">the runbook</a>.", "created_at": t(11), "display_at": t(11)},
            {"id": f"u{i}a", "status": "scheduled" if maint else "investigating", "body": "<p>We are investigating <strong>elevated</strong> error rates.</p><ul><li>API</li><li>Dashboard</li></ul>", "created_at": t(9, 5), "display_at": t(9, 5)},
        ],
    }
    if maint:
        inc["scheduled_for"], inc["scheduled_until"] = t(9), t(11)
    if i % 5 == 0:
        inc["postmortem_body"] = "<p>A configuration push removed nodes from the pool.</p><p>We added a canary stage.</p>"
    incidents.append(inc)
json.dump({"page": {"id": "bench", "name": "Bench Cloud"}, "incidents": incidents}, sys.stdout)
PY
echo "source: $(du -h "$tmp/incidents.json" | cut -f1) for $n incidents"
for r in $(seq 1 "$runs"); do
  site="$tmp/site$r"
  mkdir -p "$site/content/incidents"
  printf 'title = "Bench"\nbase_url = "https://example.org/"\n' > "$site/sitrep.toml"
  for pass in fresh again; do
    /usr/bin/time -f "run$r $pass wall=%e user=%U sys=%S rss_kib=%M" \
      "$bin" import statuspage "$tmp/incidents.json" --root "$site" 2>&1 >"$tmp/stdout" | grep -E 'wall='
    tail -n 1 "$tmp/stdout"
  done
done
"$bin" check --root "$tmp/site1" >/dev/null 2>&1 && echo "check: no errors in the imported site"
