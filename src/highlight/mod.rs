//! Server-side syntax highlighting: the code of troubleshooting notes
//! (shell sessions, Python tracebacks, config files) as it reads in a
//! terminal, with no JavaScript.
//!
//! Grammars come from the `two-face` crate (bat's maintained set, which has
//! TOML, TypeScript, Dockerfile, PowerShell and more that syntect's defaults
//! lack), loaded once per process from its precompiled dump and only when a
//! page has code. Console sessions, Python REPL sessions and tracebacks have
//! no Sublime grammar; `sessions` handles them, reusing the bash and Python
//! grammars for the code inside.
//!
//! The grammars run on `engine`, which does what syntect's parser does, op
//! for op, at a third of its cost: contexts listed once, search results
//! kept in a vector, and most regex searches answered by `literals` (a
//! line without `<<-` cannot match a heredoc pattern) without calling
//! Oniguruma.
//!
//! Output is one short class per token (see `classes`), styled by one
//! generated stylesheet with a light and a dark theme. The same code appears
//! in every translation of a note, so each distinct (info string, code) pair
//! is highlighted once per build and the HTML reused.

pub mod classes;
mod engine;
mod literals;
mod sessions;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use syntect::easy::ScopeRegionIterator;
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};

/// The default themes of the generated stylesheet.
pub const DEFAULT_LIGHT_THEME: &str = "InspiredGitHub";
pub const DEFAULT_DARK_THEME: &str = "OneHalfDark";

/// Bounds on the work for one block: past them the block is shown as plain
/// text (with a warning) rather than stalling the build on a pathological
/// input such as a megabyte of minified JSON or a regex that backtracks.
const MAX_BLOCK_BYTES: usize = 256 * 1024;
const MAX_LINE_CHARS: usize = 10_000;
const MAX_BLOCK_TIME: Duration = Duration::from_millis(1500);

pub(crate) fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// One highlighted block.
#[derive(Debug, Clone)]
pub struct Block {
    pub html: Arc<str>,
    /// Why the block is plain text although it asked for a language.
    pub fallback: Option<Fallback>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Fallback {
    /// No grammar for this language: normal for rare languages, so only
    /// reported with `--verbose`.
    UnknownLanguage(String),
    /// The block was too large or too slow to highlight.
    TooCostly(String),
}

impl Fallback {
    pub fn message(&self) -> String {
        match self {
            Fallback::UnknownLanguage(lang) => {
                format!("no grammar for code block language `{lang}`: shown as plain text")
            }
            Fallback::TooCostly(why) => format!("code block shown as plain text: {why}"),
        }
    }
}

/// Highlights code blocks, remembering what it has already done.
pub struct Highlighter {
    cache: Option<Mutex<HashMap<u128, Entry>>>,
    lookups: AtomicUsize,
    hits: AtomicUsize,
    /// How many blocks `load` brought, to know whether `save` has news.
    loaded: AtomicUsize,
    /// The file of an earlier build's blocks (see [`Highlighter::load`]).
    saved: OnceLock<std::path::PathBuf>,
    /// Whether that file was read: on the first lookup, never in a
    /// rebuild that takes every note's Markdown from its cache.
    read: Once,
    /// Blocks [`Highlighter::keep`] asked to keep.
    kept: Mutex<Vec<u128>>,
}

/// A cached block, and whether this build used it (only those are saved).
#[derive(Clone)]
struct Entry {
    block: Block,
    used: bool,
}

/// The cache key of a block: a 128-bit hash of its info string and code.
pub(crate) fn key(info: &str, code: &str) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(info.trim().as_bytes());
    h.update(&[0]);
    h.update(code.as_bytes());
    h.digest128()
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

/// How well the cache did, for the build summary and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    pub lookups: usize,
    pub hits: usize,
}

impl Highlighter {
    pub fn new() -> Self {
        Highlighter {
            cache: Some(Mutex::default()),
            lookups: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
            loaded: AtomicUsize::new(0),
            saved: OnceLock::new(),
            read: Once::new(),
            kept: Mutex::default(),
        }
    }

