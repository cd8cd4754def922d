//! The stages of the pipeline that `build`, `serve`'s session, `check`
//! and `search` share, as functions of plain data: the front half (config
//! → discover → read → assemble, [`load`]), the Markdown of every note
//! (rendered in parallel, or taken from the last build's cache), the
//! checks that stop a build (note links, colliding output paths), the
//! warnings about code, and the site's assets. The modules that drive
//! them call down into this one; nothing here calls back up.

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Error, Location};
use crate::highlight::Highlighter;
use crate::output::{Content, OutputFile};
use crate::site::Site;
use crate::{
    BuildOptions, Progress, Quiet, config, discover, highlight, markdown, markdown_cache, note,
    output, paths, site, theme,
};

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
pub(crate) fn read_notes(
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
pub(crate) fn read_all(
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

pub(crate) fn render_markdown(
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
pub(crate) fn render_markdown_cached(
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

pub(crate) fn render_options<'a>(
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
pub(crate) fn broken_links(
    site: &Site,
    rendered: &[std::sync::Arc<markdown::Rendered>],
) -> Result<(), Error> {
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
pub(crate) fn code_warnings(
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
pub(crate) fn assets(config: &Config) -> Result<Vec<OutputFile>, Error> {
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
    let mut files: Vec<OutputFile> = theme::BUILTIN_STATIC
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
        Content::Copy(from) => Location::file(paths::display_path(from)),
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
