#!/usr/bin/env python3
"""What a cold search costs a reader: bytes over the wire and time to the first result.

    search-measure.py --out SITE_OUTPUT --base /desk/ [--chromium PATH] QUERY...

Serves SITE_OUTPUT on a loopback port with gzip (level 6, as static hosts
do), mounted at --base (the site's base_url sub-path). Then, per query, starts
a fresh headless Chromium (new profile: nothing cached), opens
<base>search/?q=QUERY and waits for the first result. Prints JSON: per query
the encoded bytes of every response (DevTools Network.loadingFinished
encodedDataLength, i.e. as transferred), the requests, the time from
navigation start to the first result (median over --runs; the `sitrep-search-results`
performance mark that search.js sets when it shows results) and the first
result's ID. Needs `pip install websocket-client`.
"""

import argparse
import gzip
import http.server
import json
import mimetypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import websocket

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml", "application/xml")


def make_handler(root, base):
    cache = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real hosts

        def log_message(self, *args):
            pass

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            if not path.startswith(base):
                return self.send_error(404)
            rel = urllib.parse.unquote(path[len(base):])
            file = os.path.normpath(os.path.join(root, rel))
            if os.path.isdir(file):
                file = os.path.join(file, "index.html")
            if not file.startswith(root) or not os.path.isfile(file):
                return self.send_error(404)
            ctype = mimetypes.guess_type(file)[0] or "application/octet-stream"
            with open(file, "rb") as f:
                body = f.read()
            gz = "gzip" in self.headers.get("Accept-Encoding", "") and ctype.startswith(COMPRESSIBLE)
            if gz:
                if file not in cache:
                    cache[file] = gzip.compress(body, 6)
                body = cache[file]
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if gz:
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            self.wfile.write(body)

    return Handler


class Cdp:
    """One DevTools session attached to one page; events are kept in order."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next = 0
        self.session = None
        self.events = []

    def call(self, method, params=None):
        self.next += 1
        msg = {"id": self.next, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.next:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return r.get("result", {}).get("value")


def start_browser(chromium):
    profile = tempfile.mkdtemp(prefix="sitrep-search-bench-")
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(600):
        if os.path.exists(port_file):
            lines = open(port_file).read().split()
            if len(lines) >= 2:
                return proc, profile, f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("chromium did not start")


FIRST = """(() => {
  const m = performance.getEntriesByName('sitrep-search-results')[0];
  const a = document.querySelector('#results-list a');
  if (!m || !a) return null;
  const id = a.querySelector('.id');
  return {ms: m.startTime, first: id ? id.textContent : a.textContent,
          count: document.getElementById('results-count').textContent,
          nav: (({responseStart, responseEnd, domInteractive, domContentLoadedEventEnd, loadEventEnd}) =>
                ({responseStart, responseEnd, domInteractive, domContentLoadedEventEnd, loadEventEnd}))(
                performance.getEntriesByType('navigation')[0].toJSON()),
          marks: performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)]),
          resources: performance.getEntriesByType('resource').map(r => [r.name.replace(/^.*\/\/[^/]*/, ''),
                Math.round(r.startTime), Math.round(r.responseEnd)])};
})()"""


def measure(chromium, url):
    proc, profile, ws_url = start_browser(chromium)
    try:
        cdp = Cdp(ws_url)
        target = cdp.call("Target.createTarget", {"url": "about:blank"})
        cdp.session = cdp.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
        cdp.call("Network.enable")
        cdp.call("Page.enable")
        cdp.events.clear()
        cdp.call("Page.navigate", {"url": url})
        deadline = time.time() + 20
        result = None
        while time.time() < deadline and result is None:
            result = cdp.eval(FIRST)
            if result is None:
                time.sleep(0.01)
        if result is None:
            result = {"ms": None, "first": None, "count": cdp.eval("document.getElementById('results-count').textContent")}
        # Let anything still in flight finish, then add up what came over the wire.
        time.sleep(1.0)
        result["count"] = cdp.eval("document.getElementById('results-count').textContent")
        urls, sizes = {}, {}
        for e in cdp.events:
            p = e.get("params", {})
            if e["method"] == "Network.requestWillBeSent":
                urls[p["requestId"]] = p["request"]["url"]
            elif e["method"] == "Network.loadingFinished":
                sizes[p["requestId"]] = p["encodedDataLength"]
        requests = sorted(
            ({"url": urllib.parse.urlsplit(urls.get(r, "?")).path, "bytes": int(b)} for r, b in sizes.items()),
            key=lambda x: x["url"])
        result.update({"bytes": sum(r["bytes"] for r in requests), "requests": requests})
        return result
    finally:
        proc.kill()
        proc.wait()
        # Chromium's helper processes may still write for a moment.
        for _ in range(20):
            shutil.rmtree(profile, ignore_errors=True)
            if not os.path.exists(profile):
                break
            time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--base", default="/")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--page", default="search/", help="the search page, below --base")
    ap.add_argument("--runs", type=int, default=1, help="cold runs per query; the median is reported")
    ap.add_argument("queries", nargs="+")
    a = ap.parse_args()
    root = os.path.realpath(a.out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(root, a.base))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    out = []
    for q in a.queries:
        url = f"{origin}{a.base}{a.page}?q={urllib.parse.quote(q)}"
        runs = [measure(a.chromium, url) for _ in range(a.runs)]
        times = sorted(r["ms"] for r in runs if r["ms"] is not None)
        r = runs[0]
        r["query"] = q
        r["runs_ms"] = [None if x["ms"] is None else round(x["ms"]) for x in runs]
        r["ms"] = statistics.median(times) if len(times) == len(runs) else None
        r["bytes_runs"] = [x["bytes"] for x in runs]
        out.append(r)
        print(f"{r['bytes']:>8} B  {r['ms'] if r['ms'] is None else round(r['ms'])!s:>5} ms (median of {r['runs_ms']})  "
              f"{len(r['requests'])} requests  first: {r['first']}  | {q}", file=sys.stderr)
    server.shutdown()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
