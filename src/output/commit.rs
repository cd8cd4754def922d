//! Putting a staged site in place, and finishing or undoing what a build
//! that was killed left.
//!
//! A first build's staging folder becomes the output in one rename (an
//! atomic exchange with an empty output folder). A rebuild moves only its
//! new and changed files into the output: before the first of those
//! renames it writes a journal, `.notes-journal`, in the staging folder,
//! naming every file to move in and every stale file to remove, the marker
//! last. The journal's own rename from a temporary name is the commit
//! point: a build killed before it left the output exactly as it was, and
//! one killed after it is finished by the next build, which replays the
//! journal (each step can be done twice) and says so.
//!
//! Nothing here writes or deletes through a link: a link inside the output
//! where a file or folder of the site goes is replaced, and a path under a
//! link is never touched.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::manifest::{self, MARKER};
use crate::error::Error;
use crate::paths::is_inside;

/// The journal's name in the staging folder.
const JOURNAL: &str = ".notes-journal";
const JOURNAL_HEADER: &str =
    "# notes journal 1: move in (M) and remove (D), in order, then remove the staging folder";

/// The names of the folders a build of `output` uses beside it.
pub(super) struct Beside {
    /// Where the new site, or a rebuild's new files, are staged.
    pub staging: PathBuf,
    /// Where a first build puts the empty folder it replaces.
    pub old: PathBuf,
}

impl Beside {
    pub fn of(output: &Path) -> Beside {
        let parent = output.parent().unwrap_or(Path::new("."));
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        Beside {
            staging: parent.join(format!(".{name}.notes-new")),
            old: parent.join(format!(".{name}.notes-old")),
        }
    }
}

/// One step of a rebuild's journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// Move the staged file at this path into the output.
    MoveIn(String),
    /// Remove the output's file at this path (stale: the site no longer
    /// has it), and the folders it leaves empty.
    Remove(String),
}

/// Writes the journal of `steps` into the staging folder; once this returns,
/// the rebuild is committed.
pub(super) fn write_journal(staging: &Path, steps: &[Step]) -> Result<(), Error> {
    let mut text = String::with_capacity(steps.len() * 40);
    text.push_str(JOURNAL_HEADER);
    text.push('\n');
    for step in steps {
        let (tag, path) = match step {
            Step::MoveIn(p) => ('M', p),
            Step::Remove(p) => ('D', p),
        };
        text.push(tag);
        text.push(' ');
        text.push_str(path);
        text.push('\n');
    }
    let path = staging.join(JOURNAL);
    let tmp = staging.join(format!("{JOURNAL}.partial"));
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        // The journal must be whole before it can be replayed.
        file.sync_data()?;
        fs::rename(&tmp, &path)
    };
    write().map_err(|e| Error::io(&path, "write the journal of the build", e))
}

fn read_journal(staging: &Path) -> Option<Vec<Step>> {
    let text = fs::read_to_string(staging.join(JOURNAL)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != JOURNAL_HEADER {
        return None;
    }
    lines
        .map(|line| {
            let (tag, path) = line.split_once(' ')?;
            if !is_inside(path) {
                return None;
            }
            match tag {
                "M" => Some(Step::MoveIn(path.to_string())),
                "D" => Some(Step::Remove(path.to_string())),
                _ => None,
            }
        })
        .collect()
}

/// Carries out a committed journal: every staged file moved in, every
/// stale file removed, then the staging folder removed. Each step may have
/// been done already (a replay after a kill).
pub(super) fn apply(staging: &Path, output: &Path, steps: &[Step]) -> Result<(), Error> {
    // Stale files first, so that a folder they leave empty can become a
    // file of the new site.
    let mut emptied = Vec::new();
    for step in steps {
        let Step::Remove(rel) = step else { continue };
        if under_link_or_missing(output, rel) {
            continue;
        }
        let path = output.join(rel);
        match fs::remove_file(&path) {
            Ok(()) => emptied.push(rel.as_str()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, "remove a file of the previous build", e)),
        }
    }
    remove_empty_folders(output, &emptied);
    let mut made = rustc_hash::FxHashSet::default();
    let mut moved = 0usize;
    for step in steps {
        let Step::MoveIn(rel) = step else { continue };
        let from = staging.join(rel);
        if fs::symlink_metadata(&from).is_err() {
            continue; // Moved in before a kill.
        }
        let to = output.join(rel);
        folders_for(output, rel, &mut made)?;
        if fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
            // An empty folder of the last build where a file goes.
            let _ = fs::remove_dir(&to);
        }
        fs::rename(&from, &to).map_err(|e| Error::io(&to, "move the new file into place", e))?;
        moved += 1;
        if moved == 2 {
            crate::fault::pause("moving");
        }
    }
    crate::fault::pause("applied");
    remove_staging(staging)
}

