//! Moving a Jekyll blog in: `notes import jekyll` on the corpus's miniature
//! of the real blog (`../shared/corpus/jekyll/site`: its `_config.yml`,
//! `_posts/`, `_notes/`, `notes/`, `pages/`, assets), then `notes build`:
//! every URL Jekyll published answers, as the note's page or a redirect to
//! it. Plus redirects from front matter and same-slug posts on fixtures.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{TestSite, sites, snapshot};

fn notes(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A copy of the miniature blog, imported and built.
fn imported_blog() -> (tempfile::TempDir, PathBuf) {
    let src = sites().join("jekyll/site");
    let tmp = tempfile::tempdir().unwrap();
    let blog = tmp.path().join("blog");
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let to = blog.join(entry.path().strip_prefix(&src).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).unwrap();
        } else {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
    let out = notes(&["import", "jekyll", "."], &blog);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "import failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("not carried over: theme jekyll-theme-cayman"),
        "{stdout}"
    );
    assert!(stdout.contains("not carried over: 404.html"), "{stdout}");
    let built = notes(&["build", "--quiet"], &blog);
    assert!(
        built.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    (tmp, blog)
}

struct Expected {
    path: String,
    url: String,
    file: String,
}

fn expected_urls() -> Vec<Expected> {
    let text = fs::read_to_string(sites().join("jekyll/expected-urls.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols.len() >= 4 && cols[2] != "-").then(|| Expected {
                path: cols[0].to_string(),
                url: cols[1].to_string(),
                file: cols[2].to_string(),
            })
        })
        .collect()
}

