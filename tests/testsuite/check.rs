//! `notes check`: a fixture for each finding, with its expected report, the
//! real corpus's broken fence, stale translations from git history, and the
//! JSON form.

use std::process::Command;

use crate::common::*;

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
    let site = TestSite::new(&sites().join("notes"), "exclude = [\"notes/**\"]\n");
    let (code, out) = check(&site, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[unclosed-fence]: ") && out.contains("_posts/ar/2025-06-12-cffi-ar.md:25:1: the code block opened here runs on to line 46"), "{out}");
    assert!(
        out.contains("fix: line 30 ends with a fence glued to its text"),
        "{out}"
    );
    // The broken fence is code drift too, at its real lines: the block
    // that swallowed the text differs at line 30, and the block it
    // swallowed (`pip show cffi`) is missing. The other eight languages'
    // code is the original's (the CSS note's translated comments are no
    // drift).
    assert!(out.contains("_posts/ar/2025-06-12-cffi-ar.md:30:1: code differs from the original's (line 30): `pyo3_runtime.PanicException: Python API call failed```` here, `pyo3_runtime.PanicException: Python API call failed` there ["), "{out}");
    assert!(
        out.contains("_posts/en/2025-06-12-cffi-en.md:30]\n"),
        "{out}"
    );
    assert!(out.contains("_posts/ar/2025-06-12-cffi-ar.md:52:3: the original's code block at line 46 (`pip show cffi`) is missing from this translation ["), "{out}");
    assert!(out.contains("_posts/en/2025-06-12-cffi-en.md:46]\n  fix: add the original's block (line 46) here, unchanged; or silence it with `code_drift_ignore: [\"pip show cffi\"]` in the front matter"), "{out}");
    assert_eq!(out.matches("warning[code-drift]").count(), 2, "{out}");
    assert!(
        out.ends_with("0 errors, 3 warnings, 0 groups missing translations\n"),
        "{out}"
    );
}

/// A translation whose code drifted in each way machine translation
/// breaks it, and its original.
fn drifted() -> TestSite {
    let site = TestSite::empty("");
    site.write(
        "content/en/2025-01-01-fix-en.md",
        "---\ntitle: Fix it\nlang: en\n---\nInstall:\n\n```bash\npip install --upgrade cffi\n```\n\nThen look in `/usr/lib/python3` and run:\n\n```bash\npython3 -c \"import cffi\"\n```\n\n```bash\nsudo apt-get install libffi-dev\n```\n\nSee <https://cffi.readthedocs.io/>.\n",
    );
    site.write(
        "content/de/2025-01-01-fix-de.md",
        "---\ntitle: Reparieren\nlang: de\ntranslated: true\nmodel: x-ai/grok-4-fast\n---\nInstallieren:\n\n```bash\npip install --aktualisieren cffi\n```\n\nDann in `/usr/bibliothek/python3` nachsehen und ausführen:\n\n```bash\npython3 -c „import cffi“\n```\n\n```bash\nrm -rf ~/.cache/pip\n```\n\nSiehe <https://cffi.readthedocs.io/>.\n",
    );
    site
}

#[test]
fn code_that_drifted_from_the_original_is_found_at_its_line() {
    let site = drifted();
    let (code, out) = check(&site, &[]);
    assert_eq!(code, 0, "{out}");
    let drift: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("warning[code-drift]"))
        .collect();
    // A changed flag, a translated path, curled quotes, an added block in
    // the place of a dropped one (a block that differs), each at its line.
    assert_eq!(
        drift,
        [
            "warning[code-drift]: content/de/2025-01-01-fix-de.md:10:1: code differs from the original's (line 8): `pip install --aktualisieren cffi` here, `pip install --upgrade cffi` there [content/en/2025-01-01-fix-en.md:8]",
            "warning[code-drift]: content/de/2025-01-01-fix-de.md:13:9: inline code `/usr/bibliothek/python3` differs from the original's `/usr/lib/python3` (line 11) [content/en/2025-01-01-fix-en.md:11]",
            "warning[code-drift]: content/de/2025-01-01-fix-de.md:16:1: code differs from the original's (line 14): `python3 -c „import cffi“` here, `python3 -c \"import cffi\"` there [content/en/2025-01-01-fix-en.md:14]",
            "warning[code-drift]: content/de/2025-01-01-fix-de.md:20:1: code differs from the original's (line 18): `rm -rf ~/.cache/pip` here, `sudo apt-get install libffi-dev` there [content/en/2025-01-01-fix-en.md:18]",
        ],
        "{out}"
    );
    assert!(out.contains("  fix: copy the original's block (line 8) here unchanged; translate only the text around it; or silence it with `code_drift_ignore: [\"pip install --aktualisieren cffi\"]` in the front matter"), "{out}");
    // --format json carries them.
    let (_, json) = check(&site, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "code-drift")
        .collect();
    assert_eq!(findings.len(), 4);
    assert_eq!(
        (findings[0]["line"].as_u64(), findings[0]["column"].as_u64()),
        (Some(10), Some(1))
    );

    // A dropped block alone, and an added one alone.
    site.write(
        "content/de/2025-01-01-fix-de.md",
        "---\ntitle: Reparieren\nlang: de\ntranslated: true\n---\nInstallieren:\n\n```bash\npip install --upgrade cffi\n```\n\n```bash\nsudo apt-get install libffi-dev\n```\n\n```bash\nrm -rf /\n```\n",
    );
    let (_, out) = check(&site, &[]);
    assert!(out.contains("content/de/2025-01-01-fix-de.md:13:1: the original's code block at line 14 (`python3 -c \"import cffi\"`) is missing from this translation"), "{out}");
    assert!(out.contains("content/de/2025-01-01-fix-de.md:17:1: this code block (`rm -rf /`) is not in the original"), "{out}");

    // Silenced from the front matter: one finding, or all of them.
    site.write(
        "content/de/2025-01-01-fix-de.md",
        "---\ntitle: Reparieren\nlang: de\ntranslated: true\ncode_drift_ignore: [\"rm -rf /\"]\n---\n```bash\npip install --upgrade cffi\n```\n\n```bash\npython3 -c \"import cffi\"\n```\n\n```bash\nsudo apt-get install libffi-dev\n```\n\n```bash\nrm -rf /\n```\n",
    );
    let (_, out) = check(&site, &[]);
    assert!(!out.contains("code-drift"), "{out}");
}

