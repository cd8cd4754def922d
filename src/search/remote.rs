//! `notes search --site URL`: a deployed site's index, queried over
//! HTTP(S) exactly as its search box does, fetching only the files a
//! query needs (`meta.json`, the term shards of the query's terms, the
//! document chunks of the results), so that a terminal or a CI job can
//! ask a published blog whether it already covers an error.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Deserialize;

use super::rank::{self, Excerpt, Hit, Meta};
use super::{Doc, Posting, Section, VERSION, shard_of};

/// A result as `notes search` prints it, locally or from a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub title: String,
    pub lang: String,
    /// Absolute, with the matched section's anchor.
    pub url: String,
    pub excerpt: Excerpt,
    /// The note's other languages: (code, absolute URL).
    pub others: Vec<(String, String)>,
}

impl Found {
    /// The result for `hit`, links made absolute with `origin`
    /// (`https://host`, no trailing slash).
    pub fn of(docs: &[Doc], hit: &Hit, terms: &[(String, u32)], origin: &str) -> Found {
        let doc = &docs[hit.doc];
        let excerpt = rank::excerpt(doc, hit.section, terms);
        let mut url = absolute(origin, &doc.url);
        if !excerpt.anchor.is_empty() {
            url = format!("{url}#{}", excerpt.anchor);
        }
        Found {
            title: doc.title.clone(),
            lang: doc.lang.clone(),
            url,
            excerpt,
            others: hit
                .others
                .iter()
                .map(|&o| (docs[o].lang.clone(), absolute(origin, &docs[o].url)))
                .collect(),
        }
    }
}

fn absolute(origin: &str, url: &str) -> String {
    if url.contains("://") {
        url.to_string()
    } else {
        format!("{}{url}", origin.trim_end_matches('/'))
    }
}

/// Why a site could not be searched, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{url}: cannot reach the site ({why}); check the address and the network")]
    Unreachable { url: String, why: String },
    #[error(
        "{url}: no search index there (HTTP 404); give the site's address (where its home page is), and build it with search on"
    )]
    NoIndex { url: String },
    #[error("{url}: the site answered HTTP {status}; try again later")]
    Status { url: String, status: u16 },
    #[error("{url}: not a notes search index ({why})")]
    Invalid { url: String, why: String },
    #[error(
        "{url}: the index has format {found}, this notes reads format {VERSION}; use the notes version that built the site"
    )]
    Version { url: String, found: u32 },
    #[error("{url}: not an http:// or https:// address")]
    Address { url: String },
}

/// `meta.json`, as the browser reads it.
#[derive(Deserialize)]
struct MetaFile {
    version: u32,
    shards: usize,
    chunk: usize,
    languages: Vec<String>,
    #[serde(default)]
    names: BTreeMap<String, String>,
    #[serde(default)]
    common: Vec<String>,
    map: String,
}

/// A row of `d/<k>.json`: `[url, title, lang, summary, sections]`.
type Row = (
    String,
    String,
    String,
    String,
    Vec<(String, String, Vec<String>)>,
);

/// A deployed site's index, fetched piece by piece.
pub struct Site {
    /// The index's folder, ending in `/`.
    base: String,
    /// `scheme://host[:port]`, for results' links.
    origin: String,
    agent: ureq::Agent,
    meta: Meta,
}

/// Files larger than this are not an index of ours.
const MAX_FILE: u64 = 32 * 1024 * 1024;

