//! Permalink patterns: where a note's page goes.
//!
//! Two spellings, which can be mixed: notes' own `{slug}`, `{lang}`,
//! `{year}`, `{month}`, `{day}`, and Jekyll's `:title`, `:slug`, `:path`,
//! `:basename`, `:name`, `:year`, `:month`, `:day`, `:i_month`, `:i_day`,
//! `:short_year`, `:categories`, `:output_ext`, `:lang`, with Jekyll's
//! meaning for posts, pages and collection documents (jekyllrb.com,
//! "Permalinks"), so that a blog moving from Jekyll keeps every URL.
//!
//! A site's `[output.html] permalink` is the default; `[[output.html.permalinks]]`
//! give a pattern per folder (Jekyll's posts, pages and collections each
//! have their own rules), and a note's own `permalink:` front matter wins
//! over both.

use jiff::civil::DateTime;

/// What a folder's notes are, in Jekyll's terms: it decides what `:title`
/// and `:path` mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A note of notes' own layout: `{slug}` from the file name.
    #[default]
    Note,
    /// A Jekyll post (`_posts/…/YYYY-MM-DD-title.md`): `:title` is the file
    /// name after its date.
    Post,
    /// A Jekyll page (any other `.md` with front matter): `:path` is its
    /// folder.
    Page,
    /// A document of a Jekyll collection (`_notes/…`): `:path` is its path
    /// inside the collection's folder, without the extension.
    Collection,
}

/// What a note gives each placeholder.
#[derive(Debug, Clone, Default)]
pub struct Values<'a> {
    /// The note's path in the content folder (`_posts/en/2025-06-12-cffi-en.md`).
    pub rel: &'a str,
    /// notes' slug (file name without date and language, or `slug:`).
    pub slug: &'a str,
    pub lang: &'a str,
    pub date: Option<DateTime>,
    /// Front matter `slug:`, which Jekyll's `:title` takes when given.
    pub front_slug: Option<&'a str>,
    /// Front matter `categories:` / `category:`.
    pub categories: Vec<String>,
    pub kind: Kind,
    /// The folder the rule matched (`_notes` for a collection).
    pub folder: &'a str,
}

/// A pattern needs a date and the note has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsDate;

