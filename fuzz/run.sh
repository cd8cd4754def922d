#!/usr/bin/env bash
# Fuzzes notes for $1 seconds (default 600) with AFL++, seeded with the
# repository's notes and the corpus's (../../shared/corpus), and prints
# what AFL++ found. Needs `cargo install cargo-afl`.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
seeds="$(mktemp -d)"
find ../content ../../shared/corpus/notes ../../shared/corpus/jekyll/site -name '*.md' 2>/dev/null \
    | while read -r f; do cp "$f" "$seeds/$(basename "$f" | tr -c 'A-Za-z0-9.\n-' _)"; done
cargo afl build --release
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
cargo afl fuzz -V "$seconds" -t 5000 -m none -i "$seeds" -o out target/release/notes-fuzz >/dev/null || true
grep -E "execs_done|execs_per_sec|saved_crashes|saved_hangs|corpus_count|run_time" out/default/fuzzer_stats
