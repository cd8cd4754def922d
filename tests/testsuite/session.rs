//! Incremental rebuilds (`notes serve`'s engine) are correct: after a long
//! random sequence of edits, creations, deletions and renames across
//! languages, the site in memory is byte-identical to a fresh build of the
//! same files, at every step.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;
use notes::BuildOptions;
use notes::session::{Change, Session};

const LANGS: [&str; 4] = ["en", "hi", "ar", "hant"];

fn note_text(rng: &mut Rng, title: &str, lang: &str, others: &[String]) -> String {
    let translated = lang != "en" && rng.below(3) > 0;
    let mut text = format!("---\ntitle: '{title}'\nlang: {lang}\ntranslated: {translated}\n---\n");
    text.push_str(&format!(
        "First paragraph of {title} ({}).\n\n## Fix\n\n",
        rng.next() % 1000
    ));
    match rng.below(4) {
        0 => text.push_str("```bash\npip install cffi\n```\n"),
        1 => text.push_str("```python\nimport cffi\n```\n"),
        2 if !others.is_empty() => {
            let target = rng.pick(others);
            text.push_str(&format!("See [the other note](@/{target}#fix).\n"));
        }
        _ => text.push_str("Plain words.\n"),
    }
    text
}

fn md_files(dir: &Path) -> Vec<String> {
    markdown_files(dir)
}

fn key_of(rel: &str) -> String {
    key_and_lang(rel).0
}

fn fresh(options: &BuildOptions) -> Result<BTreeMap<String, Vec<u8>>, String> {
    Session::new(options, &notes::Quiet)
        .map(|s| pages(&s))
        .map_err(|e| e.to_string())
}

fn pages(session: &Session) -> BTreeMap<String, Vec<u8>> {
    session
        .pages()
        .iter()
        .map(|(p, f)| match &f.content {
            notes::output::Content::Bytes(b) => (p.clone(), b.to_vec()),
            notes::output::Content::Copy(path) => (p.clone(), std::fs::read(path).unwrap()),
            notes::output::Content::Kept { .. } => panic!("{p}: a serve session keeps no page"),
        })
        .collect()
}

