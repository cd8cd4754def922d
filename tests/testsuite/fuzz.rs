//! A short fuzz run in every test run: real notes, mutated the way AFL++
//! mutates them (bytes flipped, Markdown and YAML tokens inserted, ranges
//! deleted, repeated and spliced), through `notes::fuzz::one_input`. The
//! long, coverage-guided run is `fuzz/` (see its README). Deterministic: the
//! same inputs every run, so a failure can be replayed.

use crate::common::Rng;

use std::path::Path;
use std::time::{Duration, Instant};

/// Tokens that reach the parsers' corners.
const DICTIONARY: &[&str] = &[
    "---\n",
    "```",
    "~~~",
    "```python,linenos,linenostart=18446744073709551615,hl_lines=1-99999999999 3\n",
    "```console\n$ ",
    "|a|b|\n|-|-|\n",
    "[x](",
    "](@/",
    "](../",
    "<",
    "&#",
    "{{",
    "{%",
    "$$",
    "\\(",
    "# ",
    "###### ",
    " {#id}",
    "{: .c}",
    "* ",
    "1. ",
    "> ",
    "[^1]",
    "[^1]: ",
    "\t",
    "\r\n",
    "\u{feff}",
    "\u{202e}",
    "title: ",
    "date: 2025-13-45\n",
    "date: 9999-12-31 23:59:59 +2400\n",
    "lang: ",
    "slug: ",
    "translation_key: ",
    "translation_key: ../..\n",
    "tags: [",
    "- ",
    ": ",
    "\"",
    "'",
    "!!binary ",
    "&a ",
    "*a ",
    "<<: *a\n",
    "%YAML 1.2\n",
    "Traceback (most recent call last):\n",
    ">>> ",
    "    ",
    "\0",
    "\u{ffff}",
    "𝕏",
    "ا",
    "中文",
];

fn mutate(seed: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + 1 + rng.below(32)).min(data.len());
                let chunk = data[at..end].to_vec();
                for _ in 0..rng.below(60) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
            4 => {
                let cut = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[cut..]);
            }
            _ => {
                let line = DICTIONARY[rng.below(DICTIONARY.len())];
                let start = data[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                data.splice(start..start, format!("{line}\n").into_bytes());
            }
        }
    }
    data
}

/// The seeds: the repository's fixture notes, and the corpus's real notes
/// when it is there.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let mut add = |dir: &Path| {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|x| x == "md") {
                seeds.push(std::fs::read(entry.path()).unwrap());
            }
        }
    };
    add(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    let notes = crate::common::sites().join("notes");
    if notes.is_dir() {
        add(&notes);
    }
    seeds
}

#[test]
fn mutated_notes_never_panic_or_hang() {
    let seeds = seeds();
    assert!(!seeds.is_empty());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let mut runs = 0;
    for round in 0..3000 {
        let seed = &seeds[round % seeds.len()];
        let other = &seeds[rng.below(seeds.len())];
        let input = mutate(seed, other, &mut rng);
        let one = Instant::now();
        let result = std::panic::catch_unwind(|| notes::fuzz::one_input(&input));
        if result.is_err() {
            let path = std::env::temp_dir().join(format!("notes-fuzz-crash-{round}.md"));
            std::fs::write(&path, &input).unwrap();
            panic!("input {round} panicked; saved as {}", path.display());
        }
        assert!(
            one.elapsed() < Duration::from_secs(20),
            "input {round} took {:?}",
            one.elapsed()
        );
        runs += 1;
    }
    eprintln!("{runs} mutated notes in {:?}", started.elapsed());
}

/// `notes check` reports everything `notes build` fails on: over mutated
/// notes, a failed build always comes with a check error.
#[test]
fn check_finds_whatever_stops_the_build() {
    let seeds = seeds();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut failed_builds = 0;
    for round in 0..40 {
        let seed = &seeds[round % seeds.len()];
        let other = &seeds[rng.below(seeds.len())];
        let input = mutate(seed, other, &mut rng);
        let site = crate::common::TestSite::empty("");
        site.write(
            "content/2025-01-01-fine-en.md",
            "---\ntitle: Fine\n---\nBody.\n",
        );
        site.write(&format!("content/2025-06-12-m{round}-de.md"), &input);
        let build = site.run(&["--quiet"]);
        let check = std::process::Command::new(env!("CARGO_BIN_EXE_notes"))
            .args(["check", "--format", "json", "--root"])
            .arg(site.root())
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&check.stdout)
            .unwrap_or_else(|e| panic!("input {round}: check printed no JSON ({e})"));
        if !build.status.success() {
            failed_builds += 1;
            assert!(
                json["errors"].as_u64().unwrap() > 0,
                "input {round}: the build failed but check found nothing:\n{}",
                String::from_utf8_lossy(&build.stderr)
            );
        }
    }
    eprintln!("{failed_builds} of 40 mutated notes failed the build");
}

/// Inputs the long fuzz run once crashed on, kept so that they never do
/// again (`tests/fuzz-crashes/`).
#[test]
fn inputs_that_once_crashed_run_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashes");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let input = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| notes::fuzz::one_input(&input));
        assert!(result.is_ok(), "{} panics", path.display());
        seen += 1;
    }
    assert!(seen > 0);
}
