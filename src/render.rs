//! Turns the assembled site into output files through Tera templates.
//!
//! Templates get explicit context only (`site`, `lang`, `page` or
//! `paginator`, `translations`, `alternates`): no template function can
//! reach other pages, so which pages a change affects stays knowable.
//! A site's own `templates/x.html` overrides the built-in `x.html`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::config::{Config, Language};
use crate::error::{Diagnostic, Error, Location};
use crate::highlight::escape;
use crate::i18n::Strings;
use crate::markdown::{Rendered, TocEntry};
use crate::output::{Content, OutputFile, Previous, Writer};
use crate::site::{Site, url_to_file};
use crate::theme::BUILTIN_TEMPLATES;
use crate::translations::{Stale, Translations};

/// The loaded templates, and where each came from for error messages.
pub struct Templates {
    tera: Tera,
    /// A hash of every template's name and text (and of this version of
    /// notes): part of every page's memo key.
    fingerprint: u128,
    /// Template name → the file it came from (a site's own templates).
    user_files: BTreeMap<String, PathBuf>,
}

impl Templates {
    /// Loads the built-in templates, then the site's `templates/` folder
    /// over them. Syntax errors name the template file, line and column.
    pub fn load(config: &Config) -> Result<Templates, Error> {
        let mut sources: BTreeMap<String, String> = BUILTIN_TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let dir = config.root.join("templates");
        let mut user_files = BTreeMap::new();
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    Error::one(
                        Location::file(&dir),
                        format!("could not read templates: {e}"),
                    )
                })?;
                if !entry.file_type().is_file()
                    || entry.file_name().to_string_lossy().starts_with('.')
                {
                    continue;
                }
                let path = entry.path();
                let name = crate::paths::relative(path, &dir);
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Error::one(
                        Location::file(crate::paths::display_path(path)),
                        format!("could not read the template: {e}"),
                    )
                })?;
                sources.insert(name.clone(), text);
                user_files.insert(name, crate::paths::display_path(path));
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml"]);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for (name, text) in &sources {
            for part in [name.as_bytes(), &[0], text.as_bytes(), &[0]] {
                h.update(part);
            }
        }
        let fingerprint = h.digest128();
        let templates = Templates {
            tera,
            user_files,
            fingerprint,
        };
        let mut templates = templates;
        let base = config.site_url.clone();
        templates.tera.register_function(
            "url",
            move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
                let path: String = kwargs.must_get("path")?;
                Ok(base.link(&path))
            },
        );
        if let Err(e) = templates.tera.add_raw_templates(sources) {
            return Err(templates.error(&e, "loading templates"));
        }
        Ok(templates)
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    fn render(
        &self,
        name: &str,
        context: &Context,
        what: &str,
    ) -> Result<std::sync::Arc<[u8]>, Error> {
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| self.error(&e, what))?;
        Ok(out.into())
    }

    /// Points a Tera error at the template file, line and column.
    fn error(&self, e: &tera::Error, what: &str) -> Error {
        let report = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
            _ => None,
        };
        let (location, message) = match report {
            Some(r) => {
                let path = self.template_path(r.filename());
                let span = r.span();
                (
                    Location::new(path, span.start_line, span.start_col + 1),
                    r.message().to_string(),
                )
            }
            None => self.pointed(&e.to_string()),
        };
        Error::one(location, format!("template error while {what}: {message}"))
    }

    /// Errors Tera reports without a span (a block missing from the parent
    /// template, say) still name the place in their text: ` --> name:line:col`.
    fn pointed(&self, message: &str) -> (Location, String) {
        let place = message.lines().find_map(|l| {
            let rest = l.trim_start().strip_prefix("--> ")?;
            let mut parts = rest.rsplitn(3, ':');
            let col: usize = parts.next()?.trim().parse().ok()?;
            let line: usize = parts.next()?.trim().parse().ok()?;
            Some((parts.next()?.to_string(), line, col))
        });
        let text = message
            .lines()
            .next()
            .unwrap_or(message)
            .trim_start_matches("error: ")
            .to_string();
        match place {
            Some((name, line, col)) => (Location::new(self.template_path(&name), line, col), text),
            None => (Location::file("templates"), message.to_string()),
        }
    }

    fn template_path(&self, name: &str) -> PathBuf {
        self.user_files
            .get(name)
            .cloned()
            .unwrap_or_else(|| Path::new("<built-in templates>").join(name))
    }
}

#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    authors: &'a [String],
    url: String,
    base_path: &'a str,
    default_language: &'a str,
    languages: Vec<LangContext<'a>>,
    /// Whether the site has search (`[output.html.search] enable`).
    search: bool,
    generator: &'static str,
}

#[derive(Serialize, Clone)]
struct LangContext<'a> {
    code: &'a str,
    name: &'a str,
    tag: &'a str,
    dir: &'static str,
    /// Link to the language's home page.
    home: String,
    /// Link to the language's search page.
    search: String,
    feed: String,
    /// The feed's media type (`application/atom+xml`, `application/rss+xml`)
    /// and name (`Atom`, `RSS`).
    feed_type: &'static str,
    feed_name: &'static str,
    /// The site title and description in this language.
    title: &'a str,
    description: &'a str,
}

#[derive(Serialize, Clone)]
struct PageContext<'a> {
    title: &'a str,
    lang: &'a str,
    key: &'a str,
    slug: &'a str,
    date: Option<String>,
    date_iso: Option<String>,
    content: &'a str,
    toc: &'a [TocEntry],
    summary: &'a str,
    description: String,
    /// Link (under the base path) and absolute URL of the page.
    url: String,
    permalink: String,
    layout: Option<&'a str>,
    translated: bool,
    generated: bool,
    audio: bool,
    r#type: Option<&'a str>,
    tags: &'a [String],
    model: Option<&'a str>,
    image: Option<&'a serde_json::Value>,
    draft: bool,
    extra: &'a BTreeMap<String, serde_json::Value>,
    source: &'a str,
    /// Every language version of the note, this one included.
    translations: &'a [Translation<'a>],
    /// For a translation: the note it was translated from.
    original: Option<Translation<'a>>,
    /// For a translation whose original changed after it.
    stale: Option<StaleNotice>,
    /// Schema.org `TechArticle` of the page, as JSON safe inside a
    /// `<script>` element.
    json_ld: String,
    /// Code blocks (indexes) of a translation that differ from the
    /// original's, with the original's block each notice links to.
    code_notices: Vec<(usize, Option<usize>)>,
    /// Code blocks of an original that translations' notices link to: they
    /// get an id (`code-1` for the first block).
    code_ids: Vec<usize>,
}

