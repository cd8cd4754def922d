//! Markdown to HTML with pulldown-cmark: GitHub-flavoured extensions,
//! unique heading ids with anchor links, a table of contents, the first
//! paragraph as a summary, code blocks handed to `highlight`, and links to
//! other notes' source files turned into those notes' URLs.
//!
//! Nothing in a note is ever evaluated as a template: `{{ }}`, `{% %}` and
//! `$$` come out as written (tldr's `{{path/to/file}}` placeholders).

use std::cell::RefCell;
use std::collections::HashSet;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use crate::config::{Flavour, Ids, MarkdownOptions};
use crate::highlight::{Fallback, Highlighter, escape};
use crate::kramdown::{self, Attrs};
use crate::math;

/// A note's body as HTML, with what templates, indexes and checks need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Shared: `serve` keeps every note's HTML and clones it per change.
    /// `None` when a build took the rest from the Markdown cache and
    /// renders the HTML only if a page needs it.
    pub html: Option<std::sync::Arc<str>>,
    /// A hash of the HTML, for the pages' memo keys.
    pub html_hash: u128,
    pub toc: Vec<TocEntry>,
    /// The first paragraph as plain text, for descriptions and feeds.
    pub summary: String,
    /// Code blocks shown as plain text although they named a language.
    pub fallbacks: Vec<CodeFallback>,
    /// Every id a link may point at: headings and footnotes.
    pub anchors: Vec<String>,
    /// Links to notes (or to `#fragment`s of this one), to check later.
    pub links: Vec<NoteLink>,
    /// Links to note files that do not exist: (line, message).
    pub broken_links: Vec<(usize, String)>,
    /// Code fences that run to the end of the note.
    pub unclosed_fences: Vec<UnclosedFence>,
    /// The highlighting cache keys of its code blocks, so that a build
    /// that takes this note from the Markdown cache keeps them.
    pub blocks: Vec<u128>,
    /// TeX that does not read, shown as code: (line, why).
    pub math_errors: Vec<(usize, String)>,
}

/// A code block that could not be highlighted, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFallback {
    /// 1-based line of the fence in the Markdown given to [`render`].
    pub line: usize,
    pub fallback: Fallback,
}

/// A link to a note, or to a fragment of the page itself (`target: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteLink {
    pub line: usize,
    pub target: Option<usize>,
    pub fragment: Option<String>,
}

/// A code block that probably swallows text its author meant to be
/// outside it: one never closed (it runs to the end of the note), or one
/// holding a line that ends with a fence glued to its text (which closes
/// nothing), or one holding what looks like the next block's opening fence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnclosedFence {
    /// Lines of the opening fence and of the block's last line.
    pub line: usize,
    pub end_line: usize,
    pub runs_to_end: bool,
    /// A line inside that ends with a fence glued to text, the usual cause.
    pub glued: Option<usize>,
    /// A line inside that looks like an opening fence (```` ```bash ````).
    pub swallowed_fence: Option<usize>,
}

/// A heading of the note, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    /// 1-based line of the heading in the Markdown given to [`render`]
    /// (the search index cuts a note into sections there).
    pub line: usize,
}

/// What a link resolves to: `None` when it is not a note link, the note
/// and its URL, or why no note is there.
pub type Resolved = Option<Result<(usize, String), String>>;

/// Turns a link to a note's source (`../en/2025-06-12-cffi-en.md`,
/// `@/2025-06-12-cffi`) into that note. `None` for a link that is not a
/// note link; `Some(Err(why))` for a note link to nothing.
pub trait LinkResolver: Sync {
    fn resolve(&self, dest: &str) -> Resolved;
}

/// A resolver for notes rendered on their own (tests, benchmarks).
pub struct NoLinks;
impl LinkResolver for NoLinks {
    fn resolve(&self, _: &str) -> Resolved {
        None
    }
}

