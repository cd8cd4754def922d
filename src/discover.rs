//! Finds the notes of a site: every `.md` file under the content folder, at
//! any depth, minus hidden paths, drafts and the `exclude` globs of
//! book.toml. Only paths are produced here; reading happens in `note`.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, Config};
use crate::error::{Diagnostic, Error, Location};
use crate::paths::{display_path, not_utf8, relative};

/// A Markdown file found under the content folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceFile {
    /// The path shown in messages: relative to the working directory when
    /// the site root is, so that `path:line:col` is clickable in a terminal.
    pub path: PathBuf,
    /// The path relative to the content folder, with `/` separators.
    pub rel: String,
}

impl SourceFile {
    /// The file name without `.md`.
    pub fn stem(&self) -> &str {
        let name = self.rel.rsplit('/').next().unwrap_or(&self.rel);
        name.strip_suffix(".md").unwrap_or(name)
    }

    /// The folders between the content folder and the file.
    pub fn folders(&self) -> impl Iterator<Item = &str> {
        let mut parts: Vec<&str> = self.rel.split('/').collect();
        parts.pop();
        parts.into_iter()
    }
}

/// Lists the site's notes in a stable (sorted) order.
pub fn discover(config: &Config, drafts: bool) -> Result<Vec<SourceFile>, Error> {
    let dir = &config.content_dir;
    if !dir.is_dir() {
        return Err(Error::one(
            Location::file(config.root.join(CONFIG_FILE)),
            format!(
                "content folder {} does not exist: create it, or set `src` under [book] in {CONFIG_FILE}",
                display_path(dir).display()
            ),
        ));
    }
    let exclude = exclude_set(config)?;
    let output_dir = config.output_dir.canonicalize().ok();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(is_hidden(e.file_name())
                    || (!drafts && e.file_type().is_dir() && e.file_name() == "_drafts")
                    || output_dir.as_deref().is_some_and(|o| is_same_folder(e, o)))
        });
    for entry in walker {
        let entry = entry.map_err(|e| walk_error(&e, dir))?;
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        if let Some(problem) = not_utf8(entry.path(), dir) {
            problems.push(problem);
            continue;
        }
        let rel = relative(entry.path(), dir);
        if !config.exclude.is_empty() && exclude.is_match(&rel) {
            continue;
        }
        found.push(SourceFile {
            path: display_path(entry.path()),
            rel,
        });
    }
    // In the order of a walk taking each folder's entries by name: with `/`
    // below every character, as in a comparison folder by folder. (Sorted
    // here, once: walkdir's sort takes each name from its path at every
    // comparison, a tenth of a no-change rebuild of 60,000 notes.)
    found.sort_by_cached_key(|f| f.rel.replace('/', "\0"));
    if !problems.is_empty() {
        problems.sort();
        return Err(Error::Input(problems));
    }
    Ok(found)
}

/// The note a changed path is, when it is one `discover` would list (or
/// would have listed, for a removed file): a `.md` file under the content
/// folder, not hidden, not a draft unless drafts are built, not excluded.
pub fn source_for(config: &Config, path: &Path, drafts: bool) -> Result<Option<SourceFile>, Error> {
    let Ok(rel_path) = path.strip_prefix(&config.content_dir) else {
        return Ok(None);
    };
    let names: Vec<&std::ffi::OsStr> = rel_path.iter().collect();
    let Some((file, folders)) = names.split_last() else {
        return Ok(None);
    };
    let output_dir = config.output_dir.canonicalize().ok();
    let skipped = folders
        .iter()
        .any(|f| is_hidden(f) || (!drafts && *f == "_drafts"))
        || is_hidden(file)
        || Path::new(file).extension().is_none_or(|x| x != "md")
        || output_dir.as_deref().is_some_and(|o| path.starts_with(o));
    if skipped {
        return Ok(None);
    }
    let rel = relative(path, &config.content_dir);
    if exclude_set(config)?.is_match(&rel) {
        return Ok(None);
    }
    Ok(Some(SourceFile {
        path: display_path(path),
        rel,
    }))
}