#[derive(Serialize, Clone)]
struct StaleNotice {
    /// When the original changed, `YYYY-MM-DD`, if known.
    date: String,
    /// The original's sections that changed since the translation, when
    /// git history holds the version it was made from.
    sections: Vec<StaleSection>,
    /// The original's language (the sections' titles are in it).
    lang: String,
}

#[derive(Serialize, Clone)]
struct StaleSection {
    title: String,
    /// The section on the original's page.
    url: String,
}

#[derive(Serialize, Clone)]
struct Translation<'a> {
    code: &'a str,
    name: &'a str,
    tag: &'a str,
    dir: &'static str,
    title: &'a str,
    url: String,
    current: bool,
}

#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    href: String,
}

#[derive(Serialize, Clone)]
struct Summary<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    date: Option<String>,
    date_iso: Option<String>,
    summary: &'a str,
    lang: &'a str,
    /// The note's front matter, so that a site's own index template can
    /// split posts from notes (`type`), pin a note (`top`) or show badges.
    front: FrontView<'a>,
}

/// A note's front matter as templates see it: the keys notes reads, and
/// every other key under its own name (`front.top`).
#[derive(Serialize, Clone)]
struct FrontView<'a> {
    r#type: Option<&'a str>,
    layout: Option<&'a str>,
    translated: bool,
    generated: bool,
    audio: bool,
    model: Option<&'a str>,
    image: Option<&'a serde_json::Value>,
    tags: &'a [String],
    #[serde(flatten)]
    extra: &'a BTreeMap<String, serde_json::Value>,
}

impl<'a> FrontView<'a> {
    fn of(front: &'a crate::frontmatter::FrontMatter) -> FrontView<'a> {
        FrontView {
            r#type: front.kind.as_deref(),
            layout: front.layout.as_deref(),
            translated: front.translated,
            generated: front.generated,
            audio: front.audio,
            model: front.model.as_deref(),
            image: front.image.as_ref(),
            tags: &front.tags,
            extra: &front.extra,
        }
    }
}

#[derive(Serialize)]
struct Paginator<'a> {
    pages: Vec<Summary<'a>>,
    number: usize,
    total_pages: usize,
    total_notes: usize,
    previous: Option<String>,
    next: Option<String>,
}

/// Renders the HTML of note `i` (whose Markdown a build took from its
/// cache without the HTML) when one of its pages must render.
pub type HtmlAgain<'a> = &'a (dyn Fn(usize) -> Arc<str> + Sync);

/// Where `notes build` puts pages as they render, and how it gets the HTML
/// of a note it took from the Markdown cache when a page needs it.
#[derive(Clone, Copy)]
pub struct Out<'a> {
    pub writer: &'a Writer,
    pub html: HtmlAgain<'a>,
}

/// Renders every page of the site in parallel. `rendered[i]` is the body of
/// `site.notes[i]`. Unknown layouts are reported once each in `warnings`.
pub fn render_site(
    site: &Site,
    rendered: &[Arc<Rendered>],
    templates: &Templates,
    extra: &Extras,
    out: Option<Out>,
    warnings: &mut Vec<String>,
) -> Result<Vec<OutputFile>, Error> {
    render_selected(
        site,
        rendered,
        templates,
        extra,
        &Selection::all(site),
        out,
        warnings,
    )
}

/// Which pages to render: all of them for a build, the ones a change
/// affects for `serve`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Notes (indexes into `Site::notes`) whose pages to render.
    pub notes: BTreeSet<usize>,
    /// Index pages to render: (language index, page number from 1).
    pub index_pages: BTreeSet<(usize, usize)>,
    /// Languages whose feed to render.
    pub feeds: BTreeSet<usize>,
    pub sitemap: bool,
    pub not_found: bool,
    /// The search page of every language.
    pub search: bool,
}

impl Selection {
    pub fn all(site: &Site) -> Selection {
        Selection {
            notes: (0..site.notes.len()).collect(),
            index_pages: (0..site.languages.len())
                .flat_map(|l| (1..=site.index_pages(l)).map(move |n| (l, n)))
                .collect(),
            feeds: (0..site.languages.len()).collect(),
            sitemap: true,
            not_found: true,
            search: true,
        }
    }
}

/// Renders the selected pages in parallel. With `out` (`notes build`), a
/// note or index page whose inputs are those the last build wrote it from
/// is kept as it is instead of rendered, and the others are written as
/// soon as they are rendered.
pub fn render_selected(
    site: &Site,
    rendered: &[Arc<Rendered>],
    templates: &Templates,
    extra: &Extras,
    selection: &Selection,
    out: Option<Out>,
    warnings: &mut Vec<String>,
) -> Result<Vec<OutputFile>, Error> {
    let site_ctx = site_context(site);
    let mut templates_ctx = Context::new();
    templates_ctx.insert("site", &site_ctx);
    let global = templates_ctx;
    let memo = out.map(|w| {
        let mut h = MemoKey::new(templates.fingerprint);
        h.add(&site_ctx);
        h.add(&extra.strings);
        (w.writer.previous(), h.finish())
    });
    let ctx = Shared {
        site,
        rendered,
        templates,
        global: &global,
        extra,
        memo: memo.as_ref(),
        out,
        group_keys: (0..site.groups.len()).map(|_| OnceLock::new()).collect(),
        lang_contexts: (0..site.languages.len()).map(|_| OnceLock::new()).collect(),
    };
    let layouts = note_templates(site, templates, warnings);
    let notes: Vec<Result<OutputFile, Error>> = selection
        .notes
        .par_iter()
        .map(|&i| render_note(&ctx, &layouts[i], i))
        .collect();
    let index_pages: Vec<Result<OutputFile, Error>> = selection
        .index_pages
        .par_iter()
        .map(|&(l, n)| render_index(&ctx, l, n))
        .collect();
    let feeds: Vec<Result<OutputFile, Error>> = selection
        .feeds
        .par_iter()
        .map(|&l| render_feed(&ctx, l))
        .collect();
    let search_pages: Vec<Result<OutputFile, Error>> = if selection.search && site.config.search {
        (0..site.languages.len())
            .map(|l| render_search_page(&ctx, l))
            .collect()
    } else {
        Vec::new()
    };

    let mut files = Vec::new();
    let mut problems = Vec::new();
    for r in notes
        .into_iter()
        .chain(index_pages)
        .chain(feeds)
        .chain(search_pages)
    {
        match r {
            Ok(f) => files.push(f),
            Err(Error::Input(d)) => problems.extend(d),
            Err(e) => return Err(e),
        }
    }
    // One report per broken template, not one per page that uses it.
    if !problems.is_empty() {
        let unique: BTreeSet<Diagnostic> = problems.into_iter().collect();
        return Err(Error::Input(unique.into_iter().collect()));
    }
    if selection.not_found {
        files.push(render_not_found(&ctx)?);
    }
    if selection.sitemap {
        files.extend(render_sitemap(&ctx, SITEMAP_MAX)?);
        files.extend(render_redirects(&ctx)?);
    }
    Ok(files)
}