/// What rendering needs from the site.
pub struct RenderOptions<'a> {
    pub highlighter: &'a Highlighter,
    /// Prefixed to root-relative links (`/img/x.png`) so that they work
    /// when the site lives under a sub-path.
    pub base_path: &'a str,
    pub links: &'a dyn LinkResolver,
    pub markdown: crate::config::MarkdownOptions,
}

fn options(markdown: &MarkdownOptions) -> Options {
    let mut o = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    if markdown.math {
        o |= Options::ENABLE_MATH;
    }
    if markdown.flavour == Flavour::Kramdown {
        o |= Options::ENABLE_SMART_PUNCTUATION | Options::ENABLE_DEFINITION_LIST;
    }
    o
}

/// Line numbers of byte offsets, found by a search over the line starts.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }
    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// What the event filter learns while it rewrites links.
#[derive(Default)]
struct LinkLog {
    links: Vec<NoteLink>,
    broken: Vec<(usize, String)>,
    code_starts: Vec<std::ops::Range<usize>>,
    /// The line of the last heading started.
    heading_line: usize,
    math_errors: Vec<(usize, String)>,
}

/// Renders a note's Markdown body.
pub fn render(markdown: &str, opts: &RenderOptions) -> Rendered {
    let kramdown = opts.markdown.flavour == Flavour::Kramdown;
    // What is taken out before parsing (each keeps the line count, so that
    // every line number still points into the note as written).
    let (prepared, abbreviations) = if kramdown {
        let raw = kramdown::remove_raw_tags(markdown);
        let (text, found) = kramdown::take_abbreviations(&raw);
        (Some(kramdown::unclosed_fences_as_text(&text)), found)
    } else {
        (None, Vec::new())
    };
    let markdown = prepared.as_deref().unwrap_or(markdown);
    // Most notes have no `\(` or `\[` at all: they are not copied.
    let (protected, formulas) =
        if opts.markdown.math && (markdown.contains("\\(") || markdown.contains("\\[")) {
            let (text, formulas) = math::protect(markdown, kramdown);
            (Some(text), formulas)
        } else {
            (None, Vec::new())
        };
    let markdown = protected.as_deref().unwrap_or(markdown);
    let mut out = Rendered::default();
    let lines = Lines::new(markdown);
    let log = RefCell::new(LinkLog::default());
    let mut ids = HashSet::new();
    let in_code = std::cell::Cell::new(false);
    let footnote_numbers: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let math_html = |tex: &str, display: bool, line: usize| match math::to_mathml(tex, display) {
        Ok(m) => m,
        Err(why) => {
            log.borrow_mut().math_errors.push((line, why));
            math::as_code(tex, display)
        }
    };
    let mut parser = Parser::new_ext(markdown, options(&opts.markdown))
        .into_offset_iter()
        .flat_map(|(event, range)| -> Vec<(Event, std::ops::Range<usize>)> {
            match event {
                Event::Start(Tag::CodeBlock(_)) => in_code.set(true),
                Event::End(TagEnd::CodeBlock) => in_code.set(false),
                Event::InlineMath(tex) | Event::DisplayMath(tex) if !opts.markdown.math => {
                    return vec![(Event::Text(tex), range)];
                }
                Event::InlineMath(tex) => {
                    let html = math_html(&tex, false, lines.of(range.start));
                    return vec![(Event::InlineHtml(html.into()), range)];
                }
                Event::DisplayMath(tex) => {
                    let html = math_html(&tex, true, lines.of(range.start));
                    return vec![(Event::InlineHtml(html.into()), range)];
                }
                Event::Text(ref t) if !in_code.get() && math::has_placeholder(t) => {
                    return math::pieces(t)
                        .into_iter()
                        .map(|p| match p {
                            Ok(text) => (Event::Text(text.to_string().into()), range.clone()),
                            Err(n) => {
                                let html = formulas.get(n).map_or(String::new(), |f| {
                                    math_html(&f.tex, f.display, f.line)
                                });
                                (Event::InlineHtml(html.into()), range.clone())
                            }
                        })
                        .collect();
                }
                Event::FootnoteReference(label) if kramdown => {
                    // kramdown's ids and markup: `fnref:1` → `fn:1`.
                    let mut numbers = footnote_numbers.borrow_mut();
                    let n = match numbers.iter().position(|l| *l == *label) {
                        Some(i) => i + 1,
                        None => {
                            numbers.push(label.to_string());
                            numbers.len()
                        }
                    };
                    let id = escape(&label);
                    let html = format!("<sup id=\"fnref:{id}\" role=\"doc-noteref\"><a href=\"#fn:{id}\" class=\"footnote\" rel=\"footnote\">{n}</a></sup>");
                    return vec![(Event::InlineHtml(html.into()), range)];
                }
                Event::Text(ref t) if !in_code.get() && !abbreviations.is_empty() => {
                    if let Some(html) = kramdown::mark_abbreviations(t, &abbreviations) {
                        return vec![(Event::InlineHtml(html.into()), range)];
                    }
                }
                _ => {}
            }
            vec![(event, range)]
        })
        .map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                log.borrow_mut().code_starts.push(range);
                Event::Start(Tag::CodeBlock(kind))
            }
            Event::Start(tag @ Tag::Heading { .. }) => {
                log.borrow_mut().heading_line = lines.of(range.start);
                Event::Start(tag)
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let line = lines.of(range.start);
                Event::Start(rewrite_tag(tag, opts, line, &mut log.borrow_mut()))
            }
            other => other,
        });
    // kramdown: attributes of a block IAL on a line of its own, for the
    // paragraph after it; footnotes, collected for the end of the note.
    let mut next_attrs: Option<Attrs> = None;
    let mut footnotes: Vec<(String, String)> = Vec::new();
    let mut summary_done = false;
    let mut depth = 0usize;
    // Events reach the HTML writer as they are made, never all at once: a
    // note's memory stays a small multiple of its size (a note that is one
    // huge table would hold ten event records per cell).
    let mut pending: std::collections::VecDeque<Event> = std::collections::VecDeque::new();
    let mut html = String::with_capacity(markdown.len() * 2);
    let stream = std::iter::from_fn(|| {
        loop {
            if let Some(e) = pending.pop_front() {
                return Some(e);
            }
            let event = parser.next()?;
            match event {
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    let inner: Vec<Event> = parser
                        .by_ref()
                        .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                        .collect();
                    let title = plain_text(&inner);
                    let wanted =
                        id.map(|i| i.to_string())
                            .unwrap_or_else(|| match opts.markdown.ids {
                                Ids::Github => github_id(&title),
                                Ids::Notes => slugify(&title),
                            });
                    let id = unique_id(&wanted, &mut ids);
                    let mut inner_html = String::new();
                    pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                    pending.push_back(Event::Html(
                        heading_html(level, &id, &classes, &attrs, &inner_html).into(),
                    ));
                    out.toc.push(TocEntry {
                        level: level as u8,
                        id,
                        title,
                        line: log.borrow().heading_line,
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
                    out.blocks.push(crate::highlight::key(&info, &code));
                    let range = log.borrow().code_starts.last().cloned().unwrap_or(0..0);
                    if let Some(fallback) = block.fallback {
                        out.fallbacks.push(CodeFallback {
                            line: lines.of(range.start),
                            fallback,
                        });
                    }
                    if let Some(unclosed) = unclosed_fence(markdown, &range, &lines) {
                        out.unclosed_fences.push(unclosed);
                    }
                    pending.push_back(Event::Html(CowStr::from(block.html.to_string())));
                }
                Event::Start(Tag::Paragraph) if kramdown || (depth == 0 && !summary_done) => {
                    let mut inner: Vec<Event> = parser
                        .by_ref()
                        .take_while(|e| !matches!(e, Event::End(TagEnd::Paragraph)))
                        .collect();
                    let mut attrs = next_attrs.take().unwrap_or_default();
                    if kramdown {
                        match apply_ials(&mut inner) {
                            Placed::Paragraph(a) => attrs.merge(a),
                            Placed::Next(a) => {
                                // A line of nothing but an IAL: for the
                                // paragraph after it, never printed.
                                next_attrs = Some(a);
                                continue;
                            }
                        }
                    }
                    let text = plain_text(&inner);
                    if depth == 0 && !summary_done && !text.trim().is_empty() {
                        out.summary = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        summary_done = true;
                    }
                    if attrs.is_empty() {
                        pending.push_back(Event::Start(Tag::Paragraph));
                        pending.extend(inner);
                        pending.push_back(Event::End(TagEnd::Paragraph));
                    } else {
                        pending.push_back(Event::Html(format!("<p{}>", attrs.html()).into()));
                        pending.extend(inner);
                        pending.push_back(Event::Html("</p>\n".into()));
                    }
                }
                Event::Start(Tag::FootnoteDefinition(label)) if kramdown => {
                    let inner: Vec<Event> = parser
                        .by_ref()
                        .take_while(|e| !matches!(e, Event::End(TagEnd::FootnoteDefinition)))
                        .collect();
                    let mut body = String::new();
                    pulldown_cmark::html::push_html(&mut body, inner.into_iter());
                    out.anchors.push(format!("fn:{label}"));
                    out.anchors.push(format!("fnref:{label}"));
                    footnotes.push((label.to_string(), body));
                }
                Event::Start(Tag::FootnoteDefinition(ref label)) => {
                    out.anchors.push(label.to_string());
                    depth += 1;
                    pending.push_back(event);
                }
                Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Table(_)) => {
                    depth += 1;
                    pending.push_back(event);
                }
                Event::End(
                    TagEnd::BlockQuote(_)
                    | TagEnd::List(_)
                    | TagEnd::Table
                    | TagEnd::FootnoteDefinition,
                ) => {
                    depth = depth.saturating_sub(1);
                    pending.push_back(event);
                }
                other => pending.push_back(other),
            }
        }
    });
    pulldown_cmark::html::push_html(&mut html, stream);
    if !footnotes.is_empty() {
        html.push_str(&kramdown_footnotes(footnotes, &footnote_numbers.borrow()));
    }
    out.html_hash = xxhash_rust::xxh3::xxh3_128(html.as_bytes());
    out.html = Some(html.into());
    let log = log.into_inner();
    out.anchors.extend(out.toc.iter().map(|t| t.id.clone()));
    out.links = log.links;
    out.broken_links = log.broken;
    out.math_errors = log.math_errors;
    out
}