/// Removes a replayed staging folder, its journal last: a kill while it
/// is removed leaves the journal (replayed again, doing nothing) or an
/// empty folder, both of which the next build knows for notes'.
fn remove_staging(staging: &Path) -> Result<(), Error> {
    let failed = |e| Error::io(staging, "remove the staging folder", e);
    for entry in fs::read_dir(staging).map_err(failed)? {
        let entry = entry.map_err(failed)?;
        if entry.file_name() == JOURNAL {
            continue;
        }
        let path = entry.path();
        let removed = if entry.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(failed)?;
    }
    match fs::remove_file(staging.join(JOURNAL)) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e)),
    }
    fs::remove_dir(staging).map_err(failed)
}

/// Makes the folders of `rel` in the output that are missing. A link in
/// their place is replaced by a folder (never followed); a file of the
/// user's there was refused before anything was staged.
fn folders_for(
    output: &Path,
    rel: &str,
    made: &mut rustc_hash::FxHashSet<String>,
) -> Result<(), Error> {
    for (i, _) in rel.match_indices('/') {
        let folder = &rel[..i];
        if made.contains(folder) {
            continue;
        }
        let path = output.join(folder);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                fs::remove_file(&path)
                    .and_then(|()| fs::create_dir(&path))
                    .map_err(|e| Error::io(&path, "replace a link with the site's folder", e))?;
            }
            Ok(_) => {
                return Err(Error::Output(format!(
                    "{}: a file is where the site needs a folder; move it away and build again",
                    path.display()
                )));
            }
            Err(_) => {
                fs::create_dir(&path).map_err(|e| Error::io(&path, "create the folder", e))?
            }
        }
        made.insert(folder.to_string());
    }
    Ok(())
}

/// Whether a folder on the way to `rel` is a link or missing: nothing is
/// removed through a link.
fn under_link_or_missing(output: &Path, rel: &str) -> bool {
    rel.match_indices('/')
        .any(|(i, _)| !fs::symlink_metadata(output.join(&rel[..i])).is_ok_and(|m| m.is_dir()))
}

/// Removes the folders that removing `files` left empty, deepest first; a
/// folder with anything in it stays.
fn remove_empty_folders(output: &Path, files: &[&str]) {
    let mut folders = std::collections::BTreeSet::new();
    for rel in files {
        for (i, _) in rel.match_indices('/') {
            folders.insert(&rel[..i]);
        }
    }
    for folder in folders.iter().rev() {
        let _ = fs::remove_dir(output.join(folder));
    }
}

/// Reads the marker of a folder found under one of notes' own names beside
/// the output, refusing one that notes did not make.
fn leftover_marker(dir: &Path) -> Result<String, Error> {
    let names: Vec<std::ffi::OsString> = fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name())
                .take(2)
                .collect()
        })
        .unwrap_or_default();
    let small = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && m.len() <= 256);
    if names.is_empty() || (names == [MARKER] && small(&dir.join(MARKER))) {
        // Killed between making the staging folder and writing its
        // marker, or while writing it.
        return Ok(manifest::STAGING.to_string());
    }
    let marker = dir.join(MARKER);
    let is_file = fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file());
    let text = if is_file {
        fs::read_to_string(&marker).ok()
    } else {
        None
    };
    match text {
        Some(t) if manifest::is_ours(&t) => Ok(t),
        _ => Err(Error::Output(format!(
            "{} is in the way: notes stages its builds under that name, but this folder was not made by notes; move it away",
            dir.display()
        ))),
    }
}

/// Finishes or undoes what an interrupted build left beside `output`, and
/// says what it did:
/// - a rebuild killed after its journal was written is finished;
/// - a first build killed after its site was complete but before (or
///   between the two renames of a platform without an atomic exchange
///   that) put it in place is put in place;
/// - anything else staged is removed: the output was never touched.
pub(super) fn recover(output: &Path, beside: &Beside) -> Result<Vec<String>, Error> {
    let mut notices = Vec::new();
    let exists = |p: &Path| fs::symlink_metadata(p).is_ok();
    if exists(&beside.staging) {
        // A journal in notes' format is notes': once it has moved the
        // marker in, it is all that says so.
        let journal = read_journal(&beside.staging);
        let marker = match journal {
            Some(_) => String::new(),
            None => leftover_marker(&beside.staging)?,
        };
        if let Some(steps) = journal {
            apply(&beside.staging, output, &steps)?;
            notices.push(format!(
                "{}: the last build was interrupted while it moved its {} changes into place; they are all in place now",
                output.display(),
                steps.len()
            ));
        } else if marker.starts_with(manifest::HEADER) && !exists(output) {
            fs::rename(&beside.staging, output).map_err(|e| {
                Error::io(output, "move the interrupted build's site into place", e)
            })?;
            notices.push(format!(
                "{}: the last build was interrupted after its site was complete; it is in place now",
                output.display()
            ));
        } else {
            fs::remove_dir_all(&beside.staging)
                .map_err(|e| Error::io(&beside.staging, "remove a leftover staging folder", e))?;
            notices.push(format!(
                "removed {}, left by a build that was interrupted (the output was not touched)",
                beside.staging.display()
            ));
        }
    }
    if exists(&beside.old) {
        // Only ever the empty folder a first build replaced.
        fs::remove_dir(&beside.old).map_err(|e| {
            Error::io(
                &beside.old,
                "remove the empty folder a build replaced (it is not empty: look at what is in it)",
                e,
            )
        })?;
    }
    Ok(notices)
}

