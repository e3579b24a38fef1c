/* sitrep search: reads the split index whose manifest the data-index
   attribute of this script names (format: docs/templates.md, "Search index").
   It must tokenize, hash and decode exactly like src/render/search.rs.
   Only the shards of the query's words and the record blocks of the shown
   results are downloaded. No dependencies. */
(function () {
  'use strict';

  var script = document.currentScript || document.querySelector('script[data-index]');
  var manifestUrl = script && script.getAttribute('data-index');
  var pageShards = script && parseInt(script.getAttribute('data-shards'), 10) || 0;
  var form = document.getElementById('search-form');
  var input = document.getElementById('q');
  var countEl = document.getElementById('results-count');
  var listEl = document.getElementById('results-list');
  var moreEl = document.getElementById('results-more');
  if (!manifestUrl || !form || !input || !countEl || !listEl || !window.fetch) return;

  var VERSION = 1;
  var PAGE = 10; // results per "page"; each may need one record block
  var FETCH = 6; // words looked up per query (each may be one more file)
  var MAX_TOKEN = 64; // longer words are not indexed
  var base = manifestUrl.replace(/[^\/]*$/, '');
  var ALPHA = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
  var DIGIT = {};
  for (var i = 0; i < ALPHA.length; i++) DIGIT[ALPHA.charCodeAt(i)] = i;
  var own = Object.prototype.hasOwnProperty;
  var cache = {};
  var found = null; // the ranked results of the current query
  var shown = 0; // how many of them are in the list (or on their way)
  var appended = Promise.resolve(); // the last queued append
  var run = 0; // bumped per query: stale responses are dropped

  function get(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: 'same-origin', priority: 'high' }).then(function (r) {
        if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
        return r.json();
      });
      cache[url].catch(function () { delete cache[url]; });
    }
    return cache[url];
  }

  // 32-bit FNV-1a over UTF-8, as fnv1a() in search.rs.
  function fnv(text) {
    var bytes = new TextEncoder().encode(text);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    return h >>> 0;
  }

  // Lower-cased runs of letters and digits, as words() in search.rs.
  function words(text) {
    return (String(text).match(/[\p{Alphabetic}\p{N}]+/gu) || []).map(function (w) {
      return w.toLowerCase();
    });
  }

  function phraseKey(all) {
    return all.length ? '#' + ('0000000' + fnv(all.join(' ')).toString(16)).slice(-8) : null;
  }

  // Calls fn(doc, weight) per posting; returns the document frequency.
  function decode(text, fn) {
    var n = 0, prev = -1, df = 0;
    for (var i = 0; i < text.length; i++) {
      var x = DIGIT[text.charCodeAt(i)];
      if (x === undefined) continue;
      n = n * 32 + (x & 31);
      if (x < 32) {
        prev += 1 + Math.floor(n / 8);
        fn(prev, n % 8);
        df++;
        n = 0;
      }
    }
    return df;
  }

  function fileOf(m, key) {
    if (!m.bigIndex) {
      m.bigIndex = Object.create(null);
      m.big.forEach(function (b, n) { m.bigIndex[b[0]] = n; });
    }
    var n = m.bigIndex[key];
    return n !== undefined ? base + 'b/' + n + '.json' : base + 's/' + (fnv(key) % m.shards) + '.json';
  }

  function postings(m, key) {
    return get(fileOf(m, key)).then(function (obj) {
      return own.call(obj, key) ? String(obj[key]) : '';
    });
  }

  // A key by its shard alone (a big key's shard entry "@n" names its file):
  // the search page gives the shard count, so this need not wait for the manifest.
  function byShard(shards, key) {
    return get(base + 's/' + (fnv(key) % shards) + '.json').then(function (obj) {
      var v = own.call(obj, key) ? String(obj[key]) : '';
      if (v.charAt(0) !== '@') return v;
      return get(base + 'b/' + parseInt(v.slice(1), 10) + '.json').then(function (o) {
        return own.call(o, key) ? String(o[key]) : '';
      });
    });
  }

  // Documents whose ID, error or title is exactly the query, best field
  // first, then newest: known from the phrase key alone, so they can show
  // before the word lookups finish.
  function phraseHits(text) {
    var hits = [];
    decode(text, function (doc, w) { hits.push({ doc: doc, p: w + 1 }); });
    return hits.sort(function (a, b) { return b.p - a.p || a.doc - b.doc; });
  }

  // The phrase hits, then documents with every query word (or, if there are
  // none at all, at least half of them), by the field-weighted idf score.
  function rank(m, toks, lists, phrase) {
    var exact = new Set(phrase.map(function (h) { return h.doc; }));
    var hits = new Map();
    lists.forEach(function (text) {
      var list = [];
      var df = decode(text, function (doc, w) { list.push(doc, w); });
      var idf = Math.log(1 + m.docs / Math.max(df, 1));
      for (var i = 0; i < list.length; i += 2) {
        if (exact.has(list[i])) continue;
        var h = hits.get(list[i]);
        if (!h) hits.set(list[i], h = { doc: list[i], m: 0, s: 0 });
        h.m++;
        h.s += idf * (list[i + 1] + 1);
      }
    });
    var rest = Array.from(hits.values());
    var full = rest.filter(function (h) { return h.m === toks.length; });
    var partial = !full.length && !phrase.length;
    if (!full.length && !phrase.length) full = rest.filter(function (h) { return toks.length > 1 && h.m * 2 >= toks.length; });
    full.sort(function (a, b) { return b.m - a.m || b.s - a.s || a.doc - b.doc; });
    return { hits: phrase.concat(full), partial: partial, block: m.block };
  }

  // Which words to look up. Words in more than a quarter of all documents say
  // little about which one is meant, and a pasted message has many words: up
  // to FETCH rare ones (longest first) are looked up, the rest count as
  // matched by every document. The exact phrase is always looked up, so
  // incidents listing the whole message still come first.
  function pick(m, toks) {
    var common = Object.create(null);
    m.big.forEach(function (b) { if (b[1] * 4 > m.docs) common[b[0]] = true; });
    var rare = toks.filter(function (t) { return !common[t]; });
    return (rare.length ? rare : toks)
      .map(function (t, i) { return [t, i]; })
      .sort(function (a, b) { return b[0].length - a[0].length || a[1] - b[1]; })
      .slice(0, FETCH)
      .map(function (x) { return x[0]; });
  }

  // Resolves to the ranked results; calls early(results) first with the
  // phrase hits alone, as soon as they are known.
  function search(query, early) {
    var all = words(query);
    var seen = Object.create(null);
    var toks = all.filter(function (w) {
      if (seen[w] || Array.from(w).length > MAX_TOKEN) return false;
      return (seen[w] = true);
    });
    var key = phraseKey(all);
    if (!key) return Promise.resolve({ hits: [], partial: false });
    var phrase = pageShards ? byShard(pageShards, key) : null;
    if (phrase) phrase.catch(function () {});
    return get(manifestUrl).then(function (m) {
      if (m.version !== VERSION) throw new Error('search index version ' + m.version);
      if (!phrase || m.shards !== pageShards) phrase = byShard(m.shards, key);
      toks = pick(m, toks);
      var hits = phrase.then(phraseHits);
      hits.then(function (h) { early({ hits: h, block: m.block }); }, function () {});
      return Promise.all([hits, Promise.all(toks.map(function (t) { return postings(m, t); }))])
        .then(function (x) { return rank(m, toks, x[1], x[0]); });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // rec: [id, title, status, status label, date (machine), date, url]
  function item(rec) {
    var li = el('li');
    var a = el('a');
    a.href = rec[6];
    if (rec[0]) {
      a.appendChild(el('span', 'id', rec[0]));
      a.appendChild(document.createTextNode(' '));
    }
    a.appendChild(el('span', 'result-title', rec[1]));
    li.appendChild(a);
    var meta = el('span', 'result-meta');
    var badge = el('span', 'badge' + (rec[2] ? ' st-' + rec[2].replace(/[^a-z-]/g, '') : ''), rec[3]);
    var time = el('time', null, rec[5]);
    time.setAttribute('datetime', rec[4]);
    meta.appendChild(badge);
    meta.appendChild(document.createTextNode(' '));
    meta.appendChild(time);
    li.appendChild(meta);
    return li;
  }

  // Appends up to `count` more results in order, each as soon as its record
  // block (and those before it) arrived; only the blocks they are in are fetched.
  function showMore(r, token, count) {
    var next = r.hits.slice(shown, shown + count);
    shown += next.length;
    next.forEach(function (h) {
      var rec = get(base + 'r/' + Math.floor(h.doc / r.block) + '.json');
      appended = appended.then(function () { return rec; }).then(function (b) {
        if (token !== run || !b[h.doc % r.block]) return;
        var li = item(b[h.doc % r.block]);
        listEl.appendChild(li);
        if (!performance.getEntriesByName('sitrep-search-results').length) performance.mark('sitrep-search-results');
      });
    });
    return appended;
  }

  // Interface strings from the theme's i18n file, as data-t-* attributes of
  // this script; `{q}` and `{n}` are filled in here. English when absent.
  function tr(name, fallback, vars) {
    var text = (script && script.getAttribute('data-t-' + name)) || fallback;
    return text.replace(/\{(q|n)\}/g, function (_, k) { return vars && k in vars ? vars[k] : '{' + k + '}'; });
  }

  function announce(query, r) {
    var n = r.hits.length;
    var v = {q: '“' + query.trim() + '”', n: n};
    if (!n) return tr('none', 'No results for {q}.', v);
    if (r.partial) return n === 1 ? tr('partial-one', 'Nothing matches every word of {q}. 1 closest match:', v)
      : tr('partial', 'Nothing matches every word of {q}. {n} closest matches:', v);
    return tr(n === 1 ? 'one' : 'other', n === 1 ? '{n} result for {q}' : '{n} results for {q}', v) +
      (n > PAGE ? tr('showing', ', showing the first {n}', {n: PAGE}) : '') + '.';
  }

  function render(query) {
    var token = ++run;
    listEl.textContent = '';
    shown = 0;
    found = null;
    appended = Promise.resolve();
    if (moreEl) moreEl.hidden = true;
    if (!query.trim()) {
      countEl.textContent = '';
      return;
    }
    countEl.textContent = tr('searching', 'Searching…');
    search(query, function (r) {
      if (token === run) showMore(r, token, PAGE);
    }).then(function (r) {
      if (token !== run) return null;
      found = r;
      // The phrase hits come first in r too: fill the first page up after them.
      return showMore(r, token, PAGE - shown).then(function () {
        if (token !== run) return;
        countEl.textContent = announce(query, r);
        if (moreEl) moreEl.hidden = shown >= r.hits.length;
      });
    }).catch(function () {
      if (token === run) countEl.textContent = tr('failed', 'The search index could not be loaded. Please browse the lists below instead.');
    });
  }

  function setUrl(query, push) {
    if (!window.history || !history.pushState) return;
    var url = new URL(window.location.href);
    if (query.trim()) url.searchParams.set('q', query);
    else url.searchParams.delete('q');
    history[push ? 'pushState' : 'replaceState'](null, '', url.pathname + url.search + url.hash);
  }

  function fromUrl() {
    input.value = new URLSearchParams(window.location.search).get('q') || '';
    render(input.value);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    setUrl(input.value, true);
    render(input.value);
  });
  if (moreEl) {
    moreEl.addEventListener('click', function () {
      if (!found) return;
      var before = listEl.children.length;
      var token = run;
      showMore(found, token, PAGE).then(function () {
        if (token !== run) return;
        moreEl.hidden = shown >= found.hits.length;
        var first = listEl.children[before];
        if (first) first.querySelector('a').focus();
      });
    });
  }
  window.addEventListener('popstate', fromUrl);
  fromUrl();
  if (!input.value) input.focus();
})();
