//! Turns text into search terms, the same way for the index (here, at
//! build time) and for queries (here for `notes search`, and in
//! `static/search.js` in the browser, which mirrors this file rule for rule;
//! a test runs both over the corpus and compares).
//!
//! Built for pasted errors: identifiers are kept whole and also split
//! (`_cffi_backend` → `_cffi_backend`, `cffi`, `backend`;
//! `ModuleNotFoundError` → `modulenotfounderror`, `module`, `not`, `found`,
//! `error`), dotted and slashed names are kept whole and in pairs
//! (`cryptography.hazmat`), what differs between two machines is dropped
//! (home folders, hex addresses, long numbers, timestamps, line numbers),
//! Chinese and Japanese become character bigrams, every other script is
//! cut at what is not a letter, mark or digit, and everything is
//! case- and accent-folded.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use unicode_normalization::UnicodeNormalization;

/// Characters that join the parts of one name (`a.b`, `a/b`, `a::b`,
/// `a-b`), when letters or digits stand on both sides.
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '/' | '\\' | ':' | '-' | '@' | '+')
}

/// Combining marks of the scripts we serve (Devanagari vowel signs and
/// virama, Arabic vowel marks, kana voicing marks): part of a word, though
/// Unicode does not call all of them alphabetic.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED
        | 0x3099..=0x309A)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

/// Han, kana and Hangul: written without spaces, indexed by bigrams.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x2FA1F)
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"' | '`' | '‘' | '’' | '“' | '”' | '«' | '»' | '「' | '」'
    )
}

/// Characters that fold: accented Latin letters, ligatures, full-width
/// and other compatibility forms, spaces and punctuation variants. Other
/// scripts are left as written (their marks are part of their words).
fn folds(c: char) -> bool {
    matches!(c as u32,
        0x00A0..=0x02FF | 0x0300..=0x036F | 0x1E00..=0x1EFF | 0x2000..=0x2BFF
        | 0x3000 | 0xFB00..=0xFB06 | 0xFF00..=0xFFEF)
}

/// Compatibility forms unfolded (full-width letters), accents on Latin
/// letters dropped, quotes turned into spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Characters that stay as they are are copied a run at a time.
    let mut kept = 0;
    for (i, c) in text.char_indices() {
        let changes = if c.is_ascii() {
            is_quote(c)
        } else {
            folds(c) || is_quote(c)
        };
        if !changes {
            continue;
        }
        out.push_str(&text[kept..i]);
        kept = i + c.len_utf8();
        if is_quote(c) {
            out.push(' ');
            continue;
        }
        for d in std::iter::once(c).nfkd() {
            if !matches!(d as u32, 0x0300..=0x036F) {
                out.push(if is_quote(d) { ' ' } else { d });
            }
        }
    }
    out.push_str(&text[kept..]);
    out
}

/// The terms of a text, in order, repeats kept (they count).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, &mut |t| out.push(t.to_string()));
    out
}

/// Where terms go as they are made (no allocation per term for the
/// caller that only counts them).
type Emit<'a> = &'a mut dyn FnMut(&str);

/// The text as chunks are cut from it: [`fold`]ed, without a copy for
/// ASCII text, which folds to itself but for quotes, which would become
/// spaces (both only ever separate chunks).
fn folded(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(fold(text))
    }
}

/// [`terms`], handing each term to `emit`.
pub fn for_each_term(text: &str, emit: Emit) {
    let folded = folded(text);
    let mut previous = "";
    for_each_chunk(&folded, |chunk, after_eq| {
        chunk_terms(chunk, previous, after_eq, emit);
        previous = chunk;
    });
}

/// Pairs of neighbouring names of a text, `"first second"`, each name
/// being the first term its chunk gives (the whole of a compound): the
/// index holds those of error lines, so that a query holding the same
/// words in the same order (a phrase of the error) matches them too.
pub fn phrases(text: &str) -> Vec<String> {
    let folded = folded(text);
    let mut names: Vec<String> = Vec::new();
    let mut previous = "";
    for_each_chunk(&folded, |chunk, after_eq| {
        let mut first: Option<String> = None;
        chunk_terms(chunk, previous, after_eq, &mut |t| {
            if first.is_none() {
                first = Some(t.to_string());
            }
        });
        names.extend(first);
        previous = chunk;
    });
    names
        .windows(2)
        .map(|w| format!("{} {}", w[0], w[1]))
        .collect()
}

/// The character at byte `i` of `text` and its length; ASCII without
/// decoding, as nearly all of a note's characters are.
fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    let c = text[i..].chars().next().unwrap_or('\0');
    (c, c.len_utf8())
}

/// Runs of word characters, joined by joiner runs that have word
/// characters on both sides, handed to `f` in order, with whether the
/// chunk is the value of a `key=value` (an `=` right after a word).
fn for_each_chunk<'t>(text: &'t str, mut f: impl FnMut(&'t str, bool)) {
    let len = text.len();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < len {
        let (c, n) = char_at(text, i);
        if !is_word(c) {
            i += n;
            continue;
        }
        let start = i;
        loop {
            i = skip_while(text, i, is_word);
            // A joiner run continues the chunk only if a word follows it.
            let after_joiners = skip_while(text, i, is_joiner);
            if after_joiners > i && after_joiners < len && is_word(char_at(text, after_joiners).0) {
                i = after_joiners;
            } else {
                break;
            }
        }
        let after_eq = start >= 2
            && bytes[start - 1] == b'='
            && (bytes[start - 2].is_ascii_alphanumeric() || bytes[start - 2] == b'_');
        f(&text[start..i], after_eq);
    }
}

