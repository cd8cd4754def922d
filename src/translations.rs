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

use jiff::Timestamp;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::history;
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
    /// The original as it was when the translation was made, when git
    /// history holds it.
    pub base: Option<Base>,
}

/// The version of an original a stale translation was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// The commit that holds it.
    pub commit: String,
    /// The lines of the current original that differ from it (1-based,
    /// see [`crate::changes::changed_lines`]).
    pub changed: Vec<usize>,
}

/// What a page shows of a [`Stale`]: when, and the changed lines.
pub type StaleShown<'a> = (Option<Timestamp>, Option<&'a [usize]>);

impl Stale {
    /// What a page shows of it: a change in either is a new notice.
    pub fn shown(&self) -> StaleShown<'_> {
        (
            self.updated,
            self.base.as_ref().map(|b| b.changed.as_slice()),
        )
    }
}

/// How many of an original's revisions are searched for the one a
/// `translated_from` hash names.
const MAX_REVISIONS: usize = 500;

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
    let mut stale: Vec<Option<Stale>> = (0..site.notes.len())
        .into_par_iter()
        .map(|i| original[i].and_then(|o| stale(site, i, o, &times.times, times.source)))
        .collect();
    if stale
        .iter()
        .any(|s| s.as_ref().is_some_and(|s| s.by != "mtime"))
    {
        find_bases(site, times, &mut stale);
    }
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
    /// The last commit that touched each file, in git.
    pub commits: BTreeMap<String, String>,
    /// `git`, `mtime`, or `none` when not needed.
    pub source: &'static str,
}

impl Default for ChangeTimes {
    fn default() -> Self {
        ChangeTimes {
            times: BTreeMap::new(),
            commits: BTreeMap::new(),
            source: "none",
        }
    }
}

impl ChangeTimes {
    pub fn load(site: &Site) -> ChangeTimes {
        change_times(site)
    }

    /// Notes the files that just changed: they changed when last written,
    /// as a fresh [`ChangeTimes::load`] would find (an edit makes a file
    /// dirty in git).
    pub fn refresh(&mut self, dir: &Path, rels: &[String]) {
        if self.source == "none" {
            self.source = if history::last_changes(dir).is_some() {
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
    if let Some(recorded) = translated_from(site, i) {
        let path = site.config.content_dir.join(rel(original));
        let bytes = std::fs::read(path).ok()?;
        return (!hash_names(&recorded, &content_hash(&bytes))).then_some(Stale {
            original,
            updated: updated.or_else(|| mtime(&site.config.content_dir.join(rel(original)))),
            by: "translated_from",
            base: None,
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
        base: None,
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
fn change_times(site: &Site) -> ChangeTimes {
    let dir = &site.config.content_dir;
    if let Some(last) = history::last_changes(dir) {
        let mut times: BTreeMap<String, Timestamp> =
            last.iter().map(|(rel, c)| (rel.clone(), c.time)).collect();
        let commits = last.into_iter().map(|(rel, c)| (rel, c.commit)).collect();
        // Files git does not know yet, or that have uncommitted edits,
        // changed when they were last written.
        for rel in history::dirty_files(dir) {
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
        return ChangeTimes {
            times,
            commits,
            source: "git",
        };
    }
    let times = site
        .notes
        .iter()
        .filter_map(|n| Some((n.note.source.rel.clone(), note_mtime(dir, &n.note)?)))
        .collect();
    ChangeTimes {
        times,
        commits: BTreeMap::new(),
        source: "mtime",
    }
}

/// Finds, for each stale translation, the original as it was when the
/// translation was made, and what changed in it since: by the hash of
/// `translated_from` among the original's revisions, else the original in
/// the translation's last commit. The nine translations of one original
/// share its work: its revisions are listed once, each (commit, file) is
/// read once, from one git process for all, and each blob hashed once.
fn find_bases(site: &Site, times: &ChangeTimes, stale: &mut [Option<Stale>]) {
    let dir = &site.config.content_dir;
    let rel = |n: usize| site.notes[n].note.source.rel.as_str();
    let mut histories: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    // Per stale translation, the revisions that may hold its base.
    let mut candidates: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, s) in stale.iter().enumerate() {
        let Some(s) = s else { continue };
        let revisions = if s.by == "translated_from" {
            let original = rel(s.original);
            histories
                .entry(original)
                .or_insert_with(|| history::revisions(dir, original, MAX_REVISIONS))
                .clone()
        } else {
            times.commits.get(rel(i)).cloned().into_iter().collect()
        };
        candidates.push((i, revisions));
    }
    let wanted: Vec<(String, String)> = candidates
        .iter()
        .flat_map(|(i, revs)| {
            let original = stale[*i].as_ref().map_or("", |s| rel(s.original));
            revs.iter().map(move |r| (r.clone(), original.to_string()))
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let blobs: BTreeMap<(String, String), Vec<u8>> = wanted
        .iter()
        .cloned()
        .zip(history::blobs(dir, &wanted))
        .filter_map(|(key, blob)| Some((key, blob?)))
        .collect();
    let mut hashes: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut current: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for (i, revisions) in candidates {
        let Some(s) = stale[i].as_mut() else { continue };
        let original = rel(s.original);
        let recorded = translated_from(site, i);
        let by_hash = s.by == "translated_from";
        let base = revisions.into_iter().find_map(|commit| {
            let key = (commit, original.to_string());
            let blob = blobs.get(&key)?;
            let fits = match &recorded {
                Some(h) if by_hash => {
                    let hash = hashes
                        .entry(key.clone())
                        .or_insert_with(|| content_hash(blob));
                    hash_names(h, hash)
                }
                _ => !by_hash,
            };
            fits.then_some((key.0, blob))
        });
        let Some((commit, old)) = base else { continue };
        let new = current.entry(original).or_insert_with(|| {
            let bytes = std::fs::read(dir.join(original)).ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        });
        let Some(new) = new else { continue };
        s.base = Some(Base {
            commit,
            changed: crate::changes::changed_lines(&String::from_utf8_lossy(old), new),
        });
    }
}

/// The fewest hex digits of a `translated_from` hash that name a version.
const MIN_HASH: usize = 8;

/// A note's `translated_from` hash, trimmed and lowercased, when it has one.
fn translated_from(site: &Site, i: usize) -> Option<String> {
    site.notes[i]
        .note
        .front
        .extra
        .get("translated_from")
        .and_then(|v| v.as_str())
        .map(|h| h.trim().to_ascii_lowercase())
}

/// Whether `recorded` (see [`translated_from`]) names the version whose
/// [`content_hash`] is `hash`.
fn hash_names(recorded: &str, hash: &str) -> bool {
    recorded.len() >= MIN_HASH && hash.starts_with(recorded)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_is_sha256() {
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
