//! Full-text search for a static site: an index built here at build time,
//! sharded so that a query downloads only what it needs, and queried the
//! same way by `notes search` (here, over the files in memory or over
//! HTTP from a deployed site) and by `static/search.js` (in the reader's
//! browser, no server).
//!
//! Files, under `search/` in the output:
//! - `meta.json`: the format version, the number of term shards and of
//!   document chunks, the languages, the most common terms (a long paste
//!   looks those up last), and one character per document giving its
//!   language, with `|` before the first document of each translation
//!   group (documents are numbered group by group);
//! - `t/<k>.json`: the terms whose FNV-1a hash is `k` modulo the shard
//!   count, each with its postings `[doc gap, impact × 64 + section, …]`;
//! - `d/<k>.json`: documents `16k…16k+15` as `[url, title, lang, summary,
//!   sections]`, a section being `[anchor, heading, [error lines]]`
//!   (section 0 is the text before the first heading).
//!
//! Impacts are BM25 scores (×100, whole numbers) computed at build time
//! with field weights (title 3, more for a one-word title, error lines 4,
//! other text 1), so a query adds numbers up; how it ranks is in
//! [`rank`]. A term in more than half of the documents of a large site
//! tells nothing and is left out; a term keeps its 1,000 best documents.

pub mod rank;
pub mod remote;
pub mod tokenize;

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::markdown::Rendered;
use crate::note::Note;
use crate::output::OutputFile;
use crate::site::Site;

pub use rank::{Hit, query_terms};

/// The index format `meta.json` names; `notes search --site` refuses
/// another.
pub const VERSION: u32 = 2;
/// Documents per `d/<k>.json` file.
pub const CHUNK: usize = 16;
/// Postings kept per term: its best-scoring documents.
const MAX_POSTINGS: usize = 1000;
/// Bytes aimed at per term shard: a query of a dozen terms stays small.
const SHARD_BYTES: usize = 4 * 1024;
/// How many of the most common terms `meta.json` lists.
const COMMON_TERMS: usize = 256;
const TITLE_WEIGHT: f32 = 3.0;
/// The impact of a one-word title's term (`rsync`, `docker-compose`) is
/// multiplied by this: the page about exactly that.
const EXACT_TITLE_BOOST: f32 = 2.0;
const SIGNATURE_WEIGHT: f32 = 4.0;
/// Error lines shown per section and per note, and their length.
const SECTION_ERRORS: usize = 3;
const NOTE_ERRORS: usize = 8;
const ERROR_CHARS: usize = 160;
/// Sections a posting can name (the section fits in 6 bits); a term whose
/// best place is further down points at the top of the note.
const MAX_SECTIONS: usize = 64;
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A part of a note under one heading, for results that point into it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Section {
    /// The heading's id (empty for the text before the first heading).
    pub anchor: String,
    pub heading: String,
    /// Its error lines (as written, trimmed), shown when they match.
    pub errors: Vec<String>,
}

/// What one note contributes to the index; computed once per note version
/// (`serve` keeps them and recomputes only a changed note's).
#[derive(Debug, Clone, PartialEq)]
pub struct DocTerms {
    /// The note's distinct terms, sorted, one after another: one string
    /// per note rather than one per term, as a site's notes hold millions
    /// of terms, all kept until the index is made.
    terms: String,
    /// Where each term ends in `terms`, its field-weighted frequency and
    /// the section where it weighs most.
    ends: Vec<(u32, f32, u8)>,
    /// Terms in the note, repeats counted (for length normalisation).
    len: f32,
    /// The term of a one-word title.
    exact: Option<String>,
    /// The first paragraph, shown under a result when no error line matched.
    summary: String,
    sections: Vec<Section>,
}

/// A term's weight in the note so far: in all, in the section being
/// read, and in the section where it weighs most.
#[derive(Default)]
struct Weight {
    total: f32,
    current: (u8, f32),
    best: (u8, f32),
}