/// What rendering needs besides the site and its notes' HTML.
pub struct Extras {
    pub translations: Translations,
    /// Interface text by language code.
    pub strings: BTreeMap<String, Strings>,
    /// Where translations' code differs from their originals'.
    pub drift: crate::drift::SiteDrift,
}

/// Everything the page renderers share.
struct Shared<'a> {
    site: &'a Site,
    rendered: &'a [Arc<Rendered>],
    templates: &'a Templates,
    global: &'a Context,
    extra: &'a Extras,
    /// The last build's output and the hash of what every page shares.
    memo: Option<&'a (&'a Previous, u128)>,
    /// Where `notes build` writes pages as soon as they are rendered.
    out: Option<Out<'a>>,
    /// Per translation group, the memo key parts of its translations
    /// (which is current aside) and of its alternates: the same for each
    /// of its notes' pages, so made once.
    group_keys: Vec<OnceLock<(u128, u128)>>,
    /// Each language's page context (see [`Shared::context`]).
    lang_contexts: Vec<OnceLock<Context>>,
}

/// A hash of a page's template context, fed with the same values the
/// template sees (encoded by `memo`), so two renders with equal keys give
/// equal bytes. The encoding is gathered and hashed in one pass: hashing
/// many small writes costs more than the page it would save.
struct MemoKey(Vec<u8>);

impl MemoKey {
    fn new(seed: u128) -> MemoKey {
        let mut buf = Vec::with_capacity(16 * 1024);
        buf.extend_from_slice(&seed.to_le_bytes());
        MemoKey(buf)
    }

    fn add<T: Serialize + ?Sized>(&mut self, value: &T) {
        crate::memo::encode(value, &mut self.0);
    }

    fn finish(&self) -> u128 {
        xxhash_rust::xxh3::xxh3_128(&self.0)
    }
}

/// A value a page adds to its template context, hashed for the memo key
/// and inserted into the context only when the page is rendered.
trait Part {
    fn hash_into(&self, key: &mut MemoKey);
    fn insert_into(&self, ctx: &mut Context, name: &'static str);
}

impl<T: Serialize> Part for T {
    fn hash_into(&self, key: &mut MemoKey) {
        key.add(self);
    }

    fn insert_into(&self, ctx: &mut Context, name: &'static str) {
        ctx.insert(name, self);
    }
}

/// A note's page context as a memo part: its HTML goes into the key as a
/// hash (copying every page's HTML into its key cost more than hashing
/// it), and its translations are left out of the key (the page's
/// `translations` part holds them). Both are added when the page renders:
/// the HTML, if the build took the note from the Markdown cache, is
/// rendered then.
struct NotePage<'p, 'a> {
    page: PageContext<'a>,
    html_hash: u128,
    /// The page's `translations` part, whose list the page context shares.
    switcher: &'p Switcher<'a>,
}

impl Part for NotePage<'_, '_> {
    fn hash_into(&self, key: &mut MemoKey) {
        key.add(&self.html_hash);
        key.add(&self.page);
    }

    fn insert_into(&self, ctx: &mut Context, name: &'static str) {
        let (shared, i) = (self.switcher.shared, self.switcher.i);
        // Only a build takes notes from the Markdown cache (without HTML),
        // and a build always passes `out`: serve and check render every
        // note's HTML, so the last arm is never taken.
        let html = note_html(shared, i);
        let html = mark_code(shared, i, &self.page, &html);
        let page = PageContext {
            content: &html,
            translations: self.switcher.list(),
            ..self.page.clone()
        };
        ctx.insert(name, &page);
    }
}

/// Note `i`'s translations, as its language switcher lists them: its
/// group's, keyed once per group, plus which of them is the page's. The
/// list is made when the page renders, once for both places it goes.
struct Switcher<'a> {
    shared: &'a Shared<'a>,
    i: usize,
    list: OnceLock<Vec<Translation<'a>>>,
}

impl<'a> Switcher<'a> {
    fn new(shared: &'a Shared<'a>, i: usize) -> Switcher<'a> {
        Switcher {
            shared,
            i,
            list: OnceLock::new(),
        }
    }

    fn list(&self) -> &[Translation<'a>] {
        self.list
            .get_or_init(|| translations_of(self.shared.site, self.i))
    }
}

impl Part for Switcher<'_> {
    fn hash_into(&self, key: &mut MemoKey) {
        let (group_key, _) = self.shared.group_keys(self.i);
        let members = &self.shared.site.group(self.i).members;
        key.add(&(group_key, members.iter().position(|&m| m == self.i)));
    }

    fn insert_into(&self, ctx: &mut Context, name: &'static str) {
        ctx.insert(name, self.list());
    }
}

/// Note `i`'s hreflang alternates: its group's, keyed once per group.
struct Alternates<'a> {
    shared: &'a Shared<'a>,
    i: usize,
}

impl Part for Alternates<'_> {
    fn hash_into(&self, key: &mut MemoKey) {
        key.add(&self.shared.group_keys(self.i).1);
    }

    fn insert_into(&self, ctx: &mut Context, name: &'static str) {
        ctx.insert(name, &alternates_of(self.shared.site, self.i));
    }
}

