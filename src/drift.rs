//! Code drift: where a translation's code is not its original's. Machine
//! translation breaks commands in ways a reader cannot see: a fence glued
//! to a translated sentence swallows half the page, a flag or a path gets
//! translated, quotes become typographic, a block goes missing. A reader
//! who pastes a command from a translation must get the original's.
//!
//! Compared, whitespace-insensitively:
//! - **code blocks**, block by block in order (aligned as a diff aligns
//!   lines, so that a missing or an extra block is one finding and the
//!   blocks after it still pair up);
//! - **inline code** that looks like code (a command, a path, a flag, an
//!   identifier) and **link addresses**: each of the translation's must be
//!   one of the original's. One the translation leaves out is not a
//!   finding: translations rephrase.
//!
//! A note silences its findings with `code_drift: false`, or one of them
//! with `code_drift_ignore: ["<the code as the translation has it>"]`.

use pulldown_cmark::{Event, Options, Parser, Tag};

/// What kind of code an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Block,
    Inline,
    Url,
}

/// A piece of code of a note, where it is (1-based lines and columns of
/// the Markdown body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    /// As written; for a block, its content.
    pub text: String,
    pub line: usize,
    pub column: usize,
    /// A block's content lines: (line, text).
    pub lines: Vec<(usize, String)>,
    /// A block's language (its fence's first word), lower case.
    pub lang: String,
}

/// One difference between a translation and its original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub kind: Kind,
    /// Where, in the translation's body.
    pub line: usize,
    pub column: usize,
    /// The original's line it is compared with.
    pub original_line: usize,
    /// The translation's block (its index among its blocks), for a block
    /// that differs or is not in the original.
    pub block: Option<usize>,
    /// The original's block, for one that differs or is missing.
    pub original_block: Option<usize>,
    pub message: String,
    pub fix: String,
    /// The translation's code, as `code_drift_ignore` names it.
    pub code: String,
}

/// The code of a Markdown body: blocks, inline code that looks like code,
/// and link addresses, in order; lines counted from `first_line` (the
/// file's line of the body's first, so that messages name file lines).
pub fn items(body: &str, first_line: usize) -> Vec<Item> {
    let offset = first_line.max(1) - 1;
    let starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let place = |at: usize| {
        let line = starts.partition_point(|&s| s <= at);
        let column = body[starts[line - 1]..at].chars().count() + 1;
        (line + offset, column)
    };
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut out = Vec::new();
    let mut block: Option<Item> = None;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let (line, column) = place(range.start);
                let (fenced, lang) = match &kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => (
                        true,
                        info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                            .next()
                            .unwrap_or("")
                            .to_ascii_lowercase(),
                    ),
                    pulldown_cmark::CodeBlockKind::Indented => (false, String::new()),
                };
                block = Some(Item {
                    kind: Kind::Block,
                    text: String::new(),
                    line: if fenced { line + 1 } else { line },
                    column,
                    lines: Vec::new(),
                    lang,
                });
            }
            Event::Text(text) if block.is_some() => {
                if let Some(b) = block.as_mut() {
                    let (line, _) = place(range.start);
                    for (k, l) in text.lines().enumerate() {
                        b.lines.push((line + k, l.to_string()));
                    }
                    b.text.push_str(&text);
                }
            }
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => out.extend(block.take()),
            Event::Code(code) if looks_like_code(&code) => {
                let (line, column) = place(range.start);
                out.push(Item {
                    kind: Kind::Inline,
                    text: code.to_string(),
                    line,
                    column,
                    lines: Vec::new(),
                    lang: String::new(),
                });
            }
            Event::Start(Tag::Link { dest_url, .. })
                if dest_url.contains("://") || dest_url.starts_with("mailto:") =>
            {
                let (line, column) = place(range.start);
                out.push(Item {
                    kind: Kind::Url,
                    text: dest_url.to_string(),
                    line,
                    column,
                    lines: Vec::new(),
                    lang: String::new(),
                });
            }
            _ => {}
        }
    }
    out
}

/// Inline code that a reader would copy: a command (several words, the
/// first a plain name), a path, a flag, an identifier, a call. A word of
/// prose in backticks (`important`) is not compared.
fn looks_like_code(code: &str) -> bool {
    let code = code.trim();
    if code.chars().count() < 2 {
        return false;
    }
    let marks = code.contains([
        '/', '\\', '.', '_', '-', '=', '$', ':', '(', '@', '~', '*', '|', '<',
    ]);
    let inner_capital = code.chars().skip(1).any(|c| c.is_ascii_uppercase());
    let command = code.contains(' ')
        && code
            .split(' ')
            .next()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_alphanumeric()));
    let identifier = code.chars().all(|c| c.is_ascii_alphanumeric());
    code.chars().any(|c| c.is_ascii_alphanumeric())
        && (marks || inner_capital || command || identifier)
}

