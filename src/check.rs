//! `notes check`: everything `build` reads, checked without writing
//! anything, with what to fix. Errors are what would fail the build (and
//! links to headings that do not exist); warnings are what builds but is
//! probably wrong: unclosed code fences, stale or missing translations,
//! unconfigured languages, duplicate titles, front matter that differs
//! across a translation group.
//!
//! The JSON form (`--format json`) is stable: see the README.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::error::{Diagnostic, Error};
use crate::highlight::Highlighter;
use crate::markdown::Rendered;
use crate::site::Site;
use crate::{BuildOptions, Quiet, discover, render, site};

/// The version of the JSON report's shape.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, where it is, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// A stable name for the kind of problem (`broken-link`, `stale-translation`, …).
    pub kind: &'static str,
    pub message: String,
    pub fix: String,
}

/// Which languages each translation group lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MissingTranslations {
    /// Every language of the site, in its order.
    pub languages: Vec<String>,
    /// Groups that lack at least one language.
    pub groups: Vec<GroupLanguages>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupLanguages {
    pub key: String,
    pub present: Vec<String>,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub version: u32,
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<Finding>,
    pub missing_translations: MissingTranslations,
}

impl CheckReport {
    fn push(
        &mut self,
        severity: Severity,
        kind: &'static str,
        d: &Diagnostic,
        fix: impl Into<String>,
    ) {
        self.findings.push(Finding {
            severity,
            path: d.location.path.display().to_string(),
            line: d.location.line,
            column: d.location.column,
            kind,
            message: d.message.clone(),
            fix: fix.into(),
        });
    }

    /// A build error, its message split into what is wrong and the fix.
    fn error(&mut self, kind: &'static str, e: Error) {
        let list = match e {
            Error::Input(list) => list,
            other => vec![Diagnostic::new(
                crate::Location::file("."),
                other.to_string(),
            )],
        };
        for d in list {
            let (message, fix) = split_fix(&d.message);
            let d = Diagnostic::new(d.location, message);
            self.push(Severity::Error, kind, &d, fix);
        }
    }

    fn finish(mut self) -> CheckReport {
        self.findings.sort();
        self.findings.dedup();
        self.version = FORMAT_VERSION;
        self.errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        self.warnings = self.findings.len() - self.errors;
        self
    }
}

/// Our messages say what is wrong, then (after `; ` or `: `) what to do.
fn split_fix(message: &str) -> (String, String) {
    const VERBS: &[&str] = &[
        "add",
        "use",
        "write",
        "save",
        "remove",
        "give",
        "create",
        "choose",
        "move",
        "fix",
        "quote",
        "indent",
        "correct",
        "set",
        "delete",
        "rename",
        "configure",
        "put",
        "list",
        "check",
    ];
    if let Some((what, fix)) = message.split_once("; ") {
        return (what.to_string(), fix.to_string());
    }
    for (i, _) in message.match_indices(": ") {
        let rest = &message[i + 2..];
        let first = rest.split_whitespace().next().unwrap_or("");
        if VERBS.contains(&first.to_ascii_lowercase().as_str()) {
            return (message[..i].to_string(), rest.to_string());
        }
    }
    (
        message.to_string(),
        "correct it as the message says, then run `notes check` again".to_string(),
    )
}

