//! Writes the finished site. Everything goes to a staging folder beside the
//! output, which replaces the output only once it is complete: a failed or
//! interrupted build leaves the last good site in place.
//!
//! `notes` only ever replaces or deletes a folder it created itself, which
//! it knows by a marker file; a non-empty folder without the marker is left
//! alone with an error.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Error;
use crate::render::{Content, OutputFile};

/// The file that marks an output folder as written by `notes`.
pub const MARKER: &str = ".notes-build";
const MARKER_TEXT: &str =
    "This folder is written by `notes build`; it is replaced on every build.\n";

/// Writes `files` as the new content of `output`.
pub fn write(output: &Path, root: &Path, files: &[OutputFile]) -> Result<(), Error> {
    check_output(output, root)?;
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", e))?;
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let staging = parent.join(format!(".{name}.notes-staging"));
    let old = parent.join(format!(".{name}.notes-old"));
    for leftover in [&staging, &old] {
        // Our own names, left by a build that was killed: safe to remove.
        if leftover.exists() {
            fs::remove_dir_all(leftover)
                .map_err(|e| Error::io(leftover, "remove a leftover staging folder", e))?;
        }
    }
    if let Err(e) = write_tree(&staging, files) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap(&staging, output, &old)
}

/// Refuses an output folder that is not ours, or that holds the sources.
fn check_output(output: &Path, root: &Path) -> Result<(), Error> {
    let abs_out = absolute(output);
    let abs_root = absolute(root);
    if abs_root.starts_with(&abs_out) {
        return Err(Error::Output(format!(
            "refusing to write the site to {}: it contains the site's sources; choose another output folder (--output or [build] build-dir)",
            output.display()
        )));
    }
    if !output.exists() {
        return Ok(());
    }
    if !output.is_dir() {
        return Err(Error::Output(format!(
            "refusing to replace {}: it is a file, not a folder",
            output.display()
        )));
    }
    let ours = output.join(MARKER).is_file();
    let empty = fs::read_dir(output)
        .map_err(|e| Error::io(output, "read the output folder", e))?
        .next()
        .is_none();
    if ours || empty {
        Ok(())
    } else {
        Err(Error::Output(format!(
            "refusing to replace {}: it is not empty and was not created by notes (no {MARKER} file in it); move it away or choose another output folder with --output",
            output.display()
        )))
    }
}

fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.canonicalize().unwrap_or(abs)
}

fn write_tree(dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the staging folder", e))?;
    let folders: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    for folder in &folders {
        let path = dir.join(folder);
        fs::create_dir_all(&path).map_err(|e| Error::io(&path, "create the folder", e))?;
    }
    files.par_iter().try_for_each(|f| {
        let path = dir.join(&f.path);
        match &f.content {
            Content::Bytes(bytes) => {
                fs::write(&path, bytes).map_err(|e| Error::io(&path, "write", e))
            }
            Content::Copy(from) => fs::copy(from, &path)
                .map(drop)
                .map_err(|e| Error::io(from, "copy the static file", e)),
        }
    })?;
    let marker = dir.join(MARKER);
    fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, "write", e))
}

/// Moves the complete staging folder into place. On failure the previous
/// output is put back.
fn swap(staging: &Path, output: &Path, old: &Path) -> Result<(), Error> {
    let had_output = output.exists();
    if had_output {
        fs::rename(output, old)
            .map_err(|e| Error::io(output, "move the previous output aside", e))?;
    }
    if let Err(e) = fs::rename(staging, output) {
        if had_output {
            let _ = fs::rename(old, output);
        }
        let _ = fs::remove_dir_all(staging);
        return Err(Error::io(output, "move the new site into place", e));
    }
    if had_output {
        fs::remove_dir_all(old).map_err(|e| Error::io(old, "remove the previous output", e))?;
    }
    Ok(())
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
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push(OutputFile {
            path: rel,
            content: Content::Copy(entry.path().to_path_buf()),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            content: Content::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn writes_then_replaces_its_own_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write(
            &out,
            Path::new("/nonexistent-root"),
            &[page("a/index.html", "1")],
        )
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "1");
        assert!(out.join(MARKER).is_file());
        write(&out, Path::new("/nonexistent-root"), &[page("b.html", "2")]).unwrap();
        assert!(!out.join("a").exists());
        assert_eq!(fs::read_to_string(out.join("b.html")).unwrap(), "2");
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["public"]);
    }

    #[test]
    fn refuses_a_folder_it_did_not_create() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("mine");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("precious.txt"), "keep").unwrap();
        let err = write(&out, Path::new("/nonexistent-root"), &[page("x.html", "")]).unwrap_err();
        assert!(err.to_string().contains("not created by notes"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("precious.txt")).unwrap(),
            "keep"
        );
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
}