pub(crate) fn exclude_set(config: &Config) -> Result<GlobSet, Error> {
    let mut builder = GlobSetBuilder::new();
    let mut problems = Vec::new();
    for pattern in &config.exclude {
        match Glob::new(pattern) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(e) => problems.push(Diagnostic::new(
                Location::file(config.root.join(CONFIG_FILE)),
                format!("exclude pattern `{pattern}` is not a valid glob: {e}"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    builder.build().map_err(|e| {
        Error::one(
            Location::file(config.root.join(CONFIG_FILE)),
            format!("exclude patterns: {e}"),
        )
    })
}

/// A folder or file a walk of `dir` could not read, as the user's error.
fn walk_error(e: &walkdir::Error, dir: &Path) -> Error {
    let path = e.path().unwrap_or(dir).to_path_buf();
    Error::one(
        Location::file(display_path(&path)),
        format!("could not read: {e}"),
    )
}

/// Whether a walk's entry is the folder `canonical` (already resolved):
/// the walk's paths are as the content folder was given (`./public`).
fn is_same_folder(entry: &walkdir::DirEntry, canonical: &Path) -> bool {
    entry.file_type().is_dir()
        && entry.file_name() == canonical.file_name().unwrap_or_default()
        && entry.path().canonicalize().is_ok_and(|p| p == canonical)
}

/// The files of the content folder that are not notes, copied as they are
/// (`[book] copy-other-files`, Jekyll's rule): everything outside hidden and
/// `_` folders, not excluded, not the output, not notes' own source folders
/// (`static/`, `templates/`, `i18n/`, book.toml), and not a file with front
/// matter (Jekyll runs those through Liquid; notes cannot).
pub fn other_files(config: &Config) -> Result<Vec<(String, PathBuf)>, Error> {
    let dir = &config.content_dir;
    let exclude = exclude_set(config)?;
    let output = config.output_dir.canonicalize().ok();
    let own: Vec<PathBuf> = ["static", "templates", "i18n", CONFIG_FILE]
        .iter()
        .map(|f| config.root.join(f))
        .collect();
    let mut found = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.')
                    || name.starts_with('_')
                    || own.iter().any(|o| e.path() == o)
                    || output.as_deref().is_some_and(|o| is_same_folder(e, o)))
        });
    for entry in walker {
        let entry = entry.map_err(|e| walk_error(&e, dir))?;
        if !entry.file_type().is_file() || entry.path().extension().is_some_and(|x| x == "md") {
            continue;
        }
        if let Some(problem) = not_utf8(entry.path(), dir) {
            return Err(Error::Input(vec![problem]));
        }
        let rel = relative(entry.path(), dir);
        if exclude.is_match(&rel) || has_front_matter(entry.path()) {
            continue;
        }
        found.push((rel, entry.into_path()));
    }
    Ok(found)
}

/// Whether a file starts with a `---` line (Jekyll's sign of a page to
/// process rather than copy).
pub fn has_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 5];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    head.starts_with(b"---\n") || head.starts_with(b"---\r\n")
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stem_and_folders() {
        let f = SourceFile {
            path: "content/_posts/hi/2025-06-12-cffi-hi.md".into(),
            rel: "_posts/hi/2025-06-12-cffi-hi.md".into(),
        };
        assert_eq!(f.stem(), "2025-06-12-cffi-hi");
        assert_eq!(f.folders().collect::<Vec<_>>(), ["_posts", "hi"]);
    }

    #[test]
    fn notes_come_in_the_order_of_a_walk_by_name() {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join("content");
        for rel in [
            "a/x.md", "a-c/y.md", "a.md", "a/b/z.md", "a0.md", "b.md", "a-c.md", "é.md",
        ] {
            let path = content.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        let config = Config::from_str(tmp.path(), "").unwrap();
        let found: Vec<String> = discover(&config, false)
            .unwrap()
            .into_iter()
            .map(|f| f.rel)
            .collect();
        // What walkdir's own sort by name gives.
        let walked: Vec<String> = WalkDir::new(&content)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| relative(e.path(), &content))
            .collect();
        assert_eq!(found, walked);
        assert_eq!(found.len(), 8);
    }

    #[test]
    fn relative_paths_read_the_same_either_way() {
        let slow = |p: &Path, base: &Path| {
            let rel = p.strip_prefix(base).unwrap_or(p);
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        };
        for (path, base) in [
            ("content/_posts/en/a.md", "content"),
            ("./content/x/y.md", "./content"),
            ("content/./x//y.md", "content"),
            ("/abs/note.md", "content"),
            ("content/é/ü.md", "content"),
            ("content", "content"),
            ("content/a.md", "content/"),
            ("contented/a.md", "content"),
            ("content/a/", "content"),
        ] {
            let (path, base) = (Path::new(path), Path::new(base));
            assert_eq!(relative(path, base), slow(path, base), "{path:?}");
        }
    }
}