/// Checks the site at `options.root`. Never fails: problems that stop the
/// checks early are findings too.
pub fn check(options: &BuildOptions) -> CheckReport {
    let mut report = CheckReport::default();
    let config = match Config::load(&options.root, &options.overrides) {
        Ok((config, _)) => config,
        Err(e) => {
            report.error("config", e);
            return report.finish();
        }
    };
    let sources = match discover::discover(&config, options.drafts) {
        Ok(s) => s,
        Err(e) => {
            report.error("content", e);
            return report.finish();
        }
    };
    let (mut notes, problems) =
        crate::pipeline::read_all(&sources, &config, options.drafts, &Quiet);
    report.error("note", Error::Input(problems));
    if !config.prefer.is_empty() {
        // Copies in several folders are one note and redirects.
    } else if let Err(e) = site::check_duplicates(&notes) {
        report.error("duplicate", e);
        notes.sort_by(|a, b| (&a.key, &a.lang, &a.source).cmp(&(&b.key, &b.lang, &b.source)));
        notes.dedup_by(|b, a| a.key == b.key && a.lang == b.lang);
    }
    let site = match Site::assemble(config, notes, &mut Vec::new()) {
        Ok(site) => site,
        Err(e) => {
            report.error("site", e);
            return report.finish();
        }
    };
    written_files(&site, &mut report);
    moved_notes(&site, &mut report);
    let highlighter = Highlighter::new();
    let rendered = crate::pipeline::render_markdown(&site, &highlighter, &Quiet);
    if let Err(e) = crate::pipeline::broken_links(&site, &rendered) {
        report.error("broken-link", e);
    }
    anchors(&site, &rendered, &mut report);
    formulas(&site, &rendered, &mut report);
    fences(&site, &rendered, &mut report);
    let translations = crate::translations::analyze(&site);
    let drift = crate::drift::analyze(&site, &translations.original);
    code_drift(&site, &translations, &drift, &mut report);
    templates(&site, &rendered, translations.clone(), drift, &mut report);
    stale(&site, &rendered, &translations, &mut report);
    unconfigured(&site, &mut report);
    duplicate_titles(&site, &mut report);
    differing_keys(&site, &mut report);
    report.missing_translations = missing(&site);
    report.finish()
}

/// `notes check --diff KEY LANG`: what changed in a stale translation's
/// original since the translation was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalDiff {
    /// One line for people: which files, which version, which sections.
    pub summary: String,
    /// The unified diff of the original; empty when nothing changed.
    pub diff: String,
}

/// The original's change since the translation of `key` into `lang` was
/// made, from git history (the translation's last commit, or the revision
/// its `translated_from` hash names).
pub fn diff(options: &BuildOptions, key: &str, lang: &str) -> Result<OriginalDiff, Error> {
    let site = crate::pipeline::load(options)?;
    let not_found = |what: String| Error::Output(what);
    let i = site
        .notes
        .iter()
        .position(|n| n.note.key == key && n.note.lang == lang)
        .ok_or_else(|| {
            let langs: Vec<&str> = site
                .notes
                .iter()
                .filter(|n| n.note.key == key)
                .map(|n| n.note.lang.as_str())
                .collect();
            not_found(match langs.is_empty() {
                true => format!("no note has the translation key `{key}`: `notes check --format json` lists the notes; the key is the file name without its language suffix, or `translation_key:`"),
                false => format!("the note `{key}` has no `{lang}` version; it has: {}", langs.join(", ")),
            })
        })?;
    let translations = crate::translations::analyze(&site);
    let path = |n: usize| site.notes[n].note.source.path.display().to_string();
    let Some(o) = translations.original[i] else {
        return Err(not_found(format!(
            "{} is not a translation (it is the original, or `translated: false`), so it has no original to compare with",
            path(i)
        )));
    };
    let Some(stale) = &translations.stale[i] else {
        return Ok(OriginalDiff {
            summary: format!(
                "{} is up to date: its original {} has not changed since it was translated",
                path(i),
                path(o)
            ),
            diff: String::new(),
        });
    };
    let Some(base) = &stale.base else {
        return Err(not_found(format!(
            "{} is stale (its original {} changed after it, by {}), but the version it was translated from is not in git history: commit the notes, or write the original's SHA-256 as `translated_from:` when translating",
            path(i),
            path(o),
            stale.by
        )));
    };
    let dir = &site.config.content_dir;
    let rel = &site.notes[o].note.source.rel;
    let old = crate::history::blobs(dir, &[(base.commit.clone(), rel.clone())])
        .pop()
        .flatten()
        .unwrap_or_default();
    let new = std::fs::read(dir.join(rel))
        .map_err(|e| Error::io(&dir.join(rel), "read the original", e))?;
    let short = &base.commit[..base.commit.len().min(10)];
    let original = &site.notes[o].note;
    let body = crate::pipeline::render_one(&site, &Highlighter::new(), o);
    let sections = changed_sections(&base.changed, &body.toc, original, "sections changed");
    Ok(OriginalDiff {
        summary: format!(
            "{} was translated from {} as of commit {short}; {sections}",
            path(i),
            path(o)
        ),
        diff: crate::changes::unified(
            &String::from_utf8_lossy(&old),
            &String::from_utf8_lossy(&new),
            &format!("a/{rel} ({short}, when translated)"),
            &format!("b/{rel} (now)"),
        ),
    })
}

