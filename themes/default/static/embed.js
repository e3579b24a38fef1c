/* sitrep embed: a status banner for any site.
 *   <script src="https://status.example.org/embed.js" defer></script>
 * Reads api/v2/summary.json beside this script (and nothing else). Unless
 * everything is operational it shows a dismissible banner (role=status)
 * linking the open incident or the maintenance in progress. Escape or the
 * close button dismisses it for the session. Fires `sitrep-embed` on
 * document with detail {shown} once it has decided. No dependencies. */
(function () {
  var me = document.currentScript;
  if (!me || !window.fetch) return;
  var base = new URL(".", me.src);
  var done = function (shown) {
    document.dispatchEvent(new CustomEvent("sitrep-embed", { detail: { shown: shown } }));
  };
  var css =
    ".sitrep-embed{position:relative;z-index:2147483000;box-sizing:border-box;display:flex;flex-wrap:wrap;align-items:center;gap:.4em 1em;margin:0;padding:.6em 3em .6em 1em;font:15px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;background:#fff8c5;border-bottom:3px solid #9a6700}" +
    ".sitrep-embed a{color:inherit;font-weight:600;text-decoration:underline}" +
    ".sitrep-embed a:focus-visible,.sitrep-embed button:focus-visible{outline:3px solid currentColor;outline-offset:2px}" +
    ".sitrep-embed-major,.sitrep-embed-critical{color:#fff;background:#a40e26;border-color:#5c0011}" +
    ".sitrep-embed-maintenance{color:#fff;background:#0550ae;border-color:#033d8b}" +
    ".sitrep-embed button{position:absolute;top:.35em;right:.5em;min-width:2em;min-height:2em;font:inherit;font-size:1.2em;line-height:1;color:inherit;background:transparent;border:1px solid currentColor;border-radius:4px;cursor:pointer}" +
    "@media (prefers-color-scheme:dark){.sitrep-embed{color:#f0f6fc;background:#3a2c00;border-color:#d29922}.sitrep-embed-major,.sitrep-embed-critical{color:#fff;background:#8e1519;border-color:#f85149}.sitrep-embed-maintenance{color:#fff;background:#0c3b7a;border-color:#58a6ff}}" +
    "@media (prefers-reduced-motion:no-preference){.sitrep-embed{animation:sitrep-embed-in .3s ease-out}}" +
    "@keyframes sitrep-embed-in{from{opacity:0;transform:translateY(-100%)}}";

  fetch(new URL("api/v2/summary.json", base), { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (s) { done(s ? show(s) : false); })
    .catch(function () { done(false); });

  function show(s) {
    var indicator = (s.status && s.status.indicator) || "none";
    var open = s.incidents || [];
    var active = (s.scheduled_maintenances || []).filter(function (m) {
      return m.status === "in_progress";
    });
    var items = open.concat(active);
    if (indicator === "none" && !items.length) return false;
    var key = "sitrep-embed:" + items.map(function (i) { return i.id + "@" + i.updated_at; }).join(",");
    try { if (sessionStorage.getItem(key)) return false; } catch (e) { /* storage off */ }

    var style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
    var bar = document.createElement("div");
    bar.className = "sitrep-embed sitrep-embed-" + indicator;
    bar.setAttribute("role", "status");
    bar.setAttribute("data-sitrep-embed", indicator);
    var text = document.createElement("strong");
    text.textContent = (s.status && s.status.description) || "";
    bar.appendChild(text);
    var first = items[0];
    var link = document.createElement("a");
    link.href = first && first.shortlink ? first.shortlink : (s.page && s.page.url) || base.href;
    link.textContent = first ? first.name : "Status";
    bar.appendChild(link);
    if (items.length > 1 && s.page && s.page.url) {
      var more = document.createElement("a");
      more.href = s.page.url;
      more.textContent = "+" + (items.length - 1) + " more";
      bar.appendChild(more);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss status message");
    close.textContent = "\u00d7";
    var dismiss = function () {
      try { sessionStorage.setItem(key, "1"); } catch (e) { /* storage off */ }
      bar.remove();
    };
    close.addEventListener("click", dismiss);
    bar.addEventListener("keydown", function (e) {
      if (e.key === "Escape") dismiss();
    });
    bar.appendChild(close);
    document.body.insertBefore(bar, document.body.firstChild);
    return true;
  }
})();
