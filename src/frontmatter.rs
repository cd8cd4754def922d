//! Splits a note into its YAML front matter and Markdown body, and reads the
//! front matter into typed keys plus `extra` for everything else.
//!
//! This is the only module that touches serde_yaml (archived upstream): to
//! swap the YAML parser, change this file alone.

use std::collections::BTreeMap;

use serde_json::Value;

/// The front matter of a note. Known keys are typed; every other key is
/// kept in `extra` and reaches templates as `page.extra`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub lang: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub layout: Option<String>,
    pub translated: bool,
    pub generated: bool,
    pub audio: bool,
    /// The `type` key (`note`, `post`, …).
    pub kind: Option<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub slug: Option<Spanned<String>>,
    pub description: Option<String>,
    pub translation_key: Option<Spanned<String>>,
    pub model: Option<String>,
    /// `image:` is a flag (`false`) in the corpus and a path in other blogs.
    pub image: Option<Value>,
    pub extra: BTreeMap<String, Value>,
    /// Every key written, in order, for checks across a translation group.
    pub keys: Vec<String>,
    /// `permalink:` (Jekyll): this note's own URL pattern.
    pub permalink: Option<Spanned<String>>,
    /// `redirect_from:` (jekyll-redirect-from) and `aliases:` (Hugo, Zola):
    /// old URLs that answer with a redirect to this note.
    pub redirects: Vec<Spanned<String>>,
    /// `categories:` / `category:` (Jekyll's `:categories`).
    pub categories: Vec<String>,
}

/// A value with the place (1-based line and column, in the whole file) it
/// was written, for messages about values that parse but make no sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

/// A problem in the front matter, at a 1-based place in the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl FrontMatterError {
    fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        FrontMatterError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// A note's text cut in two.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, if the note has front matter.
    pub yaml: Option<&'a str>,
    /// 1-based line in the file of the YAML's first line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// 1-based line in the file where the body starts.
    pub body_line: usize,
}

/// `value` as a YAML scalar, quoted when YAML needs it (`title: 'a: b'`).
pub fn yaml_string(value: &str) -> String {
    serde_yaml::to_string(value)
        .map(|s| {
            s.trim_end()
                .trim_start_matches("---")
                .trim_start()
                .to_string()
        })
        .unwrap_or_else(|_| format!("'{}'", value.replace('\'', "''")))
}

/// Cuts `text` (BOM already removed, line ends already `\n`) at its front
/// matter fences. A note without a leading `---` line has no front matter.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Ok(Split {
            yaml: None,
            yaml_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let trimmed = text[offset..end].trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                yaml: Some(&text[yaml_start..offset]),
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        offset = end + 1;
        line += 1;
    }
    Err(FrontMatterError::new(
        1,
        1,
        "front matter is not closed: add a line `---` after its last key (a note without front matter must not start with `---`)",
    ))
}

/// Parses the YAML of a front-matter block starting at file line `first_line`.
pub fn parse(yaml: &str, first_line: usize) -> Result<FrontMatter, Vec<FrontMatterError>> {
    let simple = simple_mapping(yaml).map(Ok);
    let value: serde_yaml::Value = match simple.unwrap_or_else(|| serde_yaml::from_str(yaml)) {
        Ok(v) => v,
        Err(e) => return Err(vec![yaml_error(&e, yaml, first_line)]),
    };
    let map = match value {
        serde_yaml::Value::Null => return Ok(FrontMatter::default()),
        serde_yaml::Value::Mapping(map) => map,
        _ => {
            return Err(vec![FrontMatterError::new(
                first_line,
                1,
                "front matter must be `key: value` lines (a YAML mapping)",
            )]);
        }
    };
    let mut fm = FrontMatter::default();
    let mut errors = Vec::new();
    for (key, value) in map {
        let Some(key) = key.as_str().map(str::to_string) else {
            let (line, column) = (first_line, 1);
            errors.push(FrontMatterError::new(
                line,
                column,
                "front-matter keys must be text",
            ));
            continue;
        };
        fm.keys.push(key.clone());
        let at = || locate_key(yaml, &key, first_line);
        if let Err(message) = set_key(&mut fm, &key, value, at) {
            let (line, column) = at();
            errors.push(FrontMatterError::new(line, column, message));
        }
    }
    if errors.is_empty() {
        Ok(fm)
    } else {
        Err(errors)
    }
}

