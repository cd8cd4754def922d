//! Full-text search for a static site: an index built here at build time,
//! sharded so that a query downloads only what it needs, and queried the
//! same way by `notes search` (here) and by `static/search.js` (in the
//! reader's browser, no server).
//!
//! Files, under `search/` in the output:
//! - `meta.json`: the number of term shards and of document chunks, the
//!   languages, and one character per document giving its language, with
//!   `|` before the first document of each translation group (documents
//!   are numbered group by group);
//! - `t/<k>.json`: the terms whose FNV-1a hash is `k` modulo the shard
//!   count, each with its postings `[doc, impact, doc gap, impact, …]`;
//! - `d/<k>.json`: documents `16k…16k+15` as `[url, title, lang, excerpt]`.
//!
//! Impacts are BM25 scores (×100, whole numbers) computed at build time
//! with field weights (title 3, error lines 4, other text 1), so a query
//! only adds numbers up. A term in more than half of the documents of a
//! large site tells nothing and is left out; a term keeps its 1,000 best
//! documents.

pub mod tokenize;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::markdown::Rendered;
use crate::note::Note;
use crate::render::OutputFile;
use crate::site::Site;

/// Documents per `d/<k>.json` file.
pub const CHUNK: usize = 16;
/// Postings kept per term: its best-scoring documents.
const MAX_POSTINGS: usize = 1000;
/// Bytes aimed at per term shard: a query of a dozen terms stays small.
const SHARD_BYTES: usize = 4 * 1024;
/// Query terms looked up at most (a pasted log can hold hundreds).
pub const MAX_QUERY_TERMS: usize = 24;
const TITLE_WEIGHT: f32 = 3.0;
const SIGNATURE_WEIGHT: f32 = 4.0;
/// Results scoring less than 1/RELEVANT of the best are left out.
const RELEVANT: u32 = 10;
/// The weight of a query term from an error line of the query.
const QUERY_SIGNATURE_WEIGHT: u32 = 3;
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// What one note contributes to the index; computed once per note version
/// (`serve` keeps them and recomputes only a changed note's).
#[derive(Debug, Clone, PartialEq)]
pub struct DocTerms {
    /// The note's distinct terms, sorted, one after another: one string
    /// per note rather than one per term, as a site's notes hold millions
    /// of terms, all kept until the index is made.
    terms: String,
    /// Where each term ends in `terms`, and its field-weighted frequency.
    ends: Vec<(u32, f32)>,
    /// Terms in the note, repeats counted (for length normalisation).
    len: f32,
    /// Error lines and the first paragraph, shown under a result.
    excerpt: String,
}

/// Terms and excerpt of one note.
pub fn analyze(note: &Note, rendered: &Rendered) -> DocTerms {
    let mut tf: FxHashMap<String, f32> = FxHashMap::default();
    let mut len = 0.0;
    let mut add = |text: &str, weight: f32| {
        tokenize::for_each_term(text, &mut |term| {
            len += 1.0;
            match tf.get_mut(term) {
                Some(f) => *f += weight,
                None => {
                    tf.insert(term.to_string(), weight);
                }
            }
        });
    };
    add(&note.title, TITLE_WEIGHT);
    // Error lines one by one; the text between them in one piece.
    let mut signatures: Vec<&str> = Vec::new();
    let body = note.body.as_str();
    let mut plain_start = 0;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if tokenize::is_signature(line) {
            add(&body[plain_start..offset], 1.0);
            add(line, SIGNATURE_WEIGHT);
            plain_start = offset + line.len();
            let shown = line.trim().trim_matches('`').trim();
            if signatures.len() < 2 && !signatures.contains(&shown) {
                signatures.push(shown);
            }
        }
        offset += line.len();
    }
    add(&body[plain_start..], 1.0);
    let mut tf: Vec<(String, f32)> = tf.into_iter().collect();
    tf.sort_by(|a, b| a.0.cmp(&b.0));
    let mut terms = String::with_capacity(tf.iter().map(|(t, _)| t.len()).sum());
    let ends = tf
        .iter()
        .map(|(t, f)| {
            terms.push_str(t);
            (terms.len() as u32, *f)
        })
        .collect();
    DocTerms {
        terms,
        ends,
        len,
        excerpt: excerpt(&signatures, &rendered.summary),
    }
}

