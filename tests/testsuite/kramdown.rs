//! Notes written for kramdown render as their authors saw them on the
//! Jekyll site (`[markdown] flavour = "kramdown"`), math renders to MathML
//! at build time, and heading ids are GitHub's by default.

use std::fs;

use crate::common::{TestSite, sites};

fn render(text: &str, markdown: notes::config::MarkdownOptions) -> notes::markdown::Rendered {
    let h = notes::highlight::Highlighter::new();
    notes::markdown::render(
        text,
        &notes::markdown::RenderOptions {
            highlighter: &h,
            base_path: "/",
            links: &notes::markdown::NoLinks,
            markdown,
        },
    )
}

fn kramdown() -> notes::config::MarkdownOptions {
    notes::config::MarkdownOptions {
        flavour: notes::config::Flavour::Kramdown,
        ..Default::default()
    }
}

fn html(r: &notes::markdown::Rendered) -> String {
    r.html.as_deref().unwrap().to_string()
}

/// Every heading id Jekyll published for the miniature blog's notes is the
/// id notes gives, and no attribute list is left as text.
#[test]
fn the_jekyll_blogs_notes_get_their_published_ids_and_no_ial_text() {
    let root = sites().join("jekyll");
    let ids = fs::read_to_string(root.join("expected-ids.tsv")).unwrap();
    let mut checked = 0;
    for line in ids.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let text = fs::read_to_string(root.join("site").join(cols[0])).unwrap();
        let body = text.splitn(3, "---\n").nth(2).unwrap_or(&text);
        let r = render(body, kramdown());
        let got: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert!(
            got.contains(&cols[2]),
            "{}: `{}` is not among {got:?}",
            cols[0],
            cols[2]
        );
        checked += 1;
    }
    assert!(checked >= 60, "{checked} ids");
    for rel in crate::common::markdown_files(&root.join("site")) {
        let text = fs::read_to_string(root.join("site").join(&rel)).unwrap();
        let out = html(&render(&text, kramdown()));
        // Outside code, where `{:` is shown as the note shows it.
        let mut prose = out.clone();
        while let (Some(a), Some(b)) = (prose.find("<pre"), prose.find("</pre>")) {
            if b < a {
                break;
            }
            prose.replace_range(a..b + 6, "");
        }
        assert!(!prose.contains("{:"), "{rel}: an IAL is printed");
        assert!(
            !prose.contains("{% raw %}") && !prose.contains("{% endraw %}"),
            "{rel}"
        );
    }
}

#[test]
fn ials_apply_to_what_they_follow_and_precede() {
    let out = html(&render(
        "{: .centered }\n![](a.jpg){: .responsive }  \n*Source: Telegram*{: .caption }\n",
        kramdown(),
    ));
    assert_eq!(
        out,
        "<p class=\"centered\"><img src=\"a.jpg\" alt=\"\" class=\"responsive\" /><br />\n<em class=\"caption\">Source: Telegram</em></p>\n"
    );
    let out = html(&render(
        "Some **bold**{: #b data-x=\"1\"} and `code`{: .sh}.\n{: .note}\n",
        kramdown(),
    ));
    assert_eq!(
        out,
        "<p class=\"note\">Some <strong id=\"b\" data-x=\"1\">bold</strong> and <code class=\"sh\">code</code>.</p>\n"
    );
    // A line of its own, before the paragraph it is for.
    let out = html(&render("{: #first .lead}\n\nText.\n", kramdown()));
    assert_eq!(out, "<p id=\"first\" class=\"lead\">Text.</p>\n");
    // A link keeps its target.
    let out = html(&render(
        "[x](https://example.org \"t\"){: rel=\"nofollow\"}\n",
        kramdown(),
    ));
    assert_eq!(
        out,
        "<p><a href=\"https://example.org\" title=\"t\" rel=\"nofollow\">x</a></p>\n"
    );
    // The default flavour prints them, as CommonMark does.
    assert!(html(&render("*x*{: .c}\n", Default::default())).contains("{: .c}"));
}

#[test]
fn kramdowns_typography_lists_abbreviations_and_raw_tags() {
    let out = html(&render(
        "It's \"quoted\" -- and --- then...\n\nHTML\n: the language\n\nWrite HTML.\n\n*[HTML]: Hyper Text Markup Language\n\n```\n{% raw %}{{ site.url }}{% endraw %}\n```\n",
        kramdown(),
    ));
    assert!(out.contains("It’s “quoted” – and — then…"), "{out}");
    assert!(
        out.contains("<dl>") && out.contains("<dd>the language</dd>"),
        "{out}"
    );
    assert!(
        out.contains("<dt><abbr title=\"Hyper Text Markup Language\">HTML</abbr></dt>"),
        "{out}"
    );
    assert!(
        out.contains("Write <abbr title=\"Hyper Text Markup Language\">HTML</abbr>."),
        "{out}"
    );
    assert!(
        out.contains("{{ site.url }}") && !out.contains("raw %}"),
        "{out}"
    );
    assert!(!out.contains("*[HTML]"), "{out}");
}

#[test]
fn footnotes_have_kramdowns_ids() {
    let r = render("A[^1] and B[^n].\n\n[^1]: One.\n[^n]: Two.\n", kramdown());
    let out = html(&r);
    assert!(out.contains("<sup id=\"fnref:1\" role=\"doc-noteref\"><a href=\"#fn:1\" class=\"footnote\" rel=\"footnote\">1</a></sup>"), "{out}");
    assert!(
        out.contains("<a href=\"#fn:n\" class=\"footnote\" rel=\"footnote\">2</a>"),
        "{out}"
    );
    assert!(out.contains("<li id=\"fn:1\" role=\"doc-endnote\">\n<p>One.&nbsp;<a href=\"#fnref:1\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a></p>"), "{out}");
    assert!(r.anchors.contains(&"fn:1".to_string()) && r.anchors.contains(&"fnref:n".to_string()));
}

