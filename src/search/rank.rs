//! How a query is ranked, the same here (`notes search`, locally or over
//! HTTP) and in `static/search.js` (a test keeps the two equal):
//!
//! 1. **Terms.** Each line of the query is cut into terms as the index
//!    was ([`tokenize`]); the terms of an error line weigh 3, those of a
//!    log prefix (`2026-01-02 ERROR`, `npm error`), of the wording
//!    many errors share (`command not found`, `No module named`: what is
//!    left, the name, tells them apart) and of other lines 1; the shell
//!    that printed an error (`zsh:`, `/bin/sh: 1:`) is left out. A long paste keeps the [`MAX_QUERY_TERMS`] terms that identify
//!    the error best: error lines' first, then terms that are not among
//!    the index's most common, then terms that are not paths, then the
//!    longest.
//! 2. **Score.** A document scores the sum of weight × impact (its BM25
//!    score for the term, computed at build time) over the query's terms,
//!    plus half of what its best section scores alone (matches close
//!    together, in one section, count more).
//! 3. **Coverage.** The score is multiplied by the share of the query's
//!    weight the document matches, each term counting weight × idf: a
//!    note that holds the whole error beats a short page that holds two
//!    of its words.
//!
//! A translation group counts its best document and shows the one in the
//! reader's language; groups scoring under a tenth of the best are left
//! out. All arithmetic after the idf is in whole numbers, so that the
//! browser's doubles and Rust's integers agree exactly.

use std::collections::{BTreeMap, HashMap};

use super::{Doc, Posting, tokenize};

/// Query terms looked up at most (a pasted log can hold hundreds).
pub const MAX_QUERY_TERMS: usize = 16;
/// Phrases (pairs of neighbouring names of an error line) looked up at
/// most, besides the terms.
pub const MAX_QUERY_PHRASES: usize = 6;
/// How many terms outside the index's most common make those unneeded.
const ENOUGH_RARE: usize = 3;
/// The weight of a query term from an error line of the query.
const SIGNATURE: u32 = 3;
/// Results scoring less than 1/RELEVANT of the best are left out.
const RELEVANT: u64 = 10;

/// What `meta.json` says, parsed.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub version: u32,
    pub shards: usize,
    pub chunk: usize,
    pub languages: Vec<String>,
    pub names: BTreeMap<String, String>,
    /// The most common terms, sorted.
    pub common: Vec<String>,
    /// Each document's language, as an index into `languages`.
    pub lang_of: Vec<usize>,
    /// Each document's group: the index of the group's first document.
    pub group_of: Vec<usize>,
}

/// A query result: a translation group, shown in one of its languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The document shown (in the preferred language when the group has it).
    pub doc: usize,
    pub score: u64,
    /// The group's other documents, in site order.
    pub others: Vec<usize>,
    /// The section of `doc` that matched best (0: the top of the note).
    pub section: usize,
}

/// The terms of a query with their weights, at most [`MAX_QUERY_TERMS`],
/// the most identifying first (see the module's doc).
pub fn query_terms(text: &str, common: &[String]) -> Vec<(String, u32)> {
    let mut weights: BTreeMap<String, u32> = BTreeMap::new();
    let mut phrases: BTreeMap<String, u32> = BTreeMap::new();
    let mut add = |text: &str, w: u32| {
        for t in tokenize::terms(text) {
            let e = weights.entry(t).or_default();
            *e = (*e).max(w);
        }
    };
    // An error line ending in `:` (Rust's `thread 'main' panicked at
    // src/main.rs:2:5:`) has its message on the next line.
    let mut continued = false;
    for line in text.lines() {
        let signature = tokenize::is_signature(line);
        if signature || continued {
            let line = line.trim();
            let (message, _) = tokenize::strip_log_prefix(line);
            add(&line[..line.len() - message.len()], 1);
            let message = tokenize::strip_shell(message);
            let (subject, template) = tokenize::split_template(message);
            add(&template, 1);
            add(&subject, SIGNATURE);
            for p in tokenize::phrases(message) {
                phrases.entry(p).or_insert(SIGNATURE);
            }
        } else {
            add(line, 1);
        }
        continued = signature && line.contains(" panicked at ") && line.trim_end().ends_with(':');
    }
    let mut terms = most_identifying(weights, common, MAX_QUERY_TERMS);
    terms.extend(most_identifying(phrases, common, MAX_QUERY_PHRASES));
    terms
}

/// The `max` terms that identify an error best: by weight, then those
/// not among the index's most common (left out where three others are),
/// then those that are not paths, then the longest.
fn most_identifying(
    weights: BTreeMap<String, u32>,
    common: &[String],
    max: usize,
) -> Vec<(String, u32)> {
    let common = |t: &str| common.binary_search_by(|c| c.as_str().cmp(t)).is_ok();
    let path = |t: &str| t.contains(['/', '\\']);
    let mut terms: Vec<(String, u32)> = weights.into_iter().collect();
    terms.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(common(&a.0).cmp(&common(&b.0)))
            .then(path(&a.0).cmp(&path(&b.0)))
            .then(b.0.chars().count().cmp(&a.0.chars().count()))
            .then(a.0.cmp(&b.0))
    });
    // The most common terms (`the`, `file`) hold the longest postings
    // and tell least: left out when three others are there.
    if terms.iter().filter(|(t, _)| !common(t)).count() >= ENOUGH_RARE {
        terms.retain(|(t, _)| !common(t));
    }
    terms.truncate(max);
    terms
}

