//! Search by pasted error, on the real corpora: every error line of a code
//! block finds its note, titles in Chinese, Japanese, Hindi and Arabic find
//! that language's note, the index stays small, and `notes search` prints
//! what the search box shows. (The same queries in a real browser are in
//! tests/browser.rs.)

use std::collections::BTreeSet;
use std::process::Command;

use crate::common::*;
use notes::search;

type Opened = (TestSite, notes::site::Site, search::Index);

/// A site and its index, as `notes search` opens it.
fn opened(site: TestSite) -> Opened {
    let options = notes::BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    };
    let (s, index) = search::open(&options).unwrap();
    (site, s, index)
}

/// The corpus site and its index, made once for all the tests here;
/// `None` (the test skipped) without the corpus.
fn corpus_index(test: &str) -> Option<&'static Opened> {
    static INDEX: std::sync::OnceLock<Opened> = std::sync::OnceLock::new();
    let site = corpus_site(test)?;
    Some(INDEX.get_or_init(|| opened(site)))
}

fn doc_of(index: &search::Index, site: &notes::site::Site, rel: &str) -> usize {
    let i = site.by_source[rel];
    let url = site.config.site_url.link(&site.notes[i].url);
    index.docs.iter().position(|d| d.url == url).unwrap()
}

#[test]
fn every_error_line_of_the_corpus_finds_its_note_in_the_top_three() {
    let Some((_, s, index)) =
        corpus_index("every_error_line_of_the_corpus_finds_its_note_in_the_top_three")
    else {
        return;
    };
    let queries = error_lines(&corpus("error lines").unwrap());
    assert!(queries.len() >= 30, "{} error lines", queries.len());
    let mut missed = Vec::new();
    for (rel, line) in &queries {
        let doc = doc_of(index, s, rel);
        let lang = &index.docs[doc].lang;
        let hits = index.query(line, Some(lang), None, 3);
        let found = hits
            .iter()
            .any(|h| index.docs[h.doc].group == index.docs[doc].group);
        if !found {
            missed.push(format!("{rel}: {line}"));
        }
    }
    let rate = 1.0 - missed.len() as f64 / queries.len() as f64;
    println!(
        "top-3 rate {:.1}% over {} error lines",
        rate * 100.0,
        queries.len()
    );
    assert!(
        rate >= 0.95,
        "top-3 rate {rate:.3}; missed:\n{}",
        missed.join("\n")
    );
}

#[test]
fn titles_in_cjk_hindi_and_arabic_find_that_languages_note_first() {
    let Some((_, s, index)) =
        corpus_index("titles_in_cjk_hindi_and_arabic_find_that_languages_note_first")
    else {
        return;
    };
    let mut checked = 0;
    for n in &s.notes {
        let rel = &n.note.source.rel;
        if !rel.starts_with("notes/") || !["zh", "ja", "hi", "ar"].contains(&n.note.lang.as_str()) {
            continue;
        }
        // No page language to prefer: the title's own language must win.
        let hits = index.query(&n.note.title, None, None, 3);
        let want = doc_of(index, s, rel);
        assert_eq!(
            hits.first().map(|h| h.doc),
            Some(want),
            "{rel}: {:?} → {:?}",
            n.note.title,
            hits.iter()
                .map(|h| (&index.docs[h.doc].lang, &index.docs[h.doc].title))
                .collect::<Vec<_>>()
        );
        checked += 1;
    }
    assert_eq!(checked, 8, "two notes in four languages");
}

#[test]
fn a_pasted_traceback_finds_the_cffi_note_and_transfers_little() {
    let Some((site, s, index)) =
        corpus_index("a_pasted_traceback_finds_the_cffi_note_and_transfers_little")
    else {
        return;
    };
    let traceback = r#"Traceback (most recent call last):
  File "/home/alice/proj/scripts/supabase/fetch.py", line 3, in <module>
    from supabase import create_client
  File "/home/alice/.local/lib/python3.13/site-packages/jwt/algorithms.py", line 6, in <module>
    from cryptography.hazmat.primitives import hashes
ModuleNotFoundError: No module named '_cffi_backend'
thread '<unnamed>' panicked at /usr/share/cargo/registry/pyo3-0.22/src/err/mod.rs:790:5:
Python API call failed
pyo3_runtime.PanicException: Python API call failed"#;
    for lang in ["en", "fr", "ar"] {
        let hits = index.query(traceback, Some(lang), None, 10);
        let first = &index.docs[hits[0].doc];
        let cffi = doc_of(
            index,
            s,
            &format!("notes/_posts/{lang}/2025-06-12-cffi-{lang}.md"),
        );
        assert_eq!(
            hits[0].doc, cffi,
            "{lang}: first is {} {}",
            first.lang, first.title
        );
        assert_eq!(hits[0].others.len(), 8, "the other languages, folded");
    }
    // What a browser downloads for it, and the index against the pages.
    let bytes = index.transfer(traceback, Some("en"), 8);
    println!("a pasted traceback downloads {bytes} bytes");
    assert!(bytes <= 130_000, "{bytes} bytes");
    let index_bytes: usize = index.files().iter().map(file_len).sum();
    let built = site.run(&["--quiet"]);
    assert!(built.status.success());
    let html: u64 = walkdir::WalkDir::new(site.out())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    println!("index {index_bytes} bytes, HTML {html} bytes");
    assert!(
        (index_bytes as f64) < 0.15 * html as f64,
        "index {index_bytes} vs HTML {html}"
    );
    // The index written by the build is the one `notes search` queries.
    for f in index.files() {
        let written = std::fs::read(site.out().join(&f.path)).unwrap();
        assert_eq!(written.len(), file_len(&f), "{}", f.path);
    }
}

