// sitrep serve: live reload, build errors and warnings. Server-Sent Events in
// (from /__sitrep/events), a reload, a stylesheet swap, an error overlay
// (blocking) or a warning panel (not blocking, dismissible) out.
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

  // The warning panel: fixed in a corner (the page's layout does not move),
  // first in the tab order, a polite live region; light or dark with the
  // reader's colour scheme. Dismissed, it stays away until the warnings change.
  var DISMISSED = "sitrep-warnings-dismissed";
  var PANEL_CSS =
    "#sitrep-warnings{position:fixed;right:1rem;bottom:1rem;z-index:2147483646;box-sizing:border-box;" +
    "width:auto;max-width:min(40rem,calc(100vw - 2rem));max-height:45vh;overflow:auto;margin:0;padding:.75rem 1rem;" +
    "background:#fff8e1;color:#1a1a1a;border:1px solid #8a5a00;border-left:6px solid #8a5a00;border-radius:6px;" +
    "box-shadow:0 4px 18px rgba(0,0,0,.3);font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;text-align:left}" +
    "#sitrep-warnings *{box-sizing:border-box;font:inherit;color:inherit;letter-spacing:normal}" +
    "#sitrep-warnings .sitrep-warnings-head{display:flex;gap:1rem;align-items:flex-start;justify-content:space-between;margin:0 0 .5rem}" +
    "#sitrep-warnings .sitrep-warnings-title{margin:0;font-weight:bold;color:#6d4200}" +
    "#sitrep-warnings ul{margin:0;padding:0;list-style:none}" +
    "#sitrep-warnings li{margin:0 0 .5rem;padding:0}" +
    "#sitrep-warnings .sitrep-where{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#0b4fb3}" +
    "#sitrep-warnings .sitrep-hint{color:#1e6130;margin:.15rem 0 0}" +
    "#sitrep-warnings button{flex:none;margin:0;padding:.2rem .7rem;border:1px solid #6d4200;border-radius:4px;" +
    "background:#ffffff;color:#1a1a1a;cursor:pointer}" +
    "#sitrep-warnings button:focus-visible{outline:3px solid #0b4fb3;outline-offset:2px}" +
    "@media (prefers-color-scheme: dark){" +
    "#sitrep-warnings{background:#2b2516;color:#f4f4f4;border-color:#f0b429}" +
    "#sitrep-warnings .sitrep-warnings-title{color:#ffd27a}" +
    "#sitrep-warnings .sitrep-where{color:#a8c7fa}" +
    "#sitrep-warnings .sitrep-hint{color:#a8e6b8}" +
    "#sitrep-warnings button{background:#3d3522;color:#f4f4f4;border-color:#ffd27a}" +
    "#sitrep-warnings button:focus-visible{outline-color:#a8c7fa}}";

  function panel() { return document.getElementById("sitrep-warnings"); }

  function dismissed() {
    try { return sessionStorage.getItem(DISMISSED); } catch (e) { return null; }
  }

  function dismiss(box, key) {
    try { sessionStorage.setItem(DISMISSED, key); } catch (e) { /* private mode */ }
    // Focus falls back to the page's start, where the panel stood.
    box.remove();
  }

  function fillWarnings(box, warnings, key) {
    var n = warnings.length;
    var head = el("div");
    head.className = "sitrep-warnings-head";
    var title = el("p", "", "sitrep: " + n + " warning" + (n === 1 ? "" : "s") +
      " — the site builds; worth a look");
    title.className = "sitrep-warnings-title";
    title.id = "sitrep-warnings-title";
    var close = el("button", "", "Dismiss");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss the sitrep warnings");
    close.addEventListener("click", function () { dismiss(box, key); });
    head.appendChild(title);
    head.appendChild(close);
    var list = el("ul");
    warnings.forEach(function (d) {
      var item = el("li");
      item.className = "sitrep-warning";
      item.setAttribute("data-file", d.file);
      item.setAttribute("data-line", String(d.line));
      var where = d.file + (d.line > 0 ? ":" + d.line + ":" + d.column : "");
      item.appendChild(el("span", "", where));
      item.lastChild.className = "sitrep-where";
      item.appendChild(document.createTextNode(" " + d.message));
      if (d.hint) {
        var hint = el("p", "", "help: " + d.hint);
        hint.className = "sitrep-hint";
        item.appendChild(hint);
      }
      list.appendChild(item);
    });
    box.replaceChildren(head, list);
  }

  function showWarnings(s) {
    var warnings = s.warnings || [];
    var key = s.instance + ":" + s.warnings_generation;
    var old = panel();
    if (warnings.length === 0 || dismissed() === key) {
      if (old) old.remove();
      return;
    }
    if (old && old.getAttribute("data-key") === key) return;
    if (!document.getElementById("sitrep-warnings-style")) {
      var style = el("style", "", PANEL_CSS);
      style.id = "sitrep-warnings-style";
      (document.head || document.documentElement).appendChild(style);
    }
    var box = old;
    if (!box) {
      box = el("div");
      box.id = "sitrep-warnings";
      box.setAttribute("role", "status");
      box.setAttribute("aria-labelledby", "sitrep-warnings-title");
      box.addEventListener("keydown", function (e) {
        if (e.key === "Escape") dismiss(box, box.getAttribute("data-key"));
      });
      var parent = document.body || document.documentElement;
      parent.insertBefore(box, parent.firstChild);
    }
    box.setAttribute("data-key", key);
    // Filled once the live region is in the page, so screen readers announce it.
    setTimeout(function () {
      if (box.getAttribute("data-key") === key) fillWarnings(box, warnings, key);
    }, 0);
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
      if (s.errors.length > 0) {
        // Errors come first: the blocking overlay alone.
        if (panel()) panel().remove();
        showErrors(s.errors);
      } else if (overlay()) reload();
      else showWarnings(s);
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