    /// A highlighter that does all the work every time, for benchmarks.
    pub fn without_cache() -> Self {
        Highlighter {
            cache: None,
            ..Self::new()
        }
    }

    /// Renders one fenced code block. `info` is the fence's info string
    /// (`python`, `bash,linenos,hl_lines=2 4-5`). An empty or unknown
    /// language gives escaped plain text, never an error.
    pub fn block(&self, info: &str, code: &str) -> Block {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let Some(cache) = &self.cache else {
            return render_block(info, code);
        };
        self.read_saved();
        let key = key(info, code);
        if let Some(entry) = lock(cache).get_mut(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            entry.used = true;
            return entry.block.clone();
        }
        let block = render_block(info, code);
        lock(cache).insert(
            key,
            Entry {
                block: block.clone(),
                used: true,
            },
        );
        block
    }

    /// Marks blocks as used by this build without rendering them, so that
    /// [`Highlighter::save`] keeps them: those of notes whose HTML a build
    /// took from the Markdown cache.
    pub fn keep(&self, keys: &[u128]) {
        if self.cache.is_some() {
            lock(&self.kept).extend_from_slice(keys);
        }
    }

    /// Uses the blocks a previous build saved with [`Highlighter::save`],
    /// so that a rebuild highlights only new code. The file is read when
    /// the first block is asked for. A file from another version of notes
    /// (other grammars or classes) is ignored.
    pub fn load(&self, path: &std::path::Path) {
        let _ = self.saved.set(path.to_path_buf());
    }

    /// Reads the file given to [`Highlighter::load`], once.
    fn read_saved(&self) {
        self.read.call_once(|| {
            let (Some(cache), Some(path)) = (&self.cache, self.saved.get()) else {
                return;
            };
            let Some(entries) = std::fs::read(path).ok().and_then(|b| decode(&b)) else {
                return;
            };
            let mut map = lock(cache);
            self.loaded.store(entries.len(), Ordering::Relaxed);
            for (k, block) in entries {
                map.entry(k).or_insert(Entry { block, used: false });
            }
        });
    }

    /// Saves the blocks this build used, for the next build.
    pub fn save(&self, path: &std::path::Path) -> std::io::Result<()> {
        let Some(cache) = &self.cache else {
            return Ok(());
        };
        // No block asked for: the saved file holds every block kept.
        if !self.read.is_completed() {
            return Ok(());
        }
        let mut map = lock(cache);
        for k in lock(&self.kept).iter() {
            if let Some(entry) = map.get_mut(k) {
                entry.used = true;
            }
        }
        let mut used: Vec<(&u128, &Entry)> = map.iter().filter(|(_, e)| e.used).collect();
        // Nothing new and nothing gone: the file on disk is already this.
        let loaded = self.loaded.load(Ordering::Relaxed);
        if loaded > 0 && used.len() == loaded && map.len() == loaded && path.is_file() {
            return Ok(());
        }
        used.sort_by_key(|(k, _)| **k);
        let mut out = Vec::with_capacity(
            used.iter()
                .map(|(_, e)| e.block.html.len() + 32)
                .sum::<usize>()
                + 64,
        );
        out.extend_from_slice(CACHE_HEADER.as_bytes());
        for (k, e) in used {
            out.extend_from_slice(&k.to_le_bytes());
            let (kind, text) = match &e.block.fallback {
                None => (0u8, ""),
                Some(Fallback::UnknownLanguage(l)) => (1, l.as_str()),
                Some(Fallback::TooCostly(w)) => (2, w.as_str()),
            };
            out.push(kind);
            for part in [text, e.block.html.as_ref()] {
                out.extend_from_slice(&(part.len() as u32).to_le_bytes());
                out.extend_from_slice(part.as_bytes());
            }
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Named for this process: two builds at once each rename a whole file.
        let tmp = path.with_extension(format!("{}.partial", std::process::id()));
        std::fs::write(&tmp, out)?;
        std::fs::rename(tmp, path)
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            lookups: self.lookups.load(Ordering::Relaxed),
            hits: self.hits.load(Ordering::Relaxed),
        }
    }
}