/// The site path `pattern` gives a note (always starting with `/`; a
/// trailing `/` or a file name, as the pattern says).
pub fn expand(pattern: &str, v: &Values) -> Result<String, NeedsDate> {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(i) = rest.find(['{', ':']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let (name, len) = if let Some(braced) = tail.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = tail[1..]
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .map_or(tail.len(), |e| e + 1);
            (&tail[1..end], end)
        };
        match value(name, tail.starts_with('{'), v)? {
            Some(text) => {
                out.push_str(&text);
                rest = &tail[len..];
            }
            None => {
                // Not a placeholder: the character as written.
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Ok(clean(&out))
}

/// A placeholder's text; `None` when `name` is not one.
fn value(name: &str, braced: bool, v: &Values) -> Result<Option<String>, NeedsDate> {
    let date = || v.date.ok_or(NeedsDate);
    let text = match (name, braced) {
        ("slug", true) => v.slug.to_string(),
        ("lang", _) => v.lang.to_string(),
        ("year", _) => format!("{:04}", date()?.year()),
        ("month", _) => format!("{:02}", date()?.month()),
        ("day", _) => format!("{:02}", date()?.day()),
        ("title", false) => title(v),
        ("slug", false) => slugify(&title(v)),
        ("name", false) => slugify(stem(v.rel)),
        ("basename", false) => stem(v.rel).to_string(),
        ("path", false) => path(v),
        ("categories", false) => v
            .categories
            .iter()
            .map(|c| slugify(c))
            .collect::<Vec<_>>()
            .join("/"),
        ("i_month", false) => date()?.month().to_string(),
        ("i_day", false) => date()?.day().to_string(),
        ("short_year", false) => format!("{:02}", date()?.year() % 100),
        ("hour", false) => format!("{:02}", date()?.hour()),
        ("minute", false) => format!("{:02}", date()?.minute()),
        ("second", false) => format!("{:02}", date()?.second()),
        ("output_ext", false) => ".html".to_string(),
        _ => return Ok(None),
    };
    Ok(Some(text))
}

/// Jekyll's `:title`: for a post, the file name after its date (its
/// `slug:` when it has one); for a page or document, the file name.
fn title(v: &Values) -> String {
    if let Some(s) = v.front_slug {
        return s.to_string();
    }
    let stem = stem(v.rel);
    match v.kind {
        Kind::Post | Kind::Note => strip_date(stem).to_string(),
        Kind::Page | Kind::Collection => stem.to_string(),
    }
}

/// Jekyll's `:path`: a page's folder; a document's path inside its
/// collection, without the extension.
fn path(v: &Values) -> String {
    let without_ext = v.rel.strip_suffix(".md").unwrap_or(v.rel);
    match v.kind {
        Kind::Collection => without_ext
            .strip_prefix(v.folder)
            .map(|r| r.trim_start_matches('/'))
            .unwrap_or(without_ext)
            .to_string(),
        _ => v.rel.rsplit_once('/').map_or("", |(f, _)| f).to_string(),
    }
}

fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.strip_suffix(".md").unwrap_or(name)
}

/// `2025-06-12-cffi-hi` → `cffi-hi`.
fn strip_date(stem: &str) -> &str {
    let b = stem.as_bytes();
    let dated = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && b[10] == b'-';
    if dated { &stem[11..] } else { stem }
}

/// Jekyll's default slugify: lower case, every run of characters that are
/// not letters or digits (in any script) made one `-`, none at the ends.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// A URL as Jekyll leaves it: one leading `/`, no empty parts (an empty
/// `:categories`), a trailing `/` kept.
fn clean(url: &str) -> String {
    let trailing = url.ends_with('/');
    let parts: Vec<&str> = url.split('/').filter(|p| !p.is_empty()).collect();
    let mut out = format!("/{}", parts.join("/"));
    if trailing && out.len() > 1 {
        out.push('/');
    }
    out
}

/// Whether a pattern uses Jekyll's placeholders (and so is taken as
/// written, with no `/{lang}/` added for other languages).
pub fn is_jekyll_style(pattern: &str) -> bool {
    pattern
        .match_indices(':')
        .any(|(i, _)| pattern[i + 1..].starts_with(|c: char| c.is_ascii_lowercase()))
}

/// Checks a pattern when the config is read.
pub fn check(pattern: &str) -> Result<(), String> {
    if !pattern.starts_with('/') {
        return Err(format!("permalink `{pattern}` must start with `/`"));
    }
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            return Err(format!("permalink `{pattern}` has an unclosed `{{`"));
        };
        let name = &rest[start + 1..start + end];
        if !matches!(name, "slug" | "lang" | "year" | "month" | "day") {
            return Err(format!(
                "permalink `{pattern}`: unknown placeholder {{{name}}} (use {{slug}}, {{lang}}, {{year}}, {{month}}, {{day}}, or Jekyll's :title, :path, …)"
            ));
        }
        rest = &rest[start + end..];
    }
    let unique = ["{slug}", ":title", ":slug", ":name", ":basename", ":path"]
        .iter()
        .any(|p| pattern.contains(p));
    if !unique {
        return Err(format!(
            "permalink `{pattern}` must contain {{slug}} (or Jekyll's :title, :slug, :basename or :path) so that every note gets its own page"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(rel: &'static str) -> Values<'static> {
        Values {
            rel,
            slug: "cffi",
            lang: "hi",
            date: Some(DateTime::constant(2009, 4, 29, 8, 5, 3, 0)),
            kind: Kind::Post,
            folder: "_posts",
            ..Values::default()
        }
    }

    /// The examples of jekyllrb.com's "Permalinks" page, for a post
    /// `2009-04-29-slap-chop.md` in categories `food`.
    #[test]
    fn jekylls_documented_post_examples() {
        let mut v = post("_posts/2009-04-29-slap-chop.md");
        v.categories = vec!["food".into()];
        let cases = [
            (
                "/:categories/:year/:month/:day/:title:output_ext",
                "/food/2009/04/29/slap-chop.html",
            ),
            (
                "/:categories/:year/:month/:day/:title/",
                "/food/2009/04/29/slap-chop/",
            ),
            (
                "/:year/:month/:day/:title:output_ext",
                "/2009/04/29/slap-chop.html",
            ),
            ("/:categories/:title:output_ext", "/food/slap-chop.html"),
            ("/:year/:i_month/:i_day/:title", "/2009/4/29/slap-chop"),
            ("/:short_year/:month/:title/", "/09/04/slap-chop/"),
            (
                "/blog/:year/:month/:day/:hour:minute:second/:title",
                "/blog/2009/04/29/080503/slap-chop",
            ),
            ("/:title", "/slap-chop"),
        ];
        for (pattern, url) in cases {
            assert_eq!(expand(pattern, &v).unwrap(), url, "{pattern}");
        }
        // No categories: the empty part goes, as Jekyll drops it.
        v.categories.clear();
        assert_eq!(expand("/:categories/:title/", &v).unwrap(), "/slap-chop/");
    }

    #[test]
    fn title_is_the_file_name_after_the_date_and_slug_is_slugified() {
        let v = post("_posts/hi/2025-06-12-Cffi Backend-hi.md");
        assert_eq!(expand("/:title", &v).unwrap(), "/Cffi Backend-hi");
        assert_eq!(expand("/:slug", &v).unwrap(), "/cffi-backend-hi");
        let mut with_slug = post("_posts/hi/2025-06-12-cffi-hi.md");
        with_slug.front_slug = Some("own");
        assert_eq!(expand("/:title/", &with_slug).unwrap(), "/own/");
    }

    #[test]
    fn pages_and_collections_have_their_own_path() {
        let page = Values {
            rel: "notes/2025-10-19-npm-enotempty-fix-en.md",
            kind: Kind::Page,
            ..Values::default()
        };
        assert_eq!(
            expand("/:path/:basename", &page).unwrap(),
            "/notes/2025-10-19-npm-enotempty-fix-en"
        );
        assert_eq!(
            expand("/:path/:basename:output_ext", &page).unwrap(),
            "/notes/2025-10-19-npm-enotempty-fix-en.html"
        );
        let top = Values {
            rel: "about.md",
            kind: Kind::Page,
            ..Values::default()
        };
        assert_eq!(expand("/:path/:basename/", &top).unwrap(), "/about/");
        let doc = Values {
            rel: "_notes/en/2025-11-07-db2-rollback-error-en.md",
            kind: Kind::Collection,
            folder: "_notes",
            ..Values::default()
        };
        assert_eq!(
            expand("/notes/:path/", &doc).unwrap(),
            "/notes/en/2025-11-07-db2-rollback-error-en/"
        );
        assert_eq!(
            expand("/notes/:name/", &doc).unwrap(),
            "/notes/2025-11-07-db2-rollback-error-en/"
        );
    }

    #[test]
    fn notes_own_placeholders_and_mixing() {
        let v = post("_posts/hi/2025-06-12-cffi-hi.md");
        assert_eq!(expand("/{lang}/{slug}/", &v).unwrap(), "/hi/cffi/");
        assert_eq!(expand("/{year}/{slug}-:lang", &v).unwrap(), "/2009/cffi-hi");
        // A colon that starts no placeholder stays.
        assert_eq!(expand("/a:1/{slug}", &v).unwrap(), "/a:1/cffi");
        let undated = Values {
            date: None,
            ..post("x.md")
        };
        assert_eq!(expand("/:year/:title", &undated), Err(NeedsDate));
    }

    #[test]
    fn patterns_are_checked() {
        assert!(check("/{slug}/").is_ok());
        assert!(check("/:title").is_ok());
        assert!(check("/:path/:basename").is_ok());
        assert!(check("{slug}").is_err());
        assert!(check("/{year}/").is_err());
        assert!(check("/{nope}/{slug}").is_err());
        assert!(is_jekyll_style("/:title"));
        assert!(!is_jekyll_style("/{slug}/"));
    }
}
