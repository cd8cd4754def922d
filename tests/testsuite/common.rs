//! Helpers shared by the end-to-end tests: building sites from the real
//! corpus into temporary folders, and checking the output.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The small real fixtures in the repository (`tests/sites/`): the two
/// corpus notes in nine languages (`notes/`) and the Jekyll miniature
/// (`jekyll/`), copied from the shared corpus so that a clone alone tests.
pub fn sites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites")
}

/// The whole shared corpus (read-only, `../shared/corpus` beside the
/// repository), for the corpus-wide tests: `None`, with the reason
/// printed, when it is not there, unless `NOTES_REQUIRE_CORPUS` is set
/// (CI sets it), which makes a missing corpus a failure.
pub fn corpus(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.join("tldr").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("NOTES_REQUIRE_CORPUS").is_some() {
        panic!(
            "{test}: the corpus is required (NOTES_REQUIRE_CORPUS is set) but {} is missing",
            dir.display()
        );
    }
    eprintln!(
        "skipped {test}: it reads the whole corpus, and {} is not there",
        dir.display()
    );
    None
}

/// The first file named `name` in a folder of `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The nine languages of the corpus, as a book.toml would configure them.
pub const LANGUAGES_TOML: &str = r#"
[languages.en]
name = "English"
[languages.zh]
name = "中文"
[languages.ja]
name = "日本語"
[languages.es]
name = "Español"
[languages.hi]
name = "हिन्दी"
[languages.fr]
name = "Français"
[languages.de]
name = "Deutsch"
[languages.ar]
name = "العربية"
[languages.hant]
name = "繁體中文"
"#;

/// A temporary site whose content folder is `src` (not copied) and whose
/// book.toml is `book` plus the nine languages.
pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    pub fn new(src: &Path, book: &str) -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        let toml = format!(
            "[book]\nsrc = \"{}\"\n{book}\n{LANGUAGES_TOML}",
            src.display().to_string().replace('\\', "/")
        );
        fs::write(dir.path().join("book.toml"), toml).unwrap();
        TestSite { dir }
    }

    /// A site with its own content folder, for fixtures written by a test.
    pub fn empty(book: &str) -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("content")).unwrap();
        fs::write(
            dir.path().join("book.toml"),
            format!("{book}\n{LANGUAGES_TOML}"),
        )
        .unwrap();
        TestSite { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Runs the real binary: `notes build --root <site> <args>`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_notes"))
            .arg("build")
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .unwrap()
    }

    pub fn build_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "build failed:\n{stderr}");
        stderr
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

/// Every file of a folder, relative path → bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The values of every `href="…"` and `src="…"` attribute in `html`.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(
                    rest[..end]
                        .replace("&quot;", "\"")
                        .replace("&#x27;", "'")
                        .replace("&#39;", "'")
                        .replace("&#x2F;", "/")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&"),
                );
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Checks that every internal link and asset reference in the HTML of
/// `out` resolves to a file in `out`, for a site published at `site_url`
/// (`https://host/sub/` or `/sub/`). Returns the broken ones as
/// `page: link`.
pub fn broken_links(out: &Path, site_url: &str) -> Vec<String> {
    let (origin, base) = match site_url.find("://") {
        Some(i) => {
            let slash = site_url[i + 3..]
                .find('/')
                .map_or(site_url.len(), |j| i + 3 + j);
            (&site_url[..slash], &site_url[slash..])
        }
        None => ("", site_url),
    };
    let mut broken = Vec::new();
    for (rel, bytes) in snapshot(out) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for link in links(&html) {
            let link = link
                .split('#')
                .next()
                .unwrap()
                .split('?')
                .next()
                .unwrap()
                .to_string();
            let path = if !origin.is_empty() && link.starts_with(origin) {
                link[origin.len()..].to_string()
            } else if link.starts_with('/') && !link.starts_with("//") {
                link.clone()
            } else {
                // External (scheme, protocol-relative) or a pure fragment.
                continue;
            };
            let Some(inside) = path.strip_prefix(base) else {
                broken.push(format!(
                    "{rel}: {link} (outside the site's base path {base})"
                ));
                continue;
            };
            let Some(inside) = notes::site::percent_decode(inside) else {
                broken.push(format!("{rel}: {link} (a broken %-escape)"));
                continue;
            };
            let inside = inside.as_str();
            let target = out.join(inside);
            let ok = if inside.is_empty() || inside.ends_with('/') {
                target.join("index.html").is_file()
            } else {
                target.is_file() || out.join(format!("{inside}.html")).is_file()
            };
            if !ok {
                broken.push(format!("{rel}: {link}"));
            }
        }
    }
    broken
}

/// A notes checkout's markdown files under a folder, relative paths.
pub fn markdown_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// `_posts/hi/2025-06-12-cffi-hi.md` → (`2025-06-12-cffi`, `hi`).
pub fn key_and_lang(rel: &str) -> (String, String) {
    let name = rel.rsplit('/').next().unwrap().trim_end_matches(".md");
    let (key, lang) = name.rsplit_once('-').unwrap();
    (key.to_string(), lang.to_string())
}

/// Removes the note bodies (`<div class="note-body">…</div>`) so that what
/// remains is what our templates wrote.
pub fn without_note_body(html: &str) -> String {
    match (
        html.find("<div class=\"note-body\">"),
        html.find("</article>"),
    ) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    }
}

