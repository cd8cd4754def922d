//! The `notes` command line: parses arguments, runs the library, prints
//! errors and sets the exit code.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use notes::{BuildOptions, Overrides, Progress};

/// A build makes and frees millions of small strings on every core;
/// glibc's allocator spent a seventh of a cold build on that. mimalloc
/// also takes C's `malloc` (oniguruma's, in highlighting), and leaves out
/// transparent huge pages: each first touch of one zeroes 2 MiB, and a
/// build's scattered allocations made that a third of a rebuild's time
/// (peak RSS 237 -> 203 MB at 1x).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "notes",
    version,
    about = "Build a static site from multilingual troubleshooting notes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum ImportFrom {
    /// A Jekyll blog: writes a book.toml that builds it where it is, every
    /// URL as Jekyll published it.
    Jekyll {
        /// The blog's folder (where _config.yml is).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Replace an existing book.toml.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default).
    Build {
        /// The site's folder: where book.toml, content/, templates/ and static/ are.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Write the site here instead of [build] build-dir.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override [output.html] site-url, e.g. https://user.github.io/notes/.
        #[arg(long)]
        site_url: Option<String>,
        /// Include drafts (`draft: true` and notes under _drafts/).
        #[arg(long)]
        drafts: bool,
        /// Print only errors.
        #[arg(long, short)]
        quiet: bool,
        /// Also warn about code blocks in languages without a grammar.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Build the site in memory and serve it with live reload.
    Serve {
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on (the next free one when it is taken; 0 lets the system choose).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on. Anything but loopback makes the preview reachable from other machines.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        /// Include drafts.
        #[arg(long)]
        drafts: bool,
        /// Also warn about code blocks in languages without a grammar.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Check notes, templates and translations without writing anything.
    Check {
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// `text` for people, `json` for tools (its shape is stable).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Include drafts.
        #[arg(long)]
        drafts: bool,
        /// Print what changed in the original of the note KEY's LANG
        /// translation since it was translated (a unified diff), and stop.
        #[arg(long, num_args = 2, value_names = ["KEY", "LANG"])]
        diff: Option<Vec<String>>,
    },
    /// Create a new site: book.toml, an example note and its translation,
    /// .gitignore and a GitHub Pages workflow.
    Init {
        /// The folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The site's languages, the default first.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "en,zh,ja,es,hi,fr,de,ar,hant"
        )]
        languages: Vec<String>,
        /// Also copy the built-in templates into templates/ to edit them.
        #[arg(long)]
        templates: bool,
        /// Add the site's files to a folder that is not empty (existing files are never replaced).
        #[arg(long)]
        force: bool,
    },
    /// Take over a site made with another generator, in place.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Write a new note, named and placed as the site's notes are.
    New {
        /// The note's title.
        title: String,
        /// The note's language (default: the site's default language).
        #[arg(long)]
        lang: Option<String>,
        /// Also write an empty translation (`translated: true`) in every other language.
        #[arg(long)]
        translations: bool,
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Build the site and commit it as the tip of a branch (gh-pages) of the
    /// site's git repository, without touching your working tree or index.
    Deploy {
        /// The branch to publish to.
        #[arg(long, default_value = "gh-pages")]
        branch: String,
        /// The remote to push to with --push.
        #[arg(long, default_value = "origin")]
        remote: String,
        /// Push the branch after committing.
        #[arg(long)]
        push: bool,
        /// The commit message (default: names the source commit).
        #[arg(long, short)]
        message: Option<String>,
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Override [output.html] site-url for this build.
        #[arg(long)]
        site_url: Option<String>,
    },
    /// Search the site's notes the way its search box does: does a note
    /// already cover this error?
    ///
    /// Exits 0 when a note matched and 1 when none did, so that a CI job
    /// can link a failing log to its fix:
    /// `notes search --site https://user.github.io/notes/ < build.log`.
    Search {
        /// The text to look for: a few words, an error line or a whole
        /// traceback; read from standard input when left out or `-`.
        text: Option<String>,
        /// Ask a deployed site (its home page's address) instead of the
        /// folder, fetching only what the query needs, as its search box does.
        #[arg(long, value_name = "URL")]
        site: Option<String>,
        /// Only notes in this language (a code of book.toml, e.g. `de`).
        #[arg(long)]
        lang: Option<String>,
        /// How many results to print.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include drafts.
        #[arg(long)]
        drafts: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            site_url,
            drafts,
            quiet,
            verbose,
        } => {
            let options = BuildOptions {
                root,
                overrides: Overrides {
                    output_dir: output,
                    site_url,
                },
                drafts,
                verbose,
            };
            build(&options, quiet)
        }
        Command::Serve {
            root,
            port,
            bind,
            open,
            drafts,
            verbose,
        } => {
            let options = notes::serve::ServeOptions {
                build: BuildOptions {
                    root,
                    drafts,
                    verbose,
                    ..BuildOptions::default()
                },
                bind,
                port,
                open,
            };
            match notes::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Init {
            dir,
            languages,
            templates,
            force,
        } => init(&notes::scaffold::InitOptions {
            dir,
            languages,
            templates,
            force,
            date: today(),
        }),
        Command::Import {
            from: ImportFrom::Jekyll { dir, force },
        } => import_jekyll(&notes::import::ImportOptions { dir, force }),
        Command::New {
            title,
            lang,
            translations,
            root,
        } => new_note(&notes::scaffold::NewOptions {
            root,
            title,
            lang,
            translations,
            date: today(),
        }),
        Command::Deploy {
            branch,
            remote,
            push,
            message,
            root,
            site_url,
        } => deploy(
            BuildOptions {
                root,
                overrides: Overrides {
                    output_dir: None,
                    site_url,
                },
                ..BuildOptions::default()
            },
            branch,
            remote,
            push,
            message,
        ),
        Command::Search {
            text,
            site,
            lang,
            limit,
            root,
            drafts,
        } => search(
            &BuildOptions {
                root,
                drafts,
                ..BuildOptions::default()
            },
            text.as_deref(),
            site.as_deref(),
            lang.as_deref(),
            limit,
        ),
        Command::Check {
            root,
            format,
            drafts,
            diff,
        } => {
            let options = BuildOptions {
                root,
                drafts,
                ..BuildOptions::default()
            };
            if let Some([key, lang]) = diff.as_deref() {
                return original_diff(&options, key, lang);
            }
            let report = notes::check::check(&options);
            match format {
                Format::Text => print!("{}", notes::check::to_text(&report)),
                Format::Json => match serde_json::to_string_pretty(&report) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("error: could not write the report: {e}");
                        return ExitCode::FAILURE;
                    }
                },
            }
            if report.errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

fn init(options: &notes::scaffold::InitOptions) -> ExitCode {
    match notes::scaffold::init(options) {
        Ok(created) => {
            for path in &created.written {
                println!("created {}", path.display());
            }
            for path in &created.kept {
                println!("kept    {} (it exists)", path.display());
            }
            println!(
                "next: cd {} && notes serve   (notes new \"Title\" writes a note)",
                options.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn new_note(options: &notes::scaffold::NewOptions) -> ExitCode {
    match notes::scaffold::new_note(options) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn deploy(
    options: BuildOptions,
    branch: String,
    remote: String,
    push: bool,
    message: Option<String>,
) -> ExitCode {
    if let Err(e) = notes::deploy::preflight(&options.root, &branch) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let report = match notes::build(&options, &notes::Quiet) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("error: the build failed; nothing was deployed");
            return ExitCode::FAILURE;
        }
    };
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let deploy = notes::deploy::DeployOptions {
        root: options.root.clone(),
        output: report.output_dir.clone(),
        branch: branch.clone(),
        remote,
        push,
        message,
    };
    match notes::deploy::deploy(&deploy) {
        Ok((deployed, pushed)) => {
            match deployed {
                notes::deploy::Deployed::Committed { commit, files } => println!(
                    "committed {} files of {} as {} on {branch}",
                    files,
                    report.output_dir.display(),
                    &commit[..commit.len().min(12)]
                ),
                notes::deploy::Deployed::Unchanged { commit } => println!(
                    "{branch} already holds this site ({}): nothing to commit",
                    &commit[..commit.len().min(12)]
                ),
            }
            if let Some(remote) = pushed {
                println!("pushed {branch} to {remote}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints ranked results (rank, title, language, URL with the matched
/// section's anchor, the section's heading, the matching error line, the
/// note's other languages), from the site's folder or from a deployed site.
fn search(
    options: &BuildOptions,
    text: Option<&str>,
    site: Option<&str>,
    lang: Option<&str>,
    limit: usize,
) -> ExitCode {
    let text = match text {
        Some(t) if t != "-" => t.to_string(),
        _ => {
            let mut read = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut read) {
                eprintln!("error: cannot read the query from standard input: {e}");
                return ExitCode::FAILURE;
            }
            read
        }
    };
    if text.trim().is_empty() {
        eprintln!("error: nothing to search for; give a text or pipe one in");
        return ExitCode::FAILURE;
    }
    let found = match site {
        Some(url) => search_site(url, &text, lang, limit),
        None => search_folder(options, &text, lang, limit),
    };
    match found {
        Ok(results) => print_results(&results),
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// `notes check --diff`: the summary for people on standard error, the
/// diff alone on standard output (for a pager or a patch tool).
fn original_diff(options: &BuildOptions, key: &str, lang: &str) -> ExitCode {
    match notes::check::diff(options, key, lang) {
        Ok(d) => {
            eprintln!("{}", d.summary);
            print!("{}", d.diff);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check_language(lang: Option<&str>, languages: &[String]) -> Result<(), String> {
    match lang {
        Some(l) if !languages.iter().any(|c| c == l) => Err(format!(
            "error: no language `{l}` in this site; its languages are: {}",
            languages.join(", ")
        )),
        _ => Ok(()),
    }
}

fn search_folder(
    options: &BuildOptions,
    text: &str,
    lang: Option<&str>,
    limit: usize,
) -> Result<Vec<notes::search::remote::Found>, String> {
    let (site, index) = notes::search::open(options).map_err(|e| e.to_string())?;
    check_language(lang, &index.languages)?;
    // Without `--lang`, a group is shown in the site's first language.
    let prefer = lang.or(index.languages.first().map(String::as_str));
    let hits = index.query(text, prefer, lang, limit);
    let terms = notes::search::query_terms(text, &index.common);
    let origin = &site.config.site_url.origin;
    Ok(hits
        .iter()
        .map(|h| notes::search::remote::Found::of(&index.docs, h, &terms, origin))
        .collect())
}

fn search_site(
    url: &str,
    text: &str,
    lang: Option<&str>,
    limit: usize,
) -> Result<Vec<notes::search::remote::Found>, String> {
    let site = notes::search::remote::Site::open(url).map_err(|e| format!("error: {e}"))?;
    check_language(lang, site.languages())?;
    let prefer = lang.or(site.languages().first().map(String::as_str));
    site.search(text, prefer, lang, limit)
        .map_err(|e| format!("error: {e}"))
}

/// Exit 0 when something matched, 1 when nothing did.
fn print_results(results: &[notes::search::remote::Found]) -> ExitCode {
    if results.is_empty() {
        println!("no note matches");
        return ExitCode::from(1);
    }
    for (rank, r) in results.iter().enumerate() {
        println!("{:>2}. {} [{}] {}", rank + 1, r.title, r.lang, r.url);
        if !r.excerpt.heading.is_empty() {
            println!("    § {}", r.excerpt.heading);
        }
        if !r.excerpt.text.is_empty() {
            println!("    {}", r.excerpt.text);
        }
        if !r.others.is_empty() {
            let others: Vec<&str> = r.others.iter().map(|(l, _)| l.as_str()).collect();
            println!("    also in: {}", others.join(" "));
        }
    }
    ExitCode::SUCCESS
}

fn build(options: &BuildOptions, quiet: bool) -> ExitCode {
    let bar = Bar::new(!quiet && std::io::stderr().is_terminal());
    match notes::build(options, &bar) {
        Ok(report) => {
            if !quiet {
                for w in &report.warnings {
                    eprintln!("warning: {w}");
                }
                println!(
                    "built {} into {} in {} in {:.2}s → {}",
                    plural(report.notes, "note"),
                    plural(report.pages, "page"),
                    plural(report.languages, "language"),
                    report.elapsed.as_secs_f64(),
                    report.output_dir.display()
                );
                if options.verbose {
                    let w = report.written;
                    println!(
                        "wrote {} files, left {} unchanged, removed {}; {} pages kept without rendering (inputs unchanged)",
                        w.written, w.unchanged, w.removed, report.kept
                    );
                    let h = report.highlight;
                    println!(
                        "took the Markdown of {} notes from the last build; highlighted {} code blocks, {} of them from the cache ({:.1}%)",
                        report.markdown_taken,
                        h.lookups,
                        h.hits,
                        100.0 * h.hits as f64 / h.lookups.max(1) as f64
                    );
                    for (stage, took) in &report.timings {
                        println!("{:>8.1} ms  {stage}", took.as_secs_f64() * 1000.0);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            bar.finish();
            let count = match &e {
                notes::Error::Input(list) => list.len(),
                _ => 1,
            };
            eprintln!("{e}");
            eprintln!(
                "error: the build failed with {count} problem{}; the previous output was left as it was",
                if count == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A progress bar on a terminal, for builds long enough to want one.
struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// Builds under this many notes finish before a bar would be read.
    const MIN_NOTES: usize = 2000;

    fn new(enabled: bool) -> Bar {
        Bar {
            bar: enabled.then(|| {
                let bar = ProgressBar::hidden();
                bar.set_style(
                    ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                bar
            }),
        }
    }
}

impl Progress for Bar {
    fn start(&self, stage: &'static str, total: usize) {
        if let Some(bar) = &self.bar {
            if total >= Self::MIN_NOTES {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_message(stage);
            bar.set_length(total as u64);
            bar.set_position(0);
        }
    }
    fn advance(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn import_jekyll(options: &notes::import::ImportOptions) -> ExitCode {
    match notes::import::jekyll(options) {
        Ok(done) => {
            println!("wrote {}", done.book_toml.display());
            for line in &done.not_carried {
                println!("not carried over: {line}");
            }
            println!(
                "next: notes build --root {} (the site goes to {}/), then notes check",
                options.dir.display(),
                done.output
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