/// The byte index of the first character from `i` on that is not `keep`.
fn skip_while(text: &str, mut i: usize, keep: impl Fn(char) -> bool) -> usize {
    while i < text.len() {
        let (c, n) = char_at(text, i);
        if !keep(c) {
            break;
        }
        i += n;
    }
    i
}

/// Hex addresses, long numbers (ids, times), dates and clock times, IP
/// addresses, UUIDs, durations and sizes, e-mail addresses and
/// `user@host`: what differs between two machines printing one error.
fn is_noise(chunk: &str) -> bool {
    if chunk.contains('@') {
        return is_address(chunk);
    }
    // The rest is all digits and joiners, `0x…`, a UUID, an IPv6
    // address, or a number with a unit: it starts with a hex digit.
    if !chunk.starts_with(|c: char| c.is_ascii_hexdigit()) {
        return false;
    }
    if let Some(hex) = chunk
        .strip_prefix("0x")
        .or_else(|| chunk.strip_prefix("0X"))
    {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if is_uuid(chunk) || is_ipv6(chunk) {
        return true;
    }
    if !chunk.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let digits = chunk.chars().filter(char::is_ascii_digit).count();
    let joiners = chunk.chars().filter(|&c| is_joiner(c)).count();
    let only_numbers = digits + joiners == chunk.chars().count();
    only_numbers && (joiners >= 2 || (joiners == 0 && digits >= 5))
        || only_numbers && chunk.contains(':')
        || is_measure(chunk)
        || is_timestamp(chunk)
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(chunk: &str) -> bool {
    let groups: Vec<&str> = chunk.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Hex digits and at least two colons, with a digit: `fe80::1ff:fe23`.
fn is_ipv6(chunk: &str) -> bool {
    chunk.matches(':').count() >= 2
        && chunk.contains(|c: char| c.is_ascii_digit())
        && chunk.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
}

/// A number with a unit of time or size: `12ms`, `1.5s`, `512MiB`.
fn is_measure(chunk: &str) -> bool {
    const UNITS: &[&str] = &[
        "ns", "us", "µs", "ms", "s", "sec", "secs", "m", "min", "mins", "h", "kb", "mb", "gb",
        "kib", "mib", "gib", "tb",
    ];
    let number_end = chunk
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(chunk.len());
    let (number, unit) = chunk.split_at(number_end);
    !number.is_empty()
        && !number.ends_with('.')
        && UNITS.iter().any(|u| unit.eq_ignore_ascii_case(u))
}

/// An e-mail address or `user@host`: a word before the `@`, a name that
/// starts with a letter after it (not `pkg@1.2`), and no path.
fn is_address(chunk: &str) -> bool {
    let Some((user, host)) = chunk.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && !chunk.contains(['/', '\\'])
        && host.starts_with(|c: char| c.is_alphabetic())
        && !host.contains('@')
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Words after which a long number is a code to keep (`SQLSTATE=40001`,
/// `errno 28`), not an id.
fn is_code_keyword(word: &str) -> bool {
    ["sqlstate", "sqlcode", "errno", "code", "status", "exit"]
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
}

/// A chunk's terms: dropped if noise, else the whole (for a compound name),
/// pairs of neighbouring parts, and each part as a word. Parts that are
/// hashes or random names split the chunk; the value of `key=value` goes
/// when it holds a digit (ids, tokens, ports).
fn chunk_terms(chunk: &str, previous: &str, after_eq: bool, out: Emit) {
    if is_number(chunk) && is_code_keyword(previous) {
        out(chunk);
        return;
    }
    if is_noise(chunk) || (is_number(chunk) && previous.eq_ignore_ascii_case("line")) {
        return;
    }
    if after_eq && chunk.contains(|c: char| c.is_ascii_digit()) {
        return;
    }
    // Most chunks are one plain word: no line number, parts or pairs.
    if !chunk.contains(is_joiner) {
        if !is_random(chunk) {
            word_terms(chunk, out);
        }
        return;
    }
    // `file.py:42` and `file.py:42:7`: the line and column go.
    let mut chunk = chunk;
    while let Some((head, tail)) = chunk.rsplit_once(':') {
        if is_number(tail) && !head.is_empty() {
            chunk = head;
        } else {
            break;
        }
    }
    let chunk = chunk.trim_end_matches(is_joiner);
    let parts = part_ranges(chunk);
    let parts = without_home(chunk, &parts);
    // Runs of parts between random ones, each a compound of its own.
    for run in parts.split(|&(s, e)| is_random(&chunk[s..e])) {
        compound_terms(chunk, run, out);
    }
}

/// The whole and the pairs of a run of parts (the text between parts'
/// ends, joiners as written: slices of the chunk), then each part.
fn compound_terms(chunk: &str, parts: &[(usize, usize)], out: Emit) {
    if let [first, .., last] = parts {
        out(&slashed(lowercase(&chunk[first.0..last.1])));
        for pair in parts.windows(2) {
            out(&slashed(lowercase(&chunk[pair[0].0..pair[1].1])));
        }
    }
    for &(start, end) in parts {
        word_terms(&chunk[start..end], out);
    }
}

/// A hash (7 or more hex digits, with a digit and a letter: commits,
/// container ids) or a random name (`AbCdEfGh`, `q8PzLm2R`: temporary
/// folders, pod suffixes): letters and digits alternating four times or
/// more, or three camel-case pieces of one or two letters.
fn is_random(part: &str) -> bool {
    if !part.is_ascii() || part.len() < 5 {
        return false;
    }
    let b = part.as_bytes();
    let hex = b.iter().all(u8::is_ascii_hexdigit);
    let digit = b.iter().any(u8::is_ascii_digit);
    if hex && b.len() >= 7 && digit && b.iter().any(u8::is_ascii_alphabetic) {
        return true;
    }
    let alternations = b
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_alphanumeric()
                && w[1].is_ascii_alphanumeric()
                && w[0].is_ascii_digit() != w[1].is_ascii_digit()
        })
        .count();
    if alternations >= 4 {
        return true;
    }
    let short = part
        .split('_')
        .flat_map(camel_pieces)
        .filter(|p| p.len() <= 2 && p.bytes().all(|c| c.is_ascii_alphabetic()))
        .count();
    short >= 3 && b.iter().all(u8::is_ascii_alphanumeric)
}

/// Where the parts of a compound name start and end: the runs between
/// joiner runs (the chunk starts with a word and ends with no joiner, so
/// none is empty).
fn part_ranges(chunk: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_join = false;
    for (i, c) in chunk.char_indices() {
        if is_joiner(c) {
            if !in_join {
                parts.push((start, i));
                in_join = true;
            }
        } else if in_join {
            in_join = false;
            start = i;
        }
    }
    parts.push((if in_join { chunk.len() } else { start }, chunk.len()));
    parts
}

/// `home/alice/…`, `Users/alice/…` and `C:\Users\alice\…`: the user's
/// folder says nothing about the error, nor do the folders of their own
/// project. What follows the last library folder (`site-packages`,
/// `node_modules`, …) is kept; a path without one keeps its last two parts.
fn without_home<'p>(chunk: &str, parts: &'p [(usize, usize)]) -> &'p [(usize, usize)] {
    let part = |k: usize| parts.get(k).map_or("", |&(s, e)| &chunk[s..e]);
    let is_home = |w: &str| w.eq_ignore_ascii_case("home") || w.eq_ignore_ascii_case("users");
    let home = if is_home(part(0)) {
        0
    } else if part(0).len() == 1 && is_home(part(1)) {
        1
    } else {
        return parts;
    };
    let rest = &parts[(home + 2).min(parts.len())..];
    if rest.is_empty() {
        return parts;
    }
    const LIBRARIES: &[&str] = &[
        // `site-packages`, `dist-packages`: parts split at `-`.
        "packages",
        "node_modules",
        "registry",
        "repository",
        "gems",
        "vendor",
    ];
    let library = rest.iter().rposition(|&(s, e)| {
        let w = &chunk[s..e];
        LIBRARIES.iter().any(|l| w.eq_ignore_ascii_case(l))
    });
    match library {
        Some(k) if k + 1 < rest.len() => &rest[k + 1..],
        _ => &rest[rest.len().saturating_sub(2)..],
    }
}

/// Windows paths as Unix ones (`a\\b` → `a/b`): the same file either way.
fn slashed(term: Cow<'_, str>) -> Cow<'_, str> {
    if term.contains('\\') {
        Cow::Owned(term.replace('\\', "/"))
    } else {
        term
    }
}

/// Lower case, without a copy for the many words already in it.
fn lowercase(text: &str) -> Cow<'_, str> {
    if !text.is_ascii() {
        Cow::Owned(text.to_lowercase())
    } else if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// One part: CJK runs become bigrams; other runs are words, also split at
/// underscores and camel case.
fn word_terms(part: &str, out: Emit) {
    if part.is_ascii() {
        flush(part, false, out);
        return;
    }
    let mut start = 0;
    let mut cjk = false;
    for (i, c) in part.char_indices() {
        let c_cjk = is_cjk(c);
        if c_cjk != cjk && i > start {
            flush(&part[start..i], cjk, out);
            start = i;
        }
        cjk = c_cjk;
    }
    if start < part.len() {
        flush(&part[start..], cjk, out);
    }
}

fn flush(run: &str, cjk: bool, out: Emit) {
    if cjk {
        // Each bigram is two neighbouring characters: a slice of the run.
        let mut previous = None;
        let mut single = true;
        for (i, c) in run.char_indices() {
            if let Some(p) = previous {
                out(&run[p..i + c.len_utf8()]);
                single = false;
            }
            previous = Some(i);
        }
        if single {
            out(run);
        }
        return;
    }
    // Most words are ASCII, most of those already lower case.
    let lower = lowercase(run);
    if lower.chars().count() < 2 || is_number(&lower) && lower.len() > 4 {
        return;
    }
    // Only a word with `_` or a capital inside has pieces.
    let inner_capital = run.chars().skip(1).any(char::is_uppercase);
    out(&lower);
    if !run.contains('_') && !inner_capital {
        return;
    }
    let pieces: Vec<String> = run
        .split('_')
        .filter(|p| !p.is_empty())
        .flat_map(camel_pieces)
        .map(|p| p.to_lowercase())
        .filter(|p| p.chars().count() >= 2)
        .collect();
    if pieces.len() > 1 || pieces.first().is_some_and(|p| *p != lower) {
        for p in &pieces {
            out(p);
        }
    }
}

/// `ModuleNotFoundError` → Module, Not, Found, Error; `HTTPServer` → HTTP,
/// Server.
fn camel_pieces(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    for k in 1..chars.len() {
        let (i, c) = chars[k];
        let prev = chars[k - 1].1;
        let next_lower = chars.get(k + 1).is_some_and(|n| n.1.is_lowercase());
        if c.is_uppercase() && (prev.is_lowercase() || prev.is_uppercase() && next_lower) {
            pieces.push(&word[start..i]);
            start = i;
        }
    }
    pieces.push(&word[start..]);
    pieces
}

/// Whether a line looks like an error message: these weigh most, in notes
/// and in queries.
///
/// Compared ignoring ASCII case, which is what lowercasing the line
/// (`search.js` does) comes to for these phrases: no other letter
/// lowercases to one of theirs (the Kelvin sign becomes `k`, `İ` becomes
/// `i` and a combining dot, which no phrase can go on with).
pub fn is_signature(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "error:",
        "error[",
        "fatal:",
        "fatal error",
        "warning:",
        "panic:",
        "e: ",
        "err!",
        "npm err!",
        "npm error",
        "yarn error",
        "traceback (most recent call last)",
        "exception in thread",
        "caused by:",
        "uncaught ",
        "unhandled ",
    ];
    const CONTAINS: &[&str] = &[
        "panic",
        "errno",
        "error:",
        "segmentation fault",
        "core dumped",
        "fatal signal",
        "command not found",
        ": not found",
        "unknown command",
        "not found, but can be installed with",
        "not recognized as an internal or external command",
        "is not recognized as the name of a cmdlet",
        "executable file not found",
        "no such file or directory",
        "permission denied",
        "npm err!",
        "aborting",
    ];
    // One pass for all the phrases: a note has tens of lines per error.
    static CONTAINED: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(CONTAINS)
            .expect("fixed phrases make an automaton")
    });
    let whole = line.trim();
    if whole.is_empty() || whole.chars().count() > 300 {
        return false;
    }
    let (t, level) = strip_log_prefix(whole);
    let t = strip_shell(t);
    let starts = |phrase: &str| {
        t.as_bytes()
            .get(..phrase.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(phrase.as_bytes()))
    };
    level
        || STARTS.iter().any(|s| starts(s))
        || CONTAINED.is_match(t)
        || named_error(t)
        || http_status(t)
        || code_start(t)
}

