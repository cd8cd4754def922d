//! Bad input gives messages a person can act on (`path:line:col: what to
//! do`), every broken note at once, a non-zero exit, no panic, and the
//! previous output left as it was.

use crate::common::*;

/// Builds the site with the real binary and returns (success, stderr).
fn build(site: &TestSite) -> (bool, String) {
    let out = site.run(&[]);
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace(&format!("{}/", site.root().display()), "");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.success(), stderr)
}

#[test]
fn every_broken_note_is_reported_with_its_place() {
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-01-good.md",
        "---\ntitle: good\n---\nfine\n",
    );
    site.build_ok(&[]);
    let good = snapshot(&site.out());

    site.write(
        "content/2025-01-01-broken-yaml.md",
        "---\ntitle: ok\nlang: [unclosed\n---\nbody\n",
    );
    site.write(
        "content/2025-01-02-tabs.md",
        "---\ntitle: tabs\ntags:\n\t- a\n---\nbody\n",
    );
    site.write(
        "content/2025-01-03-latin1.md",
        b"---\ntitle: caf\xe9\n---\n".as_slice(),
    );
    site.write("content/2025-01-04-empty.md", "");
    site.write(
        "content/2025-01-05-unclosed.md",
        "---\ntitle: open\n\nbody\n",
    );
    site.write(
        "content/2025-01-06-bad-date.md",
        "---\ntitle: date\ndate: 2025-13-01\n---\nbody\n",
    );
    site.write("content/a/2025-01-07-dup.md", "x\n");
    site.write("content/b/2025-01-07-dup.md", "y\n");
    site.write(
        "content/2025-01-08-colon.md",
        "---\ntitle: Error: colon\n---\n",
    );
    site.write(
        "content/2025-01-09-lang.md",
        "---\ntitle: l\nlang: english\n---\n",
    );
    let (ok, stderr) = build(&site);
    assert!(!ok);
    let expected = [
        "content/2025-01-01-broken-yaml.md:3:1: invalid YAML front matter: did not find expected ',' or ']'",
        "content/2025-01-02-tabs.md:4:1: invalid YAML front matter: found character that cannot start any token; YAML does not allow tabs for indentation: indent with spaces",
        "content/2025-01-03-latin1.md:2:11: the file is not valid UTF-8 (byte 0xE9): save it as UTF-8",
        "content/2025-01-04-empty.md:1:1: the file is empty: write the note, or delete the file or list it under `exclude` in book.toml",
        "content/2025-01-05-unclosed.md:1:1: front matter is not closed: add a line `---` after its last key (a note without front matter must not start with `---`)",
        "content/2025-01-06-bad-date.md:3:7: invalid date `2025-13-01` (expected YYYY-MM-DD, optionally with a time: 2025-06-12 10:30:00 +0800)",
        "content/2025-01-08-colon.md:2:13: invalid YAML front matter: mapping values are not allowed in this context; a value containing `: ` must be quoted, e.g. title: 'Error: not found'",
        "content/b/2025-01-07-dup.md:1:1: duplicate note: content/a/2025-01-07-dup.md and content/b/2025-01-07-dup.md are both `2025-01-07-dup` in language `en`; remove one, list one under `exclude` in book.toml (e.g. exclude = [\"b/**\"]), or publish one and redirect the other's URL with prefer = [\"a\"] under [book]",
        "error: the build failed with 8 problems; the previous output was left as it was",
    ];
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines, expected, "{stderr}");
    assert_eq!(
        snapshot(&site.out()),
        good,
        "a failed build changed the output"
    );
}

#[test]
fn an_unknown_language_is_an_error_at_its_line() {
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-09-lang.md",
        "---\ntitle: l\nlang: english\n---\n",
    );
    let (ok, stderr) = build(&site);
    assert!(!ok);
    assert!(
        stderr.contains("content/2025-01-09-lang.md:3:7: unknown language `english`"),
        "{stderr}"
    );
}