#[test]
fn random_changes_match_a_fresh_build_at_every_step() {
    let site = TestSite::empty("[output.html]\npaginate-by = 3\n");
    let content = site.root().join("content");
    let mut rng = Rng(0x5EED_2026_1125);
    // A starting site of a few groups.
    for k in 0..6 {
        for lang in LANGS.iter().take(1 + k % 4) {
            let rel = format!("_posts/{lang}/2025-01-{:02}-n{k}-{lang}.md", k + 1);
            site.write(
                &format!("content/{rel}"),
                note_text(&mut rng, &format!("Note {k}"), lang, &[]),
            );
        }
    }
    // A note template that shows what other notes' edits change: the
    // titles of the translations and of the original, and staleness.
    site.write(
        "templates/note.html",
        "<html lang=\"{{ lang.tag }}\"><h1>{{ page.title }}</h1>\
         {% for t in page.translations %}<a href=\"{{ t.url }}\">{{ t.title }}</a>{% endfor %}\
         {% if page.original %}<p>{{ page.original.title }}</p>{% endif %}{% if page.stale %}stale{% endif %}\
         {{ page.content | safe }}{% block footer %}{% endblock footer %}</html>\n",
    );
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let mut session = Session::new(&options, &notes::Quiet).unwrap();
    let mut failures = 0;
    for step in 0..220 {
        let files = md_files(&content);
        let keys: Vec<String> = files.iter().map(|f| key_of(f)).collect();
        let op = rng.below(10);
        let change = match op {
            // Edit a note's body or title.
            0..=2 => {
                let rel = rng.pick(&files).clone();
                let (_, lang) = key_and_lang(&rel);
                let title = format!("Title {}", rng.below(50));
                site.write(
                    &format!("content/{rel}"),
                    note_text(&mut rng, &title, &lang, &keys),
                );
                Change::Notes(vec![content.join(&rel)])
            }
            // A new note, sometimes a translation of an existing one.
            3 | 4 => {
                let lang = *rng.pick(&LANGS);
                let key = if rng.below(2) == 0 {
                    rng.pick(&keys).clone()
                } else {
                    format!(
                        "2025-{:02}-{:02}-new{}",
                        1 + rng.below(12),
                        1 + rng.below(28),
                        rng.below(100)
                    )
                };
                let rel = format!("_posts/{lang}/{key}-{lang}.md");
                site.write(
                    &format!("content/{rel}"),
                    note_text(&mut rng, &format!("New {key}"), lang, &keys),
                );
                Change::Notes(vec![content.join(&rel)])
            }
            // Delete a note (keep a few).
            5 if files.len() > 4 => {
                let rel = rng.pick(&files).clone();
                std::fs::remove_file(content.join(&rel)).unwrap();
                Change::Notes(vec![content.join(&rel)])
            }
            // Rename: another key or another language.
            6 | 5 => {
                let rel = rng.pick(&files).clone();
                let (key, lang) = key_and_lang(&rel);
                let new_lang = *rng.pick(&LANGS);
                let new_key = if rng.below(2) == 0 {
                    format!("{key}x")
                } else {
                    key.clone()
                };
                let text = std::fs::read_to_string(content.join(&rel))
                    .unwrap()
                    .replace(&format!("lang: {lang}"), &format!("lang: {new_lang}"));
                let new_rel = format!("_posts/{new_lang}/{new_key}-{new_lang}.md");
                std::fs::remove_file(content.join(&rel)).unwrap();
                site.write(&format!("content/{new_rel}"), text);
                Change::Notes(vec![content.join(&rel), content.join(&new_rel)])
            }
            // Break a note, to be fixed by a later edit.
            7 => {
                let rel = rng.pick(&files).clone();
                site.write(&format!("content/{rel}"), "---\ntitle: [broken\n---\nx\n");
                Change::Notes(vec![content.join(&rel)])
            }
            // A template or a static file.
            8 => {
                let marker = rng.below(1000);
                site.write("templates/post.html", format!("{{% extends \"note.html\" %}}{{% block footer %}}v{marker}{{% endblock footer %}}\n"));
                Change::Templates
            }
            _ => {
                site.write(
                    &format!("static/img/{}.txt", rng.below(5)),
                    format!("{}", rng.next()),
                );
                Change::Static
            }
        };
        // The watcher gives no hints sometimes (a git checkout): the rescan
        // must find changes on its own.
        let change = match change {
            Change::Notes(hints) if rng.below(4) == 0 => {
                let _ = hints;
                Change::Notes(Vec::new())
            }
            other => other,
        };
        // As serve does: the pages first, then the search index.
        let applied = session
            .apply(&change)
            .map(|u| (u, session.refresh_search()));
        let expected = fresh(&options);
        match (&applied, &expected) {
            (Ok(_), Ok(expected)) => {
                let got = pages(&session);
                if &got != expected {
                    let differing: Vec<&String> = expected
                        .keys()
                        .chain(got.keys())
                        .filter(|p| got.get(*p) != expected.get(*p))
                        .collect();
                    panic!(
                        "step {step} (op {op}, {change:?}): pages differ from a fresh build: {differing:?}"
                    );
                }
            }
            (Err(_), Err(_)) => failures += 1,
            (Ok(_), Err(e)) => {
                panic!("step {step}: the session accepted a change a fresh build rejects: {e}")
            }
            (Err(e), Ok(_)) => {
                panic!("step {step}: the session rejected a change a fresh build accepts: {e}")
            }
        }
    }
    assert!(
        failures > 5,
        "the sequence should include broken states ({failures})"
    );
}

#[test]
fn an_edit_reports_only_the_pages_it_affects() {
    let site = TestSite::empty("");
    site.write(
        "content/en/2025-01-01-a-en.md",
        "---\ntitle: A\nlang: en\n---\nold\n",
    );
    site.write(
        "content/hi/2025-01-01-a-hi.md",
        "---\ntitle: A\nlang: hi\ntranslated: true\n---\nold\n",
    );
    site.write(
        "content/en/2025-01-02-b-en.md",
        "---\ntitle: B\nlang: en\n---\nb\n",
    );
    site.write(
        "content/hi/2025-01-03-c-hi.md",
        "---\ntitle: C\nlang: hi\n---\nc\n",
    );
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let mut session = Session::new(&options, &notes::Quiet).unwrap();
    site.write(
        "content/en/2025-01-01-a-en.md",
        "---\ntitle: A\nlang: en\n---\nnew text\n",
    );
    let update = session.apply(&Change::Notes(Vec::new())).unwrap();
    // The page, and the home and feed that show its summary.
    assert_eq!(update.changed, ["a/index.html", "atom.xml", "index.html"]);
    assert!(update.removed.is_empty());
    // Then the search index's files that hold its words and excerpt.
    let search = session.refresh_search();
    assert_eq!(search.changed, ["search/d/0.json", "search/t/0.json"]);
    assert!(session.refresh_search().is_empty(), "once");
    // Nothing changed: nothing to do.
    assert!(
        session
            .apply(&Change::Notes(Vec::new()))
            .unwrap()
            .is_empty()
    );
    // A broken note keeps the last good site.
    site.write("content/en/2025-01-02-b-en.md", "---\ntitle: [b\n---\n");
    let before = pages(&session);
    assert!(session.apply(&Change::Notes(Vec::new())).is_err());
    assert_eq!(pages(&session), before);
    // Removing a note removes its page.
    std::fs::remove_file(site.root().join("content/en/2025-01-02-b-en.md")).unwrap();
    let update = session.apply(&Change::Notes(Vec::new())).unwrap();
    assert_eq!(update.removed, ["b/index.html"]);
}
