//! `notes`: a static-site generator for multilingual troubleshooting notes.
//!
//! The build is one pipeline of plain data, each stage in its own module:
//!
//! ```text
//! book.toml ─▶ Config
//! content/  ─▶ discover ─▶ SourceFile
//!           ─▶ note::read ─▶ Note            (front matter, language, key)
//!           ─▶ Site::assemble ─▶ Site        (groups, URLs, indexes)
//!           ─▶ markdown::render ─▶ Rendered  (HTML, toc, highlighted code;
//!              a build takes unchanged notes from markdown_cache, no HTML)
//!           ─▶ render::render_site ─▶ OutputFile ─▶ output::Writer
//!              (alongside: search::Index)       (each page staged as it
//!                                                renders; swapped into
//!                                                public/ when all are)
//! ```

pub mod changes;
pub mod check;
pub mod config;
pub mod deploy;
pub mod discover;
pub mod drift;
pub mod error;
pub mod fault;
pub mod frontmatter;
pub mod fuzz;
pub mod highlight;
pub mod history;
pub mod i18n;
pub mod import;
pub mod kramdown;
pub mod markdown;
pub mod markdown_cache;
pub mod math;
mod memo;
pub mod note;
pub mod output;
pub mod permalink;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod session;
pub mod site;
#[cfg(test)]
mod test_corpus;
pub mod translations;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use config::{Config, Overrides};
pub use error::{Diagnostic, Error, Location};

use highlight::Highlighter;
use output::{Content, OutputFile};
use site::Site;

/// What `notes build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub overrides: Overrides,
    pub drafts: bool,
    /// Also warn about what is normal but may be a mistake (code blocks in
    /// languages without a grammar).
    pub verbose: bool,
}

/// What a finished build tells the user.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub notes: usize,
    pub pages: usize,
    pub languages: usize,
    pub files: usize,
    pub output_dir: PathBuf,
    pub elapsed: Duration,
    /// Things worth fixing that did not stop the build.
    pub warnings: Vec<String>,
    pub highlight: highlight::CacheStats,
    /// Notes whose Markdown was taken from the last build's (same body,
    /// same link targets): neither rendered nor highlighted.
    pub markdown_taken: usize,
    pub written: output::WriteStats,
    /// Pages kept from the last build without rendering (same inputs).
    pub kept: usize,
    /// Wall time of each stage, in order.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Wall time of consecutive stages, so `--verbose` shows where a build
