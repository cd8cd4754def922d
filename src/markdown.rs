//! Markdown to HTML with pulldown-cmark: GitHub-flavoured extensions,
//! unique heading ids with anchor links, a table of contents, the first
//! paragraph as a summary, and code blocks handed to `highlight`.
//!
//! Nothing in a note is ever evaluated as a template: `{{ }}`, `{% %}` and
//! `$$` come out as written (tldr's `{{path/to/file}}` placeholders).

use std::collections::HashSet;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use std::cell::Cell;

use crate::highlight::{Fallback, Highlighter, escape};

/// A note's body as HTML, with what templates and indexes need from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The first paragraph as plain text, for descriptions and feeds.
    pub summary: String,
    /// Code blocks shown as plain text although they named a language.
    pub fallbacks: Vec<CodeFallback>,
}

/// A code block that could not be highlighted, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFallback {
    /// 1-based line of the fence in the Markdown given to [`render`].
    pub line: usize,
    pub fallback: Fallback,
}

/// A heading of the note, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// What rendering needs from the site.
pub struct RenderOptions<'a> {
    pub highlighter: &'a Highlighter,
    /// Prefixed to root-relative links (`/img/x.png`) so that they work
    /// when the site lives under a sub-path.
    pub base_path: &'a str,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders a note's Markdown body.
pub fn render(markdown: &str, opts: &RenderOptions) -> Rendered {
    let mut out = Rendered::default();
    let mut ids = HashSet::new();
    let mut events: Vec<Event> = Vec::new();
    // Where the last code block started, for messages about it.
    let code_start = Cell::new(0);
    let mut parser =
        Parser::new_ext(markdown, options())
            .into_offset_iter()
            .map(|(event, range)| {
                if matches!(event, Event::Start(Tag::CodeBlock(_))) {
                    code_start.set(range.start);
                }
                event
            });
    let mut summary_done = false;
    let mut depth = 0usize;
    while let Some(event) = parser.next() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let mut inner = Vec::new();
                for e in parser.by_ref() {
                    if matches!(e, Event::End(TagEnd::Heading(_))) {
                        break;
                    }
                    inner.push(e);
                }
                let title = plain_text(&inner);
                let wanted = id.map(|i| i.to_string()).unwrap_or_else(|| slugify(&title));
                let id = unique_id(&wanted, &mut ids);
                let mut inner_html = String::new();
                pulldown_cmark::html::push_html(
                    &mut inner_html,
                    rewrite_links(inner, opts).into_iter(),
                );
                events.push(Event::Html(
                    heading_html(level, &id, &classes, &attrs, &inner_html).into(),
                ));
                out.toc.push(TocEntry {
                    level: level as u8,
                    id,
                    title,
                });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                for e in parser.by_ref() {
                    match e {
                        Event::Text(t) => code.push_str(&t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                let block = opts.highlighter.block(&info, &code);
                if let Some(fallback) = block.fallback {
                    let start = code_start.get().min(markdown.len());
                    out.fallbacks.push(CodeFallback {
                        line: markdown[..start].matches('\n').count() + 1,
                        fallback,
                    });
                }
                events.push(Event::Html(CowStr::from(block.html.to_string())));
            }
            Event::Start(Tag::Paragraph) if depth == 0 && !summary_done => {
                depth += 1;
                let mut inner = vec![];
                for e in parser.by_ref() {
                    if matches!(e, Event::End(TagEnd::Paragraph)) {
                        break;
                    }
                    inner.push(e);
                }
                depth -= 1;
                let text = plain_text(&inner);
                if !text.trim().is_empty() {
                    out.summary = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    summary_done = true;
                }
                events.push(Event::Start(Tag::Paragraph));
                events.extend(rewrite_links(inner, opts));
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                events.push(Event::Start(rewrite_tag(tag, opts)));
            }
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::Table(_) | Tag::FootnoteDefinition(_),
            ) => {
                depth += 1;
                events.push(event);
            }
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition,
            ) => {
                depth = depth.saturating_sub(1);
                events.push(event);
            }
            other => events.push(other),
        }
    }
    out.html.reserve(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

fn heading_html(
    level: HeadingLevel,
    id: &str,
    classes: &[CowStr],
    attrs: &[(CowStr, Option<CowStr>)],
    inner: &str,
) -> String {
    let mut open = format!("<{level} id=\"{}\"", escape(id));
    if !classes.is_empty() {
        let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
        open.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
    }
    for (name, value) in attrs {
        match value {
            Some(v) => open.push_str(&format!(" {}=\"{}\"", escape(name), escape(v))),
            None => open.push_str(&format!(" {}", escape(name))),
        }
    }
    format!(
        "{open}>{inner}<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\">#</a></{level}>\n",
        escape(id)
    )
}

fn rewrite_links<'a>(events: Vec<Event<'a>>, opts: &RenderOptions) -> Vec<Event<'a>> {
    events
        .into_iter()
        .map(|e| match e {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                Event::Start(rewrite_tag(tag, opts))
            }
            other => other,
        })
        .collect()
}

