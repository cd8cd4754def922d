//! The site's configuration, read from `book.toml`. Key names follow mdBook
//! where mdBook has the same notion (`[book] src`, `[build] build-dir`,
//! `[output.html] site-url`, `cname`), so that a user coming from mdBook finds
//! them where they expect. Unknown keys are errors: a typo must not be
//! silently ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, line_col};

/// The name of the config file in a site's root.
pub const CONFIG_FILE: &str = "book.toml";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    book: BookSection,
    #[serde(default)]
    build: BuildSection,
    #[serde(default)]
    output: OutputSection,
    #[serde(default)]
    markdown: MarkdownSection,
    #[serde(default, deserialize_with = "ordered_map")]
    languages: Vec<(String, LanguageSection)>,
}

/// `[markdown]`: which Markdown the notes are written in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MarkdownSection {
    #[serde(default)]
    flavour: Flavour,
    ids: Option<Ids>,
    #[serde(default = "default_true")]
    math: bool,
}

impl Default for MarkdownSection {
    fn default() -> Self {
        MarkdownSection {
            flavour: Flavour::default(),
            ids: None,
            math: true,
        }
    }
}

/// The Markdown the notes were written for.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// CommonMark with GitHub's extensions (tables, footnotes, task lists,
    /// strikethrough).
    #[default]
    Gfm,
    /// kramdown as Jekyll runs it (`input: GFM`): attribute lists,
    /// kramdown's footnote ids, typographic quotes and dashes, definition
    /// lists, abbreviations, `{% raw %}` removed.
    Kramdown,
}

/// How heading ids are made.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ids {
    /// GitHub's (and kramdown's with `input: GFM`, the same rule): lower
    /// case, characters that are not letters, digits, `_`, `-` or spaces
    /// dropped, spaces made `-` (`What’s New?` → `whats-new`).
    Github,
    /// notes' earlier rule: every run of other characters made one `-`.
    Notes,
}

/// The Markdown settings rendering needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MarkdownOptions {
    pub flavour: Flavour,
    pub ids: Ids,
    /// Render TeX math to MathML (else the delimiters are kept as written,
    /// for MathJax or KaTeX in the page).
    pub math: bool,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            flavour: Flavour::Gfm,
            ids: Ids::Github,
            math: true,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BookSection {
    #[serde(default = "default_title")]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_src")]
    src: PathBuf,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    prefer: Vec<String>,
    #[serde(default)]
    copy_other_files: bool,
}

