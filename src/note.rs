//! Reads one note: its bytes, its front matter, and the identity the rest of
//! the pipeline works with: language, translation key, slug and date.

use jiff::civil::{Date, DateTime};

use crate::config::Config;
use crate::discover::SourceFile;
use crate::error::{Diagnostic, Location};
use crate::frontmatter::{self, FrontMatter};

/// A note as written, before rendering.
#[derive(Debug, Clone)]
pub struct Note {
    pub source: SourceFile,
    /// The note's identity without its language (`2025-06-12-cffi`): notes
    /// sharing it are translations of one another.
    pub key: String,
    pub lang: String,
    pub slug: String,
    pub date: Option<DateTime>,
    pub title: String,
    pub front: FrontMatter,
    pub body: String,
    /// 1-based line of the file where `body` starts.
    pub body_line: usize,
    /// When the file was last written, as read (for translation staleness
    /// outside git: one look at the file, not two).
    pub modified: Option<std::time::SystemTime>,
}

/// Reads and parses the note at `source`. Every problem found is returned,
/// not only the first.
pub fn read(source: &SourceFile, config: &Config) -> Result<Note, Vec<Diagnostic>> {
    let path = config.content_dir.join(&source.rel);
    let (bytes, modified) = read_file(&path, config.max_note_bytes).map_err(|e| {
        let message = if e.kind() == std::io::ErrorKind::FileTooLarge {
            format!(
                "the file is {e}, more than the {} MiB a note may be: split it, list it under `exclude`, or raise `max-note-size` under [build] in book.toml",
                config.max_note_bytes >> 20
            )
        } else {
            format!("could not read the file: {e}")
        };
        vec![Diagnostic::new(Location::file(&source.path), message)]
    })?;
    let mut note = parse(source, &bytes, config)?;
    note.modified = modified;
    Ok(note)
}

/// A file's bytes and modification time, from one open.
/// A file larger than `limit` is not read (error kind `FileTooLarge`, its
/// size as the message), nor one that grows past it while being read.
fn read_file(
    path: &std::path::Path,
    limit: u64,
) -> std::io::Result<(Vec<u8>, Option<std::time::SystemTime>)> {
    use std::io::Read;
    let too_large = |size: u64| {
        std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("{:.1} MiB", size as f64 / 1048576.0),
        )
    };
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let size = meta.len() as usize;
    // Read until the size the system gave is reached: reading on to the
    // end would cost one more call per note only to learn that there is no
    // more (15,000 calls at 15,000 notes). A file read short of its size
    // (network file systems), or one the system gives no size for, is read
    // on to its end.
    let mut bytes = vec![0; size];
    let mut filled = 0;
    while filled < size {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(filled);
    if filled < size || size == 0 {
        // Through `take`: `File::read_to_end` asks the system for the size
        // and position again.
        file.take(limit + 1 - bytes.len() as u64)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(too_large(bytes.len() as u64));
        }
    }
    Ok((bytes, meta.modified().ok()))
}

/// Parses a note's bytes; separate from [`read`] so tests need no files.
pub fn parse(source: &SourceFile, bytes: &[u8], config: &Config) -> Result<Note, Vec<Diagnostic>> {
    let at = |line, column| Location::new(&source.path, line, column);
    let one = |line, column, message: String| vec![Diagnostic::new(at(line, column), message)];
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (line, column) = crate::error::line_col(valid, valid.len());
            return Err(one(
                line,
                column,
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02X}): save it as UTF-8",
                    bytes[e.valid_up_to()]
                ),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n");
        normalized.as_str()
    } else {
        text
    };
    if text.trim().is_empty() {
        return Err(one(
            1,
            1,
            "the file is empty: write the note, or delete the file or list it under `exclude` in book.toml".into(),
        ));
    }
    let split = frontmatter::split(text).map_err(|e| one(e.line, e.column, e.message))?;
    let front = match split.yaml {
        Some(yaml) => frontmatter::parse(yaml, split.yaml_line).map_err(|errs| {
            errs.into_iter()
                .map(|e| Diagnostic::new(at(e.line, e.column), e.message))
                .collect::<Vec<_>>()
        })?,
        None => FrontMatter::default(),
    };
    let (lang, stem_key) = language_and_key(source, &front, config);
    let mut problems = Vec::new();
    let key = match &front.translation_key {
        Some(k) => match check_key(&k.value) {
            Ok(()) => k.value.clone(),
            Err(m) => {
                problems.push(Diagnostic::new(at(k.line, k.column), m));
                stem_key
            }
        },
        None => stem_key,
    };
    let (name_date, name_slug_text) = split_date_prefix(&key);
    let name_date = match name_date {
        Some(Ok(d)) => Some(d.to_datetime(jiff::civil::Time::midnight())),
        Some(Err(bad)) => {
            problems.push(Diagnostic::new(
                at(1, 1),
                format!("the file name starts with an invalid date `{bad}` (expected YYYY-MM-DD, e.g. 2025-06-12-slug.md)"),
            ));
            None
        }
        None => None,
    };
    let date = match &front.date {
        Some(d) => match parse_date(&d.value) {
            Some(date) => Some(date),
            None => {
                problems.push(Diagnostic::new(
                    at(d.line, d.column),
                    format!(
                        "invalid date `{}` (expected YYYY-MM-DD, optionally with a time: 2025-06-12 10:30:00 +0800)",
                        d.value
                    ),
                ));
                None
            }
        },
        None => name_date,
    };
    let slug = match &front.slug {
        Some(s) => match check_slug(&s.value) {
            Ok(()) => s.value.clone(),
            Err(m) => {
                problems.push(Diagnostic::new(at(s.line, s.column), m));
                String::new()
            }
        },
        None => name_slug(name_slug_text),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let (title, body, body_line) = title_and_body(&front, split.body, split.body_line, &slug);
    Ok(Note {
        source: source.clone(),
        key,
        lang,
        slug,
        date,
        title,
        front,
        body: body.to_string(),
        body_line,
        modified: None,
    })
}

