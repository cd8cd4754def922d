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
    for c in text.chars() {
        if is_quote(c) {
            out.push(' ');
        } else if folds(c) {
            for d in std::iter::once(c).nfkd() {
                if !matches!(d as u32, 0x0300..=0x036F) {
                    out.push(if is_quote(d) { ' ' } else { d });
                }
            }
        } else {
            out.push(c);
        }
    }
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
    let folded = fold(text);
    let mut previous = "";
    for chunk in chunks(&folded) {
        chunk_terms(chunk, previous, emit);
        previous = chunk;
    }
}

/// Runs of word characters, joined by joiner runs that have word
/// characters on both sides.
fn chunks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some(&(start, c)) = it.peek() {
        if !is_word(c) {
            it.next();
            continue;
        }
        let end = loop {
            while it.next_if(|&(_, c)| is_word(c)).is_some() {}
            let word_end = it.peek().map_or(text.len(), |&(i, _)| i);
            // A joiner run continues the chunk only if a word follows it.
            let mut ahead = it.clone();
            let mut joined = false;
            while ahead.next_if(|&(_, c)| is_joiner(c)).is_some() {
                joined = true;
            }
            if joined && ahead.peek().is_some_and(|&(_, c)| is_word(c)) {
                it = ahead;
            } else {
                break word_end;
            }
        };
        out.push(&text[start..end]);
    }
    out
}

/// Hex addresses, long numbers (ids, times), dates and clock times.
fn is_noise(chunk: &str) -> bool {
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
    if is_noise(chunk) || (is_number(chunk) && previous.to_lowercase() == "line") {
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
    let (parts, joins) = split_parts(chunk);
    let (parts, joins) = drop_home(parts, joins);
    if parts.len() > 1 {
        let whole: String = parts
            .iter()
            .zip(joins.iter().map(String::as_str).chain([""]))
            .map(|(p, j)| format!("{p}{j}"))
            .collect();
        out(&whole.to_lowercase());
        for k in 0..parts.len() - 1 {
            out(&format!("{}{}{}", parts[k], joins[k], parts[k + 1]).to_lowercase());
        }
    }
    for part in parts {
        word_terms(part, out);
    }
}

/// The parts of a compound name and the joiner runs between them.
fn split_parts(chunk: &str) -> (Vec<&str>, Vec<String>) {
    let mut parts = Vec::new();
    let mut joins = Vec::new();
    let mut start = 0;
    let mut join = String::new();
    let mut in_join = false;
    for (i, c) in chunk.char_indices() {
        if is_joiner(c) {
            if !in_join {
                parts.push(&chunk[start..i]);
                in_join = true;
            }
            join.push(c);
        } else if in_join {
            joins.push(std::mem::take(&mut join));
            in_join = false;
            start = i;
        }
    }
    parts.push(if in_join { "" } else { &chunk[start..] });
    if in_join {
        joins.push(join);
    }
    (parts, joins)
}

/// `home/alice/…` and `Users/alice/…`: the user's folder says nothing about
/// the error.
fn drop_home(parts: Vec<&str>, joins: Vec<String>) -> (Vec<&str>, Vec<String>) {
    let home = parts.len() > 2
        && (parts[0].eq_ignore_ascii_case("home") || parts[0].eq_ignore_ascii_case("users"));
    if home {
        (parts[2..].to_vec(), joins[2..].to_vec())
    } else {
        (parts, joins)
    }
}

/// One part: CJK runs become bigrams; other runs are words, also split at
/// underscores and camel case.
fn word_terms(part: &str, out: Emit) {
    let mut start = 0;
    let mut cjk = false;
    for (i, c) in part.char_indices() {
        if is_cjk(c) != cjk && i > start {
            flush(&part[start..i], cjk, out);
            start = i;
        }
        cjk = is_cjk(c);
    }
    if start < part.len() {
        flush(&part[start..], cjk, out);
    }
}

fn flush(run: &str, cjk: bool, out: Emit) {
    if cjk {
        let chars: Vec<char> = run.chars().collect();
        if chars.len() == 1 {
            out(run);
        }
        let mut pair = String::with_capacity(8);
        for w in chars.windows(2) {
            pair.clear();
            pair.extend(w);
            out(&pair);
        }
        return;
    }
    // Most words are ASCII, most of those already lower case.
    let lower: Cow<str> = if !run.is_ascii() {
        Cow::Owned(run.to_lowercase())
    } else if run.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(run.to_ascii_lowercase())
    } else {
        Cow::Borrowed(run)
    };
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
pub fn is_signature(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || t.chars().count() > 300 {
        return false;
    }
    let lower = t.to_lowercase();
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
    STARTS.iter().any(|s| lower.starts_with(s))
        || CONTAINS.iter().any(|s| lower.contains(s))
        || named_error(t)
        || http_status(t)
}

/// `SomeError:` or `pkg.SomeException` ending the line or before `:`.
fn named_error(line: &str) -> bool {
    for name in ["Error", "Exception"] {
        for (i, _) in line.match_indices(name) {
            let before = line[..i].chars().next_back();
            let after = line[i + name.len()..].chars().next();
            let named = before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            if named && matches!(after, None | Some(':')) {
                return true;
            }
        }
    }
    false
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
