//! The planner of `serve`: which pages a change affects. A pure function
//! of the site before and after the change (and what was re-rendered), so
//! that every kind of change can be tested without a server or a disk.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::markdown::Rendered;
use crate::render::{Extras, Selection};
use crate::site::Site;

/// A site as built: its notes, their Markdown by source path, and what
/// was worked out across notes (translations, drift, strings).
#[derive(Clone, Copy)]
pub struct Built<'a> {
    pub site: &'a Site,
    pub rendered: &'a HashMap<String, Arc<Rendered>>,
    pub extras: &'a Extras,
}

/// A note as an index page lists it: URL, title, date, summary.
type IndexEntry<'a> = (&'a str, &'a str, Option<jiff::civil::DateTime>, &'a str);

/// The pages a change to the notes at `touched` affects in `new`: those
/// notes and their translation groups (before and after), notes whose
/// HTML or translation status changed, and the index pages and feeds of
/// every language involved; everything when the languages changed.
pub fn plan(
    old: Built,
    built: Built,
    touched: &[String],
    rerendered: &BTreeSet<usize>,
    links_moved: bool,
) -> Selection {
    let (new, rendered, extras) = (built.site, built.rendered, built.extras);
    let codes = |s: &Site| {
        s.languages
            .iter()
            .map(|l| l.code.clone())
            .collect::<Vec<_>>()
    };
    if codes(old.site) != codes(new) {
        return Selection::all(new);
    }
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    let mut langs: BTreeSet<&str> = BTreeSet::new();
    for rel in touched {
        for s in [old.site, new] {
            if let Some(&i) = s.by_source.get(rel) {
                keys.insert(s.notes[i].note.key.as_str());
                langs.insert(s.notes[i].note.lang.as_str());
            }
        }
    }
    let mut notes: BTreeSet<usize> = rerendered.clone();
    for (i, n) in new.notes.iter().enumerate() {
        let rel = &n.note.source.rel;
        let was = old.site.by_source.get(rel).copied();
        let status_changed = was.is_none_or(|o| {
            let old_original =
                old.extras.translations.original[o].map(|x| &old.site.notes[x].note.source.rel);
            let new_original =
                extras.translations.original[i].map(|x| &new.notes[x].note.source.rel);
            old_original != new_original
                || old.extras.translations.stale[o].as_ref().map(|s| s.shown())
                    != extras.translations.stale[i].as_ref().map(|s| s.shown())
        });
        if keys.contains(n.note.key.as_str()) || status_changed {
            notes.insert(i);
        }
    }
    let mut selection = Selection {
        notes,
        sitemap: sitemap_changed(old.site, new, links_moved),
        ..Selection::default()
    };
    for (l, lang) in new.languages.iter().enumerate() {
        if !langs.contains(lang.code.as_str()) {
            continue;
        }
        selection.feeds.insert(l);
        let before = index_entries(old.site, old.rendered, l);
        let fresh = index_entries(new, rendered, l);
        let per = new.config.paginate_by;
        let pages = new.index_pages(l);
        for n in 1..=pages {
            let same = before
                .iter()
                .skip((n - 1) * per)
                .take(per)
                .eq(fresh.iter().skip((n - 1) * per).take(per));
            // Every page shows the page count: when it changes, all do.
            if before.len().div_ceil(per).max(1) != pages || !same {
                selection.index_pages.insert((l, n));
            }
        }
    }
    selection
}

/// What a language's index pages show of each note, in order.
fn index_entries<'a>(
    site: &'a Site,
    rendered: &'a HashMap<String, Arc<Rendered>>,
    l: usize,
) -> Vec<IndexEntry<'a>> {
    site.by_language[l]
        .iter()
        .map(|&i| {
            let n = &site.notes[i];
            let summary = rendered
                .get(&n.note.source.rel)
                .map_or("", |r| r.summary.as_str());
            (n.url.as_str(), n.note.title.as_str(), n.note.date, summary)
        })
        .collect()
}

