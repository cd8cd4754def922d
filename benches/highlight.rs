//! Highlighting throughput on the real corpus: every fenced code block of
//! ../shared/corpus (notes and tldr), highlighted by a cold highlighter
//! (no cache: every block does the work) and by the build's cached one.
//!
//! Run: `cargo bench --bench highlight`. Prints MB/s of code and the cache
//! hit rate; nothing is asserted.

use std::path::Path;
use std::time::Instant;

use notes::highlight::Highlighter;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

fn blocks(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("corpus readable");
        if entry.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("corpus is UTF-8");
        let mut current: Option<(String, String)> = None;
        for event in Parser::new(&text) {
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let info = match kind {
                        CodeBlockKind::Fenced(i) => i.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    current = Some((info, String::new()));
                }
                Event::Text(t) => {
                    if let Some((_, code)) = &mut current {
                        code.push_str(&t);
                    }
                }
                Event::End(TagEnd::CodeBlock) => out.extend(current.take()),
                _ => {}
            }
        }
    }
    out
}

fn run(name: &str, h: &Highlighter, blocks: &[(String, String)]) {
    let bytes: usize = blocks.iter().map(|(_, c)| c.len()).sum();
    let started = Instant::now();
    for (info, code) in blocks {
        std::hint::black_box(h.block(info, code));
    }
    let secs = started.elapsed().as_secs_f64();
    let stats = h.stats();
    println!(
        "{name:>10}: {} blocks, {:.2} MB in {:.3} s = {:.1} MB/s; cache hits {}/{} ({:.1}%)",
        blocks.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs,
        stats.hits,
        stats.lookups,
        100.0 * stats.hits as f64 / stats.lookups.max(1) as f64
    );
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let blocks = blocks(&corpus);
    // Load the grammars outside the timings.
    Highlighter::without_cache().block("bash", "true\n");
    run("no cache", &Highlighter::without_cache(), &blocks);
    run("cache", &Highlighter::new(), &blocks);
}