/// Whitespace runs as one space, none at the ends, and placeholders as
/// one mark: tldr-style `{{path/to/file}}` is text the reader replaces,
/// which translations translate by design. Option alternatives
/// (`{{[-R|--recursive]}}`) are typed as they are, so they stay.
fn normal(text: &str) -> String {
    blank_placeholders(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn blank_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let inner = &rest[start + 2..];
        match inner.find("}}") {
            Some(end) if !inner.starts_with('[') && !inner[..end].contains('\n') => {
                out.push_str(&rest[..start]);
                out.push_str("{{…}}");
                rest = &inner[end + 2..];
            }
            _ => {
                out.push_str(&rest[..start + 2]);
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How a language writes comments: line comment starts, block comment
/// delimiters. Comments are what a translator may translate: they are
/// left out of the comparison.
fn comments(
    lang: &str,
) -> (
    &'static [&'static str],
    Option<(&'static str, &'static str)>,
) {
    match lang {
        "bash" | "sh" | "shell" | "zsh" | "fish" | "console" | "shell-session" | "python"
        | "py" | "ruby" | "rb" | "yaml" | "yml" | "toml" | "perl" | "r" | "dockerfile" | "make"
        | "makefile" | "powershell" | "ps1" | "ini" | "conf" | "nginx" => (&["#"], None),
        "c" | "cpp" | "c++" | "h" | "java" | "javascript" | "js" | "typescript" | "ts" | "jsx"
        | "tsx" | "go" | "rust" | "rs" | "kotlin" | "swift" | "scala" | "csharp" | "cs" | "php"
        | "dart" | "json5" | "jsonc" => (&["//"], Some(("/*", "*/"))),
        "css" => (&[], Some(("/*", "*/"))),
        "scss" | "less" | "sass" => (&["//"], Some(("/*", "*/"))),
        "sql" | "lua" | "haskell" | "hs" => (&["--"], Some(("/*", "*/"))),
        "html" | "xml" | "svg" | "vue" | "markdown" | "md" => (&[], Some(("<!--", "-->"))),
        _ => (&[], None),
    }
}

/// A block's lines without their comments (see [`comments`]): a line
/// comment starts at its mark at the line's start or after a space (so
/// `http://x/#a` is no comment).
fn without_comments(lines: &[(usize, String)], lang: &str) -> Vec<(usize, String)> {
    let (line_marks, block) = comments(lang);
    let mut out = Vec::new();
    let mut in_block = false;
    for (n, line) in lines {
        let mut kept = String::new();
        let mut rest = line.as_str();
        loop {
            if in_block {
                let Some((_, close)) = block else { break };
                match rest.find(close) {
                    Some(at) => {
                        rest = &rest[at + close.len()..];
                        in_block = false;
                    }
                    None => break,
                }
                continue;
            }
            let open = block.and_then(|(open, _)| rest.find(open));
            let mark = line_marks
                .iter()
                .filter_map(|m| {
                    rest.match_indices(m)
                        .find(|(at, _)| *at == 0 || rest[..*at].ends_with(char::is_whitespace))
                        .map(|(at, _)| at)
                })
                .min();
            match (open, mark) {
                (Some(o), m) if m.is_none_or(|m| o < m) => {
                    kept.push_str(&rest[..o]);
                    rest = &rest[o + block.map_or(0, |b| b.0.len())..];
                    in_block = true;
                }
                (_, Some(m)) => {
                    kept.push_str(&rest[..m]);
                    break;
                }
                _ => {
                    kept.push_str(rest);
                    break;
                }
            }
        }
        out.push((*n, kept));
    }
    out
}

/// A block as compared: without comments, whitespace-insensitive.
fn block_text(b: &Item) -> String {
    normal(
        &without_comments(&b.lines, &b.lang)
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// The differences of `translation`'s code from `original`'s, in the
/// translation's order.
pub fn compare(original: &[Item], translation: &[Item]) -> Vec<Drift> {
    let blocks = |items: &[Item]| -> Vec<Item> {
        items
            .iter()
            .filter(|i| i.kind == Kind::Block)
            .cloned()
            .collect()
    };
    let (ob, tb) = (blocks(original), blocks(translation));
    let mut out = compare_blocks(&ob, &tb);
    for kind in [Kind::Inline, Kind::Url] {
        out.extend(compare_spans(original, translation, kind));
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

/// Blocks aligned by their longest common subsequence (equal when equal
/// but for whitespace); between two aligned pairs, the others pair up in
/// order (a block that differs) and what is left over is missing or extra.
fn compare_blocks(original: &[Item], translation: &[Item]) -> Vec<Drift> {
    let o: Vec<String> = original.iter().map(block_text).collect();
    let t: Vec<String> = translation.iter().map(block_text).collect();
    let (n, m) = (o.len(), t.len());
    // lcs[i][j]: the longest common subsequence of o[i..] and t[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if o[i] == t[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut lone_o, mut lone_t): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    loop {
        let matched = i < n && j < m && o[i] == t[j];
        if matched || (i == n && j == m) {
            out.extend(unmatched(original, translation, &lone_o, &lone_t, j));
            lone_o.clear();
            lone_t.clear();
            if !matched {
                break;
            }
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lone_t.push(j);
            j += 1;
        } else {
            lone_o.push(i);
            i += 1;
        }
    }
    out
}

/// Findings for the blocks between two aligned pairs: pairs in order
/// differ, the rest are missing (the original's) or extra (the
/// translation's). `next` is the translation's block after them.
fn unmatched(
    original: &[Item],
    translation: &[Item],
    lone_o: &[usize],
    lone_t: &[usize],
    next: usize,
) -> Vec<Drift> {
    let mut out = Vec::new();
    for (&oi, &ti) in lone_o.iter().zip(lone_t) {
        out.push(differing(&original[oi], oi, &translation[ti], ti));
    }
    for &oi in lone_o.iter().skip(lone_t.len()) {
        let b = &original[oi];
        // Where it should be: before the translation's next block, or
        // after its last.
        let (line, column) = match translation.get(next) {
            Some(t) => (t.line, t.column),
            None => translation
                .last()
                .map_or((1, 1), |t| (t.lines.last().map_or(t.line, |l| l.0) + 1, 1)),
        };
        out.push(Drift {
            kind: Kind::Block,
            line,
            column,
            original_line: b.line,
            block: None,
            original_block: Some(oi),
            message: format!(
                "the original's code block at line {} (`{}`) is missing from this translation",
                b.line,
                first_line(&b.text)
            ),
            fix: format!("add the original's block (line {}) here, unchanged", b.line),
            code: first_line(&b.text),
        });
    }
    for &ti in lone_t.iter().skip(lone_o.len()) {
        let b = &translation[ti];
        out.push(Drift {
            kind: Kind::Block,
            line: b.line,
            column: b.column,
            original_line: 0,
            block: Some(ti),
            original_block: None,
            message: format!(
                "this code block (`{}`) is not in the original",
                first_line(&b.text)
            ),
            fix: "remove it, or add it to the original first".into(),
            code: first_line(&b.text),
        });
    }
    out
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    cut(line, 60)
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// A block that differs: where its first differing line is.
fn differing(original: &Item, oi: usize, translation: &Item, ti: usize) -> Drift {
    let nonblank = |b: &Item| -> Vec<(usize, String)> {
        without_comments(&b.lines, &b.lang)
            .into_iter()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| (n, normal(&l)))
            .collect()
    };
    let (ol, tl) = (nonblank(original), nonblank(translation));
    let k = ol
        .iter()
        .zip(&tl)
        .position(|(a, b)| a.1 != b.1)
        .unwrap_or(ol.len().min(tl.len()));
    let here = tl.get(k).map_or(
        (
            translation.lines.last().map_or(translation.line, |l| l.0),
            String::new(),
        ),
        |(n, l)| (*n, l.clone()),
    );
    let there = ol
        .get(k)
        .map_or((original.line, String::new()), |(n, l)| (*n, l.clone()));
    let column = translation
        .lines
        .iter()
        .find(|(n, _)| *n == here.0)
        .map_or(translation.column, |(_, l)| {
            l.chars().take_while(|c| c.is_whitespace()).count() + 1
        });
    let message = match (here.1.is_empty(), there.1.is_empty()) {
        (false, false) => format!(
            "code differs from the original's (line {}): `{}` here, `{}` there",
            there.0,
            cut(&here.1, 60),
            cut(&there.1, 60)
        ),
        (true, false) => format!(
            "this code block lacks the original's line {} (`{}`)",
            there.0,
            cut(&there.1, 60)
        ),
        _ => format!(
            "this code block has a line the original's (line {}) does not: `{}`",
            original.line,
            cut(&here.1, 60)
        ),
    };
    Drift {
        kind: Kind::Block,
        line: here.0,
        column,
        original_line: there.0,
        block: Some(ti),
        original_block: Some(oi),
        message,
        fix: format!(
            "copy the original's block (line {}) here unchanged; translate only the text around it",
            original.line
        ),
        code: first_line(&translation.text),
    }
}

/// Inline code or addresses of the translation that the original does not
/// have; each paired, where it can be, with the most similar one of the
/// original's that the translation lacks.
fn compare_spans(original: &[Item], translation: &[Item], kind: Kind) -> Vec<Drift> {
    let of = |items: &[Item]| -> Vec<Item> {
        items.iter().filter(|i| i.kind == kind).cloned().collect()
    };
    let (o, t) = (of(original), of(translation));
    let known: std::collections::HashSet<String> = o.iter().map(|i| normal(&i.text)).collect();
    let present: std::collections::HashSet<String> = t.iter().map(|i| normal(&i.text)).collect();
    let lacking: Vec<&Item> = {
        let mut seen = std::collections::HashSet::new();
        o.iter()
            .filter(|i| !present.contains(&normal(&i.text)) && seen.insert(normal(&i.text)))
            .collect()
    };
    let what = if kind == Kind::Url {
        "link address"
    } else {
        "inline code"
    };
    let mut out = Vec::new();
    let mut reported = std::collections::HashSet::new();
    for item in &t {
        let text = normal(&item.text);
        if known.contains(&text) || !reported.insert(text.clone()) {
            continue;
        }
        let closest = lacking
            .iter()
            .map(|o| (similarity(&text, &normal(&o.text)), *o))
            .filter(|(s, _)| *s >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.line.cmp(&a.1.line)));
        let (message, fix, original_line) = match closest {
            Some((_, o)) => (
                format!(
                    "{what} `{}` differs from the original's `{}` (line {})",
                    cut(&item.text, 60),
                    cut(&o.text, 60),
                    o.line
                ),
                format!("write `{}` as the original does", cut(&o.text, 80)),
                o.line,
            ),
            None => (
                format!("{what} `{}` is not in the original", cut(&item.text, 60)),
                "use the original's code here, or add it to the original first".to_string(),
                0,
            ),
        };
        out.push(Drift {
            kind,
            line: item.line,
            column: item.column,
            original_line,
            block: None,
            original_block: None,
            message,
            fix,
            code: text,
        });
    }
    out
}

/// Dice's coefficient of two texts' character bigrams.
fn similarity(a: &str, b: &str) -> f64 {
    let bigrams = |s: &str| -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().collect();
        c.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (x, mut y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return if a == b { 1.0 } else { 0.0 };
    }
    let total = x.len() + y.len();
    let mut common = 0;
    for g in &x {
        if let Some(k) = y.iter().position(|h| h == g) {
            y.swap_remove(k);
            common += 1;
        }
    }
    2.0 * common as f64 / total as f64
}

/// The drift of every translation of a site (what its front matter does
/// not silence), and the blocks of each original that a translation's
/// page links to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteDrift {
    /// Per note, its findings against its original (empty for originals).
    pub findings: Vec<Vec<Drift>>,
    /// Per note, its blocks (indexes) that translations' notices link to.
    pub linked: Vec<Vec<usize>>,
    /// Per note compared, how many code blocks its Markdown has (a page
    /// marks its blocks only where its HTML has as many).
    pub blocks: Vec<Option<usize>>,
}

/// [`compare`] for every translation of `site` with its original.
pub fn analyze(site: &crate::site::Site, originals: &[Option<usize>]) -> SiteDrift {
    use rayon::prelude::*;
    let n = site.notes.len();
    let is_original: Vec<bool> = {
        let mut v = vec![false; n];
        for &o in originals.iter().flatten() {
            v[o] = true;
        }
        v
    };
    let items: Vec<Option<Vec<Item>>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let note = &site.notes[i].note;
            let needed = originals.get(i).copied().flatten().is_some() || is_original[i];
            needed.then(|| items(&note.body, note.body_line))
        })
        .collect();
    let findings: Vec<Vec<Drift>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let Some(o) = originals.get(i).copied().flatten() else {
                return Vec::new();
            };
            let (Some(theirs), Some(mine)) = (&items[o], &items[i]) else {
                return Vec::new();
            };
            let front = &site.notes[i].note.front;
            compare(theirs, mine)
                .into_iter()
                .filter(|d| !silenced(front, d))
                .collect()
        })
        .collect();
    let mut linked = vec![Vec::new(); n];
    for (i, list) in findings.iter().enumerate() {
        let Some(o) = originals.get(i).copied().flatten() else {
            continue;
        };
        for d in list {
            if let (Some(_), Some(k)) = (d.block, d.original_block) {
                linked[o].push(k);
            }
        }
    }
    for l in &mut linked {
        l.sort_unstable();
        l.dedup();
    }
    let blocks = items
        .iter()
        .map(|list| {
            list.as_ref()
                .map(|l| l.iter().filter(|it| it.kind == Kind::Block).count())
        })
        .collect();
    SiteDrift {
        findings,
        linked,
        blocks,
    }
}