impl<'a> Shared<'a> {
    /// The memo key parts of note `i`'s group: its translations (none
    /// current) and its alternates.
    fn group_keys(&self, i: usize) -> (u128, u128) {
        let g = self.site.group_of[i];
        *self.group_keys[g].get_or_init(|| {
            let mut translations = translations_of(self.site, i);
            for t in &mut translations {
                t.current = false;
            }
            let hash = |part: &dyn Fn(&mut MemoKey)| {
                let mut key = MemoKey::new(0);
                part(&mut key);
                key.finish()
            };
            (
                hash(&|k| k.add(&translations)),
                hash(&|k| k.add(&alternates_of(self.site, i))),
            )
        })
    }
}

impl Shared<'_> {
    /// Renders `template` into `path` unless the last build wrote that file
    /// from the same inputs: `parts` is everything the page adds to the
    /// shared context.
    fn page(
        &self,
        path: String,
        template: &str,
        lang: Option<&Language>,
        parts: &[(&'static str, &dyn Part)],
        what: impl FnOnce() -> String,
    ) -> Result<OutputFile, Error> {
        let key = self.memo.map(|(previous, shared)| {
            let mut h = MemoKey::new(*shared);
            h.add(template);
            h.add(&lang.map(|l| &l.code));
            for (name, value) in parts {
                h.add(name);
                value.hash_into(&mut h);
            }
            (previous, h.finish())
        });
        if let Some((previous, key)) = key
            && let Some(content) = previous.reuse(&path, key)
        {
            return Ok(OutputFile {
                path,
                content,
                key: Some(key),
            });
        }
        let mut ctx = match lang {
            Some(lang) => self.context(lang),
            None => self.global.clone(),
        };
        for (name, value) in parts {
            value.insert_into(&mut ctx, name);
        }
        let file = OutputFile {
            content: Content::Bytes(self.templates.render(template, &ctx, &what())?),
            path,
            key: key.map(|(_, k)| k),
        };
        match self.out {
            Some(out) => out.writer.write(file),
            None => Ok(file),
        }
    }

    /// A page's context: the shared one plus its language and text, made
    /// once per language (a clone shares its values).
    fn context(&self, lang: &Language) -> Context {
        let made = |lang: &Language| {
            let mut ctx = self.global.clone();
            ctx.insert("lang", &lang_context(self.site, lang));
            if let Some(strings) = self
                .extra
                .strings
                .get(&lang.code)
                .or_else(|| self.extra.strings.get("en"))
            {
                ctx.insert("t", strings);
            }
            ctx
        };
        match self.site.languages.iter().position(|l| l.code == lang.code) {
            Some(l) => self.lang_contexts[l].get_or_init(|| made(lang)).clone(),
            None => made(lang),
        }
    }
}

/// The template each note renders with: its `layout:` when the theme has
/// it, else `note.html`.
fn note_templates(site: &Site, templates: &Templates, warnings: &mut Vec<String>) -> Vec<String> {
    let mut unknown: BTreeMap<&str, (usize, &Path)> = BTreeMap::new();
    let chosen = site
        .notes
        .iter()
        .map(|n| match n.note.front.layout.as_deref() {
            Some(layout) if templates.has(&format!("{layout}.html")) => format!("{layout}.html"),
            Some(layout) => {
                let e = unknown.entry(layout).or_insert((0, &n.note.source.path));
                e.0 += 1;
                "note.html".into()
            }
            None => "note.html".into(),
        })
        .collect();
    for (layout, (count, first)) in unknown {
        warnings.push(format!(
            "{}: unknown layout `{layout}` (used by {count} note{}): no templates/{layout}.html, using note.html",
            first.display(),
            if count == 1 { "" } else { "s" }
        ));
    }
    chosen
}

fn site_context(site: &Site) -> SiteContext<'_> {
    let c = &site.config;
    SiteContext {
        title: &c.title,
        description: &c.description,
        authors: &c.authors,
        url: c.site_url.full(),
        base_path: &c.site_url.base_path,
        default_language: &c.default_language,
        languages: site
            .languages
            .iter()
            .map(|l| lang_context(site, l))
            .collect(),
        search: c.search,
        generator: concat!("notes ", env!("CARGO_PKG_VERSION")),
    }
}

fn lang_context<'a>(site: &'a Site, l: &'a Language) -> LangContext<'a> {
    let c = &site.config;
    LangContext {
        code: &l.code,
        name: &l.name,
        tag: &l.tag,
        dir: l.dir.as_str(),
        home: c.site_url.link(&site.home_url(&l.code)),
        search: c.site_url.link(&site.search_url(&l.code)),
        feed: c.site_url.link(&site.feed_url(&l.code)),
        feed_type: match c.feed.format {
            crate::config::FeedFormat::Atom => "application/atom+xml",
            crate::config::FeedFormat::Rss => "application/rss+xml",
        },
        feed_name: match c.feed.format {
            crate::config::FeedFormat::Atom => "Atom",
            crate::config::FeedFormat::Rss => "RSS",
        },
        title: l.title.as_deref().unwrap_or(&c.title),
        description: l.description.as_deref().unwrap_or(&c.description),
    }
}

fn language<'a>(site: &'a Site, code: &str) -> &'a Language {
    site.language(code).unwrap_or_else(|| &site.languages[0])
}

/// `2025-06-12` for display and `2025-06-12T00:00:00Z` for machines.
fn dates(date: Option<jiff::civil::DateTime>) -> (Option<String>, Option<String>) {
    // Written digit by digit for years of four digits (jiff's formatter,
    // like `format!`, costs as much as the rest of a kept page's memo
    // key); by jiff for the others.
    if let Some(d) = date.filter(|d| (1..=9999).contains(&d.year())) {
        let digits = |out: &mut String, n: i32, width: u32| {
            for k in (0..width).rev() {
                out.push(char::from(b'0' + (n / 10i32.pow(k) % 10) as u8));
            }
        };
        let mut day = String::with_capacity(10);
        digits(&mut day, d.year().into(), 4);
        for (sep, n) in [('-', d.month()), ('-', d.day())] {
            day.push(sep);
            digits(&mut day, n.into(), 2);
        }
        let mut iso = String::with_capacity(20);
        iso.push_str(&day);
        for (sep, n) in [('T', d.hour()), (':', d.minute()), (':', d.second())] {
            iso.push(sep);
            digits(&mut iso, n.into(), 2);
        }
        iso.push('Z');
        return (Some(day), Some(iso));
    }
    match date {
        Some(d) => (
            Some(d.date().to_string()),
            Some(format!("{}Z", d.strftime("%Y-%m-%dT%H:%M:%S"))),
        ),
        None => (None, None),
    }
}

