//! What changed in a note between two versions of its file: the lines,
//! the sections (by heading) that hold them, and a unified diff. A stale
//! translation's reader and translator need exactly that: which parts of
//! the original to read again, and the change itself.

use similar::{DiffOp, TextDiff};

use crate::markdown::TocEntry;

/// A section of the current original that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading's text; the note's title for the text above the first
    /// heading.
    pub title: String,
    /// The heading's id, `None` for the text above the first heading.
    pub id: Option<String>,
    /// The heading's line in the file (the body's first line for the text
    /// above the first heading).
    pub line: usize,
}

/// The lines of `new` (1-based) that differ from `old`: replaced and
/// inserted lines, and for a deletion the line that now stands where the
/// deleted text was.
pub fn changed_lines(old: &str, new: &str) -> Vec<usize> {
    let diff = TextDiff::from_lines(old, new);
    let last = new.lines().count().max(1);
    let mut lines = Vec::new();
    for op in diff.ops() {
        match *op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { new_index, .. } => lines.push((new_index + 1).min(last)),
            DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } => lines.extend(new_index + 1..=new_index + new_len),
        }
    }
    lines.dedup();
    lines
}

/// The sections holding `lines` of a note whose body starts at file line
/// `body_line` and whose headings are `toc` (lines relative to the body),
/// in order. Lines before the body (front matter) belong to no section.
pub fn sections(lines: &[usize], toc: &[TocEntry], body_line: usize, title: &str) -> Vec<Section> {
    let mut found: Vec<Section> = Vec::new();
    for &line in lines.iter().filter(|&&l| l >= body_line) {
        let heading = toc
            .iter()
            .take_while(|h| body_line + h.line.max(1) - 1 <= line)
            .last();
        let section = match heading {
            Some(h) => Section {
                title: h.title.clone(),
                id: Some(h.id.clone()),
                line: body_line + h.line.max(1) - 1,
            },
            None => Section {
                title: title.to_string(),
                id: None,
                line: body_line,
            },
        };
        if !found.contains(&section) {
            found.push(section);
        }
    }
    found.sort_by_key(|s| s.line);
    found
}

/// A unified diff of `old` to `new` with three lines of context, labelled
/// as `git diff` labels its files.
pub fn unified(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(line: usize, title: &str) -> TocEntry {
        TocEntry {
            level: 2,
            id: title.to_lowercase().replace(' ', "-"),
            title: title.to_string(),
            line,
        }
    }

    #[test]
    fn replaced_inserted_and_deleted_lines_are_found_in_the_new_text() {
        let old = "a\nb\nc\nd\ne\n";
        assert_eq!(changed_lines(old, "a\nB\nc\nd\ne\n"), vec![2]);
        assert_eq!(changed_lines(old, "a\nb\nx\ny\nc\nd\ne\n"), vec![3, 4]);
        assert_eq!(changed_lines(old, "a\nb\nd\ne\n"), vec![3]);
        assert_eq!(changed_lines(old, "a\nb\nc\nd\n"), vec![4]);
        assert!(changed_lines(old, old).is_empty());
    }

    #[test]
    fn lines_map_to_the_heading_above_them() {
        // The body starts at file line 5; headings at body lines 3 and 8.
        let toc = [heading(3, "Install"), heading(8, "Check")];
        let s = sections(&[2, 6, 8, 14, 15], &toc, 5, "Title");
        let titles: Vec<(&str, usize)> = s.iter().map(|s| (s.title.as_str(), s.line)).collect();
        // Line 2 is front matter; 6 is above the first heading (file line 7).
        assert_eq!(titles, vec![("Title", 5), ("Install", 7), ("Check", 12)]);
        assert_eq!(s[0].id, None);
        assert_eq!(s[2].id.as_deref(), Some("check"));
    }

    #[test]
    fn the_unified_diff_has_labels_and_hunks() {
        let d = unified("a\nb\n", "a\nc\n", "a/x.md", "b/x.md");
        assert!(
            d.starts_with("--- a/x.md\n+++ b/x.md\n@@ -1,2 +1,2 @@\n"),
            "{d}"
        );
        assert!(d.contains("\n-b\n+c\n"), "{d}");
    }
}
