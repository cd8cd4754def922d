//! Writes the finished site into the output folder, touching only what
//! changed, so that a build never leaves a half-written site.
//!
//! Pages are written as they render (a build never holds every page in
//! memory), into a staging folder beside the output
//! (`.public.notes-new`): nothing reaches the output until every page has
//! rendered. A first build then renames the staging folder into place. A
//! rebuild stages only its new and changed files, writes a journal of
//! what it will move in and remove, and only then moves them into the
//! output (see [`commit`]): killed before the journal, it leaves the
//! output exactly as it was; killed after, the next build finishes it and
//! says so. A build that fails (a broken template, a full disk) removes
//! what it staged, and the output is exactly the previous site. A build
//! that changes nothing stages nothing.
//!
//! (An atomic exchange of a fully staged tree, hard links and all, would
//! make even a kill during the moves invisible, but it re-creates every
//! folder of the site on every rebuild: measured on the 15,000-note tldr
//! site, a one-note rebuild went from 0.85 s to 3-4 s, slower than a cold
//! build. The journal costs two small files.)
//!
//! Unchanged files are not rewritten, so they keep their modification time
//! and a git or rsync deploy shows only real changes. What was written is
//! recorded, with a hash of each file, in the marker file `.notes-build`
//! (see [`manifest`]): `notes` only writes into a folder that holds its
//! marker (or an empty one), and the output folder is a boundary: nothing
//! outside it is created, replaced or deleted, links inside it are never
//! followed (a link where the site needs a folder is replaced), and a file
//! notes did not write is never replaced.

mod commit;
mod file;
mod manifest;

pub use file::{Content, OutputFile};

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::error::Error;

pub use crate::paths::is_inside;
use commit::{Beside, Step};
use manifest::{Entries, Entry};
pub use manifest::{MARKER, Record};

/// What a write did, for the build summary and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Pages the last build wrote from the same inputs, not rendered again.
    pub kept: usize,
}

/// The previous build's output, so that a page whose inputs are unchanged
/// need not be rendered again (`notes build` with nothing changed renders
/// and writes almost nothing).
#[derive(Debug, Default)]
pub struct Previous {
    output: PathBuf,
    /// By path; hashed: a rebuild looks up every page it keeps.
    entries: Entries,
}

impl Previous {
    /// The file at `path` as the last build wrote it, if it was made from
    /// inputs with the same `key` and is still there with its size.
    pub fn reuse(&self, path: &str, key: u128) -> Option<Content> {
        let entry = self.entries.get(path)?;
        (entry.key == Some(key) && self.on_disk(path, entry.record.len)).then_some(Content::Kept {
            hash: entry.record.hash,
            len: entry.record.len,
        })
    }

    /// Every file of the last build whose path passes `belongs`, kept, if
    /// all were made from inputs with `key` and are still in place; `None`
    /// when there were none or any one must be made again.
    pub fn reuse_all(&self, belongs: impl Fn(&str) -> bool, key: u128) -> Option<Vec<OutputFile>> {
        let mut files = Vec::new();
        for (path, entry) in self.entries.iter().filter(|(p, _)| belongs(p)) {
            if entry.key != Some(key) || !self.on_disk(path, entry.record.len) {
                return None;
            }
            files.push(OutputFile {
                path: path.clone(),
                content: Content::Kept {
                    hash: entry.record.hash,
                    len: entry.record.len,
                },
                key: Some(key),
            });
        }
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        (!files.is_empty()).then_some(files)
    }

    /// Whether the output holds a regular file (not a link) at `path` of
    /// `len` bytes.
    fn on_disk(&self, path: &str, len: u64) -> bool {
        fs::symlink_metadata(self.output.join(path)).is_ok_and(|m| m.is_file() && m.len() == len)
    }