/// The front matter read without serde_yaml when every line is a plain
/// `key: value` with a value YAML reads as text (a plain word or phrase, or
/// single-quoted text) or as `true`/`false`; `None` for anything else
/// (lists, numbers, comments, quotes with escapes, lines that continue),
/// which serde_yaml reads. Nearly every note's front matter is such lines,
/// and serde_yaml spends about 30 µs on each: a fifth of a rebuild that
/// changes nothing. A test holds this to serde_yaml's result over every
/// front matter of the corpora.
pub fn simple_mapping(yaml: &str) -> Option<serde_yaml::Value> {
    use serde_yaml::Value as Y;
    let mut map = serde_yaml::Mapping::new();
    for line in yaml.split('\n') {
        if line.is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        let value = rest.strip_prefix(' ')?.trim_matches(' ');
        if !simple_key(key) || value.chars().any(breaks_simple_value) {
            return None;
        }
        let value = match value {
            "true" => Y::Bool(true),
            "false" => Y::Bool(false),
            _ => Y::String(simple_text(value)?),
        };
        if map.insert(Y::String(key.to_string()), value).is_some() {
            return None;
        }
    }
    (!map.is_empty()).then_some(Y::Mapping(map))
}

/// A key YAML reads as that text: a word, not `true`, `null` and the like.
fn simple_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !is_yaml_word(key)
}

/// Words YAML reads as booleans or null, in any of the spellings it knows.
fn is_yaml_word(s: &str) -> bool {
    matches!(
        s,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "null" | "Null" | "NULL"
    )
}

/// Characters that make a value more than one simple line: tabs, control
/// characters and what YAML takes for line breaks.
fn breaks_simple_value(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A value's text: single-quoted (`''` is a quote), or plain, starting with
/// a letter and holding nothing YAML reads as structure (`: `, ` #`).
fn simple_text(value: &str) -> Option<String> {
    if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        if inner.replace("''", "").contains('\'') {
            return None;
        }
        return Some(inner.replace("''", "'"));
    }
    let plain = value.starts_with(char::is_alphabetic)
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !is_yaml_word(value);
    plain.then(|| value.to_string())
}

fn set_key(
    fm: &mut FrontMatter,
    key: &str,
    value: serde_yaml::Value,
    at: impl Fn() -> (usize, usize),
) -> Result<(), String> {
    let spanned = |v: String| {
        let (line, column) = at();
        Spanned {
            value: v,
            line,
            column,
        }
    };
    match key {
        "title" => fm.title = scalar_text(key, value)?,
        "lang" => fm.lang = scalar_text(key, value)?.map(spanned),
        "date" => fm.date = scalar_text(key, value)?.map(spanned),
        "layout" => fm.layout = scalar_text(key, value)?,
        "translated" => fm.translated = flag(key, value)?,
        "generated" => fm.generated = flag(key, value)?,
        "audio" => fm.audio = flag(key, value)?,
        "draft" => fm.draft = flag(key, value)?,
        "type" => fm.kind = scalar_text(key, value)?,
        "slug" => fm.slug = scalar_text(key, value)?.map(spanned),
        "description" => fm.description = scalar_text(key, value)?,
        "translation_key" => fm.translation_key = scalar_text(key, value)?.map(spanned),
        "model" => fm.model = scalar_text(key, value)?,
        "tags" => fm.tags = tags(value)?,
        "image" => fm.image = Some(to_json(value)?),
        "permalink" => fm.permalink = scalar_text(key, value)?.map(spanned),
        // Kept for templates too; the redirects and categories are also
        // read here, with the key's place for messages.
        "redirect_from" | "aliases" => {
            fm.extra.insert(key.to_string(), to_json(value.clone())?);
            let paths = match value {
                serde_yaml::Value::Sequence(items) => items,
                one => vec![one],
            };
            for p in paths {
                if let Some(path) = scalar_text(key, p)? {
                    fm.redirects.push(spanned(path));
                }
            }
        }
        "categories" | "category" => {
            fm.extra.insert(key.to_string(), to_json(value.clone())?);
            fm.categories.extend(tags(value)?);
        }
        _ => {
            fm.extra.insert(key.to_string(), to_json(value)?);
        }
    }
    Ok(())
}

/// Text keys take any scalar (`title: 1984` is a title), never a list.
fn scalar_text(key: &str, value: serde_yaml::Value) -> Result<Option<String>, String> {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Ok(None),
        Y::String(s) => Ok(Some(s)),
        Y::Bool(b) => Ok(Some(b.to_string())),
        Y::Number(n) => Ok(Some(n.to_string())),
        Y::Tagged(t) => scalar_text(key, t.value),
        Y::Sequence(_) | Y::Mapping(_) => Err(format!(
            "`{key}` must be text, not a list or mapping; quote it if it contains `: ` or starts with `[` or `{{`"
        )),
    }
}

