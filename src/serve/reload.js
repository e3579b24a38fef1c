// sitrep serve: live reload and build errors. Server-Sent Events in (from
// /__sitrep/events), a reload, a stylesheet swap or an error overlay out.
// Injected only into pages served by `sitrep serve`; never part of a build.
(function () {
  "use strict";
  if (window.__sitrepReload) return;
  window.__sitrepReload = true;
  var me = document.currentScript;
  var notFound = !!(me && me.getAttribute("data-status") === "404");
  var instance = null;
  var SCROLL = "sitrep-scroll:" + location.pathname;

  // The site file this page is: "/incidents/ex1/" -> "incidents/ex1/index.html".
  function ownFile() {
    var p = location.pathname;
    try { p = decodeURIComponent(p); } catch (e) { /* keep it encoded */ }
    p = p.replace(/^\/+/, "");
    if (p === "" || p.charAt(p.length - 1) === "/") p += "index.html";
    return p;
  }

  function reload() {
    try { sessionStorage.setItem(SCROLL, String(window.scrollY)); } catch (e) { /* private mode */ }
    location.reload();
  }

  // Keep the reader's place across reloads.
  try {
    var y = sessionStorage.getItem(SCROLL);
    if (y !== null) {
      sessionStorage.removeItem(SCROLL);
      window.addEventListener("load", function () { window.scrollTo(0, Number(y) || 0); });
    }
  } catch (e) { /* private mode */ }

  function overlay() { return document.getElementById("sitrep-errors"); }

  function el(tag, css, text) {
    var e = document.createElement(tag);
    if (css) e.style.cssText = css;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function showErrors(errors) {
    var old = overlay();
    if (old) old.remove();
    var box = el("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,24,.97);color:#f3f3f3;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem");
    box.id = "sitrep-errors";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "Build errors");
    var n = errors.length;
    box.appendChild(el("h2", "margin:0 0 .5rem;font-size:1.2rem;color:#ff8a80",
      "sitrep: " + n + " error" + (n === 1 ? "" : "s") + " — showing the last good version of the site"));
    box.appendChild(el("p", "margin:0 0 1.5rem;color:#bbb",
      "Fix the file and save: this page reloads by itself."));
    errors.forEach(function (d) {
      var item = el("div", "margin:0 0 1.25rem;padding:.75rem 1rem;border-left:4px solid #ff5252;background:#2a2a30");
      item.className = "sitrep-error";
      var where = d.file + (d.line > 0 ? ":" + d.line + ":" + d.column : "");
      item.setAttribute("data-file", d.file);
      item.setAttribute("data-line", String(d.line));
      var head = el("div", "font-weight:bold");
      head.appendChild(el("span", "color:#82b1ff", where));
      head.appendChild(el("span", "color:#ff8a80", " " + d.severity + ": "));
      head.appendChild(el("span", "", d.message));
      item.appendChild(head);
      if (d.hint) item.appendChild(el("div", "color:#b9f6ca;margin-top:.25rem", "help: " + d.hint));
      box.appendChild(item);
    });
    (document.body || document.documentElement).appendChild(box);
  }

  function swapStyles(paths) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin !== location.origin) continue;
      var file = url.pathname.replace(/^\/+/, "");
      if (paths.indexOf(file) >= 0) {
        url.searchParams.set("sitrep", String(Date.now()));
        links[i].href = url.toString();
      }
    }
  }

  // EventSource reconnects by itself after a dropped stream (the server sends
  // `retry: 500`); after a refused one (say the server was down) it gives up,
  // so start again, backing off to one try every few seconds.
  var wait = 500;
  var stream = null;
  var generation = null;
  function connect() {
    var es = new EventSource("/__sitrep/events");
    var first = true;
    stream = es;
    es.addEventListener("open", function () { wait = 500; });
    es.addEventListener("error", function () {
      if (es !== stream || es.readyState !== EventSource.CLOSED) return;
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 5000);
    });
    es.addEventListener("state", function (e) {
      var s = JSON.parse(e.data);
      // A restarted server: whatever it serves now may differ.
      if (instance !== null && s.instance !== instance) return reload();
      instance = s.instance;
      // Back on the stream after a gap (a dropped stream, or this page restored
      // from the back-forward cache): a rebuild may have passed unseen.
      var gap = first && generation !== null && s.generation !== generation;
      first = false;
      generation = s.generation;
      if (gap) return reload();
      window.__sitrepState = s;
      if (s.errors.length > 0) showErrors(s.errors);
      else if (overlay()) reload();
    });
    es.addEventListener("reload", function (e) {
      var d = JSON.parse(e.data);
      // `all`: this page fell behind the stream and may have missed its change.
      if (d.all || overlay() || notFound || d.paths.indexOf(ownFile()) >= 0) reload();
    });
    es.addEventListener("css", function (e) {
      swapStyles(JSON.parse(e.data).paths);
    });
  }
  // A page left for another must let go of its stream: browsers keep left
  // pages alive in the back-forward cache, and six of them holding streams use
  // up the connections a browser allows per host, so the next page never loads.
  window.addEventListener("pagehide", function () {
    if (stream) stream.close();
    stream = null;
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && !stream) connect();
  });
  connect();
})();