/// kramdown's footnotes at the end of a note: in the order first
/// referenced (then the unreferenced ones), each with its way back.
fn kramdown_footnotes(mut notes: Vec<(String, String)>, order: &[String]) -> String {
    notes.sort_by_key(|(label, _)| order.iter().position(|l| l == label).unwrap_or(usize::MAX));
    let mut out = String::from("<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n");
    for (label, body) in notes {
        let id = escape(&label);
        let back = format!(
            "&nbsp;<a href=\"#fnref:{id}\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a>"
        );
        let body = match body.trim_end().strip_suffix("</p>") {
            Some(head) => format!("{head}{back}</p>\n"),
            None => format!("{body}{back}\n"),
        };
        out.push_str(&format!(
            "<li id=\"fn:{id}\" role=\"doc-endnote\">\n{body}</li>\n"
        ));
    }
    out.push_str("</ol>\n</div>\n");
    out
}

/// Where a paragraph's IALs put their attributes.
enum Placed {
    /// On the paragraph (a block IAL on its first or last line).
    Paragraph(Attrs),
    /// The paragraph was nothing but an IAL: for the next one.
    Next(Attrs),
}

/// Applies kramdown's IALs in a paragraph: a span IAL (`*x*{: .caption}`,
/// `![](a.jpg){: .responsive}`) to the element it follows, which is then
/// written with its attributes; a block IAL on the paragraph's first or
/// last line to the paragraph. None of them is left as text.
fn apply_ials(inner: &mut Vec<Event>) -> Placed {
    coalesce_text(inner);
    if let [Event::Text(t)] = inner.as_slice()
        && let Some(attrs) = kramdown::only_ials(t)
    {
        return Placed::Next(attrs);
    }
    let mut block = Attrs::default();
    let is_break = |e: &Event| matches!(e, Event::SoftBreak | Event::HardBreak);
    if let Some(Event::Text(t)) = inner.first()
        && let Some(attrs) = kramdown::only_ials(t)
        && inner.get(1).is_some_and(is_break)
    {
        block.merge(attrs);
        inner.drain(..2);
    }
    let n = inner.len();
    if n >= 2
        && let Event::Text(t) = &inner[n - 1]
        && let Some(attrs) = kramdown::only_ials(t)
        && is_break(&inner[n - 2])
    {
        block.merge(attrs);
        inner.truncate(n - 2);
    }
    let mut open: Vec<usize> = Vec::new();
    let mut closed: Option<(usize, usize)> = None;
    for i in 0..inner.len() {
        match &inner[i] {
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. },
            ) => {
                open.push(i);
                closed = None;
            }
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => {
                closed = open.pop().map(|start| (start, i));
            }
            Event::Code(_) => closed = Some((i, i)),
            Event::Text(t) if t.starts_with("{:") => {
                if let (Some((start, end)), Some((attrs, rest))) = (closed, kramdown::ial(t))
                    && end + 1 == i
                {
                    let rest = rest.to_string();
                    with_attrs(inner, start, end, &attrs);
                    inner[i] = Event::Text(rest.into());
                }
                closed = None;
            }
            _ => closed = None,
        }
    }
    Placed::Paragraph(block)
}