/// The text of HTML without its tags (entities left as they are).
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Serves `dir` over HTTP on 127.0.0.1 (a free port) from a background
/// thread, for browser tests: `/x/` serves `x/index.html`. Returns the
/// base URL. The thread ends with the test process.
pub fn serve_dir(dir: &Path) -> String {
    serve_logged(dir, 200).0
}

/// [`serve_dir`], logging each path asked for; a `status` other than 200
/// answers every request with it (a failing server). Returns the base URL
/// and the log.
pub fn serve_logged(
    dir: &Path,
    status: u16,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = dir.to_path_buf();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let asked = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let target = request.split_whitespace().nth(1).unwrap_or("/");
            asked.lock().unwrap().push(target.to_string());
            let path = target.split('?').next().unwrap_or("/");
            let path = notes::site::percent_decode(path).unwrap_or_default();
            let mut file = dir.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file = file.join("index.html");
            }
            let (status, body) = match fs::read(&file) {
                _ if status != 200 => (format!("{status} Failing"), b"oops".to_vec()),
                Ok(b) if !path.contains("..") => ("200 OK".to_string(), b),
                _ => ("404 Not Found".to_string(), Vec::new()),
            };
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("xml") => "application/xml",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            let mut stream = &stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (format!("http://127.0.0.1:{port}/"), log)
}

/// A running `notes serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    pub host: String,
}

impl Server {
    pub fn start(site: &TestSite, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_notes"))
            .arg("serve")
            .arg("--root")
            .arg(site.root())
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(rest) = line.strip_prefix("serving at ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining stdout so the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        let host = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Server { child, url, host }
    }

    /// GET `path`; returns (status, headers, body).
    pub fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.host
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, head, response[split + 4..].to_vec())
    }

    pub fn text(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.get(path);
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Polls `path` until `ok` holds for its (status, body), for up to 10 s.
    pub fn wait_for(&self, path: &str, what: &str, ok: impl Fn(u16, &str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let (status, body) = self.text(path);
            if ok(status, &body) {
                return body;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{path}: still not {what} after 10 s (status {status})"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Connects to the live-reload events.
    pub fn events(&self) -> Events {
        let mut stream = TcpStream::connect(&self.host).unwrap();
        write!(
            stream,
            "GET /__notes/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.host
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Events(BufReader::new(stream))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server-sent events connection.
pub struct Events(BufReader<TcpStream>);

impl Events {
    /// The next event's data (skipping keep-alive comments and chunk sizes).
    pub fn next_data(&mut self) -> String {
        loop {
            let mut line = String::new();
            let n = self.0.read_line(&mut line).expect("an event within 10 s");
            assert!(n > 0, "the event stream closed");
            if let Some(data) = line.trim_end().strip_prefix("data: ") {
                return data.to_string();
            }
        }
    }
}

/// The whole corpus (tldr and the blog's notes) as one site; the Jekyll
/// miniature (`jekyll/`) holds copies of the same notes in its own layout
/// and is a site of its own.
pub fn corpus_site(test: &str) -> Option<TestSite> {
    Some(TestSite::new(
        &corpus(test)?,
        "exclude = [\"**/README.md\", \"notes/notes/**\", \"jekyll/**\"]\n[output.html]\nsite-url = \"https://example.org/notes/\"\n",
    ))
}

/// (note source path under the corpus, error line) for every line of a
/// code block that looks like an error.
pub fn error_lines(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for rel in markdown_files(root) {
        if rel.starts_with("notes/notes/") || rel.ends_with("README.md") {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&rel)).unwrap();
        let mut in_code = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                continue;
            }
            if in_code && notes::search::tokenize::is_signature(line) {
                out.push((rel.clone(), line.trim().to_string()));
            }
        }
    }
    out
}

/// Runs git in `dir` with `date` as author and committer date, failing the
/// test with git's message if it fails; returns its output, trimmed.
pub fn git_at(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A small deterministic random number generator (xorshift64*), so that a
/// failing sequence can be replayed from its seed.
#[allow(dead_code)]
pub struct Rng(pub u64);
#[allow(dead_code)]
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The corpus site the search tests query: the blog's notes, the Jekyll
/// miniature's published notes (its copies and unpublished originals
/// left out) and the 15,348 tldr pages.
pub fn search_site(test: &str) -> Option<TestSite> {
    Some(TestSite::new(
        &corpus(test)?,
        "exclude = [\"**/README.md\", \"notes/notes/**\", \"jekyll/site/notes/**\", \"jekyll/site/original/**\", \"jekyll/site/pages/**\"]\n[output.html]\nsite-url = \"https://example.org/notes/\"\n",
    ))
}

/// A real-style paste of `tests/data/pastes.txt`.
#[derive(Debug, Clone)]
pub struct Paste {
    /// The note it must find, as a path under the corpus.
    pub target: String,
    /// The language of the page it is pasted on.
    pub lang: String,
    pub text: String,
}

pub fn pastes() -> Vec<Paste> {
    let file = include_str!("../data/pastes.txt");
    let mut out: Vec<Paste> = Vec::new();
    for line in file.lines() {
        if let Some(head) = line.strip_prefix("=== ") {
            let (target, lang) = head.split_once(' ').unwrap();
            out.push(Paste {
                target: target.to_string(),
                lang: lang.to_string(),
                text: String::new(),
            });
        } else if let Some(p) = out.last_mut() {
            if !p.text.is_empty() {
                p.text.push('\n');
            }
            p.text.push_str(line);
        }
    }
    out
}