/// The language of a note and its file name without the language: front
/// matter `lang`, else a suffix naming a configured language (`-hi.md`,
/// `.hi.md`), else a folder named for one, else the default language.
fn language_and_key(source: &SourceFile, front: &FrontMatter, config: &Config) -> (String, String) {
    let stem = source.stem();
    if let Some(lang) = &front.lang {
        let code = lang.value.trim();
        let key = strip_lang_suffix(stem, code).unwrap_or(stem);
        return (code.to_string(), key.to_string());
    }
    let mut codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    codes.sort_by_key(|c| std::cmp::Reverse(c.len()));
    for code in &codes {
        if let Some(key) = strip_lang_suffix(stem, code) {
            return (code.to_string(), key.to_string());
        }
    }
    for folder in source.folders() {
        if codes.contains(&folder) {
            return (folder.to_string(), stem.to_string());
        }
    }
    (config.default_language.clone(), stem.to_string())
}

fn strip_lang_suffix<'a>(stem: &'a str, code: &str) -> Option<&'a str> {
    let base = stem.strip_suffix(code)?;
    let base = base.strip_suffix('-').or_else(|| base.strip_suffix('.'))?;
    (!base.is_empty()).then_some(base)
}

/// Splits `2025-06-12-cffi` into its date and `cffi`. A prefix shaped like
/// a date that is not one (`2025-13-01-x`) is returned as an error.
fn split_date_prefix(key: &str) -> (Option<Result<Date, String>>, &str) {
    let b = key.as_bytes();
    let shaped = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (b.len() == 10 || b[10] == b'-');
    if !shaped {
        return (None, key);
    }
    let slug = key.get(11..).filter(|s| !s.is_empty()).unwrap_or(key);
    let date = key[..10].parse::<Date>().map_err(|_| key[..10].to_string());
    (Some(date), slug)
}

/// Dates as Jekyll blogs write them: a day, or a day and a time with an
/// optional offset. A time with an offset is converted to UTC.
pub fn parse_date(text: &str) -> Option<DateTime> {
    let text = text.trim();
    if text.len() == 10 {
        return text
            .parse::<Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()));
    }
    let utc = |ts: jiff::Timestamp| ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(utc(ts));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%z",
    ] {
        if let Ok(ts) = jiff::Timestamp::strptime(format, text) {
            return Some(utc(ts));
        }
    }
    text.parse::<DateTime>().ok()
}

/// The slug a file name (or translation key) gives: as written, but for
/// characters no URL or file name should hold (controls, such as a tab or a
/// newline, and `\\`, a folder separator elsewhere), each made `-`.
/// Characters URLs escape (space, `#`, `?`, `%`, quotes) are kept: the
/// page's URL is percent-encoded (see `site::encode_url_path`).
fn name_slug(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == '\\' { '-' } else { c })
        .collect()
}

/// A translation key names a group of notes and, without `slug:`, gives
/// their URL: it must be a path that stays where it is put.
fn check_key(key: &str) -> Result<(), String> {
    let bad = key.trim().is_empty()
        || key.starts_with('/')
        || key.chars().any(|c| c.is_control() || c == '\\')
        || key
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..");
    if bad {
        Err(format!(
            "invalid translation_key `{}`: use the file name the notes share without their language, e.g. `2025-06-12-cffi` (no empty, `.` or `..` parts, no `/` at the start)",
            key.escape_debug()
        ))
    } else {
        Ok(())
    }
}