/// spends its time without a profiler.
pub(crate) struct Stopwatch {
    last: Instant,
    pub laps: Vec<(&'static str, Duration)>,
}

impl Stopwatch {
    pub fn new() -> Stopwatch {
        Stopwatch {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Ends the stage `name`, which began at the previous lap.
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.laps.push((name, now - self.last));
        self.last = now;
    }
}

/// Reports progress of the long stages; the CLI shows it as a bar.
pub trait Progress: Sync {
    fn start(&self, _stage: &'static str, _total: usize) {}
    fn advance(&self, _n: usize) {}
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct Quiet;
impl Progress for Quiet {}

/// Builds the site at `options.root` into its output folder.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let (session, writer) = session::Session::for_build(options, progress)?;
    let config = session.config();
    let mut clock = Stopwatch::new();
    // Pages were written as they rendered; the rest (static files, the
    // search index, sitemaps) now, then the new site goes in place.
    let files: Vec<&OutputFile> = session.pages().values().collect();
    let others = writer.put_kept(&files);
    others
        .par_iter()
        .try_for_each(|f| writer.put(f).map(drop))?;
    let (written, notices) = writer.finish()?;
    clock.lap("writing output");
    let mut warnings = notices;
    warnings.extend(session.warnings.iter().cloned());
    let mut timings = session.timings.clone();
    timings.extend(clock.laps);
    let report = BuildReport {
        notes: session.site().notes.len(),
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        languages: session.site().languages.len(),
        files: files.len(),
        output_dir: config.output_dir.clone(),
        elapsed: started.elapsed(),
        warnings,
        highlight: session.highlighter().stats(),
        markdown_taken: session.markdown_taken,
        written,
        kept: written.kept,
        timings,
    };
    // Freeing a site's hundreds of thousands of allocations takes a tenth
    // of a second that nobody waits for.
    std::thread::spawn(move || drop(session));
    Ok(report)
}

/// The front half of the pipeline: the config, the notes found and read,
/// the site assembled (URLs, languages, translation groups). What the
/// commands that do not write a site start from.
pub fn load(options: &BuildOptions) -> Result<site::Site, Error> {
    let (config, _) = Config::load(&options.root, &options.overrides)?;
    let sources = discover::discover(&config, options.drafts)?;
    let notes = read_notes(&sources, &config, options.drafts, &Quiet)?;
    site::Site::assemble(config, notes, &mut Vec::new())
}

/// Reads and parses every note in parallel, collecting every problem.
fn read_notes(
    sources: &[discover::SourceFile],
    config: &Config,
    drafts: bool,
    progress: &dyn Progress,
) -> Result<Vec<note::Note>, Error> {
    let (notes, mut problems) = read_all(sources, config, drafts, progress);
    if problems.is_empty() {
        return Ok(notes);
    }
    // Report duplicates among the notes that did parse in the same run.
    if let Err(Error::Input(more)) = site::check_duplicates(&notes) {
        problems.extend(more);
    }
    problems.sort();
    Err(Error::Input(problems))
}

/// The notes that parse, and the problems of those that do not.
fn read_all(
    sources: &[discover::SourceFile],
    config: &Config,
    drafts: bool,
    progress: &dyn Progress,
) -> (Vec<note::Note>, Vec<Diagnostic>) {
    let results: Vec<_> = sources
        .par_iter()
        .map(|s| {
            let r = note::read(s, config);
            progress.advance(1);
            r
        })
        .collect();
    let mut notes = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok(n) if n.front.draft && !drafts => {}
            Ok(n) => notes.push(n),
            Err(d) => problems.extend(d),
        }
    }
    (notes, problems)
}

fn render_markdown(
    site: &Site,
    highlighter: &Highlighter,
    progress: &dyn Progress,
) -> Vec<std::sync::Arc<markdown::Rendered>> {
    (0..site.notes.len())
        .into_par_iter()
        .map(|i| {
            let r = render_one(site, highlighter, i);
            progress.advance(1);
            std::sync::Arc::new(r)
        })
        .collect()
}

/// Renders the notes' Markdown like [`render_markdown`], but takes from
/// `cache` every note whose body and links are those of the last build
/// (without its HTML; see [`markdown_cache`]). Also gives the new cache
/// entry of each note rendered here (`None` for those taken).
fn render_markdown_cached(
    site: &Site,
    highlighter: &Highlighter,
    cache: &markdown_cache::MarkdownCache,
    progress: &dyn Progress,
) -> (
    Vec<std::sync::Arc<markdown::Rendered>>,
    Vec<Option<markdown_cache::Entry>>,
) {
    let (rendered, entries): (Vec<_>, Vec<_>) = (0..site.notes.len())
        .into_par_iter()
        .map(|i| {
            let r = match cache.recall(site, i) {
                Some(r) => (std::sync::Arc::new(r), None),
                None => {
                    let links = NoteLinks { site, from: i };
                    let recording = markdown_cache::Recording::new(&links);
                    let body = &site.notes[i].note.body;
                    let r = markdown::render(body, &render_options(site, highlighter, &recording));
                    let entry = recording.entry(body, &r);
                    (std::sync::Arc::new(r), Some(entry))
                }
            };
            progress.advance(1);
            r
        })
        .unzip();
    // The code of notes taken from the cache stays in the highlighting
    // cache, for when their Markdown must render again.
    let taken: Vec<u128> = rendered
        .iter()
        .zip(&entries)
        .filter(|(_, e)| e.is_none())
        .flat_map(|(r, _)| r.blocks.iter().copied())
        .collect();
    highlighter.keep(&taken);
    (rendered, entries)
}

fn render_options<'a>(
    site: &'a Site,
    highlighter: &'a Highlighter,
    links: &'a dyn markdown::LinkResolver,
) -> markdown::RenderOptions<'a> {
    markdown::RenderOptions {
        highlighter,
        base_path: &site.config.site_url.base_path,
        links,
        markdown: site.config.markdown,
    }
}

/// Renders the Markdown of note `i`.
pub(crate) fn render_one(site: &Site, highlighter: &Highlighter, i: usize) -> markdown::Rendered {
    let links = NoteLinks { site, from: i };
    markdown::render(
        &site.notes[i].note.body,
        &render_options(site, highlighter, &links),
    )
}

/// Resolves the note links of one note.
struct NoteLinks<'a> {
    site: &'a Site,
    from: usize,
}

impl markdown::LinkResolver for NoteLinks<'_> {
    fn resolve(&self, dest: &str) -> markdown::Resolved {
        self.site.note_link(self.from, dest)
    }
}

