//! Writes the finished site into the output folder, touching only what
//! changed.
//!
//! Pages are written as they are rendered (a build never holds every page
//! in memory), but nothing reaches the output until every page has
//! rendered, so a build that fails on a note or a template leaves the last
//! good output as it was. A first build writes into a staging folder
//! beside the output, renamed into place in one step at the end. A rebuild
//! writes each new or changed file beside its target under a temporary
//! name; only when all of them are written are they renamed into place (a
//! rename replaces a file atomically), and files of the previous build that
//! are gone are removed. Should a build fail half-way (a broken template, a
//! full disk), what it wrote is removed and the output is still the
//! previous site.
//!
//! Unchanged files are not rewritten, so they keep their modification time
//! and a git or rsync deploy shows only real changes. What was written is
//! recorded, with a hash of each file, in the marker file `.notes-build`:
//! `notes` only ever writes into, or deletes from, a folder that holds its
//! marker (or an empty one), and deletes only files it wrote itself.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Error;
use crate::render::{Content, OutputFile};

/// The file that marks an output folder as written by `notes`, and lists
/// what it wrote.
pub const MARKER: &str = ".notes-build";
const MANIFEST_HEADER: &str = "# Written by `notes build`: the files of the last build (xxh3-128, bytes, inputs' xxh3-128 or -, path). Do not edit.";
/// Suffix of files written but not yet renamed into place.
const PENDING: &str = ".notes-pending";

/// What a write did, for the build summary and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Pages the last build wrote from the same inputs, not rendered again.
    pub kept: usize,
}

/// One file of the manifest: what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    pub hash: u128,
    pub len: u64,
}

/// One line of the manifest: what was written, and a hash of everything it
/// was made from (a page's template context, a static file's size and
/// modification time) when that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    record: Record,
    key: Option<u128>,
}

/// The previous build's output, so that a page whose inputs are unchanged
/// need not be rendered again (`notes build` with nothing changed renders
/// and writes almost nothing).
#[derive(Debug, Default)]
pub struct Previous {
    output: PathBuf,
    /// By path; hashed: a rebuild looks up every page it keeps.
    entries: FxHashMap<String, Entry>,
}

impl Previous {
    /// The file at `path` as the last build wrote it, if it was made from
    /// inputs with the same `key` and is still there with its size.
    pub fn reuse(&self, path: &str, key: u128) -> Option<Content> {
        let entry = self.entries.get(path)?;
        (entry.key == Some(key) && on_disk(&self.output, path, entry.record.len)).then_some(
            Content::Kept {
                hash: entry.record.hash,
                len: entry.record.len,
            },
        )
    }
}

