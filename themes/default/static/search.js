/* sitrep search: client-side search over the JSON index named by the
   data-index attribute of this script. No dependencies, ES2017.
   Index: [{id, title, url, status, services: [..], regions: [..], errors: [..], text}] */
(function () {
  'use strict';

  var script = document.currentScript || document.querySelector('script[data-index]');
  var indexUrl = script && script.getAttribute('data-index');
  var form = document.getElementById('search-form');
  var input = document.getElementById('q');
  var countEl = document.getElementById('results-count');
  var listEl = document.getElementById('results-list');
  if (!indexUrl || !form || !input || !countEl || !listEl) return;

  var MAX_RESULTS = 50;
  var entries = null; // prepared index, once loaded
  var loadError = false;

  // Lower-case, strip accents ("Zürich" finds "zurich"), squeeze whitespace.
  function norm(value) {
    return String(value == null ? '' : value)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim();
  }

  // Query words: split on spaces and punctuation but keep the characters of
  // IDs and codes (letters, digits, ".", "_", "-"), so that a pasted message
  // like "closed abruptly (SuspiciousRemoteServerError)" still matches.
  function words(text) {
    var seen = Object.create(null);
    return norm(text)
      .split(/[\s"'`()\[\]{}<>,;:!?|\\\/=*+&^%$#@~\u2018\u2019\u201c\u201d]+/)
      .map(function (w) { return w.replace(/^[._-]+|[._-]+$/g, ''); })
      .filter(function (w) {
        if (!w || seen[w]) return false;
        seen[w] = true;
        return true;
      });
  }

  function list(value) {
    if (value == null) return [];
    if (!Array.isArray(value)) value = [value];
    var out = [];
    value.forEach(function (v) {
      if (v && typeof v === 'object') {
        ['code', 'message', 'name', 'title'].forEach(function (k) { if (v[k]) out.push(String(v[k])); });
      } else if (v != null && v !== '') {
        out.push(String(v));
      }
    });
    return out;
  }

  function prepare(item) {
    var e = {
      item: item,
      id: norm(item.id),
      title: norm(item.title),
      errors: list(item.errors).map(norm),
      services: list(item.services).map(norm).join(' | '),
      regions: list(item.regions).map(norm).join(' | '),
      text: norm(item.text)
    };
    e.all = [e.id, e.title, e.errors.join(' | '), e.services, e.regions, e.text].join(' \n ');
    return e;
  }

  // Higher is better: an exact ID or error hit first, then title, then text.
  function score(e, phrase, toks) {
    var s = 0;
    if (e.id && (e.id === phrase || toks.indexOf(e.id) !== -1)) s += 1000;
    for (var i = 0; i < e.errors.length; i++) {
      var err = e.errors[i];
      if (!err) continue;
      if (err === phrase) s += 900;
      else if (err.length >= 4 && phrase.indexOf(err) !== -1) s += 700;
      else if (phrase.length >= 4 && err.indexOf(phrase) !== -1) s += 600;
      else if (toks.indexOf(err) !== -1) s += 700;
    }
    if (phrase && e.title.indexOf(phrase) !== -1) s += 300;
    toks.forEach(function (t) {
      if (e.title.indexOf(t) !== -1) s += 40;
      if (e.services.indexOf(t) !== -1 || e.regions.indexOf(t) !== -1) s += 25;
      if (e.errors.some(function (err) { return err.indexOf(t) !== -1; })) s += 20;
      if (e.text.indexOf(t) !== -1) s += 5;
    });
    return s;
  }

  function search(query) {
    var phrase = norm(query);
    var toks = words(query);
    if (!toks.length) return { results: [], partial: false };
    var results = [];
    var partial = [];
    entries.forEach(function (e, order) {
      var s = score(e, phrase, toks);
      var hits = toks.filter(function (t) { return e.all.indexOf(t) !== -1; }).length;
      if (hits === toks.length || s >= 600) {
        results.push({ e: e, s: s, order: order });
      } else if (hits > 0 && hits * 2 >= toks.length) {
        // Pasted messages often carry request IDs or addresses that no page has.
        partial.push({ e: e, s: s + hits * 50, order: order });
      }
    });
    var useful = results.length ? results : partial;
    useful.sort(function (a, b) { return b.s - a.s || a.order - b.order; });
    return { results: useful.map(function (r) { return r.e.item; }), partial: !results.length };
  }

  function statusLabel(status) {
    status = String(status);
    return status.charAt(0).toUpperCase() + status.slice(1);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function render(query) {
    listEl.textContent = '';
    if (!query.trim()) {
      countEl.textContent = '';
      return;
    }
    if (loadError) {
      countEl.textContent = 'The search index could not be loaded. Please browse all incidents instead.';
      return;
    }
    if (!entries) {
      countEl.textContent = 'Loading the search index…';
      return;
    }
    var found = search(query);
    var all = found.results;
    var shown = all.slice(0, MAX_RESULTS);
    var n = all.length;
    var msg;
    if (!n) msg = 'No results for “' + query.trim() + '”.';
    else if (found.partial) msg = 'Nothing matches every word of “' + query.trim() + '”. Closest ' + (n === 1 ? 'match' : n + ' matches') + ':';
    else msg = n + (n === 1 ? ' result' : ' results') + ' for “' + query.trim() + '”' + (n > MAX_RESULTS ? ', showing the first ' + MAX_RESULTS : '') + '.';
    countEl.textContent = msg;
    var frag = document.createDocumentFragment();
    shown.forEach(function (item) {
      var li = el('li');
      var a = el('a');
      a.href = item.url;
      if (item.id) {
        a.appendChild(el('span', 'id', item.id));
        a.appendChild(document.createTextNode(' '));
      }
      a.appendChild(el('span', 'result-title', item.title || item.url));
      li.appendChild(a);
      if (item.status) {
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('span', 'badge badge-status badge-' + String(item.status).replace(/[^a-z-]/g, ''), statusLabel(item.status)));
      }
      var meta = list(item.services).concat(list(item.regions)).join(' · ');
      if (meta) li.appendChild(el('span', 'result-meta', meta));
      frag.appendChild(li);
    });
    listEl.appendChild(frag);
  }

  function syncUrl(query) {
    if (!window.history || !history.replaceState) return;
    var url = new URL(window.location.href);
    if (query.trim()) url.searchParams.set('q', query);
    else url.searchParams.delete('q');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  var timer = null;
  function update() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      syncUrl(input.value);
      render(input.value);
    }, 150);
  }

  input.addEventListener('input', update);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(timer);
    syncUrl(input.value);
    render(input.value);
  });

  var initial = new URLSearchParams(window.location.search).get('q');
  if (initial) input.value = initial;
  else input.focus();
  render(input.value);

  fetch(indexUrl, { credentials: 'same-origin' })
    .then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    })
    .then(function (data) {
      var items = Array.isArray(data) ? data : (data && (data.items || data.incidents)) || [];
      entries = items.filter(function (item) { return item && item.url; }).map(prepare);
      render(input.value);
    })
    .catch(function () {
      loadError = true;
      render(input.value);
    });
})();