impl Default for BookSection {
    fn default() -> Self {
        BookSection {
            title: default_title(),
            description: String::new(),
            authors: Vec::new(),
            language: default_language(),
            src: default_src(),
            exclude: Vec::new(),
            prefer: Vec::new(),
            copy_other_files: false,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BuildSection {
    #[serde(default = "default_build_dir")]
    build_dir: PathBuf,
    /// The largest note read, in MiB: a bigger file is an error at its
    /// first line, not an exhausted machine.
    #[serde(default = "default_max_note_mib")]
    max_note_size: u64,
}

impl Default for BuildSection {
    fn default() -> Self {
        BuildSection {
            build_dir: default_build_dir(),
            max_note_size: default_max_note_mib(),
        }
    }
}

/// 16 MiB: a thousand times a long real note.
fn default_max_note_mib() -> u64 {
    16
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OutputSection {
    #[serde(default)]
    html: HtmlSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct HtmlSection {
    #[serde(default = "default_site_url")]
    site_url: String,
    cname: Option<String>,
    #[serde(default = "default_permalink")]
    permalink: String,
    #[serde(default)]
    permalinks: Vec<FolderPermalink>,
    #[serde(default = "default_paginate_by")]
    paginate_by: usize,
    feed_limit: Option<usize>,
    #[serde(default)]
    highlight: HighlightSection,
    #[serde(default)]
    search: SearchSection,
    #[serde(default)]
    feed: FeedSection,
    /// A translation's page says where its code differs from the original's.
    #[serde(default = "default_true")]
    code_drift_notice: bool,
}

/// `[output.html.feed]`: where each language's feed is and what it holds,
/// so that a blog keeps the feed its readers subscribed to.
#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FeedSection {
    /// The file in each language's home folder (`atom.xml`, `feed.xml`,
    /// `feeds/feed.xml`).
    #[serde(default = "default_feed_path")]
    pub path: String,
    #[serde(default)]
    pub format: FeedFormat,
    /// `summary` (the first paragraph) or `full` (the whole note).
    #[serde(default)]
    pub content: FeedContent,
}

impl Default for FeedSection {
    fn default() -> Self {
        FeedSection {
            path: default_feed_path(),
            format: FeedFormat::default(),
            content: FeedContent::default(),
        }
    }
}

fn default_feed_path() -> String {
    "atom.xml".into()
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    #[default]
    Atom,
    Rss,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum FeedContent {
    #[default]
    Summary,
    Full,
}

/// `[output.html.search]`, as mdBook names it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SearchSection {
    #[serde(default = "default_true")]
    enable: bool,
}

impl Default for SearchSection {
    fn default() -> Self {
        SearchSection { enable: true }
    }
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct HighlightSection {
    #[serde(default = "default_light_theme")]
    theme: String,
    #[serde(default = "default_dark_theme")]
    dark_theme: String,
}

impl Default for HighlightSection {
    fn default() -> Self {
        HighlightSection {
            theme: default_light_theme(),
            dark_theme: default_dark_theme(),
        }
    }
}

fn default_light_theme() -> String {
    crate::highlight::DEFAULT_LIGHT_THEME.into()
}
fn default_dark_theme() -> String {
    crate::highlight::DEFAULT_DARK_THEME.into()
}

impl Default for HtmlSection {
    fn default() -> Self {
        HtmlSection {
            site_url: default_site_url(),
            cname: None,
            permalink: default_permalink(),
            permalinks: Vec::new(),
            paginate_by: default_paginate_by(),
            feed_limit: None,
            highlight: HighlightSection::default(),
            search: SearchSection::default(),
            feed: FeedSection::default(),
            code_drift_notice: true,
        }
    }
}

/// `[[output.html.permalinks]]`: the pattern of the notes in one folder.
#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FolderPermalink {
    /// A folder of the content folder (`_posts`, `notes`, `_notes`); its
    /// notes at any depth take this pattern. `""` is every note.
    pub folder: String,
    pub permalink: String,
    /// Jekyll's rules for `:title` and `:path`: `post`, `page`,
    /// `collection`, or `note` (notes' own).
    #[serde(default)]
    pub kind: crate::permalink::Kind,
}

impl FolderPermalink {
    /// Whether the note at `rel` (in the content folder) is in the folder.
    pub fn holds(&self, rel: &str) -> bool {
        let folder = self.folder.trim_matches('/');
        folder.is_empty() || rel.strip_prefix(folder).is_some_and(|r| r.starts_with('/'))
    }
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LanguageSection {
    name: Option<String>,
    direction: Option<Direction>,
    tag: Option<String>,
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    strings: BTreeMap<String, String>,
}

fn default_title() -> String {
    "Notes".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_src() -> PathBuf {
    "content".into()
}
fn default_build_dir() -> PathBuf {
    "public".into()
}
fn default_site_url() -> String {
    "/".into()
}
fn default_permalink() -> String {
    "/{slug}/".into()
}
fn default_paginate_by() -> usize {
    20
}

/// Reads a TOML table into a list that keeps the document's order, so that
/// the language switcher lists languages in the order the author wrote them.
fn ordered_map<'de, D, V>(deserializer: D) -> Result<Vec<(String, V)>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Ordered<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for Ordered<V> {
        type Value = Vec<(String, V)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a table of languages")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Ordered(std::marker::PhantomData))
}

/// Text direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// A language of the site, configured or met in a note.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    /// The code used in paths and front matter (`hi`, `hant`).
    pub code: String,
    /// The language's own name, shown in the switcher.
    pub name: String,
    /// A valid BCP 47 tag for `lang` and `hreflang` (`hant` → `zh-Hant`).
    pub tag: String,
    pub dir: Direction,
    /// Site title and description in this language, where translated.
    pub title: Option<String>,
    pub description: Option<String>,
    /// False for a code met in a note but not configured in book.toml.
    pub configured: bool,
    /// Interface text overriding the built-in strings (`i18n`).
    pub strings: BTreeMap<String, String>,
}

/// The configuration the rest of the pipeline works from: paths resolved
/// against the site root and URLs normalised.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub authors: Vec<String>,
    pub default_language: String,
    /// Folder holding the notes (`[book] src`), absolute or root-relative.
    pub content_dir: PathBuf,
    pub exclude: Vec<String>,
    /// Where one note (key and language) has copies in several folders,
    /// the copy in the first of these folders is its page; the other
    /// copies' URLs answer with redirects to it (`[book] prefer`).
    pub prefer: Vec<String>,
    /// Copy every file of the content folder that is not a note, outside
    /// `_` and `.` folders, as it is (Jekyll's rule; `[book]
    /// copy-other-files`).
    pub copy_other_files: bool,
    pub output_dir: PathBuf,
    /// The largest note read (`[build] max-note-size`, in MiB).
    pub max_note_bytes: u64,
    pub site_url: SiteUrl,
    pub cname: Option<String>,
    /// `[markdown]`.
    pub markdown: MarkdownOptions,
    pub permalink: String,
    /// Per-folder patterns, the first that holds a note wins.
    pub permalinks: Vec<FolderPermalink>,
    pub paginate_by: usize,
    pub feed_limit: Option<usize>,
    /// `[output.html.feed]`.
    pub feed: FeedSection,
    /// Highlighting themes (two-face names) for light and dark mode.
    pub highlight_theme: String,
    pub highlight_dark_theme: String,
    /// Whether to build the search index, the search pages and boxes.
    pub search: bool,
    /// `[output.html] code-drift-notice`: a translation's page says where
    /// its code differs from its original's.
    pub code_drift_notice: bool,
    /// Configured languages, the default language first, then in the
    /// order of book.toml.
    pub languages: Vec<Language>,
    /// False when the site has no book.toml and runs on defaults.
    pub from_file: bool,
    /// The text of book.toml (empty without one), to point at its lines.
    pub source: String,
}

/// The public address of the site, split so that pages can link with
/// root-relative paths (`base_path`) and feeds with absolute URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl {
    /// `https://user.github.io` or empty for a path-only site-url.
    pub origin: String,
    /// Always starts and ends with `/`: `/` or `/notes/`.
    pub base_path: String,
}

impl SiteUrl {
    pub fn parse(url: &str) -> Result<SiteUrl, String> {
        let url = url.trim();
        let (origin, path) = if let Some(rest) = url
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| url.strip_prefix("http://").map(|r| ("http://", r)))
        {
            let (scheme, rest) = rest;
            let (host, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            if host.is_empty() {
                return Err(format!("site-url `{url}` has no host"));
            }
            (format!("{scheme}{host}"), path.to_string())
        } else if url.starts_with('/') {
            (String::new(), url.to_string())
        } else {
            return Err(format!(
                "site-url `{url}` must be an absolute URL (`https://user.github.io/notes/`) or a path starting with `/`"
            ));
        };
        if path.contains(['?', '#']) {
            return Err(format!(
                "site-url `{url}` must not have a query or fragment"
            ));
        }
        let mut base_path = path;
        if !base_path.ends_with('/') {
            base_path.push('/');
        }
        Ok(SiteUrl { origin, base_path })
    }

    /// The site-url as configured, normalised to end with `/`.
    pub fn full(&self) -> String {
        format!("{}{}", self.origin, self.base_path)
    }

    /// A root-relative link to `path` (a site path starting with `/`).
    pub fn link(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        let mut out = String::with_capacity(self.base_path.len() + path.len());
        out.push_str(&self.base_path);
        out.push_str(path);
        out
    }

    /// An absolute URL where the site-url has an origin, else the same as
    /// [`SiteUrl::link`].
    pub fn absolute(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        let mut out = String::with_capacity(self.origin.len() + self.base_path.len() + path.len());
        for part in [self.origin.as_str(), &self.base_path, path] {
            out.push_str(part);
        }
        out
    }
}

/// Overrides from the command line, applied over book.toml.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub output_dir: Option<PathBuf>,
    pub site_url: Option<String>,
}

/// What loading the config found worth telling the user, without failing.
pub type Notices = Vec<String>;

impl Config {
    /// Where builds keep highlighted code for the next build: a hidden
    /// folder of the site (ignored by notes itself; delete it at any time).
    pub fn highlight_cache(&self) -> PathBuf {
        self.root.join(".notes-cache").join("highlight.bin")
    }

