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

/// [`terms`], handing each term to `emit`.
pub fn for_each_term(text: &str, emit: Emit) {
    // ASCII text folds to itself but for quotes, which would become
    // spaces: both only ever separate chunks.
    let folded = if text.is_ascii() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(fold(text))
    };
    let mut previous = "";
    for_each_chunk(&folded, |chunk| {
        chunk_terms(chunk, previous, emit);
        previous = chunk;
    });
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
/// characters on both sides, handed to `f` in order.
fn for_each_chunk<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    let len = text.len();
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
        f(&text[start..i]);
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

/// Hex addresses, long numbers (ids, times), dates and clock times.
fn is_noise(chunk: &str) -> bool {
    // Noise is all digits and joiners, or `0x…`: it starts with a digit.
    if !chunk.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if let Some(hex) = chunk
        .strip_prefix("0x")
        .or_else(|| chunk.strip_prefix("0X"))
    {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    let digits = chunk.chars().filter(char::is_ascii_digit).count();
    let joiners = chunk.chars().filter(|&c| is_joiner(c)).count();
    let only_numbers = digits + joiners == chunk.chars().count();
    only_numbers && (joiners >= 2 || (joiners == 0 && digits >= 5))
        || only_numbers && chunk.contains(':')
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// A chunk's terms: dropped if noise, else the whole (for a compound name),
/// pairs of neighbouring parts, and each part as a word.
fn chunk_terms(chunk: &str, previous: &str, out: Emit) {
    if is_noise(chunk) || (is_number(chunk) && previous.eq_ignore_ascii_case("line")) {
        return;
    }
    // Most chunks are one plain word: no line number, parts or pairs.
    if !chunk.contains(is_joiner) {
        word_terms(chunk, out);
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
    // The whole and the pairs are the text between parts' ends, joiners
    // as written: slices of the chunk.
    if let [first, .., last] = parts {
        out(&lowercase(&chunk[first.0..last.1]));
        for pair in parts.windows(2) {
            out(&lowercase(&chunk[pair[0].0..pair[1].1]));
        }
    }
    for &(start, end) in parts {
        word_terms(&chunk[start..end], out);
    }
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

/// `home/alice/…` and `Users/alice/…`: the user's folder says nothing about
/// the error.
fn without_home<'p>(chunk: &str, parts: &'p [(usize, usize)]) -> &'p [(usize, usize)] {
    let first = parts.first().map_or("", |&(s, e)| &chunk[s..e]);
    let home = parts.len() > 2
        && (first.eq_ignore_ascii_case("home") || first.eq_ignore_ascii_case("users"));
    if home { &parts[2..] } else { parts }
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
        "warning:",
        "panic:",
        "e: ",
        "err!",
        "npm err!",
        "traceback (most recent call last)",
        "exception in thread",
        "caused by:",
    ];
    const CONTAINS: &[&str] = &[
        "panic",
        "errno",
        "segmentation fault",
        "command not found",
        "no such file or directory",
        "permission denied",
        "npm err!",
    ];
    // One pass for all the phrases: a note has tens of lines per error.
    static CONTAINED: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(CONTAINS)
            .expect("fixed phrases make an automaton")
    });
    let t = line.trim();
    if t.is_empty() || t.chars().count() > 300 {
        return false;
    }
    let starts = |phrase: &str| {
        t.as_bytes()
            .get(..phrase.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(phrase.as_bytes()))
    };
    STARTS.iter().any(|s| starts(s)) || CONTAINED.is_match(t) || named_error(t) || http_status(t)
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
        ] {
            assert!(is_signature(line), "{line}");
        }
        for line in [
            "pip install cffi",
            "The error handling is described below.",
            "",
        ] {
            assert!(!is_signature(line), "{line}");
        }
    }
}