/// GitHub's ids by default (what readers of the same notes on GitHub link
/// to), kramdown's being the same rule; an explicit `{#id}` wins.
#[test]
fn heading_ids() {
    let ids = |md: &str, markdown| -> Vec<String> {
        render(md, markdown).toc.into_iter().map(|t| t.id).collect()
    };
    let md = "## What’s Causing the Error?\n## 5. **Check Python 3.13 Compatibility**\n## Memory Leaks & the Service Approach\n## Étape 1 : ouvrir un compte bancaire OCBC\n## メニュー項目\n## 修改接口与 Android.mk\n## Same\n## Same\n## Own {#mine}\n";
    let expected = [
        "whats-causing-the-error",
        "5-check-python-313-compatibility",
        "memory-leaks--the-service-approach",
        "étape-1--ouvrir-un-compte-bancaire-ocbc",
        "メニュー項目",
        "修改接口与-androidmk",
        "same",
        "same-1",
        "mine",
    ];
    assert_eq!(ids(md, Default::default()), expected);
    assert_eq!(ids(md, kramdown()), expected);
    let old = notes::config::MarkdownOptions {
        ids: notes::config::Ids::Notes,
        ..Default::default()
    };
    assert_eq!(
        ids("## What’s Causing the Error?\n", old),
        ["what-s-causing-the-error"]
    );
}

#[test]
fn every_math_form_renders_and_code_is_left_alone() {
    let gfm = html(&render(
        "Inline $a_1^2$ and \\(b_2 * c_3\\), display\n\n$$x = \\frac{1}{2}$$\n\n\\[ y_i = \\sum_{k} z_k \\]\n\n`$not$` and $PATH and $HOME\n\n```\n\\(code\\)\n```\n",
        Default::default(),
    ));
    assert_eq!(gfm.matches("<math").count(), 4, "{gfm}");
    assert_eq!(gfm.matches("display=\"block\"").count(), 2, "{gfm}");
    assert!(
        gfm.contains("<annotation encoding=\"application/x-tex\">b_2 * c_3</annotation>"),
        "{gfm}"
    );
    assert!(!gfm.contains("<em>"), "emphasis inside math: {gfm}");
    assert!(
        gfm.contains("<code>$not$</code>") && gfm.contains("$PATH and $HOME"),
        "{gfm}"
    );
    assert!(gfm.contains("\\(code\\)"), "{gfm}");
    let k = html(&render(
        "RMS \\\\( V_{max} \\\\) and\n\\\\[ V_{rms} = \\frac{V_{max}}{\\sqrt{2}} \\\\]\n",
        kramdown(),
    ));
    assert_eq!(k.matches("<math").count(), 2, "{k}");
    let off = notes::config::MarkdownOptions {
        math: false,
        ..Default::default()
    };
    let kept = html(&render("$a_1$ and \\(b\\)\n", off));
    assert!(
        !kept.contains("<math") && kept.contains("$a_1$") && kept.contains("(b)"),
        "{kept}"
    );
}

/// A formula TeX cannot read is shown as code, with a warning at its line,
/// and the build goes on.
#[test]
fn a_tex_error_is_a_warning_not_a_failed_build() {
    let site = TestSite::empty("");
    site.write(
        "content/2025-01-01-m-en.md",
        "---\ntitle: M\n---\nFine $x^2$.\n\nBroken \\(\\frac{a}{\\) and $\\nosuchcommand$ here.\n",
    );
    let stderr = site.build_ok(&[]);
    assert!(
        stderr.contains("2025-01-01-m-en.md:6:1") && stderr.contains("not TeX"),
        "{stderr}"
    );
    let page = site.read("m/index.html");
    assert!(
        page.contains("<code class=\"math-error\">\\frac{a}{</code>"),
        "{page}"
    );
    assert!(
        page.contains("<code class=\"math-error\">\\nosuchcommand</code>"),
        "{page}"
    );
    assert!(page.contains("<math"), "{page}");
}

/// The MathML of ten formulas of the corpus's notes, reviewed once.
#[test]
fn mathml_of_the_corpus_formulas() {
    let formulas = [
        ("rms", "V_{rms} = \\frac{V_{max}}{\\sqrt{2}}", true),
        ("vmax", "V_{max}", false),
        ("sine", "v(t) = V_{max} \\sin(\\omega t)", false),
        (
            "mean-square",
            "V_{RMS} = \\sqrt{\\frac{1}{T} \\int_0^T v(t)^2 \\, dt}",
            true,
        ),
        ("power", "P = \\frac{V_{RMS}^2}{R}", true),
        ("sum", "\\sum_{i=1}^{n} x_i^2", true),
        (
            "matrix",
            "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
            true,
        ),
        (
            "aligned",
            "\\begin{aligned} a &= b + c \\\\ d &= e \\end{aligned}",
            true,
        ),
        ("greek", "\\alpha + \\beta \\geq \\gamma", false),
        ("peak", "V_{peak} \\approx 1.414 \\times V_{RMS}", false),
    ];
    for (name, tex, display) in formulas {
        let mathml = notes::math::to_mathml(tex, display).unwrap_or_else(|e| panic!("{name}: {e}"));
        insta::assert_snapshot!(format!("math_{name}"), mathml);
    }
}