/// Puts root-relative link targets under the site's base path.
fn rewrite_tag<'a>(tag: Tag<'a>, opts: &RenderOptions) -> Tag<'a> {
    let fix = |dest: CowStr<'a>| -> CowStr<'a> {
        if opts.base_path != "/" && dest.starts_with('/') && !dest.starts_with("//") {
            format!("{}{}", opts.base_path, &dest[1..]).into()
        } else {
            dest
        }
    };
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Link {
            link_type,
            dest_url: fix(dest_url),
            title,
            id,
        },
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            link_type,
            dest_url: fix(dest_url),
            title,
            id,
        },
        other => other,
    }
}

fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// A heading id that keeps any script's letters (`安装-cffi`, `cffi-की-जाँच`)
/// and drops punctuation, so that anchors work in every language.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' || is_combining_mark(c) {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

/// Devanagari vowel signs and other combining marks are part of a word even
/// though `char::is_alphanumeric` says no.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963 | 0x064B..=0x065F | 0x0670)
}

fn unique_id(wanted: &str, ids: &mut HashSet<String>) -> String {
    if ids.insert(wanted.to_string()) {
        return wanted.to_string();
    }
    (1..)
        .map(|n| format!("{wanted}-{n}"))
        .find(|candidate| ids.insert(candidate.clone()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Rendered {
        let h = Highlighter::new();
        render(
            text,
            &RenderOptions {
                highlighter: &h,
                base_path: "/notes/",
            },
        )
    }

    #[test]
    fn headings_get_unique_unicode_ids_and_anchors() {
        let r = md("## Install cffi\n\n## Install cffi\n\n### 安装 cffi 模块\n\n## cffi की जाँच\n");
        let ids: Vec<_> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "install-cffi",
                "install-cffi-1",
                "安装-cffi-模块",
                "cffi-की-जाँच"
            ]
        );
        assert!(r.html.contains(
            "<h2 id=\"install-cffi\">Install cffi<a class=\"anchor\" href=\"#install-cffi\""
        ));
        assert_eq!(r.toc[2].level, 3);
    }

    #[test]
    fn template_syntax_and_math_stay_literal() {
        let r =
            md("Copy {{path/to/file}} and {% raw %} $$x$$\n\n```bash\ncp {{src}} {{dest}}\n```\n");
        assert!(r.html.contains("{{path/to/file}}"));
        assert!(r.html.contains("{% raw %}"));
        assert!(r.html.contains("$$x$$"));
        assert!(strip_tags(&r.html).contains("cp {{src}} {{dest}}"));
    }

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn extensions_and_summary() {
        let r = md(
            "First *para*  with `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ note[^1]\n\n[^1]: foot\n",
        );
        assert_eq!(r.summary, "First para with code.");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn root_relative_links_go_under_base_path() {
        let r = md("[a](/x/) [b](https://e.org/) [c](#h) ![i](/img.png)\n");
        assert!(r.html.contains("href=\"/notes/x/\""));
        assert!(r.html.contains("href=\"https://e.org/\""));
        assert!(r.html.contains("src=\"/notes/img.png\""));
    }

    #[test]
    fn raw_html_passes_through() {
        let r = md("<div class=\"x\">hi</div>\n");
        assert!(r.html.contains("<div class=\"x\">hi</div>"));
    }
}