/// Whether the note's front matter silences `drift`.
pub fn silenced(front: &crate::frontmatter::FrontMatter, drift: &Drift) -> bool {
    let extra = &front.extra;
    if extra.get("code_drift").and_then(|v| v.as_bool()) == Some(false) {
        return true;
    }
    let Some(list) = extra.get("code_drift_ignore").and_then(|v| v.as_array()) else {
        return false;
    };
    list.iter()
        .filter_map(|v| v.as_str())
        .any(|s| normal(s) == drift.code || normal(s) == normal(&drift.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_compared_but_option_alternatives_are() {
        assert_eq!(
            normal("chmod  u+x {{مسار/الملف}}"),
            normal("chmod u+x {{path/to/file}}")
        );
        assert_ne!(
            normal("chmod {{[-R|--rekursiv]}} {{x}}"),
            normal("chmod {{[-R|--recursive]}} {{x}}")
        );
        assert_eq!(normal("a {{b"), "a {{b");
    }

    fn drifts(original: &str, translation: &str) -> Vec<Drift> {
        compare(&items(original, 1), &items(translation, 1))
    }

    const ORIGINAL: &str = "Run this:\n\n```bash\npip install --upgrade cffi\n```\n\nThen `python3 -m venv venv` and\n\n```\ncat /etc/os-release\n```\n\nSee [docs](https://cffi.readthedocs.io/).\n";

    #[test]
    fn translated_comments_are_not_drift() {
        let original = "```css\n.a {\n  display: flex; /* stack items */\n}\n```\n\n```bash\n# install it\npip install cffi  # the backend\ncurl http://x/#top\n```\n";
        let t = "```css\n.a {\n  display: flex; /* 垂直排列 */\n}\n```\n\n```bash\n# installez-le\npip install cffi  # le backend\ncurl http://x/#top\n```\n";
        assert_eq!(drifts(original, t), []);
        // But the code around them is compared.
        let t = t.replace("display: flex;", "display: block;");
        assert_eq!(drifts(original, &t).len(), 1);
        let t = original.replace("http://x/#top", "http://x/#haut");
        assert_eq!(drifts(original, &t).len(), 1);
    }

    #[test]
    fn an_identical_translation_has_no_drift() {
        let t = "Lancez :\n\n```bash\npip  install --upgrade   cffi\n```\n\nPuis `python3 -m venv venv` et\n\n```\ncat /etc/os-release\n```\n\nVoir [la doc](https://cffi.readthedocs.io/).\n";
        assert_eq!(drifts(ORIGINAL, t), []);
    }

    #[test]
    fn a_changed_flag_is_found_at_its_line() {
        let t = ORIGINAL.replace("--upgrade", "--mettre-a-jour");
        let d = drifts(ORIGINAL, &t);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].line, d[0].column, d[0].original_line), (4, 1, 4));
        assert!(
            d[0].message
                .contains("`pip install --mettre-a-jour cffi` here"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn a_dropped_block_and_an_added_block_are_one_finding_each() {
        let t = ORIGINAL.replace("```bash\npip install --upgrade cffi\n```\n", "");
        let d = drifts(ORIGINAL, &t);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].original_block, Some(0));
        assert!(d[0].message.contains("is missing"), "{}", d[0].message);
        let t = ORIGINAL.replace("See [docs]", "```\nrm -rf /\n```\n\nSee [docs]");
        let d = drifts(ORIGINAL, &t);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("`rm -rf /`) is not in the original"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn curled_quotes_translated_paths_and_addresses_are_found() {
        let original = "Run `pip install \"cffi>=1.15\"` in `/usr/lib/python3`, see <https://pypi.org/project/cffi/>.\n";
        let t = "Lancez `pip install “cffi>=1.15”` dans `/usr/lib/python3`, voir <https://pypi.org/projet/cffi/>.\n";
        let d = drifts(original, t);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("`pip install “cffi>=1.15”` differs from the original's `pip install \"cffi>=1.15\"`"), "{}", d[0].message);
        assert_eq!(d[1].kind, Kind::Url);
        let t = "Dans `/usr/bibliothèque/python3`.\n";
        let d = drifts("In `/usr/lib/python3`.\n", t);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].line, d[0].column), (1, 6));
    }
}
