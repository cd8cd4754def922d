//! Nothing lost, whatever happens: a build killed at any phase, a full
//! disk, hostile output folders and markers, front matter that points
//! outside the site, odd file names, huge notes, and a dev server asked
//! for tricky paths. Each test checks what is left on disk, not only the
//! exit status.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{TestSite, snapshot};

/// A site whose content is a copy of the demo site's real notes (in the
/// repository: two notes in nine languages, in the blog's `_posts/` and
/// `_notes/` folders), so that a test can change them.
fn real_site() -> TestSite {
    let site = TestSite::empty("[book]\nexclude = [\"notes/**\", \"README.md\"]\n");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &site.root().join("content"),
    );
    site
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file of the output but the marker (whose inputs column names
/// static files by their source path).
fn site_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(out);
    files.remove(".notes-build");
    files
}

/// What a build from scratch of `site`'s content makes.
fn fresh_build(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    let fresh = TestSite::empty("[book]\nexclude = [\"notes/**\", \"README.md\"]\n");
    fs::remove_dir(fresh.root().join("content")).unwrap();
    copy_dir(&site.root().join("content"), &fresh.root().join("content"));
    fresh.build_ok(&["--quiet"]);
    site_files(&fresh.out())
}

/// Edits one note, removes another, adds a third.
fn change(site: &TestSite, round: usize) {
    let content = site.root().join("content");
    let edited = content.join("_posts/en/2025-06-12-cffi-en.md");
    let mut text = fs::read_to_string(&edited).unwrap();
    text.push_str(&format!("\n\nEdited in round {round}.\n"));
    fs::write(&edited, text).unwrap();
    let _ = fs::remove_file(content.join("_posts/fr/2025-06-12-cffi-fr.md"));
    site.write(
        &format!(
            "content/_posts/en/2025-07-0{}-added-{round}-en.md",
            round % 9 + 1
        ),
        format!("---\ntitle: Added {round}\n---\nA new note.\n"),
    );
}

/// Runs `notes build` until it reaches `phase`, then kills it with
/// SIGKILL.
fn build_killed_at(site: &TestSite, phase: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["build", "--quiet", "--root"])
        .arg(site.root())
        .env("NOTES_TEST_PAUSE_AT", phase)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        if line == format!("notes: paused at {phase}") {
            child.kill().unwrap();
            child.wait().unwrap();
            return;
        }
        seen.push(line);
    }
    let status = child.wait().unwrap();
    panic!("the build never reached {phase} ({status}): {seen:?}");
}

/// Names beside the output folder, other than the site's own folders.
fn beside_output(site: &TestSite) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !["public", "content", "book.toml", ".notes-cache", "static"].contains(&n.as_str())
        })
        .collect();
    names.sort();
    names
}

fn partial_caches(site: &TestSite) -> Vec<String> {
    fs::read_dir(site.root().join(".notes-cache"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".partial"))
                .collect()
        })
        .unwrap_or_default()
}

/// A kill at each phase of a rebuild leaves the output as the whole
/// previous site (before the journal is committed), or files each of
/// which is whole, the previous or the new version (while they are moved
/// in); never a temporary inside the output. The next build then gives
/// exactly what a clean build gives, and leaves nothing beside the output.
#[test]
fn a_rebuild_killed_at_any_phase_is_repaired_by_the_next_build() {
    for (round, phase) in [
        "staging", "staged", "caches", "journal", "moving", "applied",
    ]
    .into_iter()
    .enumerate()
    {
        let site = real_site();
        site.build_ok(&["--quiet"]);
        let before = site_files(&site.out());
        change(&site, round);
        let after = fresh_build(&site);
        build_killed_at(&site, phase);
        let now = site_files(&site.out());
        if ["staging", "staged", "caches", "journal"].contains(&phase) {
            assert!(
                now == before,
                "{phase}: the output changed before the build committed"
            );
        }
        for (path, bytes) in &now {
            assert!(
                before.get(path) == Some(bytes) || after.get(path) == Some(bytes),
                "{phase}: {path} is neither the previous nor the new version"
            );
        }
        let (ok, stderr) = build(&site, &[]);
        assert!(ok, "{phase}: the next build failed: {stderr}");
        assert_eq!(
            site_files(&site.out()),
            after,
            "{phase}: the next build differs from a clean one"
        );
        assert_eq!(
            beside_output(&site),
            Vec::<String>::new(),
            "{phase}: left beside the output"
        );
        assert_eq!(
            partial_caches(&site),
            Vec::<String>::new(),
            "{phase}: partial caches left"
        );
        if ["staging", "staged", "journal", "moving", "applied"].contains(&phase) {
            assert!(
                stderr.contains("interrupted"),
                "{phase}: the repair was not reported:\n{stderr}"
            );
        }
    }
}