impl DocTerms {
    /// Each distinct term with its weighted frequency, terms sorted.
    fn tf(&self) -> impl Iterator<Item = (&str, f32)> {
        let mut start = 0;
        self.ends.iter().map(move |&(end, f)| {
            let term = &self.terms[start..end as usize];
            start = end as usize;
            (term, f)
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

fn excerpt(signatures: &[&str], summary: &str) -> String {
    let mut parts: Vec<String> = signatures.iter().map(|s| cut(s, 160)).collect();
    parts.push(cut(summary, 220));
    parts.retain(|p| !p.is_empty());
    parts.join(" — ")
}

/// One document of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// Link under the site's base path.
    pub url: String,
    pub title: String,
    pub lang: String,
    pub excerpt: String,
    /// Index of the first document of its translation group.
    pub group: usize,
}

/// The search index of a site.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub docs: Vec<Doc>,
    pub languages: Vec<String>,
    /// Language code → its own name, for result labels.
    pub names: BTreeMap<String, String>,
    /// (term, [(document, impact)]), terms sorted, documents ascending.
    postings: Vec<(String, Vec<(u32, u32)>)>,
}

/// A query result: a translation group, shown in one of its languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The document shown (in the preferred language when the group has it).
    pub doc: usize,
    pub score: u32,
    /// The group's other documents, in site order.
    pub others: Vec<usize>,
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
                docs.push(Doc {
                    url: site.config.site_url.link(&n.url),
                    title: n.note.title.clone(),
                    lang: n.note.lang.clone(),
                    excerpt: terms[m].excerpt.clone(),
                    group: first,
                });
            }
        }
        let n = order.len();
        let lens: Vec<f32> = order.iter().map(|&m| terms[m].len).collect();
        let avg = lens.iter().sum::<f32>() / n.max(1) as f32;
        let mut by_term: FxHashMap<&str, Vec<(u32, f32)>> = FxHashMap::default();
        for (d, &m) in order.iter().enumerate() {
            for (t, f) in terms[m].tf() {
                by_term.entry(t).or_default().push((d as u32, f));
            }
        }
        let mut entries: Vec<(&str, Vec<(u32, f32)>)> = by_term.into_iter().collect();
        entries.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        let postings = entries
            .into_par_iter()
            .filter_map(|(term, list)| {
                let df = list.len() as f32;
                if n >= 50 && list.len() * 2 > n {
                    return None;
                }
                let idf = (1.0 + (n as f32 - df + 0.5) / (df + 0.5)).ln();
                let mut out: Vec<(u32, u32)> = list
                    .iter()
                    .map(|&(d, f)| {
                        let norm = K1 * (1.0 - B + B * lens[d as usize] / avg.max(1.0));
                        let impact = idf * f * (K1 + 1.0) / (f + norm);
                        (d, ((impact * 100.0).round() as u32).max(1))
                    })
                    .collect();
                if out.len() > MAX_POSTINGS {
                    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    out.truncate(MAX_POSTINGS);
                    out.sort();
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
            postings,
        }
    }

    fn postings(&self, term: &str) -> Option<&[(u32, u32)]> {
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
            .map(|(t, p)| t.len() + 6 + p.len() * 9)
            .sum();
        (bytes / SHARD_BYTES).max(1).next_power_of_two()
    }

    /// The index as files of the site, under `search/`.
    pub fn files(&self) -> Vec<OutputFile> {
        let shards = self.shard_count();
        let mut files = Vec::new();
        let map = self.map();
        let meta = serde_json::json!({
            "version": 1,
            "docs": self.docs.len(),
            "shards": shards,
            "chunk": CHUNK,
            "languages": self.languages,
            "names": self.names,
            "map": map,
        });
        files.push(OutputFile::bytes("search/meta.json", json(&meta)));
        let mut by_shard: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); shards];
        for (term, list) in &self.postings {
            let term = term.as_str();
            let mut flat = Vec::with_capacity(list.len() * 2);
            let mut last = 0;
            for &(d, w) in list {
                flat.push(d - last);
                flat.push(w);
                last = d;
            }
            by_shard[shard_of(term, shards)].insert(term, flat);
        }
        for (k, shard) in by_shard.iter().enumerate() {
            files.push(OutputFile::bytes(format!("search/t/{k}.json"), json(shard)));
        }
        for (k, chunk) in self.docs.chunks(CHUNK).enumerate() {
            let rows: Vec<[&str; 4]> = chunk
                .iter()
                .map(|d| [&d.url, &d.title, &d.lang, &d.excerpt].map(String::as_str))
                .collect();
            files.push(OutputFile::bytes(format!("search/d/{k}.json"), json(&rows)));
        }
        files
    }

    /// One character per document: its language, `|` before a group.
    fn map(&self) -> String {
        let mut map = String::with_capacity(self.docs.len() * 2);
        for (i, d) in self.docs.iter().enumerate() {
            if d.group == i {
                map.push('|');
            }
            let l = self
                .languages
                .iter()
                .position(|l| *l == d.lang)
                .unwrap_or(0);
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
        let mut scores: HashMap<usize, u32> = HashMap::new();
        for (term, weight) in query_terms(text) {
            if let Some(list) = self.postings(&term) {
                for &(d, w) in list {
                    *scores.entry(d as usize).or_default() += weight * w;
                }
            }
        }
        let mut groups: BTreeMap<usize, (u32, Vec<usize>)> = BTreeMap::new();
        for (&d, &s) in &scores {
            if only.is_some_and(|l| self.docs[d].lang != l) {
                continue;
            }
            let g = groups.entry(self.docs[d].group).or_default();
            g.0 = g.0.max(s);
            g.1.push(d);
        }
        // A group's documents are numbered one after the other.
        let members = |g: usize| (g..self.docs.len()).take_while(move |&i| self.docs[i].group == g);
        let mut hits: Vec<(bool, Hit)> = groups
            .into_iter()
            .map(|(g, (score, mut matched))| {
                matched.sort_by(|a, b| scores[b].cmp(&scores[a]).then(a.cmp(b)));
                let preferred = prefer.and_then(|p| {
                    members(g).find(|&i| self.docs[i].lang == p && only.is_none_or(|o| o == p))
                });
                let doc = preferred.unwrap_or(matched[0]);
                let others = members(g).filter(|&i| i != doc && only.is_none()).collect();
                (preferred.is_some(), Hit { doc, score, others })
            })
            .collect();
        // Matches on a word or two of a long paste are noise next to the
        // note that holds the error: keep what scores a tenth of the best.
        let best = hits.iter().map(|h| h.1.score).max().unwrap_or(0);
        hits.retain(|h| h.1.score * RELEVANT >= best);
        hits.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.score.cmp(&a.1.score))
                .then(a.1.doc.cmp(&b.1.doc))
        });
        hits.into_iter().take(limit).map(|(_, h)| h).collect()
    }

    /// The bytes a browser downloads for `text`: the meta file, the term
    /// shards of its terms and the document chunks of the first `limit`
    /// results (what `search.js` fetches).
    pub fn transfer(&self, text: &str, prefer: Option<&str>, limit: usize) -> usize {
        let files = self.files();
        let size = |path: &str| {
            files
                .iter()
                .find(|f| f.path == path)
                .map_or(0, |f| match &f.content {
                    crate::render::Content::Bytes(b) => b.len(),
                    _ => 0,
                })
        };
        let shards = self.shard_count();
        let mut paths: std::collections::BTreeSet<String> = query_terms(text)
            .iter()
            .map(|(t, _)| format!("search/t/{}.json", shard_of(t, shards)))
            .collect();
        for hit in self.query(text, prefer, None, limit) {
            for d in std::iter::once(hit.doc).chain(hit.others) {
                paths.insert(format!("search/d/{}.json", d / CHUNK));
            }
        }
        size("search/meta.json") + paths.iter().map(|p| size(p)).sum::<usize>()
    }
}