fn flag(key: &str, value: serde_yaml::Value) -> Result<bool, String> {
    match value {
        serde_yaml::Value::Bool(b) => Ok(b),
        serde_yaml::Value::Null => Ok(false),
        other => Err(format!(
            "`{key}` must be true or false, found `{}`",
            describe(&other)
        )),
    }
}

/// Tags as a list, or as Jekyll's space-separated string.
fn tags(value: serde_yaml::Value) -> Result<Vec<String>, String> {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Ok(Vec::new()),
        Y::String(s) => Ok(s.split_whitespace().map(str::to_string).collect()),
        Y::Sequence(items) => items
            .into_iter()
            .map(|item| scalar_text("tags", item).map(Option::unwrap_or_default))
            .collect(),
        other => Err(format!(
            "`tags` must be a list like [python, pip], found `{}`",
            describe(&other)
        )),
    }
}

fn describe(value: &serde_yaml::Value) -> String {
    serde_yaml::to_string(value)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Converts YAML to the JSON-like values templates see. Mapping keys that
/// are not text (`1: a`) are written as text.
fn to_json(value: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    other => describe(&other),
                };
                out.insert(key, to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => to_json(t.value)?,
    })
}

fn yaml_error(e: &serde_yaml::Error, yaml: &str, first_line: usize) -> FrontMatterError {
    // libyaml reports errors found at the end of the block (an unclosed
    // `[`) on the line after it, which is the closing `---`: point at the
    // block's last line instead.
    let last_line = first_line + yaml.lines().count().max(1) - 1;
    let (line, column) = e.location().map_or((first_line, 1), |l| {
        let line = l.line() + first_line - 1;
        if line > last_line {
            (last_line, 1)
        } else {
            (line, l.column())
        }
    });
    let mut message = e.to_string();
    // serde_yaml appends " at line X column Y", relative to the block: the
    // location we print is the file's, so drop the block's.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    let line_text = yaml
        .lines()
        .nth(line.saturating_sub(first_line))
        .unwrap_or("");
    let tabbed = yaml
        .lines()
        .any(|l| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'));
    let hint = if tabbed
        && (message.contains("tab")
            || line_text.contains('\t')
            || message.contains("cannot start any token"))
    {
        "; YAML does not allow tabs for indentation: indent with spaces"
    } else if message.contains("mapping values are not allowed") {
        "; a value containing `: ` must be quoted, e.g. title: 'Error: not found'"
    } else {
        ""
    };
    FrontMatterError::new(
        line,
        column,
        format!("invalid YAML front matter: {message}{hint}"),
    )
}

/// Finds where `key: value` is written, for messages about a value: the
/// (line, column) of the value, or of the key when the value is on a later
/// line. serde_yaml's values carry no positions, so this reads the text.
fn locate_key(yaml: &str, key: &str, first_line: usize) -> (usize, usize) {
    for (i, line) in yaml.lines().enumerate() {
        let Some(rest) = line.strip_prefix(key) else {
            continue;
        };
        let Some(after) = rest.trim_start_matches(' ').strip_prefix(':') else {
            continue;
        };
        let value_offset = line.len() - after.trim_start().len();
        let column = if after.trim().is_empty() {
            1
        } else {
            line[..value_offset].chars().count() + 1
        };
        return (first_line + i, column);
    }
    (first_line, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The simple reading, when it reads `yaml`, gives what serde_yaml does.
    fn same_as_serde_yaml(yaml: &str) -> bool {
        let Some(simple) = simple_mapping(yaml) else {
            return false;
        };
        let full: serde_yaml::Value = serde_yaml::from_str(yaml)
            .unwrap_or_else(|e| panic!("simple reading of YAML serde_yaml rejects: {yaml:?}: {e}"));
        assert_eq!(simple, full, "{yaml:?}");
        true
    }

    #[test]
    fn simple_front_matter_reads_as_serde_yaml_reads_it() {
        let (roots, whole) =
            crate::test_corpus::roots("simple_front_matter_reads_as_serde_yaml_reads_it");
        let (mut simple, mut all) = (0, 0);
        for entry in roots.iter().flat_map(walkdir::WalkDir::new) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|x| x != "md") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            if let Ok(Split {
                yaml: Some(yaml), ..
            }) = split(&text.replace("\r\n", "\n"))
            {
                all += 1;
                simple += usize::from(same_as_serde_yaml(yaml));
            }
        }
        // Worth having: nearly every note of both corpora reads the fast way.
        // The fixtures alone hold the Jekyll pages' hand-written front
        // matter, which is a larger share of them.
        let (least, percent) = if whole { (15_000, 95) } else { (40, 80) };
        assert!(
            all > least && simple * 100 > all * percent,
            "{simple} of {all}"
        );
    }

    #[test]
    fn only_what_yaml_reads_as_plain_keys_and_text_is_read_simply() {
        let taken = [
            "title: Fix it\n",
            "title: 'a: b'\nlang: en\n",
            "title: 'it''s'\n",
            "title: ''''\n",
            "title: C# and \"quotes\" [x] {y}, z\n",
            "title:   spaced   \ndraft: false\ngenerated: true\n",
            "title: 安装软件\nlang: zh\n",
            "title: inf\nx: nan\ny: yes\n",
            "a-b_c: x\n\n",
        ];
        for yaml in taken {
            assert!(same_as_serde_yaml(yaml), "{yaml:?} should read simply");
        }
        let left = [
            "",
            "title: a: b\n",
            "title: a # comment\n",
            "title: Null\n",
            "title: True\n",
            "null: x\n",
            "title: 1984\n",
            "title: -x\n",
            "title: \"x\"\n",
            "title: 'a'b'\n",
            "title: a\n  continued\n",
            "title: a\ntitle: b\n",
            "title:\n",
            "title:x\n",
            "title: a\tb\n",
            "title: a\u{2028}b\n",
            "tags: [a, b]\n",
            "# comment\ntitle: a\n",
            "title: a:\n",
            "key : a\n",
            "clé: a\n",
        ];
        for yaml in left {
            assert!(simple_mapping(yaml).is_none(), "{yaml:?} is for serde_yaml");
        }
    }

    fn parse_note(text: &str) -> Result<FrontMatter, Vec<FrontMatterError>> {
        let split = split(text).map_err(|e| vec![e])?;
        parse(split.yaml.unwrap_or(""), split.yaml_line)
    }

    #[test]
    fn split_finds_body_line() {
        let s = split("---\ntitle: x\n---\n\nBody\n").unwrap();
        assert_eq!(s.yaml, Some("title: x\n"));
        assert_eq!(s.body, "\nBody\n");
        assert_eq!(s.body_line, 4);
        let none = split("# Title\n").unwrap();
        assert_eq!(none.yaml, None);
    }

    #[test]
    fn unclosed_block_is_an_error() {
        let e = split("---\ntitle: x\n\nbody\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("not closed"));
    }

    #[test]
    fn typed_keys_and_extra() {
        let fm = parse_note(
            "---\naudio: false\ngenerated: true\nlang: hi\nmodel: x-ai/grok-4-fast\ntitle: 'A: B'\ntranslated: true\ntype: note\nweight: 3\nseries: [a, b]\n---\n",
        )
        .unwrap();
        assert_eq!(fm.title.as_deref(), Some("A: B"));
        assert_eq!(fm.lang.as_ref().unwrap().value, "hi");
        assert_eq!(fm.lang.as_ref().unwrap().line, 4);
        assert!(fm.generated && fm.translated && !fm.audio);
        assert_eq!(fm.kind.as_deref(), Some("note"));
        assert_eq!(fm.extra["weight"], Value::from(3));
        assert_eq!(fm.extra["series"], serde_json::json!(["a", "b"]));
    }

    #[test]
    fn yaml_error_lines_are_file_lines() {
        let errs = parse_note("---\ntitle: ok\nlang: [unclosed\n---\nbody\n").unwrap_err();
        assert_eq!(errs[0].line, 3, "{errs:?}");
        assert!(errs[0].message.starts_with("invalid YAML front matter"));
    }

    #[test]
    fn tab_indentation_gets_a_hint() {
        let errs = parse_note("---\ntags:\n\t- a\n---\n").unwrap_err();
        assert!(errs[0].message.contains("indent with spaces"), "{errs:?}");
        assert_eq!(errs[0].line, 3, "{errs:?}");
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let errs = parse_note("---\ntitle: x\ntranslated: yes\ntags: {a: 1}\n---\n").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!((errs[0].line, errs[0].column), (3, 13));
        assert!(errs[0].message.contains("true or false"));
        assert_eq!(errs[1].line, 4);
    }
}
