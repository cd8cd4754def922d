//! `notes serve` over HTTP: pages served from the live build, edits of
//! every kind picked up, errors shown without stopping, nothing served from
//! outside the site, and what is served equal to a fresh build.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn demo_site() -> TestSite {
    let site = TestSite::empty("");
    site.write(
        "content/_posts/en/2025-06-12-cffi-en.md",
        "---\ntitle: Fix cffi\nlang: en\n---\nOriginal text.\n",
    );
    site.write(
        "content/_posts/hi/2025-06-12-cffi-hi.md",
        "---\ntitle: cffi ठीक करें\nlang: hi\ntranslated: true\n---\nअनुवाद।\n",
    );
    site.write(
        "content/_posts/en/2025-06-13-pip-en.md",
        "---\ntitle: Fix pip\nlang: en\n---\nSee [cffi](2025-06-12-cffi-en.md).\n",
    );
    site.write("static/extra.txt", "one");
    site
}

#[test]
fn serves_the_site_and_nothing_outside_it() {
    let site = demo_site();
    std::fs::write(site.root().join("secret.txt"), "secret").unwrap();
    let server = Server::start(&site, &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let (status, home) = server.text("/");
    assert_eq!(status, 200);
    assert!(home.contains("<script src=\"/__notes/live.js\"></script></body>"));
    assert!(
        home.contains(&format!("href=\"{}cffi/\"", server.url)) || home.contains("href=\"/cffi/\""),
        "links point at the local server"
    );
    let (status, head, _) = server.get("/notes.css");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase().contains("content-type: text/css"),
        "{head}"
    );
    let (status, head, _) = server.get("/cffi");
    assert_eq!(status, 301);
    assert!(head.contains("location: /cffi/"), "{head}");
    for bad in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%5csecret.txt",
        "/static/..\\..\\secret.txt",
        "/book.toml",
        "/content/_posts/en/2025-06-12-cffi-en.md",
    ] {
        let (status, body) = server.text(bad);
        assert_eq!(status, 404, "{bad}");
        assert!(!body.contains("secret"), "{bad}");
    }
}

#[test]
fn every_kind_of_edit_is_picked_up() {
    let site = demo_site();
    let server = Server::start(&site, &[]);
    let note = "content/_posts/en/2025-06-12-cffi-en.md";
    // Write in place.
    site.write(
        note,
        "---\ntitle: Fix cffi\nlang: en\n---\nEdited in place.\n",
    );
    server.wait_for("/cffi/", "edited", |s, b| {
        s == 200 && b.contains("Edited in place.")
    });
    // Write a temporary file, then rename it over the note.
    site.write(
        "content/_posts/en/.tmp-save",
        "---\ntitle: Fix cffi\nlang: en\n---\nRenamed over.\n",
    );
    std::fs::rename(
        site.root().join("content/_posts/en/.tmp-save"),
        site.root().join(note),
    )
    .unwrap();
    server.wait_for("/cffi/", "replaced", |s, b| {
        s == 200 && b.contains("Renamed over.")
    });
    // Delete, then create.
    std::fs::remove_file(site.root().join(note)).unwrap();
    site.write(note, "---\ntitle: Fix cffi\nlang: en\n---\nRecreated.\n");
    server.wait_for("/cffi/", "recreated", |s, b| {
        s == 200 && b.contains("Recreated.")
    });
    // A new note, in another language.
    site.write(
        "content/_posts/ja/2025-06-12-cffi-ja.md",
        "---\ntitle: cffi を直す\nlang: ja\ntranslated: true\n---\n新しい。\n",
    );
    server.wait_for("/ja/cffi/", "created", |s, b| {
        s == 200 && b.contains("新しい。")
    });
    server.wait_for("/cffi/", "linked to the new translation", |_, b| {
        b.contains("hreflang=\"ja\"")
    });
    // Rename a note: the old page goes, the new one comes.
    std::fs::rename(
        site.root().join("content/_posts/en/2025-06-13-pip-en.md"),
        site.root().join("content/_posts/en/2025-06-13-pip3-en.md"),
    )
    .unwrap();
    server.wait_for("/pip3/", "renamed", |s, _| s == 200);
    server.wait_for("/pip/", "gone", |s, _| s == 404);
    // Delete a note.
    std::fs::remove_file(site.root().join("content/_posts/ja/2025-06-12-cffi-ja.md")).unwrap();
    server.wait_for("/ja/cffi/", "deleted", |s, _| s == 404);
    // A template.
    site.write(
        "templates/post.html",
        "{% extends \"note.html\" %}{% block footer %}custom footer{% endblock footer %}\n",
    );
    site.write(
        note,
        "---\ntitle: Fix cffi\nlang: en\nlayout: post\n---\nRecreated.\n",
    );
    server.wait_for("/cffi/", "re-templated", |_, b| b.contains("custom footer"));
    site.write(
        "templates/post.html",
        "{% extends \"note.html\" %}{% block footer %}other footer{% endblock footer %}\n",
    );
    server.wait_for("/cffi/", "re-templated again", |_, b| {
        b.contains("other footer")
    });
    // A static file.
    site.write("static/extra.txt", "two");
    server.wait_for("/extra.txt", "copied", |_, b| b == "two");
    // Many files at once, as a git checkout does.
    for i in 0..200 {
        site.write(
            &format!("content/_posts/en/2025-07-01-bulk{i}-en.md"),
            format!("---\ntitle: Bulk {i}\nlang: en\n---\nbulk\n"),
        );
    }
    server.wait_for("/bulk199/", "created in bulk", |s, _| s == 200);
    server.wait_for("/bulk0/", "created in bulk", |s, _| s == 200);
    // Editor files do not count.
    site.write("content/_posts/en/.2025-06-12-cffi-en.md.swp", "junk");
    site.write("content/_posts/en/2025-06-12-cffi-en.md~", "junk");
}