/// The meta description: front matter's, else the first paragraph cut at
/// a word (or, for scripts without spaces, a character) near 160 chars.
fn description(front: Option<&str>, summary: &str) -> String {
    if let Some(d) = front.map(str::trim).filter(|d| !d.is_empty()) {
        return d.to_string();
    }
    const MAX: usize = 160;
    if summary.chars().count() <= MAX {
        return summary.to_string();
    }
    let cut: String = summary.chars().take(MAX).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > MAX / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

fn render_note(shared: &Shared, template: &str, i: usize) -> Result<OutputFile, Error> {
    let (site, rendered) = (shared.site, shared.rendered);
    let c = &site.config;
    let n = &site.notes[i];
    let note = &n.note;
    let body = &rendered[i];
    let lang = language(site, &note.lang);
    let (date, date_iso) = dates(note.date);
    let original = shared.extra.translations.original.get(i).copied().flatten();
    let json_ld = json_ld(site, i, original, date_iso.as_deref(), &body.summary);
    let drift = &shared.extra.drift;
    let (code_notices, code_ids) = if c.code_drift_notice {
        let mut notices: Vec<(usize, Option<usize>)> = drift
            .findings
            .get(i)
            .into_iter()
            .flatten()
            .filter_map(|d| d.block.map(|b| (b, d.original_block)))
            .collect();
        notices.dedup_by_key(|n| n.0);
        (notices, drift.linked.get(i).cloned().unwrap_or_default())
    } else {
        (Vec::new(), Vec::new())
    };
    let page = PageContext {
        json_ld,
        code_notices,
        code_ids,
        title: &note.title,
        lang: &note.lang,
        key: &note.key,
        slug: &note.slug,
        date,
        date_iso,
        // Added when the page renders (see `NotePage`).
        content: "",
        toc: &body.toc,
        summary: &body.summary,
        description: description(note.front.description.as_deref(), &body.summary),
        url: c.site_url.link(&n.url),
        permalink: c.site_url.absolute(&n.url),
        layout: note.front.layout.as_deref(),
        translated: note.front.translated,
        generated: note.front.generated,
        audio: note.front.audio,
        r#type: note.front.kind.as_deref(),
        tags: &note.front.tags,
        model: note.front.model.as_deref(),
        image: note.front.image.as_ref(),
        draft: note.front.draft,
        extra: &note.front.extra,
        source: &note.source.rel,
        // Added when the page renders (see `NotePage`).
        translations: &[],
        original: shared
            .extra
            .translations
            .original
            .get(i)
            .copied()
            .flatten()
            .map(|o| version(site, o, false)),
        stale: shared
            .extra
            .translations
            .stale
            .get(i)
            .and_then(Option::as_ref)
            .map(|s| stale_notice(site, rendered, s)),
    };
    let switcher = Switcher::new(shared, i);
    shared.page(
        n.file.clone(),
        template,
        Some(lang),
        &[
            (
                "page",
                &NotePage {
                    page,
                    html_hash: body.html_hash,
                    switcher: &switcher,
                },
            ),
            ("translations", &switcher),
            ("alternates", &Alternates { shared, i }),
        ],
        || format!("rendering {}", note.source.path.display()),
    )
}

/// The versions of note `i` in every language of its group, for its
/// language switcher.
fn translations_of(site: &Site, i: usize) -> Vec<Translation<'_>> {
    site.group(i)
        .members
        .iter()
        .map(|&m| version(site, m, m == i))
        .collect()
}

/// The hreflang links of note `i`'s group, with `x-default`: the default
/// language's version, else the original.
fn alternates_of(site: &Site, i: usize) -> Vec<Alternate> {
    let c = &site.config;
    let group = site.group(i);
    let mut alternates: Vec<Alternate> = group
        .members
        .iter()
        .map(|&m| Alternate {
            hreflang: language(site, &site.notes[m].note.lang).tag.clone(),
            href: c.site_url.absolute(&site.notes[m].url),
        })
        .collect();
    let x_default = group
        .members
        .iter()
        .find(|&&m| site.notes[m].note.lang == c.default_language)
        .or_else(|| {
            group
                .members
                .iter()
                .find(|&&m| !site.notes[m].note.front.translated)
        });
    if let Some(&m) = x_default {
        alternates.push(Alternate {
            hreflang: "x-default".into(),
            href: c.site_url.absolute(&site.notes[m].url),
        });
    }
    alternates
}

/// What machines read of a page (search engines, translation tooling):
/// a schema.org `TechArticle` with its language, dates, and, for a
/// translation, the original it is based on and whether (and by which
/// model, front matter `model`) it was machine-translated. `<` is escaped,
/// so no text of a note can end the `<script>` element.
fn json_ld(
    site: &Site,
    i: usize,
    original: Option<usize>,
    date_iso: Option<&str>,
    summary: &str,
) -> String {
    let n = &site.notes[i];
    let note = &n.note;
    let c = &site.config;
    let lang = language(site, &note.lang);
    let modified = ["last_modified_at", "updated", "lastmod"]
        .iter()
        .find_map(|k| note.front.extra.get(*k))
        .and_then(|v| v.as_str().map(str::to_string))
        .or_else(|| date_iso.map(str::to_string));
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "TechArticle",
        "headline": note.title,
        "inLanguage": lang.tag,
        "url": c.site_url.absolute(&n.url),
        "mainEntityOfPage": c.site_url.absolute(&n.url),
    });
    let map = ld.as_object_mut().expect("a JSON object");
    if !summary.is_empty() {
        map.insert("description".into(), summary.into());
    }
    if let Some(d) = date_iso {
        map.insert("datePublished".into(), d.into());
    }
    if let Some(d) = modified {
        map.insert("dateModified".into(), d.into());
    }
    if let Some(o) = original {
        let on = &site.notes[o];
        let url = c.site_url.absolute(&on.url);
        let work = serde_json::json!({
            "@type": "TechArticle",
            "@id": url,
            "url": url,
            "headline": on.note.title,
            "inLanguage": language(site, &on.note.lang).tag,
        });
        map.insert("isBasedOn".into(), work.clone());
        map.insert("translationOfWork".into(), work);
    }
    if note.front.translated {
        let name = note.front.model.as_deref().unwrap_or("machine translation");
        map.insert(
            "translator".into(),
            serde_json::json!({"@type": "SoftwareApplication", "name": name}),
        );
    }
    serde_json::to_string(&ld)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// A note's HTML with its code blocks marked: ids on an original's blocks
