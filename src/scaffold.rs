//! New sites and new notes: `notes init` and `notes new`.
//!
//! Both only ever create files: `init` refuses a folder that holds
//! anything (unless `--force`, and even then leaves every existing file as
//! it is), and `new` refuses to replace a note.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config, Overrides};
use crate::error::Error;

/// What `notes init` should make.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    /// Language codes, the default first (at least one).
    pub languages: Vec<String>,
    /// Copy the built-in templates into `templates/` to edit them.
    pub templates: bool,
    /// Write into a folder that already holds files (never over them).
    pub force: bool,
    /// Date of the example note.
    pub date: jiff::civil::Date,
}

/// What `init` did, file by file.
#[derive(Debug, Default)]
pub struct Created {
    pub written: Vec<PathBuf>,
    /// Files that already existed and were left alone (`--force`).
    pub kept: Vec<PathBuf>,
}

/// Creates a new site in `options.dir`.
pub fn init(options: &InitOptions) -> Result<Created, Error> {
    let dir = &options.dir;
    if options.languages.is_empty() {
        return Err(Error::Output(
            "give at least one language, e.g. --languages en,zh".into(),
        ));
    }
    for code in &options.languages {
        if code.is_empty()
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::Output(format!(
                "`{code}` is not a language code: use codes like en, zh, hant, pt-br"
            )));
        }
    }
    if dir.exists() && !options.force && !is_empty(dir)? {
        return Err(Error::Output(format!(
            "{} is not empty: choose a new folder, or add --force to add the site's files to it (existing files are never replaced)",
            dir.display()
        )));
    }
    let mut files: BTreeMap<PathBuf, String> = BTreeMap::new();
    let title = dir
        .canonicalize()
        .ok()
        .or_else(|| std::path::absolute(dir).ok())
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty() && n != ".")
        .unwrap_or_else(|| "Notes".into());
    files.insert(CONFIG_FILE.into(), book_toml(&title, &options.languages));
    files.insert(".gitignore".into(), "/public/\n/.notes-cache/\n".into());
    files.insert(".github/workflows/pages.yml".into(), WORKFLOW.into());
    let default = &options.languages[0];
    let date = options.date;
    files.insert(
        format!("content/_posts/{default}/{date}-hello-{default}.md").into(),
        example_note(default, false),
    );
    if let Some(second) = options.languages.get(1) {
        files.insert(
            format!("content/_posts/{second}/{date}-hello-{second}.md").into(),
            example_note(second, true),
        );
    }
    if options.templates {
        for (name, text) in crate::theme::BUILTIN_TEMPLATES {
            files.insert(Path::new("templates").join(name), text.to_string());
        }
    }
    let mut created = Created::default();
    for (rel, text) in files {
        let path = dir.join(&rel);
        if path.exists() {
            created.kept.push(path);
            continue;
        }
        write_new(&path, &text)?;
        created.written.push(path);
    }
    Ok(created)
}

/// A folder is empty when it holds nothing but a `.git` (a new repository).
fn is_empty(dir: &Path) -> Result<bool, Error> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, "read the folder", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, "read the folder", e))?;
        if entry.file_name() != ".git" {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Creates `path` (and its folders) with `text`; never replaces a file.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", e))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, "create", e))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(path, "write", e))
}

fn book_toml(title: &str, languages: &[String]) -> String {
    let title = toml_string(title);
    let mut text = format!(
        r#"# The site's settings, with mdBook's key names where they fit (the notes
# README, "Configuration: book.toml", lists them all).

[book]
title = {title}
description = "How things were fixed: error messages, their causes and the commands that fixed them."
language = "{default}"
src = "content"

[build]
build-dir = "public"

[output.html]
# The address the site is published at. The GitHub Pages workflow passes
# the right one with --site-url; a custom domain goes here with `cname`.
site-url = "/"
paginate-by = 20

# One table per language, the default first. `name` (the language's own
# name), `title` and `description` can be set per language.
"#,
        default = languages[0]
    );
    for code in languages {
        text.push_str(&format!("[languages.{code}]\n"));
    }
    text
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn example_note(lang: &str, translated: bool) -> String {
    let body = if translated {
        "This is the translation of the example note. Its front matter says\n`translated: true`, so it links back to the original.\n"
    } else {
        "Notes are Markdown with front matter. Write the error first, as a reader\nwould paste it into a search engine:\n\n```\nModuleNotFoundError: No module named '_cffi_backend'\n```\n\nthen its cause, then the commands that fixed it:\n\n```bash\npip install --force-reinstall cffi\n```\n\nCreate a note with `notes new \"Title\"`, preview with `notes serve`.\n"
    };
    format!(
        "{}\n{body}",
        front_matter(lang, "Hello from notes", translated)
    )
}

/// Front matter in the corpus's style: its keys in alphabetical order.
fn front_matter(lang: &str, title: &str, translated: bool) -> String {
    format!(
        "---\naudio: false\ngenerated: false\nlang: {lang}\nlayout: post\ntitle: {}\ntranslated: {translated}\n---",
        crate::frontmatter::yaml_string(title)
    )
}

/// What `notes new` should write.
#[derive(Debug, Clone)]
pub struct NewOptions {
    pub root: PathBuf,
    pub title: String,
    /// The note's language; the site's default when `None`.
    pub lang: Option<String>,
    /// Also write a stub for every other configured language.
    pub translations: bool,
    pub date: jiff::civil::Date,
}

/// Writes a new note (and stubs for its translations); returns the paths.
pub fn new_note(options: &NewOptions) -> Result<Vec<PathBuf>, Error> {
    let title = options.title.trim();
    if title.is_empty() || title.contains(['\n', '\r']) {
        return Err(Error::Output(
            "give the note a title on one line, e.g. notes new \"pip: externally-managed-environment\"".into(),
        ));
    }
    let (config, _) = Config::load(&options.root, &Overrides::default())?;
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    let lang = options
        .lang
        .clone()
        .unwrap_or_else(|| config.default_language.clone());
    if !codes.contains(&lang.as_str()) {
        return Err(Error::Output(format!(
            "no language `{lang}` in {}: its languages are {}; add [languages.{lang}] to write in it",
            config.root.join(CONFIG_FILE).display(),
            codes.join(", ")
        )));
    }
    let slug = slug::slugify(title);
    let slug = if slug.is_empty() {
        "note".to_string()
    } else {
        slug
    };
    let layout = Layout::detect(&config)?;
    let mut paths = Vec::new();
    let mut notes = vec![(lang.clone(), false)];
    if options.translations {
        notes.extend(
            codes
                .iter()
                .filter(|c| **c != lang)
                .map(|c| (c.to_string(), true)),
        );
    }
    for (code, _) in &notes {
        let path = config
            .content_dir
            .join(layout.path(code, &options.date.to_string(), &slug));
        if path.exists() {
            return Err(Error::Output(format!(
                "{} already exists: choose another title, or edit that note",
                path.display()
            )));
        }
        paths.push(path);
    }
    for ((code, stub), path) in notes.iter().zip(&paths) {
        let body = if *stub {
            String::new()
        } else {
            "\nWhat happened: the error as it appeared.\n\n```\n```\n\nWhy, and the commands that fixed it.\n".to_string()
        };
        write_new(
            path,
            &format!("{}\n{body}", front_matter(code, title, *stub)),
        )?;
    }
    Ok(paths)
}

/// Where a site keeps its notes, read off the notes it has: the folder
/// (with the language in it or not) and whether file names end in the
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    /// Folder under the content folder, `{lang}` where the language goes.
    folder: String,
    lang_suffix: bool,
}