/// The original's sections holding `lines`, as check lists them:
/// `<lead>: “Install” (line 7), “Why” (line 19)`.
fn changed_sections(
    lines: &[usize],
    toc: &[crate::markdown::TocEntry],
    original: &crate::note::Note,
    lead: &str,
) -> String {
    let sections = crate::changes::sections(lines, toc, original.body_line, &original.title);
    if sections.is_empty() {
        return "only its front matter changed".to_string();
    }
    let list: Vec<String> = sections
        .iter()
        .map(|s| format!("“{}” (line {})", s.title, s.line))
        .collect();
    format!("{lead}: {}", list.join(", "))
}

/// What would stop `notes build` when it writes: static files in a page's
/// place, and an output folder it may not write into.
fn written_files(site: &Site, report: &mut CheckReport) {
    let config = &site.config;
    match crate::pipeline::assets(config) {
        Ok(mut files) => {
            let pages = site.notes.iter().map(|n| n.file.clone());
            let redirects = site.redirects.iter().map(|r| r.file.clone());
            files.extend(pages.chain(redirects).map(|path| crate::OutputFile {
                path,
                content: crate::output::Content::Kept { hash: 0, len: 0 },
                key: None,
            }));
            if let Err(e) = crate::pipeline::check_unique_paths(&files) {
                report.error("site", e);
            }
        }
        Err(e) => report.error("site", e),
    }
    if let Err(e) =
        crate::output::inspect(&config.output_dir, &config.root, &config.source_folders())
    {
        // About where book.toml (or --output) puts the site.
        let book = crate::Location::file(config.root.join(crate::config::CONFIG_FILE));
        report.error("site", Error::one(book, e.to_string()));
    }
}

/// Notes that share a URL with a later note of their language (Jekyll
/// publishes the later one there): each was given its own URL.
fn moved_notes(site: &Site, report: &mut CheckReport) {
    for m in &site.moved {
        let (note, winner) = (&site.notes[m.note], &site.notes[m.winner]);
        let d = Diagnostic::new(
            crate::Location::file(&note.note.source.path),
            format!(
                "this note and {} have the same URL {}; the later one keeps it, as Jekyll publishes, and this one is at {}",
                winner.note.source.path.display(),
                winner.url,
                note.url
            ),
        );
        report.push(
            Severity::Warning,
            "duplicate-url",
            &d,
            "give one of them another `slug:` (and a `redirect_from:` if its old URL is linked)",
        );
    }
}

/// TeX that does not read (shown as code on the page).
fn formulas(
    site: &Site,
    rendered: &[std::sync::Arc<crate::markdown::Rendered>],
    report: &mut CheckReport,
) {
    for (i, r) in rendered.iter().enumerate() {
        for (line, why) in &r.math_errors {
            let d = Diagnostic::new(
                at(site, i, *line),
                format!("this formula is not TeX that notes can read: {why}"),
            );
            report.push(
                Severity::Warning,
                "math",
                &d,
                "correct the formula (it is shown as code until then)",
            );
        }
    }
}

fn at(site: &Site, note: usize, body_line: usize) -> crate::Location {
    let n = &site.notes[note].note;
    crate::Location::new(&n.source.path, n.body_line + body_line.max(1) - 1, 1)
}

