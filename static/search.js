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

  // Rust's char::is_whitespace (Unicode White_Space), for trims and
  // splits that must agree with src/search/tokenize.rs.
  var WS = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  function isWs(c) { return WS.test(c); }
  function trimStart(s) {
    var i = 0;
    while (i < s.length && isWs(s[i])) i++;
    return s.slice(i);
  }
  function trimEnd(s) {
    var i = s.length;
    while (i > 0 && isWs(s[i - 1])) i--;
    return s.slice(0, i);
  }
  function trim(s) { return trimEnd(trimStart(s)); }
  function firstWs(s) {
    for (var i = 0; i < s.length; i++) if (isWs(s[i])) return i;
    return s.length;
  }
  function words(s) { return s.split(WS_ALL).filter(function (w) { return w !== ""; }); }
  var WS_ALL = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  function lowerAscii(s) { return s.replace(/[A-Z]/g, function (c) { return c.toLowerCase(); }); }
  function isAsciiAlnum(c) { return /^[A-Za-z0-9]$/.test(c); }
  function isHex(c) { return /^[0-9A-Fa-f]$/.test(c); }
  function utf8Len(s) { return new TextEncoder().encode(s).length; }

  // Chunks with whether each is the value of a `key=value`.
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
      var afterEq = i >= 2 && chars[i - 1] === "=" && /^[A-Za-z0-9_]$/.test(chars[i - 2]);
      out.push([chars.slice(i, end).join(""), afterEq]);
      i = end;
    }
    return out;
  }

  function isNoise(chunk) {
    if (chunk.indexOf("@") >= 0) return isAddress(chunk);
    if (!isHex(chunk[0] || "")) return false;
    if (chunk.slice(0, 2) === "0x" || chunk.slice(0, 2) === "0X") {
      var hex = chunk.slice(2);
      return hex.length > 0 && /^[0-9a-fA-F]+$/.test(hex);
    }
    if (isUuid(chunk) || isIpv6(chunk)) return true;
    if (!isDigit(chunk[0])) return false;
    var chars = Array.from(chunk);
    var digits = 0, joiners = 0;
    chars.forEach(function (c) {
      if (isDigit(c)) digits++;
      if (isJoiner(c)) joiners++;
    });
    var onlyNumbers = digits + joiners === chars.length;
    return (onlyNumbers && (joiners >= 2 || (joiners === 0 && digits >= 5))) ||
      (onlyNumbers && chunk.indexOf(":") >= 0) || isMeasure(chunk) || isTimestamp(chunk);
  }

  function isUuid(chunk) {
    var groups = chunk.split("-"), sizes = [8, 4, 4, 4, 12];
    return groups.length === 5 && groups.every(function (g, k) {
      return g.length === sizes[k] && /^[0-9a-fA-F]+$/.test(g);
    });
  }

  function isIpv6(chunk) {
    return chunk.split(":").length - 1 >= 2 && /[0-9]/.test(chunk) && /^[0-9a-fA-F:]+$/.test(chunk);
  }

  var UNITS = ["ns", "us", "\u00b5s", "ms", "s", "sec", "secs", "m", "min", "mins", "h", "kb", "mb", "gb",
    "kib", "mib", "gib", "tb"];
  function isMeasure(chunk) {
    var m = /^[0-9.]*/.exec(chunk)[0];
    var unit = lowerAscii(chunk.slice(m.length));
    return m !== "" && m[m.length - 1] !== "." && UNITS.indexOf(unit) >= 0;
  }

  function isAddress(chunk) {
    var at = chunk.indexOf("@");
    var user = chunk.slice(0, at), host = chunk.slice(at + 1);
    return user !== "" && !/[\/\\]/.test(chunk) && /^\p{Alphabetic}/u.test(host) && host.indexOf("@") < 0;
  }

  var CODE_KEYWORDS = ["sqlstate", "sqlcode", "errno", "code", "status", "exit"];

  function isRandom(part) {
    if (!/^[\x00-\x7f]*$/.test(part) || part.length < 5) return false;
    var hex = /^[0-9a-fA-F]+$/.test(part);
    if (hex && part.length >= 7 && /[0-9]/.test(part) && /[A-Za-z]/.test(part)) return true;
    var alternations = 0;
    for (var i = 0; i + 1 < part.length; i++) {
      var a = part[i], b = part[i + 1];
      if (isAsciiAlnum(a) && isAsciiAlnum(b) && isDigit(a) !== isDigit(b)) alternations++;
    }
    if (alternations >= 4) return true;
    var short = 0;
    part.split("_").forEach(function (p) {
      camelPieces(p).forEach(function (q) {
        if (q.length <= 2 && /^[A-Za-z]*$/.test(q)) short++;
      });
    });
    return short >= 3 && /^[A-Za-z0-9]+$/.test(part);
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

  var LIBRARIES = ["packages", "node_modules", "registry", "repository", "gems", "vendor"];
  function isHome(w) { w = lowerAscii(w); return w === "home" || w === "users"; }

  // As without_home: the index of the first part kept.
  function homeStart(parts) {
    var home;
    if (isHome(parts[0] || "")) home = 0;
    else if (utf8Len(parts[0] || "") === 1 && isHome(parts[1] || "")) home = 1;
    else return 0;
    var rest = Math.min(home + 2, parts.length);
    if (rest >= parts.length) return 0;
    var library = -1;
    for (var k = parts.length - 1; k >= rest; k--) {
      if (LIBRARIES.indexOf(lowerAscii(parts[k])) >= 0) { library = k; break; }
    }
    if (library >= 0 && library + 1 < parts.length) return library + 1;
    return Math.max(rest, parts.length - 2);
  }

  function compoundTerms(parts, joins, from, to, out) {
    if (to - from >= 2) {
      var whole = "";
      for (var k = from; k < to; k++) whole += parts[k] + (k + 1 < to ? joins[k] : "");
      // Windows paths as Unix ones, as slashed() does.
      out.push(whole.toLowerCase().replace(/\\/g, "/"));
      for (k = from; k + 1 < to; k++) {
        out.push((parts[k] + joins[k] + parts[k + 1]).toLowerCase().replace(/\\/g, "/"));
      }
    }
    for (k = from; k < to; k++) wordTerms(parts[k], out);
  }

  function chunkTerms(chunk, previous, afterEq, out) {
    var prev = lowerAscii(previous);
    if (isNumber(chunk) && CODE_KEYWORDS.indexOf(prev) >= 0) { out.push(chunk); return; }
    if (isNoise(chunk) || (isNumber(chunk) && prev === "line")) return;
    if (afterEq && /[0-9]/.test(chunk)) return;
    if (!Array.from(chunk).some(isJoiner)) {
      if (!isRandom(chunk)) wordTerms(chunk, out);
      return;
    }
    for (;;) {
      var at = chunk.lastIndexOf(":");
      if (at <= 0) break;
      if (isNumber(chunk.slice(at + 1))) chunk = chunk.slice(0, at);
      else break;
    }
    while (chunk !== "" && isJoiner(chunk[chunk.length - 1])) chunk = chunk.slice(0, -1);
    var split = splitParts(chunk), parts = split[0], joins = split[1];
    var start = homeStart(parts);
    for (var k = start; k <= parts.length; k++) {
      if (k === parts.length || isRandom(parts[k])) {
        compoundTerms(parts, joins, start, k, out);
        start = k + 1;
      }
    }
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
    chunks(fold(text)).forEach(function (c) {
      chunkTerms(c[0], previous, c[1], out);
      previous = c[0];
    });
    return out;
  }

  // As tokenize::phrases: pairs of neighbouring names, "first second".
  function phrases(text) {
    var names = [], previous = "";
    chunks(fold(text)).forEach(function (c) {
      var out = [];
      chunkTerms(c[0], previous, c[1], out);
      if (out.length) names.push(out[0]);
      previous = c[0];
    });
    var pairs = [];
    for (var i = 0; i + 1 < names.length; i++) pairs.push(names[i] + " " + names[i + 1]);
    return pairs;
  }

  var STARTS = ["error:", "error[", "fatal:", "fatal error", "warning:", "panic:", "e: ", "err!",
    "npm err!", "npm error", "yarn error", "traceback (most recent call last)", "exception in thread",
    "caused by:", "uncaught ", "unhandled "];
  var CONTAINS = ["panic", "errno", "error:", "segmentation fault", "core dumped", "fatal signal",
    "command not found", ": not found", "unknown command", "not found, but can be installed with",
    "not recognized as an internal or external command", "is not recognized as the name of a cmdlet",
    "executable file not found", "no such file or directory", "permission denied", "npm err!", "aborting"];
  var NAMED = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_.](?:Error|Exception)(?=:|$)/u;

  function isSignature(line) {
    var whole = trim(line);
    if (whole === "" || count(whole) > 300) return false;
    var stripped = stripLogPrefix(whole);
    var t = stripShell(stripped[0]);
    var lower = lowerAscii(t);
    return stripped[1] ||
      STARTS.some(function (s) { return lower.slice(0, s.length) === s; }) ||
      CONTAINS.some(function (s) { return lower.indexOf(s) >= 0; }) ||
      NAMED.test(t) || httpStatus(t) || codeStart(t);
  }

  var LEVELS = ["info", "debug", "trace", "warn", "notice", "verbose"];
  var ERROR_LEVELS = ["error", "fatal", "severe", "critical", "crit", "err", "emerg", "alert"];
  function isLevel(w) { w = lowerAscii(w); return LEVELS.indexOf(w) >= 0 || ERROR_LEVELS.indexOf(w) >= 0; }

  // As strip_log_prefix: [message, whether an error level was named].
  function stripLogPrefix(line) {
    var rest = trimStart(line), level = false;
    for (var n = 0; n < 6; n++) {
      var end = firstWs(rest);
      var word = rest.slice(0, end);
      var bare = word.replace(/^\[+/, "").replace(/[\]:,]+$/, "");
      var after = trimStart(rest.slice(end));
      var tagged = word[0] === "[" || /^[A-Z]*$/.test(bare);
      var tag = logcatTag(word);
      if (tagged && isLevel(bare)) {
        level = level || ERROR_LEVELS.indexOf(lowerAscii(bare)) >= 0;
        rest = after;
      } else if (word[0] === "[" && word[word.length - 1] === "]" && utf8Len(word) > 2) {
        rest = after;
      } else if (isTimestamp(bare)) {
        rest = after;
      } else if (after[0] === "|" && isService(word)) {
        rest = trimStart(after.slice(1));
      } else if (tag) {
        level = level || "EFA".indexOf(tag) >= 0;
        rest = after;
      } else {
        break;
      }
    }
    return [rest, level];
  }

  function isTimestamp(w) {
    var digits = (w.match(/[0-9]/g) || []).length;
    return digits >= 4 && isDigit(w[0] || "") && /^[0-9\-:.,TZ+\/]*$/.test(w);
  }
  function isService(w) { return w !== "" && w.length <= 40 && /^[A-Za-z0-9_\-.]+$/.test(w); }
  function logcatTag(w) {
    var ok = "VDIWEFA".indexOf(w[0] || "x") >= 0 && w[1] === "/" && utf8Len(w) > 3 &&
      (w[w.length - 1] === ":" || w[w.length - 1] === "(");
    return ok ? w[0] : null;
  }

  var SHELLS = ["bash", "zsh", "sh", "dash", "ksh", "fish", "sudo", "env", "doas"];
  function isShell(word) {
    if (word[word.length - 1] !== ":") return false;
    var name = word.slice(0, -1);
    name = name.slice(name.lastIndexOf("/") + 1).replace(/^-+/, "");
    return SHELLS.indexOf(name) >= 0;
  }
  function stripShell(message) {
    var end = firstWs(message);
    if (!isShell(message.slice(0, end))) return message;
    var after = trimStart(message.slice(end));
    var number = words(after)[0] || "";
    if (number[number.length - 1] === ":" && isNumber(number.slice(0, -1))) {
      return trimStart(after.slice(number.length));
    }
    return after;
  }

  function codeStart(line) {
    var word = line.split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000:]/)[0];
    var letters = /^[A-Z]*/.exec(word)[0].length;
    var rest = word.slice(letters);
    if (rest[0] === "-") rest = rest.slice(1);
    var digits = /^[0-9]*/.exec(rest)[0].length;
    var tail = rest.slice(digits);
    var code = letters >= 1 && letters <= 5 && digits >= 3 && digits <= 5 &&
      (tail === "" || /^[A-Z]$/.test(tail));
    var errno = letters >= 4 && letters === word.length && word[0] === "E" && line[word.length] === ":";
    return code || errno;
  }

  var TEMPLATES = [
    "is not recognized as the name of a cmdlet, function, script file, or operable program",
    "is not recognized as an internal or external command", "operable program or batch file",
    "not found, but can be installed with", "command '", "command not found",
    "executable file not found in $path", "no such file or directory", "unknown command",
    "no module named", "not found"];
  // As split_template: [subject, template wording].
  function splitTemplate(message) {
    var subject = message, template = "";
    TEMPLATES.forEach(function (t) {
      var at = lowerAscii(subject).indexOf(t);
      if (at >= 0) {
        template += subject.slice(at, at + t.length) + " ";
        subject = subject.slice(0, at) + " ".repeat(t.length) + subject.slice(at + t.length);
      }
    });
    return [subject, template];
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

  var MAX_QUERY_TERMS = 16, MAX_QUERY_PHRASES = 6;

  // As rank::query_terms (src/search/rank.rs).
  function queryTerms(text, common) {
    var weights = new Map(), pairs = new Map();
    function add(t, w) {
      terms(t).forEach(function (x) { weights.set(x, Math.max(weights.get(x) || 0, w)); });
    }
    var continued = false;
    text.split("\n").forEach(function (line) {
      line = line.replace(/\r$/, "");
      var sig = isSignature(line);
      if (sig || continued) {
        var l = trim(line);
        var message = stripLogPrefix(l)[0];
        add(l.slice(0, l.length - message.length), 1);
        message = stripShell(message);
        var st = splitTemplate(message);
        add(st[1], 1);
        add(st[0], 3);
        phrases(message).forEach(function (p) { if (!pairs.has(p)) pairs.set(p, 3); });
      } else {
        add(line, 1);
      }
      continued = sig && line.indexOf(" panicked at ") >= 0 && trimEnd(line).slice(-1) === ":";
    });
    return mostIdentifying(weights, common, MAX_QUERY_TERMS)
      .concat(mostIdentifying(pairs, common, MAX_QUERY_PHRASES));
  }

  function mostIdentifying(weights, common, max) {
    var isCommon = function (t) { return common.has(t); };
    var isPath = function (t) { return /[\/\\]/.test(t); };
    var list = Array.from(weights.entries());
    list.sort(function (a, b) {
      return b[1] - a[1] || isCommon(a[0]) - isCommon(b[0]) || isPath(a[0]) - isPath(b[0]) ||
        count(b[0]) - count(a[0]) || compareCodePoints(a[0], b[0]);
    });
    // As rank::most_identifying: common terms go when three others are there.
    if (list.filter(function (t) { return !isCommon(t[0]); }).length >= 3) {
      list = list.filter(function (t) { return !isCommon(t[0]); });
    }
    return list.slice(0, max);
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
      return { id: d, url: r[0], title: r[1], lang: r[2], summary: r[3], sections: r[4] || [] };
    });
  };

  // As rank::excerpt: the section a hit points at, and the note's error
  // line holding the most query weight (else its summary).
  function excerpt(doc, section, qterms) {
    var wanted = new Map(qterms);
    var best = null;
    doc.sections.forEach(function (s, k) {
      s[2].forEach(function (line) {
        var seen = new Set(), weight = 0;
        terms(line).forEach(function (t) {
          if (seen.has(t)) return;
          seen.add(t);
          weight += wanted.get(t) || 0;
        });
        var here = k === section;
        var better = best === null || weight > best[0] || (weight === best[0] && here && !best[1]);
        if (weight > 0 && better) best = [weight, here, line];
      });
    });
    var s = doc.sections[section];
    return { heading: s ? s[1] : "", anchor: s ? s[0] : "", text: best ? best[2] : doc.summary };
  }

  // Ranked results, as rank::rank ranks them (src/search/rank.rs).
  Index.prototype.search = function (text, prefer, limit) {
    var self = this;
    return this.meta().then(function (info) {
      var qterms = queryTerms(text, new Set(info.meta.common || []));
      var shards = info.meta.shards;
      return Promise.all(qterms.map(function (tw) {
        return self.get("t/" + shardOf(tw[0], shards) + ".json").then(function (shard) {
          var own = Object.prototype.hasOwnProperty.call(shard, tw[0]);
          return [tw, own ? shard[tw[0]] : null];
        });
      })).then(function (found) {
        var docs = info.langs.length, total = 0;
        var scores = new Map(), sections = new Map();
        found.forEach(function (f) {
          var list = f[1];
          if (!list) return;
          var w = f[0][1], df = list.length / 2;
          var idf = Math.round(100 * Math.log(1 + (docs - df + 0.5) / (df + 0.5)));
          total += w * idf;
          var d = 0;
          for (var i = 0; i < list.length; i += 2) {
            d += list[i];
            var impact = Math.floor(list[i + 1] / 64), sec = list[i + 1] % 64;
            var e = scores.get(d);
            if (!e) { e = [0, 0]; scores.set(d, e); }
            e[0] += w * impact;
            e[1] += w * idf;
            var key = d * 64 + sec;
            sections.set(key, (sections.get(key) || 0) + w * impact);
          }
        });
        var near = new Map();
        sections.forEach(function (s, key) {
          var d = Math.floor(key / 64), sec = key % 64, b = near.get(d);
          if (!b || s > b[0] || (s === b[0] && sec < b[1])) near.set(d, [s, sec]);
        });
        var finals = new Map();
        scores.forEach(function (e, d) {
          var n = near.get(d);
          finals.set(d, Math.floor((e[0] + Math.floor((n ? n[0] : 0) / 2)) * e[1] / Math.max(total, 1)));
        });
        var preferIdx = info.meta.languages.indexOf(prefer);
        var groups = new Map();
        finals.forEach(function (s, d) {
          var g = info.groups[d];
          var e = groups.get(g);
          if (!e) { e = { score: 0, best: d }; groups.set(g, e); }
          var bs = finals.get(e.best);
          if (s > bs || (s === bs && d < e.best)) e.best = d;
          e.score = Math.max(e.score, s);
        });
        var hits = [];
        groups.forEach(function (e, g) {
          var members = [];
          for (var i = g; i < info.groups.length && info.groups[i] === g; i++) members.push(i);
          var preferred = members.filter(function (i) { return info.langs[i] === preferIdx; })[0];
          var doc = preferred === undefined ? e.best : preferred;
          var n = near.get(doc);
          hits.push({
            preferred: preferred !== undefined, doc: doc, score: e.score, section: n ? n[1] : 0,
            others: members.filter(function (i) { return i !== doc; })
          });
        });
        // As rank::rank: what scores under a tenth of the best is noise.
        var best = hits.reduce(function (m, h) { return Math.max(m, h.score); }, 0);
        hits = hits.filter(function (h) { return h.score * 10 >= best && h.score > 0; });
        hits.sort(function (a, b) {
          return (b.preferred - a.preferred) || (b.score - a.score) || (a.doc - b.doc);
        });
        hits = hits.slice(0, limit);
        var chunk = info.meta.chunk;
        return Promise.all(hits.map(function (h) {
          return Promise.all([h.doc].concat(h.others).map(function (d) { return self.doc(d, chunk); }))
            .then(function (docs) {
              var doc = docs[0];
              var shown = excerpt(doc, h.section, qterms);
              doc.score = h.score;
              doc.heading = shown.heading;
              doc.anchor = shown.anchor;
              doc.excerpt = shown.text;
              doc.others = docs.slice(1);
              return doc;
            });
        }));
      }).then(function (results) {
        return {
          terms: qterms.map(function (t) { return t[0]; }),
          results: results,
          names: (self.m && self.m.names) || {}
        };
      });
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
      if (r.heading) {
        // The section that matched, as Pagefind's sub-results link it.
        var sec = document.createElement("a");
        sec.className = "search-section";
        sec.href = r.url + "#" + encodeURIComponent(r.anchor);
        sec.textContent = r.heading;
        li.appendChild(sec);
      }
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
  window.notesPhrases = phrases;
  window.notesQueryTerms = function (text, common) { return queryTerms(text, new Set(common || [])); };
})();
