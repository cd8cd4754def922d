//! The default theme's JavaScript in a real browser (headless Chromium):
//! the copy button copies commands without prompts or output, and line
//! numbers are not copied; the theme toggle switches the code colours.

mod common;

use std::process::Command;

use common::*;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Loads `page` in headless Chromium and returns the DOM after its scripts ran.
fn dump_dom(page: &std::path::Path) -> String {
    dump_url(&format!("file://{}", page.display()))
}

/// Loads a URL in headless Chromium and returns the DOM after its scripts
/// ran (and after any navigation they started).
fn dump_url(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(CHROMIUM)
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
            panic!("{CHROMIUM} could not start ({e}): install it with `apt-get install chromium`")
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
    let site = TestSite::new(&corpus().join("notes"), "exclude = [\"notes/**\"]\n");
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
        let driver = Command::new("/usr/bin/chromedriver")
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
            "binary": CHROMIUM,
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