fn check_slug(slug: &str) -> Result<(), String> {
    let bad = slug.is_empty()
        || slug == "."
        || slug == ".."
        || slug
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "/\\?#%\"<>".contains(c));
    if bad {
        Err(format!(
            "invalid slug `{slug}`: use letters, digits, `-`, `_` or `.`, without spaces or `/`"
        ))
    } else {
        Ok(())
    }
}

/// The title from front matter, else from a leading `# heading` (which is
/// then taken out of the body so that it is not shown twice), else the slug.
fn title_and_body<'a>(
    front: &FrontMatter,
    body: &'a str,
    body_line: usize,
    slug: &str,
) -> (String, &'a str, usize) {
    if let Some(title) = front
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        return (title.to_string(), body, body_line);
    }
    let mut offset = 0;
    let mut line = body_line;
    for raw in body.split_inclusive('\n') {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            offset += raw.len();
            line += 1;
            continue;
        }
        if let Some(heading) = trimmed.strip_prefix("# ") {
            let heading = heading.trim().trim_end_matches('#').trim();
            if !heading.is_empty() {
                return (heading.to_string(), &body[offset + raw.len()..], line + 1);
            }
        }
        break;
    }
    (slug.to_string(), body, body_line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config() -> Config {
        Config::from_str(
            Path::new("site"),
            "[languages.hi]\n[languages.hant]\n[languages.zh]\n",
        )
        .unwrap()
    }

    fn source(rel: &str) -> SourceFile {
        SourceFile {
            path: Path::new("content").join(rel),
            rel: rel.into(),
        }
    }

    fn note(rel: &str, text: &str) -> Result<Note, Vec<Diagnostic>> {
        parse(&source(rel), text.as_bytes(), &config())
    }

    #[test]
    fn identity_from_the_corpus_layout() {
        let n = note(
            "_posts/hi/2025-06-12-cffi-hi.md",
            "---\nlang: hi\ntitle: T\n---\nx",
        )
        .unwrap();
        assert_eq!(
            (n.key.as_str(), n.lang.as_str(), n.slug.as_str()),
            ("2025-06-12-cffi", "hi", "cffi")
        );
        assert_eq!(n.date.unwrap().date(), jiff::civil::date(2025, 6, 12));
    }

    #[test]
    fn language_from_suffix_then_folder_then_default() {
        assert_eq!(note("a/2025-01-01-x.hant.md", "x").unwrap().lang, "hant");
        assert_eq!(
            note("a/2025-01-01-x.hant.md", "x").unwrap().key,
            "2025-01-01-x"
        );
        assert_eq!(note("zh/2025-01-01-x.md", "x").unwrap().lang, "zh");
        assert_eq!(note("2025-01-01-x.md", "x").unwrap().lang, "en");
        // An unconfigured code from front matter is kept as written.
        let n = note("2025-01-01-x-pt.md", "---\nlang: pt\n---\nx").unwrap();
        assert_eq!((n.lang.as_str(), n.key.as_str()), ("pt", "2025-01-01-x"));
    }

    #[test]
    fn title_from_heading_or_slug() {
        let n = note("2025-01-01-x.md", "\n# Fix it\n\nBody").unwrap();
        assert_eq!(n.title, "Fix it");
        assert_eq!(n.body.trim(), "Body");
        assert_eq!(n.body_line, 3);
        assert_eq!(note("2025-01-01-x.md", "Just text").unwrap().title, "x");
    }

    #[test]
    fn bad_inputs_name_line_and_column() {
        let e = note("x.md", "---\ntitle: t\ndate: 2025-13-01\n---\n").unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "content/x.md:3:7: invalid date `2025-13-01` (expected YYYY-MM-DD, optionally with a time: 2025-06-12 10:30:00 +0800)"
        );
        let e = parse(&source("x.md"), b"---\ntitle: \xff\n---\n", &config()).unwrap_err();
        assert!(
            e[0].to_string()
                .starts_with("content/x.md:2:8: the file is not valid UTF-8"),
            "{e:?}"
        );
        let e = note("x.md", "  \n").unwrap_err();
        assert!(e[0].message.contains("empty"));
        let e = note("2025-02-30-x.md", "x").unwrap_err();
        assert!(e[0].message.contains("invalid date `2025-02-30`"));
    }

    #[test]
    fn bom_and_crlf_are_tolerated() {
        let n = note("x.md", "\u{feff}---\r\ntitle: T\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(n.title, "T");
        assert_eq!(n.body, "Body\n");
    }

    #[test]
    fn dates_with_times() {
        let d = parse_date("2025-06-12 10:30:00 +0800").unwrap();
        assert_eq!(d.to_string(), "2025-06-12T02:30:00");
        assert!(parse_date("2025-06-12T10:30:00").is_some());
        assert!(parse_date("12/06/2025").is_none());
    }
}
