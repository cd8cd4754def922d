//! End-to-end: build the real corpus (../shared/corpus) into a temporary
//! folder and check the site that comes out.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;

/// Where a corpus note's page is with the default permalink.
fn page_file(key: &str, lang: &str) -> String {
    let slug = &key[11..];
    if lang == "en" {
        format!("{slug}/index.html")
    } else {
        format!("{lang}/{slug}/index.html")
    }
}

fn notes_site() -> TestSite {
    TestSite::new(&sites().join("notes"), "exclude = [\"notes/**\"]\n")
}

#[test]
fn every_note_of_the_real_corpus_gets_a_cross_linked_page() {
    let site = notes_site();
    site.build_ok(&[]);
    let sources: Vec<String> = markdown_files(&sites().join("notes"))
        .into_iter()
        .filter(|f| !f.starts_with("notes/"))
        .collect();
    assert_eq!(sources.len(), 18);
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in &sources {
        let (key, lang) = key_and_lang(rel);
        groups.entry(key).or_default().push(lang);
    }
    let tag = |l: &str| {
        if l == "hant" {
            "zh-Hant".to_string()
        } else {
            l.to_string()
        }
    };
    for (key, langs) in &groups {
        assert_eq!(langs.len(), 9, "{key}");
        for lang in langs {
            let html = site.read(&page_file(key, lang));
            assert!(
                html.contains(&format!(
                    "<html lang=\"{}\" dir=\"{}\" ",
                    tag(lang),
                    if lang == "ar" { "rtl" } else { "ltr" }
                )),
                "{key} {lang}"
            );
            for other in langs {
                let url = format!("/{}", page_file(key, other).trim_end_matches("index.html"));
                let url = url.replace("/en/", "/");
                assert!(
                    html.contains(&format!(
                        "<link rel=\"alternate\" hreflang=\"{}\" href=\"{url}\">",
                        tag(other)
                    )),
                    "{key} {lang}: no hreflang for {other} ({url})"
                );
                assert!(
                    html.contains(&format!("<a href=\"{url}\" hreflang=\"{}\"", tag(other))),
                    "{key} {lang}: no switcher link to {other}"
                );
            }
            let x_default = format!(
                "<link rel=\"alternate\" hreflang=\"x-default\" href=\"/{}/\">",
                &key[11..]
            );
            assert!(html.contains(&x_default), "{key} {lang}");
        }
    }
}

#[test]
fn bash_and_python_blocks_are_highlighted_and_text_survives() {
    let site = notes_site();
    site.build_ok(&[]);
    let en = site.read("cffi/index.html");
    assert!(en.contains("<pre class=\"code\" dir=\"ltr\" data-lang=\"bash\"><code class=\"language-bash\"><span class=\"nf\">pip</span> show cffi"), "bash block not highlighted");
    assert!(en.contains("pip install cffi"));
    assert!(en.contains("_cffi_backend"));
    // The Arabic note's broken fence swallows the rest of the document into
    // a code block, as CommonMark says: the page still builds, RTL, with
    // code kept left-to-right.
    let ar = site.read("ar/cffi/index.html");
    assert!(ar.contains("dir=\"rtl\""));
    assert!(ar.contains("pre class=\"code\" dir=\"ltr\""));
    // Python: the real corpus has no python fence, so build one.
    let fixture = TestSite::empty("");
    fixture.write(
        "content/2025-01-01-py.md",
        "---\ntitle: py\n---\n```python\nimport cffi\nprint(cffi.__version__)\n```\n",
    );
    fixture.build_ok(&[]);
    let py = fixture.read("py/index.html");
    assert!(py.contains("<span class=\"k\">import</span> cffi"), "{py}");
}

#[test]
fn templates_leave_no_template_syntax_behind() {
    let site = notes_site();
    site.build_ok(&[]);
    for (rel, bytes) in snapshot(&site.out()) {
        if !(rel.ends_with(".html") || rel.ends_with(".xml")) {
            continue;
        }
        let text = without_note_body(&String::from_utf8(bytes).unwrap());
        for marker in ["{{", "}}", "{%", "%}", "{#", "#}"] {
            assert!(!text.contains(marker), "{rel} contains {marker}");
        }
    }
}