/// Terms, sections and summary of one note.
pub fn analyze(note: &Note, rendered: &Rendered) -> DocTerms {
    let tf: std::cell::RefCell<FxHashMap<String, Weight>> = Default::default();
    let mut len = 0.0;
    let count = |term: &str, weight: f32, section: u8| {
        let mut tf = tf.borrow_mut();
        let w = match tf.get_mut(term) {
            Some(w) => w,
            None => tf.entry(term.to_string()).or_default(),
        };
        w.total += weight;
        if w.current.0 == section && w.current.1 > 0.0 {
            w.current.1 += weight;
        } else {
            w.current = (section, weight);
        }
        if w.current.1 > w.best.1 {
            w.best = w.current;
        }
    };
    let mut add = |text: &str, weight: f32, section: u8, counted: bool| {
        tokenize::for_each_term(text, &mut |term| {
            if counted {
                len += 1.0;
            }
            count(term, weight, section);
        });
    };
    let add_phrase = |phrase: &str, section: u8| count(phrase, SIGNATURE_WEIGHT, section);
    add(&note.title, TITLE_WEIGHT, 0, true);
    let title = note.title.trim();
    let exact = if !title.is_empty() && !title.contains(char::is_whitespace) {
        tokenize::terms(title).into_iter().next()
    } else {
        None
    };
    let mut sections = vec![Section::default()];
    let headings: Vec<_> = rendered.toc.iter().filter(|t| t.line > 0).collect();
    let mut shown = 0;
    for (number, line) in note.body.lines().enumerate() {
        let number = number + 1;
        while sections.len() <= headings.len() && headings[sections.len() - 1].line <= number {
            let h = headings[sections.len() - 1];
            sections.push(Section {
                anchor: h.id.clone(),
                heading: h.title.clone(),
                errors: Vec::new(),
            });
        }
        let at = sections.len() - 1;
        let section = if at < MAX_SECTIONS { at as u8 } else { 0 };
        let errors: Vec<&str> = if tokenize::is_signature(line) {
            add(line, SIGNATURE_WEIGHT, section, true);
            vec![line.trim().trim_matches('`').trim()]
        } else {
            add(line, 1.0, section, true);
            let quoted = tokenize::quoted_errors(line);
            for q in &quoted {
                add(q, SIGNATURE_WEIGHT - 1.0, section, false);
            }
            quoted
        };
        for e in &errors {
            for p in tokenize::phrases(e) {
                add_phrase(&p, section);
            }
        }
        let list = &mut sections[at].errors;
        for e in errors {
            let e = cut(e, ERROR_CHARS);
            if shown < NOTE_ERRORS
                && list.len() < SECTION_ERRORS
                && !e.is_empty()
                && !list.contains(&e)
            {
                list.push(e);
                shown += 1;
            }
        }
    }
    let mut tf: Vec<(String, Weight)> = tf.into_inner().into_iter().collect();
    tf.sort_by(|a, b| a.0.cmp(&b.0));
    let mut terms = String::with_capacity(tf.iter().map(|(t, _)| t.len()).sum());
    let ends = tf
        .iter()
        .map(|(t, w)| {
            terms.push_str(t);
            (terms.len() as u32, w.total, w.best.0)
        })
        .collect();
    DocTerms {
        terms,
        ends,
        len,
        exact,
        summary: cut(&rendered.summary, 220),
        sections,
    }
}

impl DocTerms {
    /// Each distinct term with its weighted frequency and best section,
    /// terms sorted.
    fn tf(&self) -> impl Iterator<Item = (&str, f32, u8)> {
        let mut start = 0;
        self.ends.iter().map(move |&(end, f, s)| {
            let term = &self.terms[start..end as usize];
            start = end as usize;
            (term, f, s)
        })
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// One document of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// Link under the site's base path.
    pub url: String,
    pub title: String,
    pub lang: String,
    /// The first paragraph.
    pub summary: String,
    /// The note's sections; empty when it has neither headings nor error
    /// lines (most of a command reference).
    pub sections: Vec<Section>,
    /// Index of the first document of its translation group.
    pub group: usize,
}

/// One entry of a term's postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    /// BM25 × 100.
    pub impact: u32,
    /// The section of the document where the term weighs most.
    pub section: u8,
}

/// The search index of a site.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub docs: Vec<Doc>,
    pub languages: Vec<String>,
    /// Language code → its own name, for result labels.
    pub names: BTreeMap<String, String>,
    /// The most common terms, sorted (see [`rank::query_terms`]).
    pub common: Vec<String>,
    /// (term, postings), terms sorted, documents ascending.
    postings: Vec<(String, Vec<Posting>)>,
    /// What `meta.json` holds, made once on first use (every query needs it).
    meta: std::sync::OnceLock<rank::Meta>,
}

