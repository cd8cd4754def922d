//! The default theme's JavaScript in a real browser (headless Chromium):
//! the copy button copies commands without prompts or output, and line
//! numbers are not copied; the theme toggle switches the code colours.

use std::process::Command;

use crate::common::*;

/// Chromium and chromedriver: `CHROME` and `CHROMEDRIVER` when set, else
/// the first of the usual names on `PATH`.
struct Tools {
    chromium: std::path::PathBuf,
    driver: std::path::PathBuf,
}

fn tools() -> Option<&'static Tools> {
    static TOOLS: std::sync::OnceLock<Option<Tools>> = std::sync::OnceLock::new();
    TOOLS
        .get_or_init(|| {
            let find = |var: &str, names: &[&str]| {
                std::env::var_os(var)
                    .map(std::path::PathBuf::from)
                    .or_else(|| names.iter().find_map(|n| on_path(n)))
            };
            Some(Tools {
                chromium: find(
                    "CHROME",
                    &[
                        "chromium",
                        "chromium-browser",
                        "google-chrome",
                        "google-chrome-stable",
                    ],
                )?,
                driver: find("CHROMEDRIVER", &["chromedriver"])?,
            })
        })
        .as_ref()
}

/// Whether the browser tests can run; the reason printed when not. With
/// `NOTES_REQUIRE_BROWSER` set (`.ci/run` sets it) a missing browser fails.
fn browser_present(test: &str) -> bool {
    if tools().is_some() {
        return true;
    }
    let reason = "Chromium or chromedriver is not on PATH (set CHROME and CHROMEDRIVER, or `apt-get install chromium chromium-driver`)";
    assert!(
        std::env::var_os("NOTES_REQUIRE_BROWSER").is_none(),
        "{test}: {reason}"
    );
    eprintln!("skipped {test}: {reason}");
    false
}

fn chromium() -> &'static std::path::Path {
    &tools().expect("checked by browser_present").chromium
}

/// Loads `page` in headless Chromium and returns the DOM after its scripts ran.
fn dump_dom(page: &std::path::Path) -> String {
    dump_url(&format!("file://{}", page.display()))
}

/// Loads a URL in headless Chromium and returns the DOM after its scripts
/// ran (and after any navigation they started).
fn dump_url(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} could not start ({e}): install it with `apt-get install chromium`",
                chromium().display()
            )
        });
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `script` (which sets `window.probe`) on a built page and returns
/// what it recorded.
fn probe(site: &TestSite, page: &str, script: &str) -> String {
    let html = site.read(page);
    let probe = format!(
        "<pre id=\"probe-result\"></pre><script>window.addEventListener('load', function () {{ {script}; document.getElementById('probe-result').textContent = JSON.stringify(window.probe); }});</script></body>"
    );
    let path = site.out().join("probe.html");
    std::fs::write(&path, html.replace("</body>", &probe)).unwrap();
    let dom = dump_dom(&path);
    let start = dom.find("<pre id=\"probe-result\">").expect("probe ran")
        + "<pre id=\"probe-result\">".len();
    let end = dom[start..].find("</pre>").unwrap() + start;
    dom[start..end]
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn site() -> TestSite {
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-01-copy.md",
        "---\ntitle: copy\n---\n```console\n$ pip install cffi \\\n    --upgrade\nSuccessfully installed cffi\n# apt install python3-cffi\n```\n\n```python,linenos\nimport cffi\nprint(cffi)\n```\n",
    );
    let base = format!("{}/", site.out().display());
    site.build_ok(&["--site-url", &base]);
    site
}

#[test]
fn copy_button_copies_commands_or_code_without_line_numbers() {
    if !browser_present("copy_button_copies_commands_or_code_without_line_numbers") {
        return;
    }
    let site = site();
    let result = probe(
        &site,
        "copy/index.html",
        "var pres = document.querySelectorAll('pre.code'); window.probe = [window.notesCopyText(pres[0]), window.notesCopyText(pres[1])]",
    );
    assert_eq!(
        result,
        r#"["pip install cffi \\\n    --upgrade\napt install python3-cffi","import cffi\nprint(cffi)"]"#
    );
}

