//! How the notes of a translation group relate: which note is the original
//! of a translation, and whether a translation is stale (its original
//! changed after it was made).
//!
//! Staleness is judged, in order of trust, by a `translated_from:` key (the
//! original's SHA-256 when the translation was made, written by translation
//! tooling), by git history (the last commit that touched each file, read
//! in one pass over the log), or by modification times outside git.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use jiff::Timestamp;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::site::Site;

/// A translation whose original changed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Index of the original in `Site::notes`.
    pub original: usize,
    /// When the original last changed (UTC), if known.
    pub updated: Option<Timestamp>,
    /// How it was found: `translated_from`, `git` or `mtime`.
    pub by: &'static str,
}

/// How much later than its translation an original's modification time
/// must be to count as a change, outside git.
const MTIME_SLACK_SECONDS: i64 = 60;

/// What is known about every note's translation status.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    /// For each note: its original, when it is a translation.
    pub original: Vec<Option<usize>>,
    pub stale: Vec<Option<Stale>>,
    /// Where the change times came from.
    pub source: &'static str,
}

/// The original of each note of `site`, and which translations are stale.
pub fn analyze(site: &Site) -> Translations {
    let times = if needs_times(site) {
        ChangeTimes::load(site)
    } else {
        ChangeTimes::default()
    };
    analyze_with(site, &times)
}

/// Whether any translation is judged by change times (not by a hash).
pub fn needs_times(site: &Site) -> bool {
    (0..site.notes.len()).into_par_iter().any(|i| {
        original_of(site, i).is_some()
            && !site.notes[i]
                .note
                .front
                .extra
                .contains_key("translated_from")
    })
}

/// [`analyze`] with change times already known (`serve` keeps them).
pub fn analyze_with(site: &Site, times: &ChangeTimes) -> Translations {
    // Per note, independent of the others: in parallel (61,000 notes at 4x).
    let original: Vec<Option<usize>> = (0..site.notes.len())
        .into_par_iter()
        .map(|i| original_of(site, i))
        .collect();
    let stale = (0..site.notes.len())
        .into_par_iter()
        .map(|i| original[i].and_then(|o| stale(site, i, o, &times.times, times.source)))
        .collect();
    Translations {
        original,
        stale,
        source: times.source,
    }
}

/// When each note last changed, by its path relative to the content folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeTimes {
    pub times: BTreeMap<String, Timestamp>,
    /// `git`, `mtime`, or `none` when not needed.
    pub source: &'static str,
}

impl Default for ChangeTimes {
    fn default() -> Self {
        ChangeTimes {
            times: BTreeMap::new(),
            source: "none",
        }
    }
}

impl ChangeTimes {
    pub fn load(site: &Site) -> ChangeTimes {
        let (times, source) = change_times(site);
        ChangeTimes { times, source }
    }

    /// Notes the files that just changed: they changed when last written,
    /// as a fresh [`ChangeTimes::load`] would find (an edit makes a file
    /// dirty in git).
    pub fn refresh(&mut self, dir: &Path, rels: &[String]) {
        if self.source == "none" {
            self.source = if git_times(dir).is_some() {
                "git"
            } else {
                "mtime"
            };
        }
        for rel in rels {
            match mtime(&dir.join(rel)) {
                Some(t) => self.times.insert(rel.clone(), t),
                None => self.times.remove(rel),
            };
        }
    }
}

/// The original of a translation: the group's note marked
/// `translated: false` (the default language's, when several are), else
/// the default language's note. `None` for a note that is not translated.
pub fn original_of(site: &Site, i: usize) -> Option<usize> {
    let note = &site.notes[i].note;
    if !note.front.translated {
        return None;
    }
    let members = &site.group(i).members;
    let untranslated = |m: &&usize| !site.notes[**m].note.front.translated;
    let default = |m: &&usize| site.notes[**m].note.lang == site.config.default_language;
    members
        .iter()
        .filter(untranslated)
        .find(default)
        .or_else(|| members.iter().find(untranslated))
        .or_else(|| members.iter().find(default))
        .copied()
        .filter(|&o| o != i)
}

