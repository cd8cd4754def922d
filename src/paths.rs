//! How notes names files: paths relative to a folder with `/` on every
//! system, whether a path stays inside its folder, and how paths read in
//! messages. Shared by every stage that meets a file name (discovery, the
//! config, the writer), so none of them needs another for it.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Location};

/// A file whose path (below `base`) is not UTF-8 cannot be named in a URL
/// or a message: it is reported, with its name as far as it reads, instead
/// of failing later as a file that does not exist.
pub fn not_utf8(path: &Path, base: &Path) -> Option<Diagnostic> {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.to_str().is_none().then(|| {
        Diagnostic::new(
            Location::file(display_path(path)),
            "the file name is not UTF-8 (shown here with \u{FFFD} for the bytes that do not read): rename it with UTF-8 characters",
        )
    })
}

/// `path` relative to `base`, with `/` separators on every system: how
/// notes names files in the content, template, static and output folders.
pub fn relative(path: &Path, base: &Path) -> String {
    // A path a walk made is `base`, a `/`, and UTF-8 parts none of which is
    // empty or `.`: its text after the base is the answer. (Comparing
    // paths part by part costs more than the rest of finding a note.)
    let (full, start) = (
        path.as_os_str().as_encoded_bytes(),
        base.as_os_str().as_encoded_bytes(),
    );
    if std::path::MAIN_SEPARATOR == '/'
        && !start.is_empty()
        && !start.ends_with(b"/")
        && let Some(rest) = full.strip_prefix(start).and_then(|r| r.strip_prefix(b"/"))
        && let Ok(text) = std::str::from_utf8(rest)
        && text.split('/').all(|part| !part.is_empty() && part != ".")
    {
        return text.to_owned();
    }
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Drops a leading `./` so that messages read `content/x.md:1:1`.
pub fn display_path(path: &Path) -> PathBuf {
    path.strip_prefix(".").unwrap_or(path).to_path_buf()
}

/// Whether `path` names something inside a folder: relative, `/`-separated
/// parts none of which is empty, `.` or `..`, and no NUL.
pub fn is_inside(path: &str) -> bool {
    // On Windows, `\\` separates folders too and `C:` names a drive.
    let windows_escape = cfg!(windows)
        && path
            .split(['/', '\\'])
            .any(|p| p == ".." || p.contains(':'));
    !path.is_empty()
        && !path.contains('\0')
        && !Path::new(path).is_absolute()
        && !path.starts_with('\\')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
        && !windows_escape
}