#[test]
fn theme_toggle_switches_code_colours_and_is_remembered() {
    if !browser_present("theme_toggle_switches_code_colours_and_is_remembered") {
        return;
    }
    let site = site();
    let result = probe(
        &site,
        "copy/index.html",
        "var pre = document.querySelector('pre.code'); var before = getComputedStyle(pre).backgroundColor; \
         document.querySelector('.theme-toggle').click(); \
         window.probe = [before, getComputedStyle(pre).backgroundColor, document.documentElement.dataset.theme, localStorage.getItem('notes-theme')]",
    );
    // InspiredGitHub's background, then OneHalfDark's (headless Chromium's
    // system scheme is light).
    assert_eq!(
        result,
        r#"["rgb(255, 255, 255)","rgb(40, 44, 52)","dark","dark"]"#
    );
}

/// Opens `page` over HTTP, clicks the switcher's link for English, and
/// returns the `<html>` tag and `<h1>` of the page the browser ends on.
fn switch_to_english(site: &TestSite, base: &str, page: &str) -> String {
    let html = site.read(page);
    let script = "<script>window.addEventListener('load', function () { \
        var d = document.querySelector('.lang-switch'); d.open = true; \
        d.querySelector('a[hreflang=\"en\"]').click(); });</script></body>";
    let probe = std::path::Path::new(page).with_file_name("switch-probe.html");
    std::fs::write(site.out().join(&probe), html.replace("</body>", script)).unwrap();
    let dom = dump_url(&format!("{base}{}", probe.display()));
    let html_tag = &dom[dom.find("<html").unwrap()..];
    let html_tag = &html_tag[..html_tag.find('>').unwrap() + 1];
    let h1 = dom
        .find("<h1>")
        .map_or("", |i| &dom[i..i + dom[i..].find("</h1>").unwrap() + 5]);
    format!("{html_tag}{h1}")
}

#[test]
fn language_switcher_takes_arabic_and_hindi_readers_to_english() {
    if !browser_present("language_switcher_takes_arabic_and_hindi_readers_to_english") {
        return;
    }
    let site = TestSite::new(&sites().join("notes"), "exclude = [\"notes/**\"]\n");
    site.build_ok(&[]);
    let base = serve_dir(&site.out());
    for page in ["ar/cffi/index.html", "hi/cffi/index.html"] {
        let landed = switch_to_english(&site, &base, page);
        assert!(
            landed.starts_with("<html lang=\"en\" dir=\"ltr\"")
                && landed.ends_with("<h1>Libary cffi in Python</h1>"),
            "{page}: ended on {landed}"
        );
    }
}

/// A headless Chromium driven over the WebDriver protocol (chromedriver),
/// for tests that act over time on one open page.
struct Browser {
    driver: std::process::Child,
    port: u16,
    session: String,
}

