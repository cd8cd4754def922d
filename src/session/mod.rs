//! A built site kept in memory, and brought up to date by changes: the
//! engine of `notes serve`, and of `notes build` (which is one session
//! written to disk).
//!
//! A change re-does only what it affects. An edited note is re-read and
//! re-rendered; its translation group's pages (their language switcher and
//! notices), its language's index pages and feed, and the sitemap are
//! re-rendered from cached Markdown; notes that link to a note whose URL
//! moved are re-rendered too. A template change re-renders every page from
//! cached Markdown without re-reading notes; a static file change copies
//! files; a config change rebuilds everything. A failed change leaves the
//! session as it was, so the last good site stays served.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use crate::config::Config;
use crate::discover::{self, SourceFile};
use crate::error::Error;
use crate::highlight::Highlighter;
use crate::markdown::Rendered;
use crate::markdown_cache::MarkdownCache;
use crate::note::Note;
use crate::output::Writer;
use crate::output::{Content, OutputFile};
use crate::render::{self, Extras, Selection, Templates};
use crate::search::{self, DocTerms};
use crate::site::{self, Site};
use crate::translations::{self, ChangeTimes, StaleShown};

mod plan;
use crate::{BuildOptions, Progress};

/// What a file looked like when it was read: a changed size or time means
/// it must be read again.
type Stamp = Option<(SystemTime, u64)>;

/// Every source file by its path in the content folder: when it was last
/// seen changed (serve only) and its note (none for a draft left out).
type Sources = BTreeMap<String, (Stamp, Option<Arc<Note>>)>;

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// What changed on disk, as the watcher reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Notes were written, created, removed or renamed. The paths are
    /// hints: the content folder is rescanned, so no event can be missed.
    Notes(Vec<PathBuf>),
    /// Templates or interface strings (`i18n/`) changed.
    Templates,
    /// Files under `static/` changed.
    Static,
    /// book.toml changed: everything is rebuilt.
    Config,
}

/// The output files a change touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    /// New or changed files, relative to the output folder.
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl Update {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }

    fn absorb(&mut self, other: Update) {
        let changed: BTreeSet<String> = self.changed.drain(..).chain(other.changed).collect();
        let removed: BTreeSet<String> = self.removed.drain(..).chain(other.removed).collect();
        self.removed = removed
            .iter()
            .filter(|p| !changed.contains(*p))
            .cloned()
            .collect();
        self.changed = changed.into_iter().collect();
    }
}

/// A site built in memory.
pub struct Session {
    options: BuildOptions,
    config: Config,
    /// Every note file by its path in the content folder; `None` for a
    /// draft that is not published.
    notes: Sources,
    site: Site,
    /// Rendered Markdown, by note source path.
    rendered: HashMap<String, Arc<Rendered>>,
    /// Each note's search terms, by source path, with the note version
    /// they were made from (a change re-reads only the changed notes').
    search: SearchTerms,
    /// Notes changed since the search index was last brought up to date
    /// (see [`Session::refresh_search`]).
    search_pending: bool,
    templates: Templates,
    extras: Extras,
    times: ChangeTimes,
    highlighter: Highlighter,
    pages: BTreeMap<String, OutputFile>,
    /// Changes seen but not applied yet, because the site was broken.
    pending: Pending,
    /// Warnings of the last successful (re)build.
    pub warnings: Vec<String>,
    /// How long each stage of the first build took (`notes build --verbose`).
    pub timings: Vec<(&'static str, Duration)>,
    /// Notes whose Markdown the first build took from the last build's.
    pub markdown_taken: usize,
}

type SearchTerms = HashMap<String, (Arc<Note>, Arc<DocTerms>)>;

#[derive(Debug, Clone, Default)]
struct Pending {
    config: bool,
    templates: bool,
    statics: bool,
    hints: Vec<PathBuf>,
    /// The last change failed: rescan the content folder, so that the
    /// broken notes are read again whatever the next change names.
    rescan: bool,
}

impl Session {
    /// Builds the site in memory, every page rendered (for `serve`).
    pub fn new(options: &BuildOptions, progress: &dyn Progress) -> Result<Session, Error> {
        let mut clock = crate::Stopwatch::new();
        let (config, warnings) = Config::load(&options.root, &options.overrides)?;
        let sources = discover::discover(&config, options.drafts)?;
        clock.lap("config and discovery");
        Session::open(options, progress, clock, (config, warnings, sources), None)
    }