#[test]
fn a_broken_note_shows_an_error_and_keeps_the_last_good_site() {
    let site = demo_site();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    assert_eq!(events.next_data(), "{\"error\":null}");
    let note = "content/_posts/en/2025-06-12-cffi-en.md";
    site.write(note, "---\ntitle: [broken\nlang: en\n---\nBroken.\n");
    let message = events.next_data();
    let expected = format!(
        "{}:3:5: invalid YAML front matter",
        site.root().join(note).display()
    );
    assert!(message.contains(&expected), "{message}");
    let (status, body) = server.text("/cffi/");
    assert_eq!(status, 200);
    assert!(
        body.contains("Original text."),
        "the last good version is served"
    );
    // A page opened now learns of the error on connecting.
    assert!(
        server
            .events()
            .next_data()
            .contains("invalid YAML front matter")
    );
    site.write(note, "---\ntitle: Fixed\nlang: en\n---\nFixed text.\n");
    let message = events.next_data();
    assert!(
        message.starts_with("{\"error\":null,\"reload\":["),
        "{message}"
    );
    assert!(message.contains("\"/cffi/\""), "{message}");
    server.wait_for("/cffi/", "fixed", |_, b| b.contains("Fixed text."));
}

#[test]
fn what_is_served_equals_a_fresh_build() {
    let site = demo_site();
    let server = Server::start(&site, &[]);
    site.write(
        "content/_posts/en/2025-06-12-cffi-en.md",
        "---\ntitle: New title\nlang: en\n---\nNew.\n",
    );
    site.write(
        "content/_posts/fr/2025-06-12-cffi-fr.md",
        "---\ntitle: Titre\nlang: fr\ntranslated: true\n---\nNouveau.\n",
    );
    std::fs::remove_file(site.root().join("content/_posts/en/2025-06-13-pip-en.md")).unwrap();
    server.wait_for("/fr/cffi/", "created", |s, _| s == 200);
    server.wait_for("/pip/", "deleted", |s, _| s == 404);
    std::thread::sleep(Duration::from_millis(300));
    let out = tempfile::tempdir().unwrap();
    let fresh = out.path().join("public");
    let status = Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["build", "--quiet", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(&fresh)
        .args(["--site-url", &server.url])
        .status()
        .unwrap();
    assert!(status.success());
    for (path, bytes) in snapshot(&fresh) {
        if path == ".notes-build" {
            continue;
        }
        let (status, _, served) = server.get(&format!("/{path}"));
        assert_eq!(status, 200, "{path}");
        let served = if path.ends_with(".html") {
            String::from_utf8(served)
                .unwrap()
                .replace(notes::serve::LIVE_TAG, "")
                .into_bytes()
        } else {
            served
        };
        assert_eq!(served, bytes, "{path} differs from a fresh build");
    }
}

#[test]
fn binding_beyond_loopback_warns_and_ctrl_c_stops() {
    let site = demo_site();
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["serve", "--port", "0", "--bind", "0.0.0.0", "--root"])
        .arg(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while !lines.next().unwrap().unwrap().starts_with("serving at") {}
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "serve did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("warning: serving on 0.0.0.0:"), "{stderr}");
}

#[test]
fn a_templates_folder_created_while_serving_is_watched() {
    let site = demo_site();
    let server = Server::start(&site, &[]);
    // The folder and its file at once: the file is written before the
    // watcher can know the folder.
    site.write(
        "templates/post.html",
        "{% extends \"note.html\" %}{% block footer %}first{% endblock footer %}\n",
    );
    site.write(
        "content/_posts/en/2025-06-12-cffi-en.md",
        "---\ntitle: Fix cffi\nlang: en\nlayout: post\n---\nx\n",
    );
    server.wait_for("/cffi/", "using the new template", |_, b| {
        b.contains("first")
    });
    site.write(
        "templates/post.html",
        "{% extends \"note.html\" %}{% block footer %}second{% endblock footer %}\n",
    );
    server.wait_for("/cffi/", "re-templated", |_, b| b.contains("second"));
}