/// `#fragment` links, to this note or another, that no heading or
/// footnote has.
fn anchors(
    site: &Site,
    rendered: &[std::sync::Arc<crate::markdown::Rendered>],
    report: &mut CheckReport,
) {
    for (i, r) in rendered.iter().enumerate() {
        for link in &r.links {
            let Some(fragment) = &link.fragment else {
                continue;
            };
            let target = link.target.unwrap_or(i);
            let decoded = site::percent_decode(fragment).unwrap_or_else(|| fragment.clone());
            if fragment.is_empty()
                || rendered[target]
                    .anchors
                    .iter()
                    .any(|a| *a == decoded || a == fragment)
            {
                continue;
            }
            let d = Diagnostic::new(
                at(site, i, link.line),
                format!(
                    "link to #{fragment}, but {} has no heading with that id",
                    site.notes[target].note.source.path.display()
                ),
            );
            let known: Vec<&str> = rendered[target]
                .anchors
                .iter()
                .map(String::as_str)
                .take(8)
                .collect();
            report.push(
                Severity::Error,
                "broken-anchor",
                &d,
                format!("link to one of its headings: {}", known.join(", ")),
            );
        }
    }
}

fn fences(
    site: &Site,
    rendered: &[std::sync::Arc<crate::markdown::Rendered>],
    report: &mut CheckReport,
) {
    for (i, r) in rendered.iter().enumerate() {
        let body_line = |l: usize| site.notes[i].note.body_line + l - 1;
        for f in &r.unclosed_fences {
            let message = if f.runs_to_end {
                "code fence opened here is never closed: the code block swallows the rest of the note".to_string()
            } else {
                format!(
                    "the code block opened here runs on to line {}, swallowing the text between",
                    body_line(f.end_line)
                )
            };
            let fix = match (f.glued, f.swallowed_fence) {
                (Some(line), _) => format!(
                    "line {} ends with a fence glued to its text, which closes nothing: put the fence on a line of its own",
                    body_line(line)
                ),
                (None, Some(line)) => format!(
                    "close this block before line {}, which opens the next one",
                    body_line(line)
                ),
                (None, None) => {
                    "close the block with a fence line (```) where the code ends".to_string()
                }
            };
            report.push(
                Severity::Warning,
                "unclosed-fence",
                &Diagnostic::new(at(site, i, f.line), message),
                fix,
            );
        }
    }
}

/// Renders every page without writing it, for template errors.
fn templates(
    site: &Site,
    rendered: &[std::sync::Arc<crate::markdown::Rendered>],
    translations: crate::translations::Translations,
    drift: crate::drift::SiteDrift,
    report: &mut CheckReport,
) {
    let templates = match render::Templates::load(&site.config) {
        Ok(t) => t,
        Err(e) => return report.error("template", e),
    };
    let codes: Vec<&str> = site.languages.iter().map(|l| l.code.as_str()).collect();
    let mut warnings = Vec::new();
    let strings = match crate::i18n::load(&site.config, &codes, &mut warnings) {
        Ok(s) => s,
        Err(e) => return report.error("config", e),
    };
    let extras = render::Extras {
        strings,
        translations,
        drift,
    };
    if let Err(e) = render::render_site(site, rendered, &templates, &extras, None, &mut warnings) {
        report.error("template", e);
    }
}

fn stale(
    site: &Site,
    rendered: &[Arc<Rendered>],
    t: &crate::translations::Translations,
    report: &mut CheckReport,
) {
    for (i, s) in t.stale.iter().enumerate() {
        let Some(s) = s else { continue };
        let original = &site.notes[s.original].note;
        let when = s
            .updated
            .map(|t| format!(" on {}", t.to_zoned(jiff::tz::TimeZone::UTC).date()))
            .unwrap_or_default();
        let changed = s.base.as_ref().map(|b| {
            let toc = &rendered[s.original].toc;
            format!(
                "; {}",
                changed_sections(&b.changed, toc, original, "sections changed since")
            )
        });
        let d = Diagnostic::new(
            crate::Location::file(&site.notes[i].note.source.path),
            format!(
                "stale translation: its original {} changed{when}, after it (by {}){}",
                original.source.path.display(),
                s.by,
                changed.as_deref().unwrap_or_default()
            ),
        );
        let note = &site.notes[i].note;
        let help = match s.base {
            Some(_) => format!(
                "update the translation from `notes check --diff {} {}` (the original's change since), or translate it again",
                note.key, note.lang
            ),
            None => "translate the original again, or update `translated_from` if the change does not matter".to_string(),
        };
        report.push(Severity::Warning, "stale-translation", &d, &help);
    }
}

