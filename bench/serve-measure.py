#!/usr/bin/env python3
"""Measure save -> changed page over HTTP against a running preview server.

    serve-measure.py --root SITE --url http://127.0.0.1:PORT/ [--runs N]
                     [--kind sitrep|hugo] [--incident-dir content/incidents]

Picks one incident with regions and a `## ` heading, then, N times each:
  body   insert a marked sentence before its first heading; time until the
         incident page served over HTTP contains the marker;
  move   rewrite its `regions:` line to another existing region (alternating
         between two); time until the incident page links the new term, and
         until the term page lists the incident.
For sitrep it also times until the whole rebuild has finished (/__sitrep/errors
reports a new generation and nothing building). Polls as fast as it can (no
sleeps on the measured path); a page not updated within 30 s is recorded as
null ("never"). Restores the file afterwards. Prints JSON with
every sample and the medians. Standard library only.
"""

import argparse
import glob
import http.client
import json
import os
import re
import statistics
import time
import urllib.error
import urllib.request


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return ""
        raise
    except (http.client.IncompleteRead, ConnectionError, urllib.error.URLError):
        # A server swapping its files mid-response (hugo server does): not yet.
        return ""


DEADLINE = 30.0  # seconds; a page not updated by then counts as "never"


def wait_until(ok, t0):
    """Poll until ok() (as fast as possible); ms since t0, or None at the deadline."""
    while not ok():
        if time.perf_counter() - t0 > DEADLINE:
            return None
    return (time.perf_counter() - t0) * 1000


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# `regions: [A, B]` (sitrep corpus) or a YAML block list (Hugo corpus).
REGIONS = re.compile(r"^regions:[ \t]*(\[.*\][ \t]*$|\n(?:[ \t]+-[^\n]*\n?)+)", re.M)


def regions_of(text):
    m = REGIONS.search(text)
    if not m:
        return None
    v = m.group(1).strip()
    items = v[1:-1].split(",") if v.startswith("[") else [l.strip()[1:] for l in v.splitlines()]
    return [r.strip().strip("\"'") for r in items if r.strip()]


def set_regions(text, region):
    return REGIONS.sub(lambda m: f'regions: ["{region}"]' + ("\n" if m.group(0).endswith("\n") else ""), text, count=1)


def pick(root, incident_dir):
    """The newest incident with regions and a heading: lists are paged, and
    only the newest land on the first page of the term they move to."""
    files = sorted(glob.glob(os.path.join(root, incident_dir, "**", "*.md"), recursive=True))
    counts = {}
    chosen, newest = None, ""
    for f in files:
        text = open(f, encoding="utf-8").read()
        regs = regions_of(text)
        if not regs:
            continue
        for r in regs:
            counts[r] = counts.get(r, 0) + 1
        started = re.search(r"^(?:started|date):\s*['\"]?([0-9T:+-]+)", text, re.M)
        when = started.group(1)[:16] if started else ""
        if "\n## " in text and re.search(r"^id:\s*(\S+)", text, re.M) and when > newest:
            chosen, newest = (f, text, regs), when
    if chosen is None:
        raise SystemExit("serve-measure.py: no incident with regions and a heading found")
    f, text, regs = chosen
    others = [r for r, _ in sorted(counts.items(), key=lambda kv: -kv[1]) if r not in regs][:2]
    iid = re.search(r"^id:\s*(\S+)", text, re.M).group(1).strip("\"'")
    return f, text, iid, others


class Sitrep:
    def __init__(self, url):
        self.url = url

    def status(self):
        return json.loads(get(self.url + "__sitrep/errors"))

    def settle(self):
        while True:
            if not self.status()["building"]:
                time.sleep(0.1)
                if not self.status()["building"]:
                    return
            time.sleep(0.02)

    def generation(self):
        return self.status()["generation"]

    def wait_done(self, g0):
        while True:
            s = self.status()
            if s["generation"] != g0 and not s["building"]:
                return
            time.sleep(0.002)


class Plain:
    """A server without a build status (hugo server): wait a fixed quiet time."""

    def settle(self):
        time.sleep(1.5)

    def generation(self):
        return None

    def wait_done(self, g0):
        pass


def write(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--kind", choices=["sitrep", "hugo"], default="sitrep")
    ap.add_argument("--incident-dir", default="content/incidents")
    a = ap.parse_args()
    url = a.url if a.url.endswith("/") else a.url + "/"
    server = Sitrep(url) if a.kind == "sitrep" else Plain()
    f, text, iid, (r1, r2) = pick(a.root, a.incident_dir)
    page = f"{url}incidents/{iid.lower()}/"
    out = {"incident": iid, "file": os.path.relpath(f, a.root), "regions": [r1, r2]}
    body, body_all = [], []
    try:
        for _ in range(a.runs):
            server.settle()
            marker = f"BENCH{time.time_ns()}"
            new = text.replace("\n## ", f"\n{marker} sentence.\n\n## ", 1)
            g0 = server.generation()
            t0 = time.perf_counter()
            write(f, new)
            body.append(wait_until(lambda: marker in get(page), t0))
            server.wait_done(g0)
            if a.kind == "sitrep":
                body_all.append((time.perf_counter() - t0) * 1000)
        write(f, text)
        move_page, move_term, move_all = [], [], []
        for i in range(a.runs):
            server.settle()
            region = (r1, r2)[i % 2]
            new = set_regions(text, region)
            term = f"{url}regions/{slug(region)}/"
            g0 = server.generation()
            t0 = time.perf_counter()
            write(f, new)
            move_page.append(wait_until(lambda: f"/regions/{slug(region)}/" in get(page), t0))
            move_term.append(
                wait_until(lambda: f"/incidents/{iid.lower()}/" in get(term), t0)
            )
            server.wait_done(g0)
            if a.kind == "sitrep":
                move_all.append((time.perf_counter() - t0) * 1000)
    finally:
        write(f, text)
    def med(v):
        # A page that never updated makes the median "never" (None) if it is half or more.
        if not v or sum(x is None for x in v) * 2 >= len(v):
            return None
        return round(statistics.median([x if x is not None else float("inf") for x in v]), 1)

    out["median_ms"] = {
        "body_edit_page": med(body),
        "body_edit_rebuild_done": med(body_all),
        "move_term_incident_page": med(move_page),
        "move_term_term_page": med(move_term),
        "move_term_rebuild_done": med(move_all),
    }
    out["samples_ms"] = {
        "body_edit_page": [x and round(x, 1) for x in body],
        "move_term_incident_page": [x and round(x, 1) for x in move_page],
        "move_term_term_page": [x and round(x, 1) for x in move_term],
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
