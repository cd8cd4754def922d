//! `notes import jekyll`: takes over a Jekyll blog where it is. Reads its
//! `_config.yml` and its tree and writes a commented book.toml that builds
//! the blog in place, every URL as Jekyll published it: posts, pages and
//! collections each with their permalink, the same note in several folders
//! as one page and redirects, and every other file copied as Jekyll copies
//! it. Nothing of the blog is changed; the output goes to a new folder.
//! What cannot be carried over (Liquid layouts, plugins without a
//! counterpart, Sass) is said, one line each, with what to do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::config::CONFIG_FILE;
use crate::error::{Error, Location};

/// What `notes import jekyll` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The Jekyll site's folder (where `_config.yml` is).
    pub dir: PathBuf,
    /// Replace an existing book.toml.
    pub force: bool,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Imported {
    pub book_toml: PathBuf,
    /// The output folder the new book.toml names.
    pub output: String,
    /// What could not be carried over, and what to do: one line each.
    pub not_carried: Vec<String>,
}

/// Jekyll's built-in permalink styles.
fn style(name: &str) -> Option<&'static str> {
    Some(match name {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        _ => return None,
    })
}

/// The languages notes knows by name, for `[languages.x]`.
const NAMES: &[(&str, &str)] = &[
    ("en", "English"),
    ("zh", "中文"),
    ("ja", "日本語"),
    ("es", "Español"),
    ("hi", "हिन्दी"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
    ("hant", "繁體中文"),
    ("ko", "한국어"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("it", "Italiano"),
];

/// Reads the Jekyll site at `options.dir` and writes its book.toml.
pub fn jekyll(options: &ImportOptions) -> Result<Imported, Error> {
    let dir = &options.dir;
    let config_path = dir.join("_config.yml");
    let text = std::fs::read_to_string(&config_path).map_err(|e| {
        Error::one(
            Location::file(&config_path),
            format!("could not read the Jekyll configuration ({e}): run `notes import jekyll` in the blog's folder, or give that folder"),
        )
    })?;
    let config: Value = serde_yaml::from_str(&text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        Error::one(
            Location::new(&config_path, line, column),
            format!("_config.yml does not read as YAML: {e}"),
        )
    })?;
    let book = dir.join(CONFIG_FILE);
    if book.exists() && !options.force {
        return Err(Error::one(
            Location::file(&book),
            "book.toml exists: notes import does not replace it; move it away, or run `notes import jekyll --force` to write a new one",
        ));
    }
    let plan = Plan::read(dir, &config)?;
    std::fs::write(&book, plan.book_toml()).map_err(|e| Error::io(&book, "write", e))?;
    Ok(Imported {
        book_toml: book,
        output: plan.output.clone(),
        not_carried: plan.not_carried,
    })
}

/// What the Jekyll site is, in notes' terms.
struct Plan {
    title: String,
    description: String,
    authors: Vec<String>,
    site_url: String,
    default_language: String,
    languages: Vec<String>,
    exclude: Vec<String>,
    prefer: Vec<String>,
    /// (folder, permalink, kind), in the order they are tried.
    rules: Vec<(String, String, &'static str)>,
    output: String,
    paginate: Option<u64>,
    /// Where jekyll-feed wrote the feed, when the blog used it.
    feed: Option<String>,
    /// The notes are kramdown (Jekyll's default Markdown).
    kramdown: bool,
    not_carried: Vec<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn list(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

impl Plan {
    fn read(dir: &Path, config: &Value) -> Result<Plan, Error> {
        let mut not_carried = Vec::new();
        let author = match config.get("author") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(a @ Value::Mapping(_)) => text(a, "name").into_iter().collect(),
            _ => Vec::new(),
        };
        let url = text(config, "url").unwrap_or_default();
        let baseurl = text(config, "baseurl").unwrap_or_default();
        let site_url = format!(
            "{}{}/",
            url.trim_end_matches('/'),
            baseurl.trim_end_matches('/')
        );
        let site_url = if site_url.starts_with("http") || site_url.starts_with('/') {
            site_url
        } else {
            format!("/{site_url}")
        };
        let global = text(config, "permalink").unwrap_or_else(|| "date".into());
        let global = style(&global).map_or(global.clone(), str::to_string);
        let global = if global.starts_with('/') {
            global
        } else {
            format!("/{global}")
        };

        // Collections: published ones get their folder and pattern; the
        // others are left out.
        let mut rules = vec![("_posts".to_string(), global.clone(), "post")];
        let mut published = BTreeSet::from(["_posts".to_string()]);
        if let Some(Value::Mapping(collections)) = config.get("collections") {
            for (name, settings) in collections {
                let Some(name) = name.as_str() else { continue };
                let output = settings
                    .get("output")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !output {
                    continue;
                }
                let pattern = text(settings, "permalink")
                    .unwrap_or_else(|| "/:collection/:path:output_ext".into())
                    .replace(":collection", name);
                rules.push((format!("_{name}"), pattern, "collection"));
                published.insert(format!("_{name}"));
            }
        }
        // Pages: every other `.md` outside `_` folders. Jekyll gives them
        // `/:path/:basename:output_ext`; with a custom site permalink that
        // ends in `/`, a trailing slash.
        let page = if global.ends_with('/') {
            "/:path/:basename/"
        } else {
            "/:path/:basename"
        };
        rules.push((String::new(), page.to_string(), "page"));

        let mut exclude: Vec<String> = Vec::new();
        for e in list(config, "exclude") {
            let e = e.trim_matches('/').to_string();
            if e.contains('*') {
                exclude.push(e);
            } else {
                exclude.push(e.clone());
                exclude.push(format!("{e}/**"));
            }
        }
        for always in ["_site", "vendor", "node_modules", "Gemfile", "Gemfile.lock"] {
            if !exclude.iter().any(|e| e == always) {
                exclude.push(always.to_string());
                exclude.push(format!("{always}/**"));
            }
        }
        let tree = Tree::walk(dir, &exclude);
        for folder in &tree.underscore_folders {
            if !published.contains(folder) && folder != "_drafts" {
                exclude.push(format!("{folder}/**"));
            }
        }
        if !list(config, "include").is_empty() {
            not_carried.push(format!(
                "include: {}: notes does not publish hidden or `_` files; copy them into static/ if the site needs them",
                list(config, "include").join(", ")
            ));
        }

        let languages = tree.languages();
        let default_language = if languages.iter().any(|l| l == "en") || languages.is_empty() {
            "en".to_string()
        } else {
            languages[0].clone()
        };
        let prefer = tree.prefer(&published);
        let plugins: Vec<String> = list(config, "plugins")
            .into_iter()
            .chain(list(config, "gems"))
            .collect();
        // jekyll-feed: Atom, whole posts, at `feed.path` (default feed.xml).
        let feed = plugins.iter().any(|p| p == "jekyll-feed").then(|| {
            config
                .get("feed")
                .and_then(|f| text(f, "path"))
                .unwrap_or_else(|| "feed.xml".into())
                .trim_start_matches('/')
                .to_string()
        });
        for plugin in list(config, "plugins")
            .into_iter()
            .chain(list(config, "gems"))
        {
            let said = match plugin.as_str() {
                "jekyll-sitemap" => None,
                "jekyll-seo-tag" => None,
                "jekyll-redirect-from" => None,
                "jekyll-paginate" | "jekyll-paginate-v2" => None,
                "jekyll-feed" => None,
                other => Some(format!(
                    "plugin {other}: no counterpart in notes; what it adds to pages is not carried over"
                )),
            };
            not_carried.extend(said);
        }
        if let Some(theme) = text(config, "theme").or_else(|| text(config, "remote_theme")) {
            not_carried.push(format!(
                "theme {theme}, _layouts/ and _includes/ (Liquid): pages use notes' built-in theme; to change it, write Tera templates in templates/ (notes init --templates copies the built-in ones)"
            ));
        }
        for liquid in &tree.liquid_pages {
            not_carried.push(format!(
                "{liquid}: a Liquid page (it has front matter); not published: notes writes its own 404.html, index pages, feeds and sitemap"
            ));
        }
        if text(config, "theme").is_some() && !dir.join("assets/css/style.css").exists() {
            not_carried.push("assets/css/style.css (the theme's stylesheet, which Jekyll compiles): not written; pages use notes.css".into());
        }
        if tree.sass {
            not_carried.push("Sass (_sass/, .scss files): not compiled; compile it to CSS (sass assets/css/style.scss assets/css/style.css) and keep the .css".into());
        }
        if config.get("defaults").is_some() {
            not_carried.push("defaults: front matter defaults are not applied; notes takes a note's language from its folder or file name and its layout from the built-in theme".into());
        }
        if let Some(tz) = text(config, "timezone") {
            not_carried.push(format!(
                "timezone {tz}: dates are kept as written; a date with an offset (+0800) is read in UTC, so :year/:month/:day of a post written just after midnight may differ: give such posts a `date:` without an offset"
            ));
        }
        let kramdown = text(config, "markdown").is_none_or(|m| m.eq_ignore_ascii_case("kramdown"));
        if let Some(Value::Mapping(k)) = config.get("kramdown")
            && k.get("input")
                .and_then(Value::as_str)
                .is_some_and(|i| !i.eq_ignore_ascii_case("GFM"))
        {
            not_carried.push("kramdown input other than GFM: notes reads kramdown with GitHub's extensions (input: GFM), as GitHub Pages does".into());
        }
        let output = ["public", "public-notes", "_notes-site"]
            .into_iter()
            .find(|o| !dir.join(o).exists())
            .unwrap_or("public-notes")
            .to_string();
        Ok(Plan {
            title: text(config, "title").unwrap_or_else(|| "Notes".into()),
            description: text(config, "description").unwrap_or_default(),
            authors: author,
            site_url,
            default_language,
            languages,
            exclude,
            prefer,
            rules,
            output,
            paginate: config.get("paginate").and_then(Value::as_u64),
            feed,
            kramdown,
            not_carried,
        })
    }

    fn book_toml(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let qs = |items: &[String]| {
            let inner: Vec<String> = items.iter().map(|i| q(i)).collect();
            format!("[{}]", inner.join(", "))
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Written by `notes import jekyll` from _config.yml: builds the blog where it is,"
        );
        let _ = writeln!(
            out,
            "# every URL as Jekyll published it. The notes are read in place and not changed."
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "[book]");
        let _ = writeln!(out, "title = {}", q(&self.title));
        if !self.description.is_empty() {
            let _ = writeln!(out, "description = {}", q(&self.description));
        }
        if !self.authors.is_empty() {
            let _ = writeln!(out, "authors = {}", qs(&self.authors));
        }
        let _ = writeln!(out, "language = {}", q(&self.default_language));
        let _ = writeln!(
            out,
            "# The notes are the blog's own files: _posts/, collections and pages."
        );
        let _ = writeln!(out, "src = \".\"");
        let _ = writeln!(
            out,
            "# _config.yml's exclude, Jekyll's defaults, and the `_` folders Jekyll does not publish."
        );
        let _ = writeln!(out, "exclude = {}", qs(&self.exclude));
        if !self.prefer.is_empty() {
            let _ = writeln!(
                out,
                "# One note in several folders (same name and language): the copy in the first of"
            );
            let _ = writeln!(
                out,
                "# these folders is the page; the others' URLs redirect to it."
            );
            let _ = writeln!(out, "prefer = {}", qs(&self.prefer));
        }
        let _ = writeln!(
            out,
            "# Every other file outside `_` and `.` folders is copied as it is, as Jekyll does."
        );
        let _ = writeln!(out, "copy-other-files = true");
        let _ = writeln!(out);
        let _ = writeln!(out, "[build]");
        let _ = writeln!(out, "build-dir = {}", q(&self.output));
        let _ = writeln!(out);
        let _ = writeln!(out, "[output.html]");
        let _ = writeln!(out, "site-url = {}", q(&self.site_url));
        if let Some(n) = self.paginate {
            let _ = writeln!(out, "paginate-by = {n}");
        }
        if self.kramdown {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "# Jekyll's kramdown: attribute lists, its heading and footnote ids, typographic"
            );
            let _ = writeln!(
                out,
                "# quotes, {{% raw %}} removed; \\\\( … \\\\) math rendered to MathML."
            );
            let _ = writeln!(out, "[markdown]");
            let _ = writeln!(out, "flavour = \"kramdown\"");
        }
        if let Some(path) = &self.feed {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "# jekyll-feed's feed, where readers subscribed (and <lang>/{path} per language)."
            );
            let _ = writeln!(out, "[output.html.feed]");
            let _ = writeln!(out, "path = {}", q(path));
            let _ = writeln!(out, "format = \"atom\"");
            let _ = writeln!(out, "content = \"full\"");
        }
        for (folder, pattern, kind) in &self.rules {
            let _ = writeln!(out);
            let what = match *kind {
                "post" => "posts",
                "collection" => "a collection",
                _ => "pages (every other note)",
            };
            let _ = writeln!(out, "# {what}: Jekyll's permalink");
            let _ = writeln!(out, "[[output.html.permalinks]]");
            let _ = writeln!(out, "folder = {}", q(folder));
            let _ = writeln!(out, "permalink = {}", q(pattern));
            let _ = writeln!(out, "kind = {}", q(kind));
        }
        for code in &self.languages {
            let _ = writeln!(out);
            let _ = writeln!(out, "[languages.{code}]");
            let name = NAMES
                .iter()
                .find(|(c, _)| c == code)
                .map_or(code.as_str(), |(_, n)| n);
            let _ = writeln!(out, "name = {}", q(name));
        }
        out
    }
}

/// What the blog's folders hold.
#[derive(Default)]
struct Tree {
    /// Top-level folders starting with `_`.
    underscore_folders: BTreeSet<String>,
    /// Language codes seen as folders or file-name suffixes, by count.
    languages: BTreeMap<String, usize>,
    /// (key-and-language, folders) of every `.md` outside excluded folders.
    copies: BTreeMap<String, BTreeSet<String>>,
    /// Non-Markdown files with front matter (Liquid pages).
    liquid_pages: Vec<String>,
    sass: bool,
}

impl Tree {
    fn walk(dir: &Path, exclude: &[String]) -> Tree {
        let globs = {
            let mut b = globset::GlobSetBuilder::new();
            for e in exclude {
                if let Ok(g) = globset::Glob::new(e) {
                    b.add(g);
                }
            }
            b.build().unwrap_or_else(|_| globset::GlobSet::empty())
        };
        let mut tree = Tree::default();
        let walker = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker.filter_map(Result::ok) {
            let rel = crate::paths::relative(entry.path(), dir);
            if entry.depth() == 0 || globs.is_match(&rel) {
                continue;
            }
            let top = rel.split('/').next().unwrap_or("").to_string();
            if entry.file_type().is_dir() {
                if entry.depth() == 1 && top.starts_with('_') {
                    tree.underscore_folders.insert(top);
                }
                continue;
            }
            if rel.ends_with(".scss") || rel.ends_with(".sass") {
                tree.sass = true;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".md") {
                if let Some((_, lang)) = stem.rsplit_once('-')
                    && NAMES.iter().any(|(c, _)| *c == lang)
                {
                    *tree.languages.entry(lang.to_string()).or_default() += 1;
                    let folder = if top == name {
                        String::new()
                    } else {
                        top.clone()
                    };
                    tree.copies
                        .entry(stem.to_string())
                        .or_default()
                        .insert(folder);
                }
            } else if !top.starts_with('_') && crate::discover::has_front_matter(entry.path()) {
                tree.liquid_pages.push(rel);
            }
        }
        tree
    }

    /// The languages, the most used first.
    fn languages(&self) -> Vec<String> {
        let mut langs: Vec<(&String, &usize)> = self.languages.iter().collect();
        langs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut out: Vec<String> = langs.into_iter().map(|(l, _)| l.clone()).collect();
        if let Some(i) = out.iter().position(|l| l == "en") {
            let en = out.remove(i);
            out.insert(0, en);
        }
        out
    }

    /// The folders whose copies win where one note is in several: page
    /// folders first (the blog's scripts write the original there and copy
    /// it into `_posts/`), then `_posts`, then the collections.
    fn prefer(&self, published: &BTreeSet<String>) -> Vec<String> {
        let mut pages = BTreeSet::new();
        let mut any = false;
        for folders in self.copies.values().filter(|f| f.len() > 1) {
            any = true;
            pages.extend(folders.iter().filter(|f| !f.starts_with('_')).cloned());
        }
        if !any {
            return Vec::new();
        }
        let mut out: Vec<String> = pages.into_iter().filter(|f| !f.is_empty()).collect();
        out.push("_posts".into());
        out.extend(published.iter().filter(|f| *f != "_posts").cloned());
        out
    }
}