    /// A file of the user's (in the output but not in the manifest) at
    /// `path` or where one of its folders goes: notes must not replace it.
    fn foreign_in_the_way<'p>(&self, path: &'p str) -> Option<&'p str> {
        let theirs = |p: &str| {
            !self.entries.contains_key(p)
                && p != MARKER
                && fs::symlink_metadata(self.output.join(p)).is_ok_and(|m| m.is_file())
        };
        if theirs(path) {
            return Some(path);
        }
        path.match_indices('/')
            .map(|(i, _)| &path[..i])
            .find(|p| theirs(p))
    }
}

/// Whether a build could write into `output`, without writing anything:
/// for `notes check`, which must report what would stop `notes build`.
pub fn inspect(output: &Path, root: &Path, sources: &[PathBuf]) -> Result<(), Error> {
    let output = output_folder(output)?;
    check_boundary(&output, root, sources)?;
    commit::check_leftovers(&Beside::of(&output))?;
    read_marker(&output).map(drop)
}

/// Writes `files` as the new content of `output`.
pub fn write(output: &Path, root: &Path, files: &[OutputFile]) -> Result<WriteStats, Error> {
    let writer = Writer::open(output, root, &[])?;
    files.par_iter().try_for_each(|f| writer.put(f).map(drop))?;
    writer.finish().map(|(stats, _)| stats)
}

/// Writes a build's files as they are made, into the staging folder.
/// Nothing reaches the output before [`Writer::finish`]; a writer dropped
/// unfinished (a page failed to render) removes what it staged. Shared by
/// the rendering threads.
pub struct Writer {
    output: PathBuf,
    beside: Beside,
    /// Made on the first file written (a rebuild that changes nothing makes
    /// none); its error is kept for every later write.
    staging: OnceLock<Result<(), String>>,
    /// The output folder is missing or empty: the staging folder becomes
    /// the output.
    fresh: bool,
    /// The last build's manifest.
    previous: Previous,
    /// The marker was written by an earlier version of notes: it is
    /// rewritten, whatever changed.
    earlier: bool,
    state: Mutex<WriterState>,
    written: AtomicUsize,
    finished: bool,
    /// What was done about an interrupted build, for the user.
    notices: Vec<String>,
}

#[derive(Default)]
struct WriterState {
    /// Every file of the new site so far, for the manifest (hashed: a
    /// rebuild records every kept page; sorted when written).
    entries: Entries,
    /// The files written into the staging folder, to move into the output.
    staged: FxHashSet<String>,
    /// Folders (relative) known to exist in the staging folder.
    folders: HashSet<PathBuf>,
    /// Files the last build wrote, kept as they are.
    kept: usize,
}

impl Writer {
    /// Checks that `output` may be written (refusing a folder notes did not
    /// make, one holding the site, or one inside any of the folders in
    /// `sources`), finishes or undoes what an interrupted build left, and
    /// reads the last build's manifest.
    pub fn open(output: &Path, root: &Path, sources: &[PathBuf]) -> Result<Writer, Error> {
        let output = output_folder(output)?;
        check_boundary(&output, root, sources)?;
        let beside = Beside::of(&output);
        let mut notices = commit::recover(&output, &beside)?;
        let (fresh, entries, earlier) = read_marker(&output)?;
        if earlier {
            notices.extend(remove_old_temporaries(&output, &entries));
        }
        let writer = Writer {
            output: output.clone(),
            beside,
            staging: OnceLock::new(),
            fresh,
            previous: Previous {
                output: output.clone(),
                entries,
            },
            earlier,
            state: Mutex::default(),
            written: AtomicUsize::new(0),
            finished: false,
            notices,
        };
        if fresh {
            writer.stage()?;
        }
        Ok(writer)
    }

    /// The last build's files, for keeping pages whose inputs are unchanged.
    pub fn previous(&self) -> &Previous {
        &self.previous
    }