#[test]
fn template_errors_name_the_template_file_and_line() {
    let site = TestSite::empty("");
    site.write("content/2025-01-01-a.md", "---\ntitle: a\n---\nbody\n");
    site.build_ok(&[]);
    let good = snapshot(&site.out());
    site.write("templates/note.html", "{% extends \"base.html\" %}\n{% block main %}\n<p>{{ page.title }</p>\n{% endblock main %}\n");
    let (ok, stderr) = build(&site);
    assert!(!ok);
    let first = stderr.lines().next().unwrap();
    assert!(first.starts_with("templates/note.html:3:18: template error while loading templates: Found `}` but expected }}."), "{stderr}");
    site.write("templates/note.html", "{% extends \"base.html\" %}\n{% block main %}\n<p>{{ page.nosuch.field }}</p>\n{% endblock main %}\n");
    let (ok, stderr) = build(&site);
    assert!(!ok);
    assert!(stderr.contains("templates/note.html:3:12: template error while rendering content/2025-01-01-a.md: Field `nosuch` is not defined"), "{stderr}");
    // Errors Tera gives without a span still point into the template.
    site.write(
        "templates/note.html",
        "{% extends \"base.html\" %}\n{% block content %}x{% endblock content %}\n",
    );
    let (ok, stderr) = build(&site);
    assert!(!ok);
    assert!(stderr.starts_with("templates/note.html:2:"), "{stderr}");
    assert!(
        stderr.contains("Block `content` is not defined in any parent template"),
        "{stderr}"
    );
    assert_eq!(snapshot(&site.out()), good);
}

#[test]
fn an_unknown_layout_warns_once_and_uses_the_note_template() {
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-01-a.md",
        "---\ntitle: a\nlayout: fancy\n---\nbody\n",
    );
    site.write(
        "content/2025-01-02-b.md",
        "---\ntitle: b\nlayout: fancy\n---\nbody\n",
    );
    let stderr = site.build_ok(&[]);
    assert_eq!(
        stderr.matches("unknown layout `fancy`").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("(used by 2 notes): no templates/fancy.html, using note.html"),
        "{stderr}"
    );
    assert!(
        site.read("a/index.html")
            .contains("<article class=\"note\"")
    );
    // A layout the site has is used.
    site.write("templates/fancy.html", "<p>fancy {{ page.title }}</p>\n");
    site.build_ok(&[]);
    assert_eq!(site.read("b/index.html"), "<p>fancy b</p>\n");
}