#[test]
fn a_translation_without_an_original_is_a_warning() {
    let site = TestSite::empty("");
    site.write(
        "content/de/2025-01-01-alone-de.md",
        "---\ntitle: Allein\nlang: de\ntranslated: true\n---\ntext\n",
    );
    let (_, out) = check(&site, &[]);
    assert!(out.contains("warning[missing-original]: content/de/2025-01-01-alone-de.md:1:1: this note says `translated: true`, but no note of its translation group is its original\n  fix: add the original with the same key (2025-01-01-alone), or set `translated: false` if this is the original"), "{out}");
}

#[test]
fn a_translation_page_says_where_its_code_differs_and_names_its_original() {
    let site = drifted();
    site.build_ok(&["--quiet"]);
    let de = site.read("de/fix/index.html");
    // Above each block that differs, in German, a link to the original's block.
    assert_eq!(
        de.matches("<p class=\"notice drift\" role=\"note\">")
            .count(),
        3,
        "{de}"
    );
    assert!(de.contains("<p class=\"notice drift\" role=\"note\">Dieser Code weicht vom Original ab. <a href=\"/fix/#code-1\" hreflang=\"en\" lang=\"en\" dir=\"ltr\">Den des Originals verwenden</a></p>\n<pre class=\"code\""), "{de}");
    let en = site.read("fix/index.html");
    for k in 1..=3 {
        assert!(
            en.contains(&format!("<pre class=\"code\" id=\"code-{k}\"")),
            "code-{k}: {en}"
        );
    }
    assert!(!en.contains("notice drift"));
    // JSON-LD: a TechArticle in German, based on the English original,
    // machine-translated by the model the front matter names.
    let ld = de
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@type"], "TechArticle");
    assert_eq!(ld["inLanguage"], "de");
    assert_eq!(ld["headline"], "Reparieren");
    assert_eq!(ld["isBasedOn"]["url"], "/fix/");
    assert_eq!(ld["translationOfWork"]["inLanguage"], "en");
    assert_eq!(ld["translator"]["name"], "x-ai/grok-4-fast");
    let en_ld = en.split("application/ld+json\">").nth(1).unwrap();
    assert!(
        !en_ld
            .split("</script>")
            .next()
            .unwrap()
            .contains("isBasedOn")
    );
    // The notice can be turned off.
    site.write(
        "book.toml",
        format!("[output.html]\ncode-drift-notice = false\n{LANGUAGES_TOML}"),
    );
    site.build_ok(&["--quiet"]);
    assert!(!site.read("de/fix/index.html").contains("notice drift"));
    assert!(!site.read("fix/index.html").contains("id=\"code-1\""));
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
    // The edit is above the first heading: the section is the whole note's.
    assert!(fr.contains("<p class=\"notice stale\" role=\"note\">L’original a été mis à jour le 2025-03-05, après cette traduction. Sections modifiées depuis : <a href=\"/cffi/\" lang=\"en\">Fix cffi</a></p>"), "{fr}");
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

const SECTIONED: &str = "---\ntitle: Fix cffi\nlang: en\n---\nIntro.\n\n## Install cffi\n\n```bash\npip install cffi\n```\n\n## Check it\n\n```bash\npip show cffi\n```\n\n## Why\n\nBecause.\n";

/// A site in git whose original was translated into French, then had its
/// second section's command changed.
fn second_section_edited() -> TestSite {
    let site = TestSite::empty("");
    let root = site.root();
    git(root, &["init", "-q"], "2025-01-01T00:00:00Z");
    site.write("content/en/2025-01-01-cffi-en.md", SECTIONED);
    site.write(
        "content/fr/2025-01-01-cffi-fr.md",
        "---\ntitle: Réparer cffi\nlang: fr\ntranslated: true\n---\nIntro.\n\n## Installer cffi\n\n```bash\npip install cffi\n```\n\n## Vérifier\n\n```bash\npip show cffi\n```\n\n## Pourquoi\n\nParce que.\n",
    );
    git(root, &["add", "."], "2025-02-01T00:00:00Z");
    git(
        root,
        &["commit", "-qm", "note and translation"],
        "2025-02-01T00:00:00Z",
    );
    site.write(
        "content/en/2025-01-01-cffi-en.md",
        SECTIONED.replace("pip show cffi", "python -m pip show -f cffi"),
    );
    git(
        root,
        &["commit", "-qam", "better check"],
        "2025-03-05T12:00:00Z",
    );
    site
}

#[test]
fn a_stale_translation_names_the_sections_of_the_original_that_changed() {
    let site = second_section_edited();
    let (_, out) = check(&site, &[]);
    assert!(
        out.contains("warning[stale-translation]: content/fr/2025-01-01-cffi-fr.md:1:1: stale translation: its original content/en/2025-01-01-cffi-en.md changed on 2025-03-05, after it (by git); sections changed since: “Check it” (line 13)"),
        "{out}"
    );
    assert!(
        out.contains("notes check --diff 2025-01-01-cffi fr"),
        "{out}"
    );

    site.build_ok(&[]);
    let fr = site.read("fr/cffi/index.html");
    assert!(
        fr.contains(
            "Sections modifiées depuis : <a href=\"/cffi/#check-it\" lang=\"en\">Check it</a></p>"
        ),
        "{fr}"
    );
    // The link's target exists on the original's page.
    assert!(site.read("cffi/index.html").contains("id=\"check-it\""));
}

fn diff(site: &TestSite, key: &str, lang: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["check", "--diff", key, lang, "--root"])
        .arg(site.root())
        .output()
        .unwrap()
}

