//! The marker file `.notes-build`: what marks an output folder as written
//! by `notes`, and the list of every file the last build wrote there.
//!
//! The list is what lets a build delete or replace a file at all, so it is
//! read with suspicion: a marker that is empty, unreadable, of an unknown
//! kind, or that names any path outside the folder (`..`, an absolute
//! path) is not notes' and the folder is refused, never emptied. Markers
//! of every earlier version are read, or refused with what to do: an
//! upgrade never takes a folder for empty.

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::paths::is_inside;

/// The file that marks an output folder as written by `notes`.
pub const MARKER: &str = ".notes-build";

/// The header of the current manifest.
pub(super) const HEADER: &str = "# Written by `notes build` (3): the files of the last build (xxh3-128, bytes, inputs' xxh3-128 or -, path). Do not edit.";
/// The same list, written by versions that renamed files into place one by
/// one and could leave `<file>.notes-pending` temporaries in the output.
const HEADER_V2: &str = "# Written by `notes build`: the files of the last build (xxh3-128, bytes, inputs' xxh3-128 or -, path). Do not edit.";
/// What those versions named a file written but not yet renamed.
pub(super) const OLD_PENDING: &str = ".notes-pending";
/// The manifest before pages were kept by their inputs (no inputs column).
const HEADER_V1: &str =
    "# Written by `notes build`: the files of the last build (xxh3-128, bytes, path). Do not edit.";
/// The first marker: no list at all (the whole folder was replaced).
const TEXT_V0: &str = "This folder is written by `notes build`; it is replaced on every build.";
/// The marker of a staging folder before its manifest is written: what a
/// build that was killed while writing leaves beside the output.
pub(super) const STAGING: &str =
    "# A build of `notes` in progress; removed by the next build if it was interrupted.";

/// One file as written: its xxh3-128 and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    pub hash: u128,
    pub len: u64,
}

/// One line of the manifest: what was written, and a hash of everything it
/// was made from (a page's template context, a static file's size and
/// modification time) when that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub record: Record,
    pub key: Option<u128>,
}

pub(super) type Entries = FxHashMap<String, Entry>;

/// Why a marker cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Untrusted {
    /// The first kind of marker, which lists nothing.
    Unlisted,
    /// Empty, of no known kind, or with a line that does not read.
    Malformed(String),
}

impl Untrusted {
    /// The refusal, naming the marker file and what to do.
    pub fn message(&self, marker: &Path, output: &Path) -> String {
        match self {
            Untrusted::Unlisted => format!(
                "refusing to write into {}: its {} was written by an early version of notes that kept no list of its files, so notes cannot tell them from yours; move away anything of yours, delete the folder and build again",
                output.display(),
                marker.display()
            ),
            Untrusted::Malformed(why) => format!(
                "refusing to write into {}: {} is not a marker notes wrote ({why}), so nothing in the folder can be taken for notes' own; move the folder away or choose another output folder with --output",
                output.display(),
                marker.display()
            ),
        }
    }
}

/// A marker read: the files it lists, and whether an earlier version of
/// notes wrote it (its temporaries may be left in the output).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parsed {
    pub entries: Entries,
    pub earlier: bool,
}

/// Reads a marker's text into the files it lists.
pub(super) fn parse(text: &str) -> Result<Parsed, Untrusted> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.trim_end_matches('\r');
    let with_inputs = match first {
        HEADER | HEADER_V2 => true,
        HEADER_V1 => false,
        TEXT_V0 => return Err(Untrusted::Unlisted),
        "" => return Err(Untrusted::Malformed("it is empty".into())),
        _ => {
            return Err(Untrusted::Malformed(
                "its first line is not notes' header".into(),
            ));
        }
    };
    let mut entries = Entries::default();
    for (i, line) in rest.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let bad = |why: &str| Untrusted::Malformed(format!("line {}: {why}", i + 2));
        let (path, entry) = parse_line(line, with_inputs).ok_or_else(|| bad("does not read"))?;
        if !is_inside(path) {
            return Err(bad(&format!("`{path}` is not a path inside the folder")));
        }
        entries.insert(path.to_string(), entry);
    }
    if entries.is_empty() {
        return Err(Untrusted::Malformed("it lists no file".into()));
    }
    Ok(Parsed {
        entries,
        earlier: first != HEADER,
    })
}

