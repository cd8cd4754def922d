//! The interface text of the default theme in each language: built-in
//! strings for the languages our users publish in, overridable per language
//! in book.toml (`[languages.xx.strings]`) or in `i18n/xx.toml`. A string a
//! language lacks falls back to English, with one warning per language.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{CONFIG_FILE, Config};
use crate::error::{Diagnostic, Error, Location, line_col};

const BUILTIN: &str = include_str!("strings.toml");

/// One language's strings, key → text.
pub type Strings = BTreeMap<String, String>;

/// The built-in strings, parsed once per process (`serve` loads the
/// strings on every change).
fn builtin() -> BTreeMap<String, Strings> {
    static TABLES: std::sync::OnceLock<BTreeMap<String, Strings>> = std::sync::OnceLock::new();
    // The file is ours and tested; an error here is a bug in this crate.
    TABLES
        .get_or_init(|| toml::from_str(BUILTIN).unwrap_or_default())
        .clone()
}

/// The keys every language has, from the English table.
pub fn keys() -> Vec<String> {
    builtin()
        .remove("en")
        .unwrap_or_default()
        .into_keys()
        .collect()
}

/// Resolves the strings of every language code in `codes`. Unknown keys in
/// overrides are errors (a typo must not be silently ignored); missing
/// strings fall back to English and are reported in `warnings`.
pub fn load(
    config: &Config,
    codes: &[&str],
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, Strings>, Error> {
    let mut tables = builtin();
    let english = tables.get("en").cloned().unwrap_or_default();
    let mut problems = Vec::new();
    let dir = config.root.join("i18n");
    let mut out = BTreeMap::new();
    for &code in codes {
        let mut strings = tables.remove(code).unwrap_or_default();
        if let Some(lang) = config.language(code) {
            for (key, value) in &lang.strings {
                if !english.contains_key(key) {
                    problems.push(unknown_key(
                        &config.root.join(CONFIG_FILE),
                        &config.source,
                        key,
                        &english,
                    ));
                } else {
                    strings.insert(key.clone(), value.clone());
                }
            }
        }
        let file = dir.join(format!("{code}.toml"));
        if file.is_file() {
            read_file(&file, &english, &mut strings, &mut problems)?;
        }
        let missing: Vec<&str> = english
            .keys()
            .filter(|k| !strings.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() && code != "en" {
            warnings.push(format!(
                "language `{code}` has no interface text for {}: using English; add them under [languages.{code}.strings] in {CONFIG_FILE} or in i18n/{code}.toml",
                missing.join(", ")
            ));
        }
        for (key, value) in &english {
            strings.entry(key.clone()).or_insert_with(|| value.clone());
        }
        out.insert(code.to_string(), strings);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Input(problems))
    }
}

fn read_file(
    file: &Path,
    english: &Strings,
    strings: &mut Strings,
    problems: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, "read the strings", e))?;
    let display = crate::paths::display_path(file);
    match toml::from_str::<Strings>(&text) {
        Ok(table) => {
            for (key, value) in table {
                if english.contains_key(&key) {
                    strings.insert(key, value);
                } else {
                    problems.push(unknown_key(&display, &text, &key, english));
                }
            }
        }
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
            problems.push(Diagnostic::new(
                Location::new(&display, line, column),
                format!("{} (expected `key = \"text\"` lines)", e.message().trim()),
            ));
        }
    }
    Ok(())
}

fn unknown_key(path: &Path, text: &str, key: &str, english: &Strings) -> Diagnostic {
    let line = text
        .lines()
        .position(|l| {
            l.trim_start().starts_with(key)
                && l[l.find(key).unwrap_or(0) + key.len()..]
                    .trim_start()
                    .starts_with('=')
        })
        .map_or(1, |i| i + 1);
    Diagnostic::new(
        Location::new(path, line, 1),
        format!(
            "unknown interface string `{key}`; the strings are: {}",
            english.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_language_has_every_key() {
        let tables = builtin();
        let keys = keys();
        assert!(keys.len() >= 16);
        for code in ["en", "zh", "ja", "es", "hi", "fr", "de", "ar", "hant"] {
            let table = &tables[code];
            let have: Vec<&String> = table.keys().collect();
            assert_eq!(have, keys.iter().collect::<Vec<_>>(), "{code}");
            for (key, value) in table {
                for placeholder in ["{language}", "{date}", "{n}", "{total}"] {
                    assert_eq!(
                        value.contains(placeholder),
                        tables["en"][key].contains(placeholder),
                        "{code}.{key} and en.{key} differ in {placeholder}"
                    );
                }
            }
        }
    }

    #[test]
    fn overrides_and_fallbacks() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("i18n")).unwrap();
        std::fs::write(tmp.path().join("i18n/pt.toml"), "search = \"Pesquisar\"\n").unwrap();
        let config = Config::from_str(
            tmp.path(),
            "[languages.fr.strings]\nread_original = \"Voir l’original\"\n[languages.pt]\nname = \"Português\"\n",
        )
        .unwrap();
        let mut warnings = vec![];
        let strings = load(&config, &["en", "fr", "pt"], &mut warnings).unwrap();
        assert_eq!(strings["fr"]["read_original"], "Voir l’original");
        assert_eq!(strings["fr"]["search"], "Rechercher");
        assert_eq!(strings["pt"]["search"], "Pesquisar");
        assert_eq!(strings["pt"]["translations"], "Translations");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("language `pt` has no interface text for "),
            "{warnings:?}"
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let config =
            Config::from_str(tmp.path(), "[languages.fr.strings]\nread_orignal = \"x\"\n").unwrap();
        let err = load(&config, &["fr"], &mut vec![]).unwrap_err().to_string();
        assert!(
            err.contains("book.toml:2:1: unknown interface string `read_orignal`"),
            "{err}"
        );
    }
}