#[test]
fn a_folder_notes_did_not_create_is_never_replaced() {
    let site = TestSite::empty("");
    site.write("content/2025-01-01-a.md", "body\n");
    site.write("public/precious.txt", "mine");
    let (ok, stderr) = build(&site);
    assert!(!ok);
    assert!(
        stderr.contains("refusing to replace") && stderr.contains("not created by notes"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(site.out().join("precious.txt")).unwrap(),
        "mine"
    );
    // Pointing the output at the site itself is refused too.
    let out = site.run(&["--output", site.root().to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(site.root().join("book.toml").is_file());
}

#[test]
fn config_typos_and_missing_config() {
    let site = TestSite::empty("[book]\ntitle = \"x\"\n[output.html]\nsite_url = \"/\"\n");
    site.write("content/2025-01-01-a.md", "body\n");
    let (ok, stderr) = build(&site);
    assert!(!ok);
    assert!(
        stderr.contains("book.toml:4:1: unknown field `site_url`, expected one of"),
        "{stderr}"
    );

    std::fs::remove_file(site.root().join("book.toml")).unwrap();
    let stderr = site.build_ok(&[]);
    assert_eq!(stderr.matches("no book.toml").count(), 1, "{stderr}");
    assert!(
        site.read("a/index.html")
            .contains("<html lang=\"en\" dir=\"ltr\" ")
    );
}

#[test]
fn a_missing_content_folder_says_what_to_do() {
    let site = TestSite::empty("[book]\nsrc = \"notes\"\n");
    let (ok, stderr) = build(&site);
    assert!(!ok);
    assert!(
        stderr.contains("content folder")
            && stderr.contains("does not exist: create it, or set `src`"),
        "{stderr}"
    );
}

#[test]
fn odd_but_valid_notes_build() {
    let site = TestSite::empty("");
    // No front matter: title from the first heading, else the slug.
    site.write(
        "content/2025-01-01-heading.md",
        "# Fix the thing\n\nDone.\n",
    );
    site.write("content/2025-01-02-plain.md", "Just text.\n");
    // BOM and CRLF.
    site.write(
        "content/2025-01-03-crlf.md",
        "\u{feff}---\r\ntitle: CRLF\r\n---\r\nBody\r\n",
    );
    // Only front matter.
    site.write("content/2025-01-04-meta.md", "---\ntitle: Only meta\n---\n");
    // Unknown keys reach templates as page.extra.
    site.write(
        "content/2025-01-05-extra.md",
        "---\ntitle: x\nweight: 3\n---\n",
    );
    site.write(
        "templates/note.html",
        "{{ page.title }}|{{ page.extra.weight | default(value=0) }}\n",
    );
    site.build_ok(&[]);
    assert_eq!(site.read("heading/index.html"), "Fix the thing|0\n");
    assert_eq!(site.read("plain/index.html"), "plain|0\n");
    assert_eq!(site.read("crlf/index.html"), "CRLF|0\n");
    assert_eq!(site.read("meta/index.html"), "Only meta|0\n");
    assert_eq!(site.read("extra/index.html"), "x|3\n");
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &std::path::Path) -> Vec<String> {
    let mut all: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            e.path().strip_prefix(dir).unwrap().display().to_string()
        })
        .collect();
    all.sort();
    all
}

/// Makes note n59's page fail to render, builds, and checks that the build
/// failed on it and left the site's folder exactly as it was, but for its
/// caches (what it learnt of the notes' Markdown holds whatever the
/// templates do, and spares the build after the fix that work).
fn fail_on_n59_without_trace(site: &TestSite, what: &str) {
    site.write(
        "content/2025-01-01-n59.md",
        "---\ntitle: n59\nboom: true\n---\nbody\n",
    );
    let outside_caches = |files: Vec<String>| -> Vec<String> {
        files
            .into_iter()
            .filter(|f| !f.starts_with(".notes-cache"))
            .collect()
    };
    let before = outside_caches(tree(site.root()));
    let (ok, stderr) = build(site);
    assert!(!ok);
    assert!(
        stderr.contains("n59.md: Field `nosuch` is not defined"),
        "{stderr}"
    );
    assert_eq!(
        outside_caches(tree(site.root())),
        before,
        "{what} left files behind"
    );
}

#[test]
fn a_page_failing_after_others_were_written_leaves_no_trace() {
    // Pages are written as they render: when one note's page fails after
    // others were written, neither a first build nor a rebuild may leave
    // a staged file, a temporary file or a new folder behind.
    let site = TestSite::empty("");
    let notes = |text: &str| {
        for k in 0..60 {
            site.write(
                &format!("content/2025-01-01-n{k:02}.md"),
                format!("---\ntitle: n{k}\n---\n{text} {k}\n"),
            );
        }
    };
    notes("body");
    let failing = "{% extends \"base.html\" %}\n{% block main %}{% if page.extra.boom %}{{ page.extra.nosuch.field }}{% endif %}{{ page.content | safe }}{% endblock main %}\n";
    site.write("templates/note.html", failing);
    fail_on_n59_without_trace(&site, "a first build");

    notes("body");
    site.build_ok(&[]);
    let good = snapshot(&site.out());
    // A rebuild where every page changes, a new note needs a new folder,
    // and one page fails.
    notes("changed");
    site.write("content/2025-01-02-new.md", "---\ntitle: new\n---\nbody\n");
    fail_on_n59_without_trace(&site, "a rebuild");
    assert_eq!(snapshot(&site.out()), good, "the last good site changed");
}
