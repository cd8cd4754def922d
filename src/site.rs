//! Puts the parsed notes together into a site: the languages met, the
//! translation groups, every note's URL and output file, and each
//! language's notes newest first. Problems that concern more than one note
//! (two notes for one key and language, two pages at one URL) are found here.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::config::{Config, Language, unconfigured_language};
use crate::error::{Diagnostic, Error, Location};
use crate::note::Note;

/// A note with its place in the site.
#[derive(Debug, Clone)]
pub struct SiteNote {
    /// Shared with `serve`'s session, which keeps every note between builds.
    pub note: Arc<Note>,
    /// The site path (`/hi/cffi/`, `/cffi-hi`), before the base path.
    pub url: String,
    /// The output file, relative to the output folder (`hi/cffi/index.html`).
    pub file: String,
}

/// An old URL that answers with a page sending the reader to a note: the
/// URL of another copy of the note (`[book] prefer`), or one its front
/// matter names (`redirect_from:`, `aliases:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The site path that redirects (`/notes/x-en`), before the base path.
    pub url: String,
    /// Its output file (`notes/x-en.html`).
    pub file: String,
    /// The note it sends to (index into `Site::notes`).
    pub target: usize,
}

/// A note that lost its URL to a later note of the same slug and language
/// (Jekyll writes the later one last) and was given another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The note moved (index into `Site::notes`).
    pub note: usize,
    /// The note that has the URL.
    pub winner: usize,
}

/// The notes sharing a translation key.
#[derive(Debug, Clone)]
pub struct TranslationGroup {
    pub key: String,
    /// Indexes into `Site::notes`, in the site's language order.
    pub members: Vec<usize>,
}

/// Everything later stages need, as plain data.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    /// Configured languages, then any met only in notes (alphabetically).
    pub languages: Vec<Language>,
    /// Sorted by translation key, then language order.
    pub notes: Vec<SiteNote>,
    pub groups: Vec<TranslationGroup>,
    /// For each entry of `languages`, its notes newest first.
    pub by_language: Vec<Vec<usize>>,
    /// `group_of[i]` is the index in `groups` of note `i`.
    pub group_of: Vec<usize>,
    /// Note index by source path relative to the content folder (a copy
    /// of a note in another folder gives the note it is a copy of).
    pub by_source: FxHashMap<String, usize>,
    /// Pages that send old URLs to notes, in file order.
    pub redirects: Vec<Redirect>,
    /// Notes that share a slug and language with a later one.
    pub moved: Vec<Moved>,
}

impl Site {
    /// Builds the site from parsed notes. Warnings (unconfigured languages)
    /// are appended to `warnings`.
    pub fn assemble(
        config: Config,
        notes: Vec<Note>,
        warnings: &mut Vec<String>,
    ) -> Result<Site, Error> {
        Site::assemble_shared(config, notes.into_iter().map(Arc::new).collect(), warnings)
    }