fn stale(
    site: &Site,
    i: usize,
    original: usize,
    times: &BTreeMap<String, Timestamp>,
    source: &'static str,
) -> Option<Stale> {
    let rel = |n: usize| site.notes[n].note.source.rel.as_str();
    let updated = times.get(rel(original)).copied();
    if let Some(recorded) = site.notes[i]
        .note
        .front
        .extra
        .get("translated_from")
        .and_then(|v| v.as_str())
    {
        let path = site.config.content_dir.join(rel(original));
        let bytes = std::fs::read(path).ok()?;
        let current = hex(&Sha256::digest(&bytes));
        let recorded = recorded.trim().to_ascii_lowercase();
        let matches = recorded.len() >= 8 && current.starts_with(&recorded);
        return (!matches).then_some(Stale {
            original,
            updated: updated.or_else(|| mtime(&site.config.content_dir.join(rel(original)))),
            by: "translated_from",
        });
    }
    let translated_at = times.get(rel(i))?;
    let original_at = updated?;
    // Copying or checking out a folder gives its files times a few seconds
    // apart: outside git only a clearly later original counts.
    let slack = if source == "mtime" {
        MTIME_SLACK_SECONDS
    } else {
        0
    };
    (original_at.as_second() > translated_at.as_second() + slack).then_some(Stale {
        original,
        updated: Some(original_at),
        by: source,
    })
}

/// The SHA-256 of a file as translation tooling writes it in `translated_from`.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// When each note last changed, keyed by its path relative to the content
/// folder: from git when the folder is in a repository, else file times.
fn change_times(site: &Site) -> (BTreeMap<String, Timestamp>, &'static str) {
    let dir = &site.config.content_dir;
    if let Some(times) = git_times(dir) {
        let mut times = times;
        // Files git does not know yet, or that have uncommitted edits,
        // changed when they were last written.
        for rel in dirty_files(dir) {
            if let Some(t) = mtime(&dir.join(&rel)) {
                times.insert(rel, t);
            }
        }
        for n in &site.notes {
            if !times.contains_key(&n.note.source.rel)
                && let Some(t) = note_mtime(dir, &n.note)
            {
                times.insert(n.note.source.rel.clone(), t);
            }
        }
        return (times, "git");
    }
    let times = site
        .notes
        .iter()
        .filter_map(|n| Some((n.note.source.rel.clone(), note_mtime(dir, &n.note)?)))
        .collect();
    (times, "mtime")
}

/// When a note was last written: as it was read, else from the file.
fn note_mtime(dir: &Path, note: &crate::note::Note) -> Option<Timestamp> {
    match note.modified {
        Some(t) => Timestamp::try_from(t).ok(),
        None => mtime(&dir.join(&note.source.rel)),
    }
}

fn mtime(path: &Path) -> Option<Timestamp> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Timestamp::try_from(modified).ok()
}

/// The time of the last commit that touched each file under `dir`, from
/// one `git log` over the history. `None` outside a git repository.
fn git_times(dir: &Path) -> Option<BTreeMap<String, Timestamp>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "log",
            "--format=%x00%ct",
            "--name-only",
            "--no-renames",
            "--relative",
            "-z",
            "--",
            ".",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(parse_log(&String::from_utf8_lossy(&out.stdout)))
}

/// Parses `git log --format=%x00%ct --name-only -z`: fields are NUL
/// separated; an empty field starts a commit, the next is its time, then
/// come its paths. The log is newest first, so the first time seen for a
/// path is its last change.
fn parse_log(log: &str) -> BTreeMap<String, Timestamp> {
    let mut times = BTreeMap::new();
    let mut current: Option<Timestamp> = None;
    let mut expect_time = false;
    for field in log.split('\0') {
        let field = field.trim_start_matches('\n');
        if field.is_empty() {
            expect_time = true;
        } else if expect_time {
            current = field
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|s| Timestamp::from_second(s).ok());
            expect_time = false;
        } else if let Some(t) = current {
            times.entry(field.to_string()).or_insert(t);
        }
    }
    times
}

/// Files under `dir` that are new or modified in the working tree.
fn dirty_files(dir: &Path) -> Vec<String> {
    let Ok(out) = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ])
        .output()
    else {
        return Vec::new();
    };
    // Paths are relative to the repository root; make them relative to dir.
    let prefix = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|e| e.len() > 3)
        .filter_map(|e| e[3..].strip_prefix(prefix.as_str()).map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_parsing_keeps_the_newest_time() {
        let log =
            "\u{0}1700000200\u{0}\na.md\u{0}b.md\u{0}\u{0}1700000100\u{0}\na.md\u{0}c.md\u{0}";
        let times = parse_log(log);
        assert_eq!(times["a.md"].as_second(), 1_700_000_200);
        assert_eq!(times["b.md"].as_second(), 1_700_000_200);
        assert_eq!(times["c.md"].as_second(), 1_700_000_100);
    }

    #[test]
    fn content_hash_is_sha256() {
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