/// The refresh target of a redirect page, if it is one.
fn redirect_target(html: &str) -> Option<String> {
    let at = html.find("http-equiv=\"refresh\" content=\"0; url=")?;
    let rest = &html[at + "http-equiv=\"refresh\" content=\"0; url=".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The file a site path is served from.
fn file_of(out: &Path, path: &str) -> PathBuf {
    let decoded = notes::site::percent_decode(path.trim_start_matches('/')).unwrap();
    if decoded.is_empty() || decoded.ends_with('/') {
        out.join(decoded).join("index.html")
    } else if decoded.rsplit('/').next().unwrap().contains('.') {
        out.join(decoded)
    } else {
        out.join(format!("{decoded}.html"))
    }
}

#[test]
fn every_url_jekyll_published_answers() {
    let (_tmp, blog) = imported_blog();
    let out = blog.join("public");
    let (mut pages, mut redirects, mut files) = (0, 0, 0);
    let mut lost = Vec::new();
    for e in expected_urls() {
        // The theme's stylesheet, compiled by Jekyll from its Sass: the
        // import says it is not carried over.
        if e.file == "assets/css/style.css" {
            continue;
        }
        let target = out.join(&e.file);
        assert_eq!(
            file_of(&out, &e.url),
            target,
            "{} is served from {}",
            e.url,
            e.file
        );
        let Ok(bytes) = fs::read(&target) else {
            lost.push(e.url.clone());
            continue;
        };
        if e.path == "404.html" {
            // The blog's is a Liquid page; notes writes its own.
            assert!(
                String::from_utf8_lossy(&bytes).contains("<html"),
                "404.html"
            );
            pages += 1;
            continue;
        }
        if !e.path.ends_with(".md") {
            if blog.join(&e.path).is_file() {
                assert_eq!(
                    bytes,
                    fs::read(blog.join(&e.path)).unwrap(),
                    "{} is copied as it is",
                    e.path
                );
            }
            files += 1;
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let key = e
            .path
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".md")
            .to_string();
        match redirect_target(&html) {
            Some(to) => {
                assert!(
                    html.contains("<meta name=\"robots\" content=\"noindex\">"),
                    "{}",
                    e.url
                );
                assert!(
                    html.contains("<link rel=\"canonical\" href=\"https://lzwjava.github.io/"),
                    "{}",
                    e.url
                );
                assert!(
                    html.contains(&format!("<a href=\"{to}\">")),
                    "{}: no plain link",
                    e.url
                );
                let page = fs::read_to_string(file_of(&out, &to)).unwrap();
                assert!(
                    redirect_target(&page).is_none(),
                    "{} redirects to a redirect",
                    e.url
                );
                assert!(
                    to.ends_with(&key),
                    "{} redirects to {to}, another note",
                    e.url
                );
                redirects += 1;
            }
            None => {
                let canonical = format!(
                    "<link rel=\"canonical\" href=\"https://lzwjava.github.io{}\"",
                    e.url
                );
                assert!(
                    html.contains(&canonical),
                    "{} is not the page of {}",
                    e.url,
                    e.path
                );
                pages += 1;
            }
        }
    }
    eprintln!("kept {pages} pages, {redirects} redirects, {files} files; lost {lost:?}");
    assert_eq!(lost, Vec::<String>::new());
    assert!(
        pages >= 20 && redirects == 3,
        "{pages} pages, {redirects} redirects"
    );
    // Redirects are in no sitemap.
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap
            .contains("<loc>https://lzwjava.github.io/notes/2025-10-19-npm-enotempty-fix-en</loc>")
    );
    assert!(!sitemap.contains("<loc>https://lzwjava.github.io/npm-enotempty-fix-en</loc>"));
}

#[test]
fn the_imported_blog_links_and_checks_clean_and_rebuilds_identically() {
    let (_tmp, blog) = imported_blog();
    let out = blog.join("public");
    // Links to pages that are not in the miniature (the real blog has them).
    let elsewhere = ["/pages/donate", "/barely-clear-en"];
    let broken: Vec<String> = crate::common::broken_links(&out, "https://lzwjava.github.io/")
        .into_iter()
        .filter(|b| !elsewhere.iter().any(|e| b.ends_with(e)))
        .collect();
    assert_eq!(broken, Vec::<String>::new());
    let check = notes(&["check", "--format", "json"], &blog);
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    // The zh and ja tables of contents link headings those pages lack: the
    // published site has the same broken anchors.
    assert!(kinds.iter().all(|k| *k == "broken-anchor"), "{kinds:?}");
    let before = snapshot(&out);
    let again = notes(&["build", "--quiet"], &blog);
    assert!(again.status.success());
    let after = snapshot(&out);
    let changed: Vec<&String> = after
        .keys()
        .chain(before.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert_eq!(
        changed,
        Vec::<&String>::new(),
        "a second build changed the output"
    );
}

#[test]
fn import_refuses_to_replace_a_book_toml() {
    let (_tmp, blog) = imported_blog();
    let book = fs::read_to_string(blog.join("book.toml")).unwrap();
    let twice = notes(&["import", "jekyll", "."], &blog);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(blog.join("book.toml")).unwrap(), book);
    let forced = notes(&["import", "jekyll", ".", "--force"], &blog);
    assert!(forced.status.success());
    // Nothing of the blog was changed: only book.toml and the output are new.
    let src = sites().join("jekyll/site");
    for entry in walkdir::WalkDir::new(&src).into_iter().map(Result::unwrap) {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&src).unwrap();
            assert_eq!(
                fs::read(entry.path()).unwrap(),
                fs::read(blog.join(rel)).unwrap(),
                "{rel:?}"
            );
        }
    }
}

#[test]
fn import_needs_a_jekyll_config() {
    let tmp = tempfile::tempdir().unwrap();
    let out = notes(&["import", "jekyll", "."], tmp.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("_config.yml"));
    assert!(!tmp.path().join("book.toml").exists());
}

/// `redirect_from:` and `aliases:` make redirect pages; one that collides
/// with a page is an error at its line.
#[test]
fn front_matter_redirects() {
    let site = TestSite::empty("[output.html]\nsite-url = \"https://example.org/\"\n");
    site.write(
        "content/2025-01-01-new-name-en.md",
        "---\ntitle: New\nredirect_from:\n  - /old-name/\n  - /older.html\naliases: [\"/de/alt/\"]\n---\nBody.\n",
    );
    site.write(
        "content/2025-01-02-other-en.md",
        "---\ntitle: Other\n---\nBody.\n",
    );
    site.build_ok(&["--quiet"]);
    for (file, to) in [
        ("old-name/index.html", "/new-name/"),
        ("older.html", "/new-name/"),
        ("de/alt/index.html", "/new-name/"),
    ] {
        let html = site.read(file);
        assert_eq!(redirect_target(&html).as_deref(), Some(to), "{file}");
    }
    assert!(!site.read("sitemap.xml").contains("old-name"));
    site.write(
        "content/2025-01-02-other-en.md",
        "---\ntitle: Other\nredirect_from: /new-name/\n---\nBody.\n",
    );
    let out = site.run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("2025-01-02-other-en.md:3:1") && stderr.contains("page of"),
        "{stderr}"
    );
}