    /// Where builds keep each note's Markdown analysis for the next build.
    pub fn markdown_cache(&self) -> PathBuf {
        self.root.join(".notes-cache").join("markdown.bin")
    }

    /// Reads `root/book.toml`, or returns defaults (and a notice) when the
    /// site has none.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<(Config, Notices), Error> {
        let path = root.join(CONFIG_FILE);
        let mut notices = Vec::new();
        let (raw, from_file) = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let raw = parse_raw(&text, &path)?;
                check_themes(&raw.output.html.highlight, &text, &path)?;
                let mut config = Config::resolve(root, raw, true, overrides, &path)?;
                config.source = text;
                return Ok((config, notices));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                notices.push(format!(
                    "no {CONFIG_FILE} in {}: using defaults (content/ → public/, language en)",
                    root.display()
                ));
                (RawConfig::default(), false)
            }
            Err(e) => return Err(Error::io(&path, "read the config", e)),
        };
        let config = Config::resolve(root, raw, from_file, overrides, &path)?;
        Ok((config, notices))
    }

    /// Parses config text; used by tests and tools that have no file.
    pub fn from_str(root: &Path, text: &str) -> Result<Config, Error> {
        let path = root.join(CONFIG_FILE);
        let raw = parse_raw(text, &path)?;
        check_themes(&raw.output.html.highlight, text, &path)?;
        let mut config = Config::resolve(root, raw, true, &Overrides::default(), &path)?;
        config.source = text.to_string();
        Ok(config)
    }

    fn resolve(
        root: &Path,
        raw: RawConfig,
        from_file: bool,
        overrides: &Overrides,
        path: &Path,
    ) -> Result<Config, Error> {
        let site_url_text = overrides
            .site_url
            .clone()
            .unwrap_or(raw.output.html.site_url);
        let site_url =
            SiteUrl::parse(&site_url_text).map_err(|m| Error::one(Location::file(path), m))?;
        let permalink = raw.output.html.permalink;
        check_permalink(&permalink).map_err(|m| Error::one(Location::file(path), m))?;
        let feed_path = &raw.output.html.feed.path;
        if !crate::paths::is_inside(feed_path) || !feed_path.ends_with(".xml") {
            return Err(Error::one(
                Location::file(path),
                format!(
                    "[output.html.feed] path `{feed_path}` must be a file name inside the site ending in .xml, e.g. feed.xml or feeds/feed.xml"
                ),
            ));
        }
        for rule in &raw.output.html.permalinks {
            check_permalink(&rule.permalink).map_err(|m| Error::one(Location::file(path), m))?;
        }
        if raw.build.max_note_size == 0 || raw.build.max_note_size > 4096 {
            return Err(Error::one(
                Location::file(path),
                "[build] max-note-size is in MiB and must be between 1 and 4096",
            ));
        }
        if raw.output.html.paginate_by == 0 {
            return Err(Error::one(
                Location::file(path),
                "paginate-by must be at least 1",
            ));
        }
        let default_language = raw.book.language.clone();
        let languages = resolve_languages(&default_language, raw.languages)
            .map_err(|m| Error::one(Location::file(path), m))?;
        let output_dir = overrides
            .output_dir
            .clone()
            .unwrap_or_else(|| root.join(&raw.build.build_dir));
        Ok(Config {
            root: root.to_path_buf(),
            title: raw.book.title,
            description: raw.book.description,
            authors: raw.book.authors,
            default_language,
            content_dir: root.join(&raw.book.src),
            exclude: raw.book.exclude,
            prefer: raw.book.prefer,
            copy_other_files: raw.book.copy_other_files,
            output_dir,
            max_note_bytes: raw.build.max_note_size << 20,
            site_url,
            cname: raw.output.html.cname.filter(|c| !c.trim().is_empty()),
            permalink,
            permalinks: raw.output.html.permalinks,
            markdown: MarkdownOptions {
                flavour: raw.markdown.flavour,
                ids: raw.markdown.ids.unwrap_or(Ids::Github),
                math: raw.markdown.math,
            },
            paginate_by: raw.output.html.paginate_by,
            feed_limit: raw.output.html.feed_limit,
            feed: raw.output.html.feed.clone(),
            highlight_theme: raw.output.html.highlight.theme,
            highlight_dark_theme: raw.output.html.highlight.dark_theme,
            search: raw.output.html.search.enable,
            code_drift_notice: raw.output.html.code_drift_notice,
            languages,
            from_file,
            source: String::new(),
        })
    }

    /// The configured language with this code, if any.
    /// The folders a build reads: the output may not be inside any of them
    /// (the next build would read the last one's output as input).
    pub fn source_folders(&self) -> Vec<PathBuf> {
        ["static", "templates", "i18n"]
            .iter()
            .map(|f| self.root.join(f))
            .chain(std::iter::once(self.content_dir.clone()))
            .collect()
    }

    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }
}