/// The versions of the parser and of the grammar set, pinned exactly in
/// Cargo.toml (a test checks these against Cargo.lock).
pub const SYNTECT_VERSION: &str = "5.3.0";
pub const TWO_FACE_VERSION: &str = "0.5.2+bat-0.26.1";

/// What a cache file starts with: the file format and everything that
/// changes the HTML of a block (this crate's version, the parser's and
/// the grammar set's, which a grammar update changes).
const CACHE_HEADER: &str = concat!(
    "notes highlight cache 2\n",
    env!("CARGO_PKG_VERSION"),
    " syntect 5.3.0 two-face 0.5.2+bat-0.26.1\n"
);

fn decode(bytes: &[u8]) -> Option<Vec<(u128, Block)>> {
    let mut rest = bytes.strip_prefix(CACHE_HEADER.as_bytes())?;
    let mut out = Vec::new();
    let take = |n: usize, rest: &mut &[u8]| -> Option<Vec<u8>> {
        let (head, tail) = rest.split_at_checked(n)?;
        *rest = tail;
        Some(head.to_vec())
    };
    while !rest.is_empty() {
        let k = u128::from_le_bytes(take(16, &mut rest)?.try_into().ok()?);
        let kind = take(1, &mut rest)?[0];
        let mut text = || -> Option<String> {
            let len = u32::from_le_bytes(take(4, &mut rest)?.try_into().ok()?) as usize;
            String::from_utf8(take(len, &mut rest)?).ok()
        };
        let note = text()?;
        let html = text()?;
        let fallback = match kind {
            0 => None,
            1 => Some(Fallback::UnknownLanguage(note)),
            2 => Some(Fallback::TooCostly(note)),
            _ => return None,
        };
        out.push((
            k,
            Block {
                html: html.into(),
                fallback,
            },
        ));
    }
    Some(out)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Inserting is one call, so a panic elsewhere cannot leave the map
    // half-written: a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The options of a fence's info string, in Zola's syntax.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Info {
    lang: String,
    linenos: bool,
    linenostart: usize,
    hl_lines: Vec<(usize, usize)>,
}

fn parse_info(info: &str) -> Info {
    let mut parts = info.trim().splitn(2, [',', ' ']);
    let lang = parts
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['{', '}', '.'])
        .to_string();
    let mut out = Info {
        lang,
        linenostart: 1,
        ..Info::default()
    };
    let rest = parts.next().unwrap_or("");
    // Options are comma-separated; hl_lines' ranges are space-separated.
    for option in rest.split(',').map(str::trim) {
        if option == "linenos" {
            out.linenos = true;
        } else if let Some(n) = option.strip_prefix("linenostart=") {
            out.linenostart = n.trim().parse().unwrap_or(1);
        } else if let Some(ranges) = option.strip_prefix("hl_lines=") {
            for range in ranges.split_whitespace() {
                let (a, b) = range.split_once('-').unwrap_or((range, range));
                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                    out.hl_lines.push((a.min(b), a.max(b)));
                }
            }
        }
    }
    out
}