    /// Makes the staging folder, once.
    fn stage(&self) -> Result<&Path, Error> {
        let made = self.staging.get_or_init(|| {
            let staging = &self.beside.staging;
            staging
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|()| fs::create_dir(staging))
                .and_then(|()| fs::write(staging.join(MARKER), format!("{}\n", manifest::STAGING)))
                .map_err(|e| Error::io(staging, "create the staging folder", e).to_string())
        });
        match made {
            Ok(()) => Ok(&self.beside.staging),
            Err(m) => Err(Error::Output(m.clone())),
        }
    }

    /// Writes `file` now (unless the last build wrote the same bytes) and
    /// returns it as kept, its bytes freed.
    pub fn write(&self, file: OutputFile) -> Result<OutputFile, Error> {
        let record = self.put(&file)?;
        Ok(OutputFile {
            content: Content::Kept {
                hash: record.hash,
                len: record.len,
            },
            ..file
        })
    }

    /// Writes one file of the new site, or records it as kept. A kept file
    /// put again (a page written while rendering) changes nothing.
    pub fn put(&self, f: &OutputFile) -> Result<Record, Error> {
        if let Content::Kept { hash, len } = f.content {
            let record = Record { hash, len };
            lock(&self.state).keep(f, record);
            return Ok(record);
        }
        if !is_inside(&f.path) {
            return Err(Error::Output(format!(
                "`{}` is not a path inside the output folder; nothing was written",
                f.path
            )));
        }
        if let Some(theirs) = self.previous.foreign_in_the_way(&f.path) {
            return Err(Error::Output(format!(
                "{} was not written by notes, and the site's `{}` would replace it; move it out of the output folder (or rename what makes that file)",
                self.output.join(theirs).display(),
                f.path
            )));
        }
        let entry = entry(f, Some(&self.previous.entries))?;
        if !self.fresh && unchanged(&self.previous, &f.path, entry.record) {
            lock(&self.state).entries.insert(f.path.clone(), entry);
            return Ok(entry.record);
        }
        let staging = self.stage()?;
        self.parent_folder(staging, &f.path)?;
        let target = staging.join(&f.path);
        put(&f.content, &target, &self.output.join(&f.path))?;
        if self.written.fetch_add(1, Ordering::Relaxed) == 0 {
            crate::fault::pause("staging");
        }
        let mut state = lock(&self.state);
        state.staged.insert(f.path.clone());
        state.entries.insert(f.path.clone(), entry);
        Ok(entry.record)
    }

    /// Records every kept file of `files` under one lock (a no-change
    /// rebuild keeps every page: taking the lock per page made the threads
    /// queue); the others are left to [`Writer::put`].
    pub fn put_kept<'f>(&self, files: &[&'f OutputFile]) -> Vec<&'f OutputFile> {
        let mut others = Vec::new();
        let mut state = lock(&self.state);
        for &f in files {
            match f.content {
                Content::Kept { hash, len } => state.keep(f, Record { hash, len }),
                _ => others.push(f),
            }
        }
        others
    }

    fn parent_folder(&self, base: &Path, rel: &str) -> Result<(), Error> {
        match Path::new(rel)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            Some(parent) => self.folder(base, parent),
            None => Ok(()),
        }
    }

    /// Makes the folder `rel` under `base` and its missing parents. Threads
    /// may race to make one folder: whoever loses finds it there.
    fn folder(&self, base: &Path, rel: &Path) -> Result<(), Error> {
        if lock(&self.state).folders.contains(rel) {
            return Ok(());
        }
        if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
            self.folder(base, parent)?;
        }
        let dir = base.join(rel);
        match fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => return Err(Error::io(&self.output.join(rel), "create the folder", e)),
        }
        lock(&self.state).folders.insert(rel.to_path_buf());
        Ok(())
    }

    /// Puts the new site in place: a first build's staging folder is
    /// renamed into place; a rebuild's staged files are moved in by a
    /// journal (see [`commit`]). Gives what was done, and what the user
    /// should hear of (an interrupted build finished or undone).
    pub fn finish(mut self) -> Result<(WriteStats, Vec<String>), Error> {
        let state = std::mem::take(&mut *lock(&self.state));
        let written = self.written.load(Ordering::Relaxed);
        let mut stale: Vec<&String> = self
            .previous
            .entries
            .keys()
            .filter(|p| !state.entries.contains_key(*p))
            .collect();
        stale.sort_unstable();
        let stats = WriteStats {
            written,
            unchanged: state.entries.len() - written,
            removed: stale.len(),
            kept: state.kept,
        };
        let same =
            !self.fresh && !self.earlier && same_files(&self.previous.entries, &state.entries);
        if same && written == 0 {
            // Nothing to write, remove or record.
            self.finished = true;
            return Ok((stats, std::mem::take(&mut self.notices)));
        }
        crate::fault::pause("staged");
        let staging = self.stage()?.to_path_buf();
        if !same {
            fs::write(staging.join(MARKER), manifest::text(&state.entries))
                .map_err(|e| Error::io(&self.output.join(MARKER), "write", e))?;
        }
        if self.fresh {
            crate::fault::pause("manifest");
            commit::swap_in(&staging, &self.output, &self.beside)?;
        } else {
            let mut moves: Vec<&String> = state.staged.iter().collect();
            moves.sort_unstable();
            let mut steps: Vec<Step> = stale.into_iter().map(|p| Step::Remove(p.clone())).collect();
            steps.extend(moves.into_iter().map(|p| Step::MoveIn(p.clone())));
            if !same {
                // Last: the marker lists the new site once all of it is in.
                steps.push(Step::MoveIn(MARKER.into()));
            }
            commit::write_journal(&staging, &steps)?;
            // Committed: from here on, a kill is finished by the next build.
            self.finished = true;
            crate::fault::pause("journal");
            commit::apply(&staging, &self.output, &steps)?;
        }
        self.finished = true;
        Ok((stats, std::mem::take(&mut self.notices)))
    }
}