    /// [`Site::assemble`] for notes already shared.
    pub fn assemble_shared(
        config: Config,
        notes: Vec<Arc<Note>>,
        warnings: &mut Vec<String>,
    ) -> Result<Site, Error> {
        let languages = languages(&config, &notes, warnings)?;
        let positions: HashMap<&str, usize> = languages
            .iter()
            .enumerate()
            .map(|(i, l)| (l.code.as_str(), i))
            .collect();
        let order = |code: &str| positions.get(code).copied().unwrap_or(usize::MAX);
        // Each note's language place looked up once, not at every comparison.
        let mut ranked: Vec<(usize, Arc<Note>)> =
            notes.into_iter().map(|n| (order(&n.lang), n)).collect();
        ranked.par_sort_unstable_by(|(la, a), (lb, b)| {
            (&a.key, la, &a.source).cmp(&(&b.key, lb, &b.source))
        });
        let notes: Vec<Arc<Note>> = ranked.into_iter().map(|(_, n)| n).collect();
        let (notes, copies) = pick_copies(&config, notes)?;
        let (notes, moved) = place_notes(&config, &languages, notes)?;

        let mut groups: Vec<TranslationGroup> = Vec::new();
        let mut group_of = Vec::with_capacity(notes.len());
        for (i, n) in notes.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if g.key == n.note.key => g.members.push(i),
                _ => groups.push(TranslationGroup {
                    key: n.note.key.clone(),
                    members: vec![i],
                }),
            }
            group_of.push(groups.len() - 1);
        }
        let mut by_language = vec![Vec::new(); languages.len()];
        for (i, n) in notes.iter().enumerate() {
            by_language[order(&n.note.lang)].push(i);
        }
        by_language.par_iter_mut().for_each(|list| {
            // Newest first; undated notes last; ties by key for stable output.
            list.sort_by(|&a, &b| {
                let (a, b) = (&notes[a].note, &notes[b].note);
                b.date
                    .is_some()
                    .cmp(&a.date.is_some())
                    .then(b.date.cmp(&a.date))
                    .then(a.key.cmp(&b.key))
            });
        });
        let mut by_source: FxHashMap<String, usize> = notes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.note.source.rel.clone(), i))
            .collect();
        let index: FxHashMap<(&str, &str), usize> = notes
            .iter()
            .enumerate()
            .map(|(i, n)| ((n.note.key.as_str(), n.note.lang.as_str()), i))
            .collect();
        let copies: Vec<(Arc<Note>, usize)> = copies
            .into_iter()
            .map(|c| {
                let target = index[&(c.key.as_str(), c.lang.as_str())];
                (c, target)
            })
            .collect();
        for (copy, target) in &copies {
            by_source.insert(copy.source.rel.clone(), *target);
        }
        let redirects = redirects(&config, &languages, &notes, &copies)?;
        for m in &moved {
            warnings.push(format!(
                "{}:1:1: this note and {} have the same URL {} in language `{}`; the later one ({}) keeps it, as Jekyll publishes, and this one is at {}: give one of them another `slug:`",
                notes[m.note].note.source.path.display(),
                notes[m.winner].note.source.path.display(),
                notes[m.winner].url,
                notes[m.note].note.lang,
                notes[m.winner].note.source.path.display(),
                notes[m.note].url,
            ));
        }
        Ok(Site {
            config,
            languages,
            notes,
            groups,
            by_language,
            group_of,
            by_source,
            redirects,
            moved,
        })
    }

    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The site path of a language's home page.
    pub fn home_url(&self, code: &str) -> String {
        if code == self.config.default_language {
            "/".into()
        } else {
            format!("/{code}/")
        }
    }

    /// The site path of page `n` (1-based) of a language's index.
    pub fn index_url(&self, code: &str, n: usize) -> String {
        let home = self.home_url(code);
        if n <= 1 {
            home
        } else {
            format!("{home}page/{n}/")
        }
    }

    /// The site path of a language's search page.
    pub fn search_url(&self, code: &str) -> String {
        format!("{}search/", self.home_url(code))
    }

    pub fn feed_url(&self, code: &str) -> String {
        format!("{}{}", self.home_url(code), self.config.feed.path)
    }

    /// How many index pages a language has.
    pub fn index_pages(&self, lang_index: usize) -> usize {
        self.by_language[lang_index]
            .len()
            .div_ceil(self.config.paginate_by)
            .max(1)
    }

    /// Resolves a link written in note `from` to another note's source
    /// (`../en/2025-06-12-cffi-en.md`, relative to the linking file, or
    /// `@/2025-06-12-cffi` by translation key, or `@/_posts/en/x-en.md`
    /// from the content folder) to that note in `from`'s language when it
    /// exists, else its original. `None` when `dest` is not a note link.
    pub fn note_link(&self, from: usize, dest: &str) -> crate::markdown::Resolved {
        if dest.contains("://") || dest.starts_with("//") || dest.starts_with("mailto:") {
            return None;
        }
        let path = dest.split(['#', '?']).next().unwrap_or("");
        let group = if let Some(target) = path.strip_prefix("@/") {
            if target.ends_with(".md") {
                self.by_source.get(target).map(|&i| self.group_of[i])
            } else {
                self.groups.binary_search_by(|g| g.key.as_str().cmp(target)).ok()
            }
            .ok_or_else(|| format!("link to `{dest}`: no note has that key or path; check the name (keys look like 2025-06-12-cffi)"))
        } else if path.ends_with(".md") {
            let folder = self.notes[from]
                .note
                .source
                .rel
                .rsplit_once('/')
                .map_or("", |(f, _)| f);
            let resolved = normalize(folder, path);
            // As written, or with its %-escapes decoded (a file name with a
            // tab or `%` in it can only be linked to escaped).
            let decoded = percent_decode(path).and_then(|p| normalize(folder, &p));
            resolved
                .as_deref()
                .and_then(|r| self.by_source.get(r))
                .or_else(|| decoded.as_deref().and_then(|r| self.by_source.get(r)))
                .map(|&i| self.group_of[i])
                .ok_or_else(|| {
                    format!(
                        "link to `{dest}`: there is no note at {} in the content folder; fix the path or link with @/<key>",
                        resolved.unwrap_or_else(|| path.to_string())
                    )
                })
        } else {
            return None;
        };
        Some(group.map(|g| {
            let target = self.pick_language(&self.groups[g].members, &self.notes[from].note.lang);
            (target, self.config.site_url.link(&self.notes[target].url))
        }))
    }

    /// The member of a group to show a reader of `lang`: the note in that
    /// language, else the original, else the default language's, else any.
    fn pick_language(&self, members: &[usize], lang: &str) -> usize {
        let find =
            |f: &dyn Fn(&Note) -> bool| members.iter().copied().find(|&m| f(&self.notes[m].note));
        find(&|n| n.lang == lang)
            .or_else(|| find(&|n| !n.front.translated && n.lang == self.config.default_language))
            .or_else(|| find(&|n| !n.front.translated))
            .or_else(|| find(&|n| n.lang == self.config.default_language))
            .unwrap_or(members[0])
    }

    /// The other notes of a note's translation group, and itself.
    pub fn group(&self, note: usize) -> &TranslationGroup {
        &self.groups[self.group_of[note]]
    }
}