/// What a block is highlighted as.
#[derive(Clone, Copy)]
enum Kind {
    Syntax(&'static SyntaxReference),
    Console,
    Pycon,
    Traceback,
    Plain,
}

/// The kind for a fence language, or for an untagged block the kind its
/// first line clearly signals (a traceback header, a `$ ` prompt).
fn resolve(lang: &str, code: &str) -> (Kind, Option<String>, Option<Fallback>) {
    if lang.is_empty() {
        let first = code.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if first
            .trim_start()
            .starts_with("Traceback (most recent call last):")
        {
            return (Kind::Traceback, Some("pytb".into()), None);
        }
        if first.starts_with("$ ") {
            return (Kind::Console, Some("console".into()), None);
        }
        return (Kind::Plain, None, None);
    }
    let lower = lang.to_ascii_lowercase();
    let kind = match lower.as_str() {
        "console" | "shell-session" | "shellsession" | "terminal" | "sh-session" => {
            Some(Kind::Console)
        }
        "pycon" | "python-console" | "pyrepl" | "python-repl" => Some(Kind::Pycon),
        "pytb" | "py3tb" | "traceback" | "python-traceback" | "pythontraceback" => {
            Some(Kind::Traceback)
        }
        _ => None,
    };
    if let Some(kind) = kind {
        return (kind, Some(lower), None);
    }
    match find_syntax(&lower) {
        Some(syntax) => (Kind::Syntax(syntax), Some(lower), None),
        None => (
            Kind::Plain,
            Some(lower.clone()),
            Some(Fallback::UnknownLanguage(lang.to_string())),
        ),
    }
}

/// Finds the grammar for a fence's language name, case-insensitively,
/// through the aliases people write in notes.
pub fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lower = lang.to_ascii_lowercase();
    let set = syntaxes();
    let name = match lower.as_str() {
        "sh" | "shell" | "zsh" | "shellscript" | "bash" | "ksh" => "Bourne Again Shell (bash)",
        "py" | "python3" | "py3" | "python" | "python2" | "gyp" => "Python",
        "js" | "node" | "javascript" | "mjs" | "cjs" => "JavaScript",
        "jsx" => "JavaScript (Babel)",
        "ts" | "typescript" => "TypeScript",
        "tsx" => "TypeScriptReact",
        "ps1" | "pwsh" | "powershell" | "ps" => "PowerShell",
        "dockerfile" | "docker" | "containerfile" => "Dockerfile",
        "yml" | "yaml" => "YAML",
        "json" | "jsonc" | "json5" => "JSON",
        "toml" => "TOML",
        "ini" | "cfg" | "conf" | "dosini" | "properties" | "editorconfig" => "INI",
        "cs" | "csharp" | "c#" => "C#",
        "cpp" | "c++" | "cxx" | "cc" | "hpp" => "C++",
        "c" | "h" => "C",
        "rs" | "rust" => "Rust",
        "go" | "golang" => "Go",
        "kt" | "kotlin" | "kts" => "Kotlin",
        "java" => "Java",
        "make" | "makefile" | "mk" | "mf" => "Makefile",
        "html" | "htm" | "xhtml" => "HTML",
        "xml" | "svg" | "xsd" | "plist" => "XML",
        "css" => "CSS",
        "scss" => "SCSS",
        "sql" | "mysql" | "postgresql" | "psql" | "sqlite" => "SQL",
        "diff" | "patch" | "udiff" => "Diff",
        "nginx" | "nginxconf" => "nginx",
        "rb" | "ruby" => "Ruby",
        "md" | "markdown" => "Markdown",
        "bat" | "batch" | "cmd" | "dos" => "Batch File",
        "tf" | "hcl" | "terraform" => "Terraform",
        "vim" | "viml" => "VimL",
        "apache" | "apacheconf" | "htaccess" => "Apache Conf",
        "env" | "dotenv" => "DotENV",
        "requirements" | "pip-requirements" => "Requirements.txt",
        "gitignore" => "Git Ignore",
        "swift" => "Swift",
        "php" => "PHP",
        "lua" => "Lua",
        "perl" | "pl" => "Perl",
        "r" => "R",
        "scala" => "Scala",
        "haskell" | "hs" => "Haskell",
        "fish" => "Fish",
        "zig" => "Zig",
        "nix" => "Nix",
        "graphql" | "gql" => "GraphQL",
        "proto" | "protobuf" => "Protocol Buffer",
        "http" => "HTTP Request and Response",
        "log" => "log",
        "asm" | "nasm" | "x86asm" => "x86_64 Assembly",
        "cmake" => "CMake",
        "groovy" | "gradle" => "Groovy",
        "dart" => "Dart",
        "elixir" | "ex" => "Elixir",
        "erlang" | "erl" => "Erlang",
        "clojure" | "clj" => "Clojure",
        "latex" | "tex" => "LaTeX",
        "crontab" | "cron" => "Crontab",
        "ssh-config" | "ssh_config" => "SSH Config",
        "strace" => "Strace",
        "vue" => "Vue Component",
        "svelte" => "Svelte",
        "jinja" | "jinja2" | "j2" => "Jinja2",
        "csv" => "Separated Values",
        _ => "",
    };
    if let Some(s) = (!name.is_empty())
        .then(|| set.find_syntax_by_name(name))
        .flatten()
    {
        return Some(s);
    }
    set.find_syntax_by_token(&lower).or_else(|| {
        set.syntaxes()
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(lang))
    })
}