/// that translations link to, and above each block of a translation that
/// differs from its original's, a notice in the page's language linking
/// to the original's block. Blocks are counted in the HTML as in the
/// Markdown; where the counts differ (a block made by a kramdown rewrite)
/// nothing is marked.
fn mark_code(shared: &Shared, i: usize, page: &PageContext, html: &str) -> String {
    const PRE: &str = "<pre class=\"code\"";
    if page.code_notices.is_empty() && page.code_ids.is_empty() {
        return html.to_string();
    }
    let markdown_blocks = shared.extra.drift.blocks.get(i).copied().flatten();
    if markdown_blocks != Some(html.matches(PRE).count()) {
        return html.to_string();
    }
    let lang = &shared.site.notes[i].note.lang;
    let strings = shared
        .extra
        .strings
        .get(lang)
        .or_else(|| shared.extra.strings.get("en"));
    let text = |key: &str| {
        strings
            .and_then(|s| s.get(key))
            .map_or(String::new(), |t| escape(t))
    };
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    let mut k = 0;
    while let Some(at) = rest.find(PRE) {
        out.push_str(&rest[..at]);
        if let (Some(&(_, original_block)), Some(original)) = (
            page.code_notices.iter().find(|n| n.0 == k),
            page.original.as_ref(),
        ) {
            let anchor = original_block.map_or(String::new(), |b| format!("#code-{}", b + 1));
            out.push_str(&format!(
                "<p class=\"notice drift\" role=\"note\">{} <a href=\"{}{anchor}\" hreflang=\"{}\" lang=\"{}\" dir=\"{}\">{}</a></p>\n",
                text("code_differs"),
                escape(&original.url),
                original.tag,
                original.tag,
                original.dir,
                text("original_code")
            ));
        }
        out.push_str(PRE);
        if page.code_ids.contains(&k) {
            out.push_str(&format!(" id=\"code-{}\"", k + 1));
        }
        rest = &rest[at + PRE.len()..];
        k += 1;
    }
    out.push_str(rest);
    out
}

/// One language version of a note, for switchers and notices.
/// What a stale translation's page says: when its original changed and,
/// when known, which of its sections, linked.
fn stale_notice(site: &Site, rendered: &[Arc<Rendered>], s: &Stale) -> StaleNotice {
    let original = &site.notes[s.original];
    let url = site.config.site_url.link(&original.url);
    let sections = s
        .base
        .as_ref()
        .map(|b| {
            let body = &rendered[s.original];
            crate::changes::sections(
                &b.changed,
                &body.toc,
                original.note.body_line,
                &original.note.title,
            )
        })
        .unwrap_or_default()
        .into_iter()
        .map(|section| StaleSection {
            url: match &section.id {
                Some(id) => format!("{url}#{id}"),
                None => url.clone(),
            },
            title: section.title,
        })
        .collect();
    StaleNotice {
        date: s
            .updated
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default(),
        sections,
        lang: original.note.lang.clone(),
    }
}

fn version(site: &Site, m: usize, current: bool) -> Translation<'_> {
    let note = &site.notes[m];
    let l = language(site, &note.note.lang);
    Translation {
        code: &l.code,
        name: &l.name,
        tag: &l.tag,
        dir: l.dir.as_str(),
        title: &note.note.title,
        url: site.config.site_url.link(&note.url),
        current,
    }
}

fn summary<'a>(site: &'a Site, rendered: &'a [Arc<Rendered>], i: usize) -> Summary<'a> {
    let n = &site.notes[i];
    let (date, date_iso) = dates(n.note.date);
    Summary {
        title: &n.note.title,
        url: site.config.site_url.link(&n.url),
        permalink: site.config.site_url.absolute(&n.url),
        date,
        date_iso,
        summary: &rendered[i].summary,
        lang: &n.note.lang,
        front: FrontView::of(&n.note.front),
    }
}

fn render_index(shared: &Shared, l: usize, number: usize) -> Result<OutputFile, Error> {
    let (site, rendered) = (shared.site, shared.rendered);
    let c = &site.config;
    let lang = &site.languages[l];
    let per = c.paginate_by;
    let list = &site.by_language[l];
    let total_pages = site.index_pages(l);
    let start = (number - 1) * per;
    let pages = list[start.min(list.len())..(start + per).min(list.len())]
        .iter()
        .map(|&i| summary(site, rendered, i))
        .collect();
    let paginator = Paginator {
        pages,
        number,
        total_pages,
        total_notes: list.len(),
        previous: (number > 1).then(|| c.site_url.link(&site.index_url(&lang.code, number - 1))),
        next: (number < total_pages)
            .then(|| c.site_url.link(&site.index_url(&lang.code, number + 1))),
    };
    let url = site.index_url(&lang.code, number);
    let alternates: Vec<Alternate> = if number == 1 {
        site.languages
            .iter()
            .map(|o| Alternate {
                hreflang: o.tag.clone(),
                href: c.site_url.absolute(&site.home_url(&o.code)),
            })
            .chain(std::iter::once(Alternate {
                hreflang: "x-default".into(),
                href: c.site_url.absolute("/"),
            }))
            .collect()
    } else {
        Vec::new()
    };
    let translations = language_links(site, lang, |code| site.home_url(code));
    shared.page(
        url_to_file(&url),
        "index.html",
        Some(lang),
        &[
            ("paginator", &paginator),
            ("translations", &translations),
            ("alternates", &alternates),
            ("canonical", &c.site_url.absolute(&url)),
        ],
        || format!("rendering the index {url}"),
    )
}

#[derive(Serialize, Clone)]
struct Feed<'a> {
    title: String,
    id: String,
    url: String,
    home: String,
    updated: String,
    /// `updated` as RSS writes dates (RFC 2822).
    updated_rfc2822: String,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Serialize, Clone)]
struct FeedEntry<'a> {
    id: String,
    date_rfc2822: Option<String>,
    /// The note's HTML, in a feed of full notes (`content = "full"`); set
    /// only when the feed renders.
    content: Option<String>,
    #[serde(flatten)]
    note: Summary<'a>,
}

/// A feed as a template part: its memo key holds its notes' HTML hashes
/// when it carries their HTML, which it takes only to render.
struct FeedPart<'a> {
    shared: &'a Shared<'a>,
    feed: Feed<'a>,
    /// The notes whose HTML the entries carry (`content = "full"`).
    full: Option<Vec<usize>>,
}

