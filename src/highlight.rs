//! Server-side syntax highlighting with syntect, over the grammar set of the
//! `two-face` crate (bat's grammars: TOML, TypeScript, Dockerfile, … that
//! syntect's own defaults lack). Output is class-based spans, styled by one
//! generated stylesheet with a light and a dark theme.
//!
//! The grammars are loaded once per process and only when a page has code.
//! The same code block appears in every translation of a note, so each
//! distinct (language, code) pair is highlighted once per build and reused.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Class names are prefixed so that they cannot clash with a theme's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "z-" };

/// The default light and dark themes of the generated stylesheet.
pub const LIGHT_THEME: &str = "InspiredGitHub";
pub const DARK_THEME: &str = "OneHalfDark";

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Highlights code blocks, remembering what it has already done.
#[derive(Default)]
pub struct Highlighter {
    cache: Mutex<HashMap<(String, String), Arc<str>>>,
    lookups: AtomicUsize,
    hits: AtomicUsize,
}

/// How well the cache did, for the build summary and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub lookups: usize,
    pub hits: usize,
}

impl Highlighter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Renders one fenced code block as HTML. `info` is the fence's info
    /// string (`python`, `bash,linenos`); an empty or unknown language gives
    /// escaped plain text, never an error.
    pub fn block(&self, info: &str, code: &str) -> Arc<str> {
        let lang = info
            .split([',', ' ', '{'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let key = (lang, code.to_string());
        if let Some(html) = self.lock().get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return html.clone();
        }
        let html: Arc<str> = render_block(&key.0, code).into();
        self.lock().insert(key, html.clone());
        html
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            lookups: self.lookups.load(Ordering::Relaxed),
            hits: self.hits.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<str>>> {
        // A panic while holding the lock cannot leave the map half-written
        // (insert is one call), so a poisoned lock is still usable.
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn render_block(lang: &str, code: &str) -> String {
    let syntax = if lang.is_empty() {
        None
    } else {
        find_syntax(lang)
    };
    let lang_class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(&lang.to_ascii_lowercase()))
    };
    let data_lang = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape(&lang.to_ascii_lowercase()))
    };
    let body = match syntax {
        Some(syntax) => classed(syntax, code).unwrap_or_else(|| escape(code)),
        None => escape(code),
    };
    format!("<pre class=\"code\" dir=\"ltr\"{data_lang}><code{lang_class}>{body}</code></pre>\n")
}

fn classed(syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// Finds the grammar for a fence's language name, case-insensitively,
/// through the aliases people write in notes.
pub fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lower = lang.to_ascii_lowercase();
    let set = syntaxes();
    let name = match lower.as_str() {
        "sh" | "shell" | "zsh" | "shellscript" | "console" | "shell-session" | "bash" => {
            return set.find_syntax_by_name("Bourne Again Shell (bash)");
        }
        "py" | "python3" | "py3" | "python" => "Python",
        "js" | "node" => "JavaScript",
        "ts" => "TypeScript",
        "ps1" | "pwsh" | "powershell" => "PowerShell",
        "dockerfile" | "docker" => "Dockerfile",
        "yml" => "YAML",
        "cs" | "csharp" | "c#" => "C#",
        "cpp" | "c++" | "cxx" => "C++",
        "rs" => "Rust",
        "golang" => "Go",
        "kt" => "Kotlin",
        "make" | "makefile" | "mk" => "Makefile",
        "html" | "htm" => "HTML",
        _ => "",
    };
    if let Some(s) = (!name.is_empty())
        .then(|| set.find_syntax_by_name(name))
        .flatten()
    {
        return Some(s);
    }
    set.find_syntax_by_token(&lower)
        .or_else(|| set.find_syntax_by_token(lang))
        .or_else(|| {
            set.syntaxes()
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(lang))
        })
}

/// The stylesheet for highlighted code: the light theme by default, the
/// dark one under `prefers-color-scheme: dark` unless the reader picked
/// light, and under `data-theme="dark"` when the reader picked dark.
pub fn stylesheet() -> String {
    let themes = two_face::theme::extra();
    let find = |name: &str| {
        two_face::theme::EmbeddedLazyThemeSet::theme_names()
            .iter()
            .find(|t| t.as_name() == name)
            .map(|t| themes.get(*t).clone())
    };
    let light = find(LIGHT_THEME)
        .and_then(|t| css_for_theme_with_class_style(&t, CLASS_STYLE).ok())
        .unwrap_or_default();
    let dark = find(DARK_THEME)
        .and_then(|t| css_for_theme_with_class_style(&t, CLASS_STYLE).ok())
        .unwrap_or_default();
    let mut css = String::from("/* Generated by notes: code highlighting. */\n");
    css.push_str(&light);
    css.push_str(&scope_css(&dark, ":root[data-theme=\"dark\"]"));
    css.push_str("\n@media (prefers-color-scheme: dark) {\n");
    css.push_str(&scope_css(&dark, ":root:not([data-theme=\"light\"])"));
    css.push_str("}\n");
    css
}

/// Prefixes every selector of syntect's generated CSS with `scope`.
fn scope_css(css: &str, scope: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for line in css.lines() {
        let trimmed = line.trim();
        if let Some(selectors) = trimmed
            .strip_suffix('{')
            .filter(|s| s.trim_start().starts_with('.'))
        {
            let scoped: Vec<String> = selectors
                .split(',')
                .map(|s| format!("{scope} {}", s.trim()))
                .collect();
            out.push_str(&scoped.join(", "));
            out.push_str(" {\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_and_python_get_spans() {
        let h = Highlighter::new();
        let bash = h.block("bash", "pip install cffi\n");
        assert!(bash.contains("<span class=\"z-"), "{bash}");
        assert!(bash.contains("data-lang=\"bash\""));
        let py = h.block("Python", "import os\nprint(os.name)\n");
        assert!(py.contains("z-keyword"), "{py}");
    }

    #[test]
    fn aliases_resolve() {
        for alias in [
            "sh",
            "shell",
            "zsh",
            "console",
            "py",
            "python3",
            "PY",
            "toml",
            "ts",
            "dockerfile",
            "ps1",
            "yaml",
            "json",
            "rust",
            "go",
        ] {
            assert!(find_syntax(alias).is_some(), "{alias}");
        }
    }

    #[test]
    fn unknown_and_untagged_are_escaped_plain() {
        let h = Highlighter::new();
        let plain = h.block("", "a < b && {{ c }}\n");
        assert_eq!(
            plain.as_ref(),
            "<pre class=\"code\" dir=\"ltr\"><code>a &lt; b &amp;&amp; {{ c }}\n</code></pre>\n"
        );
        let unknown = h.block("nosuchlang", "x\n");
        assert!(unknown.contains("class=\"language-nosuchlang\""));
        assert!(!unknown.contains("<span"));
    }

    #[test]
    fn cache_reuses_identical_blocks() {
        let h = Highlighter::new();
        let a = h.block("bash", "ls -la\n");
        let b = h.block("bash", "ls -la\n");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(
            h.stats(),
            CacheStats {
                lookups: 2,
                hits: 1
            }
        );
    }

    #[test]
    fn stylesheet_has_both_themes() {
        let css = stylesheet();
        assert!(css.contains(".z-"));
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(css.contains(":root[data-theme=\"dark\"] .z-"));
    }
}