fn render_block(info: &str, code: &str) -> Block {
    let info = parse_info(info);
    let (kind, data_lang, mut fallback) = resolve(&info.lang, code);
    let lines: Vec<&str> = code.lines().collect();
    let highlighted = match kind {
        Kind::Plain => None,
        _ => Some(check_cost(code, &lines).and_then(|()| highlight(kind, &lines))),
    };
    let lines = match highlighted {
        Some(Ok(lines)) => lines,
        Some(Err(why)) => {
            fallback = Some(Fallback::TooCostly(why));
            plain(&lines)
        }
        None => plain(&lines),
    };
    Block {
        html: assemble(&info, data_lang.as_deref(), &lines).into(),
        fallback,
    }
}

fn highlight(kind: Kind, lines: &[&str]) -> Result<Vec<String>, String> {
    let budget = Budget::start();
    match kind {
        Kind::Syntax(syntax) => code_lines(syntax, lines, &budget),
        Kind::Console => sessions::console(lines, &budget),
        Kind::Pycon => sessions::pycon(lines, &budget),
        Kind::Traceback => sessions::traceback(lines, &budget),
        Kind::Plain => Ok(plain(lines)),
    }
}

fn plain(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| escape(l)).collect()
}

fn check_cost(code: &str, lines: &[&str]) -> Result<(), String> {
    if code.len() > MAX_BLOCK_BYTES {
        return Err(format!(
            "it is {} KiB, more than the {} KiB highlighted per block",
            code.len() / 1024,
            MAX_BLOCK_BYTES / 1024
        ));
    }
    if let Some((i, line)) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.len() > MAX_LINE_CHARS && l.chars().count() > MAX_LINE_CHARS)
    {
        return Err(format!(
            "its line {} has {} characters, more than the {MAX_LINE_CHARS} highlighted per line",
            i + 1,
            line.chars().count()
        ));
    }
    Ok(())
}

/// The time one block may take.
pub(crate) struct Budget {
    started: Instant,
}

impl Budget {
    fn start() -> Budget {
        Budget {
            started: Instant::now(),
        }
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if self.started.elapsed() > MAX_BLOCK_TIME {
            Err(format!(
                "highlighting took longer than {} ms",
                MAX_BLOCK_TIME.as_millis()
            ))
        } else {
            Ok(())
        }
    }
}

/// Highlights lines of one language, keeping the parser's state across
/// lines (strings and heredocs span lines).
fn code_lines(
    syntax: &'static SyntaxReference,
    lines: &[&str],
    budget: &Budget,
) -> Result<Vec<String>, String> {
    let mut parser = CodeParser::new(syntax);
    lines
        .iter()
        .map(|line| {
            budget.check()?;
            let mut w = LineWriter::default();
            parser.line(line, &mut w)?;
            Ok(w.finish())
        })
        .collect()
}

/// A grammar's parser for one language, fed line by line.
pub(crate) struct CodeParser {
    state: Grammar,
    stack: ScopeStack,
    buffer: String,
}

/// The grammar engine, or syntect's own parser should the engine be unable
/// to start (see `engine`).
enum Grammar {
    Engine(engine::Parser),
    Syntect(ParseState),
}