/// Writes the element from `start` to `end` of `events` with `attrs`.
fn with_attrs(events: &mut [Event], start: usize, end: usize, attrs: &Attrs) {
    let a = attrs.html();
    let (open, close) = match &events[start] {
        Event::Start(Tag::Emphasis) => (format!("<em{a}>"), "</em>".to_string()),
        Event::Start(Tag::Strong) => (format!("<strong{a}>"), "</strong>".to_string()),
        Event::Start(Tag::Strikethrough) => (format!("<del{a}>"), "</del>".to_string()),
        Event::Start(Tag::Link {
            dest_url, title, ..
        }) => {
            let title = if title.is_empty() {
                String::new()
            } else {
                format!(" title=\"{}\"", escape(title))
            };
            (
                format!("<a href=\"{}\"{title}{a}>", escape(dest_url)),
                "</a>".to_string(),
            )
        }
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => {
            let alt = plain_text(&events[start + 1..end]);
            let title = if title.is_empty() {
                String::new()
            } else {
                format!(" title=\"{}\"", escape(title))
            };
            let img = format!(
                "<img src=\"{}\" alt=\"{}\"{title}{a} />",
                escape(dest_url),
                escape(&alt)
            );
            events[start] = Event::InlineHtml(img.into());
            for e in &mut events[start + 1..=end] {
                *e = Event::InlineHtml("".into());
            }
            return;
        }
        Event::Code(code) => {
            events[start] = Event::InlineHtml(format!("<code{a}>{}</code>", escape(code)).into());
            return;
        }
        _ => return,
    };
    events[start] = Event::InlineHtml(open.into());
    events[end] = Event::InlineHtml(close.into());
}