impl Index {
    /// Builds the index; `terms[i]` are those of `site.notes[i]`.
    pub fn build(site: &Site, terms: &[Arc<DocTerms>]) -> Index {
        let order: Vec<usize> = site
            .groups
            .iter()
            .flat_map(|g| g.members.iter().copied())
            .collect();
        let mut docs = Vec::with_capacity(order.len());
        for g in &site.groups {
            let first = docs.len();
            for &m in &g.members {
                let n = &site.notes[m];
                let sections = &terms[m].sections;
                let plain = sections.len() == 1 && sections[0].errors.is_empty();
                docs.push(Doc {
                    url: site.config.site_url.link(&n.url),
                    title: n.note.title.clone(),
                    lang: n.note.lang.clone(),
                    summary: terms[m].summary.clone(),
                    sections: if plain { Vec::new() } else { sections.clone() },
                    group: first,
                });
            }
        }
        let n = order.len();
        let lens: Vec<f32> = order.iter().map(|&m| quantised(terms[m].len)).collect();
        let avg = lens.iter().sum::<f32>() / n.max(1) as f32;
        // (document, frequency, section, exact title)
        type Entry = (u32, f32, u8, bool);
        let mut by_term: FxHashMap<&str, Vec<Entry>> = FxHashMap::default();
        for (d, &m) in order.iter().enumerate() {
            let exact = terms[m].exact.as_deref();
            for (t, f, s) in terms[m].tf() {
                by_term
                    .entry(t)
                    .or_default()
                    .push((d as u32, f, s, exact == Some(t)));
            }
        }
        let mut entries: Vec<(&str, Vec<Entry>)> = by_term.into_iter().collect();
        entries.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        let group_of: Vec<usize> = docs.iter().map(|d: &Doc| d.group).collect();
        let common = common_terms(&entries, |e| e.0, &group_of);
        let postings = entries
            .into_par_iter()
            .filter_map(|(term, list)| {
                let df = list.len() as f32;
                if n >= 50 && list.len() * 2 > n {
                    return None;
                }
                let idf = (1.0 + (n as f32 - df + 0.5) / (df + 0.5)).ln();
                let mut out: Vec<Posting> = list
                    .iter()
                    .map(|&(d, f, section, exact)| {
                        let norm = K1 * (1.0 - B + B * lens[d as usize] / avg.max(1.0));
                        let boost = if exact { EXACT_TITLE_BOOST } else { 1.0 };
                        let impact = boost * idf * f * (K1 + 1.0) / (f + norm);
                        Posting {
                            doc: d,
                            impact: ((impact * 100.0).round() as u32).max(1),
                            section,
                        }
                    })
                    .collect();
                if out.len() > MAX_POSTINGS {
                    out.sort_by(|a, b| b.impact.cmp(&a.impact).then(a.doc.cmp(&b.doc)));
                    out.truncate(MAX_POSTINGS);
                    out.sort_by_key(|p| p.doc);
                }
                Some((term.to_string(), out))
            })
            .collect();
        Index {
            docs,
            languages: site.languages.iter().map(|l| l.code.clone()).collect(),
            names: site
                .languages
                .iter()
                .map(|l| (l.code.clone(), l.name.clone()))
                .collect(),
            common,
            postings,
            meta: std::sync::OnceLock::new(),
        }
    }

    /// A term's postings, if it is in the index.
    pub fn postings(&self, term: &str) -> Option<&[Posting]> {
        self.postings
            .binary_search_by(|(t, _)| t.as_str().cmp(term))
            .ok()
            .map(|i| self.postings[i].1.as_slice())
    }

    /// How many term shards: about `SHARD_BYTES` each, a power of two.
    fn shard_count(&self) -> usize {
        let bytes: usize = self
            .postings
            .iter()
            .map(|(t, p)| t.len() + 6 + p.len() * 10)
            .sum();
        (bytes / SHARD_BYTES).max(1).next_power_of_two()
    }

    /// What a query needs before it looks terms up: what `meta.json` holds.
    pub fn meta(&self) -> &rank::Meta {
        self.meta.get_or_init(|| rank::Meta {
            version: VERSION,
            shards: self.shard_count(),
            chunk: CHUNK,
            languages: self.languages.clone(),
            names: self.names.clone(),
            common: self.common.clone(),
            lang_of: self
                .docs
                .iter()
                .map(|d| {
                    self.languages
                        .iter()
                        .position(|l| *l == d.lang)
                        .unwrap_or(0)
                })
                .collect(),
            group_of: self.docs.iter().map(|d| d.group).collect(),
        })
    }