/// The wording shared by every error of a kind, of which only the name
/// in it differs (`'x' is not recognized as an internal or external
/// command`): lower case.
const TEMPLATES: &[&str] = &[
    "is not recognized as the name of a cmdlet, function, script file, or operable program",
    "is not recognized as an internal or external command",
    "operable program or batch file",
    "not found, but can be installed with",
    "command '",
    "command not found",
    "executable file not found in $path",
    "no such file or directory",
    "unknown command",
    "no module named",
    "not found",
];

/// An error message without its template wording (see `TEMPLATES`), and
/// that wording: the first weighs more in a query. Both keep their
/// characters' places (what is taken out becomes spaces).
pub fn split_template(message: &str) -> (String, String) {
    let mut subject = message.to_string();
    let mut template = String::new();
    for t in TEMPLATES {
        let lower = subject.to_ascii_lowercase();
        if let Some(at) = lower.find(t) {
            template.push_str(&subject[at..at + t.len()]);
            template.push(' ');
            subject.replace_range(at..at + t.len(), &" ".repeat(t.len()));
        }
    }
    (subject, template)
}

/// What a logger, a shell or a container runtime puts before a message:
/// timestamps, `[…]` tags, `service_1  |`, `E/Tag(123):`, and whether it
/// named an error level (`ERROR`, `[FATAL]`, `E/…`). Returns the message.
pub fn strip_log_prefix(line: &str) -> (&str, bool) {
    let mut rest = line.trim_start();
    let mut level = false;
    for _ in 0..6 {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        let bare = word
            .trim_start_matches('[')
            .trim_end_matches([']', ':', ',']);
        let after = rest[word_end..].trim_start();
        // `ERROR` and `[error]`, not the word that starts a sentence.
        let tagged = word.starts_with('[') || bare.bytes().all(|c| c.is_ascii_uppercase());
        if tagged && is_level(bare) {
            level |= is_error_level(bare);
            rest = after;
        } else if word.starts_with('[') && word.ends_with(']') && word.len() > 2
            || is_timestamp(bare)
        {
            rest = after;
        } else if let Some(tail) = after.strip_prefix('|')
            && is_service(word)
        {
            rest = tail.trim_start();
        } else if let Some(tag) = logcat_tag(word) {
            level |= matches!(tag, 'E' | 'F' | 'A');
            rest = after;
        } else {
            break;
        }
    }
    (rest, level)
}