/// Translations whose code is not their original's (see [`crate::drift`]),
/// and translations that say they are one but have no original.
fn code_drift(
    site: &Site,
    t: &crate::translations::Translations,
    drift: &crate::drift::SiteDrift,
    report: &mut CheckReport,
) {
    for (i, original) in t.original.iter().enumerate() {
        let note = &site.notes[i].note;
        let Some(o) = *original else {
            if note.front.translated && site.group(i).members.len() == 1 {
                let d = Diagnostic::new(
                    crate::Location::file(&note.source.path),
                    "this note says `translated: true`, but no note of its translation group is its original",
                );
                report.push(
                    Severity::Warning,
                    "missing-original",
                    &d,
                    format!(
                        "add the original with the same key ({}), or set `translated: false` if this is the original",
                        note.key
                    ),
                );
            }
            continue;
        };
        let original = &site.notes[o].note;
        for d in &drift.findings[i] {
            let origin = if d.original_line > 0 {
                format!(" [{}:{}]", original.source.path.display(), d.original_line)
            } else {
                format!(" [original: {}]", original.source.path.display())
            };
            let at = crate::Location::new(&note.source.path, d.line, d.column);
            let diagnostic = Diagnostic::new(at, format!("{}{origin}", d.message));
            report.push(
                Severity::Warning,
                "code-drift",
                &diagnostic,
                format!(
                    "{}; or silence it with `code_drift_ignore: [{:?}]` in the front matter",
                    d.fix, d.code
                ),
            );
        }
    }
}

fn unconfigured(site: &Site, report: &mut CheckReport) {
    for lang in site.languages.iter().filter(|l| !l.configured) {
        let Some(n) = site.notes.iter().find(|n| n.note.lang == lang.code) else {
            continue;
        };
        let (line, column) = n
            .note
            .front
            .lang
            .as_ref()
            .map_or((1, 1), |l| (l.line, l.column));
        let count = site
            .notes
            .iter()
            .filter(|n| n.note.lang == lang.code)
            .count();
        let d = Diagnostic::new(
            crate::Location::new(&n.note.source.path, line, column),
            format!(
                "language `{}` is used by {count} note{} but not configured",
                lang.code,
                if count == 1 { "" } else { "s" }
            ),
        );
        report.push(
            Severity::Warning,
            "unconfigured-language",
            &d,
            format!("add [languages.{}] with its `name` to book.toml", lang.code),
        );
    }
}

fn duplicate_titles(site: &Site, report: &mut CheckReport) {
    let mut seen: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, n) in site.notes.iter().enumerate() {
        seen.entry((n.note.lang.as_str(), n.note.title.as_str()))
            .or_default()
            .push(i);
    }
    for ((lang, title), notes) in seen.into_iter().filter(|(_, v)| v.len() > 1) {
        let paths: Vec<String> = notes
            .iter()
            .map(|&i| site.notes[i].note.source.path.display().to_string())
            .collect();
        for &i in &notes {
            let n = &site.notes[i].note;
            let others: Vec<&str> = paths
                .iter()
                .map(String::as_str)
                .filter(|p| *p != n.source.path.display().to_string())
                .collect();
            let d = Diagnostic::new(
                crate::Location::file(&n.source.path),
                format!(
                    "duplicate title \"{title}\" in language `{lang}`, also used by {}",
                    others.join(", ")
                ),
            );
            report.push(
                Severity::Warning,
                "duplicate-title",
                &d,
                "give each note a title that tells readers which one they need",
            );
        }
    }
}

