#!/usr/bin/env python3
"""notes vs Hugo on the tldr corpus (../shared/corpus/tldr), at 1x, 2x and 4x.

Makes the test sites in a temporary folder (never in ../shared), times cold
builds of both generators alternately with /usr/bin/time, and writes the
results to BENCHMARKS.md. Numbers are measured, never asserted.

    cargo build --release && apt-get install -y hugo
    python3 bench/compare.py [--scales 1,2,4] [--runs 3] [--out BENCHMARKS.md]

Copies 2x and 4x get distinct slugs and distinct code (a comment naming the
copy is added to every code block), so no copy shares a code block with
another and the highlight cache gains nothing from the copying.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = (REPO / ".." / "shared" / "corpus" / "tldr" / "_posts").resolve()
NOTES = REPO / "target" / "release" / "notes"
LANGS = ["en", "zh", "ja", "es", "hi", "fr", "de", "ar", "hant"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


def split_note(text):
    """Front matter dict (only the keys we need) and body."""
    _, fm, body = text.split("---\n", 2)
    title = re.search(r"^title: '(.*)'$", fm, re.M).group(1).replace("''", "'")
    return title, body


def copies(scale):
    """(copy number, source path, key, lang) for every note of the scaled corpus."""
    for lang_dir in sorted(CORPUS.iterdir()):
        for f in sorted(lang_dir.iterdir()):
            key, lang = f.stem.rsplit("-", 1)
            for k in range(scale):
                yield k, f, key if k == 0 else f"{key}-c{k}", lang


def hugo_literal(body):
    """tldr writes `{{<ArrowLeft>}}` and `{{%nn%wx%h}}`, which Hugo reads as
    shortcodes and fails on: a space after the braces (`{{ <`) keeps Hugo
    from reading them (one character of difference in a few hundred pages)."""
    return body.replace("{{<", "{{ <").replace("{{%", "{{ %")


def distinct_code(body, k):
    if k == 0:
        return body
    return FENCE.sub(lambda m: f"```{m.group(1)}\n{m.group(2)}# copy {k}\n```", body)


def make_sites(work, scale):
    notes_site = work / f"notes-{scale}x"
    hugo_site = work / f"hugo-{scale}x"
    # Left by an earlier run with the same --work: moved to the trash,
    # deleted before the timed runs (see bench_scale).
    (work / "trash").mkdir(exist_ok=True)
    for d in (notes_site, hugo_site, work / f"out-notes-{scale}x", work / f"out-hugo-{scale}x"):
        if d.exists():
            d.rename(work / "trash" / f"old-{d.name}-{time.monotonic_ns()}")
    languages = "".join(f"[languages.{l}]\n" for l in LANGS)
    (notes_site / "content").mkdir(parents=True)
    (notes_site / "book.toml").write_text(f"[book]\ntitle = \"tldr\"\n\n[output.html]\nsite-url = \"https://example.org/\"\n\n{languages}")
    hugo_langs = "".join(
        f"[languages.{l}]\n  contentDir = \"content/{l}\"\n  languageCode = \"{'zh-Hant' if l == 'hant' else l}\"\n  weight = {i + 1}\n"
        for i, l in enumerate(LANGS))
    (hugo_site / "layouts" / "_default").mkdir(parents=True)
    (hugo_site / "hugo.toml").write_text(
        "baseURL = \"https://example.org/\"\ntitle = \"tldr\"\ndefaultContentLanguage = \"en\"\n"
        "disableKinds = [\"taxonomy\", \"term\", \"section\"]\n"
        "paginate = 20\n"
        "[markup.highlight]\n  codeFences = true\n  noClasses = false\n"
        f"{hugo_langs}")
    (hugo_site / "layouts" / "_default" / "single.html").write_text(
        "<!DOCTYPE html><html lang=\"{{ .Lang }}\"><head><title>{{ .Title }}</title>"
        "{{ range .AllTranslations }}<link rel=\"alternate\" hreflang=\"{{ .Lang }}\" href=\"{{ .Permalink }}\">{{ end }}"
        "</head><body><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2006-01-02\" }}</time>"
        "<nav>{{ range .Translations }}<a href=\"{{ .RelPermalink }}\">{{ .Lang }}</a>{{ end }}</nav>"
        "{{ .Content }}</body></html>\n")
    (hugo_site / "layouts" / "index.html").write_text(
        "<!DOCTYPE html><html lang=\"{{ .Lang }}\"><head><title>{{ .Site.Title }}</title></head><body><ol>"
        "{{ range (.Paginate .Site.RegularPages).Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Date.Format \"2006-01-02\" }}</li>{{ end }}"
        "</ol></body></html>\n")
    (hugo_site / "layouts" / "404.html").write_text("<!DOCTYPE html><title>Not found</title><h1>Not found</h1>\n")
    count = 0
    for k, src, key, lang in copies(scale):
        text = src.read_text(encoding="utf-8")
        title, body = split_note(text)
        body = distinct_code(body, k)
        title = title if k == 0 else f"{title} ({k})"
        quoted = title.replace("'", "''")
        n = notes_site / "content" / "_posts" / lang / f"{key}-{lang}.md"
        n.parent.mkdir(parents=True, exist_ok=True)
        n.write_text(f"---\nlang: {lang}\ntitle: '{quoted}'\ntranslated: {'false' if lang == 'en' else 'true'}\n---\n{body}", encoding="utf-8")
        date = key[:10]
        slug = key[11:]
        h = hugo_site / "content" / lang / f"{slug}.md"
        h.parent.mkdir(parents=True, exist_ok=True)
        h.write_text(f"---\ntitle: '{quoted}'\ndate: {date}\ntranslationKey: \"{key}\"\n---\n{hugo_literal(body)}", encoding="utf-8")
        count += 1
    # The same notes without the search index (which Hugo does not build):
    # `[output.html.search] enable = false`, content shared.
    bare = work / f"notes-{scale}x-nosearch"
    if bare.exists():
        bare.rename(work / "trash" / f"old-{bare.name}-{time.monotonic_ns()}")
    bare.mkdir()
    (bare / "book.toml").write_text(
        f"[book]\ntitle = \"tldr\"\nsrc = \"{(notes_site / 'content').resolve()}\"\n\n"
        f"[output.html]\nsite-url = \"https://example.org/\"\n\n[output.html.search]\nenable = false\n\n{languages}")
    return notes_site, hugo_site, count


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall s, cpu s, max RSS KiB)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *cmd], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{out.stderr[-3000:]}")
    wall, user, sys_, rss = out.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(rss)


def html_files(folder):
    return sum(1 for p in Path(folder).rglob("*.html"))


def bench_scale(work, scale, runs):
    notes_site, hugo_site, count = make_sites(work, scale)
    notes_out, hugo_out = work / f"out-notes-{scale}x", work / f"out-hugo-{scale}x"
    notes_cmd = [NOTES, "build", "--quiet", "--root", notes_site, "--output", notes_out]
    hugo_cmd = ["hugo", "--quiet", "--source", hugo_site, "--destination", hugo_out]
    bare_site, bare_out = work / f"notes-{scale}x-nosearch", work / f"out-bare-{scale}x"
    bare_cmd = [NOTES, "build", "--quiet", "--root", bare_site, "--output", bare_out]
    results = {"notes": [], "hugo": [], "bare": []}
    rebuild = []
    # On ext4 without a journal (this machine's disk) the kernel skips
    # inodes freed in the last minute when it creates files (in the last
    # six when their inode table block has been written to since, which
    # creating files does), so a build within minutes of deleting 30,000
    # files pays for scanning past them: 2-3x the wall time, all in the
    # kernel. Nothing is deleted until every timed run is done: old
    # outputs are moved into the trash, emptied at the very end.
    trash = work / "trash"
    trash.mkdir(exist_ok=True)
    # Nothing the generators wrote before may still be in flight.
    os.sync()
    for run in range(runs):
        for name, cmd, out in (("notes", notes_cmd, notes_out), ("hugo", hugo_cmd, hugo_out),
                               ("bare", bare_cmd, bare_out)):
            # Cold: no output, and no caches of any generator.
            if out.exists():
                out.rename(trash / f"{name}-{scale}x-{run}-{time.monotonic_ns()}")
            shutil.rmtree(hugo_site / "resources", ignore_errors=True)
            shutil.rmtree(notes_site / ".notes-cache", ignore_errors=True)
            shutil.rmtree(bare_site / ".notes-cache", ignore_errors=True)
            os.sync()
            results[name].append(timed(cmd))
            if name == "notes":
                # A second build with nothing changed, right after the
                # first (as a user runs it), its writes no longer in flight.
                os.sync()
                rebuild.append(timed(notes_cmd))
    pages = {"notes": html_files(notes_out), "hugo": html_files(hugo_out), "bare": html_files(bare_out)}
    return count, results, rebuild, pages


def clear(folder):
    """Deletes the trash. A next run of this script should wait some
    minutes (see bench_scale) or use another --work folder."""
    shutil.rmtree(folder, ignore_errors=True)


def startup(work, runs):
    """Wall seconds of `notes build` on a one-note site (perf_counter: finer
    than /usr/bin/time's 10 ms)."""
    site = work / "one-note"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content").mkdir(parents=True)
    (site / "content" / "2025-06-12-cffi.md").write_text("---\ntitle: cffi\n---\n```bash\npip install cffi\n```\n\n```python\nimport cffi\n```\n")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([NOTES, "build", "--quiet", "--root", site], check=True)
        times.append(time.perf_counter() - started)
    return times


def median(xs):
    return statistics.median(xs)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", default="1,2,4")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    p.add_argument("--work", default=None, help="folder for the test sites (default: a temporary one)")
    args = p.parse_args()
    if not NOTES.exists():
        sys.exit("build notes first: cargo build --release")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="notes-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows, rebuild_rows, growth = [], [], {}
    for scale in [int(s) for s in args.scales.split(",")]:
        count, results, rebuild, pages = bench_scale(work, scale, args.runs)
        n, h = results["notes"], results["hugo"]
        nw, hw = median([r[0] for r in n]), median([r[0] for r in h])
        nc, hc = median([r[1] for r in n]), median([r[1] for r in h])
        nr, hr = max(r[2] for r in n), max(r[2] for r in h)
        rows.append(f"| {scale}x | {count:,} | notes | {nw:.2f} | {nc:.2f} | {nr / 1024:.0f} | {pages['notes']:,} | {pages['notes'] / nw:,.0f} | **{nw / hw:.2f}** |")
        rows.append(f"| {scale}x | {count:,} | Hugo | {hw:.2f} | {hc:.2f} | {hr / 1024:.0f} | {pages['hugo']:,} | {pages['hugo'] / hw:,.0f} | 1.00 |")
        b = results["bare"]
        bw, bc, br = median([r[0] for r in b]), median([r[1] for r in b]), max(r[2] for r in b)
        rows.append(f"| {scale}x | {count:,} | notes, search off | {bw:.2f} | {bc:.2f} | {br / 1024:.0f} | {pages['bare']:,} | {pages['bare'] / bw:,.0f} | **{bw / hw:.2f}** |")
        rw = median([r[0] for r in rebuild])
        rebuild_rows.append(f"| {scale}x | {nw:.2f} | {rw:.2f} | {rw / nw:.2f} |")
        growth[scale] = (nw / count, hw / count, bw / count)
        print(*rows[-3:], sep="\n", flush=True)
    one = startup(work, 10)
    hugo_version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip()
    notes_version = subprocess.run([NOTES, "--version"], capture_output=True, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB,"
        f" {notes_version} ({rustc}), {hugo_version}.",
        "",
        "Command: `cargo build --release && python3 bench/compare.py"
        f" --scales {args.scales} --runs {args.runs}`. Cold full builds (no output folder and no cache; old outputs are moved aside and deleted after the timed runs),"
        " notes and Hugo alternating, median wall and CPU time, peak RSS of the worst run. Sites made from"
        " ../shared/corpus/tldr (15,348 pages in 9 languages); 2x and 4x copies have distinct slugs and code."
        " Both highlight every code block (Hugo: Chroma with classes). notes also builds its search index"
        " (about 3,000 more files at 1x), which Hugo has no counterpart for: the third row of each scale is"
        " notes with `[output.html.search] enable = false`, the like-for-like comparison.",
        "",
        "| scale | notes in | generator | wall s | CPU s | peak RSS MiB | HTML files | files/s | wall vs Hugo |",
        "|---|--:|---|--:|--:|--:|--:|--:|--:|",
        *rows,
        "",
        "Rebuild with nothing changed (`notes build` again over its own output, right after each cold notes build, with the"
        " Markdown and highlighting caches it saved in `.notes-cache/`; unchanged files are not rewritten):",
        "",
        "| scale | cold s | rebuild s | ratio |",
        "|---|--:|--:|--:|",
        *rebuild_rows,
        "",
        f"Startup, a one-note site with two code blocks: median {median(one) * 1000:.1f} ms over 10 runs.",
        "",
    ]
    if 1 in growth and 4 in growth:
        lines.append(
            f"Growth: wall time per note at 4x is {growth[4][0] / growth[1][0]:.2f}x the time per note at 1x"
            f" for notes ({growth[4][2] / growth[1][2]:.2f}x with search off), {growth[4][1] / growth[1][1]:.2f}x for Hugo.")
        lines.append("")
    text = "\n".join(lines)
    write_section(Path(args.out), text)
    print(text, flush=True)
    # Last: deleting the old outputs slows creating files for minutes.
    clear(work / "trash")


START, END = "<!-- compare.py: start -->", "<!-- compare.py: end -->"


def write_section(path, text):
    """Replaces the script's section of BENCHMARKS.md, keeping the rest (the
    serve and highlighting benchmarks, notes written by hand)."""
    body = text.split("\n", 2)[2] if text.startswith("# Benchmarks") else text
    section = f"{START}\n{body.strip()}\n{END}"
    old = path.read_text() if path.exists() else "# Benchmarks\n\n"
    if START in old and END in old:
        new = old[: old.index(START)] + section + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(new)


if __name__ == "__main__":
    main()