/// A message without the shell, `sudo` or `env` that printed it
/// (`bash: x: command not found`, `/bin/sh: 1: x: not found`,
/// `/usr/bin/env: 'x': …`): it says nothing about the error.
pub fn strip_shell(message: &str) -> &str {
    let word_end = message.find(char::is_whitespace).unwrap_or(message.len());
    if !is_shell(&message[..word_end]) {
        return message;
    }
    let after = message[word_end..].trim_start();
    // `sh: 1: x: not found`: the line number goes too.
    let number = after.split_whitespace().next().unwrap_or("");
    if number.strip_suffix(':').is_some_and(is_number) {
        after[number.len()..].trim_start()
    } else {
        after
    }
}

fn is_shell(word: &str) -> bool {
    let Some(name) = word.strip_suffix(':') else {
        return false;
    };
    let name = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .trim_start_matches('-');
    [
        "bash", "zsh", "sh", "dash", "ksh", "fish", "sudo", "env", "doas",
    ]
    .contains(&name)
}

fn is_level(word: &str) -> bool {
    ["info", "debug", "trace", "warn", "notice", "verbose"]
        .iter()
        .any(|l| word.eq_ignore_ascii_case(l))
        || is_error_level(word)
}

fn is_error_level(word: &str) -> bool {
    [
        "error", "fatal", "severe", "critical", "crit", "err", "emerg", "alert",
    ]
    .iter()
    .any(|l| word.eq_ignore_ascii_case(l))
}