/// Two posts of one language with the same slug on two dates: the later
/// keeps the URL (Jekyll writes it last), the earlier gets its own, and
/// build and check both say so.
#[test]
fn same_slug_on_two_dates() {
    let site = TestSite::empty(
        "[[output.html.permalinks]]\nfolder = \"_posts\"\npermalink = \"/:title\"\nkind = \"post\"\n",
    );
    site.write(
        "content/_posts/ja/2024-01-02-setup-ja.md",
        "---\ntitle: Old\n---\nOld.\n",
    );
    site.write(
        "content/_posts/ja/2025-03-04-setup-ja.md",
        "---\ntitle: New\n---\nNew.\n",
    );
    let stderr = site.build_ok(&[]);
    assert!(
        stderr.contains("2024-01-02-setup-ja.md") && stderr.contains("2025-03-04-setup-ja.md"),
        "{stderr}"
    );
    assert!(site.read("setup-ja.html").contains("New."));
    assert!(site.read("setup-ja-2024-01-02.html").contains("Old."));
    let check = Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["check", "--format", "json", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(
        json["findings"].to_string().contains("duplicate-url"),
        "{}",
        json["findings"]
    );
}

/// The feed where readers subscribed: its path, RSS, whole notes.
#[test]
fn the_feed_can_keep_its_old_place_and_format() {
    let site = TestSite::empty(
        "[output.html]\nsite-url = \"https://example.org/\"\n[output.html.feed]\npath = \"feeds/feed.xml\"\nformat = \"rss\"\ncontent = \"full\"\n",
    );
    site.write(
        "content/2025-01-01-a-en.md",
        "---\ntitle: A\ntop: 1\n---\nFirst *paragraph*.\n\nSecond.\n",
    );
    site.write(
        "content/2025-01-01-a-de.md",
        "---\ntitle: A de\n---\nErster.\n",
    );
    site.build_ok(&["--quiet"]);
    let rss = site.read("feeds/feed.xml");
    let doc = roxmltree::Document::parse(&rss).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "rss");
    let description = doc
        .descendants()
        .find(|n| n.has_tag_name("item"))
        .and_then(|i| i.children().find(|c| c.has_tag_name("description")))
        .and_then(|d| d.text())
        .unwrap();
    assert!(
        description.contains("<em>paragraph</em>") && description.contains("Second."),
        "{description}"
    );
    assert!(
        rss.contains("<pubDate>Wed, 01 Jan 2025 00:00:00 +0000</pubDate>"),
        "{rss}"
    );
    assert!(site.out().join("de/feeds/feed.xml").is_file());
    assert!(!site.out().join("atom.xml").exists());
    assert!(site.read("index.html").contains("feeds/feed.xml"));
}

/// Index templates see each note's whole front matter.
#[test]
fn index_templates_see_the_front_matter() {
    let site = TestSite::empty("");
    site.write(
        "templates/index.html",
        "{% for p in paginator.pages %}[{{ p.title }}:{{ p.front.type }}:{{ p.front.top }}:{{ p.front.translated }}]{% endfor %}",
    );
    site.write(
        "content/2025-01-01-a-en.md",
        "---\ntitle: A\ntype: note\ntop: 1\n---\nA.\n",
    );
    site.write(
        "content/2025-01-02-b-en.md",
        "---\ntitle: B\ntype: post\ntop: 0\n---\nB.\n",
    );
    site.build_ok(&["--quiet"]);
    assert_eq!(site.read("index.html"), "[B:post:0:false][A:note:1:false]");
}