/// Links to notes that do not exist fail the build, each at its line.
fn broken_links(site: &Site, rendered: &[std::sync::Arc<markdown::Rendered>]) -> Result<(), Error> {
    let problems: Vec<Diagnostic> = site
        .notes
        .iter()
        .zip(rendered)
        .flat_map(|(n, r)| {
            r.broken_links.iter().map(move |(line, why)| {
                Diagnostic::new(
                    Location::new(&n.note.source.path, n.note.body_line + line - 1, 1),
                    why.clone(),
                )
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

/// Code blocks that fell back to plain text, as `path:line: why`.
fn code_warnings(
    site: &Site,
    rendered: &[std::sync::Arc<markdown::Rendered>],
    verbose: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (n, r) in site.notes.iter().zip(rendered) {
        for (line, why) in &r.math_errors {
            out.push(format!(
                "{}:{}:1: this formula is not TeX that notes can read ({why}); it is shown as code: correct it, or set math = false under [markdown] to leave formulas to MathJax or KaTeX",
                n.note.source.path.display(),
                n.note.body_line + line - 1
            ));
        }
        for f in &r.fallbacks {
            if matches!(f.fallback, highlight::Fallback::UnknownLanguage(_)) && !verbose {
                continue;
            }
            let line = n.note.body_line + f.line - 1;
            out.push(format!(
                "{}:{line}:1: {}",
                n.note.source.path.display(),
                f.fallback.message()
            ));
        }
    }
    out
}

/// The theme's assets, the highlighting stylesheet, the site's `static/`
/// files (which win over built-in assets of the same name), `.nojekyll` so
/// that GitHub Pages serves the site as it is, and `CNAME` when configured.
fn assets(config: &Config) -> Result<Vec<OutputFile>, Error> {
    let mut user = output::static_files(&config.root.join("static"))?;
    if config.copy_other_files {
        user.extend(
            discover::other_files(config)?
                .into_iter()
                .map(|(path, from)| OutputFile {
                    path,
                    content: Content::Copy(from),
                    key: None,
                }),
        );
    }
    let stylesheet =
        highlight::stylesheet(&config.highlight_theme, &config.highlight_dark_theme)
            .map_err(|m| Error::one(Location::file(config.root.join(config::CONFIG_FILE)), m))?;
    let bytes = |path: &str, b: Vec<u8>| OutputFile::bytes(path, b);
    let mut files: Vec<OutputFile> = render::BUILTIN_STATIC
        .iter()
        .filter(|(name, _)| !user.iter().any(|u| u.path == *name))
        .filter(|(name, _)| config.search || *name != "search.js")
        .map(|(name, b)| bytes(name, b.to_vec()))
        .collect();
    files.push(bytes("highlight.css", stylesheet.into_bytes()));
    files.push(bytes(".nojekyll", Vec::new()));
    if !user.iter().any(|u| u.path == "robots.txt") {
        // As Zola writes it, and jekyll-sitemap: crawlers are told where
        // the sitemap is (it needs an absolute URL).
        let mut robots = String::from("User-agent: *\nAllow: /\n");
        if !config.site_url.origin.is_empty() {
            robots.push_str(&format!(
                "Sitemap: {}\n",
                config.site_url.absolute("/sitemap.xml")
            ));
        }
        files.push(bytes("robots.txt", robots.into_bytes()));
    }
    if let Some(cname) = &config.cname {
        files.push(bytes("CNAME", format!("{}\n", cname.trim()).into_bytes()));
    }
    files.extend(user);
    Ok(files)
}

/// A static file must not silently replace a generated page, and no file
/// may be where another needs a folder (`x` and `x/index.html`).
pub(crate) fn check_unique_paths(files: &[OutputFile]) -> Result<(), Error> {
    let location = |f: &OutputFile| match &f.content {
        Content::Copy(from) => Location::file(discover::display_path(from)),
        Content::Bytes(_) | Content::Kept { .. } => Location::file(&f.path),
    };
    let mut seen = rustc_hash::FxHashSet::default();
    seen.reserve(files.len());
    let mut problems = Vec::new();
    for f in files {
        if !seen.insert(f.path.as_str()) {
            problems.push(Diagnostic::new(
                location(f),
                format!("{} is written twice: a static file has the path of a generated page; rename or remove it", f.path),
            ));
        }
    }
    for f in files {
        if let Some(folder) = f
            .path
            .match_indices('/')
            .map(|(i, _)| &f.path[..i])
            .find(|p| seen.contains(p))
        {
            problems.push(Diagnostic::new(
                location(f),
                format!("{} needs a folder `{folder}`, but the site has a file there; rename one of them", f.path),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}