    /// Builds the site into its output folder: pages whose inputs are
    /// those the last build wrote them from are kept there instead of
    /// rendered, the others are written (staged) as they are rendered,
    /// and static files stay copies to make. The writer puts the new site
    /// in place once the rest is written too.
    pub fn for_build(
        options: &BuildOptions,
        progress: &dyn Progress,
    ) -> Result<(Session, Writer), Error> {
        let mut clock = crate::Stopwatch::new();
        let (config, warnings) = Config::load(&options.root, &options.overrides)?;
        // The walk takes one core; the last build's manifest is read on the
        // other.
        let (writer, sources) = rayon::join(
            || Writer::open(&config.output_dir, &config.root, &config.source_folders()),
            || discover::discover(&config, options.drafts),
        );
        let (writer, sources) = (writer?, sources?);
        clock.lap("config, discovery and the last build's manifest");
        let loaded = (config, warnings, sources);
        let session = Session::open(options, progress, clock, loaded, Some(&writer))?;
        Ok((session, writer))
    }

    fn open(
        options: &BuildOptions,
        progress: &dyn Progress,
        mut clock: crate::Stopwatch,
        (config, mut warnings, sources): (Config, Vec<String>, Vec<discover::SourceFile>),
        out: Option<&Writer>,
    ) -> Result<Session, Error> {
        progress.start("reading", sources.len());
        // Only serve looks for changes.
        let stamps: Vec<Stamp> = match out {
            Some(_) => vec![None; sources.len()],
            None => sources
                .par_iter()
                .map(|s| stamp(&config.content_dir.join(&s.rel)))
                .collect(),
        };
        // The templates and the last build's Markdown are loaded while the
        // notes are read; their errors still come after the notes' own.
        let (notes, (templates, markdown_cache)) = rayon::join(
            || crate::pipeline::read_notes(&sources, &config, options.drafts, progress),
            || {
                let cache = out.map(|_| {
                    MarkdownCache::load(
                        &config.markdown_cache(),
                        &crate::markdown_cache::context(&config),
                    )
                });
                (Templates::load(&config), cache)
            },
        );
        let notes: Vec<Arc<Note>> = notes?.into_iter().map(Arc::new).collect();
        // Notes come in the order of their sources, drafts left out: one
        // pass pairs them, while the site is put together.
        let pair = || {
            let mut read = notes.iter().peekable();
            sources
                .iter()
                .zip(stamps)
                .map(|(s, st)| {
                    let note = read.next_if(|n| n.source.rel == s.rel).cloned();
                    (s.rel.clone(), (st, note))
                })
                .collect()
        };
        let (by_rel, site): (Sources, _) = rayon::join(pair, || {
            Site::assemble_shared(config.clone(), notes.clone(), &mut warnings)
        });
        let site = site?;
        clock.lap("reading notes");
        progress.start("rendering", site.notes.len());
        let highlighter = Highlighter::new();
        highlighter.load(&config.highlight_cache());
        // A build takes what it can from the last build's Markdown; serve
        // keeps every note's HTML, so it renders them all.
        let (rendered_list, markdown) = match markdown_cache {
            Some(cache) => {
                let (rendered, fresh) =
                    crate::pipeline::render_markdown_cached(&site, &highlighter, &cache, progress);
                (rendered, Some((cache, fresh)))
            }
            None => (
                crate::pipeline::render_markdown(&site, &highlighter, progress),
                None,
            ),
        };
        crate::pipeline::broken_links(&site, &rendered_list)?;
        warnings.extend(crate::pipeline::code_warnings(
            &site,
            &rendered_list,
            options.verbose,
        ));
        clock.lap("Markdown and highlighting");
        let templates = templates?;
        let times = if translations::needs_times(&site) {
            ChangeTimes::load(&site)
        } else {
            ChangeTimes::default()
        };
        let extras = extras(&site, &times, &mut warnings)?;
        clock.lap("templates and translations");
        // The search index needs only the notes' text and summaries: it is
        // made while the pages render, filling the cores either leaves idle.
        let html_again = |i: usize| {
            crate::pipeline::render_one(&site, &highlighter, i)
                .html
                .unwrap_or_default()
        };
        let markdown_taken = markdown
            .as_ref()
            .map_or(0, |(_, fresh)| fresh.iter().filter(|e| e.is_none()).count());
        let (pages, (index, mut search, saved)) = rayon::join(
            || {
                let started = std::time::Instant::now();
                let pages = render::render_site(
                    &site,
                    &rendered_list,
                    &templates,
                    &extras,
                    out.map(|writer| render::Out {
                        writer,
                        html: &html_again,
                    }),
                    &mut warnings,
                );
                (pages, started.elapsed())
            },
            || {
                let started = std::time::Instant::now();
                let (index, search) = search_index(
                    &site,
                    &rendered_list,
                    &SearchTerms::new(),
                    out.map(Writer::previous),
                );
                let index: Result<Vec<OutputFile>, Error> = match out {
                    Some(w) => index.into_iter().map(|f| w.write(f)).collect(),
                    None => Ok(index),
                };
                let index_time = started.elapsed();
                // A build saves its caches here too: the pages take longer.
                let started = std::time::Instant::now();
                let saved =
                    markdown.map(|(cache, fresh)| save_caches(&site, &highlighter, &cache, fresh));
                ((index, index_time), search, (saved, started.elapsed()))
            },
        );
        let (mut files, render_time) = (pages.0?, pages.1);
        warnings.extend(saved.0.unwrap_or_default());
        let (index, index_time) = (index.0?, index.1);
        if out.is_some() {
            // Kept for serve's next change only.
            search.clear();
            files.extend(crate::pipeline::assets(&config)?);
        } else {
            files.extend(assets(&config)?);
        }
        files.extend(index);
        crate::pipeline::check_unique_paths(&files)?;
        clock.lap("rendering pages and the search index");
        clock
            .laps
            .push(("  rendering pages (alongside)", render_time));
        clock.laps.push(("  search index (alongside)", index_time));
        clock
            .laps
            .push(("  saving the caches (after the index)", saved.1));
        progress.finish();
        let rendered = site
            .notes
            .iter()
            .zip(rendered_list)
            .map(|(n, r)| (n.note.source.rel.clone(), r))
            .collect();
        Ok(Session {
            options: options.clone(),
            config,
            notes: by_rel,
            site,
            rendered,
            search,
            search_pending: false,
            templates,
            extras,
            times,
            highlighter,
            pages: files.into_iter().map(|f| (f.path.clone(), f)).collect(),
            pending: Pending::default(),
            warnings,
            timings: clock.laps,
            markdown_taken,
        })
    }