impl Previous {
    /// Every file of the last build whose path passes `belongs`, kept, if
    /// all were made from inputs with `key` and are still in place; `None`
    /// when there were none or any one must be made again.
    pub fn reuse_all(&self, belongs: impl Fn(&str) -> bool, key: u128) -> Option<Vec<OutputFile>> {
        let mut files = Vec::new();
        for (path, entry) in self.entries.iter().filter(|(p, _)| belongs(p)) {
            if entry.key != Some(key) || !on_disk(&self.output, path, entry.record.len) {
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
}

fn on_disk(output: &Path, path: &str, len: u64) -> bool {
    fs::metadata(output.join(path)).is_ok_and(|m| m.is_file() && m.len() == len)
}

/// Writes `files` as the new content of `output`.
pub fn write(output: &Path, root: &Path, files: &[OutputFile]) -> Result<WriteStats, Error> {
    let writer = Writer::open(output, root)?;
    files.par_iter().try_for_each(|f| writer.put(f).map(drop))?;
    writer.finish()
}

/// Writes a build's files as they are made: into a staging folder beside
/// the output on a first build, under temporary names beside their targets
/// on a rebuild. Nothing reaches the output before [`Writer::finish`]; a
/// writer dropped unfinished (a page failed to render) removes what it
/// wrote. Shared by the rendering threads.
pub struct Writer {
    /// A first build's staging folder; `None` on a rebuild.
    staging: Option<PathBuf>,
    /// The last build's manifest, and the output folder.
    previous: Previous,
    state: Mutex<WriterState>,
    written: AtomicUsize,
    finished: bool,
}

#[derive(Default)]
struct WriterState {
    /// Every file of the new site so far, for the manifest (hashed: a
    /// rebuild records every kept page; sorted when written).
    entries: FxHashMap<String, Entry>,
    /// Folders (relative) known to exist where files are written.
    folders: HashSet<PathBuf>,
    /// Folders a rebuild made in the output, to remove if it fails.
    created: Vec<PathBuf>,
    /// A rebuild's (temporary, target) files, renamed by `finish`.
    pending: Vec<(PathBuf, PathBuf)>,
    /// Files the last build wrote, kept as they are.
    kept: usize,
}

impl Writer {
    /// Checks that `output` may be written (refusing a folder notes did not
    /// make, or one holding the sources) and reads the last build's
    /// manifest.
    pub fn open(output: &Path, root: &Path) -> Result<Writer, Error> {
        let manifest = check_output(output, root)?;
        let staging = match manifest {
            Some(_) => None,
            None => Some(make_staging(output)?),
        };
        Ok(Writer {
            staging,
            previous: Previous {
                output: output.to_path_buf(),
                entries: manifest.unwrap_or_default(),
            },
            state: Mutex::default(),
            written: AtomicUsize::new(0),
            finished: false,
        })
    }

    /// The last build's files, for keeping pages whose inputs are unchanged.
    pub fn previous(&self) -> &Previous {
        &self.previous
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
        let entry = entry(f, Some(&self.previous.entries))?;
        if self.staging.is_none() && unchanged(&self.previous, &f.path, entry.record) {
            lock(&self.state).entries.insert(f.path.clone(), entry);
            return Ok(entry.record);
        }
        let base = self.staging.as_deref().unwrap_or(&self.previous.output);
        if let Some(parent) = Path::new(&f.path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            self.folder(base, parent)?;
        }
        let target = base.join(&f.path);
        let pending = match self.staging {
            Some(_) => {
                put(&f.content, &target, &target)?;
                None
            }
            None => {
                let tmp = pending_name(&target);
                put(&f.content, &tmp, &target)?;
                Some((tmp, target))
            }
        };
        self.written.fetch_add(1, Ordering::Relaxed);
        let mut state = lock(&self.state);
        state.pending.extend(pending);
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
        let made = match fs::create_dir(&dir) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => false,
            Err(e) => return Err(Error::io(&dir, "create the folder", e)),
        };
        let mut state = lock(&self.state);
        if made && self.staging.is_none() {
            state.created.push(dir);
        }
        state.folders.insert(rel.to_path_buf());
        Ok(())
    }

    /// Puts the new site in place: renames the staging folder over the
    /// output (a first build), or the temporary files over their targets
    /// and removes the files of the last build that are gone (a rebuild).
    pub fn finish(mut self) -> Result<WriteStats, Error> {
        let state = std::mem::take(&mut *lock(&self.state));
        let removed = match &self.staging {
            Some(staging) => {
                write_manifest(staging, &state.entries)?;
                swap_in(staging, &self.previous.output)?;
                0
            }
            None => {
                for (tmp, target) in &state.pending {
                    fs::rename(tmp, target)
                        .map_err(|e| Error::io(target, "move the new file into place", e))?;
                }
                let output = &self.previous.output;
                if same_files(&self.previous.entries, &state.entries) {
                    // Nothing to remove, and the manifest would be written
                    // byte for byte as it is.
                    0
                } else {
                    let kept: FxHashSet<&str> = state.entries.keys().map(String::as_str).collect();
                    let removed = remove_stale(output, &self.previous.entries, &kept)?;
                    write_manifest(output, &state.entries)?;
                    removed
                }
            }
        };
        self.finished = true;
        let written = self.written.load(Ordering::Relaxed);
        Ok(WriteStats {
            written,
            unchanged: state.entries.len() - written,
            removed,
            kept: state.kept,
        })
    }
}

impl Drop for Writer {
    /// An unfinished build leaves the output as it was.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some(staging) = &self.staging {
            let _ = fs::remove_dir_all(staging);
            return;
        }
        let state = std::mem::take(&mut *lock(&self.state));
        for (tmp, _) in &state.pending {
            let _ = fs::remove_file(tmp);
        }
        // Deepest first: threads may have recorded a folder after its child.
        let mut created = state.created;
        created.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for dir in created {
            let _ = fs::remove_dir(dir);
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

/// The folder a first build writes into, beside `output`.
fn make_staging(output: &Path) -> Result<PathBuf, Error> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.notes-new"));
    if staging.exists() {
        // Our own name, left by a build that was killed.
        fs::remove_dir_all(&staging)
            .map_err(|e| Error::io(&staging, "remove a leftover staging folder", e))?;
    }
    fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, "create the folder", e))?;
    Ok(staging)
}