impl Layout {
    /// The most common layout among the site's notes; `_posts/{lang}/` and
    /// suffixed names (the corpus's) for a site without notes.
    fn detect(config: &Config) -> Result<Layout, Error> {
        let sources = crate::discover::discover(config, true)?;
        let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        let mut counts: BTreeMap<(String, bool), usize> = BTreeMap::new();
        for s in &sources {
            let (folder, name) = s.rel.rsplit_once('/').unwrap_or(("", s.rel.as_str()));
            let stem = name.trim_end_matches(".md");
            let suffix = codes.iter().find(|c| stem.ends_with(&format!("-{c}")));
            let folder = folder
                .split('/')
                .map(|part| {
                    if codes.contains(&part) {
                        "{lang}"
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            *counts.entry((folder, suffix.is_some())).or_default() += 1;
        }
        let best = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|((folder, lang_suffix), _)| Layout {
                folder,
                lang_suffix,
            });
        Ok(best.unwrap_or(Layout {
            folder: "_posts/{lang}".into(),
            lang_suffix: true,
        }))
    }

    fn path(&self, lang: &str, date: &str, slug: &str) -> PathBuf {
        let folder = self.folder.replace("{lang}", lang);
        let name = if self.lang_suffix {
            format!("{date}-{slug}-{lang}.md")
        } else {
            format!("{date}-{slug}.md")
        };
        Path::new(&folder).join(name)
    }
}

/// The GitHub Actions workflow of a new site: build on every push to the
/// default branch with the Pages address as site-url, publish the output.
const WORKFLOW: &str = r#"# Publishes the site to GitHub Pages on every push to the default branch.
# In the repository's Settings → Pages, choose "GitHub Actions" as the source.
name: Pages
on:
  push:
    branches: [main, master]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: true
env:
  NOTES_VERSION: "0.1.0"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # history tells which translations are stale
      - id: pages
        uses: actions/configure-pages@v5
      - uses: actions/cache@v4
        with:
          path: |
            ~/.cargo/bin/notes
            .notes-cache
          key: notes-${{ env.NOTES_VERSION }}-${{ github.sha }}
          restore-keys: notes-${{ env.NOTES_VERSION }}-
      - name: Install notes
        run: command -v notes || cargo install --locked notes --version "$NOTES_VERSION"
      - name: Build
        run: notes build --site-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_follows_the_notes_a_site_has() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::write(root.join(CONFIG_FILE), "[languages.en]\n[languages.de]\n").unwrap();
        let config = |root: &Path| Config::load(root, &Overrides::default()).unwrap().0;
        fs::create_dir_all(root.join("content")).unwrap();
        assert_eq!(
            Layout::detect(&config(root)).unwrap(),
            Layout {
                folder: "_posts/{lang}".into(),
                lang_suffix: true
            }
        );
        for rel in [
            "notes/en/2025-01-01-a.md",
            "notes/de/2025-01-01-a.md",
            "old/2020-01-01-b-en.md",
        ] {
            let path = root.join("content").join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "---\ntitle: x\n---\n").unwrap();
        }
        let layout = Layout::detect(&config(root)).unwrap();
        assert_eq!(
            layout,
            Layout {
                folder: "notes/{lang}".into(),
                lang_suffix: false
            }
        );
        assert_eq!(
            layout.path("de", "2025-02-03", "x"),
            Path::new("notes/de/2025-02-03-x.md")
        );
    }

    #[test]
    fn book_toml_of_a_new_site_loads() {
        let text = book_toml("My \"notes\"", &["de".into(), "en".into(), "hant".into()]);
        let config = Config::from_str(Path::new("s"), &text).unwrap();
        assert_eq!(config.title, "My \"notes\"");
        assert_eq!(config.default_language, "de");
        let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["de", "en", "hant"]);
    }
}