    /// Every output file, by its path relative to the output folder.
    pub fn pages(&self) -> &BTreeMap<String, OutputFile> {
        &self.pages
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Brings the search index up to date after note changes, re-reading
    /// only the changed notes' words. Separate from [`Session::apply`] so
    /// that `serve` reloads the edited page first and updates the index
    /// (about 0.2 s on a 15,000-note site) after.
    pub fn refresh_search(&mut self) -> Update {
        if !self.search_pending {
            return Update::default();
        }
        self.search_pending = false;
        let rendered = self.rendered_list();
        let (index, search) = search_index(&self.site, &rendered, &self.search, None);
        self.search = search;
        put_index(&mut self.pages, index)
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    pub fn highlighter(&self) -> &Highlighter {
        &self.highlighter
    }

    /// Brings the site up to date with a change. The notes are always
    /// rescanned, so that a broken note keeps failing until it is fixed.
    /// On error the last good site stays, and what could not be applied is
    /// applied with the next change.
    pub fn apply(&mut self, change: &Change) -> Result<Update, Error> {
        match change {
            Change::Config => self.pending.config = true,
            Change::Templates => self.pending.templates = true,
            Change::Static => self.pending.statics = true,
            Change::Notes(hints) => self.pending.hints.extend(hints.iter().cloned()),
        }
        if self.pending.config {
            let update = self.rebuild()?;
            self.pending = Pending::default();
            return Ok(update);
        }
        let hints = if self.pending.rescan {
            Vec::new()
        } else {
            self.pending.hints.clone()
        };
        self.pending.rescan = true;
        let mut update = self.renotes(&hints)?;
        self.pending.hints.clear();
        self.pending.rescan = false;
        if self.pending.templates {
            update.absorb(self.retemplate()?);
            self.pending.templates = false;
        }
        if self.pending.statics {
            update.absorb(self.restatic()?);
            self.pending.statics = false;
        }
        Ok(update)
    }

    fn rebuild(&mut self) -> Result<Update, Error> {
        let fresh = Session::new(&self.options, &crate::Quiet)?;
        let update = diff(&self.pages, &fresh.pages);
        *self = fresh;
        Ok(update)
    }

    fn retemplate(&mut self) -> Result<Update, Error> {
        let templates = Templates::load(&self.config)?;
        let mut warnings = Vec::new();
        let extras = extras(&self.site, &self.times, &mut warnings)?;
        let rendered = self.rendered_list();
        let files = render::render_site(
            &self.site,
            &rendered,
            &templates,
            &extras,
            None,
            &mut warnings,
        )?;
        let mut pages = self.pages.clone();
        let update = merge(&mut pages, files, &self.expected_paths(&self.site));
        self.templates = templates;
        self.extras = extras;
        self.pages = pages;
        self.warnings = warnings;
        Ok(update)
    }

    fn restatic(&mut self) -> Result<Update, Error> {
        let files = assets(&self.config)?;
        let mut pages = self.pages.clone();
        let mut expected = self.page_paths(&self.site);
        expected.extend(files.iter().map(|f| f.path.clone()));
        expected.extend(
            self.pages
                .keys()
                .filter(|p| search::is_index_file(p))
                .cloned(),
        );
        let update = merge(&mut pages, files, &expected);
        crate::pipeline::check_unique_paths(&pages.values().cloned().collect::<Vec<_>>())?;
        self.pages = pages;
        Ok(update)
    }

    fn renotes(&mut self, hints: &[PathBuf]) -> Result<Update, Error> {
        let config = &self.config;
        let (current, removed) = match self.hinted_changes(hints)? {
            Some(found) => found,
            None => self.rescan()?,
        };
        let changed: Vec<&SourceFile> = current.iter().map(|(s, _)| s).collect();
        if changed.is_empty() && removed.is_empty() {
            return Ok(Update::default());
        }

        // Read what changed; any problem keeps the last good site.
        let drafts = self.options.drafts;
        let results: Vec<Result<Option<Arc<Note>>, Vec<crate::Diagnostic>>> = changed
            .par_iter()
            .map(|s| {
                crate::note::read(s, config)
                    .map(|n| (!n.front.draft || drafts).then(|| Arc::new(n)))
            })
            .collect();
        if removed.is_empty()
            && let Some(edits) = self.in_place_edits(&current, &results)
        {
            return self.apply_in_place(edits);
        }
        let mut problems = Vec::new();
        let mut notes = self.notes.clone();
        for r in &removed {
            notes.remove(r);
        }
        for ((source, st), result) in current.iter().zip(results) {
            let st = *st;
            match result {
                Ok(note) => {
                    notes.insert(source.rel.clone(), (st, note));
                }
                Err(d) => problems.extend(d),
            }
        }
        let list: Vec<Arc<Note>> = notes.values().filter_map(|(_, n)| n.clone()).collect();
        if !problems.is_empty() {
            // Report duplicates with the broken notes; without any,
            // `assemble` finds them.
            if let Err(Error::Input(d)) = site::check_duplicates(&list) {
                problems.extend(d);
            }
            problems.sort();
            return Err(Error::Input(problems));
        }
        let mut warnings = Vec::new();
        let new_site = Site::assemble_shared(config.clone(), list, &mut warnings)?;

        // Markdown: re-render what changed, and whatever links to notes
        // when the notes' URLs moved.
        let changed_rels: BTreeSet<&str> = changed.iter().map(|s| s.rel.as_str()).collect();
        let links_moved = link_map(&self.site) != link_map(&new_site);
        let stale_markdown: Vec<usize> = (0..new_site.notes.len())
            .filter(|&i| {
                let rel = new_site.notes[i].note.source.rel.as_str();
                changed_rels.contains(rel)
                    || match self.rendered.get(rel) {
                        None => true,
                        Some(r) => {
                            links_moved && (!r.links.is_empty() || !r.broken_links.is_empty())
                        }
                    }
            })
            .collect();
        let fresh: Vec<(usize, Rendered)> = stale_markdown
            .par_iter()
            .map(|&i| {
                (
                    i,
                    crate::pipeline::render_one(&new_site, &self.highlighter, i),
                )
            })
            .collect();
        let mut rendered = self.rendered.clone();
        for r in &removed {
            rendered.remove(r);
        }
        let mut rerendered = BTreeSet::new();
        for (i, r) in fresh {
            let rel = new_site.notes[i].note.source.rel.clone();
            if self.rendered.get(&rel).map(|old| old.as_ref()) != Some(&r) {
                rerendered.insert(i);
            }
            rendered.insert(rel, Arc::new(r));
        }
        let rendered_list: Vec<Arc<Rendered>> = new_site
            .notes
            .iter()
            .map(|n| {
                rendered
                    .get(&n.note.source.rel)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        crate::pipeline::broken_links(&new_site, &rendered_list)?;
        warnings.extend(crate::pipeline::code_warnings(
            &new_site,
            &rendered_list,
            self.options.verbose,
        ));

        let mut times = self.times.clone();
        let touched: Vec<String> = changed
            .iter()
            .map(|s| s.rel.clone())
            .chain(removed.iter().cloned())
            .collect();
        if translations::needs_times(&new_site) && times.source == "none" {
            times = ChangeTimes::load(&new_site);
        } else {
            times.refresh(&config.content_dir, &touched);
        }
        let extras = extras(&new_site, &times, &mut warnings)?;

        let selection = plan::plan(
            plan::Built {
                site: &self.site,
                rendered: &self.rendered,
                extras: &self.extras,
            },
            plan::Built {
                site: &new_site,
                rendered: &rendered,
                extras: &extras,
            },
            &touched,
            &rerendered,
            links_moved,
        );
        let files = render::render_selected(
            &new_site,
            &rendered_list,
            &self.templates,
            &extras,
            &selection,
            None,
            &mut warnings,
        )?;
        let mut pages = self.pages.clone();
        // Pages can only disappear when notes moved or index pages went.
        let expected = if links_moved || index_counts(&self.site) != index_counts(&new_site) {
            self.expected_paths(&new_site)
        } else {
            pages
                .keys()
                .cloned()
                .chain(files.iter().map(|f| f.path.clone()))
                .collect()
        };
        let update = merge(&mut pages, files, &expected);
        self.search_pending = true;

        // Freeing the old site's thousands of allocations takes tens of
        // milliseconds: do it off the path to the reload.
        let old = (
            std::mem::replace(&mut self.notes, notes),
            std::mem::replace(&mut self.site, new_site),
            std::mem::replace(&mut self.rendered, rendered),
            std::mem::replace(&mut self.extras, extras),
            std::mem::replace(&mut self.pages, pages),
        );
        std::thread::spawn(move || drop(old));
        self.times = times;
        self.warnings = warnings;
        Ok(update)
    }

    /// The edits, as (note index, stamp, new note), when every changed note
    /// parsed and kept its place in the site: same key, language, slug,
    /// date and translation status. Such edits (the common case: a body or
    /// a title) change no URL, group or order, so the site's structure is
    /// kept and only the notes are swapped.
    #[allow(clippy::type_complexity)]
    fn in_place_edits(
        &self,
        current: &[(SourceFile, Stamp)],
        results: &[Result<Option<Arc<Note>>, Vec<crate::Diagnostic>>],
    ) -> Option<Vec<(usize, Stamp, Arc<Note>)>> {
        current
            .iter()
            .zip(results)
            .map(|((source, st), result)| {
                let new = result.as_ref().ok()?.as_ref()?;
                let &i = self.site.by_source.get(&source.rel)?;
                let old = &self.site.notes[i].note;
                let same = old.key == new.key
                    && old.lang == new.lang
                    && old.slug == new.slug
                    && old.date == new.date
                    && old.front.translated == new.front.translated;
                same.then(|| (i, *st, new.clone()))
            })
            .collect()
    }

    /// Applies [`Session::in_place_edits`]: re-renders the edited notes,
    /// their groups' pages, the index page and feed that list them when
    /// what they show changed. On error everything is put back.
    fn apply_in_place(&mut self, edits: Vec<(usize, Stamp, Arc<Note>)>) -> Result<Update, Error> {
        let mut undo = Vec::with_capacity(edits.len());
        for (i, _, note) in &edits {
            let old = std::mem::replace(&mut self.site.notes[*i].note, note.clone());
            undo.push((*i, old));
        }
        let result = self.rerender_in_place(&edits, &undo);
        if result.is_err() {
            for (i, old) in undo {
                self.site.notes[i].note = old;
            }
        }
        result
    }

    fn rerender_in_place(
        &mut self,
        edits: &[(usize, Stamp, Arc<Note>)],
        undo: &[(usize, Arc<Note>)],
    ) -> Result<Update, Error> {
        let site = &self.site;
        let fresh: Vec<(usize, Arc<Rendered>)> = edits
            .par_iter()
            .map(|(i, _, _)| {
                (
                    *i,
                    Arc::new(crate::pipeline::render_one(site, &self.highlighter, *i)),
                )
            })
            .collect();
        let mut rendered_list = self.rendered_list();
        for (i, r) in &fresh {
            rendered_list[*i] = r.clone();
        }
        crate::pipeline::broken_links(site, &rendered_list)?;
        let mut warnings = Vec::new();
        warnings.extend(crate::pipeline::code_warnings(
            site,
            &rendered_list,
            self.options.verbose,
        ));
        let mut times = self.times.clone();
        let touched: Vec<String> = edits
            .iter()
            .map(|(i, _, _)| site.notes[*i].note.source.rel.clone())
            .collect();
        times.refresh(&self.config.content_dir, &touched);
        let extras = extras(site, &times, &mut warnings)?;

        let per = self.config.paginate_by;
        let mut selection = Selection::default();
        for (k, (i, _, _)) in edits.iter().enumerate() {
            selection
                .notes
                .extend(site.group(*i).members.iter().copied());
            let old_note = &undo[k].1;
            let old_summary = self
                .rendered
                .get(&old_note.source.rel)
                .map_or("", |r| r.summary.as_str());
            if old_note.title != site.notes[*i].note.title
                || old_summary != rendered_list[*i].summary
            {
                let Some(l) = site
                    .languages
                    .iter()
                    .position(|l| l.code == site.notes[*i].note.lang)
                else {
                    continue;
                };
                let position = site.by_language[l]
                    .iter()
                    .position(|&n| n == *i)
                    .unwrap_or(0);
                selection.index_pages.insert((l, position / per + 1));
                selection.feeds.insert(l);
            }
        }
        for i in 0..site.notes.len() {
            fn status(e: &Extras, i: usize) -> (Option<usize>, Option<StaleShown<'_>>) {
                (
                    e.translations.original[i],
                    e.translations.stale[i].as_ref().map(|s| s.shown()),
                )
            }
            if status(&self.extras, i) != status(&extras, i) {
                selection.notes.insert(i);
            }
        }
        let files = render::render_selected(
            site,
            &rendered_list,
            &self.templates,
            &extras,
            &selection,
            None,
            &mut warnings,
        )?;
        // Nothing can fail from here on.
        let update = Update {
            changed: put(&mut self.pages, files),
            removed: Vec::new(),
        };
        self.search_pending = true;
        for ((i, st, note), (_, r)) in edits.iter().zip(fresh) {
            let rel = &site.notes[*i].note.source.rel;
            self.notes.insert(rel.clone(), (*st, Some(note.clone())));
            self.rendered.insert(rel.clone(), r);
        }
        self.times = times;
        self.extras = extras;
        self.warnings = warnings;
        Ok(update)
    }

    /// The notes that changed and those removed, from the watcher's paths
    /// alone: `None` when a path is a folder (a folder renamed or deleted
    /// hides what it held), so that the content folder must be rescanned.
    #[allow(clippy::type_complexity)]
    fn hinted_changes(
        &self,
        hints: &[PathBuf],
    ) -> Result<Option<(Vec<(SourceFile, Stamp)>, Vec<String>)>, Error> {
        if hints.is_empty() {
            return Ok(None);
        }
        let mut changed: BTreeMap<String, (SourceFile, Stamp)> = BTreeMap::new();
        let mut removed = BTreeSet::new();
        for path in hints {
            if path.is_dir() || (!path.exists() && path.extension().is_none_or(|x| x != "md")) {
                return Ok(None);
            }
            let Some(source) = discover::source_for(&self.config, path, self.options.drafts)?
            else {
                continue;
            };
            if path.is_file() {
                // Read it even when its size and time look the same: two
                // writes within the file system's clock tick share a time.
                removed.remove(&source.rel);
                changed.insert(source.rel.clone(), (source, stamp(path)));
            } else if self.notes.contains_key(&source.rel) {
                changed.remove(&source.rel);
                removed.insert(source.rel);
            }
        }
        Ok(Some((
            changed.into_values().collect(),
            removed.into_iter().collect(),
        )))
    }

    /// The notes that changed and those removed, by walking the content
    /// folder and comparing every file's size and time.
    #[allow(clippy::type_complexity)]
    fn rescan(&self) -> Result<(Vec<(SourceFile, Stamp)>, Vec<String>), Error> {
        let config = &self.config;
        let sources = discover::discover(config, self.options.drafts)?;
        let current: Vec<(SourceFile, Stamp)> = sources
            .into_par_iter()
            .map(|s| {
                let st = stamp(&config.content_dir.join(&s.rel));
                (s, st)
            })
            .collect();
        let present: BTreeSet<&str> = current.iter().map(|(s, _)| s.rel.as_str()).collect();
        let removed: Vec<String> = self
            .notes
            .keys()
            .filter(|r| !present.contains(r.as_str()))
            .cloned()
            .collect();
        // A file written within the last seconds may have changed without
        // its size or time showing it (writes within one clock tick).
        let recent = SystemTime::now() - std::time::Duration::from_secs(2);
        let changed = current
            .iter()
            .filter(|(s, st)| {
                self.notes.get(&s.rel).is_none_or(|(old, _)| old != st)
                    || st.is_some_and(|(time, _)| time > recent)
            })
            .cloned()
            .collect();
        Ok((changed, removed))
    }

    fn rendered_list(&self) -> Vec<Arc<Rendered>> {
        self.site
            .notes
            .iter()
            .map(|n| {
                self.rendered
                    .get(&n.note.source.rel)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Every page file the site has: notes, indexes, feeds, 404, sitemap.
    fn page_paths(&self, site: &Site) -> BTreeSet<String> {
        let mut paths: BTreeSet<String> = site.notes.iter().map(|n| n.file.clone()).collect();
        for (l, lang) in site.languages.iter().enumerate() {
            for n in 1..=site.index_pages(l) {
                paths.insert(site::url_to_file(&site.index_url(&lang.code, n)));
            }
            paths.insert(
                site.feed_url(&lang.code)
                    .trim_start_matches('/')
                    .to_string(),
            );
            if site.config.search {
                paths.insert(site::url_to_file(&site.search_url(&lang.code)));
            }
        }
        paths.insert("404.html".into());
        paths.insert("sitemap.xml".into());
        paths.extend(site.redirects.iter().map(|r| r.file.clone()));
        paths
    }

    /// [`Session::page_paths`] plus the assets already there.
    fn expected_paths(&self, site: &Site) -> BTreeSet<String> {
        let pages = self.page_paths(&self.site);
        let mut paths = self.page_paths(site);
        paths.extend(self.pages.keys().filter(|p| !pages.contains(*p)).cloned());
        paths
    }
}

/// The search index of `site`, reusing the terms of every note that is the
/// same version as in `old`; the previous build's index files as they are
/// when they were made from the same notes (`notes build` with no note
/// changed does not index again).
fn search_index(
    site: &Site,
    rendered: &[Arc<Rendered>],
    old: &SearchTerms,
    previous: Option<&crate::output::Previous>,
) -> (Vec<OutputFile>, SearchTerms) {
    if !site.config.search {
        return (Vec::new(), SearchTerms::new());
    }
    let key = search::inputs_key(site, rendered);
    if let Some(kept) = previous.and_then(|p| p.reuse_all(search::is_index_file, key)) {
        return (kept, SearchTerms::new());
    }
    let terms: Vec<Arc<DocTerms>> = site
        .notes
        .par_iter()
        .zip(rendered.par_iter())
        .map(|(n, r)| match old.get(&n.note.source.rel) {
            Some((note, t)) if Arc::ptr_eq(note, &n.note) => t.clone(),
            _ => Arc::new(search::analyze(&n.note, r)),
        })
        .collect();
    let files = search::Index::build(site, &terms)
        .files()
        .into_iter()
        .map(|f| OutputFile {
            key: Some(key),
            ..f
        })
        .collect();
    let kept = site
        .notes
        .iter()
        .zip(terms)
        .map(|(n, t)| (n.note.source.rel.clone(), (n.note.clone(), t)))
        .collect();
    (files, kept)
}

/// Replaces the search index files in `pages` (their number follows the
/// index's size, so files of the old index may go).
fn put_index(pages: &mut BTreeMap<String, OutputFile>, index: Vec<OutputFile>) -> Update {
    let expected: BTreeSet<String> = pages
        .keys()
        .filter(|p| !search::is_index_file(p))
        .cloned()
        .chain(index.iter().map(|f| f.path.clone()))
        .collect();
    merge(pages, index, &expected)
}

/// How many index pages each language has.
fn index_counts(site: &Site) -> Vec<usize> {
    (0..site.languages.len())
        .map(|l| site.index_pages(l))
        .collect()
}

/// Saves what a build learnt for the next one: each note's Markdown (see
/// [`MarkdownCache`]) and the highlighted code. A cache that cannot be
/// saved is a warning: the next build does more work, nothing else.
fn save_caches(
    site: &Site,
    highlighter: &Highlighter,
    markdown: &MarkdownCache,
    fresh: Vec<Option<crate::markdown_cache::Entry>>,
) -> Vec<String> {
    let config = &site.config;
    let mut warnings = Vec::new();
    let path = config.markdown_cache();
    if let Some(folder) = path.parent() {
        sweep_partial_files(folder);
    }
    if let Err(e) = markdown.save(&path, site, fresh) {
        warnings.push(format!(
            "{}: could not save the Markdown cache: {e}",
            path.display()
        ));
    }
    let path = config.highlight_cache();
    if let Err(e) = highlighter.save(&path) {
        warnings.push(format!(
            "{}: could not save the highlighting cache: {e}",
            path.display()
        ));
    }
    warnings
}

/// Removes the temporary files (`markdown.<pid>.partial`) of cache saves
/// whose process is gone: a build killed while saving its caches leaves
/// one, and it must not outlive the next build. A save in progress is
/// another process's and is left alone (on systems without `/proc`, a
/// temporary is taken for abandoned after an hour).
fn sweep_partial_files(folder: &Path) {
    let Ok(listing) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in listing.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".partial"))
            .and_then(|n| n.rsplit('.').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = if Path::new("/proc/self").exists() {
            pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(3600))
        };
        if gone {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What decides where note links point: each note's URL and group.
fn link_map(site: &Site) -> Vec<(&str, &str, &str, &str)> {
    site.notes
        .iter()
        .map(|n| {
            (
                n.note.source.rel.as_str(),
                n.note.key.as_str(),
                n.note.lang.as_str(),
                n.url.as_str(),
            )
        })
        .collect()
}

fn extras(site: &Site, times: &ChangeTimes, warnings: &mut Vec<String>) -> Result<Extras, Error> {
    let codes: Vec<&str> = site.languages.iter().map(|l| l.code.as_str()).collect();
    let translations = translations::analyze_with(site, times);
    let drift = crate::drift::analyze(site, &translations.original);
    Ok(Extras {
        strings: crate::i18n::load(&site.config, &codes, warnings)?,
        translations,
        drift,
    })
}

/// The site's assets, read into memory.
fn assets(config: &Config) -> Result<Vec<OutputFile>, Error> {
    crate::pipeline::assets(config)?
        .into_iter()
        .map(|f| match f.content {
            Content::Copy(path) => {
                let bytes =
                    read_settled(&path).map_err(|e| Error::io(&path, "read the static file", e))?;
                Ok(OutputFile::bytes(f.path, bytes))
            }
            Content::Bytes(_) | Content::Kept { .. } => Ok(f),
        })
        .collect()
}

/// How long a static file must be left alone before serve takes it.
const SETTLE: Duration = Duration::from_millis(50);

/// A static file's bytes as one whole version: not while it is being
/// written. A file changed in the last 50 ms, or whose size or time changed
/// while it was read, is read again a little later (an editor writing in
/// place truncates, then writes); the watcher's next event brings any later
/// version. After a second of constant writing, what is there is taken.
fn read_settled(path: &Path) -> std::io::Result<Vec<u8>> {
    const QUIET: Duration = SETTLE;
    let look = |m: &std::fs::Metadata| (m.len(), m.modified().ok());
    for _ in 0..20 {
        let before = std::fs::metadata(path)?;
        let age = before
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or(QUIET);
        if age < QUIET {
            std::thread::sleep(QUIET - age);
            continue;
        }
        let bytes = std::fs::read(path)?;
        let after = std::fs::metadata(path)?;
        if look(&before) == look(&after) && bytes.len() as u64 == after.len() {
            return Ok(bytes);
        }
    }
    std::fs::read(path)
}

/// Puts `files` into `pages`, drops pages not in `expected`, and says what
/// changed.
/// Puts `files` into `pages`; returns the paths whose bytes changed, sorted.
fn put(pages: &mut BTreeMap<String, OutputFile>, files: Vec<OutputFile>) -> Vec<String> {
    let mut changed = Vec::new();
    for f in files {
        // Bytes decide; the memo key is the next build's business.
        if pages.get(&f.path).map(|p| &p.content) != Some(&f.content) {
            changed.push(f.path.clone());
        }
        pages.insert(f.path.clone(), f);
    }
    changed.sort();
    changed
}

fn merge(
    pages: &mut BTreeMap<String, OutputFile>,
    files: Vec<OutputFile>,
    expected: &BTreeSet<String>,
) -> Update {
    let mut update = Update {
        changed: put(pages, files),
        removed: Vec::new(),
    };
    let gone: Vec<String> = pages
        .keys()
        .filter(|p| !expected.contains(*p))
        .cloned()
        .collect();
    for p in gone {
        pages.remove(&p);
        update.removed.push(p);
    }
    update
}

fn diff(old: &BTreeMap<String, OutputFile>, new: &BTreeMap<String, OutputFile>) -> Update {
    Update {
        changed: new
            .iter()
            .filter(|(p, f)| old.get(*p).map(|o| &o.content) != Some(&f.content))
            .map(|(p, _)| p.clone())
            .collect(),
        removed: old
            .keys()
            .filter(|p| !new.contains_key(*p))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written in place in two steps is taken whole: the read waits
    /// until it has been left alone for a while.
    #[test]
    fn a_static_file_written_in_place_is_read_whole() {
        use std::io::Write;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("data.txt");
        let new = "new ".repeat(10_000);
        std::fs::write(&path, "old ".repeat(10_000)).unwrap();
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&new.as_bytes()[..new.len() / 2]).unwrap();
        let reader = {
            let path = path.clone();
            std::thread::spawn(move || read_settled(&path).unwrap())
        };
        std::thread::sleep(SETTLE / 5);
        f.write_all(&new.as_bytes()[new.len() / 2..]).unwrap();
        drop(f);
        assert_eq!(reader.join().unwrap(), new.as_bytes());
    }
}
