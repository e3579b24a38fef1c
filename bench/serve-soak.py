#!/usr/bin/env python3
"""Soak `sitrep serve`: many edits over a long run with live-reload clients open.

    serve-soak.py [--bin PATH] [--site DIR | --incidents N] [--gen PATH]
                  [--edits 1000] [--duration 600] [--clients 20]
                  [--baseline-after 100] [--rss-slack-kib 0] [--json FILE]

Builds a site (a copy of --site, or gen-corpus.py with N incidents), starts
`sitrep serve --port 0` on loopback only, opens --clients Server-Sent Events
streams on /__sitrep/events, then saves --edits edits (like an editor: temp
file, rename) spread evenly over --duration seconds, each to another incident:
nine in ten add a sentence to the body, one in ten changes the title (front
matter, so lists change too). Every client that hears a reload of the edited
page fetches it, as a browser would; a prober fetches other pages meanwhile.

Passes (exit 0) when
  - RSS after the run is at most 10% above RSS after --baseline-after edits;
  - no request (page, probe, stream head) waited more than 1 s;
  - every client received a reload naming every edited page, after its save,
    and all clients received the same reloads in the same order.
Prints the figures, and writes them as JSON to --json if given. Every request
goes to 127.0.0.1; the run is bounded by --duration plus a short drain.
Standard library only.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MAX_WAIT = 1.0  # seconds a request may take
MAX_GROWTH = 0.10  # RSS growth allowed after the baseline
DRAIN = 15.0  # seconds to wait for the last reloads after the last edit


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Stats:
    """Request latencies from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waits = []
        self.slow = []
        self.errors = []

    def add(self, what, seconds):
        with self.lock:
            self.waits.append(seconds)
            if seconds > MAX_WAIT:
                self.slow.append((what, round(seconds, 3)))

    def error(self, what):
        with self.lock:
            self.errors.append(what)


def get(port, path, stats):
    """GET over a fresh connection; the body, or None on a failure."""
    t0 = time.perf_counter()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        c.close()
    except OSError as e:
        stats.error(f"GET {path}: {e}")
        return None
    stats.add(f"GET {path}", time.perf_counter() - t0)
    if r.status != 200:
        stats.error(f"GET {path}: {r.status}")
        return None
    return body.decode("utf-8", "replace")