/// The same for a first build: no output at all, or the whole site.
#[test]
fn a_first_build_killed_at_any_phase_leaves_no_half_site() {
    for phase in ["staging", "staged", "manifest"] {
        let site = real_site();
        build_killed_at(&site, phase);
        assert!(
            !site.out().exists(),
            "{phase}: an output appeared before it was complete"
        );
        site.build_ok(&["--quiet"]);
        assert_eq!(site_files(&site.out()), fresh_build(&site), "{phase}");
        assert_eq!(beside_output(&site), Vec::<String>::new(), "{phase}");
    }
}

/// Kills at unplanned moments of a series of rebuilds: whatever each
/// leaves, the next build repairs it.
#[test]
fn builds_killed_at_random_moments_are_repaired() {
    let site = real_site();
    site.build_ok(&["--quiet"]);
    // A fixed sequence of delays: the test is the same every run.
    let mut delay = 7u64;
    for round in 0..8 {
        change(&site, round);
        let mut child = Command::new(env!("CARGO_BIN_EXE_notes"))
            .args(["build", "--quiet", "--root"])
            .arg(site.root())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        delay = (delay * 37 + 11) % 120;
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        site.build_ok(&["--quiet"]);
        assert_eq!(site_files(&site.out()), fresh_build(&site), "round {round}");
        assert_eq!(beside_output(&site), Vec::<String>::new(), "round {round}");
    }
}