impl Drop for Writer {
    /// An unfinished build leaves the output as it was.
    fn drop(&mut self) {
        if !self.finished && matches!(self.staging.get(), Some(Ok(()))) {
            let _ = fs::remove_dir_all(&self.beside.staging);
        }
    }
}

impl WriterState {
    /// Records `f` as kept, unless it is there already (a page written
    /// while rendering).
    fn keep(&mut self, f: &OutputFile, record: Record) {
        if !self.entries.contains_key(&f.path) {
            self.kept += 1;
            let entry = Entry { record, key: f.key };
            self.entries.insert(f.path.clone(), entry);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A thread that panicked while holding the lock left consistent data:
    // every update under it is a single insert or push.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The output folder as given, or, when it is a link, the folder it points
/// to (the user chose it; links inside it are never followed).
fn output_folder(output: &Path) -> Result<PathBuf, Error> {
    let output = crate::paths::display_path(output);
    match fs::symlink_metadata(&output) {
        Ok(m) if m.file_type().is_symlink() => output.canonicalize().map_err(|e| {
            Error::Output(format!(
                "refusing to write the site to {}: it is a link to a folder that cannot be reached ({e}); remove the link or choose another output folder with --output",
                output.display()
            ))
        }),
        Ok(m) if !m.is_dir() => Err(Error::Output(format!(
            "refusing to replace {}: it is a file, not a folder; choose another output folder with --output",
            output.display()
        ))),
        _ => Ok(output),
    }
}

/// The output must not hold the site's sources, nor lie inside a source
/// folder (the next build would read the last one's output as input), nor
/// be a mount point (the new site could not be renamed into its place).
fn check_boundary(output: &Path, root: &Path, sources: &[PathBuf]) -> Result<(), Error> {
    let refuse = |why: String| {
        Err(Error::Output(format!(
            "refusing to write the site to {}: {why}; choose another output folder (--output or [build] build-dir)",
            output.display()
        )))
    };
    if commit::within(root, output) {
        return refuse("it contains the site's sources".into());
    }
    for source in sources {
        if commit::resolved(source) != commit::resolved(root) && commit::within(output, source) {
            return refuse(format!(
                "it is inside {}, which notes reads",
                source.display()
            ));
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = commit::resolved(output).parent().map(Path::to_path_buf);
        if let (Ok(out), Some(Ok(up))) = (fs::metadata(output), parent.map(fs::metadata))
            && out.dev() != up.dev()
        {
            return refuse(
                "it is a mount point, and notes replaces the output folder as a whole; use a folder inside it".into(),
            );
        }
    }
    Ok(())
}

/// Whether the output is new or empty (`true`), the files the last build
/// wrote into it, and whether an earlier version of notes wrote its marker.
/// A folder with anything in it must hold a marker notes can trust.
fn read_marker(output: &Path) -> Result<(bool, Entries, bool), Error> {
    let listing = match fs::read_dir(output) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((true, Entries::default(), false));
        }
        Err(e) => return Err(Error::io(output, "read the output folder", e)),
    };
    if listing.count() == 0 {
        return Ok((true, Entries::default(), false));
    }
    let marker = output.join(MARKER);
    let text = match fs::symlink_metadata(&marker) {
        Err(_) => {
            return Err(Error::Output(format!(
                "refusing to replace {}: it is not empty and was not created by notes (no {MARKER} file in it); move it away or choose another output folder with --output",
                output.display()
            )));
        }
        Ok(m) if !m.is_file() => Err(manifest::Untrusted::Malformed("it is not a file".into())),
        Ok(_) => fs::read_to_string(&marker)
            .map_err(|e| manifest::Untrusted::Malformed(format!("it does not read: {e}"))),
    };
    match text.and_then(|t| manifest::parse(&t)) {
        Ok(parsed) => Ok((false, parsed.entries, parsed.earlier)),
        Err(why) => Err(Error::Output(why.message(&marker, output))),
    }
}

/// Removes what earlier versions of notes, which renamed files into place
/// one by one, left when they were killed: `<file>.notes-pending` beside a
/// file they listed (theirs by name and place; nothing else is touched).
fn remove_old_temporaries(output: &Path, entries: &Entries) -> Option<String> {
    let removed = entries
        .par_iter()
        .map(|(path, _)| output.join(format!("{path}{}", manifest::OLD_PENDING)))
        .chain(rayon::iter::once(
            output.join(format!("{MARKER}{}", manifest::OLD_PENDING)),
        ))
        .filter(|p| {
            fs::symlink_metadata(p).is_ok_and(|m| m.is_file()) && fs::remove_file(p).is_ok()
        })
        .count();
    (removed > 0).then(|| {
        format!(
            "{}: removed {removed} temporary files an earlier version of notes left when a build was interrupted",
            output.display()
        )
    })
}

/// What a file will be, and what it is made from. A static file whose size
/// and modification time are those of the last build is not read again.
fn entry(f: &OutputFile, previous: Option<&Entries>) -> Result<Entry, Error> {
    let hash = |bytes: &[u8]| Record {
        hash: xxhash_rust::xxh3::xxh3_128(bytes),
        len: bytes.len() as u64,
    };
    match &f.content {
        Content::Bytes(b) => Ok(Entry {
            record: hash(b),
            key: f.key,
        }),
        Content::Kept { hash, len } => Ok(Entry {
            record: Record {
                hash: *hash,
                len: *len,
            },
            key: f.key,
        }),
        Content::Copy(from) => {
            let key = fs::metadata(from).ok().map(|m| copy_key(from, &m));
            if let Some(e) = previous.and_then(|p| p.get(&f.path))
                && key.is_some()
                && e.key == key
            {
                return Ok(*e);
            }
            let bytes = fs::read(from).map_err(|e| Error::io(from, "read the static file", e))?;
            Ok(Entry {
                record: hash(&bytes),
                key,
            })
        }
    }
}

/// A static file's identity for the next build: its path, size and
/// modification time (as rsync decides what to copy).
fn copy_key(from: &Path, meta: &fs::Metadata) -> u128 {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(from.as_os_str().as_encoded_bytes());
    h.update(&meta.len().to_le_bytes());
    h.update(&mtime.to_le_bytes());
    h.digest128()
}

/// A file is unchanged when the last build wrote the same bytes and the
/// file is still there with that size.
fn unchanged(previous: &Previous, path: &str, rec: Record) -> bool {
    previous.entries.get(path).map(|e| e.record) == Some(rec) && previous.on_disk(path, rec.len)
}

/// Writes a file's content to `to`; errors name `shown`, the path the
/// user knows (not the staging folder's).
fn put(content: &Content, to: &Path, shown: &Path) -> Result<(), Error> {
    match content {
        Content::Bytes(bytes) => fs::write(to, bytes).map_err(|e| Error::io(shown, "write", e)),
        Content::Copy(from) => fs::copy(from, to)
            .map(drop)
            .map_err(|e| Error::io(from, "copy the static file", e)),
        // Only ever unchanged files are kept, and those are not written.
        Content::Kept { .. } => Err(Error::Output(format!(
            "{}: a page the last build wrote was to be kept but is needed again; run the build once more",
            shown.display()
        ))),
    }
}

/// Whether a build's files are exactly the last build's: the same paths,
/// contents and inputs.
fn same_files(previous: &Entries, now: &Entries) -> bool {
    previous.len() == now.len() && now.iter().all(|(path, e)| previous.get(path) == Some(e))
}

/// Lists a site's `static/` folder as files to copy, skipping hidden and
/// editor temporary files.
pub fn static_files(dir: &Path) -> Result<Vec<OutputFile>, Error> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || name == ".well-known"
                || !(name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp"))
        });
    for entry in walker {
        let entry =
            entry.map_err(|e| Error::Output(format!("could not read {}: {e}", dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        if let Some(problem) = crate::paths::not_utf8(entry.path(), dir) {
            return Err(Error::Input(vec![problem]));
        }
        files.push(OutputFile {
            path: crate::paths::relative(entry.path(), dir),
            content: Content::Copy(entry.path().to_path_buf()),
            key: None,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn page(path: &str, text: &str) -> OutputFile {
        OutputFile::bytes(path, text.as_bytes())
    }

    const ROOT: &str = "/nonexistent-root";

    #[test]
    fn writes_then_updates_only_what_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let s = write(
            &out,
            Path::new(ROOT),
            &[page("a/index.html", "1"), page("b.html", "2")],
        )
        .unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 2,
                unchanged: 0,
                removed: 0,
                kept: 0
            }
        );
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "1");
        assert!(out.join(MARKER).is_file());
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            ["public"],
            "the staging folder was renamed into place"
        );
        // Age b.html so that a rewrite would show.
        let old = SystemTime::now() - Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(out.join("b.html"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let s = write(
            &out,
            Path::new(ROOT),
            &[page("b.html", "2"), page("c/d/e.html", "3")],
        )
        .unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 1,
                unchanged: 1,
                removed: 1,
                kept: 0
            }
        );
        assert_eq!(
            fs::metadata(out.join("b.html"))
                .unwrap()
                .modified()
                .unwrap(),
            old,
            "unchanged file rewritten"
        );
        assert!(!out.join("a").exists(), "stale folder left behind");
        assert_eq!(fs::read_to_string(out.join("c/d/e.html")).unwrap(), "3");
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"], "nothing left beside the output");
    }

    /// The manifest of a build that changed nothing is left as it was;
    /// one file restored (deleted behind notes' back) leaves it as it was
    /// too, since it lists the same file again; any other change rewrites
    /// it.
    #[test]
    fn the_manifest_is_rewritten_only_when_the_files_change() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let site = [page("a/index.html", "1"), page("b.html", "2")];
        write(&out, Path::new(ROOT), &site).unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        let age = || {
            fs::File::options()
                .write(true)
                .open(out.join(MARKER))
                .unwrap()
                .set_modified(old)
                .unwrap()
        };
        let modified = || fs::metadata(out.join(MARKER)).unwrap().modified().unwrap();
        age();
        write(&out, Path::new(ROOT), &site).unwrap();
        assert_eq!(
            modified(),
            old,
            "a build with no change rewrote the manifest"
        );
        fs::remove_file(out.join("b.html")).unwrap();
        let s = write(&out, Path::new(ROOT), &site).unwrap();
        assert_eq!(s.written, 1);
        assert_eq!(fs::read_to_string(out.join("b.html")).unwrap(), "2");
        assert_eq!(modified(), old);
        let changed = [page("a/index.html", "1"), page("b.html", "3")];
        write(&out, Path::new(ROOT), &changed).unwrap();
        assert_ne!(
            modified(),
            old,
            "a changed file left the manifest as it was"
        );
        let manifest = manifest::parse(&fs::read_to_string(out.join(MARKER)).unwrap())
            .unwrap()
            .entries;
        assert_eq!(manifest.len(), 2);
        assert_eq!(
            manifest["b.html"].record.hash,
            xxhash_rust::xxh3::xxh3_128(b"3")
        );
    }