class Client(threading.Thread):
    """One open page: reads the event stream, records every reload, and
    fetches the edited page when a reload names it."""

    def __init__(self, port, stats, current):
        super().__init__(daemon=True)
        self.port, self.stats, self.current = port, stats, current
        self.reloads = []  # (monotonic time, set of paths)
        self.fetched = 0
        self.stale = 0
        self.ready = threading.Event()
        self.failed = None

    def run(self):
        try:
            t0 = time.perf_counter()
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            c.request("GET", "/__sitrep/events", headers={"Accept": "text/event-stream"})
            r = c.getresponse()
            self.stats.add("event stream head", time.perf_counter() - t0)
            if r.status != 200:
                raise OSError(f"event stream: {r.status}")
            name, data = None, []
            while True:
                line = r.readline()
                if not line:
                    raise OSError("event stream closed")
                line = line.decode().rstrip("\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "":
                    if name:
                        self.event(name, "\n".join(data))
                    name, data = None, []
        except Exception as e:  # recorded; the main thread reports it
            self.failed = str(e)
            self.ready.set()

    def event(self, name, data):
        if name == "state":
            self.ready.set()
            return
        if name != "reload":
            return
        d = json.loads(data)
        self.reloads.append((time.monotonic(), set(d.get("paths", [])), d.get("all", False)))
        page, marker = self.current[0], self.current[1]
        if page and page in d.get("paths", []):
            text = get(self.port, "/" + page[: -len("index.html")], self.stats)
            self.fetched += 1
            if text is not None and marker not in text:
                self.stale += 1


def prober(port, paths, stats, stop):
    rng = random.Random(7)
    while not stop.is_set():
        get(port, "/" + rng.choice(paths).removesuffix("index.html"), stats)
        stop.wait(0.1)


def make_site(args, tmp):
    site = os.path.join(tmp, "site")
    if args.site:
        shutil.copytree(args.site, site)
        return site
    gen = args.gen or os.path.join(REPO, "..", "shared", "bench", "gen-corpus.py")
    if not os.path.isfile(gen):
        sys.exit(f"serve-soak.py: no gen-corpus.py at {gen} (pass --gen or --site)")
    subprocess.run(
        [sys.executable, gen, "--incidents", str(args.incidents),
         "--news", str(max(1, args.incidents // 10)), "--out", site],
        check=True, stdout=subprocess.DEVNULL,
    )
    return site


def incidents(site):
    """(file, id) of every incident, in a fixed order."""
    out = []
    for dirpath, _, files in os.walk(os.path.join(site, "content", "incidents")):
        for f in files:
            if f.endswith(".md"):
                p = os.path.join(dirpath, f)
                with open(p, encoding="utf-8") as fh:
                    m = re.search(r"^id:\s*\"?([A-Za-z0-9_-]+)", fh.read(), re.M)
                if m:
                    out.append((p, m.group(1)))
    out.sort()
    return out


def save(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".swp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def edited(original, k):
    """Edit number k of a file: a body sentence, or (one in ten) a new title."""
    marker = f"Soak edit {k} was saved."
    if k % 10 == 9:
        text, n = re.subn(r"^title:.*$", f'title: "Soak title {k}"', original, count=1, flags=re.M)
        if n:
            return text + f"\n{marker}\n", marker
    return original.rstrip("\n") + f"\n\n{marker}\n", marker


def start_serve(args, site, tmp):
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1780000000"))
    out = open(os.path.join(tmp, "serve.out"), "w")
    err = open(os.path.join(tmp, "serve.err"), "w")
    proc = subprocess.Popen(
        [args.bin, "serve", "--root", site, "--port", "0", "--bind", "127.0.0.1"],
        stdout=out, stderr=err, env=env,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with open(os.path.join(tmp, "serve.out")) as f:
            m = re.search(r"Serving at http://127\.0\.0\.1:(\d+)/", f.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    with open(os.path.join(tmp, "serve.err")) as f:
        sys.exit("serve-soak.py: sitrep serve did not start:\n" + f.read())


def matched(edits, reloads):
    """How many (page, saved at) edits a client heard: a reload naming the
    page (or every page) after the save. Edits saved close together are
    rebuilt, and so announced, together."""
    return sum(
        1 for page, t in edits
        if any(at >= t and (page in paths or everything) for at, paths, everything in reloads)
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release", "sitrep"))
    ap.add_argument("--site")
    ap.add_argument("--incidents", type=int, default=2000)
    ap.add_argument("--gen")
    ap.add_argument("--edits", type=int, default=1000)
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--baseline-after", type=int, default=100)
    # On a site of a few dozen pages the allocator's own swings are over 10%:
    # growth up to this many KiB is not counted (the short CI run uses it).
    ap.add_argument("--rss-slack-kib", type=int, default=0)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"serve-soak.py: no sitrep binary at {args.bin} (cargo build --release, or --bin)")
    baseline_at = min(args.baseline_after, max(1, args.edits // 3))

    tmp = tempfile.mkdtemp(prefix="sitrep-soak-")
    proc = None
    try:
        site = make_site(args, tmp)
        files = incidents(site)
        if not files:
            sys.exit("serve-soak.py: the site has no incidents")
        proc, port = start_serve(args, site, tmp)
        stats = Stats()
        served = json.loads(get(port, "/__sitrep/files", stats) or "[]")
        pages = [p for p in served if p.endswith("index.html")]
        current = [None, None]  # the page being edited and its marker
        clients = [Client(port, stats, current) for _ in range(args.clients)]
        for c in clients:
            c.start()
        for c in clients:
            if not c.ready.wait(30) or c.failed:
                sys.exit(f"serve-soak.py: a client could not connect: {c.failed}")
        stop = threading.Event()
        probe = threading.Thread(target=prober, args=(port, pages, stats, stop), daemon=True)
        probe.start()

        originals = {}
        done = []  # (page, saved at)
        rss = []
        baseline = None
        interval = args.duration / args.edits
        t_start = time.monotonic()
        for k in range(args.edits):
            path, ident = files[k % len(files)]
            page = f"incidents/{ident.lower()}/index.html"
            if page not in served:
                sys.exit(f"serve-soak.py: {page} is not served")
            original = originals.setdefault(path, open(path, encoding="utf-8").read())
            text, marker = edited(original, k)
            current[0], current[1] = page, marker
            t = time.monotonic()
            save(path, text)
            done.append((page, t))
            rss.append(rss_kib(proc.pid))
            if k + 1 == baseline_at:
                baseline = rss[-1]
            next_at = t_start + (k + 1) * interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        ran = time.monotonic() - t_start

        # Let the last reloads arrive.
        deadline = time.monotonic() + DRAIN
        while time.monotonic() < deadline:
            if all(matched(done, c.reloads) == len(done) for c in clients):
                time.sleep(1.0)  # a reload in flight reaches every client
                break
            time.sleep(0.2)
        stop.set()
        probe.join(5)
        final = rss_kib(proc.pid)
        heard = [matched(done, c.reloads) for c in clients]
        # Every client got the same reloads, in the same order: none was lost.
        sequences = [[sorted(p) for _, p, _ in c.reloads] for c in clients]
        same = all(seq == sequences[0] for seq in sequences)
        waits = sorted(stats.waits)
        after = [r for r in rss[baseline_at:]] + [final]
        grown = max(0, final - baseline - args.rss_slack_kib)
        growth = grown / baseline if baseline else 0.0
        figures = {
            "edits": len(done),
            "seconds": round(ran, 1),
            "clients": len(clients),
            "incidents": len(files),
            "rss_kib_at_baseline": baseline,
            "baseline_after_edits": baseline_at,
            "rss_kib_final": final,
            "rss_kib_max_after_baseline": max(after),
            "rss_growth_pct": round(growth * 100, 2),
            "requests": len(waits),
            "request_ms_median": round(statistics.median(waits) * 1000, 1) if waits else None,
            "request_ms_p99": round(waits[int(len(waits) * 0.99) - 1] * 1000, 1) if waits else None,
            "request_ms_max": round(waits[-1] * 1000, 1) if waits else None,
            "slow_requests": stats.slow[:10],
            "request_errors": stats.errors[:10],
            "reloads_expected_per_client": len(done),
            "reloads_heard_min": min(heard),
            "reload_events_per_client": sorted({len(seq) for seq in sequences}),
            "clients_heard_the_same_reloads": same,
            "client_failures": [c.failed for c in clients if c.failed],
            "pages_fetched_after_reload": sum(c.fetched for c in clients),
            "pages_stale_after_reload": sum(c.stale for c in clients),
        }
        checks = {
            "rss growth <= 10% after baseline": growth <= MAX_GROWTH,
            "no request waited > 1 s": not stats.slow,
            "no request failed": not stats.errors,
            "every client heard every reload": min(heard) == len(done)
            and same and not figures["client_failures"],
        }
        # Stop like a person would, and time it.
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        figures["stop_ms"] = round((time.monotonic() - t0) * 1000)
        checks["stopped within 2 s"] = proc.returncode == 0 and figures["stop_ms"] < 2000
        figures["checks"] = checks
        print(json.dumps(figures, indent=2))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(figures, f, indent=2)
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            with open(os.path.join(tmp, "serve.err")) as f:
                tail = f.read()[-2000:]
            print("FAILED: " + "; ".join(failed) + "\nserve stderr (tail):\n" + tail, file=sys.stderr)
            return 1
        print("PASSED: " + "; ".join(checks))
        return 0
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
