//! The fuzz target: one input, as the bytes of a note file, through every
//! stage that reads what a note's author wrote: front matter, the note's
//! identity and page path, Markdown with highlighting, and the search
//! tokenizer (for the page and for a query pasted into the box). Whatever
//! the input, it must come back as a value or an error, never a panic, a
//! hang or an allocation that takes the machine.
//!
//! Run by `fuzz/` (AFL++, through cargo-afl) for long runs, and by the
//! test suite for a short one on mutated corpus notes (`tests/testsuite/fuzz.rs`).

use std::path::Path;
use std::sync::OnceLock;

use crate::config::Config;
use crate::discover::SourceFile;
use crate::highlight::Highlighter;
use crate::markdown::{NoLinks, RenderOptions};

/// Runs `data` through the pipeline as a note of a two-language site, read
/// as CommonMark or (inputs of odd length) as kramdown.
pub fn one_input(data: &[u8]) {
    static SETUP: OnceLock<([Config; 2], Highlighter)> = OnceLock::new();
    let (configs, highlighter) = SETUP.get_or_init(|| {
        let site = |markdown: &str| {
            Config::from_str(
                Path::new("/nonexistent-fuzz-site"),
                &format!("{markdown}[languages.de]\nname = \"Deutsch\"\n"),
            )
            .expect("the fuzz site's config reads")
        };
        let configs = [site(""), site("[markdown]\nflavour = \"kramdown\"\n")];
        (configs, Highlighter::new())
    });
    let config = &configs[data.len() % 2];
    if data.len() as u64 > config.max_note_bytes {
        return;
    }
    // The file name is part of the input too: its first line, when short.
    let (name, bytes) = match data.iter().position(|&b| b == b'\n') {
        Some(i) if i < 200 => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        _ => ("2025-06-12-note-en".to_string(), data),
    };
    let rel = format!("{}.md", name.replace(['/', '\0'], "-"));
    let source = SourceFile {
        path: rel.clone().into(),
        rel,
    };
    let Ok(note) = crate::note::parse(&source, bytes, config) else {
        return;
    };
    let options = RenderOptions {
        highlighter,
        base_path: "/",
        links: &NoLinks,
        markdown: config.markdown,
    };
    let rendered = crate::markdown::render(&note.body, &options);
    let _ = crate::search::analyze(&note, &rendered);
    let _ = crate::search::query_terms(&note.body, &[]);
    for line in note.body.lines().take(200) {
        let _ = crate::search::tokenize::phrases(line);
        let _ = crate::search::tokenize::quoted_errors(line);
        let _ = crate::search::tokenize::split_template(line);
    }
    let _ = crate::site::Site::assemble(config.clone(), vec![note], &mut Vec::new());
}