    /// The index as files of the site, under `search/`.
    pub fn files(&self) -> Vec<OutputFile> {
        let shards = self.meta().shards;
        let mut files = Vec::new();
        let meta = serde_json::json!({
            "version": VERSION,
            "docs": self.docs.len(),
            "shards": shards,
            "chunk": CHUNK,
            "languages": self.languages,
            "names": self.names,
            "common": self.common,
            "map": self.map(),
        });
        files.push(OutputFile::bytes("search/meta.json", json(&meta)));
        let mut by_shard: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); shards];
        for (term, list) in &self.postings {
            let term = term.as_str();
            let mut flat = Vec::with_capacity(list.len() * 2);
            let mut last = 0;
            for p in list {
                flat.push(p.doc - last);
                flat.push(p.impact * MAX_SECTIONS as u32 + p.section as u32);
                last = p.doc;
            }
            by_shard[shard_of(term, shards)].insert(term, flat);
        }
        for (k, shard) in by_shard.iter().enumerate() {
            files.push(OutputFile::bytes(format!("search/t/{k}.json"), json(shard)));
        }
        for (k, chunk) in self.docs.chunks(CHUNK).enumerate() {
            let rows: Vec<serde_json::Value> = chunk.iter().map(row).collect();
            files.push(OutputFile::bytes(format!("search/d/{k}.json"), json(&rows)));
        }
        files
    }

    /// One character per document: its language, `|` before a group.
    fn map(&self) -> String {
        let meta = self.meta();
        let mut map = String::with_capacity(self.docs.len() * 2);
        for (i, (&l, &g)) in meta.lang_of.iter().zip(&meta.group_of).enumerate() {
            if g == i {
                map.push('|');
            }
            map.push(lang_char(l));
        }
        map
    }

    /// Ranked results for `text`. Groups with a document in `prefer` come
    /// first and show that document; `only` keeps documents of one language.
    pub fn query(
        &self,
        text: &str,
        prefer: Option<&str>,
        only: Option<&str>,
        limit: usize,
    ) -> Vec<Hit> {
        let meta = self.meta();
        let terms = query_terms(text, &meta.common);
        let found: Vec<Option<&[Posting]>> = terms.iter().map(|(t, _)| self.postings(t)).collect();
        rank::rank(meta, &terms, &found, prefer, only, limit)
    }

    /// The bytes the search box downloads for `text`: the meta file, the
    /// term shards of its terms and the document chunks of the first
    /// `limit` results (what `search.js` fetches; the box does not list
    /// results' other languages, the search page does).
    pub fn transfer(&self, text: &str, prefer: Option<&str>, limit: usize) -> usize {
        self.transfer_files(text, prefer, limit, false)
            .iter()
            .map(|(_, bytes)| bytes.len())
            .sum()
    }

    /// The files [`transfer`](Self::transfer) counts, with their bytes.
    pub fn transfer_files(
        &self,
        text: &str,
        prefer: Option<&str>,
        limit: usize,
        others: bool,
    ) -> Vec<(String, Arc<[u8]>)> {
        let paths = self.transfer_paths(text, prefer, limit, others);
        self.files()
            .into_iter()
            .filter(|f| paths.contains(&f.path))
            .filter_map(|f| match f.content {
                crate::output::Content::Bytes(b) => Some((f.path, b)),
                _ => None,
            })
            .collect()
    }

    /// The paths of the files a browser fetches for `text`: the meta file,
    /// the shards of the query's terms, the chunks of the results'
    /// documents (and of their other languages' with `others`).
    pub fn transfer_paths(
        &self,
        text: &str,
        prefer: Option<&str>,
        limit: usize,
        others: bool,
    ) -> std::collections::BTreeSet<String> {
        let shards = self.meta().shards;
        let mut paths: std::collections::BTreeSet<String> = query_terms(text, &self.common)
            .iter()
            .map(|(t, _)| format!("search/t/{}.json", shard_of(t, shards)))
            .collect();
        paths.insert("search/meta.json".to_string());
        for hit in self.query(text, prefer, None, limit) {
            let others = hit.others.into_iter().filter(|_| others);
            for d in std::iter::once(hit.doc).chain(others) {
                paths.insert(format!("search/d/{}.json", d / CHUNK));
            }
        }
        paths
    }
}