impl Grammar {
    fn parse_line(&mut self, line: &str) -> Result<Vec<(usize, ScopeStackOp)>, String> {
        match self {
            Grammar::Engine(parser) => parser.parse_line(line),
            Grammar::Syntect(state) => state
                .parse_line(line, syntaxes())
                .map_err(|e| e.to_string()),
        }
    }
}

impl CodeParser {
    pub(crate) fn new(syntax: &SyntaxReference) -> CodeParser {
        let state = match engine::Parser::new(syntax) {
            Some(parser) => Grammar::Engine(parser),
            None => Grammar::Syntect(ParseState::new(syntax)),
        };
        CodeParser {
            state,
            stack: ScopeStack::new(),
            buffer: String::new(),
        }
    }

    /// Writes `line` (without its newline) as classed tokens.
    pub(crate) fn line(&mut self, line: &str, w: &mut LineWriter) -> Result<(), String> {
        self.buffer.clear();
        self.buffer.push_str(line);
        self.buffer.push('\n');
        let ops = self
            .state
            .parse_line(&self.buffer)
            .map_err(|e| format!("the grammar failed: {e}"))?;
        for (text, op) in ScopeRegionIterator::new(&ops, &self.buffer) {
            self.stack
                .apply(op)
                .map_err(|e| format!("the grammar failed: {e:?}"))?;
            let text = text.strip_suffix('\n').unwrap_or(text);
            if !text.is_empty() {
                w.push(classes::class_for(self.stack.as_slice()), text);
            }
        }
        Ok(())
    }
}

/// Builds the HTML of one line from classed tokens, merging neighbours of
/// the same class so that each run of one colour is one span.
#[derive(Default)]
pub(crate) struct LineWriter {
    out: String,
    class: Option<&'static str>,
    text: String,
}

impl LineWriter {
    pub(crate) fn push(&mut self, class: Option<&'static str>, text: &str) {
        if class != self.class {
            self.flush();
            self.class = class;
        }
        self.text.push_str(text);
    }

    /// Writes markup as it is (wrappers around a line's parts).
    pub(crate) fn raw(&mut self, html: &str) {
        self.flush();
        self.out.push_str(html);
    }

    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        match self.class {
            Some(class) => {
                self.out.push_str("<span class=\"");
                self.out.push_str(class);
                self.out.push_str("\">");
                escape_into(&mut self.out, &self.text);
                self.out.push_str("</span>");
            }
            None => escape_into(&mut self.out, &self.text),
        }
        self.text.clear();
    }

    pub(crate) fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

/// Puts the lines together in a `<pre>`, with line numbers and highlighted
/// lines when the info string asks for them.
fn assemble(info: &Info, data_lang: Option<&str>, lines: &[String]) -> String {
    let mut html = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum::<usize>() + 128);
    html.push_str("<pre class=\"code\" dir=\"ltr\"");
    if let Some(lang) = data_lang {
        html.push_str(" data-lang=\"");
        escape_into(&mut html, lang);
        html.push('"');
    }
    html.push_str("><code");
    if let Some(lang) = data_lang {
        html.push_str(" class=\"language-");
        escape_into(&mut html, lang);
        html.push('"');
    }
    html.push('>');
    let decorated = info.linenos || !info.hl_lines.is_empty();
    for (i, line) in lines.iter().enumerate() {
        if decorated {
            let n = i + 1;
            let marked = info.hl_lines.iter().any(|&(a, b)| (a..=b).contains(&n));
            html.push_str(if marked {
                "<span class=\"line hl\">"
            } else {
                "<span class=\"line\">"
            });
            if info.linenos {
                html.push_str(&format!(
                    "<span class=\"ln\" aria-hidden=\"true\">{}</span>",
                    info.linenostart.saturating_add(i)
                ));
            }
            html.push_str(line);
            html.push_str("</span>\n");
        } else {
            html.push_str(line);
            html.push('\n');
        }
    }
    html.push_str("</code></pre>\n");
    html
}

