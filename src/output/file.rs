//! A file of the finished site, as the stages hand it to the writer:
//! rendered bytes, a static file to copy, or the last build's file kept.
//! It lives beside the writer so that the writer needs nothing of the
//! renderer (the renderer makes these; the writer only writes them).

use std::path::PathBuf;

/// A file of the finished site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output folder, `/`-separated.
    pub path: String,
    pub content: Content,
    /// A hash of everything a page was rendered from (its template context
    /// and the templates), so that the next build can keep the file the
    /// last one wrote instead of rendering it again.
    pub key: Option<u128>,
}

impl OutputFile {
    pub fn bytes(path: impl Into<String>, bytes: impl Into<std::sync::Arc<[u8]>>) -> OutputFile {
        OutputFile {
            path: path.into(),
            content: Content::Bytes(bytes.into()),
            key: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Shared, so that `serve` and the writer hold one copy of each page.
    Bytes(std::sync::Arc<[u8]>),
    /// A file copied as it is (from `static/`).
    Copy(PathBuf),
    /// The file the last build wrote (xxh3-128 and size), from the same
    /// inputs: not rendered again (`notes build` only, never `serve`).
    Kept { hash: u128, len: u64 },
}
