//! Errors a person can act on: every problem found in a user's files carries
//! the file, line and column it came from, and the build collects all of them
//! before failing so that one run shows everything that needs fixing.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a user's file. Lines and columns are 1-based, as editors count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location {
            path: path.into(),
            line: line.max(1),
            column: column.max(1),
        }
    }

    /// The start of a file, for problems that concern the whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location::new(path, 1, 1)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// One problem in the input, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the user's notes, config or templates: all of them, sorted
    /// by file and line.
    #[error("{}", format_diagnostics(.0))]
    Input(Vec<Diagnostic>),
    /// The file system refused something; `action` says what we were doing.
    #[error("{}: could not {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The output folder is not ours to replace.
    #[error("{0}")]
    Output(String),
}

impl Error {
    pub fn io(path: &Path, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    pub fn one(location: Location, message: impl Into<String>) -> Self {
        Error::Input(vec![Diagnostic::new(location, message)])
    }
}

fn format_diagnostics(list: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in list.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    out
}

/// Turns a byte offset in `text` into a 1-based (line, column), counting
/// columns in characters so that they match what an editor shows.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nçd\nef";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'd' is after the two-byte 'ç': column 2, not 3.
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, 100), (3, 3));
    }

    #[test]
    fn diagnostics_print_one_per_line() {
        let e = Error::Input(vec![
            Diagnostic::new(Location::new("a.md", 2, 3), "bad"),
            Diagnostic::new(Location::file("b.md"), "worse"),
        ]);
        assert_eq!(e.to_string(), "a.md:2:3: bad\nb.md:1:1: worse");
    }
}