/// The terms of a query with their weights: terms of error lines weigh
/// most; a long paste keeps its `MAX_QUERY_TERMS` weightiest, longest terms.
pub fn query_terms(text: &str) -> Vec<(String, u32)> {
    let mut weights: BTreeMap<String, u32> = BTreeMap::new();
    for line in text.lines() {
        let w = if tokenize::is_signature(line) {
            QUERY_SIGNATURE_WEIGHT
        } else {
            1
        };
        for t in tokenize::terms(line) {
            let e = weights.entry(t).or_default();
            *e = (*e).max(w);
        }
    }
    let mut terms: Vec<(String, u32)> = weights.into_iter().collect();
    terms.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(b.0.chars().count().cmp(&a.0.chars().count()))
            .then(a.0.cmp(&b.0))
    });
    terms.truncate(MAX_QUERY_TERMS);
    terms
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
    let (config, _) = crate::config::Config::load(&options.root, &options.overrides)?;
    let sources = crate::discover::discover(&config, options.drafts)?;
    let notes = crate::read_notes(&sources, &config, options.drafts, &crate::Quiet)?;
    let site = Site::assemble(config, notes, &mut Vec::new())?;
    let highlighter = crate::highlight::Highlighter::new();
    highlighter.load(&crate::session::cache_file(&site.config));
    let rendered = crate::render_markdown(&site, &highlighter, &crate::Quiet);
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
    add(format!("{CHUNK} {SHARD_BYTES} {MAX_POSTINGS}").as_bytes());
    add(site.config.site_url.base_path.as_bytes());
    for l in &site.languages {
        add(l.code.as_bytes());
        add(l.name.as_bytes());
    }
    for g in &site.groups {
        for &m in &g.members {
            let n = &site.notes[m];
            let summary = rendered.get(m).map_or("", |r| r.summary.as_str());
            for part in [&n.url, &n.note.title, &n.note.lang, &n.note.body] {
                add(part.as_bytes());
            }
            add(summary.as_bytes());
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