/// Every theme name the `[output.html.highlight]` keys accept.
pub fn theme_names() -> Vec<&'static str> {
    two_face::theme::EmbeddedLazyThemeSet::theme_names()
        .iter()
        .map(|t| t.as_name())
        .collect()
}

/// The stylesheet for highlighted code: `light` by default, `dark` under
/// `prefers-color-scheme: dark` unless the reader picked light, and under
/// `data-theme="dark"` when the reader picked dark with the theme toggle.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let themes = two_face::theme::extra();
    let find = |name: &str| {
        two_face::theme::EmbeddedLazyThemeSet::theme_names()
            .iter()
            .find(|t| t.as_name() == name)
            .map(|t| themes.get(*t))
            .ok_or_else(|| {
                format!(
                    "unknown highlight theme `{name}`; available: {}",
                    theme_names().join(", ")
                )
            })
    };
    let (light, dark) = (find(light)?, find(dark)?);
    let mut css =
        String::from("/* Code highlighting, generated by notes from the configured themes. */\n");
    css.push_str(&classes::css_for_theme(light, "pre.code"));
    css.push_str(&classes::css_for_theme(
        dark,
        ":root[data-theme=\"dark\"] pre.code",
    ));
    css.push_str("@media (prefers-color-scheme: dark) {\n");
    css.push_str(&classes::css_for_theme(
        dark,
        ":root:not([data-theme=\"light\"]) pre.code",
    ));
    css.push_str("}\n");
    Ok(css)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grammar or parser update must not serve the last version's HTML
    /// from `.notes-cache/`: the cache's key names the versions locked.
    #[test]
    fn the_cache_key_names_the_locked_parser_and_grammar_versions() {
        let lock = include_str!("../../Cargo.lock");
        for (name, version) in [("syntect", SYNTECT_VERSION), ("two-face", TWO_FACE_VERSION)] {
            let entry = format!("name = \"{name}\"\nversion = \"{version}\"\n");
            assert!(lock.contains(&entry), "Cargo.lock has no {entry:?}");
            assert!(
                CACHE_HEADER.contains(&format!("{name} {version}")),
                "{CACHE_HEADER}"
            );
        }
    }

    fn html(info: &str, code: &str) -> String {
        Highlighter::new().block(info, code).html.to_string()
    }

    #[test]
    fn bash_and_python_get_short_classes() {
        let bash = html("bash", "pip install cffi # fix\n");
        assert!(bash.contains("<span class=\"c\"># fix</span>"), "{bash}");
        assert!(bash.contains("data-lang=\"bash\""));
        let py = html("Python", "import os\nprint('x')\n");
        assert!(py.contains("<span class=\"k\">import</span>"), "{py}");
        assert!(py.contains("<span class=\"s\">&#39;x&#39;</span>"), "{py}");
    }

    #[test]
    fn aliases_resolve_case_insensitively() {
        for alias in [
            "sh",
            "shell",
            "zsh",
            "shellscript",
            "py",
            "python3",
            "PY",
            "json",
            "yaml",
            "yml",
            "toml",
            "ini",
            "dockerfile",
            "Dockerfile",
            "powershell",
            "ps1",
            "javascript",
            "js",
            "typescript",
            "ts",
            "java",
            "kotlin",
            "go",
            "rust",
            "c",
            "cpp",
            "csharp",
            "sql",
            "html",
            "xml",
            "css",
            "diff",
            "makefile",
            "nginx",
        ] {
            assert!(find_syntax(alias).is_some(), "{alias}");
        }
    }

    #[test]
    fn unknown_and_untagged_are_escaped_plain() {
        let h = Highlighter::new();
        let plain = h.block("", "a < b && {{ c }}\n");
        assert_eq!(
            plain.html.as_ref(),
            "<pre class=\"code\" dir=\"ltr\"><code>a &lt; b &amp;&amp; {{ c }}\n</code></pre>\n"
        );
        assert_eq!(plain.fallback, None);
        let unknown = h.block("nosuchlang", "x\n");
        assert!(unknown.html.contains("class=\"language-nosuchlang\""));
        assert!(!unknown.html.contains("<span"));
        assert_eq!(
            unknown.fallback,
            Some(Fallback::UnknownLanguage("nosuchlang".into()))
        );
    }

    #[test]
    fn untagged_blocks_are_detected_only_on_clear_signals() {
        assert!(html("", "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nValueError: x\n").contains("data-lang=\"pytb\""));
        assert!(html("", "$ ls\nfile\n").contains("data-lang=\"console\""));
        assert!(
            !html("", "ModuleNotFoundError: No module named '_cffi_backend'\n").contains("<span")
        );
        assert!(!html("", "import os\n").contains("<span"));
    }

    #[test]
    fn info_string_options() {
        assert_eq!(
            parse_info("python,linenos,hl_lines=2 4-5"),
            Info {
                lang: "python".into(),
                linenos: true,
                linenostart: 1,
                hl_lines: vec![(2, 2), (4, 5)]
            }
        );
        let out = html("python,linenos,hl_lines=2", "a = 1\nb = 2\n");
        assert!(
            out.contains("<span class=\"line\"><span class=\"ln\" aria-hidden=\"true\">1</span>"),
            "{out}"
        );
        assert!(
            out.contains(
                "<span class=\"line hl\"><span class=\"ln\" aria-hidden=\"true\">2</span>"
            ),
            "{out}"
        );
    }

    #[test]
    fn cache_reuses_identical_blocks() {
        let h = Highlighter::new();
        let a = h.block("bash", "ls -la\n");
        let b = h.block("bash", "ls -la\n");
        assert!(Arc::ptr_eq(&a.html, &b.html));
        assert_eq!(
            h.stats(),
            CacheStats {
                lookups: 2,
                hits: 1
            }
        );
        let cold = Highlighter::without_cache();
        cold.block("bash", "ls\n");
        cold.block("bash", "ls\n");
        assert_eq!(cold.stats().hits, 0);
    }

    #[test]
    fn the_cache_survives_a_save_and_load() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache/highlight.bin");
        let first = Highlighter::new();
        let bash = first.block("bash", "ls -la\n");
        let unknown = first.block("nosuch", "x\n");
        first.save(&path).unwrap();
        let second = Highlighter::new();
        second.load(&path);
        assert_eq!(second.block("bash", "ls -la\n").html, bash.html);
        assert_eq!(second.block("nosuch", "x\n").fallback, unknown.fallback);
        assert_eq!(second.stats().hits, 2);
        // A damaged file is ignored.
        std::fs::write(&path, b"garbage").unwrap();
        let third = Highlighter::new();
        third.load(&path);
        assert_eq!(third.block("bash", "ls -la\n").html, bash.html);
        assert_eq!(third.stats().hits, 0);
    }

    #[test]
    fn pathological_blocks_fall_back_quickly() {
        let started = Instant::now();
        let long_line = format!("echo \"{}\"\n", "\\\"'".repeat(70_000));
        let b = Highlighter::new().block("bash", &long_line);
        assert!(matches!(b.fallback, Some(Fallback::TooCostly(_))));
        assert!(b.html.contains("&quot;&#39;"));
        let big = "x = 1\n".repeat(200_000);
        let b = Highlighter::new().block("python", &big);
        assert!(matches!(b.fallback, Some(Fallback::TooCostly(_))));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn stylesheet_has_both_themes_and_rejects_unknown_names() {
        let css = stylesheet(DEFAULT_LIGHT_THEME, DEFAULT_DARK_THEME).unwrap();
        assert!(css.contains("pre.code .k {"));
        assert!(css.contains(":root[data-theme=\"dark\"] pre.code .k {"));
        assert!(css.contains("prefers-color-scheme: dark"));
        let err = stylesheet("Nope", DEFAULT_DARK_THEME).unwrap_err();
        assert!(
            err.contains("unknown highlight theme `Nope`") && err.contains("Dracula"),
            "{err}"
        );
    }
}