/// `2026-03-01`, `10:22:33,123`, `2026-11-30T08:15:02.417Z`: digits with
/// date and time separators, at least four digits.
fn is_timestamp(word: &str) -> bool {
    let digits = word.chars().filter(char::is_ascii_digit).count();
    digits >= 4
        && word.starts_with(|c: char| c.is_ascii_digit())
        && word.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | ',' | 'T' | 'Z' | '+' | '/')
        })
}

/// A container's name before `|`, as docker compose prints it.
fn is_service(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 40
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Android's `E/Tag:` or `E/Tag( 123):`: the level letter.
fn logcat_tag(word: &str) -> Option<char> {
    let mut chars = word.chars();
    let level = chars.next()?;
    (matches!(level, 'V' | 'D' | 'I' | 'W' | 'E' | 'F' | 'A')
        && chars.next() == Some('/')
        && word.len() > 3
        && (word.ends_with(':') || word.ends_with('(')))
    .then_some(level)
}

/// A message that starts with an error code: `SQL0911N`, `ORA-00942:`,
/// `E0425`, `TS2304:`, or an errno name (`ENOTEMPTY:`).
fn code_start(line: &str) -> bool {
    let word = line
        .split(|c: char| c.is_whitespace() || c == ':')
        .next()
        .unwrap_or("");
    let letters = word.bytes().take_while(u8::is_ascii_uppercase).count();
    let rest = word[letters..]
        .strip_prefix('-')
        .unwrap_or(&word[letters..]);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let tail = &rest[digits..];
    let code = (1..=5).contains(&letters)
        && (3..=5).contains(&digits)
        && (tail.is_empty() || tail.len() == 1 && tail.bytes().all(|c| c.is_ascii_uppercase()));
    let errno = letters >= 4
        && letters == word.len()
        && word.starts_with('E')
        && line[word.len()..].starts_with(':');
    code || errno
}

/// Error messages quoted in a line of prose: a span in backticks or
/// double quotes of three words or more that reads as an error line, or
/// that the words before it call one (`errors like "…"`, `fails with
/// `…``). What a reader would paste, though the note does not show it
/// as a block.
pub fn quoted_errors(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut offset = 0;
    while let Some(open) = line[offset..].find(['`', '"', '\u{201c}']) {
        let open = offset + open;
        let quote = line[open..].chars().next().unwrap_or('"');
        let close_quote = if quote == '\u{201c}' {
            '\u{201d}'
        } else {
            quote
        };
        let inner = open + quote.len_utf8();
        let Some(len) = line[inner..].find(close_quote) else {
            break;
        };
        let span = line[inner..inner + len].trim().trim_matches('"').trim();
        if span.split_whitespace().count() >= 3
            && (is_signature(span) || introduces_error(&line[..open]))
        {
            out.push(span);
        }
        offset = inner + len + close_quote.len_utf8();
    }
    out
}

/// Whether the end of a sentence introduces an error message.
fn introduces_error(before: &str) -> bool {
    let start = before.char_indices().rev().nth(47).map_or(0, |(i, _)| i);
    let tail = before[start..].to_ascii_lowercase();
    [
        "error",
        "exception",
        "message",
        "fails with",
        "failed with",
        "says",
        "prints",
    ]
    .iter()
    .any(|w| tail.contains(w))
}

/// `SomeError:` or `pkg.SomeException` ending the line or before `:`.
fn named_error(line: &str) -> bool {
    // Neither name overlaps itself or the other: every place is found.
    static NAMES: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::new(["Error", "Exception"]).expect("fixed names make an automaton")
    });
    NAMES.find_iter(line).any(|m| {
        let before = line[..m.start()].chars().next_back();
        let after = line[m.end()..].chars().next();
        let named = before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        named && matches!(after, None | Some(':'))
    })
}