/// Whether [`recover`] would refuse what is beside the output, without
/// changing anything (for `notes check`).
pub(super) fn check_leftovers(beside: &Beside) -> Result<(), Error> {
    if fs::symlink_metadata(&beside.staging).is_ok() && read_journal(&beside.staging).is_none() {
        leftover_marker(&beside.staging)?;
    }
    if fs::read_dir(&beside.old).is_ok_and(|mut d| d.next().is_some()) {
        return Err(Error::Output(format!(
            "{} is in the way: notes uses that name for an empty folder it replaces, and this one is not empty; move it away",
            beside.old.display()
        )));
    }
    Ok(())
}

/// Puts a first build's staging folder in place of `output` (missing, or
/// an empty folder), in one step where the platform can.
pub(super) fn swap_in(staging: &Path, output: &Path, beside: &Beside) -> Result<(), Error> {
    if fs::symlink_metadata(output).is_err() {
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", e))?;
        }
        return fs::rename(staging, output)
            .map_err(|e| Error::io(output, "move the new site into place", e));
    }
    match exchange(staging, output) {
        // The empty folder is now at the staging name.
        Ok(()) => fs::rename(staging, &beside.old)
            .map_err(|e| Error::io(&beside.old, "move the empty folder aside", e))?,
        Err(e) if e.kind() == io::ErrorKind::Unsupported => {
            // Two renames: a kill between them leaves no output but a
            // complete staging folder, which the next build puts in place.
            fs::rename(output, &beside.old)
                .map_err(|e| Error::io(output, "move the empty folder aside", e))?;
            fs::rename(staging, output)
                .map_err(|e| Error::io(output, "move the new site into place", e))?;
        }
        Err(e) => return Err(Error::io(output, "move the new site into place", e)),
    }
    let _ = fs::remove_dir(&beside.old);
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|e| match e {
        // Old kernels, and file systems without it (some network and FUSE
        // ones).
        Errno::INVAL | Errno::NOSYS | Errno::NOTSUP => io::Error::from(io::ErrorKind::Unsupported),
        e => io::Error::from(e),
    })
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Whether `a` is `b` or inside it, both made absolute and resolved as far
/// as they exist.
pub(super) fn within(a: &Path, b: &Path) -> bool {
    resolved(a).starts_with(resolved(b))
}

/// `path` made absolute, with its longest existing ancestor resolved
/// (links, `..`), so that paths not yet made compare right.
pub(super) fn resolved(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut tail = Vec::new();
    let mut head = abs.as_path();
    loop {
        if let Ok(real) = head.canonicalize() {
            let mut out = real;
            for part in tail.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (head.parent(), head.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                head = parent;
            }
            _ => return abs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_reads_back_and_refuses_paths_outside() {
        let tmp = tempfile::tempdir().unwrap();
        let steps = vec![
            Step::MoveIn("a b/index.html".into()),
            Step::Remove("old/index.html".into()),
            Step::MoveIn(MARKER.into()),
        ];
        write_journal(tmp.path(), &steps).unwrap();
        assert_eq!(read_journal(tmp.path()), Some(steps));
        fs::write(
            tmp.path().join(JOURNAL),
            format!("{JOURNAL_HEADER}\nD ../victim\n"),
        )
        .unwrap();
        assert_eq!(read_journal(tmp.path()), None);
    }

    #[cfg(unix)]
    #[test]
    fn replaying_never_goes_through_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let (staging, output, elsewhere) = (
            tmp.path().join("staging"),
            tmp.path().join("out"),
            tmp.path().join("elsewhere"),
        );
        for d in [&staging.join("search"), &output, &elsewhere] {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(elsewhere.join("meta.json"), "theirs").unwrap();
        fs::write(elsewhere.join("old.json"), "theirs").unwrap();
        std::os::unix::fs::symlink(&elsewhere, output.join("search")).unwrap();
        fs::write(staging.join("search/meta.json"), "ours").unwrap();
        let steps = [
            Step::MoveIn("search/meta.json".into()),
            Step::Remove("search/old.json".into()),
        ];
        apply(&staging, &output, &steps).unwrap();
        assert!(
            !fs::symlink_metadata(output.join("search"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(output.join("search/meta.json")).unwrap(),
            "ours"
        );
        assert_eq!(
            fs::read_to_string(elsewhere.join("meta.json")).unwrap(),
            "theirs"
        );
        assert_eq!(
            fs::read_to_string(elsewhere.join("old.json")).unwrap(),
            "theirs"
        );
        assert!(!staging.exists());
    }
}