/// Front-matter keys that some notes of a group have and others lack
/// (`type:` in some languages only): usually a translation tool's slip.
fn differing_keys(site: &Site, report: &mut CheckReport) {
    for group in &site.groups {
        if group.members.len() < 2 {
            continue;
        }
        // Keys that say how a note relates to its original belong on
        // translations only.
        let own = |k: &&str| !matches!(*k, "translated" | "translated_from" | "translation_key");
        let keys = |i: usize| -> BTreeSet<&str> {
            site.notes[i]
                .note
                .front
                .keys
                .iter()
                .map(String::as_str)
                .filter(own)
                .collect()
        };
        let all: BTreeSet<&str> = group.members.iter().flat_map(|&i| keys(i)).collect();
        for &i in &group.members {
            let have = keys(i);
            let lacking: Vec<&str> = all.iter().copied().filter(|k| !have.contains(k)).collect();
            for key in lacking {
                let with: Vec<&str> = group
                    .members
                    .iter()
                    .filter(|&&m| keys(m).contains(key))
                    .map(|&m| site.notes[m].note.lang.as_str())
                    .collect();
                let d = Diagnostic::new(
                    crate::Location::file(&site.notes[i].note.source.path),
                    format!(
                        "front matter lacks `{key}`, which the {} version{} of this note {}",
                        with.join(", "),
                        if with.len() == 1 { "" } else { "s" },
                        if with.len() == 1 { "has" } else { "have" }
                    ),
                );
                report.push(
                    Severity::Warning,
                    "differing-front-matter",
                    &d,
                    format!("add `{key}:` here, or remove it from the other versions"),
                );
            }
        }
    }
}

fn missing(site: &Site) -> MissingTranslations {
    let languages: Vec<String> = site.languages.iter().map(|l| l.code.clone()).collect();
    let groups = site
        .groups
        .iter()
        .filter_map(|g| {
            let present: Vec<String> = g
                .members
                .iter()
                .map(|&m| site.notes[m].note.lang.clone())
                .collect();
            let missing: Vec<String> = languages
                .iter()
                .filter(|l| !present.contains(l))
                .cloned()
                .collect();
            (!missing.is_empty()).then(|| GroupLanguages {
                key: g.key.clone(),
                present,
                missing,
            })
        })
        .collect();
    MissingTranslations { languages, groups }
}

/// The report for a terminal: one finding per line with its fix below,
/// the missing-translations table, and a count.
pub fn to_text(report: &CheckReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "{severity}[{}]: {}:{}:{}: {}",
            f.kind, f.path, f.line, f.column, f.message
        );
        let _ = writeln!(out, "  fix: {}", f.fix);
    }
    let m = &report.missing_translations;
    if !m.groups.is_empty() {
        let width = m
            .groups
            .iter()
            .map(|g| g.key.chars().count())
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "\nmissing translations ({} groups; ✓ present, · missing):",
            m.groups.len()
        );
        let _ = write!(out, "{:width$}", "");
        for l in &m.languages {
            let _ = write!(out, " {l:>4}");
        }
        out.push('\n');
        for g in &m.groups {
            let _ = write!(out, "{:width$}", g.key);
            for l in &m.languages {
                let mark = if g.present.contains(l) { "✓" } else { "·" };
                let _ = write!(out, " {mark:>4}");
            }
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "\n{} error{}, {} warning{}, {} group{} missing translations",
        report.errors,
        if report.errors == 1 { "" } else { "s" },
        report.warnings,
        if report.warnings == 1 { "" } else { "s" },
        m.groups.len(),
        if m.groups.len() == 1 { "" } else { "s" },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_are_split_from_messages() {
        assert_eq!(
            split_fix("the file is empty: write the note, or delete it"),
            (
                "the file is empty".into(),
                "write the note, or delete it".into()
            )
        );
        assert_eq!(split_fix("a; b").1, "b");
        assert_eq!(
            split_fix("invalid YAML front matter: did not find expected ','").0,
            "invalid YAML front matter: did not find expected ','"
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            site::percent_decode("%E5%AE%89%E8%A3%85").as_deref(),
            Some("安装")
        );
        assert_eq!(site::percent_decode("a%2"), None);
    }
}