impl Browser {
    fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&tools().expect("checked by browser_present").driver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "chromedriver did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
        };
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium(),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync"]
        }}}});
        let reply = browser.call("POST", "/session", &caps);
        browser.session = reply["value"]["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_string();
        browser
    }

    fn call(&self, method: &str, path: &str, body: &serde_json::Value) -> serde_json::Value {
        use std::io::{Read, Write};
        let body = body.to_string();
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        // chromedriver keeps the connection open: read the headers, then
        // exactly Content-Length bytes.
        let mut reader = std::io::BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}: {}", String::from_utf8_lossy(&body)))
    }

    fn open(&self, url: &str) {
        self.call(
            "POST",
            &format!("/session/{}/url", self.session),
            &serde_json::json!({ "url": url }),
        );
    }

    fn eval(&self, script: &str) -> serde_json::Value {
        let reply = self.call(
            "POST",
            &format!("/session/{}/execute/sync", self.session),
            &serde_json::json!({ "script": script, "args": [] }),
        );
        reply["value"].clone()
    }

    /// Polls `script` until it returns true, for up to 10 s.
    fn wait_for(&self, what: &str, script: &str) {
        let started = std::time::Instant::now();
        while self.eval(script) != serde_json::Value::Bool(true) {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "{what}: not within 10 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            self.call(
                "DELETE",
                &format!("/session/{}", self.session),
                &serde_json::json!({}),
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn an_open_page_follows_edits_and_shows_errors_until_fixed() {
    if !browser_present("an_open_page_follows_edits_and_shows_errors_until_fixed") {
        return;
    }
    let site = TestSite::empty("");
    let note = "content/2025-01-01-live.md";
    let long_body = "Filler paragraph.\n\n".repeat(200);
    site.write(note, format!("---\ntitle: First title\n---\n{long_body}"));
    let server = Server::start(&site, &[]);
    let url = server.url.clone();
    let browser = Browser::start();
    browser.open(&format!("{url}live/"));
    assert_eq!(
        browser.eval("return document.querySelector('h1').textContent"),
        "First title"
    );
    browser.eval("window.scrollTo(0, 600); return true");
    std::thread::sleep(std::time::Duration::from_millis(300));

    site.write(note, format!("---\ntitle: Second title\n---\n{long_body}"));
    browser.wait_for(
        "the edit reloads the page",
        "return document.querySelector('h1').textContent === 'Second title'",
    );
    browser.wait_for("the scroll position is kept", "return window.scrollY > 500");

    site.write(note, "---\ntitle: [broken\n---\nx\n");
    browser.wait_for(
        "the overlay shows the error with its place",
        "var o = document.getElementById('notes-error-overlay'); return !!o && o.textContent.indexOf('2025-01-01-live.md:2:') >= 0",
    );
    assert_eq!(
        browser.eval("return document.querySelector('h1').textContent"),
        "Second title"
    );

    site.write(note, format!("---\ntitle: Third title\n---\n{long_body}"));
    browser.wait_for(
        "the fix removes the overlay",
        "return !document.getElementById('notes-error-overlay') && document.querySelector('h1').textContent === 'Third title'",
    );
}

impl Browser {
    /// Runs an async `script` (its last argument is the callback) with
    /// `args`, waiting up to 60 s for the callback.
    fn eval_async(&self, script: &str, args: serde_json::Value) -> serde_json::Value {
        self.call(
            "POST",
            &format!("/session/{}/timeouts", self.session),
            &serde_json::json!({ "script": 60_000 }),
        );
        let reply = self.call(
            "POST",
            &format!("/session/{}/execute/async", self.session),
            &serde_json::json!({ "script": script, "args": args }),
        );
        reply["value"].clone()
    }
}

/// The site's output under a sub-path (`/notes/`), served over HTTP.
fn serve_under_sub_path(site: &TestSite) -> String {
    let srv = site.root().join("srv");
    let out = srv.join("notes");
    let out_arg = out.display().to_string();
    site.build_ok(&["--quiet", "--output", &out_arg, "--site-url", "/notes/"]);
    format!("{}notes/", serve_dir(&srv))
}

#[test]
fn a_pasted_traceback_in_the_box_shows_the_right_note_first() {
    if !browser_present("a_pasted_traceback_in_the_box_shows_the_right_note_first") {
        return;
    }
    let Some(corpus) = corpus("a_pasted_traceback_in_the_box_shows_the_right_note_first") else {
        return;
    };
    let site = TestSite::new(
        &corpus,
        "exclude = [\"**/README.md\", \"notes/notes/**\", \"jekyll/**\"]\n",
    );
    let base = serve_under_sub_path(&site);
    let browser = Browser::start();
    browser.open(&format!("{base}de/cffi/"));
    // search.js is not loaded before the box is used.
    assert_eq!(
        browser.eval("return typeof window.notesSearch"),
        "undefined"
    );
    let traceback = "Traceback (most recent call last):\n  File \"/home/bob/app/fetch.py\", line 3, in <module>\n    from supabase import create_client\nModuleNotFoundError: No module named '_cffi_backend'\npyo3_runtime.PanicException: Python API call failed";
    // A paste: the text arrives at once, new lines kept.
    browser.eval_async(
        "var box = document.querySelector('form.search textarea'); box.focus(); document.execCommand('insertText', false, arguments[0]); arguments[1](true);",
        serde_json::json!([traceback]),
    );
    browser.wait_for(
        "results under the box",
        "var r = document.querySelector('form.search .search-results'); return !!r && !r.hidden && r.querySelectorAll('.search-hit').length > 0",
    );
    let first = browser.eval(
        "var a = document.querySelector('form.search .search-hit a.search-title'); return [a.getAttribute('href'), a.textContent, a.parentNode.querySelector('.search-lang').textContent, a.parentNode.querySelector('mark') ? a.parentNode.querySelector('mark').textContent : '']",
    );
    assert_eq!(first[0], "/notes/de/cffi/", "{first}");
    assert_eq!(first[1], "CFFI-Bibliothek in Python");
    assert_eq!(first[2], "Deutsch");
    assert!(
        !first[3].as_str().unwrap().is_empty(),
        "matched words are marked: {first}"
    );
    // Enter opens the search page with the whole text.
    browser.eval(
        "var box = document.querySelector('form.search textarea'); box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); return true",
    );
    browser.wait_for(
        "the search page lists the results",
        "return location.pathname === '/notes/de/search/' && document.querySelectorAll('form.search-page .search-hit').length > 0",
    );
    assert_eq!(
        browser.eval(
            "return document.querySelector('form.search-page textarea').value.split('\\n').length"
        ),
        5
    );
    assert_eq!(
        browser.eval(
            "return document.querySelector('form.search-page .search-hit a').getAttribute('href')"
        ),
        "/notes/de/cffi/"
    );
    // A fragment only a later section holds: the result links that section
    // and shows the note's error line that matched.
    browser.open(&format!(
        "{base}search/?q=pyo3_runtime.PanicException%3A+Python+API+call+failed%0AFile+%22%2Fusr%2Flib%2Fpython3%2Fdist-packages%2Fcryptography%2Fhazmat%2F_oid.py%22"
    ));
    browser.wait_for(
        "the search page lists the results",
        "return document.querySelectorAll('form.search-page .search-hit').length > 0",
    );
    let hit = browser.eval(
        "var h = document.querySelector('form.search-page .search-hit'); var s = h.querySelector('a.search-section'); return [h.querySelector('a.search-title').getAttribute('href'), s && s.getAttribute('href'), s && s.textContent, h.querySelector('.search-snippet').textContent, h.querySelectorAll('.search-snippet mark').length]",
    );
    assert_eq!(hit[0], "/notes/cffi/", "{hit}");
    assert_eq!(hit[1], "/notes/cffi/#whats-causing-the-error", "{hit}");
    assert_eq!(hit[2], "What’s Causing the Error?", "{hit}");
    assert_eq!(
        hit[3], "pyo3_runtime.PanicException: Python API call failed",
        "{hit}"
    );
    assert!(hit[4].as_u64().unwrap() >= 3, "{hit}");
}

#[test]
fn the_browser_ranks_and_tokenizes_as_the_cli_does() {
    if !browser_present("the_browser_ranks_and_tokenizes_as_the_cli_does") {
        return;
    }
    let Some(site) = search_site("the_browser_ranks_and_tokenizes_as_the_cli_does") else {
        return;
    };
    let base = serve_under_sub_path(&site);
    let browser = Browser::start();
    browser.open(&format!("{base}search/"));
    browser.wait_for(
        "search.js",
        "return typeof window.notesSearch === 'function'",
    );

    // Terms: the same in JavaScript as in Rust, over every line of the
    // blog's notes in nine languages and some hard cases.
    let mut texts: Vec<String> = vec![
        "ModuleNotFoundError: No module named '_cffi_backend'".into(),
        "File \"/home/alice/x/main.py\", line 42, at 0xdeadbeef 2025-06-12 10:11:12".into(),
        "HTTPServer Café ＡＢＣ 安装软件 Pythonの環境 मॉड्यूल الوحدة".into(),
        "std::io::Error a.:42 __init__ 127.0.0.1 v1.2 𠀀𠀁 x".into(),
    ];
    for folder in ["notes", "jekyll"] {
        for rel in markdown_files(&sites().join(folder)) {
            let text = std::fs::read_to_string(sites().join(folder).join(rel)).unwrap();
            texts.extend(text.lines().map(String::from));
        }
    }
    for p in pastes() {
        texts.extend(p.text.lines().map(String::from));
        texts.push(p.text);
    }
    // And texts made of the pieces every rule looks at, at random.
    let pieces = [
        "a",
        "Z",
        "_",
        "9",
        ".",
        ":",
        "/",
        "\\",
        "-",
        "@",
        "+",
        "=",
        " ",
        "'",
        "\"",
        "`",
        "é",
        "安",
        "0x",
        ":42",
        "home/",
        "users/",
        "C:\\Users\\",
        "ABCDEF",
        "[",
        "]",
        "|",
        "ERROR ",
        "bash: ",
        "sh: 1: ",
        "E/tag: ",
        "12ms",
        "fe80::1",
        "a@b.c",
        "SQL0911N",
        "ENOTEMPTY:",
        " error: ",
        "node_modules/",
        "site-packages/",
        "AbCdEf",
        "q8Pz2",
        "deadbeef12",
        "123e4567-e89b-12d3-a456-426614174000",
        "sqlstate=",
        "40001",
        "not found",
        "command '",
        "Traceback",
        "\u{85}",
        "\u{feff}",
        "İ",
        "\u{212a}",
        " panicked at ",
        "x.py:3:",
        "\n",
    ];
    let mut rng = Rng(99);
    for _ in 0..5000 {
        let n = rng.below(12);
        texts.push((0..n).map(|_| *rng.pick(&pieces)).collect());
    }
    let common = vec!["not".to_string(), "the".to_string()];
    let js = browser.eval_async(
        "var cb = arguments[1]; var common = arguments[0][1]; cb(arguments[0][0].map(function (t) { return [window.notesSearchTerms(t), window.notesSearchSignature(t), window.notesPhrases(t), window.notesQueryTerms(t, common)]; }));",
        serde_json::json!([[texts, common]]),
    );
    for (k, text) in texts.iter().enumerate() {
        let rust = serde_json::json!([
            notes::search::tokenize::terms(text),
            notes::search::tokenize::is_signature(text),
            notes::search::tokenize::phrases(text),
            notes::search::query_terms(text, &common),
        ]);
        assert_eq!(js[k], rust, "{text:?}");
    }

    // Every error line of the corpus, from the page of its own language.
    let (s, index) = notes::search::open(&notes::BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    let queries: Vec<(String, String, String)> =
        error_lines(&corpus("the_browser_ranks_and_tokenizes_as_the_cli_does").unwrap())
            .into_iter()
            .map(|(rel, line)| {
                let i = s.by_source[&rel];
                let n = &s.notes[i];
                (line, n.note.lang.clone(), s.config.site_url.link(&n.url))
            })
            .collect();
    let found = browser.eval_async(
        "var cb = arguments[1]; var qs = arguments[0]; var out = []; var k = 0;
         function next() {
           if (k === qs.length) { cb(out); return; }
           var q = qs[k++];
           window.notesSearch(q[0], q[1], 3).then(function (r) {
             out.push(r.results.some(function (h) { return h.url === q[2] || h.others.some(function (o) { return o.url === q[2]; }); }));
             next();
           }, function (e) { out.push(String(e)); next(); });
         }
         next();",
        serde_json::json!([queries]),
    );
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), queries.len());
    let hits = found
        .iter()
        .filter(|v| **v == serde_json::Value::Bool(true))
        .count();
    let rate = hits as f64 / queries.len() as f64;
    println!(
        "browser top-3 rate {:.1}% over {} error lines",
        rate * 100.0,
        queries.len()
    );
    assert!(rate >= 0.95, "browser top-3 rate {rate:.3}");
    // The real-style pastes: the same results, sections and excerpts as
    // the CLI, and the right note first.
    let pastes = pastes();
    let asked: Vec<(String, String)> = pastes
        .iter()
        .map(|p| (p.text.clone(), p.lang.clone()))
        .collect();
    let js = browser.eval_async(
        "var cb = arguments[1]; var qs = arguments[0]; var out = []; var k = 0;
         function next() {
           if (k === qs.length) { cb(out); return; }
           var q = qs[k++];
           window.notesSearch(q[0], q[1], 3).then(function (r) {
             out.push(r.results.map(function (h) { return [h.url, h.anchor, h.heading, h.excerpt, h.others.map(function (o) { return o.url; })]; }));
             next();
           }, function (e) { out.push(String(e)); next(); });
         }
         next();",
        serde_json::json!([asked]),
    );
    let (mut first, mut top3) = (0, 0);
    for (k, p) in pastes.iter().enumerate() {
        let terms = notes::search::query_terms(&p.text, &index.common);
        let rust: Vec<serde_json::Value> = index
            .query(&p.text, Some(&p.lang), None, 3)
            .iter()
            .map(|h| {
                let e = notes::search::rank::excerpt(&index.docs[h.doc], h.section, &terms);
                let others: Vec<&str> = h
                    .others
                    .iter()
                    .map(|&o| index.docs[o].url.as_str())
                    .collect();
                serde_json::json!([index.docs[h.doc].url, e.anchor, e.heading, e.text, others])
            })
            .collect();
        assert_eq!(js[k], serde_json::json!(rust), "{:?}", p.text);
        let i = s.by_source[&p.target];
        let want = s.config.site_url.link(&s.notes[i].url);
        let rank = js[k].as_array().unwrap().iter().position(|r| {
            r[0] == want.as_str() || r[4].as_array().unwrap().iter().any(|o| *o == want.as_str())
        });
        first += usize::from(rank == Some(0));
        top3 += usize::from(rank.is_some());
    }
    let n = pastes.len() as f64;
    println!(
        "browser: {} pastes, top-1 {:.1}%, top-3 {:.1}%",
        pastes.len(),
        100.0 * first as f64 / n,
        100.0 * top3 as f64 / n
    );
    assert!(first as f64 / n >= 0.90 && top3 as f64 / n >= 0.98);
    // And the same ranking as the CLI for a pasted traceback.
    let traceback = "ModuleNotFoundError: No module named '_cffi_backend'\npyo3_runtime.PanicException: Python API call failed";
    let js = browser.eval_async(
        "var cb = arguments[1]; window.notesSearch(arguments[0], 'ja', 5).then(function (r) { cb(r.results.map(function (h) { return h.url; })); });",
        serde_json::json!([traceback]),
    );
    let rust: Vec<String> = index
        .query(traceback, Some("ja"), None, 5)
        .iter()
        .map(|h| index.docs[h.doc].url.clone())
        .collect();
    assert_eq!(js, serde_json::json!(rust));
    // Titles in Chinese, Japanese, Hindi and Arabic: that language first.
    for n in s.notes.iter().filter(|n| {
        n.note.source.rel.starts_with("notes/")
            && ["zh", "ja", "hi", "ar"].contains(&n.note.lang.as_str())
    }) {
        let first = browser.eval_async(
            "var cb = arguments[1]; window.notesSearch(arguments[0], 'none', 1).then(function (r) { cb(r.results[0].url); });",
            serde_json::json!([n.note.title]),
        );
        assert_eq!(first, s.config.site_url.link(&n.url), "{}", n.note.title);
    }
}

#[test]
fn search_works_on_an_empty_and_a_one_note_site() {
    if !browser_present("search_works_on_an_empty_and_a_one_note_site") {
        return;
    }
    let empty = TestSite::empty("");
    let base = serve_under_sub_path(&empty);
    let browser = Browser::start();
    browser.open(&format!("{base}search/?q=anything"));
    browser.wait_for(
        "the search page says nothing matched",
        "var n = document.querySelector('form.search-page .search-none'); return !!n && n.textContent === 'No notes match.'",
    );
    let one = TestSite::empty("");
    one.write(
        "content/2025-01-01-one.md",
        "---\ntitle: Only note\n---\nfatal: not a git repository\n",
    );
    let base = serve_under_sub_path(&one);
    browser.open(&format!("{base}search/?q=fatal%3A+not+a+git+repository"));
    browser.wait_for(
        "the note is found",
        "var a = document.querySelector('form.search-page .search-hit a'); return !!a && a.textContent === 'Only note' && a.getAttribute('href') === '/notes/one/'",
    );
}

/// Formulas are laid out by the browser from the MathML notes writes, with
/// no script: a display matrix is a table with a real size, an inline
/// fraction sits in its line.
#[test]
fn math_is_laid_out_without_javascript() {
    if !browser_present("math_is_laid_out_without_javascript") {
        return;
    }
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-01-math.md",
        "---\ntitle: Math\n---\nThe ratio $\\frac{V_{max}}{\\sqrt{2}}$ is the RMS value.\n\n$$\n\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}\n$$\n",
    );
    let base = serve_under_sub_path(&site);
    let browser = Browser::start();
    browser.open(&format!("{base}math/"));
    let boxes = browser.eval(
        "var m = document.querySelectorAll('math'); \
         var t = document.querySelector('math[display=block] mtable'); \
         var f = document.querySelector('math[display=inline] mfrac'); \
         var r = t ? t.getBoundingClientRect() : null; var q = f ? f.getBoundingClientRect() : null; \
         return [m.length, !!t, r ? r.width : 0, r ? r.height : 0, q ? q.width : 0, q ? q.height : 0, document.scripts.length];",
    );
    let b = boxes.as_array().unwrap();
    assert_eq!(b[0], 2, "two formulas: {boxes}");
    assert_eq!(b[1], true, "the matrix is an <mtable>: {boxes}");
    for (i, what) in [
        (2, "matrix width"),
        (3, "matrix height"),
        (4, "fraction width"),
        (5, "fraction height"),
    ] {
        assert!(b[i].as_f64().unwrap() > 4.0, "{what} is {}: {boxes}", b[i]);
    }
    // The matrix is taller than the inline fraction (two rows).
    assert!(b[3].as_f64().unwrap() > b[5].as_f64().unwrap(), "{boxes}");
}