/// A disk that fills up mid-build leaves exactly the previous site, and
/// the message says so. Needs a small tmpfs, so root.
#[test]
fn a_full_disk_leaves_the_previous_site() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let disk = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(disk.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: could not mount a tmpfs here");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(disk.path().to_path_buf());
    let site = real_site();
    let out = disk.path().join("public");
    let out_arg = out.display().to_string();
    site.build_ok(&["--quiet", "--output", &out_arg]);
    let before = snapshot(&out);
    // A static file that cannot fit beside the site.
    site.write("static/video.bin", vec![7u8; 2_500_000]);
    change(&site, 1);
    let failed = site.run(&["--output", &out_arg]);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("the previous output was left as it was"),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), before, "a full disk changed the output");
    let left: Vec<_> = fs::read_dir(disk.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        ["public"],
        "the failed build left files beside the output"
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The build's exit status and standard error.
fn build(site: &TestSite, args: &[&str]) -> (bool, String) {
    let out = site.run(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `notes check --format json` on `site`: (errors, the findings' text).
fn check(site: &TestSite) -> (u64, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["check", "--format", "json", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        json["errors"].as_u64().unwrap(),
        json["findings"].to_string(),
    )
}

/// A marker that lists paths outside the output, or that notes did not
/// write, is refused and nothing anywhere is deleted.
#[test]
fn markers_are_not_trusted_blindly() {
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("victim.txt");
    fs::write(&victim, "keep").unwrap();
    let hostile = [
        format!(
            "{}\n{:032x} 4 - ../victim.txt\n",
            "# Written by `notes build`: the files of the last build (xxh3-128, bytes, inputs' xxh3-128 or -, path). Do not edit.",
            1
        ),
        format!(
            "{}\n{:032x} 4 - {}\n",
            "# Written by `notes build`: the files of the last build (xxh3-128, bytes, inputs' xxh3-128 or -, path). Do not edit.",
            1,
            victim.display()
        ),
        String::new(),
        "keep.txt photos.txt\n".into(),
        "This folder is written by `notes build`; it is replaced on every build.\n".into(),
    ];
    for marker in hostile {
        let site = real_site();
        fs::create_dir(site.out()).unwrap();
        fs::write(site.out().join(".notes-build"), &marker).unwrap();
        fs::write(site.out().join("keep.txt"), "mine").unwrap();
        fs::create_dir(site.out().join(".git")).unwrap();
        fs::write(site.out().join(".git/HEAD"), "ref").unwrap();
        let (ok, stderr) = build(&site, &[]);
        assert!(!ok, "accepted marker {marker:?}");
        assert!(
            stderr.contains(".notes-build"),
            "the refusal names the marker: {stderr}"
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(
            fs::read_to_string(site.out().join("keep.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            fs::read_to_string(site.out().join(".git/HEAD")).unwrap(),
            "ref"
        );
        let (errors, findings) = check(&site);
        assert!(
            errors > 0 && findings.contains(".notes-build"),
            "{findings}"
        );
    }
}

/// The marker of the previous version (no inputs column) is read: its
/// stale files are removed, the user's files stay.
#[test]
fn the_previous_versions_marker_is_read_not_emptied() {
    let site = real_site();
    site.build_ok(&["--quiet"]);
    let marker = site.out().join(".notes-build");
    let text = fs::read_to_string(&marker).unwrap();
    let mut old = String::from(
        "# Written by `notes build`: the files of the last build (xxh3-128, bytes, path). Do not edit.\n",
    );
    for line in text.lines().skip(1) {
        let parts: Vec<&str> = line.splitn(4, ' ').collect();
        old.push_str(&format!("{} {} {}\n", parts[0], parts[1], parts[3]));
    }
    old.push_str(&format!("{:032x} 5 gone/index.html\n", 9));
    fs::write(&marker, old).unwrap();
    fs::create_dir(site.out().join("gone")).unwrap();
    fs::write(site.out().join("gone/index.html"), "stale").unwrap();
    fs::write(site.out().join("CNAME"), "mine.example\n").unwrap();
    site.build_ok(&["--quiet"]);
    assert!(
        !site.out().join("gone").exists(),
        "the old marker's stale page stayed"
    );
    assert_eq!(
        fs::read_to_string(site.out().join("CNAME")).unwrap(),
        "mine.example\n"
    );
    assert_eq!(site_files(&site.out()).len(), fresh_build(&site).len() + 1);
}

/// A link inside the output is replaced, never followed: nothing is
/// written or deleted where it points.
#[cfg(unix)]
#[test]
fn a_link_inside_the_output_is_never_followed() {
    let site = real_site();
    site.build_ok(&["--quiet"]);
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("meta.json"), "theirs").unwrap();
    fs::remove_dir_all(site.out().join("search")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.out().join("search")).unwrap();
    change(&site, 2);
    site.build_ok(&["--quiet"]);
    assert_eq!(
        fs::read_to_string(elsewhere.path().join("meta.json")).unwrap(),
        "theirs"
    );
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 1);
    assert!(site.out().join("search").is_dir());
    assert!(
        !fs::symlink_metadata(site.out().join("search"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(site_files(&site.out()), fresh_build(&site));
}

/// An output inside a folder notes reads, or one holding the site, is
/// refused by build and check alike.
#[test]
fn an_output_inside_the_sources_is_refused() {
    let site = real_site();
    site.write("static/logo.txt", "x");
    for (out, why) in [
        ("static/out", "inside"),
        ("content/public", "inside"),
        (".", "contains the site's sources"),
        ("..", "contains the site's sources"),
    ] {
        let target = site.root().join(out);
        let arg = target.display().to_string();
        let (ok, stderr) = build(&site, &["--output", &arg]);
        assert!(!ok && stderr.contains(why), "{out}: {stderr}");
    }
    assert!(!site.root().join("static/out").exists());
    assert_eq!(fs::read_dir(site.root().join("static")).unwrap().count(), 1);
}

/// Front matter cannot send a page outside the output or onto a page
/// notes generates; build and check both say where, at the key's line.
#[test]
fn front_matter_cannot_place_a_page_outside_or_over_a_generated_one() {
    // (language of the note, front matter line, what the message names)
    let cases = [
        ("de", "translation_key: \"../../x\"", "translation_key"),
        ("de", "translation_key: ''", "translation_key"),
        ("de", "translation_key: \"a//b\"", "translation_key"),
        ("en", "slug: 404.html", "404.html"),
        ("en", "slug: atom.xml", "atom.xml"),
        ("de", "slug: atom.xml", "de/atom.xml"),
        ("de", "slug: search", "de/search/"),
        ("en", "slug: page", "page/"),
        ("en", "translation_key: de", "de/index.html"),
        ("en", "slug: sitemap-2.xml", "sitemap-2.xml"),
        ("de", "slug: index.html", "de/index.html"),
    ];
    for (lang, line, what) in cases {
        let site = TestSite::empty("");
        site.write("content/a-en.md", "---\ntitle: A\n---\nBody.\n");
        site.write("content/a-de.md", "---\ntitle: A\n---\nBody.\n");
        site.write(
            &format!("content/x-{lang}.md"),
            format!("---\ntitle: X\n{line}\n---\nBody.\n"),
        );
        let (ok, stderr) = build(&site, &[]);
        assert!(!ok, "{line}: the build passed");
        assert!(
            stderr.contains(&format!("x-{lang}.md:3:")),
            "{line}: no line in {stderr}"
        );
        assert!(stderr.contains(what), "{line}: {stderr}");
        let (errors, findings) = check(&site);
        assert!(
            errors > 0 && findings.contains(&format!("x-{lang}.md")),
            "{line}: check passed: {findings}"
        );
        assert!(
            !site.root().join("x").exists() && !site.out().exists(),
            "{line}"
        );
    }
}

/// A file name too long for the file system is the note's error.
#[test]
fn a_page_name_too_long_is_the_notes_error() {
    let site = TestSite::empty("[output.html]\npermalink = \"/{slug}-{lang}\"\n");
    // 255 bytes: the longest name a file system takes; its page,
    // `<slug>-en.html`, is longer.
    let name = format!("{}-en.md", "n".repeat(249));
    site.write(&format!("content/{name}"), "---\ntitle: Long\n---\nBody.\n");
    let (ok, stderr) = build(&site, &[]);
    assert!(
        !ok && stderr.contains(&format!("{name}:1:1")) && stderr.contains("255"),
        "{stderr}"
    );
    let (errors, _) = check(&site);
    assert!(errors > 0);
}

/// Notes named with characters that end or break URLs get pages whose
/// URLs, in the sitemap and in links from other notes, reach them.
#[test]
fn odd_file_names_get_urls_that_reach_their_pages() {
    let site = TestSite::empty("[output.html]\nsite-url = \"https://example.org/\"\n");
    let names = [
        "with space",
        "tab\there",
        "new\nline",
        "hash#tag",
        "what?",
        "100%",
        "say \"hi\" it's",
        "back\\slash",
        "日本語のノート",
        "ملاحظة",
        &"l".repeat(240),
    ];
    let mut index = String::from("---\ntitle: Index\n---\n");
    for (i, name) in names.iter().enumerate() {
        site.write(
            &format!("content/{name}-en.md"),
            format!("---\ntitle: Odd {i}\n---\nBody {i}.\n"),
        );
        let dest = format!("{name}-en.md")
            .replace('<', "%3C")
            .replace('>', "%3E")
            .replace('\n', "%0A")
            .replace('\t', "%09");
        index.push_str(&format!("- [odd {i}](<{dest}>)\n"));
    }
    site.write("content/index-en.md", &index);
    site.build_ok(&["--quiet"]);
    let out = site.out();
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let mut reached = 0;
    for loc in sitemap.split("<loc>").skip(1) {
        let url = loc
            .split("</loc>")
            .next()
            .unwrap()
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let path = url.strip_prefix("https://example.org/").unwrap();
        assert!(
            !path.contains(['\n', '\t', ' ', '#', '?', '"']),
            "unescaped: {url}"
        );
        let decoded = notes::site::percent_decode(path).unwrap();
        let file = if decoded.is_empty() || decoded.ends_with('/') {
            out.join(&decoded).join("index.html")
        } else {
            out.join(&decoded)
        };
        assert!(file.is_file(), "{url} does not reach a page");
        reached += 1;
    }
    assert!(reached > names.len(), "{reached} URLs in the sitemap");
    assert_eq!(
        crate::common::broken_links(&out, "https://example.org/"),
        Vec::<String>::new()
    );
    let (errors, findings) = check(&site);
    assert_eq!(errors, 0, "{findings}");
}

/// A note above the size limit is an error at its first line, without
/// reading it (a sparse 64 GB file takes no time and no memory).
#[test]
fn a_huge_note_is_an_error_not_an_abort() {
    let site = TestSite::empty("[build]\nmax-note-size = 1\n");
    site.write("content/ok-en.md", "Fine.\n");
    site.write("content/big-en.md", vec![b'a'; 1_200_000]);
    let sparse = fs::File::create(site.root().join("content/sparse-en.md")).unwrap();
    sparse.set_len(64 << 30).unwrap();
    let (ok, stderr) = build(&site, &[]);
    assert!(!ok);
    assert!(
        stderr.contains("big-en.md:1:1") && stderr.contains("max-note-size"),
        "{stderr}"
    );
    assert!(stderr.contains("sparse-en.md:1:1"), "{stderr}");
}

/// A file name that is not UTF-8 is named as such.
#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_is_reported_as_such() {
    use std::os::unix::ffi::OsStrExt;
    let site = TestSite::empty("");
    site.write("content/ok-en.md", "Fine.\n");
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff-en.md");
    fs::write(site.root().join("content").join(name), "x").unwrap();
    let (ok, stderr) = build(&site, &[]);
    assert!(!ok && stderr.contains("not UTF-8"), "{stderr}");
}

/// The dev server never redirects to another host, and serves a static
/// file being rewritten as one whole version or the other.
#[test]
fn serve_redirects_inside_the_site_and_serves_whole_static_files() {
    let site = real_site();
    let old = "old ".repeat(20_000);
    let new = "new ".repeat(20_000);
    site.write("static/data.txt", &old);
    let server = crate::common::Server::start(&site, &[]);
    for path in ["//de", "///de", "/de"] {
        let (status, headers, _) = server.get(path);
        assert_eq!(status, 301, "{path}");
        let location = headers
            .lines()
            .find_map(|l| {
                l.strip_prefix("location: ")
                    .or_else(|| l.strip_prefix("Location: "))
            })
            .unwrap_or("");
        assert_eq!(location.trim(), "/de/", "{path}");
    }
    let path = site.root().join("static/data.txt");
    let writer = std::thread::spawn(move || {
        for i in 0..20 {
            // Written beside it and renamed over it, as most editors save.
            let text = if i % 2 == 0 { &new } else { &old };
            let tmp = path.with_extension("txt.swp");
            fs::write(&tmp, text).unwrap();
            fs::rename(&tmp, &path).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    });
    let (old, new) = ("old ".repeat(20_000), "new ".repeat(20_000));
    let mut answers = 0;
    while !writer.is_finished() {
        let (status, _, body) = server.get("/data.txt");
        assert_eq!(status, 200);
        assert!(
            body == old.as_bytes() || body == new.as_bytes(),
            "a torn answer of {} bytes",
            body.len()
        );
        answers += 1;
    }
    writer.join().unwrap();
    assert!(answers > 10, "{answers} answers");
}

/// The temporaries an earlier version left in the output when it was
/// killed (`<file>.notes-pending`, beside files its marker lists) are
/// removed by the first build of this one, which says so; nothing else
/// of the folder is touched.
#[test]
fn an_earlier_versions_temporaries_are_removed() {
    let site = real_site();
    site.build_ok(&["--quiet"]);
    let marker = site.out().join(".notes-build");
    let text = fs::read_to_string(&marker).unwrap();
    let (_, rest) = text.split_once('\n').unwrap();
    fs::write(
        &marker,
        format!("# Written by `notes build`: the files of the last build (xxh3-128, bytes, inputs' xxh3-128 or -, path). Do not edit.\n{rest}"),
    )
    .unwrap();
    fs::write(site.out().join("cffi/index.html.notes-pending"), "half").unwrap();
    fs::write(site.out().join("sitemap.xml.notes-pending"), "half").unwrap();
    fs::write(site.out().join("mine.notes-pending"), "mine").unwrap();
    let stderr = site.build_ok(&[]);
    assert!(stderr.contains("removed 2 temporary files"), "{stderr}");
    assert!(!site.out().join("cffi/index.html.notes-pending").exists());
    assert!(!site.out().join("sitemap.xml.notes-pending").exists());
    assert_eq!(
        fs::read_to_string(site.out().join("mine.notes-pending")).unwrap(),
        "mine"
    );
    assert!(
        fs::read_to_string(&marker)
            .unwrap()
            .starts_with("# Written by `notes build` (3)")
    );
    let mut files = site_files(&site.out());
    files.remove("mine.notes-pending");
    assert_eq!(files, fresh_build(&site));
}