/// Moves a first build's staging folder to `output` (missing, or empty).
fn swap_in(staging: &Path, output: &Path) -> Result<(), Error> {
    if output.exists() {
        // An empty folder: make way for the new one.
        fs::remove_dir(output)
            .map_err(|e| Error::io(output, "replace the empty output folder", e))?;
    }
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", e))?;
    }
    fs::rename(staging, output).map_err(|e| Error::io(output, "move the new site into place", e))
}

/// Refuses an output folder that is not ours or that holds the sources;
/// returns the previous build's manifest (`None` for a folder that is new,
/// empty, or whose manifest cannot be read).
fn check_output(output: &Path, root: &Path) -> Result<Option<FxHashMap<String, Entry>>, Error> {
    if absolute(root).starts_with(absolute(output)) {
        return Err(Error::Output(format!(
            "refusing to write the site to {}: it contains the site's sources; choose another output folder (--output or [build] build-dir)",
            output.display()
        )));
    }
    if !output.exists() {
        return Ok(None);
    }
    if !output.is_dir() {
        return Err(Error::Output(format!(
            "refusing to replace {}: it is a file, not a folder",
            output.display()
        )));
    }
    match fs::read_to_string(output.join(MARKER)) {
        Ok(text) => Ok(Some(parse_manifest(&text))),
        Err(_) => {
            let empty = fs::read_dir(output)
                .map_err(|e| Error::io(output, "read the output folder", e))?
                .next()
                .is_none();
            if empty {
                Ok(None)
            } else {
                Err(Error::Output(format!(
                    "refusing to replace {}: it is not empty and was not created by notes (no {MARKER} file in it); move it away or choose another output folder with --output",
                    output.display()
                )))
            }
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.canonicalize().unwrap_or(abs)
}

/// What a file will be, and what it is made from. A static file whose size
/// and modification time are those of the last build is not read again.
fn entry(f: &OutputFile, previous: Option<&FxHashMap<String, Entry>>) -> Result<Entry, Error> {
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
    previous.entries.get(path).map(|e| e.record) == Some(rec)
        && on_disk(&previous.output, path, rec.len)
}

/// Writes a file's content to `to`; errors name `shown`, the path the
/// user knows (not a temporary name).
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

fn pending_name(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(PENDING);
    target.with_file_name(name)
}

/// Removes the files of the previous build that this one did not write,
/// then the folders that they leave empty. Without a readable manifest,
/// every file not written now goes: the folder is ours (it has the marker).
fn remove_stale(
    output: &Path,
    previous: &FxHashMap<String, Entry>,
    kept: &FxHashSet<&str>,
) -> Result<usize, Error> {
    let stale: Vec<String> = if !previous.is_empty() {
        let mut stale: Vec<String> = previous
            .keys()
            .filter(|p| !kept.contains(p.as_str()))
            .cloned()
            .collect();
        stale.sort_unstable();
        stale
    } else if output.join(MARKER).exists() {
        walk_files(output)
            .into_iter()
            .filter(|p| p != MARKER && !kept.contains(p.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    let mut folders = BTreeSet::new();
    for rel in &stale {
        let path = output.join(rel);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, "remove a file of the previous build", e)),
        }
        let mut parent = Path::new(rel).parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            folders.insert(p.to_path_buf());
            parent = p.parent();
        }
    }
    // Deepest first; a folder that still has anything in it stays.
    for folder in folders.iter().rev() {
        let _ = fs::remove_dir(output.join(folder));
    }
    Ok(stale.len())
}

fn walk_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| crate::discover::relative(e.path(), dir))
        .collect()
}