impl Part for FeedPart<'_> {
    fn hash_into(&self, key: &mut MemoKey) {
        key.add(&self.feed);
        if let Some(notes) = &self.full {
            for &i in notes {
                key.add(&self.shared.rendered[i].html_hash);
            }
        }
    }

    fn insert_into(&self, ctx: &mut Context, name: &'static str) {
        let mut feed = self.feed.clone();
        if let Some(notes) = &self.full {
            for (entry, &i) in feed.entries.iter_mut().zip(notes) {
                entry.content = Some(note_html(self.shared, i).to_string());
            }
        }
        ctx.insert(name, &feed);
    }
}

/// Note `i`'s HTML, rendered again when the build took its Markdown from
/// the cache without it.
fn note_html(shared: &Shared, i: usize) -> Arc<str> {
    match (&shared.rendered[i].html, shared.out) {
        (Some(html), _) => html.clone(),
        (None, Some(out)) => (out.html)(i),
        (None, None) => Arc::from(""),
    }
}

/// A date as RSS writes it: `Thu, 12 Jun 2025 10:30:00 +0000`.
fn rfc2822(d: jiff::civil::DateTime) -> String {
    d.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn render_feed(shared: &Shared, l: usize) -> Result<OutputFile, Error> {
    let (site, rendered) = (shared.site, shared.rendered);
    let c = &site.config;
    let lang = &site.languages[l];
    let list = &site.by_language[l];
    let limit = c.feed_limit.unwrap_or(usize::MAX);
    let chosen: Vec<usize> = list.iter().copied().take(limit).collect();
    // The feed changes only when its notes do: its date is the newest note's.
    let newest = list.iter().filter_map(|&i| site.notes[i].note.date).max();
    let updated = newest.map_or_else(
        || "1970-01-01T00:00:00Z".to_string(),
        |d| format!("{}Z", d.strftime("%Y-%m-%dT%H:%M:%S")),
    );
    let epoch = jiff::civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0);
    let feed_url = site.feed_url(&lang.code);
    let feed = Feed {
        title: lang.title.clone().unwrap_or_else(|| c.title.clone()),
        id: feed_id(c, &feed_url),
        url: c.site_url.absolute(&feed_url),
        home: c.site_url.absolute(&site.home_url(&lang.code)),
        updated,
        updated_rfc2822: rfc2822(newest.unwrap_or(epoch)),
        entries: chosen
            .iter()
            .map(|&i| FeedEntry {
                id: feed_id(c, &site.notes[i].url),
                date_rfc2822: site.notes[i].note.date.map(rfc2822),
                content: None,
                note: summary(site, rendered, i),
            })
            .collect(),
    };
    let full = (c.feed.content == crate::config::FeedContent::Full).then_some(chosen);
    let template = match c.feed.format {
        crate::config::FeedFormat::Atom => "atom.xml",
        crate::config::FeedFormat::Rss => "rss.xml",
    };
    let part = FeedPart { shared, feed, full };
    shared.page(
        feed_url.trim_start_matches('/').to_string(),
        template,
        Some(lang),
        &[("feed", &part)],
        || format!("rendering the feed {feed_url}"),
    )
}

/// Atom ids must be absolute IRIs: the URL when the site-url has a host,
/// else a `tag:`-like URN built from the path.
fn feed_id(c: &Config, url: &str) -> String {
    if c.site_url.origin.is_empty() {
        format!("urn:notes:{}", url.trim_matches('/'))
    } else {
        c.site_url.absolute(url)
    }
}

fn render_not_found(shared: &Shared) -> Result<OutputFile, Error> {
    let site = shared.site;
    let lang = language(site, &site.config.default_language);
    // Each language's "Not found", for a page that cannot know its reader's.
    let not_found: Vec<BTreeMap<&str, &str>> = site
        .languages
        .iter()
        .filter_map(|l| {
            let text = shared.extra.strings.get(&l.code)?.get("not_found")?;
            Some(BTreeMap::from([
                ("tag", l.tag.as_str()),
                ("dir", l.dir.as_str()),
                ("text", text.as_str()),
            ]))
        })
        .collect();
    shared.page(
        "404.html".into(),
        "404.html",
        Some(lang),
        &[
            ("not_found", &not_found),
            ("translations", &Vec::<Translation>::new()),
            ("alternates", &Vec::<Alternate>::new()),
        ],
        || "rendering 404.html".into(),
    )
}

#[derive(Serialize)]
struct SitemapEntry<'a> {
    loc: String,
    lastmod: Option<String>,
    alternates: Vec<Alternate>,
    /// The note's front matter (none for a language's home page).
    front: Option<FrontView<'a>>,
}

/// The language switcher of a page every language has (a home, a search
/// page): each language's version at `url_of(code)`.
fn language_links<'a>(
    site: &'a Site,
    lang: &Language,
    url_of: impl Fn(&str) -> String,
) -> Vec<Translation<'a>> {
    let c = &site.config;
    site.languages
        .iter()
        .map(|o| Translation {
            code: &o.code,
            name: &o.name,
            tag: &o.tag,
            dir: o.dir.as_str(),
            title: o.title.as_deref().unwrap_or(&c.title),
            url: c.site_url.link(&url_of(&o.code)),
            current: o.code == lang.code,
        })
        .collect()
}

/// A language's search page: the box, and results drawn by search.js.
fn render_search_page(shared: &Shared, l: usize) -> Result<OutputFile, Error> {
    let site = shared.site;
    let c = &site.config;
    let lang = &site.languages[l];
    let url = site.search_url(&lang.code);
    let translations = language_links(site, lang, |code| site.search_url(code));
    shared.page(
        url_to_file(&url),
        "search.html",
        Some(lang),
        &[
            ("translations", &translations),
            ("alternates", &Vec::<Alternate>::new()),
            ("canonical", &c.site_url.absolute(&url)),
        ],
        || format!("rendering the search page {url}"),
    )
}

/// URLs per sitemap file. The protocol allows 50,000 URLs and 50 MB; with
/// nine alternates an entry is about 1 KB, so (as Zola does) a larger site
/// gets `sitemap.xml` as an index of `sitemap-1.xml`, `sitemap-2.xml`, ….
const SITEMAP_MAX: usize = 30_000;