/// A term's idf × 100, rounded, from its number of postings.
fn idf(docs: usize, df: usize) -> u64 {
    let (n, df) = (docs as f64, df as f64);
    (100.0 * (1.0 + (n - df + 0.5) / (df + 0.5)).ln()).round() as u64
}

/// Ranks documents for `terms`, given each term's postings (`None`: not
/// in the index). Groups with a document in `prefer` come first and show
/// that document; `only` keeps documents of one language.
pub fn rank(
    meta: &Meta,
    terms: &[(String, u32)],
    found: &[Option<&[Posting]>],
    prefer: Option<&str>,
    only: Option<&str>,
    limit: usize,
) -> Vec<Hit> {
    let docs = meta.lang_of.len();
    let mut total: u64 = 0;
    // Per document: score, matched weight; per (document, section): score.
    let mut scores: HashMap<usize, (u64, u64)> = HashMap::new();
    let mut sections: HashMap<(usize, usize), u64> = HashMap::new();
    for ((_, weight), list) in terms.iter().zip(found) {
        let Some(list) = list else { continue };
        let w = *weight as u64;
        let idf = idf(docs, list.len());
        total += w * idf;
        for p in list.iter() {
            let d = p.doc as usize;
            let e = scores.entry(d).or_default();
            e.0 += w * p.impact as u64;
            e.1 += w * idf;
            *sections.entry((d, p.section as usize)).or_default() += w * p.impact as u64;
        }
    }
    // The best section of each document: the highest score, then the first.
    let mut best: HashMap<usize, (u64, usize)> = HashMap::new();
    for (&(d, s), &score) in &sections {
        let e = best.entry(d).or_insert((score, s));
        if score > e.0 || score == e.0 && s < e.1 {
            *e = (score, s);
        }
    }
    let lang = |d: usize| meta.languages.get(meta.lang_of[d]).map(String::as_str);
    let final_score = |d: usize| {
        let (score, matched) = scores[&d];
        let near = best.get(&d).map_or(0, |b| b.0);
        (score + near / 2) * matched / total.max(1)
    };
    let mut groups: BTreeMap<usize, (u64, Vec<(u64, usize)>)> = BTreeMap::new();
    for &d in scores.keys() {
        if only.is_some_and(|l| lang(d) != Some(l)) {
            continue;
        }
        let s = final_score(d);
        let g = groups.entry(meta.group_of[d]).or_default();
        g.0 = g.0.max(s);
        g.1.push((s, d));
    }
    // A group's documents are numbered one after the other.
    let members = |g: usize| (g..docs).take_while(move |&i| meta.group_of[i] == g);
    let mut hits: Vec<(bool, Hit)> = groups
        .into_iter()
        .map(|(g, (score, mut matched))| {
            matched.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let preferred = prefer.and_then(|p| {
                members(g).find(|&i| lang(i) == Some(p) && only.is_none_or(|o| o == p))
            });
            let doc = preferred.unwrap_or(matched[0].1);
            let others = members(g).filter(|&i| i != doc && only.is_none()).collect();
            let section = best.get(&doc).map_or(0, |b| b.1);
            (
                preferred.is_some(),
                Hit {
                    doc,
                    score,
                    others,
                    section,
                },
            )
        })
        .collect();
    // Matches on a word or two of a long paste are noise next to the
    // note that holds the error: keep what scores a tenth of the best.
    let top = hits.iter().map(|h| h.1.score).max().unwrap_or(0);
    hits.retain(|h| h.1.score * RELEVANT >= top && h.1.score > 0);
    hits.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.score.cmp(&a.1.score))
            .then(a.1.doc.cmp(&b.1.doc))
    });
    hits.into_iter().take(limit).map(|(_, h)| h).collect()
}

/// What a result shows under its title: the section it points at and the
/// error line of the note that matches the query best, or the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The section's heading and id; empty for the top of the note.
    pub heading: String,
    pub anchor: String,
    pub text: String,
}

/// The excerpt of `doc` for a hit on `section`: of the note's error lines,
/// the one holding the most query weight (the hit's section first on a
/// tie), else the note's summary.
pub fn excerpt(doc: &Doc, section: usize, terms: &[(String, u32)]) -> Excerpt {
    let wanted: HashMap<&str, u32> = terms.iter().map(|(t, w)| (t.as_str(), *w)).collect();
    let mut best: Option<(u32, bool, &str)> = None;
    for (k, s) in doc.sections.iter().enumerate() {
        for line in &s.errors {
            let mut seen = std::collections::HashSet::new();
            let weight: u32 = tokenize::terms(line)
                .into_iter()
                .filter(|t| seen.insert(t.clone()))
                .filter_map(|t| wanted.get(t.as_str()).copied())
                .sum();
            let here = k == section;
            let better = best.is_none_or(|(w, h, _)| weight > w || weight == w && here && !h);
            if weight > 0 && better {
                best = Some((weight, here, line));
            }
        }
    }
    let (heading, anchor) = doc
        .sections
        .get(section)
        .map_or((String::new(), String::new()), |s| {
            (s.heading.clone(), s.anchor.clone())
        });
    Excerpt {
        heading,
        anchor,
        text: best.map_or_else(|| doc.summary.clone(), |b| b.2.to_string()),
    }
}