#[test]
fn sitemap_and_feeds_are_xml_and_list_every_page() {
    let site = TestSite::new(
        &sites().join("notes"),
        "exclude = [\"notes/**\"]\n[output.html]\nsite-url = \"https://example.org/notes/\"\n",
    );
    site.build_ok(&[]);
    let sitemap = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap.xml is XML");
    let locs: BTreeSet<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    let alternates = doc
        .descendants()
        .filter(|n| n.has_tag_name(("http://www.w3.org/1999/xhtml", "link")))
        .count();
    assert_eq!(
        alternates,
        18 * 9 + 9 * 9,
        "every note lists its 9 languages, every home page 9"
    );
    let pages: Vec<String> = snapshot(&site.out())
        .into_keys()
        .filter(|f| f.ends_with("index.html") && !f.contains("page/"))
        .collect();
    // Notes and homes; the search pages (noindex) stay out of the sitemap.
    let (search, pages): (Vec<String>, Vec<String>) = pages
        .into_iter()
        .partition(|p| p.ends_with("search/index.html"));
    assert_eq!(search.len(), 9);
    assert_eq!(pages.len(), 18 + 9);
    for page in &pages {
        let url = format!(
            "https://example.org/notes/{}",
            page.trim_end_matches("index.html")
        );
        assert!(locs.contains(&url), "sitemap lacks {url}");
    }
    for lang in ["en", "zh", "ja", "es", "hi", "fr", "de", "ar", "hant"] {
        let file = if lang == "en" {
            "atom.xml".to_string()
        } else {
            format!("{lang}/atom.xml")
        };
        let feed = site.read(&file);
        let doc = roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("{file}: {e}"));
        let links: BTreeSet<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("entry"))
            .flat_map(|e| e.children().filter(|c| c.has_tag_name("link")))
            .filter_map(|l| l.attribute("href"))
            .collect();
        assert_eq!(links.len(), 2, "{file}: one entry per note of the language");
        for link in links {
            let rel = link.strip_prefix("https://example.org/notes/").unwrap();
            assert!(
                site.out().join(rel).join("index.html").is_file(),
                "{file}: {link}"
            );
        }
    }
}