/// The sitemap shows each note's URL, date and translations.
fn sitemap_changed(old: &Site, new: &Site, links_moved: bool) -> bool {
    let shape = |s: &Site, i: usize| (s.notes[i].note.date, s.group(i).members.len());
    old.notes.len() != new.notes.len()
        || links_moved
        || (0..new.notes.len()).any(|i| shape(old, i) != shape(new, i))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::discover::SourceFile;
    use crate::highlight::Highlighter;
    use crate::translations::{self, ChangeTimes};

    /// A site as the session holds it, made from `(path, text)` notes,
    /// two notes per index page.
    struct Fixture {
        site: Site,
        rendered: HashMap<String, Arc<Rendered>>,
        extras: Extras,
    }

    impl Fixture {
        fn new(langs: &str, files: &[(&str, &str)]) -> Fixture {
            let toml = format!("[output.html]\npaginate-by = 2\n{langs}");
            let config = Config::from_str(Path::new("s"), &toml).unwrap();
            let notes = files
                .iter()
                .map(|(rel, text)| {
                    let source = SourceFile {
                        path: Path::new("content").join(rel),
                        rel: rel.to_string(),
                    };
                    crate::note::parse(&source, text.as_bytes(), &config).unwrap()
                })
                .collect();
            let site = Site::assemble(config, notes, &mut Vec::new()).unwrap();
            let highlighter = Highlighter::new();
            let rendered = (0..site.notes.len())
                .map(|i| {
                    let r = crate::pipeline::render_one(&site, &highlighter, i);
                    (site.notes[i].note.source.rel.clone(), Arc::new(r))
                })
                .collect();
            let extras = Extras {
                translations: translations::analyze_with(&site, &ChangeTimes::default()),
                strings: BTreeMap::new(),
                drift: Default::default(),
            };
            Fixture {
                site,
                rendered,
                extras,
            }
        }

        fn built(&self) -> Built<'_> {
            Built {
                site: &self.site,
                rendered: &self.rendered,
                extras: &self.extras,
            }
        }

        fn note(&self, rel: &str) -> usize {
            self.site.by_source[rel]
        }
    }

    const LANGS: &str = "[languages.en]\n[languages.de]\n";

    fn note(title: &str, body: &str) -> String {
        format!("---\ntitle: {title}\n---\n{body}\n")
    }

    fn translation(title: &str, body: &str) -> String {
        format!("---\ntitle: {title}\ntranslated: true\n---\n{body}\n")
    }

    /// Five English notes (three index pages), one with a German translation.
    fn files(edit: Option<(&str, String)>) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = (1..=5)
            .map(|d| {
                let rel = format!("en/2025-01-0{d}-n{d}-en.md");
                (rel, note(&format!("Note {d}"), "Text."))
            })
            .collect();
        files.push((
            "de/2025-01-01-n1-de.md".into(),
            translation("Notiz 1", "Text."),
        ));
        if let Some((rel, text)) = edit {
            match files.iter_mut().find(|(r, _)| r == rel) {
                Some(f) => f.1 = text,
                None => files.push((rel.to_string(), text)),
            }
        }
        files
    }

    fn fixture(langs: &str, files: &[(String, String)]) -> Fixture {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(r, t)| (r.as_str(), t.as_str()))
            .collect();
        Fixture::new(langs, &refs)
    }

    /// What a change of `rel` to `text` re-renders, with the notes whose
    /// HTML changed as the session finds them.
    fn plan_for(rel: &str, text: String, rerendered: &[&str]) -> (Fixture, Selection) {
        let old = fixture(LANGS, &files(None));
        let new = fixture(LANGS, &files(Some((rel, text))));
        let rerendered: BTreeSet<usize> = rerendered.iter().map(|r| new.note(r)).collect();
        let selection = plan(
            old.built(),
            new.built(),
            &[rel.to_string()],
            &rerendered,
            false,
        );
        (new, selection)
    }

    #[test]
    fn a_body_edit_renders_its_group_and_the_index_page_showing_its_summary() {
        let rel = "en/2025-01-01-n1-en.md";
        let (site, s) = plan_for(rel, note("Note 1", "New text."), &[rel]);
        let group: BTreeSet<usize> = [site.note(rel), site.note("de/2025-01-01-n1-de.md")].into();
        assert_eq!(s.notes, group);
        // Newest first, two per page: note 1 is on English page 3.
        assert_eq!(s.index_pages, [(0, 3)].into());
        assert_eq!(s.feeds, [0].into());
        assert!(!s.sitemap, "URLs and dates did not change");
    }

    #[test]
    fn an_edit_that_no_index_shows_renders_no_index_page() {
        let rel = "en/2025-01-03-n3-en.md";
        // The summary is the first paragraph: a later one changes nothing
        // an index page shows.
        let (site, s) = plan_for(rel, note("Note 3", "Text.\n\nMore."), &[rel]);
        assert_eq!(s.notes, [site.note(rel)].into());
        assert!(s.index_pages.is_empty(), "{:?}", s.index_pages);
    }

    #[test]
    fn a_new_note_moves_every_index_page_after_it_and_the_sitemap() {
        let rel = "en/2025-01-09-n9-en.md";
        let (site, s) = plan_for(rel, note("Note 9", "Text."), &[rel]);
        assert_eq!(s.notes, [site.note(rel)].into());
        // Six notes: still three pages, and every one shifts by one.
        assert_eq!(s.index_pages, [(0, 1), (0, 2), (0, 3)].into());
        assert!(s.sitemap);
    }

    #[test]
    fn a_translation_edit_renders_its_group_in_its_own_language_only() {
        let rel = "de/2025-01-01-n1-de.md";
        let (site, s) = plan_for(rel, translation("Notiz eins", "Text."), &[rel]);
        assert!(s.notes.contains(&site.note(rel)));
        assert!(s.notes.contains(&site.note("en/2025-01-01-n1-en.md")));
        assert_eq!(s.feeds, [1].into());
        assert_eq!(s.index_pages, [(1, 1)].into(), "the German title changed");
    }

    #[test]
    fn a_translation_that_becomes_an_original_is_rendered_with_its_new_status() {
        // The German note was `translated: true`; now it is an original:
        // its notice and its original link go.
        let rel = "de/2025-01-01-n1-de.md";
        let (site, s) = plan_for(rel, note("Notiz 1", "Text."), &[]);
        assert!(s.notes.contains(&site.note(rel)));
    }

    #[test]
    fn a_new_language_renders_everything() {
        let old = fixture(LANGS, &files(None));
        let new = fixture(&format!("{LANGS}[languages.fr]\n"), &files(None));
        let s = plan(old.built(), new.built(), &[], &BTreeSet::new(), false);
        assert_eq!(s.notes.len(), new.site.notes.len());
        assert!(s.sitemap && s.not_found && s.search);
    }

    #[test]
    fn moved_links_render_the_sitemap_and_nothing_else_of_an_untouched_site() {
        let old = fixture(LANGS, &files(None));
        let new = fixture(LANGS, &files(None));
        let s = plan(old.built(), new.built(), &[], &BTreeSet::new(), true);
        assert!(s.notes.is_empty() && s.index_pages.is_empty() && s.feeds.is_empty());
        assert!(s.sitemap);
        let s = plan(old.built(), new.built(), &[], &BTreeSet::new(), false);
        assert!(!s.sitemap);
    }
}
