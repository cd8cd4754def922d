//! What git knows about the content folder: when each file last changed
//! and in which commit, the commits that touched a file, and a file's text
//! at a commit. Translations use it to tell whether an original changed
//! after its translation, and what changed.
//!
//! Every question is one `git` process however many files it is about
//! (`log` once over the history, `cat-file --batch` for any number of
//! blobs): thousands of notes must not mean thousands of processes.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use jiff::Timestamp;

/// The last change of a file in git history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    pub time: Timestamp,
    /// The commit (full hash) that last touched the file.
    pub commit: String,
}

/// The last commit that touched each file under `dir`, keyed by path
/// relative to `dir`, from one `git log` over the history. `None` outside
/// a git repository.
pub fn last_changes(dir: &Path) -> Option<BTreeMap<String, LastChange>> {
    let out = git(dir)
        .args([
            "log",
            "--format=%x00%ct %H",
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

/// Parses `git log --format=%x00%ct %H --name-only -z`: fields are NUL
/// separated; an empty field starts a commit, the next is its time and
/// hash, then come its paths. The log is newest first, so the first commit
/// seen for a path is its last change.
fn parse_log(log: &str) -> BTreeMap<String, LastChange> {
    let mut last = BTreeMap::new();
    let mut current: Option<LastChange> = None;
    let mut expect_commit = false;
    for field in log.split('\0') {
        let field = field.trim_start_matches('\n');
        if field.is_empty() {
            expect_commit = true;
        } else if expect_commit {
            let (time, commit) = field.trim().split_once(' ').unwrap_or((field, ""));
            current = time
                .parse::<i64>()
                .ok()
                .and_then(|s| Timestamp::from_second(s).ok())
                .map(|time| LastChange {
                    time,
                    commit: commit.to_string(),
                });
            expect_commit = false;
        } else if let Some(c) = &current {
            last.entry(field.to_string()).or_insert_with(|| c.clone());
        }
    }
    last
}

/// Files under `dir` that are new or modified in the working tree,
/// relative to `dir`.
pub fn dirty_files(dir: &Path) -> Vec<String> {
    let Ok(out) = git(dir)
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
    let prefix = prefix(dir);
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|e| e.len() > 3)
        .filter_map(|e| e[3..].strip_prefix(prefix.as_str()).map(str::to_string))
        .collect()
}

/// The commits that touched `rel` (relative to `dir`), newest first, at
/// most `limit` of them.
pub fn revisions(dir: &Path, rel: &str, limit: usize) -> Vec<String> {
    let Ok(out) = git(dir)
        .args(["log", "--format=%H", "--no-renames"])
        .arg(format!("--max-count={limit}"))
        .args(["--", rel])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The content of each `(commit, path relative to dir)` at that commit,
/// from one `git cat-file --batch`; `None` where the file was not there.
pub fn blobs(dir: &Path, wanted: &[(String, String)]) -> Vec<Option<Vec<u8>>> {
    if wanted.is_empty() {
        return Vec::new();
    }
    let prefix = prefix(dir);
    let input: String = wanted
        .iter()
        .map(|(commit, rel)| format!("{commit}:{prefix}{rel}\n"))
        .collect();
    let Ok(mut child) = git(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return vec![None; wanted.len()];
    };
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return vec![None; wanted.len()];
    };
    // Written from another thread: git answers while it reads, and a
    // full pipe on both sides would wait forever.
    let found = std::thread::scope(|s| {
        s.spawn(move || stdin.write_all(input.as_bytes()));
        read_batch(BufReader::new(stdout), wanted.len())
    });
    let _ = child.wait();
    found
}

/// Reads `count` answers of `git cat-file --batch`: a header
/// `<oid> <type> <size>` then the bytes and a newline, or `<name> missing`.
fn read_batch(mut out: impl BufRead, count: usize) -> Vec<Option<Vec<u8>>> {
    let mut found = Vec::with_capacity(count);
    for _ in 0..count {
        let mut header = String::new();
        if out.read_line(&mut header).unwrap_or(0) == 0 {
            break;
        }
        let size = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|_| header.split(' ').nth(1) == Some("blob"));
        let Some(size) = size else {
            found.push(None);
            continue;
        };
        let mut bytes = vec![0; size + 1];
        if out.read_exact(&mut bytes).is_err() {
            break;
        }
        bytes.pop();
        found.push(Some(bytes));
    }
    found.resize(count, None);
    found
}

/// Where `dir` is inside its repository (`site/content/`), as git paths
/// from the root need it.
fn prefix(dir: &Path) -> String {
    git(dir)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_parsing_keeps_the_newest_change() {
        let log = "\u{0}1700000200 bbb\u{0}\na.md\u{0}b.md\u{0}\u{0}1700000100 aaa\u{0}\na.md\u{0}c.md\u{0}";
        let last = parse_log(log);
        assert_eq!(last["a.md"].time.as_second(), 1_700_000_200);
        assert_eq!(last["a.md"].commit, "bbb");
        assert_eq!(last["b.md"].commit, "bbb");
        assert_eq!(last["c.md"].time.as_second(), 1_700_000_100);
        assert_eq!(last["c.md"].commit, "aaa");
    }

    #[test]
    fn batch_answers_are_read_in_order_missing_ones_as_none() {
        let out = "1234 blob 5\nhello\nHEAD:gone.md missing\n99 blob 0\n\n";
        let found = read_batch(out.as_bytes(), 3);
        assert_eq!(found, vec![Some(b"hello".to_vec()), None, Some(Vec::new())]);
    }
}