fn parse_raw(text: &str, path: &Path) -> Result<RawConfig, Error> {
    toml::from_str::<RawConfig>(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        Error::one(
            Location::new(path, line, column),
            format!(
                "{} (see the README for the keys book.toml takes)",
                e.message().trim()
            ),
        )
    })
}

/// An unknown theme name is an error at its line, listing the names there are.
fn check_themes(section: &HighlightSection, text: &str, path: &Path) -> Result<(), Error> {
    let names = crate::highlight::theme_names();
    let mut problems = Vec::new();
    for (key, name) in [
        ("theme", &section.theme),
        ("dark-theme", &section.dark_theme),
    ] {
        if !names.contains(&name.as_str()) {
            let (line, column) = key_position(text, key);
            problems.push(crate::error::Diagnostic::new(
                Location::new(path, line, column),
                format!(
                    "unknown highlight theme `{name}` for `{key}`; available: {}",
                    names.join(", ")
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

/// The line of `key = …` in TOML text (its first occurrence), for messages
/// about values that parse but are not accepted.
fn key_position(text: &str, key: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find(|(_, l)| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or((1, 1), |(i, l)| (i + 1, l.len() - l.trim_start().len() + 1))
}

fn check_permalink(pattern: &str) -> Result<(), String> {
    crate::permalink::check(pattern)
}

fn resolve_languages(
    default: &str,
    configured: Vec<(String, LanguageSection)>,
) -> Result<Vec<Language>, String> {
    let mut sections: BTreeMap<String, LanguageSection> = BTreeMap::new();
    let mut order = vec![default.to_string()];
    for (code, section) in configured {
        if code != default {
            order.push(code.clone());
        }
        sections.insert(code, section);
    }
    order
        .into_iter()
        .map(|code| {
            let section = sections.remove(&code).unwrap_or_default();
            let tag = match section.tag {
                Some(tag) if is_bcp47(&tag) => tag,
                Some(tag) => {
                    return Err(format!(
                        "[languages.{code}] tag = \"{tag}\" is not a BCP 47 language tag (e.g. \"zh-Hant\", \"pt-BR\")"
                    ));
                }
                None => bcp47_for(&code).ok_or_else(|| {
                    format!(
                        "language code `{code}` is not a BCP 47 tag: add `tag = \"…\"` under [languages.{code}] (e.g. \"zh-Hant\")"
                    )
                })?,
            };
            Ok(Language {
                name: section
                    .name
                    .or_else(|| builtin_name(&code).map(str::to_string))
                    .unwrap_or_else(|| code.clone()),
                dir: section.direction.unwrap_or_else(|| default_direction(&code)),
                tag,
                title: section.title,
                description: section.description,
                configured: true,
                strings: section.strings,
                code,
            })
        })
        .collect()
}

/// A language met in a note but missing from book.toml: still built, named
/// by its code, so that an author sees it and can configure it.
pub fn unconfigured_language(code: &str) -> Option<Language> {
    Some(Language {
        code: code.to_string(),
        name: code.to_string(),
        tag: bcp47_for(code)?,
        dir: default_direction(code),
        title: None,
        description: None,
        configured: false,
        strings: BTreeMap::new(),
    })
}

/// The BCP 47 tag for a language code: the code itself where it is one,
/// else a built-in mapping for the codes blogs use (`hant`, `hans`).
pub fn bcp47_for(code: &str) -> Option<String> {
    match code.to_ascii_lowercase().as_str() {
        "hant" | "zh-hant" | "zh_tw" | "zh-tw" => return Some("zh-Hant".into()),
        "hans" | "zh-hans" | "zh_cn" | "zh-cn" => return Some("zh-Hans".into()),
        _ => {}
    }
    is_bcp47(code).then(|| code.to_string())
}

/// A light check of BCP 47 shape: a 2–3 letter primary subtag, then
/// subtags of 1–8 letters or digits. Enough to catch `english` or `zh_TW`.
fn is_bcp47(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Languages' own names for the codes our users publish in, used when
/// book.toml configures a language without `name`.
fn builtin_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "en" => "English",
        "zh" => "中文",
        "ja" => "日本語",
        "es" => "Español",
        "hi" => "हिन्दी",
        "fr" => "Français",
        "de" => "Deutsch",
        "ar" => "العربية",
        "hant" => "繁體中文",
        "ko" => "한국어",
        "pt" => "Português",
        "ru" => "Русский",
        "it" => "Italiano",
        "fa" => "فارسی",
        "he" => "עברית",
        "ur" => "اردو",
        _ => return None,
    })
}

/// Right-to-left by default for the scripts that need it.
fn default_direction(code: &str) -> Direction {
    let primary = code.split('-').next().unwrap_or(code);
    if matches!(
        primary,
        "ar" | "fa" | "he" | "ur" | "yi" | "ps" | "sd" | "ug"
    ) {
        Direction::Rtl
    } else {
        Direction::Ltr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, Error> {
        Config::from_str(Path::new("/site"), text)
    }

    #[test]
    fn defaults_without_keys() {
        let c = load("").unwrap();
        assert_eq!(c.title, "Notes");
        assert_eq!(c.default_language, "en");
        assert_eq!(c.content_dir, Path::new("/site/content"));
        assert_eq!(c.output_dir, Path::new("/site/public"));
        assert_eq!(c.site_url.base_path, "/");
        assert_eq!(c.languages.len(), 1);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = load("[book]\ntitle = \"x\"\ntittle = \"y\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/site/book.toml:3:1: "), "{err}");
        assert!(err.contains("tittle"), "{err}");
    }

    #[test]
    fn languages_keep_document_order_default_first() {
        let c = load(
            "[book]\nlanguage = \"en\"\n[languages.zh]\n[languages.ar]\nname = \"Arabic\"\n[languages.en]\n[languages.hant]\n",
        )
        .unwrap();
        let codes: Vec<_> = c.languages.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["en", "zh", "ar", "hant"]);
        let ar = c.language("ar").unwrap();
        assert_eq!((ar.name.as_str(), ar.dir), ("Arabic", Direction::Rtl));
        let hant = c.language("hant").unwrap();
        assert_eq!(
            (hant.tag.as_str(), hant.name.as_str()),
            ("zh-Hant", "繁體中文")
        );
    }

    #[test]
    fn highlight_themes_are_checked() {
        let c = load("[output.html.highlight]\ntheme = \"GitHub\"\ndark-theme = \"Dracula\"\n")
            .unwrap();
        assert_eq!(
            (c.highlight_theme.as_str(), c.highlight_dark_theme.as_str()),
            ("GitHub", "Dracula")
        );
        let err = load("[output.html.highlight]\ndark-theme = \"Nope\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "/site/book.toml:2:1: unknown highlight theme `Nope` for `dark-theme`; available: "
            ),
            "{err}"
        );
        assert!(err.contains("InspiredGitHub"), "{err}");
    }

    #[test]
    fn site_url_forms() {
        let u = SiteUrl::parse("https://user.github.io/notes").unwrap();
        assert_eq!(u.origin, "https://user.github.io");
        assert_eq!(u.base_path, "/notes/");
        assert_eq!(u.link("/cffi/"), "/notes/cffi/");
        assert_eq!(u.absolute("/cffi/"), "https://user.github.io/notes/cffi/");
        assert!(SiteUrl::parse("notes.example.org").is_err());
    }

    #[test]
    fn bad_permalink_and_tag_are_errors() {
        assert!(load("[output.html]\npermalink = \"/{title}/\"\n").is_err());
        assert!(load("[output.html]\npermalink = \"/posts/\"\n").is_err());
        assert!(
            load("[languages.english]\n")
                .unwrap_err()
                .to_string()
                .contains("tag =")
        );
        assert!(load("[languages.english]\ntag = \"en-GB\"\n").is_ok());
    }
}