fn parse_line(line: &str, with_inputs: bool) -> Option<(&str, Entry)> {
    let mut parts = line.splitn(if with_inputs { 4 } else { 3 }, ' ');
    let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
    let len = parts.next()?.parse().ok()?;
    let key = if with_inputs {
        match parts.next()? {
            "-" => None,
            k => Some(u128::from_str_radix(k, 16).ok()?),
        }
    } else {
        None
    };
    let record = Record { hash, len };
    Some((parts.next()?, Entry { record, key }))
}

/// The manifest's text: the header, then one line per file in path order.
pub(super) fn text(entries: &Entries) -> String {
    use rayon::prelude::*;
    use std::fmt::Write as _;
    let mut sorted: Vec<(&String, &Entry)> = entries.iter().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut text = String::with_capacity(entries.len() * 112);
    text.push_str(HEADER);
    text.push('\n');
    for (path, e) in sorted {
        let r = e.record;
        let _ = match e.key {
            Some(key) => writeln!(text, "{:032x} {} {key:032x} {path}", r.hash, r.len),
            None => writeln!(text, "{:032x} {} - {path}", r.hash, r.len),
        };
    }
    text
}

/// Whether a leftover folder's marker says notes made it (a staging folder,
/// or a site it swapped out).
pub(super) fn is_ours(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    [STAGING, HEADER, HEADER_V2, HEADER_V1].contains(&first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(hash: u128, len: u64, key: Option<u128>) -> Entry {
        Entry {
            record: Record { hash, len },
            key,
        }
    }

    #[test]
    fn round_trips_in_path_order() {
        let mut entries = Entries::default();
        entries.insert("x y/é.html".into(), entry(1, 1, None));
        entries.insert("k.html".into(), entry(2, 3, Some(0xabc)));
        let text = text(&entries);
        assert_eq!(
            parse(&text),
            Ok(Parsed {
                entries,
                earlier: false
            })
        );
        let paths: Vec<&str> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.splitn(4, ' ').nth(3))
            .collect();
        assert_eq!(paths, ["k.html", "x y/é.html"]);
    }

    #[test]
    fn the_previous_versions_marker_is_read() {
        let text = format!("{HEADER_V1}\n{:032x} 5 a/index.html\n", 7);
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.entries["a/index.html"], entry(7, 5, None));
        assert!(parsed.earlier);
        let v2 = format!("{HEADER_V2}\n{:032x} 5 - a/index.html\n", 7);
        assert!(parse(&v2).unwrap().earlier);
        assert_eq!(
            parse(&format!("{TEXT_V0}\n")),
            Err(Untrusted::Unlisted),
            "the first marker lists nothing: refused, never taken for empty"
        );
    }

    #[test]
    fn markers_that_reach_outside_or_do_not_read_are_untrusted() {
        let line = |path: &str| format!("{HEADER}\n{:032x} 1 - {path}\n", 1);
        for bad in [
            "../victim.txt",
            "/etc/passwd",
            "a/../../b",
            "a//b",
            "./a",
            "a/.",
        ] {
            assert!(
                matches!(parse(&line(bad)), Err(Untrusted::Malformed(_))),
                "{bad}"
            );
        }
        for bad in [
            "",
            "\n",
            "keep.txt\n",
            &format!("{HEADER}\n"),
            &format!("{HEADER}\nzz 1 - a\n"),
        ] {
            assert!(
                matches!(parse(bad), Err(Untrusted::Malformed(_))),
                "{bad:?}"
            );
        }
        assert!(parse(&line("a b/c%20d.html")).is_ok());
    }
}