    #[test]
    fn files_it_did_not_write_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write(&out, Path::new(ROOT), &[page("a.html", "1")]).unwrap();
        fs::write(out.join("google-verify.html"), "mine").unwrap();
        write(&out, Path::new(ROOT), &[page("b.html", "2")]).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("google-verify.html")).unwrap(),
            "mine"
        );
        assert!(!out.join("a.html").exists());
    }

    #[test]
    fn a_file_changed_behind_its_back_is_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write(&out, Path::new(ROOT), &[page("a.html", "1")]).unwrap();
        fs::remove_file(out.join("a.html")).unwrap();
        let s = write(&out, Path::new(ROOT), &[page("a.html", "1")]).unwrap();
        assert_eq!(s.written, 1);
        assert!(out.join("a.html").is_file());
    }

    #[test]
    fn refuses_a_folder_it_did_not_create() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("mine");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("precious.txt"), "keep").unwrap();
        let err = write(&out, Path::new(ROOT), &[page("x.html", "")]).unwrap_err();
        assert!(err.to_string().contains("not created by notes"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("precious.txt")).unwrap(),
            "keep"
        );
        assert!(!out.join("x.html").exists());
    }

    #[test]
    fn refuses_to_write_over_the_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let err = write(tmp.path(), &tmp.path().join("site"), &[]).unwrap_err();
        assert!(
            err.to_string().contains("contains the site's sources"),
            "{err}"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write(&out, Path::new(ROOT), &[page("a.html", "1")]).unwrap();
        let before = fs::read_to_string(out.join(MARKER)).unwrap();
        let missing = OutputFile {
            path: "static.css".into(),
            content: Content::Copy(tmp.path().join("no-such-file")),
            key: None,
        };
        assert!(
            write(
                &out,
                Path::new(ROOT),
                &[page("a.html", "2"), page("n/new.html", "3"), missing]
            )
            .is_err()
        );
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "1");
        assert_eq!(fs::read_to_string(out.join(MARKER)).unwrap(), before);
        assert!(!out.join("n").exists());
    }

    #[test]
    fn a_page_is_kept_only_with_the_same_inputs_and_its_file_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let mut a = page("a.html", "one");
        a.key = Some(7);
        write(&out, Path::new(ROOT), &[a.clone()]).unwrap();
        // What the next build's writer remembers (opening one writes nothing).
        let reuse = |path: &str, key: u128| {
            let writer = Writer::open(&out, Path::new(ROOT), &[]).unwrap();
            writer.previous().reuse(path, key)
        };
        let kept = reuse("a.html", 7).expect("same inputs");
        assert_eq!(reuse("a.html", 8), None, "other inputs");
        assert_eq!(reuse("b.html", 7), None, "not written before");
        // Writing a kept page touches nothing and keeps its entry.
        let kept = OutputFile {
            content: kept,
            ..a.clone()
        };
        let stats = write(&out, Path::new(ROOT), &[kept]).unwrap();
        assert_eq!((stats.written, stats.unchanged), (0, 1));
        assert!(reuse("a.html", 7).is_some());
        // A file changed by hand (another size) is rendered again.
        fs::write(out.join("a.html"), "changed").unwrap();
        assert_eq!(reuse("a.html", 7), None);
        fs::remove_file(out.join("a.html")).unwrap();
        assert_eq!(reuse("a.html", 7), None);
    }
}