/// The pages that send an old URL to its note (see [`Site::redirects`]): a
/// refresh at 0 s, a canonical link, a plain link, `noindex`. Made with the
/// sitemap, which changes whenever a note's URL can.
fn render_redirects(shared: &Shared) -> Result<Vec<OutputFile>, Error> {
    let site = shared.site;
    let c = &site.config;
    site.redirects
        .par_iter()
        .map(|r| {
            let n = &site.notes[r.target];
            let lang = language(site, &n.note.lang);
            let (url, permalink) = (c.site_url.link(&n.url), c.site_url.absolute(&n.url));
            shared.page(
                r.file.clone(),
                "redirect.html",
                Some(lang),
                &[
                    ("title", &n.note.title.as_str()),
                    ("url", &url),
                    ("permalink", &permalink),
                ],
                || format!("rendering the redirect {}", r.url),
            )
        })
        .collect()
}

fn render_sitemap(shared: &Shared, max: usize) -> Result<Vec<OutputFile>, Error> {
    let site = shared.site;
    let c = &site.config;
    let mut entries = Vec::new();
    for l in &site.languages {
        entries.push(SitemapEntry {
            loc: c.site_url.absolute(&site.home_url(&l.code)),
            lastmod: None,
            front: None,
            alternates: site
                .languages
                .iter()
                .map(|o| Alternate {
                    hreflang: o.tag.clone(),
                    href: c.site_url.absolute(&site.home_url(&o.code)),
                })
                .collect(),
        });
    }
    for (i, n) in site.notes.iter().enumerate() {
        let group = site.group(i);
        let alternates = if group.members.len() > 1 {
            group
                .members
                .iter()
                .map(|&m| Alternate {
                    hreflang: language(site, &site.notes[m].note.lang).tag.clone(),
                    href: c.site_url.absolute(&site.notes[m].url),
                })
                .collect()
        } else {
            Vec::new()
        };
        entries.push(SitemapEntry {
            loc: c.site_url.absolute(&n.url),
            lastmod: n.note.date.map(|d| d.date().to_string()),
            alternates,
            front: Some(FrontView::of(&n.note.front)),
        });
    }
    if entries.len() <= max {
        let one = shared.page(
            "sitemap.xml".into(),
            "sitemap.xml",
            None,
            &[("entries", &entries)],
            || "rendering sitemap.xml".into(),
        )?;
        return Ok(vec![one]);
    }
    let chunks: Vec<&[SitemapEntry]> = entries.chunks(max).collect();
    let mut files: Vec<OutputFile> = chunks
        .par_iter()
        .enumerate()
        .map(|(k, chunk)| {
            let name = format!("sitemap-{}.xml", k + 1);
            shared.page(
                name.clone(),
                "sitemap.xml",
                None,
                &[("entries", chunk)],
                || format!("rendering {name}"),
            )
        })
        .collect::<Result<_, Error>>()?;
    let sitemaps: Vec<String> = (1..=chunks.len())
        .map(|k| c.site_url.absolute(&format!("/sitemap-{k}.xml")))
        .collect();
    files.push(shared.page(
        "sitemap.xml".into(),
        "sitemap_index.xml",
        None,
        &[("sitemaps", &sitemaps)],
        || "rendering sitemap.xml".into(),
    )?);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_jiff_writes_them() {
        for (y, mo, d, h, mi, sec) in [
            (2025, 6, 12, 0, 0, 0),
            (1, 1, 1, 23, 59, 59),
            (999, 12, 31, 9, 5, 7),
            (9999, 2, 28, 12, 30, 1),
        ] {
            let t = jiff::civil::date(y, mo, d).at(h, mi, sec, 0);
            let jiffs = (
                t.date().to_string(),
                format!("{}Z", t.strftime("%Y-%m-%dT%H:%M:%S")),
            );
            assert_eq!(dates(Some(t)), (Some(jiffs.0), Some(jiffs.1)));
        }
        assert_eq!(dates(None), (None, None));
    }

    #[test]
    fn a_large_sitemap_is_split_under_an_index() {
        let config = Config::from_str(
            Path::new("s"),
            "[output.html]\nsite-url = \"https://e.org/x/\"\n[languages.en]\n[languages.de]\n",
        )
        .unwrap();
        let notes = (0..5)
            .map(|k| {
                let source = crate::discover::SourceFile {
                    path: Path::new("content").join(format!("n{k}.md")),
                    rel: format!("n{k}.md"),
                };
                crate::note::parse(&source, b"---\ntitle: t\n---\nx\n", &config).unwrap()
            })
            .collect();
        let site = Site::assemble(config, notes, &mut Vec::new()).unwrap();
        let templates = Templates::load(&site.config).unwrap();
        let extras = Extras {
            translations: crate::translations::analyze(&site),
            strings: BTreeMap::new(),
            drift: Default::default(),
        };
        let global = Context::new();
        let shared = Shared {
            site: &site,
            rendered: &[],
            templates: &templates,
            global: &global,
            extra: &extras,
            memo: None,
            out: None,
            group_keys: Vec::new(),
            lang_contexts: Vec::new(),
        };
        let text = |f: &OutputFile| match &f.content {
            Content::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
            other => panic!("{other:?}"),
        };
        // Two homes and five notes: one file up to seven URLs.
        let one = render_sitemap(&shared, 7).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(text(&one[0]).matches("<url>").count(), 7);
        // Three per file: sitemap-1..3 and an index naming them.
        let split = render_sitemap(&shared, 3).unwrap();
        let paths: Vec<&str> = split.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml",
                "sitemap.xml"
            ]
        );
        let counts: Vec<usize> = split[..3]
            .iter()
            .map(|f| text(f).matches("<url>").count())
            .collect();
        assert_eq!(counts, [3, 3, 1]);
        let index = text(&split[3]);
        assert!(index.contains("<sitemapindex"));
        assert!(
            index.contains("<loc>https://e.org/x/sitemap-3.xml</loc>"),
            "{index}"
        );
    }

    #[test]
    fn description_prefers_front_matter_and_cuts_at_words() {
        assert_eq!(description(Some(" Fix "), "long"), "Fix");
        let long = "word ".repeat(60);
        let d = description(None, long.trim());
        assert!(d.ends_with('…') && d.chars().count() <= 161, "{d}");
        assert!(!d.contains("wor…"));
        let cjk = "字".repeat(200);
        assert_eq!(description(None, &cjk).chars().count(), 161);
    }
}