#[test]
fn every_link_resolves_under_a_sub_path() {
    let site = notes_site();
    site.build_ok(&["--site-url", "https://user.github.io/notes/"]);
    let broken = broken_links(&site.out(), "https://user.github.io/notes/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    let home = site.read("index.html");
    assert!(home.contains("href=\"/notes/notes.css\""));
    assert!(home.contains("href=\"/notes/cffi/\""));
    // A path-only site-url works too.
    site.build_ok(&["--site-url", "/sub/path/"]);
    let broken = broken_links(&site.out(), "/sub/path/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn link_checker_finds_a_broken_link() {
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-01-a.md",
        "---\ntitle: a\n---\n[missing](/nowhere/) and [ok](/)\n",
    );
    site.build_ok(&["--site-url", "/base/"]);
    let broken = broken_links(&site.out(), "/base/");
    assert_eq!(broken, ["a/index.html: /base/nowhere/"]);
}

#[test]
fn two_builds_are_byte_identical() {
    let site = notes_site();
    site.build_ok(&[]);
    let first = snapshot(&site.out());
    site.build_ok(&[]);
    assert_eq!(first, snapshot(&site.out()));
    let again = notes_site();
    again.build_ok(&[]);
    assert_eq!(
        first,
        snapshot(&again.out()),
        "a build in another folder differs"
    );
}

#[test]
fn the_whole_tldr_corpus_builds_with_every_translation_linked() {
    let Some(corpus) = corpus("the_whole_tldr_corpus_builds_with_every_translation_linked") else {
        return;
    };
    let tldr = corpus.join("tldr");
    let site = TestSite::new(&tldr, "exclude = [\"README.md\"]\n");
    site.build_ok(&["--quiet"]);
    let sources = markdown_files(&tldr.join("_posts"));
    assert_eq!(sources.len(), 15_348);
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in &sources {
        let (key, lang) = key_and_lang(rel);
        groups.entry(key).or_default().push(lang);
    }
    for (key, langs) in &groups {
        for lang in langs {
            let file = page_file(key, lang);
            let html = std::fs::read_to_string(site.out().join(&file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let hreflangs = html.matches("<link rel=\"alternate\" hreflang=").count();
            let expected = langs.len() + usize::from(langs.iter().any(|l| l == "en"));
            assert_eq!(hreflangs, expected, "{file}");
        }
    }
    // tldr's placeholders come out literally, inside highlighted code.
    let cp = strip_tags(&site.read("common-cp/index.html"));
    assert!(
        cp.contains("cp {{path/to/source_file}} {{path/to/target_file}}"),
        "{cp}"
    );
}

#[test]
fn jekyll_permalinks_keep_old_urls() {
    let site = TestSite::new(
        &sites().join("notes"),
        "exclude = [\"notes/**\"]\n[output.html]\npermalink = \"/{slug}-{lang}\"\n",
    );
    site.build_ok(&[]);
    let hi = site.read("cffi-hi.html");
    assert!(hi.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"/cffi-en\">"));
    assert!(hi.contains("<link rel=\"canonical\" href=\"/cffi-hi\">"));
    let broken = broken_links(&site.out(), "/");
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn index_pages_list_notes_newest_first_with_pagination() {
    let site = TestSite::empty("[output.html]\npaginate-by = 2\n");
    for (date, lang) in [
        ("2025-01-01", "en"),
        ("2025-03-01", "en"),
        ("2025-02-01", "en"),
        ("2025-02-01", "hi"),
    ] {
        site.write(
            &format!("content/{lang}/{date}-n{date}-{lang}.md"),
            format!("---\ntitle: T{date}\n---\nFirst paragraph {date}.\n"),
        );
    }
    site.build_ok(&[]);
    let home = site.read("index.html");
    let a = home.find("T2025-03-01").unwrap();
    let b = home.find("T2025-02-01").unwrap();
    assert!(a < b, "newest first");
    assert!(!home.contains("T2025-01-01"));
    assert!(home.contains("<a rel=\"next\" href=\"/page/2/\">"));
    let page2 = site.read("page/2/index.html");
    assert!(page2.contains("T2025-01-01") && page2.contains("<a rel=\"prev\" href=\"/\">"));
    let hi = site.read("hi/index.html");
    assert!(hi.contains("<html lang=\"hi\" dir=\"ltr\" ") && hi.contains("T2025-02-01"));
    assert!(!site.out().join("hi/page/2/index.html").exists());
}

#[test]
fn pages_carry_what_search_engines_and_sharing_need() {
    let site = TestSite::new(
        &sites().join("notes"),
        "exclude = [\"notes/**\"]\n[output.html]\nsite-url = \"https://example.org/\"\n",
    );
    site.build_ok(&[]);
    let html = site.read("cffi/index.html");
    for needle in [
        "<title>Libary cffi in Python · Notes</title>",
        "<link rel=\"canonical\" href=\"https://example.org/cffi/\">",
        "<meta name=\"description\" content=\"When running your Python script fetch.py with the command python scripts/supabase/fetch.py, you encountered the following error:\">",
        "<meta property=\"og:title\" content=\"Libary cffi in Python\">",
        "<meta property=\"og:url\" content=\"https://example.org/cffi/\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
        "<time datetime=\"2025-06-12T00:00:00Z\">2025-06-12</time>",
        "class=\"theme-toggle\"",
        "AI-generated",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    // The 404 page offers every language's home.
    let not_found = site.read("404.html");
    assert_eq!(not_found.matches("<li><a href=").count(), 9);
}

#[test]
fn static_files_cname_nojekyll_and_drafts() {
    let site = TestSite::empty("[output.html]\ncname = \"notes.example.org\"\n");
    site.write("content/2025-01-01-a.md", "a\n");
    site.write("content/2025-01-02-b.md", "---\ndraft: true\n---\nb\n");
    site.write("content/_drafts/2025-01-03-c.md", "c\n");
    site.write("static/img/logo.svg", "<svg/>");
    site.write("static/notes.css", "/* mine */");
    site.write("static/.hidden", "no");
    site.build_ok(&[]);
    assert_eq!(site.read("CNAME"), "notes.example.org\n");
    assert!(site.out().join(".nojekyll").is_file());
    assert_eq!(site.read("img/logo.svg"), "<svg/>");
    assert_eq!(
        site.read("notes.css"),
        "/* mine */",
        "a site's static file wins over the theme's"
    );
    assert!(site.out().join("notes.js").is_file() && site.out().join("highlight.css").is_file());
    assert!(!site.out().join(".hidden").exists());
    assert!(!site.out().join("b").exists() && !site.out().join("c").exists());
    site.build_ok(&["--drafts"]);
    assert!(site.out().join("b/index.html").is_file() && site.out().join("c/index.html").is_file());
}

#[test]
fn a_rebuild_reuses_the_saved_markdown_and_highlighting() {
    let site = notes_site();
    let first = String::from_utf8(site.run(&["--verbose"]).stdout).unwrap();
    let before = snapshot(&site.out());
    assert!(site.root().join(".notes-cache/highlight.bin").is_file());
    let markdown_cache = site.root().join(".notes-cache/markdown.bin");
    assert!(markdown_cache.is_file());
    // (notes taken from the Markdown cache, code blocks, from the
    // highlighting cache), from the `--verbose` summary.
    let counts = |out: &str| -> (usize, usize, usize) {
        let line = out
            .lines()
            .find(|l| l.starts_with("took the Markdown of "))
            .unwrap();
        let n: Vec<usize> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        (n[0], n[1], n[2])
    };
    let (taken, lookups, hits) = counts(&first);
    assert_eq!(taken, 0, "{first}");
    assert!(hits < lookups, "{first}");

    // Nothing changed: every note's Markdown as the last build left it,
    // no code highlighted or even looked up.
    let second = String::from_utf8(site.run(&["--verbose"]).stdout).unwrap();
    let notes = markdown_files(&sites().join("notes"))
        .iter()
        .filter(|f| !f.starts_with("notes/"))
        .count();
    assert_eq!(counts(&second), (notes, 0, 0), "{second}");
    assert_eq!(snapshot(&site.out()), before, "the caches change no byte");
    assert!(
        second.contains(&format!("left {} unchanged", before.len() - 1)),
        "{second}"
    );

    // Without the Markdown cache every note renders again, all its code
    // from the highlighting cache.
    std::fs::remove_file(&markdown_cache).unwrap();
    let third = String::from_utf8(site.run(&["--verbose"]).stdout).unwrap();
    assert_eq!(
        counts(&third),
        (0, lookups, lookups),
        "every block from the saved cache: {third}"
    );
    assert_eq!(snapshot(&site.out()), before, "the cache changes no byte");
}

#[test]
fn a_template_loop_over_front_matter_keys_is_in_a_stable_order() {
    // Tera keeps maps in hash order unless told to keep their order: a loop
    // over `page.extra` would come out shuffled from one build to the next.
    let site = TestSite::empty("[book]\ntitle = \"t\"\n");
    let keys = [
        "zeta", "alpha", "mu", "beta", "omega", "gamma", "kappa", "delta",
    ];
    let front: String = keys.iter().map(|k| format!("{k}: 1\n")).collect();
    site.write(
        "content/2025-01-01-a.md",
        format!("---\ntitle: A\n{front}---\nBody\n"),
    );
    site.write(
        "templates/note.html",
        "{% extends \"base.html\" %}\n{% block main %}<p id=\"keys\">{% for k, v in page.extra %}{{ k }} {% endfor %}</p>{% endblock main %}\n",
    );
    site.build_ok(&[]);
    let files = snapshot(&site.out());
    let page = files
        .iter()
        .find(|(path, _)| path.ends_with("a/index.html"));
    let html = String::from_utf8_lossy(page.expect("the note's page").1);
    let mut sorted = keys;
    sorted.sort();
    let expected = format!("<p id=\"keys\">{} </p>", sorted.join(" "));
    assert!(html.contains(&expected), "{html}");
}
