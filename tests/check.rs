//! `notes check`: a fixture for each finding, with its expected report, the
//! real corpus's broken fence, stale translations from git history, and the
//! JSON form.

mod common;

use std::process::Command;

use common::*;

/// Runs `notes check` on a site; returns (exit code, stdout with the
/// site's folder removed from paths).
fn check(site: &TestSite, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("check")
        .arg("--root")
        .arg(site.root())
        .args(args)
        .output()
        .unwrap();
    let stdout =
        String::from_utf8_lossy(&out.stdout).replace(&format!("{}/", site.root().display()), "");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    (out.status.code().unwrap_or(-1), stdout)
}

fn fixture() -> TestSite {
    let site = TestSite::empty("");
    site.write(
        "content/en/2025-01-01-cffi-en.md",
        "---\ntitle: Fix cffi\nlang: en\ntype: note\n---\n## Install\n\nSee [pip](../en/2025-01-02-pip-en.md#upgrade) and [gone](../en/nope-en.md).\n\nJump to [nowhere](#missing) or [install](#install).\n",
    );
    site.write(
        "content/hi/2025-01-01-cffi-hi.md",
        "---\ntitle: cffi ठीक करें\nlang: hi\ntranslated: true\n---\n```\nPanicException: call failed```\n\n## जाँच\n\n```bash\npip show cffi\n```\n\ntext\n",
    );
    site.write(
        "content/en/2025-01-02-pip-en.md",
        "---\ntitle: Fix cffi\nlang: en\n---\n## Upgrade pip\n\ntext\n",
    );
    site.write(
        "content/pt/2025-01-03-x-pt.md",
        "---\ntitle: x\nlang: pt\n---\ntext\n",
    );
    site
}

#[test]
fn each_finding_with_its_place_and_fix() {
    let site = fixture();
    let (code, out) = check(&site, &[]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("check_fixture", out);
    // Nothing was written.
    assert!(!site.out().exists());
}

#[test]
fn json_report_is_stable() {
    let site = fixture();
    let (code, out) = check(&site, &["--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["errors"], 3);
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "broken-link",
        "broken-anchor",
        "unclosed-fence",
        "unconfigured-language",
        "duplicate-title",
        "differing-front-matter",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let first = &json["findings"][0];
    for field in [
        "severity", "path", "line", "column", "kind", "message", "fix",
    ] {
        assert!(first.get(field).is_some(), "{field}");
    }
    assert_eq!(json["missing_translations"]["languages"][0], "en");
}

#[test]
fn a_clean_site_passes_and_the_corpus_fence_is_found() {
    let site = TestSite::new(&corpus().join("notes"), "exclude = [\"notes/**\"]\n");
    let (code, out) = check(&site, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[unclosed-fence]: ") && out.contains("_posts/ar/2025-06-12-cffi-ar.md:25:1: the code block opened here runs on to line 46"), "{out}");
    assert!(
        out.contains("fix: line 30 ends with a fence glued to its text"),
        "{out}"
    );
    assert!(
        out.ends_with("0 errors, 1 warning, 0 groups missing translations\n"),
        "{out}"
    );
}

#[test]
fn build_errors_are_check_errors() {
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-01-a.md",
        "---\ntitle: a\ndate: 2025-13-01\n---\n",
    );
    site.write("content/2025-01-02-b.md", "");
    let (code, out) = check(&site, &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[note]: content/2025-01-01-a.md:3:7: invalid date `2025-13-01`"),
        "{out}"
    );
    assert!(out.contains("error[note]: content/2025-01-02-b.md:1:1: the file is empty\n  fix: write the note, or delete the file or list it under `exclude` in book.toml"), "{out}");
}

/// git as a committer named Test (the test machine may have no identity).
fn git(dir: &std::path::Path, args: &[&str], date: &str) {
    let identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"];
    git_at(dir, &[&identity[..], args].concat(), date);
}

#[test]
fn an_original_edited_after_its_translation_makes_it_stale() {
    let site = TestSite::empty("");
    let root = site.root();
    git(root, &["init", "-q"], "2025-01-01T00:00:00Z");
    site.write(
        "content/en/2025-01-01-cffi-en.md",
        "---\ntitle: Fix cffi\nlang: en\n---\nOld text.\n",
    );
    git(root, &["add", "."], "2025-01-01T00:00:00Z");
    git(root, &["commit", "-qm", "original"], "2025-01-01T00:00:00Z");
    site.write(
        "content/fr/2025-01-01-cffi-fr.md",
        "---\ntitle: Réparer cffi\nlang: fr\ntranslated: true\n---\nAncien texte.\n",
    );
    site.write(
        "content/fr/2025-01-01-fresh-fr.md",
        "---\ntitle: Frais\nlang: fr\ntranslated: true\n---\nx\n",
    );
    site.write(
        "content/en/2025-01-01-fresh-en.md",
        "---\ntitle: Fresh\nlang: en\n---\nx\n",
    );
    git(root, &["add", "."], "2025-02-01T00:00:00Z");
    git(
        root,
        &["commit", "-qm", "translation"],
        "2025-02-01T00:00:00Z",
    );
    site.write(
        "content/en/2025-01-01-cffi-en.md",
        "---\ntitle: Fix cffi\nlang: en\n---\nNew text.\n",
    );
    git(
        root,
        &["commit", "-qam", "edit original"],
        "2025-03-05T12:00:00Z",
    );

    let (_, out) = check(&site, &[]);
    assert!(
        out.contains("warning[stale-translation]: content/fr/2025-01-01-cffi-fr.md:1:1: stale translation: its original content/en/2025-01-01-cffi-en.md changed on 2025-03-05, after it (by git)"),
        "{out}"
    );
    assert!(!out.contains("fresh-fr.md:1:1: stale"), "{out}");
    site.build_ok(&[]);
    let fr = site.read("fr/cffi/index.html");
    assert!(fr.contains("<p class=\"notice stale\" role=\"note\">L’original a été mis à jour le 2025-03-05, après cette traduction.</p>"), "{fr}");
    assert!(!site.read("fr/fresh/index.html").contains("notice stale"));

    // A translated_from hash takes precedence over history.
    let original = std::fs::read(root.join("content/en/2025-01-01-cffi-en.md")).unwrap();
    let hash = notes::translations::content_hash(&original);
    site.write(
        "content/fr/2025-01-01-cffi-fr.md",
        format!("---\ntitle: Réparer cffi\nlang: fr\ntranslated: true\ntranslated_from: {}\n---\nNouveau texte.\n", &hash[..12]),
    );
    let (_, out) = check(&site, &[]);
    assert!(!out.contains("stale-translation"), "{out}");
}