/// The configured languages plus every code met only in notes, which is
/// built under its code with one warning. A code that cannot be a language
/// tag is an error at the `lang:` that wrote it.
fn languages(
    config: &Config,
    notes: &[Arc<Note>],
    warnings: &mut Vec<String>,
) -> Result<Vec<Language>, Error> {
    let mut languages = config.languages.clone();
    let mut extra: BTreeMap<&str, Vec<&Note>> = BTreeMap::new();
    for n in notes {
        if config.language(&n.lang).is_none() {
            extra.entry(n.lang.as_str()).or_default().push(n);
        }
    }
    let mut problems = Vec::new();
    for (code, users) in extra {
        match unconfigured_language(code) {
            Some(lang) => {
                warnings.push(format!(
                    "language `{code}` ({} notes, e.g. {}) is not configured: add [languages.{code}] with a `name` to book.toml",
                    users.len(),
                    users[0].source.path.display()
                ));
                languages.push(lang);
            }
            None => {
                for n in users {
                    let (line, column) =
                        n.front.lang.as_ref().map_or((1, 1), |l| (l.line, l.column));
                    problems.push(Diagnostic::new(
                        Location::new(&n.source.path, line, column),
                        format!(
                            "unknown language `{code}`: use a language code such as `en`, `zh` or `hant`, or configure it with [languages.{code}] tag = \"…\" in book.toml"
                        ),
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(languages)
    } else {
        Err(Error::Input(problems))
    }
}

/// Two notes with one key and language cannot both be published.
pub fn check_duplicates<N: Borrow<Note>>(notes: &[N]) -> Result<(), Error> {
    let mut sorted: Vec<&Note> = notes.iter().map(Borrow::borrow).collect();
    sorted.sort_by(|a, b| (&a.key, &a.lang, &a.source).cmp(&(&b.key, &b.lang, &b.source)));
    adjacent_duplicates(&sorted)
}

/// [`check_duplicates`] for notes in an order that puts a key's notes of
/// one language next to each other.
fn adjacent_duplicates<N: Borrow<Note>>(sorted: &[N]) -> Result<(), Error> {
    let problems: Vec<Diagnostic> = sorted
        .iter()
        .map(Borrow::borrow)
        .collect::<Vec<&Note>>()
        .windows(2)
        .filter(|w| w[0].key == w[1].key && w[0].lang == w[1].lang)
        .map(|w| {
            Diagnostic::new(
                Location::file(&w[1].source.path),
                format!(
                    "duplicate note: {} and {} are both `{}` in language `{}`; remove one, list one under `exclude` in book.toml (e.g. exclude = [\"{}/**\"]), or publish one and redirect the other's URL with prefer = [\"{}\"] under [book]",
                    w[0].source.path.display(),
                    w[1].source.path.display(),
                    w[0].key,
                    w[0].lang,
                    w[1].source.rel.split('/').next().unwrap_or("notes"),
                    w[0].source.rel.split('/').next().unwrap_or("notes"),
                ),
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

/// Gives every note its URL and output file, and checks that no two pages
/// land on one file, that no page takes a file notes generates, and that
/// every page's file stays inside the output folder with names the file
/// system takes.
fn place_notes(
    config: &Config,
    languages: &[Language],
    notes: Vec<Arc<Note>>,
) -> Result<(Vec<SiteNote>, Vec<Moved>), Error> {
    let mut taken: FxHashMap<String, usize> = FxHashMap::default();
    let mut problems = Vec::new();
    let mut placed: Vec<SiteNote> = Vec::with_capacity(notes.len());
    let mut moved = Vec::new();
    let reserved = Reserved::new(config, languages);
    // Each note's URL on its own (in parallel); then the checks, in order.
    let urls: Vec<Result<(String, String), String>> = notes
        .par_iter()
        .map(|note| {
            let raw = permalink(config, note)?;
            let file = url_to_file(&raw);
            check_file(&file).map(|()| (file, encode_url_path(&raw)))
        })
        .collect();
    for (note, url) in notes.into_iter().zip(urls) {
        let at = identity_location(&note);
        let (file, url) = match url {
            Ok(placed) => placed,
            Err(m) => {
                problems.push(Diagnostic::new(at, m));
                continue;
            }
        };
        if let Some(what) = reserved.conflict(&file) {
            problems.push(Diagnostic::new(
                at,
                format!("this note's page {url} would take the place of {what}, which notes generates: give the note another `slug:`"),
            ));
            placed.push(SiteNote { note, url, file });
            continue;
        }
        let Some(&other) = taken.get(&file) else {
            taken.insert(file.clone(), placed.len());
            placed.push(SiteNote { note, url, file });
            continue;
        };
        let earlier = &placed[other].note;
        let dated_apart = earlier.lang == note.lang
            && earlier.date.is_some()
            && note.date.is_some()
            && earlier.date != note.date;
        if !dated_apart {
            problems.push(Diagnostic::new(
                at,
                format!(
                    "this note's page {url} is also the page of {}: give one of them another `slug:`",
                    earlier.source.path.display()
                ),
            ));
            placed.push(SiteNote { note, url, file });
            continue;
        }
        // Same slug and language on two dates: the later note keeps the
        // URL (Jekyll writes it last); the earlier gets its date added.
        let (later, sooner) = if note.date > earlier.date {
            (placed.len(), other)
        } else {
            (other, placed.len())
        };
        placed.push(SiteNote { note, url, file });
        let date = placed[sooner]
            .note
            .date
            .map(|d| d.date().to_string())
            .unwrap_or_default();
        let (own_url, own_file) = dated(&placed[sooner].url, &date);
        if taken.contains_key(&own_file) || reserved.conflict(&own_file).is_some() {
            problems.push(Diagnostic::new(
                identity_location(&placed[sooner].note),
                format!("this note and {} have the same URL, and {own_url} is taken too: give one of them another `slug:`", placed[later].note.source.path.display()),
            ));
            continue;
        }
        let shared_file = placed[later].file.clone();
        placed[sooner].url = own_url;
        placed[sooner].file = own_file.clone();
        taken.insert(shared_file, later);
        taken.insert(own_file, sooner);
        moved.push(Moved {
            note: sooner,
            winner: later,
        });
    }
    if problems.is_empty() {
        Ok((placed, moved))
    } else {
        Err(Error::Input(problems))
    }
}

/// `url` with `-<date>` added to its last name: `/x-ja` → `/x-ja-2024-01-02`
/// (file `x-ja-2024-01-02.html`), `/x/` → `/x-2024-01-02/`.
fn dated(url: &str, date: &str) -> (String, String) {
    let (stem, end) = match url.strip_suffix('/') {
        Some(stem) => (stem, "/"),
        None => match url.strip_suffix(".html") {
            Some(stem) => (stem, ".html"),
            None => (url, ""),
        },
    };
    let new = format!("{stem}-{date}{end}");
    let file = url_to_file(&percent_decode(&new).unwrap_or_else(|| new.clone()));
    (new, file)
}

type SharedNotes = Vec<Arc<Note>>;

/// Where one note (key and language) is in several folders, keeps the copy
/// `[book] prefer` ranks first (then the first by path) and gives the
/// others, whose URLs will redirect to it. Without `prefer`, two copies
/// are an error, as before.
fn pick_copies(
    config: &Config,
    notes: Vec<Arc<Note>>,
) -> Result<(SharedNotes, SharedNotes), Error> {
    if config.prefer.is_empty() {
        adjacent_duplicates(&notes)?;
        return Ok((notes, Vec::new()));
    }
    let rank = |n: &Note| {
        config
            .prefer
            .iter()
            .position(|f| {
                let f = f.trim_matches('/');
                f.is_empty()
                    || n.source
                        .rel
                        .strip_prefix(f)
                        .is_some_and(|r| r.starts_with('/'))
            })
            .unwrap_or(usize::MAX)
    };
    let mut kept: Vec<Arc<Note>> = Vec::with_capacity(notes.len());
    let mut copies = Vec::new();
    for note in notes {
        match kept.last_mut() {
            Some(last) if last.key == note.key && last.lang == note.lang => {
                if (rank(&note), &note.source) < (rank(last), &last.source) {
                    copies.push(std::mem::replace(last, note));
                } else {
                    copies.push(note);
                }
            }
            _ => kept.push(note),
        }
    }
    Ok((kept, copies))
}

/// The redirect pages: each copy's URL (when it differs from its note's),
/// then each note's `redirect_from:` and `aliases:`. A redirect where a
/// page or another redirect is, or outside the site, is an error at its
/// place.
fn redirects(
    config: &Config,
    languages: &[Language],
    notes: &[SiteNote],
    copies: &[(Arc<Note>, usize)],
) -> Result<Vec<Redirect>, Error> {
    let reserved = Reserved::new(config, languages);
    let pages: FxHashMap<&str, usize> = notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.file.as_str(), i))
        .collect();
    let mut taken: FxHashMap<String, Location> = FxHashMap::default();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut add = |raw: String, target: usize, at: Location, problems: &mut Vec<Diagnostic>| {
        let raw = if raw.starts_with('/') {
            raw
        } else {
            format!("/{raw}")
        };
        let raw = percent_decode(&raw).unwrap_or(raw);
        let file = url_to_file(&raw);
        if let Err(m) = check_file(&file) {
            problems.push(Diagnostic::new(
                at,
                m.replace("this note's page", "this redirect"),
            ));
            return;
        }
        if pages.get(file.as_str()) == Some(&target) {
            return; // The note's own URL.
        }
        let clash = if let Some(&page) = pages.get(file.as_str()) {
            Some(format!(
                "the page of {}",
                notes[page].note.source.path.display()
            ))
        } else if let Some(what) = reserved.conflict(&file) {
            Some(format!("{what}, which notes generates"))
        } else {
            taken
                .get(&file)
                .map(|other| format!("another redirect ({other})"))
        };
        match clash {
            Some(what) => problems.push(Diagnostic::new(
                at,
                format!("the redirect from {raw} would take the place of {what}: remove it or point it elsewhere"),
            )),
            None => {
                taken.insert(file.clone(), at);
                out.push(Redirect {
                    url: encode_url_path(&raw),
                    file,
                    target,
                });
            }
        }
    };
    for (copy, target) in copies {
        match permalink(config, copy) {
            Ok(raw) => add(raw, *target, identity_location(copy), &mut problems),
            Err(m) => problems.push(Diagnostic::new(identity_location(copy), m)),
        }
    }
    for (i, n) in notes.iter().enumerate() {
        for r in &n.note.front.redirects {
            let at = Location::new(&n.note.source.path, r.line, r.column);
            add(r.value.trim().to_string(), i, at, &mut problems);
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

/// Where a note's URL comes from: its `slug:`, else its
/// `translation_key:`, else its file name.
fn identity_location(note: &Note) -> Location {
    let front = note
        .front
        .permalink
        .as_ref()
        .or(note.front.slug.as_ref())
        .or(note.front.translation_key.as_ref());
    match front {
        Some(s) => Location::new(&note.source.path, s.line, s.column),
        None => Location::file(&note.source.path),
    }
}

/// The longest file name most file systems take, in bytes.
const NAME_MAX: usize = 255;

/// A page's file must stay inside the output folder (no `..`, `.` or empty
/// part, nothing absolute) and each of its names must fit the file system.
fn check_file(file: &str) -> Result<(), String> {
    if !crate::output::is_inside(file) {
        return Err(format!(
            "this note's page would be written to `{file}`, which is not a path inside the output folder: give it a `slug:` of letters, digits, `-` and `_`"
        ));
    }
    if let Some(long) = file.split('/').find(|p| p.len() > NAME_MAX) {
        return Err(format!(
            "this note's page file name `{}…` is {} bytes long, more than the {NAME_MAX} a file system takes: give the note a shorter `slug:`",
            long.chars().take(24).collect::<String>(),
            long.len()
        ));
    }
    Ok(())
}

/// The files and folders notes writes besides note pages: every
/// language's home, feed, index pages and search page, the 404 page, the
/// sitemaps, the search index and the theme's assets.
struct Reserved {
    files: BTreeSet<String>,
    folders: Vec<String>,
}

impl Reserved {
    fn new(config: &Config, languages: &[Language]) -> Reserved {
        let mut files: BTreeSet<String> = [
            "404.html",
            "sitemap.xml",
            "highlight.css",
            ".nojekyll",
            "CNAME",
        ]
        .iter()
        .map(|f| f.to_string())
        .chain(
            crate::theme::BUILTIN_STATIC
                .iter()
                .map(|(f, _)| f.to_string()),
        )
        .collect();
        let mut folders = Vec::new();
        for lang in languages {
            let home = if lang.code == config.default_language {
                String::new()
            } else {
                format!("{}/", lang.code)
            };
            files.insert(format!("{home}index.html"));
            files.insert(format!("{home}{}", config.feed.path));
            folders.push(format!("{home}page/"));
            folders.push(format!("{home}search/"));
        }
        Reserved { files, folders }
    }

    /// What generated file `file` would replace, or be written under (a
    /// page `atom.xml/index.html` needs a folder where the feed is).
    fn conflict(&self, file: &str) -> Option<String> {
        if self.files.contains(file) || is_sitemap_part(file) {
            return Some(format!("`{file}`"));
        }
        if let Some(folder) = self.folders.iter().find(|f| file.starts_with(f.as_str())) {
            return Some(format!("the folder `{folder}`"));
        }
        file.match_indices('/')
            .map(|(i, _)| &file[..i])
            .find(|p| self.files.contains(*p) || is_sitemap_part(p))
            .map(|p| format!("`{p}`"))
    }
}

/// `sitemap-3.xml`: a part of a large site's sitemap.
fn is_sitemap_part(file: &str) -> bool {
    file.strip_prefix("sitemap-")
        .and_then(|r| r.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A site path as it goes into links, feeds and the sitemap: characters
/// that end or break a URL path (space, `#`, `?`, `%`, quotes, controls,
/// backslash, …) percent-encoded, so that every URL reaches the file named
/// by the path as written; letters of every script are kept (IRIs).
pub fn encode_url_path(path: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_control()
            || " \"#%<>?[\\]^`{|}".contains(c)
            || ('\u{80}'..='\u{9f}').contains(&c)
        {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The site path of a note: its own `permalink:` (as written, with
/// placeholders), else the pattern of the first `[[output.html.permalinks]]`
/// folder that holds it, else `[output.html] permalink`. A pattern in
/// notes' spelling without `{lang}` puts other languages under `/{lang}/`;
/// one with Jekyll's placeholders is taken as written.
fn permalink(config: &Config, note: &Note) -> Result<String, String> {
    use crate::permalink::{Kind, NeedsDate, Values, expand, is_jekyll_style};
    let rel = note.source.rel.as_str();
    let rule = config.permalinks.iter().find(|r| r.holds(rel));
    let (pattern, kind, own) = match (&note.front.permalink, rule) {
        (Some(p), _) => (p.value.as_str(), rule.map_or(Kind::Page, |r| r.kind), true),
        (None, Some(r)) => (r.permalink.as_str(), r.kind, false),
        (None, None) => (config.permalink.as_str(), Kind::Note, false),
    };
    let values = Values {
        rel,
        slug: &note.slug,
        lang: &note.lang,
        date: note.date,
        front_slug: note.front.slug.as_ref().map(|s| s.value.as_str()),
        categories: note.front.categories.clone(),
        kind,
        folder: rule.map_or("", |r| r.folder.trim_matches('/')),
    };
    let pattern = if pattern.starts_with('/') {
        pattern.to_string()
    } else {
        format!("/{pattern}")
    };
    let mut url = expand(&pattern, &values).map_err(|NeedsDate| {
        format!(
            "permalink `{pattern}` needs a date: add `date:` or name the file YYYY-MM-DD-slug.md"
        )
    })?;
    let as_written = own || is_jekyll_style(&pattern) || pattern.contains("{lang}");
    if !as_written && note.lang != config.default_language {
        url = format!("/{}{url}", note.lang);
    }
    Ok(url)
}

/// Decodes `%XX` escapes of a URL path or fragment; `None` for a broken
/// escape or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(text.get(i + 1..i + 3)?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Joins a relative link to the folder of the linking file, resolving
/// `.` and `..`. `None` when it climbs out of the content folder.
fn normalize(folder: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        folder.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The output file of a site path: `/a/` → `a/index.html`, `/a` → `a.html`.
pub fn url_to_file(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else if path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.ends_with(".html"))
    {
        path.to_string()
    } else {
        format!("{path}.html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::SourceFile;
    use std::path::Path;

    fn config(extra: &str) -> Config {
        Config::from_str(
            Path::new("s"),
            &format!("[languages.hi]\n[languages.zh]\n{extra}"),
        )
        .unwrap()
    }

    fn note(config: &Config, rel: &str, text: &str) -> Note {
        let source = SourceFile {
            path: Path::new("content").join(rel),
            rel: rel.into(),
        };
        crate::note::parse(&source, text.as_bytes(), config).unwrap()
    }

    #[test]
    fn urls_groups_and_order() {
        let c = config("");
        let notes = vec![
            note(&c, "hi/2025-06-12-cffi-hi.md", "x"),
            note(&c, "en/2025-06-12-cffi-en.md", "x"),
            note(&c, "en/2025-07-01-newer-en.md", "x"),
        ];
        let mut w = vec![];
        let site = Site::assemble(c, notes, &mut w).unwrap();
        let urls: Vec<_> = site.notes.iter().map(|n| n.url.as_str()).collect();
        assert_eq!(urls, ["/cffi/", "/hi/cffi/", "/newer/"]);
        assert_eq!(site.notes[1].file, "hi/cffi/index.html");
        assert_eq!(site.groups.len(), 2);
        assert_eq!(site.group(1).members, [0, 1]);
        assert_eq!(site.by_language[0], [2, 0]);
        assert!(w.is_empty());
    }

    #[test]
    fn note_links_pick_the_readers_language() {
        let c = config("");
        let notes = vec![
            note(
                &c,
                "_posts/hi/2025-06-12-cffi-hi.md",
                "---\ntranslated: true\n---\nx",
            ),
            note(&c, "_posts/en/2025-06-12-cffi-en.md", "x"),
            note(&c, "_posts/hi/2025-07-01-other-hi.md", "x"),
            note(&c, "_posts/en/2025-08-01-only-en.md", "x"),
        ];
        let site = Site::assemble(c, notes, &mut vec![]).unwrap();
        let from_hi = site.by_source["_posts/hi/2025-07-01-other-hi.md"];
        let link = |dest: &str| site.note_link(from_hi, dest).map(|r| r.map(|(_, url)| url));
        assert_eq!(
            link("../en/2025-06-12-cffi-en.md"),
            Some(Ok("/hi/cffi/".into()))
        );
        assert_eq!(link("@/2025-06-12-cffi#fix"), Some(Ok("/hi/cffi/".into())));
        assert_eq!(
            link("../en/2025-08-01-only-en.md"),
            Some(Ok("/only/".into()))
        );
        assert_eq!(link("https://example.org/x.md"), None);
        assert_eq!(link("/img.png"), None);
        assert!(
            link("../en/missing-en.md")
                .unwrap()
                .unwrap_err()
                .contains("no note at _posts/en/missing-en.md")
        );
        assert!(link("@/nope").unwrap().is_err());
    }

    #[test]
    fn jekyll_style_permalink_writes_html_files() {
        let c = config("[output.html]\npermalink = \"/{slug}-{lang}\"\n");
        let notes = vec![note(&c, "hi/2025-06-12-cffi-hi.md", "x")];
        let site = Site::assemble(c, notes, &mut vec![]).unwrap();
        assert_eq!(
            (site.notes[0].url.as_str(), site.notes[0].file.as_str()),
            ("/cffi-hi", "cffi-hi.html")
        );
    }

    #[test]
    fn duplicates_name_both_files() {
        let c = config("");
        let notes = vec![
            note(&c, "notes/2025-06-12-cffi-en.md", "x"),
            note(&c, "_posts/en/2025-06-12-cffi-en.md", "x"),
        ];
        let err = Site::assemble(c, notes, &mut vec![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate note"), "{err}");
        assert!(
            err.contains("content/notes/2025-06-12-cffi-en.md")
                && err.contains("content/_posts/en/2025-06-12-cffi-en.md"),
            "{err}"
        );
        assert!(err.contains("exclude"), "{err}");
    }

    #[test]
    fn unconfigured_language_warns_and_bad_code_fails() {
        let c = config("");
        let notes = vec![note(&c, "x-pt.md", "---\nlang: pt\n---\nx")];
        let mut w = vec![];
        let site = Site::assemble(c.clone(), notes, &mut w).unwrap();
        assert_eq!(site.languages.last().unwrap().code, "pt");
        assert_eq!(w.len(), 1);
        let notes = vec![note(&c, "x.md", "---\ntitle: t\nlang: english\n---\nx")];
        let err = Site::assemble(c, notes, &mut vec![])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("content/x.md:3:7: unknown language `english`"),
            "{err}"
        );
    }

    #[test]
    fn colliding_pages_are_errors() {
        let c = config("");
        let notes = vec![note(&c, "2025-01-01-page.md", "---\nslug: hi\n---\nx")];
        let err = Site::assemble(c, notes, &mut vec![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("would take the place of"), "{err}");
    }
}
