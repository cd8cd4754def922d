//! Translations readers can trust: the interface in the page's language,
//! notices linking the original, links between notes in the reader's
//! language, right-to-left pages, and the language switcher in a browser.

use crate::common::*;

fn notes_site() -> TestSite {
    let site = TestSite::new(&sites().join("notes"), "exclude = [\"notes/**\"]\n");
    site.build_ok(&[]);
    site
}

#[test]
fn interface_text_is_in_the_page_language() {
    let site = notes_site();
    let cases = [
        (
            "hi/cffi/index.html",
            "एआई द्वारा निर्मित",
            "English से मशीन द्वारा अनुवादित।",
            "मूल पढ़ें",
        ),
        (
            "zh/cffi/index.html",
            "AI 生成",
            "由English机器翻译。",
            "阅读原文",
        ),
        (
            "ar/cffi/index.html",
            "مُنشأ بالذكاء الاصطناعي",
            "ترجمة آلية من English.",
            "اقرأ الأصل",
        ),
        (
            "de/cffi/index.html",
            "KI-generiert",
            "Maschinell übersetzt aus: English.",
            "Original lesen",
        ),
    ];
    for (page, badge, notice, read_original) in cases {
        let html = site.read(page);
        assert!(html.contains(badge), "{page}: badge");
        assert!(html.contains(notice), "{page}: notice");
        assert!(
            html.contains(&format!(
                "<a href=\"/cffi/\" hreflang=\"en\" lang=\"en\" dir=\"ltr\">{read_original}</a>"
            )),
            "{page}: link to the original"
        );
    }
    let en = site.read("cffi/index.html");
    assert!(
        !en.contains("class=\"notice\""),
        "the original has no translation notice"
    );
    assert!(site.read("ja/index.html").contains("最新のノート"));
    assert!(site.read("hant/index.html").contains("最新筆記"));
    let not_found = site.read("404.html");
    assert!(not_found.contains("<span lang=\"ar\" dir=\"rtl\">الصفحة غير موجودة</span>"));
}

#[test]
fn right_to_left_pages_keep_code_left_to_right() {
    let site = notes_site();
    for page in [
        "ar/cffi/index.html",
        "ar/centering-stacked-form-elements/index.html",
        "ar/index.html",
    ] {
        let html = site.read(page);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\""),
            "{page}"
        );
        let pres = html.matches("<pre ").count();
        assert_eq!(
            pres,
            html.matches("<pre class=\"code\" dir=\"ltr\"").count(),
            "{page}: every block is ltr"
        );
    }
    assert!(site.read("ar/cffi/index.html").matches("<pre ").count() > 5);
}

#[test]
fn strings_can_be_overridden_and_missing_ones_fall_back_to_english() {
    let site = TestSite::empty(
        "[languages.fr.strings]\nread_original = \"Voir l’original\"\n[languages.pt]\nname = \"Português\"\n",
    );
    site.write("i18n/pt.toml", "ai_generated = \"Gerado por IA\"\n");
    site.write(
        "content/en/2025-01-01-a-en.md",
        "---\ntitle: A\nlang: en\n---\nx\n",
    );
    site.write(
        "content/fr/2025-01-01-a-fr.md",
        "---\ntitle: A\nlang: fr\ntranslated: true\n---\nx\n",
    );
    site.write(
        "content/pt/2025-01-01-a-pt.md",
        "---\ntitle: A\nlang: pt\ntranslated: true\ngenerated: true\n---\nx\n",
    );
    let stderr = site.build_ok(&[]);
    assert!(
        site.read("fr/a/index.html")
            .contains(">Voir l’original</a>")
    );
    let pt = site.read("pt/a/index.html");
    assert!(pt.contains("Gerado por IA"));
    assert!(
        pt.contains(">Read the original</a>"),
        "missing strings fall back to English"
    );
    assert_eq!(
        stderr
            .matches("language `pt` has no interface text for")
            .count(),
        1,
        "{stderr}"
    );

    site.write("i18n/pt.toml", "ai_generatd = \"x\"\n");
    let out = site.run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("i18n/pt.toml:1:1: unknown interface string `ai_generatd`"),
        "{stderr}"
    );
}

#[test]
fn links_between_notes_follow_the_readers_language() {
    let site = TestSite::empty("");
    site.write(
        "content/_posts/en/2025-01-01-cffi-en.md",
        "---\ntitle: cffi\nlang: en\n---\n## Fix\n\nx\n",
    );
    site.write(
        "content/_posts/hi/2025-01-01-cffi-hi.md",
        "---\ntitle: cffi\nlang: hi\ntranslated: true\n---\nx\n",
    );
    site.write("content/_posts/en/2025-01-02-pip-en.md", "---\ntitle: pip\nlang: en\n---\nSee [cffi](2025-01-01-cffi-en.md#fix) and [by key](@/2025-01-01-cffi).\n");
    site.write("content/_posts/hi/2025-01-02-pip-hi.md", "---\ntitle: pip\nlang: hi\ntranslated: true\n---\nSee [cffi](../en/2025-01-01-cffi-en.md).\n");
    site.write("content/_posts/ja/2025-01-02-pip-ja.md", "---\ntitle: pip\nlang: ja\ntranslated: true\n---\nSee [cffi](../en/2025-01-01-cffi-en.md).\n");
    site.build_ok(&["--site-url", "/sub/"]);
    assert!(
        site.read("pip/index.html")
            .contains("<a href=\"/sub/cffi/#fix\">cffi</a> and <a href=\"/sub/cffi/\">by key</a>")
    );
    assert!(
        site.read("hi/pip/index.html")
            .contains("<a href=\"/sub/hi/cffi/\">cffi</a>"),
        "the Hindi version exists"
    );
    assert!(
        site.read("ja/pip/index.html")
            .contains("<a href=\"/sub/cffi/\">cffi</a>"),
        "no Japanese version: the original"
    );
    assert!(broken_links(&site.out(), "/sub/").is_empty());

    site.write(
        "content/_posts/en/2025-01-03-bad-en.md",
        "---\ntitle: bad\nlang: en\n---\nok\n\n[gone](../en/2024-01-01-gone-en.md)\n",
    );
    let out = site.run(&[]);
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace(&format!("{}/", site.root().display()), "");
    assert!(!out.status.success());
    assert!(
        stderr.starts_with("content/_posts/en/2025-01-03-bad-en.md:7:1: link to `../en/2024-01-01-gone-en.md`: there is no note at _posts/en/2024-01-01-gone-en.md in the content folder"),
        "{stderr}"
    );
}