impl Site {
    /// Opens the index of the site at `url` (its home page's address):
    /// fetches and checks `search/meta.json`.
    pub fn open(url: &str) -> Result<Site, RemoteError> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(RemoteError::Address { url: url.into() });
        };
        if !matches!(scheme, "http" | "https") || rest.is_empty() {
            return Err(RemoteError::Address { url: url.into() });
        }
        let host_end = rest.find('/').unwrap_or(rest.len());
        let origin = format!("{scheme}://{}", &rest[..host_end]);
        let mut site = url.split(['?', '#']).next().unwrap_or(url).to_string();
        if !site.ends_with('/') {
            site.push('/');
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .user_agent(concat!("notes/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let base = format!("{site}search/");
        let meta_url = format!("{base}meta.json");
        let bytes = fetch(&agent, &meta_url)?;
        let file: MetaFile = parse(&meta_url, &bytes, |v| {
            // Read the version first: another format may not parse at all.
            if let Some(found) = v.get("version").and_then(|x| x.as_u64())
                && found != VERSION as u64
            {
                return Err(RemoteError::Version {
                    url: meta_url.clone(),
                    found: found as u32,
                });
            }
            Ok(())
        })?;
        let meta = meta_of(file).map_err(|why| RemoteError::Invalid {
            url: meta_url.clone(),
            why,
        })?;
        Ok(Site {
            base,
            origin,
            agent,
            meta,
        })
    }

    /// The site's languages.
    pub fn languages(&self) -> &[String] {
        &self.meta.languages
    }

    /// Ranked results for `text`, as the site's search box ranks them.
    pub fn search(
        &self,
        text: &str,
        prefer: Option<&str>,
        only: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Found>, RemoteError> {
        let terms = rank::query_terms(text, &self.meta.common);
        let mut shards: Vec<usize> = terms
            .iter()
            .map(|(t, _)| shard_of(t, self.meta.shards))
            .collect();
        shards.sort_unstable();
        shards.dedup();
        let paths: Vec<String> = shards.iter().map(|k| format!("t/{k}.json")).collect();
        let files = self.fetch_all(&paths)?;
        let mut tables: HashMap<usize, HashMap<String, Vec<u64>>> = HashMap::new();
        for (k, (path, bytes)) in shards.iter().zip(&files) {
            tables.insert(*k, parse(&self.url(path), bytes, |_| Ok(()))?);
        }
        let lists: Vec<Option<Vec<Posting>>> = terms
            .iter()
            .map(|(t, _)| {
                tables[&shard_of(t, self.meta.shards)]
                    .get(t)
                    .map(|flat| decode(flat))
            })
            .collect();
        let found: Vec<Option<&[Posting]>> = lists.iter().map(|l| l.as_deref()).collect();
        let hits = rank::rank(&self.meta, &terms, &found, prefer, only, limit);
        let docs = self.docs(&hits)?;
        Ok(hits
            .iter()
            .map(|h| Found::of(&docs, h, &terms, &self.origin))
            .collect())
    }

    /// The documents of `hits` (the rest left empty), from their chunks.
    fn docs(&self, hits: &[Hit]) -> Result<Vec<Doc>, RemoteError> {
        let chunk = self.meta.chunk.max(1);
        let mut wanted: Vec<usize> = hits
            .iter()
            .flat_map(|h| std::iter::once(h.doc).chain(h.others.iter().copied()))
            .map(|d| d / chunk)
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let paths: Vec<String> = wanted.iter().map(|k| format!("d/{k}.json")).collect();
        let files = self.fetch_all(&paths)?;
        let n = self.meta.lang_of.len();
        let mut docs: Vec<Doc> = (0..n)
            .map(|d| Doc {
                url: String::new(),
                title: String::new(),
                lang: String::new(),
                summary: String::new(),
                sections: Vec::new(),
                group: self.meta.group_of[d],
            })
            .collect();
        for (k, (path, bytes)) in wanted.iter().zip(&files) {
            let rows: Vec<Row> = parse(&self.url(path), bytes, |_| Ok(()))?;
            for (i, (url, title, lang, summary, sections)) in rows.into_iter().enumerate() {
                let Some(doc) = docs.get_mut(k * chunk + i) else {
                    break;
                };
                doc.url = url;
                doc.title = title;
                doc.lang = lang;
                doc.summary = summary;
                doc.sections = sections
                    .into_iter()
                    .map(|(anchor, heading, errors)| Section {
                        anchor,
                        heading,
                        errors,
                    })
                    .collect();
            }
        }
        Ok(docs)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Fetches the index files at `paths` at once, as the browser does.
    fn fetch_all(&self, paths: &[String]) -> Result<Vec<(String, Vec<u8>)>, RemoteError> {
        std::thread::scope(|scope| {
            let jobs: Vec<_> = paths
                .iter()
                .map(|p| {
                    let url = self.url(p);
                    let agent = self.agent.clone();
                    scope.spawn(move || fetch(&agent, &url))
                })
                .collect();
            paths
                .iter()
                .zip(jobs)
                .map(|(p, job)| {
                    let bytes = job.join().unwrap_or_else(|_| {
                        Err(RemoteError::Unreachable {
                            url: self.url(p),
                            why: "the download stopped".into(),
                        })
                    })?;
                    Ok((p.clone(), bytes))
                })
                .collect()
        })
    }
}

/// One file's bytes; any answer but 200 is an error naming the URL.
fn fetch(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, RemoteError> {
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| RemoteError::Unreachable {
            url: url.into(),
            why: e.to_string(),
        })?;
    match response.status().as_u16() {
        200 => {}
        404 => return Err(RemoteError::NoIndex { url: url.into() }),
        status => {
            return Err(RemoteError::Status {
                url: url.into(),
                status,
            });
        }
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_FILE)
        .read_to_vec()
        .map_err(|e| RemoteError::Unreachable {
            url: url.into(),
            why: e.to_string(),
        })
}

/// JSON of a known shape; `check` sees it first as a plain value.
fn parse<T: serde::de::DeserializeOwned>(
    url: &str,
    bytes: &[u8],
    check: impl FnOnce(&serde_json::Value) -> Result<(), RemoteError>,
) -> Result<T, RemoteError> {
    let invalid = |e: serde_json::Error| RemoteError::Invalid {
        url: url.into(),
        why: e.to_string(),
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
    check(&value)?;
    serde_json::from_value(value).map_err(invalid)
}

/// `[doc gap, impact × 64 + section, …]` as postings.
fn decode(flat: &[u64]) -> Vec<Posting> {
    let mut doc = 0u64;
    flat.chunks_exact(2)
        .map(|pair| {
            doc += pair[0];
            Posting {
                doc: doc as u32,
                impact: (pair[1] / 64) as u32,
                section: (pair[1] % 64) as u8,
            }
        })
        .collect()
}

/// The meta file's map: one character per document, `|` before a group.
fn meta_of(file: MetaFile) -> Result<Meta, String> {
    let mut lang_of = Vec::new();
    let mut group_of = Vec::new();
    let mut group = 0;
    let mut next = true;
    for c in file.map.chars() {
        if c == '|' {
            next = true;
            continue;
        }
        let cp = c as usize;
        let lang = if cp < 0x100 {
            cp.wrapping_sub(0x61)
        } else {
            cp - 0x100
        };
        if lang >= file.languages.len() {
            return Err(format!("document {} has no language", lang_of.len()));
        }
        if next {
            group = lang_of.len();
            next = false;
        }
        lang_of.push(lang);
        group_of.push(group);
    }
    if file.shards == 0 {
        return Err("no term shards".into());
    }
    let mut common = file.common;
    common.sort();
    Ok(Meta {
        version: file.version,
        shards: file.shards,
        chunk: file.chunk,
        languages: file.languages,
        names: file.names,
        common,
        lang_of,
        group_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_decode_as_they_were_written() {
        let flat = [3, 100 * 64 + 2, 4, 7 * 64];
        assert_eq!(
            decode(&flat),
            [
                Posting {
                    doc: 3,
                    impact: 100,
                    section: 2
                },
                Posting {
                    doc: 7,
                    impact: 7,
                    section: 0
                }
            ]
        );
    }

    #[test]
    fn the_map_gives_languages_and_groups() {
        let file = MetaFile {
            version: VERSION,
            shards: 1,
            chunk: 16,
            languages: vec!["en".into(), "de".into()],
            names: BTreeMap::new(),
            common: vec!["b".into(), "a".into()],
            map: "|ab|a".into(),
        };
        let meta = meta_of(file).unwrap();
        assert_eq!(meta.lang_of, [0, 1, 0]);
        assert_eq!(meta.group_of, [0, 0, 2]);
        assert_eq!(meta.common, ["a", "b"]);
        let bad = MetaFile {
            version: VERSION,
            shards: 1,
            chunk: 16,
            languages: vec!["en".into()],
            names: BTreeMap::new(),
            common: Vec::new(),
            map: "|c".into(),
        };
        assert!(meta_of(bad).is_err());
    }

    #[test]
    fn addresses_that_are_not_http_are_refused() {
        for url in ["ftp://x/", "example.org", "https://"] {
            assert!(
                matches!(Site::open(url), Err(RemoteError::Address { .. })),
                "{url}"
            );
        }
    }
}
