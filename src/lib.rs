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
//!
//! The stages that `build`, `serve`, `check` and `search` share are the
//! functions of [`pipeline`]; [`session`] keeps the state between builds
//! (what `serve` rebuilds) and drives them. No module uses one that uses
//! it (`tests/testsuite/architecture.rs` checks).

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
pub mod paths;
pub mod permalink;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod session;
pub mod site;
#[cfg(test)]
mod test_corpus;
pub mod theme;
pub mod translations;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use config::{Config, Overrides};
pub use error::{Diagnostic, Error, Location};

use output::OutputFile;

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
