// notes search: runs in the reader's browser over the index that
// `notes build` writes under search/ (see src/search/mod.rs). Terms are made
// exactly as src/search/tokenize.rs makes them, rule for rule; a test
// compares the two over the corpus. Loaded on first use of a search box;
// the index is fetched piece by piece as queries need it.
(function () {
  "use strict";

  var ALNUM = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]/u;
  var UPPER = /\p{Uppercase}/u;
  var LOWER = /\p{Lowercase}/u;
  var QUOTES = "'\"`\u2018\u2019\u201c\u201d\u00ab\u00bb\u300c\u300d";
  var JOINERS = "./\\:-@+";

  function inRanges(cp, ranges) {
    for (var i = 0; i < ranges.length; i += 2) {
      if (cp >= ranges[i] && cp <= ranges[i + 1]) return true;
    }
    return false;
  }
  var MARKS = [0x0900, 0x0903, 0x093a, 0x094f, 0x0951, 0x0957, 0x0962, 0x0963,
    0x0610, 0x061a, 0x064b, 0x065f, 0x0670, 0x0670, 0x06d6, 0x06ed, 0x3099, 0x309a];
  var CJK = [0x3040, 0x30ff, 0x31f0, 0x31ff, 0x3400, 0x4dbf, 0x4e00, 0x9fff,
    0xac00, 0xd7af, 0xf900, 0xfaff, 0xff66, 0xff9f, 0x20000, 0x2fa1f];

  function isJoiner(c) { return JOINERS.indexOf(c) >= 0; }
  function isWord(c) {
    return ALNUM.test(c) || c === "_" || inRanges(c.codePointAt(0), MARKS);
  }
  function isCjk(c) { return inRanges(c.codePointAt(0), CJK); }
  function isDigit(c) { return c >= "0" && c <= "9"; }
  function isNumber(s) {
    if (s.length === 0) return false;
    for (var i = 0; i < s.length; i++) if (!isDigit(s[i])) return false;
    return true;
  }
  function count(s) { return Array.from(s).length; }

  var FOLDS = [0x00a0, 0x02ff, 0x0300, 0x036f, 0x1e00, 0x1eff, 0x2000, 0x2bff,
    0x3000, 0x3000, 0xfb00, 0xfb06, 0xff00, 0xffef];

  function fold(text) {
    var out = "";
    for (var c of text) {
      if (QUOTES.indexOf(c) >= 0) {
        out += " ";
      } else if (inRanges(c.codePointAt(0), FOLDS)) {
        for (var d of c.normalize("NFKD")) {
          var cp = d.codePointAt(0);
          if (cp >= 0x300 && cp <= 0x36f) continue;
          out += QUOTES.indexOf(d) >= 0 ? " " : d;
        }
      } else {
        out += c;
      }
    }
    return out;
  }

  function chunks(text) {
    var chars = Array.from(text);
    var out = [];
    var i = 0;
    while (i < chars.length) {
      if (!isWord(chars[i])) { i++; continue; }
      var end = i;
      for (;;) {
        while (end < chars.length && isWord(chars[end])) end++;
        var j = end;
        while (j < chars.length && isJoiner(chars[j])) j++;
        if (j > end && j < chars.length && isWord(chars[j])) end = j;
        else break;
      }
      out.push(chars.slice(i, end).join(""));
      i = end;
    }
    return out;
  }

  function isNoise(chunk) {
    var lower = chunk.replace(/[A-Z]/g, function (c) { return c.toLowerCase(); });
    if (lower.slice(0, 2) === "0x") {
      var hex = lower.slice(2);
      return hex.length > 0 && /^[0-9a-f]+$/.test(hex);
    }
    var chars = Array.from(chunk);
    var digits = 0, joiners = 0;
    chars.forEach(function (c) {
      if (isDigit(c)) digits++;
      if (isJoiner(c)) joiners++;
    });
    var onlyNumbers = digits + joiners === chars.length;
    return (onlyNumbers && (joiners >= 2 || (joiners === 0 && digits >= 5))) ||
      (onlyNumbers && chunk.indexOf(":") >= 0);
  }

  function splitParts(chunk) {
    var parts = [], joins = [], part = "", join = "", inJoin = false;
    for (var c of chunk) {
      if (isJoiner(c)) {
        if (!inJoin) { parts.push(part); part = ""; inJoin = true; }
        join += c;
      } else {
        if (inJoin) { joins.push(join); join = ""; inJoin = false; }
        part += c;
      }
    }
    parts.push(part);
    if (inJoin) joins.push(join);
    return [parts, joins];
  }

  function chunkTerms(chunk, previous, out) {
    if (isNoise(chunk) || (isNumber(chunk) && previous === "line")) return;
    for (;;) {
      var at = chunk.lastIndexOf(":");
      if (at <= 0) break;
      if (isNumber(chunk.slice(at + 1))) chunk = chunk.slice(0, at);
      else break;
    }
    while (chunk !== "" && isJoiner(chunk[chunk.length - 1])) chunk = chunk.slice(0, -1);
    var split = splitParts(chunk), parts = split[0], joins = split[1];
    if (parts.length > 2 && /^(home|users)$/i.test(parts[0])) {
      parts = parts.slice(2);
      joins = joins.slice(2);
    }
    if (parts.length > 1) {
      var whole = "";
      for (var k = 0; k < parts.length; k++) whole += parts[k] + (k < joins.length ? joins[k] : "");
      out.push(whole.toLowerCase());
      for (k = 0; k < parts.length - 1; k++) {
        out.push((parts[k] + joins[k] + parts[k + 1]).toLowerCase());
      }
    }
    parts.forEach(function (p) { wordTerms(p, out); });
  }

  function wordTerms(part, out) {
    var run = "", cjk = false;
    for (var c of part) {
      if (isCjk(c) !== cjk && run !== "") { flush(run, cjk, out); run = ""; }
      cjk = isCjk(c);
      run += c;
    }
    if (run !== "") flush(run, cjk, out);
  }

  function flush(run, cjk, out) {
    if (cjk) {
      var chars = Array.from(run);
      if (chars.length === 1) out.push(run);
      for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      return;
    }
    var lower = run.toLowerCase();
    if (count(lower) < 2 || (isNumber(lower) && lower.length > 4)) return;
    out.push(lower);
    var pieces = [];
    run.split("_").filter(function (p) { return p !== ""; }).forEach(function (p) {
      camelPieces(p).forEach(function (q) {
        q = q.toLowerCase();
        if (count(q) >= 2) pieces.push(q);
      });
    });
    if (pieces.length > 1 || (pieces.length === 1 && pieces[0] !== lower)) {
      pieces.forEach(function (p) { out.push(p); });
    }
  }

  function camelPieces(word) {
    var chars = Array.from(word), pieces = [], start = 0;
    for (var k = 1; k < chars.length; k++) {
      var c = chars[k], prev = chars[k - 1];
      var nextLower = k + 1 < chars.length && LOWER.test(chars[k + 1]);
      if (UPPER.test(c) && (LOWER.test(prev) || (UPPER.test(prev) && nextLower))) {
        pieces.push(chars.slice(start, k).join(""));
        start = k;
      }
    }
    pieces.push(chars.slice(start).join(""));
    return pieces;
  }

  function terms(text) {
    var out = [], previous = "";
    chunks(fold(text)).forEach(function (chunk) {
      chunkTerms(chunk, previous, out);
      previous = chunk.toLowerCase();
    });
    return out;
  }

  var STARTS = ["error:", "error[", "fatal:", "warning:", "panic:", "e: ", "err!", "npm err!",
    "traceback (most recent call last)", "exception in thread", "caused by:"];
  var CONTAINS = ["panic", "errno", "segmentation fault", "command not found",
    "no such file or directory", "permission denied", "npm err!"];
  var NAMED = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_.](?:Error|Exception)(?=:|$)/u;

  function isSignature(line) {
    var t = line.trim();
    if (t === "" || count(t) > 300) return false;
    var lower = t.toLowerCase();
    return STARTS.some(function (s) { return lower.slice(0, s.length) === s; }) ||
      CONTAINS.some(function (s) { return lower.indexOf(s) >= 0; }) ||
      NAMED.test(t) || httpStatus(t);
  }

  function httpStatus(line) {
    if (line.slice(0, 5) !== "HTTP/") return false;
    var words = line.slice(5).split(/\s+/).filter(function (w) { return w !== ""; });
    var version = words[0] || "", code = words[1] || "";
    return /^[0-9.]*$/.test(version) && code.length === 3 && /^[1-5][0-9][0-9]$/.test(code);
  }

  function compareCodePoints(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }

  var MAX_QUERY_TERMS = 24;

  function queryTerms(text) {
    var weights = new Map();
    text.split("\n").forEach(function (line) {
      line = line.replace(/\r$/, "");
      var w = isSignature(line) ? 3 : 1;
      terms(line).forEach(function (t) { weights.set(t, Math.max(weights.get(t) || 0, w)); });
    });
    var list = Array.from(weights.entries());
    list.sort(function (a, b) {
      return b[1] - a[1] || count(b[0]) - count(a[0]) || compareCodePoints(a[0], b[0]);
    });
    return list.slice(0, MAX_QUERY_TERMS);
  }

  function shardOf(term, shards) {
    var h = 0x811c9dc5;
    new TextEncoder().encode(term).forEach(function (b) {
      h = Math.imul(h ^ b, 0x01000193) >>> 0;
    });
    return h % shards;
  }

  // The index, fetched piece by piece and kept for the page's lifetime.
  function Index(base) {
    this.base = base;
    this.files = new Map();
  }
  Index.prototype.get = function (path) {
    if (!this.files.has(path)) {
      var p = fetch(this.base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
      p.catch(function () {});
      this.files.set(path, p);
    }
    return this.files.get(path);
  };
  Index.prototype.meta = function () {
    var self = this;
    if (!this.parsed) {
      this.parsed = this.get("meta.json").then(function (m) {
        var langs = [], groups = [], group = 0, next = true;
        for (var c of m.map) {
          if (c === "|") { next = true; continue; }
          var cp = c.codePointAt(0);
          if (next) { group = langs.length; next = false; }
          langs.push(cp < 0x100 ? cp - 0x61 : cp - 0x100);
          groups.push(group);
        }
        self.m = m;
        return { meta: m, langs: langs, groups: groups };
      });
    }
    return this.parsed;
  };
  Index.prototype.doc = function (d, chunk) {
    return this.get("d/" + Math.floor(d / chunk) + ".json").then(function (rows) {
      var r = rows[d % chunk];
      return { id: d, url: r[0], title: r[1], lang: r[2], excerpt: r[3] };
    });
  };

  // Ranked results, as Index::query ranks them (src/search/mod.rs).
  Index.prototype.search = function (text, prefer, limit) {
    var self = this;
    var qterms = queryTerms(text);
    return this.meta().then(function (info) {
      var shards = info.meta.shards;
      return Promise.all(qterms.map(function (tw) {
        return self.get("t/" + shardOf(tw[0], shards) + ".json").then(function (shard) {
          var own = Object.prototype.hasOwnProperty.call(shard, tw[0]);
          return [tw, own ? shard[tw[0]] : null];
        });
      })).then(function (found) {
        var scores = new Map();
        found.forEach(function (f) {
          var list = f[1];
          if (!list) return;
          var d = 0;
          for (var i = 0; i < list.length; i += 2) {
            d += list[i];
            scores.set(d, (scores.get(d) || 0) + f[0][1] * list[i + 1]);
          }
        });
        var preferIdx = info.meta.languages.indexOf(prefer);
        var groups = new Map();
        scores.forEach(function (s, d) {
          var g = info.groups[d];
          var e = groups.get(g);
          if (!e) { e = { score: 0, best: d }; groups.set(g, e); }
          var bs = scores.get(e.best);
          if (s > bs || (s === bs && d < e.best)) e.best = d;
          e.score = Math.max(e.score, s);
        });
        var hits = [];
        groups.forEach(function (e, g) {
          var members = [];
          for (var i = g; i < info.groups.length && info.groups[i] === g; i++) members.push(i);
          var preferred = members.filter(function (i) { return info.langs[i] === preferIdx; })[0];
          var doc = preferred === undefined ? e.best : preferred;
          hits.push({
            preferred: preferred !== undefined, doc: doc, score: e.score,
            others: members.filter(function (i) { return i !== doc; })
          });
        });
        // As Index::query: what scores under a tenth of the best is noise.
        var best = hits.reduce(function (m, h) { return Math.max(m, h.score); }, 0);
        hits = hits.filter(function (h) { return h.score * 10 >= best; });
        hits.sort(function (a, b) {
          return (b.preferred - a.preferred) || (b.score - a.score) || (a.doc - b.doc);
        });
        hits = hits.slice(0, limit);
        var chunk = info.meta.chunk;
        return Promise.all(hits.map(function (h) {
          return Promise.all([h.doc].concat(h.others).map(function (d) { return self.doc(d, chunk); }))
            .then(function (docs) {
              var doc = docs[0];
              doc.score = h.score;
              doc.others = docs.slice(1);
              return doc;
            });
        }));
      });
    }).then(function (results) {
      return {
        terms: qterms.map(function (t) { return t[0]; }),
        results: results,
        names: (self.m && self.m.names) || {}
      };
    });
  };

  // --- The page: a box in the header on every page, and the search page.

  var indexes = new Map();
  function indexAt(base) {
    if (!indexes.has(base)) indexes.set(base, new Index(base));
    return indexes.get(base);
  }
  function pageLang() {
    return document.documentElement.getAttribute("data-lang") || "";
  }

  // The excerpt with every word that matches a query term marked.
  function snippet(text, wanted) {
    var frag = document.createDocumentFragment();
    var re = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_\p{M}]+(?:[./\\:\-@+]+[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_\p{M}]+)*/gu;
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      var hit = terms(m[0]).some(function (t) { return wanted.has(t); });
      if (!hit) continue;
      frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      frag.appendChild(mark);
      last = m.index + m[0].length;
    }
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function render(list, found, names, more) {
    list.textContent = "";
    var wanted = new Set(found.terms);
    if (found.results.length === 0) {
      var none = document.createElement("li");
      none.className = "search-none";
      none.textContent = list.getAttribute("data-none") || "No results";
      list.appendChild(none);
      return;
    }
    found.results.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "search-hit";
      var a = document.createElement("a");
      a.href = r.url;
      a.textContent = r.title;
      a.className = "search-title";
      li.appendChild(a);
      var lang = document.createElement("span");
      lang.className = "search-lang";
      lang.textContent = names[r.lang] || r.lang;
      li.appendChild(lang);
      var p = document.createElement("p");
      p.className = "search-snippet";
      p.appendChild(snippet(r.excerpt, wanted));
      li.appendChild(p);
      if (more && r.others.length) {
        var other = document.createElement("p");
        other.className = "search-others";
        r.others.forEach(function (o, i) {
          if (i) other.appendChild(document.createTextNode(" · "));
          var oa = document.createElement("a");
          oa.href = o.url;
          oa.textContent = names[o.lang] || o.lang;
          oa.setAttribute("hreflang", o.lang);
          other.appendChild(oa);
        });
        li.appendChild(other);
      }
      list.appendChild(li);
    });
  }

  function attach(form) {
    if (form.notesSearch) return;
    form.notesSearch = true;
    var input = form.querySelector("textarea");
    var list = form.querySelector(".search-results");
    var index = indexAt(form.getAttribute("data-index"));
    var page = form.classList.contains("search-page");
    var limit = page ? 20 : 8;
    var timer = 0, asked = 0;
    function run() {
      var text = input.value;
      var mine = ++asked;
      if (text.trim() === "") { list.hidden = true; list.textContent = ""; return; }
      index.search(text, pageLang(), limit).then(function (found) {
        if (mine !== asked) return;
        render(list, found, found.names, page);
        list.hidden = false;
        form.setAttribute("data-searched", String(mine));
      }, function (e) {
        list.textContent = "";
        var li = document.createElement("li");
        li.className = "search-none";
        li.textContent = String(e && e.message || e);
        list.appendChild(li);
        list.hidden = false;
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { list.hidden = true; }
    });
    if (page) {
      var q = new URLSearchParams(location.search).get("q");
      if (q) { input.value = q; run(); }
    } else if (input.value.trim() !== "") {
      run();
    }
  }

  document.querySelectorAll("form.search").forEach(attach);

  // For tests and for other scripts: ranked results for a text.
  window.notesSearch = function (text, lang, limit) {
    var form = document.querySelector("form.search");
    return indexAt(form.getAttribute("data-index")).search(text, lang || pageLang(), limit || 10);
  };
  window.notesSearchTerms = terms;
  window.notesSearchSignature = isSignature;
})();