fn file_bytes(f: &notes::output::OutputFile) -> Vec<u8> {
    match &f.content {
        notes::output::Content::Bytes(b) => b.to_vec(),
        other => panic!("{other:?}"),
    }
}

fn gzipped(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap().len()
}

fn file_len(f: &notes::output::OutputFile) -> usize {
    match &f.content {
        notes::output::Content::Bytes(b) => b.len(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_cli_prints_ranked_results_and_filters_by_language() {
    let site = TestSite::new(
        &sites().join("notes"),
        "exclude = [\"notes/**\"]\n[output.html]\nsite-url = \"https://example.org/blog/\"\n",
    );
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_notes"))
            .arg("search")
            .args(args)
            .arg("--root")
            .arg(site.root())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["ModuleNotFoundError: No module named '_cffi_backend'"]);
    assert!(ok, "{err}");
    // Title, language and link; the note's error line that matched; the
    // other languages. The other note shares a word or two ("no",
    // "module"): not shown.
    assert_eq!(
        out,
        " 1. Libary cffi in Python [en] https://example.org/blog/cffi/\n    ModuleNotFoundError: No module named '_cffi_backend'\n    also in: zh ja es hi fr de ar hant\n"
    );
    // A traceback fragment that only a later section holds points there.
    let (ok, out, _) = run(&[
        "pyo3_runtime.PanicException: Python API call failed\nFile \"/usr/lib/python3/dist-packages/cryptography/hazmat/_oid.py\", line 9, in <module>",
    ]);
    assert!(ok);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(
            " 1. Libary cffi in Python [en] https://example.org/blog/cffi/#whats-causing-the-error"
        ),
        "{out}"
    );
    assert_eq!(
        lines.next(),
        Some("    § What’s Causing the Error?"),
        "{out}"
    );
    assert_eq!(
        lines.next(),
        Some("    pyo3_runtime.PanicException: Python API call failed"),
        "{out}"
    );
    // The query can come from standard input.
    let root = site.root().to_str().unwrap();
    let piped = "Traceback (most recent call last):\nModuleNotFoundError: No module named '_cffi_backend'\n";
    let (code, out, _) = notes_search(&["--root", root], piped);
    assert_eq!(code, 0);
    assert!(out.starts_with(" 1. Libary cffi in Python [en]"), "{out}");
    let (ok, out, _) = run(&["居中", "--lang", "zh", "--limit", "1"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("[zh] https://example.org/blog/zh/"), "{out}");
    // Nothing matched: exit 1, as grep does, so that CI can tell.
    let (ok, out, _) = run(&["zzzqqq xyzzy"]);
    assert!(!ok);
    assert_eq!(out.trim(), "no note matches");
    let (ok, _, err) = run(&["cffi", "--lang", "pt"]);
    assert!(!ok);
    assert!(
        err.contains(
            "no language `pt` in this site; its languages are: en, zh, ja, es, hi, fr, de, ar, hant"
        ),
        "{err}"
    );
}

#[test]
fn empty_and_one_note_sites_get_a_working_index() {
    let empty = TestSite::empty("");
    empty.build_ok(&["--quiet"]);
    let meta: serde_json::Value = serde_json::from_str(&empty.read("search/meta.json")).unwrap();
    assert_eq!(meta["docs"], 0);
    assert_eq!(meta["shards"], 1);
    assert_eq!(empty.read("search/t/0.json"), "{}");
    assert!(empty.out().join("search/index.html").is_file());
    assert!(empty.out().join("search.js").is_file());

    let one = TestSite::empty("");
    one.write(
        "content/2025-01-01-one.md",
        "---\ntitle: Only note\n---\n```\nE: Unable to locate package foo\n```\n",
    );
    one.build_ok(&["--quiet"]);
    let (s, index) = search::open(&notes::BuildOptions {
        root: one.root().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(s.notes.len(), 1);
    let hits = index.query("E: Unable to locate package bar", None, None, 5);
    assert_eq!(hits.len(), 1);
    // The excerpt is the note's error line that holds the query's words.
    let terms = search::query_terms("E: Unable to locate package bar", &index.common);
    let shown = search::rank::excerpt(&index.docs[0], hits[0].section, &terms);
    assert_eq!(shown.text, "E: Unable to locate package foo");
    let docs: serde_json::Value = serde_json::from_str(&one.read("search/d/0.json")).unwrap();
    assert_eq!(docs[0][1], "Only note");
}

#[test]
fn the_index_holds_every_note_once_with_its_language() {
    let site = TestSite::new(&sites().join("notes"), "exclude = [\"notes/**\"]\n");
    site.build_ok(&["--quiet"]);
    let meta: serde_json::Value = serde_json::from_str(&site.read("search/meta.json")).unwrap();
    assert_eq!(meta["docs"], 18);
    let map = meta["map"].as_str().unwrap();
    assert_eq!(map.matches('|').count(), 2, "two translation groups: {map}");
    assert_eq!(map.replace('|', "").chars().count(), 18);
    let chunks = 18usize.div_ceil(search::CHUNK);
    let mut urls = BTreeSet::new();
    for k in 0..chunks {
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&site.read(&format!("search/d/{k}.json"))).unwrap();
        for r in rows {
            let url = r[0].as_str().unwrap();
            let page = site
                .out()
                .join(url.trim_start_matches('/'))
                .join("index.html");
            assert!(page.is_file(), "{r:?}");
            // Every section's anchor is an id of the page.
            let html = std::fs::read_to_string(&page).unwrap();
            for s in r[4].as_array().unwrap() {
                let anchor = s[0].as_str().unwrap();
                assert!(
                    anchor.is_empty() || html.contains(&format!("id=\"{anchor}\"")),
                    "{url}#{anchor}"
                );
            }
            urls.insert(url.to_string());
        }
    }
    assert_eq!(urls.len(), 18);
}

#[test]
fn search_can_be_turned_off_as_in_mdbook() {
    let site = TestSite::new(
        &sites().join("notes"),
        "exclude = [\"notes/**\"]\n[output.html.search]\nenable = false\n",
    );
    site.build_ok(&["--quiet"]);
    for gone in ["search", "de/search", "search.js"] {
        assert!(!site.out().join(gone).exists(), "{gone}");
    }
    let page = site.read("cffi/index.html");
    assert!(!page.contains("class=\"search\""), "no search box");
    assert!(site.read("notes.js").contains("form.search"));
}

/// The search site (corpus notes, the Jekyll notes, tldr) and its index.
fn search_index(test: &str) -> Option<&'static Opened> {
    static INDEX: std::sync::OnceLock<Opened> = std::sync::OnceLock::new();
    let site = search_site(test)?;
    Some(INDEX.get_or_init(|| opened(site)))
}

#[test]
fn real_pastes_find_their_note_first() {
    let Some((_, s, index)) = search_index("real_pastes_find_their_note_first") else {
        return;
    };
    let pastes = pastes();
    assert!(pastes.len() >= 60, "{} pastes", pastes.len());
    let (mut first, mut top3) = (0, 0);
    let mut missed = Vec::new();
    for p in &pastes {
        let want = index.docs[doc_of(index, s, &p.target)].group;
        let hits = index.query(&p.text, Some(&p.lang), None, 3);
        let rank = hits.iter().position(|h| index.docs[h.doc].group == want);
        match rank {
            Some(0) => first += 1,
            _ => missed.push(format!(
                "{} [{}] rank {:?}: {:?} → {:?}",
                p.target,
                p.lang,
                rank.map(|r| r + 1),
                p.text.lines().next().unwrap_or(""),
                hits.iter()
                    .map(|h| &index.docs[h.doc].title)
                    .collect::<Vec<_>>()
            )),
        }
        if rank.is_some() {
            top3 += 1;
        }
    }
    // What the search box downloads for each paste (8 results, as under
    // the box): uncompressed, and gzipped file by file as a web server
    // sends them.
    let files: std::collections::HashMap<String, Vec<u8>> = index
        .files()
        .into_iter()
        .map(|f| {
            let len = file_bytes(&f);
            (f.path, len)
        })
        .collect();
    let (mut most, mut most_gzip, mut worst) = (0, 0, "");
    for p in &pastes {
        let paths = index.transfer_paths(&p.text, Some(&p.lang), 8, false);
        let bytes: usize = paths.iter().map(|p| files[p].len()).sum();
        if bytes > most {
            most = bytes;
            worst = p.text.lines().next().unwrap_or("");
            most_gzip = paths.iter().map(|p| gzipped(&files[p])).sum();
        }
    }
    println!("the most a paste downloads: {most} bytes, {most_gzip} gzipped ({worst:?})");
    if std::env::var_os("NOTES_SHOW_TRANSFER").is_some() {
        let p = pastes.iter().find(|p| p.text.starts_with(worst)).unwrap();
        for path in index.transfer_paths(&p.text, Some(&p.lang), 8, false) {
            println!("{path} {}", files[&path].len());
        }
        println!("{:?}", search::query_terms(&p.text, &index.common));
    }
    assert!(most <= 130_000, "{most} bytes for {worst:?}");
    let n = pastes.len() as f64;
    println!(
        "{} pastes: top-1 {:.1}%, top-3 {:.1}%\n{}",
        pastes.len(),
        100.0 * first as f64 / n,
        100.0 * top3 as f64 / n,
        missed.join("\n")
    );
    assert!(first as f64 / n >= 0.90, "top-1 {first}/{n}");
    assert!(top3 as f64 / n >= 0.98, "top-3 {top3}/{n}");
}

fn notes_search(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("search")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn notes_search_site_asks_a_deployed_site_as_its_search_box_does() {
    let site = TestSite::new(
        &sites().join("notes"),
        "exclude = [\"notes/**\"]\n[output.html]\nsite-url = \"/notes/\"\n",
    );
    let srv = site.root().join("srv");
    let out = srv.join("notes");
    site.build_ok(&["--quiet", "--output", out.to_str().unwrap()]);
    let (base, log) = serve_logged(&srv, 200);
    let url = format!("{base}notes/");
    let root = site.root().to_str().unwrap();
    let error = "ModuleNotFoundError: No module named '_cffi_backend'";

    // The same results as the folder gives, with the site's address.
    let (code, remote, err) = notes_search(&["--site", &url, error], "");
    assert_eq!(code, 0, "{err}");
    let (_, local, _) = notes_search(&["--root", root, error], "");
    assert_eq!(remote.replace(base.trim_end_matches('/'), ""), local);
    assert!(
        remote.starts_with(&format!(" 1. Libary cffi in Python [en] {url}cffi/\n")),
        "{remote}"
    );
    // It fetched exactly what the browser would: meta, the query's term
    // shards and the results' document chunks.
    let (_, index) = search::open(&notes::BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    let asked: BTreeSet<String> = log.lock().unwrap().drain(..).collect();
    let want: BTreeSet<String> = index
        .transfer_files(error, Some("en"), 10, true)
        .into_iter()
        .map(|(path, _)| format!("/notes/{path}"))
        .collect();
    assert_eq!(asked, want);

    // A log on standard input, as a CI job pipes it.
    let log_text = "Collecting deps\nTraceback (most recent call last):\n  File \"/home/ci/build/run.py\", line 2, in <module>\nModuleNotFoundError: No module named '_cffi_backend'\n";
    let (code, out, _) = notes_search(&["--site", &url, "--lang", "de", "--limit", "1"], log_text);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!(" 1. CFFI-Bibliothek in Python [de] {url}de/cffi/")),
        "{out}"
    );
    assert_eq!(out.matches(" 1. ").count(), 1);

    // Nothing matched: 1.
    let (code, out, _) = notes_search(&["--site", &url, "zzzqqq xyzzy"], "");
    assert_eq!((code, out.trim()), (1, "no note matches"));

    // Errors: 2, with the address and what to do.
    let (code, _, err) = notes_search(&["--site", &base, error], "");
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "{base}search/meta.json: no search index there (HTTP 404)"
        )),
        "{err}"
    );
    let (failing, _) = serve_logged(&srv, 500);
    let (code, _, err) = notes_search(&["--site", &format!("{failing}notes/"), error], "");
    assert_eq!(code, 2);
    assert!(err.contains("answered HTTP 500"), "{err}");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (code, _, err) = notes_search(
        &["--site", &format!("http://127.0.0.1:{closed}/"), error],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot reach the site"), "{err}");
    // An index of another format.
    let old = site.root().join("old");
    std::fs::create_dir_all(old.join("search")).unwrap();
    std::fs::write(
        old.join("search/meta.json"),
        r#"{"version":1,"docs":0,"shards":1,"chunk":16,"languages":["en"],"map":""}"#,
    )
    .unwrap();
    let (other, _) = serve_logged(&old, 200);
    let (code, _, err) = notes_search(&["--site", &other, error], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("the index has format 1, this notes reads format 2"),
        "{err}"
    );
    // A page that is not JSON where the index should be.
    std::fs::write(old.join("search/meta.json"), "<html>").unwrap();
    let (code, _, err) = notes_search(&["--site", &other, error], "");
    assert_eq!(code, 2);
    assert!(err.contains("not a notes search index"), "{err}");
}