/// Joins neighbouring text events (pulldown-cmark splits text at some
/// characters), so that an IAL reads as one.
fn coalesce_text(events: &mut Vec<Event>) {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for e in events.drain(..) {
        match (out.last_mut(), e) {
            (Some(Event::Text(a)), Event::Text(b)) => {
                *a = format!("{a}{b}").into();
            }
            (_, e) => out.push(e),
        }
    }
    *events = out;
}

/// GitHub's heading ids, which kramdown's (with `input: GFM`) are too:
/// lower case; every character that is not a letter, mark, digit, `_`,
/// `-` or space dropped; each space made `-` (`Memory Leaks & the Service
/// Approach` → `memory-leaks--the-service-approach`).
pub fn github_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c == ' ' {
            id.push('-');
        } else if c.is_alphanumeric() || c == '_' || c == '-' || is_combining_mark(c) {
            id.extend(c.to_lowercase());
        }
    }
    if id.is_empty() { "section".into() } else { id }
}

/// Finds a fenced block that swallows what follows it (see
/// [`UnclosedFence`]). pulldown-cmark parses such blocks as CommonMark
/// says; the author almost never meant that.
fn unclosed_fence(
    markdown: &str,
    range: &std::ops::Range<usize>,
    lines: &Lines,
) -> Option<UnclosedFence> {
    let block = &markdown[range.clone()];
    let opening = block.lines().next()?.trim_start();
    let fence_char = opening.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let fence_len = opening.chars().take_while(|c| *c == fence_char).count();
    let fence: String = std::iter::repeat_n(fence_char, fence_len).collect();
    let body: Vec<&str> = block.trim_end().lines().collect();
    let last = body.last().map_or("", |l| l.trim());
    let closed = body.len() > 1 && last.len() >= fence_len && last.chars().all(|c| c == fence_char);
    let first_line = lines.of(range.start);
    let inner = if closed {
        &body[1..body.len() - 1]
    } else {
        &body[1..]
    };
    let glued = inner
        .iter()
        .position(|l| l.trim_end().ends_with(&fence) && !l.trim().chars().all(|c| c == fence_char))
        .map(|i| first_line + 1 + i);
    let swallowed_fence = inner
        .iter()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(&fence) && {
                let info = t.trim_start_matches(fence_char).trim();
                !info.is_empty()
                    && info
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-_.,= ".contains(c))
            }
        })
        .map(|i| first_line + 1 + i);
    let runs_to_end = !closed && range.end >= markdown.trim_end().len();
    (runs_to_end || glued.is_some() || swallowed_fence.is_some()).then(|| UnclosedFence {
        line: first_line,
        end_line: first_line + body.len().saturating_sub(1),
        runs_to_end,
        glued,
        swallowed_fence,
    })
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

