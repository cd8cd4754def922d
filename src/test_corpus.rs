//! Where the unit tests find real notes: the small fixtures in the
//! repository (`tests/sites/`) always, and the whole shared corpus
//! (`../shared/corpus`, with 15,348 tldr pages) when it is beside the
//! repository. Without it the corpus-wide figures are not asserted, and
//! the reason is printed; `NOTES_REQUIRE_CORPUS` (set by `.ci/run`) makes
//! a missing corpus a failure instead.

use std::path::{Path, PathBuf};

/// The folders to read notes from, and whether the whole corpus is among
/// them (the thresholds that only it reaches apply then).
pub fn roots(test: &str) -> (Vec<PathBuf>, bool) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = repo.join("../shared/corpus");
    if corpus.join("tldr").is_dir() {
        // The corpus holds the fixtures' originals: reading both would
        // count each fixture twice.
        return (vec![corpus], true);
    }
    assert!(
        std::env::var_os("NOTES_REQUIRE_CORPUS").is_none(),
        "{test}: NOTES_REQUIRE_CORPUS is set but {} is missing",
        corpus.display()
    );
    eprintln!(
        "{test}: {} is not there; reading tests/sites only, without the corpus-wide figures",
        corpus.display()
    );
    (vec![repo.join("tests/sites")], false)
}