fn write_manifest(output: &Path, entries: &FxHashMap<String, Entry>) -> Result<(), Error> {
    use std::fmt::Write as _;
    let mut sorted: Vec<(&String, &Entry)> = entries.iter().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut text = String::with_capacity(entries.len() * 112);
    text.push_str(MANIFEST_HEADER);
    text.push('\n');
    for (path, e) in sorted {
        let r = e.record;
        let _ = match e.key {
            Some(key) => writeln!(text, "{:032x} {} {key:032x} {path}", r.hash, r.len),
            None => writeln!(text, "{:032x} {} - {path}", r.hash, r.len),
        };
    }
    let path = output.join(MARKER);
    let tmp = pending_name(&path);
    fs::write(&tmp, text).map_err(|e| Error::io(&tmp, "write", e))?;
    fs::rename(&tmp, &path).map_err(|e| Error::io(&path, "write", e))
}

/// Whether a build's files are exactly the last build's: the same paths,
/// contents and inputs.
fn same_files(previous: &FxHashMap<String, Entry>, now: &FxHashMap<String, Entry>) -> bool {
    previous.len() == now.len() && now.iter().all(|(path, e)| previous.get(path) == Some(e))
}

/// Reads a manifest; one of an older version (without the inputs column)
/// reads as empty, so the next build rewrites everything once.
fn parse_manifest(text: &str) -> FxHashMap<String, Entry> {
    if !text.starts_with(MANIFEST_HEADER) {
        return FxHashMap::default();
    }
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.splitn(4, ' ');
            let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
            let len = parts.next()?.parse().ok()?;
            let key = match parts.next()? {
                "-" => None,
                k => Some(u128::from_str_radix(k, 16).ok()?),
            };
            let record = Record { hash, len };
            Some((parts.next()?.to_string(), Entry { record, key }))
        })
        .collect()
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
        files.push(OutputFile {
            path: crate::discover::relative(entry.path(), dir),
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
        let names: Vec<_> = walk_files(&out)
            .into_iter()
            .filter(|p| p.contains(PENDING))
            .collect();
        assert!(names.is_empty(), "{names:?}");
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
        let manifest = parse_manifest(&fs::read_to_string(out.join(MARKER)).unwrap());
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
    fn manifest_round_trips() {
        let mut keyed = page("k.html", "2");
        keyed.key = Some(0xabc);
        let files = [page("x y/é.html", "1"), keyed];
        let with: FxHashMap<String, Entry> = files
            .iter()
            .map(|f| (f.path.clone(), entry(f, None).unwrap()))
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        write_manifest(tmp.path(), &with).unwrap();
        let text = fs::read_to_string(tmp.path().join(MARKER)).unwrap();
        assert_eq!(parse_manifest(&text), with);
        // Written in path order, whatever the order of the map.
        let paths: Vec<&str> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.splitn(4, ' ').nth(3))
            .collect();
        assert_eq!(paths, ["k.html", "x y/é.html"]);
        // A manifest of an older version reads as empty: all is rewritten.
        assert!(parse_manifest("# old header\n00 1 a.html\n").is_empty());
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
            let writer = Writer::open(&out, Path::new(ROOT)).unwrap();
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