/// `HTTP/1.1 404 Not Found` and the like.
fn http_status(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("HTTP/") else {
        return false;
    };
    let mut words = rest.split_whitespace();
    let version = words.next().unwrap_or("");
    let code = words.next().unwrap_or("");
    version.chars().all(|c| c.is_ascii_digit() || c == '.')
        && code.len() == 3
        && code.starts_with(['1', '2', '3', '4', '5'])
        && is_number(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Vec<String> {
        terms(text)
    }

    #[test]
    fn identifiers_are_kept_whole_and_split() {
        assert_eq!(
            t("ModuleNotFoundError: No module named '_cffi_backend'"),
            [
                "modulenotfounderror",
                "module",
                "not",
                "found",
                "error",
                "no",
                "module",
                "named",
                "_cffi_backend",
                "cffi",
                "backend"
            ]
        );
        assert_eq!(t("HTTPServer"), ["httpserver", "http", "server"]);
    }

    #[test]
    fn dotted_and_slashed_names_are_kept_whole_and_in_pairs() {
        let terms = t("from cryptography.hazmat.bindings._rust import x");
        for want in [
            "cryptography.hazmat.bindings._rust",
            "cryptography.hazmat",
            "hazmat.bindings",
            "bindings._rust",
            "cryptography",
            "_rust",
            "rust",
        ] {
            assert!(terms.iter().any(|x| x == want), "{want} in {terms:?}");
        }
        let terms = t("/usr/lib/python3/dist-packages");
        assert!(terms.contains(&"usr/lib/python3/dist-packages".to_string()));
        assert!(terms.contains(&"lib/python3".to_string()), "{terms:?}");
    }

    #[test]
    fn what_differs_between_machines_is_dropped() {
        let a = t(
            r#"File "/home/alice/app/main.py", line 42, in <module> at 0x7f3a2c 2025-06-12 10:11:12 pid 123456"#,
        );
        let b = t(
            r#"File "/home/bob/app/main.py", line 7, in <module> at 0xdeadbeef 2024-01-02 09:00:00 pid 99999"#,
        );
        assert_eq!(a, b);
        assert!(!a.iter().any(|x| x.contains("alice") || x == "42"), "{a:?}");
        assert!(a.contains(&"main.py".to_string()), "{a:?}");
        assert_eq!(t("main.py:42:7"), t("main.py"));
        // Short numbers stay: HTTP codes, versions.
        assert!(t("HTTP/1.1 404 Not Found").contains(&"404".to_string()));
        assert!(t("python 3.13").contains(&"3.13".to_string()));
    }

    #[test]
    fn scripts_fold_and_split_as_their_readers_expect() {
        assert_eq!(t("安装软件"), ["安装", "装软", "软件"]);
        assert_eq!(t("Pythonの環境"), ["python", "の環", "環境"]);
        assert_eq!(t("Café ÉLÈVE"), ["cafe", "eleve"]);
        assert_eq!(t("ＡＢＣ"), ["abc"]);
        assert_eq!(t("मॉड्यूल नहीं मिला"), ["मॉड्यूल", "नहीं", "मिला"]);
        assert_eq!(t("الوحدة غير موجودة"), ["الوحدة", "غير", "موجودة"]);
    }

    #[test]
    fn no_input_makes_it_panic() {
        let alphabet: Vec<char> = "aZ_9.:/\\-@+ \n'\"`é安의ीं0x:42home/users/"
            .chars()
            .collect();
        let mut seed: u64 = 7;
        for _ in 0..20_000 {
            let len = (seed % 24) as usize;
            let text: String = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            let _ = terms(&text);
            let _ = is_signature(&text);
        }
        assert!(t("a.:42").is_empty());
        assert_eq!(t("main.py.:7"), t("main.py"));
    }

    /// Two texts that differ only where machines differ give one set of terms.
    fn same(a: &str, b: &str) {
        assert_eq!(t(a), t(b), "{a:?} vs {b:?}");
    }

    #[test]
    fn uuids_ips_and_ports_are_dropped() {
        same(
            "request 123e4567-e89b-12d3-a456-426614174000 failed",
            "request f47ac10b-58cc-4372-a567-0e02b2c3d479 failed",
        );
        assert_eq!(
            t("request 123e4567-e89b-12d3-a456-426614174000"),
            ["request"]
        );
        same(
            "connect to 10.0.0.12:5432 refused",
            "connect to 192.168.1.7:6543 refused",
        );
        same(
            "bind fe80::1ff:fe23:4567:890a failed",
            "bind 2001:db8::ff00:42:8329 failed",
        );
        // A port after a name goes like a line number; the name stays.
        assert_eq!(t("localhost:8080"), t("localhost:3000"));
        assert!(t("localhost:8080").contains(&"localhost".to_string()));
        // Rust paths are not IPv6 addresses.
        assert!(t("std::io::Error").contains(&"std::io::error".to_string()));
    }

    #[test]
    fn addresses_and_user_at_host_are_dropped() {
        same(
            "mail to alice@example.com bounced",
            "mail to bob.smith@corp.example.org bounced",
        );
        assert_eq!(t("alice@example.com"), Vec::<String>::new());
        same(
            "carol@carol-ThinkPad-T14:~/work$ make",
            "dev@buildbox:~/work$ make",
        );
        // A package at a version keeps both.
        assert!(t("claude-code@1.0.3").contains(&"claude-code".to_string()));
        assert!(
            t("npm i @anthropic-ai/claude-code@latest")
                .contains(&"anthropic-ai/claude-code@latest".to_string())
        );
    }

    #[test]
    fn hashes_container_ids_and_random_names_are_dropped() {
        same(
            "commit 1ecc6299db9ec823 broke it",
            "commit 6f17d22bba15001f broke it",
        );
        same(
            "container 4f2a9c1b7e3d exited",
            "container 9b8c7d6e5f4a exited",
        );
        same(
            "rename '/usr/lib/node_modules/@anthropic-ai/.claude-code-AbCdEfGh'",
            "rename '/usr/lib/node_modules/@anthropic-ai/.claude-code-q8PzLm2R'",
        );
        same(
            "/tmp/pip-install-k2j4h5nx/cffi",
            "/tmp/pip-install-a8x9b2kq/cffi",
        );
        same(
            "pod web-7d9f8c6b5-x2x9k restarted",
            "pod web-5c4b3a2d1-q7w2e restarted",
        );
        // The compound around a random part is kept in pieces.
        let terms = t("/usr/lib/node_modules/@anthropic-ai/.claude-code-AbCdEfGh");
        assert!(
            terms.contains(&"usr/lib/node_modules/@anthropic-ai/.claude-code".to_string()),
            "{terms:?}"
        );
        // Words that look alike are not random: camel case, versions, codes.
        for word in [
            "ModuleNotFoundError",
            "utf8mb4",
            "x86_64",
            "sha256",
            "EAddrInUse",
            "IsADirectoryError",
            "deadbeef",
        ] {
            assert!(!t(word).is_empty(), "{word}");
            assert_eq!(t(word)[0], word.to_lowercase(), "{word}");
        }
    }

    #[test]
    fn durations_and_sizes_are_dropped() {
        same("request took 12ms", "request took 1.5s");
        same("downloaded 512MiB in 3m", "downloaded 12kB in 250us");
        assert_eq!(t("took 12ms"), ["took"]);
        // Versions and tools named like units stay.
        assert!(t("python 3.13").contains(&"3.13".to_string()));
        assert!(t("7z").contains(&"7z".to_string()));
    }

    #[test]
    fn values_of_key_value_with_digits_are_dropped_but_codes_stay() {
        same(
            "DRIVER=4.26.14 SQLERRMC=68 user=42",
            "DRIVER=4.19.26 SQLERRMC=2 user=7",
        );
        assert!(t("level=debug").contains(&"debug".to_string()));
        // Codes after their keyword are kept however long.
        assert!(t("SQLSTATE=40001").contains(&"40001".to_string()));
        assert!(t("SQLSTATE 58004").contains(&"58004".to_string()));
        assert!(t("errno 28").contains(&"28".to_string()));
        // Elsewhere a long number is an id.
        assert!(!t("order 40001 shipped").contains(&"40001".to_string()));
    }

    #[test]
    fn home_folders_and_project_folders_are_dropped() {
        same(
            r#"File "/home/alice/proj/scripts/supabase/fetch.py", line 3"#,
            r#"File "/home/bob/work/tools/supabase/fetch.py", line 9"#,
        );
        same(
            "/home/alice/.local/lib/python3.13/site-packages/jwt/algorithms.py",
            "/Users/bob/Library/Python/3.12/lib/python/site-packages/jwt/algorithms.py",
        );
        same(
            r"C:\Users\maria\AppData\Roaming\npm\node_modules\@anthropic-ai\claude-code",
            "/home/kenji/.nvm/versions/node/v22.1.0/lib/node_modules/@anthropic-ai/claude-code",
        );
        let terms = t("/home/alice/.local/lib/python3.13/site-packages/jwt/algorithms.py");
        assert_eq!(terms[0], "jwt/algorithms.py", "{terms:?}");
        // Paths outside a home folder are kept whole.
        assert!(
            t("/usr/lib/python3/dist-packages/cryptography/hazmat/_oid.py")
                .contains(&"usr/lib/python3/dist-packages/cryptography/hazmat/_oid.py".to_string())
        );
    }

    #[test]
    fn url_query_strings_and_timestamps_go_with_the_rest() {
        same(
            "GET https://api.example.org/v1/items?id=42&token=abc123 failed",
            "GET https://api.example.org/v1/items?id=7&token=zz9q8 failed",
        );
        same(
            "2026-11-30T08:15:02.417Z boot",
            "2025-01-02T10:11:12.001Z boot",
        );
    }

    #[test]
    fn log_prefixes_and_levels_are_recognised() {
        for (line, message, level) in [
            ("2026-03-01 10:22:33,123 ERROR [app] boom", "boom", true),
            (
                "[ERROR] Failed to execute goal",
                "Failed to execute goal",
                true,
            ),
            ("[INFO] Building demo", "Building demo", false),
            (
                "web_1  | Traceback (most recent call last):",
                "Traceback (most recent call last):",
                false,
            ),
            (
                "E/AndroidRuntime( 1234): FATAL EXCEPTION: main",
                "1234): FATAL EXCEPTION: main",
                true,
            ),
            ("A/libc: Fatal signal 11", "Fatal signal 11", true),
            (
                "Error handling is described below",
                "Error handling is described below",
                false,
            ),
        ] {
            assert_eq!(strip_log_prefix(line), (message, level), "{line}");
        }
        assert_eq!(
            strip_shell("bash: rsync: command not found"),
            "rsync: command not found"
        );
        assert_eq!(
            strip_shell("/bin/sh: 1: cmake: not found"),
            "cmake: not found"
        );
        assert_eq!(
            strip_shell("-bash: tree: command not found"),
            "tree: command not found"
        );
        assert_eq!(
            strip_shell("sudo: htop: command not found"),
            "htop: command not found"
        );
        assert_eq!(strip_shell("rsync: error"), "rsync: error");
    }

    #[test]
    fn templates_leave_the_name_that_tells_errors_apart() {
        let (subject, template) = split_template("zsh: command not found: jq");
        assert_eq!(
            subject.split_whitespace().collect::<Vec<_>>(),
            ["zsh:", ":", "jq"]
        );
        assert_eq!(template.trim(), "command not found");
        let (subject, _) =
            split_template("'ffprobe' is not recognized as an internal or external command,");
        assert_eq!(
            subject.split_whitespace().collect::<Vec<_>>(),
            ["'ffprobe'", ","]
        );
        let (subject, _) = split_template("ModuleNotFoundError: No module named '_cffi_backend'");
        assert_eq!(t(&subject), t("ModuleNotFoundError: '_cffi_backend'"));
    }

    #[test]
    fn phrases_pair_neighbouring_names() {
        assert_eq!(
            phrases("No module named '_cffi_backend'"),
            ["no module", "module named", "named _cffi_backend"]
        );
        // Machine-specific parts are not names.
        assert_eq!(phrases("took 12ms at 0xdeadbeef"), ["took at"]);
    }

    #[test]
    fn errors_quoted_in_prose_are_found() {
        assert_eq!(
            quoted_errors(
                r#"Calling it again can trigger errors like `"INVALID HEAP ADDRESS IN dlfree ffmpeg"`, often"#
            ),
            ["INVALID HEAP ADDRESS IN dlfree ffmpeg"]
        );
        assert_eq!(
            quoted_errors(
                r#"…and "Error: A fatal exception has occurred. Program will exit" means the JVM stopped"#
            ),
            ["Error: A fatal exception has occurred. Program will exit"]
        );
        // Commands and short names in prose are not errors.
        assert!(
            quoted_errors("Run `pip install cffi` and then `python3 -m venv venv`.").is_empty()
        );
        assert!(quoted_errors("The error is in `main.py`.").is_empty());
    }

    #[test]
    fn error_lines_are_recognised() {
        for line in [
            "ModuleNotFoundError: No module named '_cffi_backend'",
            "pyo3_runtime.PanicException: Python API call failed",
            "E: Unable to locate package foo",
            "fatal: not a git repository",
            "error[E0425]: cannot find value `x`",
            "npm ERR! code ELIFECYCLE",
            "Traceback (most recent call last):",
            "thread 'main' panicked at src/main.rs:2:5",
            "HTTP/1.1 404 Not Found",
            "bash: foo: command not found",
            // Tools' own prefixes.
            "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin",
            "npm error code ENOTEMPTY",
            "npm verbose stack Error: ENOTEMPTY: directory not empty, rename",
            "yarn error An unexpected error occurred",
            "ERROR: Could not find a version that satisfies the requirement foo",
            "Caused by: java.lang.ClassNotFoundException: org.example.Main",
            "fatal error: openssl/ssl.h: No such file or directory",
            "Uncaught TypeError: Cannot read properties of undefined",
            // Codes.
            "E0425: cannot find value",
            "SQL0911N  The current transaction has been rolled back",
            "ORA-00942: table or view does not exist",
            "ENOTEMPTY: directory not empty, rename 'a' -> 'b'",
            // Behind a log prefix, a container's name, a shell.
            "2026-01-02 10:11:12,345 ERROR something broke",
            "2026-01-02T10:11:12Z [app] Traceback (most recent call last):",
            "web_1  | ModuleNotFoundError: No module named 'x'",
            "A/libc: @@@ ABORTING: INVALID HEAP ADDRESS IN dlfree",
            "/bin/sh: 1: terraform: not found",
            "'gh' is not recognized as an internal or external command,",
            "Command 'tmux' not found, but can be installed with:",
            "exec: \"yq\": executable file not found in $PATH",
        ] {
            assert!(is_signature(line), "{line}");
        }
        for line in [
            "pip install cffi",
            "The error handling is described below.",
            "Error handling is described below.",
            "[INFO] Building demo 1.0",
            "2026-01-02 10:11:12 INFO started",
            "SQL is a language",
            "",
        ] {
            assert!(!is_signature(line), "{line}");
        }
    }
}
