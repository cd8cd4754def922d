//! What the last build learnt of each note's Markdown, kept for the next
//! one in `.notes-cache/markdown.bin`: everything but the HTML (its table
//! of contents, summary, anchors, links, warnings, and a hash of the HTML).
//!
//! A rebuild takes a note from here when its body is byte-identical and
//! every link in it resolves as it did; its pages then keep their memo
//! keys without rendering the Markdown again, and a page that must be
//! rendered (a template changed) asks for the HTML then. Most of a
//! no-change rebuild's Markdown work goes: the HTML itself is not kept, as
//! loading it would cost about what rendering it from the highlighting
//! cache does.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::markdown::{
    CodeFallback, LinkResolver, NoteLink, Rendered, Resolved, TocEntry, UnclosedFence,
};
use crate::site::Site;

/// Changes whenever what a note renders to may change for the same body:
/// another version of notes, or a site under another base path.
fn header(context: &str) -> String {
    format!(
        "notes markdown cache 3 {}\n{context}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// What, besides a note's body, its Markdown's result depends on: the base
/// path of links and the `[markdown]` settings.
pub fn context(config: &crate::Config) -> String {
    let m = config.markdown;
    format!(
        "{} {:?} {:?} {}",
        config.site_url.base_path, m.flavour, m.ids, m.math
    )
}

/// What one link asked of the site: its destination, and the URL it got
/// (`Some(Ok)`), why it is broken (`Some(Err)`), or `None` (not a note).
type Resolution = (String, Option<Result<String, String>>);

/// One note's entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// A hash of the note's Markdown body.
    source: u128,
    /// Every link the body asked the site to resolve, in order.
    resolved: Vec<Resolution>,
    html_hash: u128,
    toc: Vec<TocEntry>,
    summary: String,
    fallbacks: Vec<CodeFallback>,
    anchors: Vec<String>,
    /// Note links, their target given as the index in `resolved` of the
    /// link that found it (note indexes change between builds).
    links: Vec<NoteLink>,
    broken_links: Vec<(usize, String)>,
    unclosed_fences: Vec<UnclosedFence>,
    blocks: Vec<u128>,
    math_errors: Vec<(usize, String)>,
}

/// The last build's entries, by note source path.
#[derive(Debug, Default)]
pub struct MarkdownCache {
    entries: HashMap<String, Entry>,
}

impl MarkdownCache {
    /// The cache a build in `context` (see [`context`]) can use: empty when the file is
    /// missing, unreadable or from another version or base path.
    pub fn load(path: &Path, base_path: &str) -> MarkdownCache {
        let entries = std::fs::read(path)
            .ok()
            .and_then(|bytes| {
                let rest = bytes.strip_prefix(header(base_path).as_bytes())?;
                postcard::from_bytes::<Vec<(String, Entry)>>(rest).ok()
            })
            .unwrap_or_default();
        MarkdownCache {
            entries: entries.into_iter().collect(),
        }
    }

    /// Note `i` as the last build rendered it, without its HTML, if its
    /// body is the same and its links resolve to the same places.
    pub fn recall(&self, site: &Site, i: usize) -> Option<Rendered> {
        let note = &site.notes[i].note;
        let entry = self.entries.get(&note.source.rel)?;
        if entry.source != source_hash(&note.body) {
            return None;
        }
        let fresh: Vec<Resolved> = entry
            .resolved
            .iter()
            .map(|(dest, _)| site.note_link(i, dest))
            .collect();
        let same = entry
            .resolved
            .iter()
            .zip(&fresh)
            .all(|((_, old), new)| *old == without_target(new));
        if !same {
            return None;
        }
        let links = entry
            .links
            .iter()
            .map(|l| {
                let target = match l.target {
                    None => None,
                    Some(k) => Some(fresh.get(k)?.as_ref()?.as_ref().ok()?.0),
                };
                Some(NoteLink {
                    target,
                    ..l.clone()
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Rendered {
            html: None,
            html_hash: entry.html_hash,
            toc: entry.toc.clone(),
            summary: entry.summary.clone(),
            fallbacks: entry.fallbacks.clone(),
            anchors: entry.anchors.clone(),
            links,
            broken_links: entry.broken_links.clone(),
            unclosed_fences: entry.unclosed_fences.clone(),
            blocks: entry.blocks.clone(),
            math_errors: entry.math_errors.clone(),
        })
    }

    /// Saves the entries of this build's notes: `fresh[i]` is that of
    /// note `i` if it rendered, `None` if it was taken from here. Sorted, so
    /// the file is deterministic; not written when every note was taken.
    pub fn save(&self, path: &Path, site: &Site, fresh: Vec<Option<Entry>>) -> std::io::Result<()> {
        let all_taken = fresh.iter().all(Option::is_none);
        if all_taken && fresh.len() == self.entries.len() && path.is_file() {
            return Ok(());
        }
        let mut entries: Vec<(&str, Entry)> = site
            .notes
            .iter()
            .zip(fresh)
            .filter_map(|(n, e)| {
                let rel = n.note.source.rel.as_str();
                Some((rel, e.or_else(|| self.entries.get(rel).cloned())?))
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut bytes = header(&context(&site.config)).into_bytes();
        let body = postcard::to_stdvec(&entries).map_err(std::io::Error::other)?;
        bytes.extend_from_slice(&body);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        // Named for this process: two builds at once each rename a whole file.
        let temporary = path.with_extension(format!("{}.partial", std::process::id()));
        std::fs::write(&temporary, bytes)?;
        crate::fault::pause("caches");
        std::fs::rename(&temporary, path)
    }
}

fn source_hash(body: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(body.as_bytes())
}

fn without_target(r: &Resolved) -> Option<Result<String, String>> {
    r.as_ref()
        .map(|r| r.as_ref().map(|(_, url)| url.clone()).map_err(Clone::clone))
}

/// A link resolver that remembers what it was asked and answered, for the
/// note's cache entry.
pub struct Recording<'a> {
    inner: &'a dyn LinkResolver,
    log: Mutex<Vec<(String, Resolved)>>,
}

impl<'a> Recording<'a> {
    pub fn new(inner: &'a dyn LinkResolver) -> Recording<'a> {
        Recording {
            inner,
            log: Mutex::default(),
        }
    }

    /// The cache entry of a note whose body `body` rendered to `r` with the
    /// links this resolver answered.
    pub fn entry(self, body: &str, r: &Rendered) -> Entry {
        let log = self.log.into_inner().unwrap_or_else(|e| e.into_inner());
        let links = r
            .links
            .iter()
            .map(|l| NoteLink {
                target: l.target.and_then(|t| {
                    log.iter()
                        .position(|(_, got)| matches!(got, Some(Ok((n, _))) if *n == t))
                }),
                ..l.clone()
            })
            .collect();
        Entry {
            source: source_hash(body),
            resolved: log
                .iter()
                .map(|(dest, got)| (dest.clone(), without_target(got)))
                .collect(),
            html_hash: r.html_hash,
            toc: r.toc.clone(),
            summary: r.summary.clone(),
            fallbacks: r.fallbacks.clone(),
            anchors: r.anchors.clone(),
            links,
            broken_links: r.broken_links.clone(),
            unclosed_fences: r.unclosed_fences.clone(),
            blocks: r.blocks.clone(),
            math_errors: r.math_errors.clone(),
        }
    }
}

impl LinkResolver for Recording<'_> {
    fn resolve(&self, dest: &str) -> Resolved {
        let got = self.inner.resolve(dest);
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((dest.to_string(), got.clone()));
        got
    }
}
