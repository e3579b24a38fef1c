"""Print the /api/v2/ examples of docs/api.md from a real build of tests/fixtures/status.

SOURCE_DATE_EPOCH=1780000000 sitrep build --root tests/fixtures/status --output /tmp/fx
python3 docs/gen-api-examples.py /tmp/fx
Arrays are cut to their first items; tests/site/statuspage.rs checks that every
example is a prefix of the real output.
"""
import json, sys

def cut(v, n):
    if isinstance(v, list):
        return [cut(x, n) for x in v[:n]]
    if isinstance(v, dict):
        return {k: cut(x, 2 if k == "incident_updates" else 1) for k, x in v.items()}
    return v

out = sys.argv[1]
for path in ["summary.json", "status.json", "components.json", "incidents.json",
             "incidents/unresolved.json", "scheduled-maintenances.json",
             "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json"]:
    with open(f"{out}/api/v2/{path}") as f:
        doc = json.load(f)
    print(f"=== {path}")
    print(json.dumps(cut(doc, 1), indent=2, ensure_ascii=False))
