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