/// A note's length in steps of 1/8 of a doubling (about 9%), as Lucene
/// keeps its length norms in a byte: a small edit leaves every impact
/// of the note, and so the index files it is in, as they were; only the
/// terms that came or went change.
fn quantised(len: f32) -> f32 {
    if len <= 1.0 {
        return len.max(0.0);
    }
    ((len.log2() * 8.0).round() / 8.0).exp2()
}

/// A document as a row of `d/<k>.json`.
fn row(d: &Doc) -> serde_json::Value {
    let sections: Vec<serde_json::Value> = d
        .sections
        .iter()
        .map(|s| serde_json::json!([s.anchor, s.heading, s.errors]))
        .collect();
    serde_json::json!([d.url, d.title, d.lang, d.summary, sections])
}

/// The `COMMON_TERMS` terms in the most notes (those left out of the
/// index among them), sorted. Notes, not documents: a term in every
/// translation of one note is a rare one. A term must be in a fiftieth
/// of the notes and in ten of them: on a small site no term is common.
fn common_terms<T>(
    entries: &[(&str, Vec<T>)],
    doc: impl Fn(&T) -> u32,
    group_of: &[usize],
) -> Vec<String> {
    let groups = group_of
        .iter()
        .enumerate()
        .filter(|&(d, &g)| d == g)
        .count();
    let floor = (groups / 50).max(10);
    let mut by_df: Vec<(usize, &str)> = entries
        .iter()
        .map(|(t, list)| {
            let mut notes: Vec<usize> = list.iter().map(|p| group_of[doc(p) as usize]).collect();
            notes.dedup();
            (notes.len(), *t)
        })
        .filter(|&(df, _)| df >= floor)
        .collect();
    by_df.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut common: Vec<String> = by_df
        .into_iter()
        .take(COMMON_TERMS)
        .map(|(_, t)| t.to_string())
        .collect();
    common.sort();
    common
}

/// FNV-1a (32 bits) of the term's UTF-8 bytes, modulo the shard count;
/// `search.js` computes the same.
pub fn shard_of(term: &str, shards: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in term.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h as usize % shards
}

fn lang_char(l: usize) -> char {
    char::from_u32(if l < 26 {
        0x61 + l as u32
    } else {
        0x100 + l as u32
    })
    .unwrap_or('a')
}

fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// The index of the site at `options.root`, as `notes build` would write
/// it (for `notes search`): notes are read and their Markdown rendered
/// (with the saved highlighting), no page is.
pub fn open(options: &crate::BuildOptions) -> Result<(Site, Index), crate::Error> {
    let site = crate::pipeline::load(options)?;
    let highlighter = crate::highlight::Highlighter::new();
    highlighter.load(&site.config.highlight_cache());
    let rendered = crate::pipeline::render_markdown(&site, &highlighter, &crate::Quiet);
    let terms: Vec<Arc<DocTerms>> = site
        .notes
        .par_iter()
        .zip(rendered.par_iter())
        .map(|(n, r)| Arc::new(analyze(&n.note, r)))
        .collect();
    let index = Index::build(&site, &terms);
    Ok((site, index))
}

/// A hash of everything the index is made from: each note's text, title,
/// language, URL and summary, the translation groups and the languages.
/// Two sites with the same key have the same index files.
pub fn inputs_key(site: &Site, rendered: &[Arc<Rendered>]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut add = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    add(env!("CARGO_PKG_VERSION").as_bytes());
    add(format!("{VERSION} {CHUNK} {SHARD_BYTES} {MAX_POSTINGS}").as_bytes());
    add(site.config.site_url.base_path.as_bytes());
    for l in &site.languages {
        add(l.code.as_bytes());
        add(l.name.as_bytes());
    }
    for g in &site.groups {
        for &m in &g.members {
            let n = &site.notes[m];
            let r = rendered.get(m);
            let summary = r.map_or("", |r| r.summary.as_str());
            for part in [&n.url, &n.note.title, &n.note.lang, &n.note.body] {
                add(part.as_bytes());
            }
            add(summary.as_bytes());
            for t in r.map_or(&[][..], |r| r.toc.as_slice()) {
                add(format!("{} {} {}", t.line, t.id, t.title).as_bytes());
            }
        }
        add(b"|");
    }
    h.digest128()
}

/// Whether an output file belongs to the search index (not the search
/// pages, which are HTML).
pub fn is_index_file(path: &str) -> bool {
    path.starts_with("search/") && path.ends_with(".json")
}