#[test]
fn check_diff_prints_the_change_a_translator_needs() {
    let site = second_section_edited();
    let out = diff(&site, "2025-01-01-cffi", "fr");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("was translated from"), "{stderr}");
    assert!(
        stderr.contains("sections changed: “Check it” (line 13)"),
        "{stderr}"
    );
    let expected = "@@ -13,7 +13,7 @@\n ## Check it\n \n ```bash\n-pip show cffi\n+python -m pip show -f cffi\n ```\n \n ## Why\n";
    assert!(
        stdout.starts_with("--- a/en/2025-01-01-cffi-en.md ("),
        "{stdout}"
    );
    assert!(
        stdout.contains("+++ b/en/2025-01-01-cffi-en.md (now)\n"),
        "{stdout}"
    );
    assert!(stdout.contains(expected), "{stdout}");

    // The original itself, an unknown key, a missing language: errors
    // that say what to do.
    for (args, says) in [
        (["2025-01-01-cffi", "en"], "is not a translation"),
        (["nope", "fr"], "no note has the translation key `nope`"),
        (
            ["2025-01-01-cffi", "de"],
            "has no `de` version; it has: en, fr",
        ),
    ] {
        let out = diff(&site, args[0], args[1]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn translated_from_finds_the_revision_it_names_in_history() {
    // Translated from the first version; the original then changed twice,
    // in its first section and then in its last.
    let site = TestSite::empty("");
    let root = site.root();
    git(root, &["init", "-q"], "2025-01-01T00:00:00Z");
    site.write("content/en/2025-01-01-cffi-en.md", SECTIONED);
    git(root, &["add", "."], "2025-01-01T00:00:00Z");
    git(root, &["commit", "-qm", "original"], "2025-01-01T00:00:00Z");
    let hash = notes::translations::content_hash(SECTIONED.as_bytes());
    let second = SECTIONED.replace("pip install cffi", "pip install -U cffi");
    site.write("content/en/2025-01-01-cffi-en.md", &second);
    git(root, &["commit", "-qam", "upgrade"], "2025-02-01T00:00:00Z");
    site.write(
        "content/fr/2025-01-01-cffi-fr.md",
        format!("---\ntitle: Réparer cffi\nlang: fr\ntranslated: true\ntranslated_from: {hash}\n---\nIntro.\n"),
    );
    site.write(
        "content/en/2025-01-01-cffi-en.md",
        second.replace("Because.", "Because the wheel is missing."),
    );
    git(root, &["add", "."], "2025-03-01T00:00:00Z");
    git(root, &["commit", "-qm", "why"], "2025-03-01T00:00:00Z");
    let (_, out) = check(&site, &[]);
    assert!(
        out.contains(
            "(by translated_from); sections changed since: “Install cffi” (line 7), “Why” (line 19)"
        ),
        "{out}"
    );
}
