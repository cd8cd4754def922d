//! `notes build` over its own output renders only pages whose inputs
//! changed: after every kind of edit, the output must be byte for byte
//! what a fresh build makes.

use std::fs;
use std::path::Path;

use crate::common::{TestSite, sites, snapshot};

/// A site with its own copy of the real notes (the test edits them), a
/// template override and a static file.
fn site() -> TestSite {
    let site = TestSite::empty(
        "[book]\ntitle = \"Notes\"\n[output.html]\nsite-url = \"https://example.org/notes/\"\n",
    );
    let src = sites().join("notes/_posts");
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&src).unwrap();
            site.write(
                &format!("content/_posts/{}", rel.display()),
                fs::read(entry.path()).unwrap(),
            );
        }
    }
    site.write("static/site.css", "body { color: black }\n");
    site
}

/// Runs `notes build -v` and returns (written, kept) from its summary.
fn build(site: &TestSite, args: &[&str]) -> (usize, usize) {
    let mut all = vec!["--verbose"];
    all.extend_from_slice(args);
    let out = site.run(&all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout.lines().find(|l| l.starts_with("wrote ")).unwrap();
    let n: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    (n[0], n[3])
}

/// The output equals a fresh build of the same sources into a new folder,
/// made without the caches the incremental builds keep.
fn assert_fresh(site: &TestSite, step: &str) {
    let fresh = site.root().join("fresh");
    if fresh.exists() {
        fs::remove_dir_all(&fresh).unwrap();
    }
    let (caches, aside) = (
        site.root().join(".notes-cache"),
        site.root().join("caches-aside"),
    );
    fs::rename(&caches, &aside).unwrap();
    let fresh_arg = fresh.display().to_string();
    build(site, &["--output", &fresh_arg]);
    fs::remove_dir_all(&caches).unwrap();
    fs::rename(&aside, &caches).unwrap();
    let (a, b) = (snapshot(&site.out()), snapshot(&fresh));
    let differ: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "after {step}: {differ:?} differ from a fresh build"
    );
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_rebuild_renders_only_what_changed_and_equals_a_fresh_build() {
    let site = site();
    let (written, kept) = build(&site, &[]);
    assert!(written > 20 && kept == 0);
    let pages = snapshot(&site.out())
        .keys()
        .filter(|p| p.ends_with(".html") || p.ends_with(".xml") || p.starts_with("search/"))
        .count();

    // Nothing changed: every page kept, nothing written.
    assert_eq!(build(&site, &[]), (0, pages));
    assert_fresh(&site, "no change");

    // A note's body: its page, its language's index and feed, and the
    // pages that show its summary change; the other languages' do not.
    // (Also written: the search shards of the words that came and went.)
    let en = site.root().join("content/_posts/en/2025-06-12-cffi-en.md");
    edit(&en, "you encountered the following", "you hit this");
    let (written, kept) = build(&site, &[]);
    assert!((1..=16).contains(&written), "wrote {written}");
    // The search index is made again as a whole (a few files here).
    let index_files = snapshot(&site.out())
        .keys()
        .filter(|p| p.starts_with("search/") && p.ends_with(".json"))
        .count();
    assert!(
        kept >= pages - 6 - index_files,
        "kept {kept} of {pages}, wrote {written}"
    );
    assert_fresh(&site, "a body edit");

    // A note linking to another: taken from the Markdown cache while its
    // link goes to the same place, rendered again when the target moves.
    let links = "content/_posts/en/2025-07-01-links-en.md";
    site.write(
        links,
        "---\ntitle: Links\n---\nSee [the fix](2025-06-12-cffi-en.md) and [its key](@/2025-06-12-cffi).\n\n![logo](/logo.png)\n",
    );
    build(&site, &[]);
    assert!(
        site.read("links/index.html")
            .contains("href=\"/notes/cffi/\"")
    );
    let (written, _) = build(&site, &[]);
    assert_eq!(written, 0);
    // Under another base path root-relative links move (the cache is
    // that of one base path), and back.
    build(&site, &["--site-url", "https://example.org/elsewhere/"]);
    assert!(
        site.read("links/index.html")
            .contains("src=\"/elsewhere/logo.png\"")
    );
    build(&site, &[]);
    assert!(
        site.read("links/index.html")
            .contains("src=\"/notes/logo.png\"")
    );
    // A damaged cache is a missing one.
    site.write(
        ".notes-cache/markdown.bin",
        "notes markdown cache 1 x\n\u{1}\u{2}",
    );
    build(&site, &[]);
    assert_fresh(&site, "a damaged Markdown cache");
    edit(&en, "type: note", "type: note\nslug: cffi-backend");
    build(&site, &[]);
    let page = site.read("links/index.html");
    assert!(
        page.contains("href=\"/notes/cffi-backend/\"") && !page.contains("href=\"/notes/cffi/\""),
        "{page}"
    );
    assert_fresh(&site, "a linked note moved");
    edit(&en, "type: note\nslug: cffi-backend", "type: note");
    fs::remove_file(site.root().join(links)).unwrap();
    build(&site, &[]);
    assert_fresh(&site, "the links note removed");

    // A title is in every translation's context (their switchers may show
    // it): all nine versions render again.
    edit(&en, "title: Libary", "title: Fixed Library");
    let (_, kept) = build(&site, &[]);
    assert!(kept <= pages - 9, "kept {kept} of {pages}");
    assert_fresh(&site, "a title edit");

    // A template: every page it renders.
    site.write(
        "templates/note.html",
        "{% extends \"base.html\" %}{% block main %}<main class=\"mine\">{{ page.content | safe }}</main>{% endblock main %}",
    );
    // (The search index is not rendered by templates: it is kept.)
    let (_, kept) = build(&site, &[]);
    assert!(
        kept < index_files + (pages - index_files) / 2,
        "kept {kept} of {pages} ({index_files} index files) after a template edit"
    );
    assert!(site.read("cffi/index.html").contains("class=\"mine\""));
    assert_fresh(&site, "a template edit");

    // Interface text from book.toml reaches every page of its language.
    let book = site.root().join("book.toml");
    let toml = fs::read_to_string(&book).unwrap();
    fs::write(
        &book,
        format!("{toml}\n[languages.de.strings]\ntranslations = \"Andere Sprachen\"\n"),
    )
    .unwrap();
    build(&site, &[]);
    assert!(site.read("de/cffi/index.html").contains("Andere Sprachen"));
    assert_fresh(&site, "a strings edit");

    // A static file: copied when its size or time changes.
    site.write("static/site.css", "body { color: navy; }\n");
    build(&site, &[]);
    assert_eq!(site.read("site.css"), "body { color: navy; }\n");
    assert_fresh(&site, "a static edit");

    // A page removed from the output by hand is written again.
    fs::remove_file(site.out().join("de/cffi/index.html")).unwrap();
    let (written, _) = build(&site, &[]);
    assert_eq!(written, 1);
    assert_fresh(&site, "a page deleted from the output");

    // A deleted note: its page goes, its translations lose the link.
    fs::remove_file(site.root().join("content/_posts/fr/2025-06-12-cffi-fr.md")).unwrap();
    build(&site, &[]);
    assert!(!site.out().join("fr/cffi/index.html").exists());
    assert_fresh(&site, "a deleted note");
}