/// Rewrites a link's target: a note's source file becomes the note's URL,
/// a root-relative path goes under the site's base path.
fn rewrite_tag<'a>(tag: Tag<'a>, opts: &RenderOptions, line: usize, log: &mut LinkLog) -> Tag<'a> {
    let mut fix = |dest: CowStr<'a>, is_link: bool| -> CowStr<'a> {
        if is_link {
            if let Some(fragment) = dest.strip_prefix('#') {
                log.links.push(NoteLink {
                    line,
                    target: None,
                    fragment: Some(fragment.to_string()),
                });
                return dest;
            }
            match opts.links.resolve(&dest) {
                Some(Ok((target, url))) => {
                    let fragment = dest.split_once('#').map(|(_, f)| f.to_string());
                    let url = match &fragment {
                        Some(f) => format!("{url}#{f}"),
                        None => url,
                    };
                    log.links.push(NoteLink {
                        line,
                        target: Some(target),
                        fragment,
                    });
                    return url.into();
                }
                Some(Err(why)) => {
                    log.broken.push((line, why));
                    return dest;
                }
                None => {}
            }
        }
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
            dest_url: fix(dest_url, true),
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
            dest_url: fix(dest_url, false),
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
                links: &NoLinks,
                markdown: Default::default(),
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
        assert!(html(&r).contains(
            "<h2 id=\"install-cffi\">Install cffi<a class=\"anchor\" href=\"#install-cffi\""
        ));
        assert_eq!(r.toc[2].level, 3);
    }

    #[test]
    fn template_syntax_stays_literal_and_math_renders() {
        let r = md(
            "Copy {{path/to/file}} and {% raw %} $$x$$\n\n```bash\ncp {{src}} {{dest}} $$y$$\n```\n",
        );
        assert!(html(&r).contains("{{path/to/file}}"));
        assert!(html(&r).contains("{% raw %}"));
        assert!(html(&r).contains("<annotation encoding=\"application/x-tex\">x</annotation>"));
        assert!(strip_tags(html(&r)).contains("cp {{src}} {{dest}} $$y$$"));
    }

    /// The HTML of a note rendered here (only a build's Markdown cache
    /// leaves it out).
    fn html(r: &Rendered) -> &str {
        r.html.as_deref().expect("render gives the HTML")
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
        assert!(html(&r).contains("<table>"));
        assert!(html(&r).contains("type=\"checkbox\""));
        assert!(html(&r).contains("<del>old</del>"));
        assert!(html(&r).contains("footnote"));
        assert!(r.anchors.contains(&"1".to_string()));
    }

    #[test]
    fn root_relative_links_go_under_base_path() {
        let r = md("[a](/x/) [b](https://e.org/) [c](#h) ![i](/img.png)\n");
        assert!(html(&r).contains("href=\"/notes/x/\""));
        assert!(html(&r).contains("href=\"https://e.org/\""));
        assert!(html(&r).contains("src=\"/notes/img.png\""));
        assert_eq!(
            r.links,
            [NoteLink {
                line: 1,
                target: None,
                fragment: Some("h".into())
            }]
        );
    }

    #[test]
    fn raw_html_passes_through() {
        let r = md("<div class=\"x\">hi</div>\n");
        assert!(html(&r).contains("<div class=\"x\">hi</div>"));
    }

    #[test]
    fn unclosed_fences_are_found_with_the_glued_line() {
        let r = md("Intro\n\n```\nPanicException: call failed```\n\n## Fix\n\nmore\n");
        let expected = UnclosedFence {
            line: 3,
            end_line: 8,
            runs_to_end: true,
            glued: Some(4),
            swallowed_fence: None,
        };
        assert_eq!(r.unclosed_fences, [expected]);
        // The corpus's case: the glued fence closes nothing, and the block
        // runs on until the next fence, swallowing an opening one.
        let r = md("```\nfailed```\n\ntext\n\n  ```bash\n  pip\n  ```\n\nafter\n");
        let expected = UnclosedFence {
            line: 1,
            end_line: 8,
            runs_to_end: false,
            glued: Some(2),
            swallowed_fence: Some(6),
        };
        assert_eq!(r.unclosed_fences, [expected]);
        assert!(md("```\nx\n```\n").unclosed_fences.is_empty());
        assert!(md("```\nx\n```").unclosed_fences.is_empty());
        assert!(md("````\nx\n````\n\ntext\n").unclosed_fences.is_empty());
    }

    struct OneNote;
    impl LinkResolver for OneNote {
        fn resolve(&self, dest: &str) -> Resolved {
            let path = dest.split('#').next()?;
            if !path.ends_with(".md") {
                return None;
            }
            Some(if path == "../en/a-en.md" {
                Ok((7, "/a/".into()))
            } else {
                Err(format!("no note {path}"))
            })
        }
    }

    #[test]
    fn note_links_become_urls_and_missing_ones_are_reported() {
        let h = Highlighter::new();
        let opts = RenderOptions {
            highlighter: &h,
            base_path: "/",
            links: &OneNote,
            markdown: Default::default(),
        };
        let r = render(
            "See [a](../en/a-en.md#fix).\n\nAnd [b](../en/b-en.md).\n",
            &opts,
        );
        assert!(
            html(&r).contains("<a href=\"/a/#fix\">a</a>"),
            "{}",
            html(&r)
        );
        assert_eq!(
            r.links,
            [NoteLink {
                line: 1,
                target: Some(7),
                fragment: Some("fix".into())
            }]
        );
        assert_eq!(r.broken_links, [(3, "no note ../en/b-en.md".to_string())]);
    }
}
