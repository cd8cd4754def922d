//! The grammar engine: runs syntect's grammars over a line exactly as
//! syntect's `ParseState::parse_line` does, op for op, with less work
//! around each regex search.
//!
//! Highlighting was most of a cold build (60% of its instructions on the
//! tldr corpus), and half of that was not the regex engine but what syntect
//! does around each of its 140 searches per line of bash: a hash map of search
//! results made afresh for every line, a hash of the pattern's address per
//! lookup, two allocated copies of every match's capture positions, a walk
//! through the grammar's `include`s for every token. Here each context's
//! patterns are listed once per thread, with their regexes compiled once;
//! search results live in a vector indexed by pattern and stamped with the
//! line they belong to; a match is read where it was found.
//!
//! It mirrors **syntect 5.3.0** (pinned exactly in Cargo.toml; syntect's
//! later parser rewrite, with branch/fail/embed, is not mirrored): an
//! upgrade must pass the differential test below, which CI runs on the
//! whole corpus (`NOTES_REQUIRE_CORPUS`).
//!
//! The algorithm is syntect's, step for step (which pattern wins, the
//! search cache and its quirks, the loop guards, the meta scope rules), so
//! that the output is what syntect's parser gives: the test
//! `engine_matches_syntect_on_every_block` compares the two on every code
//! block of both corpora. syntect keeps two things private that the engine
//! needs: the way from a context's id to the context (reached through
//! syntect's public serde form of a context reference) and the id of a
//! grammar's start context (read from `ParseState`'s debug form). Should
//! either ever fail, [`Parser::new`] returns `None` and the caller uses
//! syntect's own parser.

use std::cell::RefCell;
use std::rc::Rc;

use super::literals;
use super::syntaxes;
use onig::{MatchParam, Regex, RegexOptions, Region, SearchOptions, Syntax};
use rustc_hash::FxHashMap;
use syntect::parsing::syntax_definition::{
    Context, ContextId, ContextReference, MatchOperation, MatchPattern, context_iter,
};
use syntect::parsing::{ParseState, ScopeStackOp, SyntaxReference, SyntaxSet};

/// syntect's bound on the context stack.
const MAX_DEPTH: usize = 100;

/// One match pattern of a grammar, as the engine uses it.
struct Pattern {
    /// Its place in a parser's search results.
    slot: usize,
    def: &'static MatchPattern,
    /// Literals one of which every match holds (see `literals`).
    required: Option<Vec<Vec<u8>>>,
    /// `None` if the regex does not compile: it never matches (syntect
    /// would panic).
    regex: Option<Regex>,
}

/// A context and its patterns in syntect's order, includes followed.
struct Flat {
    context: &'static Context,
    patterns: Vec<Rc<Pattern>>,
}

/// What one thread has prepared of the grammars (those of `syntaxes()`,
/// the one grammar set of the process): regexes compile once per thread,
/// and no lock is taken while highlighting.
struct Grammars {
    contexts: FxHashMap<ContextId, Rc<Flat>>,
    patterns: FxHashMap<*const MatchPattern, Rc<Pattern>>,
    /// Each grammar's start context, by the grammar's address.
    starts: FxHashMap<usize, Option<Rc<Flat>>>,
    /// Lines parsed on this thread: stamps search results with their line.
    lines: u64,
    /// Search results of finished parsers, their regions allocated, for
    /// the next block.
    pool: Vec<Vec<Found>>,
}

thread_local! {
    static GRAMMARS: RefCell<Option<Grammars>> = const { RefCell::new(None) };
}

impl Grammars {
    fn flat(&mut self, id: ContextId) -> Result<Rc<Flat>, String> {
        if let Some(flat) = self.contexts.get(&id) {
            return Ok(flat.clone());
        }
        let context = resolve(syntaxes(), id)?;
        let mut patterns = Vec::new();
        for (holder, index) in context_iter(syntaxes(), context) {
            let def = holder.match_at(index).map_err(|e| e.to_string())?;
            let key = def as *const MatchPattern;
            let slot = self.patterns.len();
            let pattern = self
                .patterns
                .entry(key)
                .or_insert_with(|| {
                    Rc::new(Pattern {
                        slot,
                        def,
                        required: literals::required(def.regex().regex_str()),
                        regex: compile(def.regex().regex_str()),
                    })
                })
                .clone();
            patterns.push(pattern);
        }
        let flat = Rc::new(Flat { context, patterns });
        self.contexts.insert(id, flat.clone());
        Ok(flat)
    }

    fn start(&mut self, syntax: &SyntaxReference) -> Option<Rc<Flat>> {
        let key = syntax as *const SyntaxReference as usize;
        if let Some(start) = self.starts.get(&key) {
            return start.clone();
        }
        let start = start_context(syntax, syntaxes()).and_then(|id| self.flat(id).ok());
        self.starts.insert(key, start.clone());
        start
    }
}

/// Runs `f` with this thread's grammars.
fn with_grammars<T>(f: impl FnOnce(&mut Grammars) -> T) -> T {
    GRAMMARS.with(|cell| {
        let mut slot = cell.borrow_mut();
        let grammars = slot.get_or_insert_with(|| Grammars {
            contexts: FxHashMap::default(),
            patterns: FxHashMap::default(),
            starts: FxHashMap::default(),
            lines: 0,
            pool: Vec::new(),
        });
        f(grammars)
    })
}

/// A regex as syntect compiles it.
fn compile(pattern: &str) -> Option<Regex> {
    Regex::with_options(
        pattern,
        RegexOptions::REGEX_OPTION_CAPTURE_GROUP,
        Syntax::default(),
    )
    .ok()
}

/// The context an id names, through syntect's public serde form of a
/// direct context reference (`ContextReference::Direct` cannot be built
/// outside syntect).
fn resolve(set: &'static SyntaxSet, id: ContextId) -> Result<&'static Context, String> {
    let value = serde_json::json!({ "Direct": id });
    let reference: ContextReference =
        serde_json::from_value(value).map_err(|e| format!("context reference: {e}"))?;
    reference.resolve(set).map_err(|e| e.to_string())
}

/// The id of a grammar's start context, read from the state syntect's
/// parser starts in, and checked to be what syntect makes a start context.
fn start_context(syntax: &SyntaxReference, set: &'static SyntaxSet) -> Option<ContextId> {
    let id = start_id(syntax)?;
    // What syntect's loader makes a grammar's start context: the grammar's
    // scope over one pattern that pushes its main context.
    let context = resolve(set, id).ok()?;
    (context.meta_content_scope == [syntax.scope] && context.patterns.len() == 1).then_some(id)
}

/// The context id in `ParseState`'s debug form.
fn start_id(syntax: &SyntaxReference) -> Option<ContextId> {
    let debug = format!("{:?}", ParseState::new(syntax));
    let number = |key: &str| -> Option<usize> {
        let at = debug.find(key)? + key.len();
        debug[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let id = serde_json::json!({
        "syntax_index": number("syntax_index: ")?,
        "context_index": number("context_index: ")?,
    });
    serde_json::from_value(id).ok()
}

/// A level of the context stack (syntect's `StateLevel`).
#[derive(Clone)]
struct Level {
    flat: Rc<Flat>,
    prototypes: Vec<ContextId>,
    /// The match that pushed this level and its line, when the context's
    /// patterns refer back to it.
    captures: Option<Rc<(Region, String)>>,
}

/// A search result kept for the rest of a line (syntect's search cache).
struct Found {
    /// The line this result is for; older results are void.
    line: u64,
    /// Whether the pattern matched where it was searched from; if not, it
    /// matches nowhere after that on the line.
    matched: bool,
    region: Region,
}

impl Default for Found {
    fn default() -> Self {
        Found {
            line: 0,
            matched: false,
            region: Region::with_capacity(8),
        }
    }
}

/// A context searched for the next token: whether it is a with_prototype,
/// its patterns, and the match its patterns may refer back to.
type Link = (bool, Rc<Flat>, Option<Rc<(Region, String)>>);

/// Where the best match so far is.
#[derive(Clone, Copy)]
enum Place {
    Found(usize),
    Scratch(usize),
}

struct Best {
    place: Place,
    pattern: Rc<Pattern>,
    from_with_prototype: bool,
    would_loop: bool,
}

/// The state of one grammar across the lines of a block.
pub(crate) struct Parser {
    stack: Vec<Level>,
    first_line: bool,
    proto_starts: Vec<usize>,
    line: u64,
    found: Vec<Found>,
    /// Regions of matches that are not cached (patterns with back
    /// references): two, so a new one never overwrites the best.
    scratch: [Region; 2],
    /// Where each byte last occurs in the line (see `literals::may_match`).
    last: Box<[u32; 256]>,
}

impl Drop for Parser {
    /// Leaves the search results' regions to the thread's next parser.
    fn drop(&mut self) {
        let found = std::mem::take(&mut self.found);
        // During thread exit the pool may be gone: then the regions go too.
        let _ = GRAMMARS.try_with(|cell| {
            if let Ok(mut slot) = cell.try_borrow_mut()
                && let Some(grammars) = slot.as_mut()
            {
                grammars.pool.push(found);
            }
        });
    }
}

impl Parser {
    /// A parser at the start of `syntax`, or `None` if syntect's start state
    /// could not be read (see the module comment).
    pub(crate) fn new(syntax: &SyntaxReference) -> Option<Parser> {
        let (flat, found) = with_grammars(|g| Some((g.start(syntax)?, g.pool.pop())))?;
        Some(Parser {
            stack: vec![Level {
                flat,
                prototypes: Vec::new(),
                captures: None,
            }],
            first_line: true,
            proto_starts: Vec::new(),
            line: 0,
            found: found.unwrap_or_default(),
            scratch: [Region::with_capacity(8), Region::with_capacity(8)],
            last: Box::new([0; 256]),
        })
    }

    /// The scope operations of `line` (which ends with its newline), as
    /// syntect's `ParseState::parse_line` gives them.
    pub(crate) fn parse_line(&mut self, line: &str) -> Result<Vec<(usize, ScopeStackOp)>, String> {
        with_grammars(|grammars| self.parse_with(grammars, line))
    }

    fn parse_with(
        &mut self,
        grammars: &mut Grammars,
        line: &str,
    ) -> Result<Vec<(usize, ScopeStackOp)>, String> {
        if self.stack.is_empty() {
            return Err("the grammar popped its main context".into());
        }
        grammars.lines += 1;
        self.line = grammars.lines;
        literals::last_positions(line.as_bytes(), &mut self.last);
        let mut ops = Vec::new();
        if self.first_line {
            let context = self.top().flat.context;
            if let Some(&scope) = context.meta_content_scope.first() {
                ops.push((0, ScopeStackOp::Push(scope)));
            }
            self.first_line = false;
        }
        let mut start = 0;
        let mut non_consuming_push_at = (0, 0);
        while self.next_token(
            grammars,
            line,
            &mut start,
            &mut non_consuming_push_at,
            &mut ops,
        )? {}
        Ok(ops)
    }

    fn top(&self) -> &Level {
        &self.stack[self.stack.len() - 1]
    }

    fn next_token(
        &mut self,
        grammars: &mut Grammars,
        line: &str,
        start: &mut usize,
        non_consuming_push_at: &mut (usize, usize),
        ops: &mut Vec<(usize, ScopeStackOp)>,
    ) -> Result<bool, String> {
        if self.stack.is_empty() {
            // syntect would index an empty stack; a grammar that pops its
            // start context ends the highlighting instead.
            return Err("the grammar popped its main context".into());
        }
        let check_pop_loop = *non_consuming_push_at == (*start, self.stack.len());
        while self
            .proto_starts
            .last()
            .is_some_and(|&s| s >= self.stack.len())
        {
            self.proto_starts.pop();
        }
        let Some(best) = self.find_best_match(grammars, line, *start, check_pop_loop)? else {
            return Ok(false);
        };
        if best.would_loop {
            // A non-consuming push followed by a non-consuming pop: advance
            // one character, as Sublime Text does.
            return Ok(match line[*start..].char_indices().nth(1) {
                Some((i, _)) => {
                    *start += i;
                    true
                }
                None => false,
            });
        }
        let (_, match_end) = self.region(best.place).pos(0).unwrap_or_default();
        if match_end <= *start && matches!(best.pattern.def.operation, MatchOperation::Push(_)) {
            *non_consuming_push_at = (match_end, self.stack.len() + 1);
        }
        *start = match_end;
        if best.from_with_prototype {
            self.proto_starts.push(self.stack.len());
        }
        let level_context = self.top().flat.context;
        self.exec_pattern(grammars, line, &best, level_context, ops)?;
        Ok(true)
    }

    fn region(&self, place: Place) -> &Region {
        match place {
            Place::Found(slot) => &self.found[slot].region,
            Place::Scratch(i) => &self.scratch[i],
        }
    }

    fn find_best_match(
        &mut self,
        grammars: &mut Grammars,
        line: &str,
        start: usize,
        check_pop_loop: bool,
    ) -> Result<Option<Best>, String> {
        let (top_flat, top_captures) = (self.top().flat.clone(), self.top().captures.clone());
        let proto_start = self.proto_starts.last().copied().unwrap_or(0);
        // Sublime applies with_prototypes from the bottom up, then the
        // context's own prototype, then the context.
        let mut chain: Vec<Link> = Vec::new();
        for level in &self.stack[proto_start..] {
            for &id in &level.prototypes {
                chain.push((true, grammars.flat(id)?, level.captures.clone()));
            }
        }
        if let Some(id) = top_flat.context.prototype {
            chain.push((false, grammars.flat(id)?, None));
        }
        chain.push((false, top_flat, top_captures));

        let mut best: Option<Best> = None;
        let mut min_start = usize::MAX;
        let mut pop_would_loop = false;
        for (from_with_prototype, flat, captures) in &chain {
            for pattern in &flat.patterns {
                let Some(place) = self.search(line, start, pattern, captures.as_deref(), &best)
                else {
                    continue;
                };
                let (match_start, match_end) = self.region(place).pos(0).unwrap_or_default();
                if match_start < min_start || (match_start == min_start && pop_would_loop) {
                    min_start = match_start;
                    let consuming = match_end > start;
                    pop_would_loop = check_pop_loop
                        && !consuming
                        && matches!(pattern.def.operation, MatchOperation::Pop);
                    if matches!(pattern.def.operation, MatchOperation::Push(_))
                        && self.stack.len() >= MAX_DEPTH
                    {
                        return Ok(None);
                    }
                    best = Some(Best {
                        place,
                        pattern: pattern.clone(),
                        from_with_prototype: *from_with_prototype,
                        would_loop: pop_would_loop,
                    });
                    if match_start == start && !pop_would_loop {
                        return Ok(best);
                    }
                }
            }
        }
        Ok(best)
    }

    /// syntect's `search`: the pattern's first match from `start`, through
    /// the line's search results. A result is looked up even for a pattern
    /// searched with back references (which is never cached), as syntect
    /// does.
    fn search(
        &mut self,
        line: &str,
        start: usize,
        pattern: &Pattern,
        captures: Option<&(Region, String)>,
        best: &Option<Best>,
    ) -> Option<Place> {
        if let Some(found) = self.found.get(pattern.slot).filter(|f| f.line == self.line) {
            if !found.matched {
                return None;
            }
            // A match still ahead is valid; one behind is searched again.
            if found.region.pos(0).is_some_and(|(s, _)| s >= start) {
                return Some(Place::Found(pattern.slot));
            }
        }
        let refs_regex;
        let (regex, place) = match captures {
            Some((region, text)) if pattern.def.has_captures => {
                refs_regex = compile(&with_refs(pattern.def.regex().regex_str(), region, text));
                // The scratch region the best match is not in.
                let scratch = match best {
                    Some(Best {
                        place: Place::Scratch(0),
                        ..
                    }) => 1,
                    _ => 0,
                };
                (refs_regex.as_ref(), Place::Scratch(scratch))
            }
            _ => (pattern.regex.as_ref(), Place::Found(pattern.slot)),
        };
        let line_no = self.line;
        let region = match place {
            Place::Found(slot) => {
                if self.found.len() <= slot {
                    self.found.resize_with(slot + 1, Found::default);
                }
                &mut self.found[slot].region
            }
            Place::Scratch(i) => &mut self.scratch[i],
        };
        let search = |region: &mut Region| {
            regex.is_some_and(|regex| {
                matches!(
                    regex.search_with_param(
                        line,
                        start,
                        line.len(),
                        SearchOptions::SEARCH_OPTION_NONE,
                        Some(region),
                        MatchParam::default(),
                    ),
                    Ok(Some(_))
                )
            })
        };
        let hopeless = matches!(place, Place::Found(_))
            && pattern.required.as_ref().is_some_and(|required| {
                !literals::may_match(required, line.as_bytes(), start, &self.last)
            });
        let matched = if hopeless {
            debug_assert!(
                !search(&mut Region::new()),
                "the literals {:?} of {:?} are missing after {start} in {line:?}, yet it matches",
                pattern.required,
                pattern.def.regex().regex_str(),
            );
            false
        } else {
            search(region)
        };
        let does_something = matched && {
            let (match_start, match_end) = region.pos(0).unwrap_or_default();
            match pattern.def.operation {
                MatchOperation::None => match_start != match_end,
                MatchOperation::Push(_) => self.stack.len() < MAX_DEPTH,
                _ => true,
            }
        };
        if let Place::Found(slot) = place {
            let found = &mut self.found[slot];
            // A match that does nothing is not kept: searched again next
            // time (syntect's rule).
            found.line = if matched && !does_something {
                0
            } else {
                line_no
            };
            found.matched = matched;
        }
        does_something.then_some(place)
    }

    fn exec_pattern(
        &mut self,
        grammars: &mut Grammars,
        line: &str,
        best: &Best,
        level_context: &'static Context,
        ops: &mut Vec<(usize, ScopeStackOp)>,
    ) -> Result<(), String> {
        // Borrowed out of its place while the pattern runs (the match may
        // stay valid for the next token), and put back.
        let region = std::mem::replace(self.region_mut(best.place), Region::new());
        let done = self.exec_with(grammars, line, best, &region, level_context, ops);
        *self.region_mut(best.place) = region;
        done
    }

    fn region_mut(&mut self, place: Place) -> &mut Region {
        match place {
            Place::Found(slot) => &mut self.found[slot].region,
            Place::Scratch(i) => &mut self.scratch[i],
        }
    }

    fn exec_with(
        &mut self,
        grammars: &mut Grammars,
        line: &str,
        best: &Best,
        region: &Region,
        level_context: &'static Context,
        ops: &mut Vec<(usize, ScopeStackOp)>,
    ) -> Result<(), String> {
        let (match_start, match_end) = region.pos(0).unwrap_or_default();
        let pat = best.pattern.def;
        self.push_meta_ops(true, match_start, level_context, &pat.operation, ops)?;
        for &scope in &pat.scope {
            ops.push((match_start, ScopeStackOp::Push(scope)));
        }
        if let Some(capture_map) = &pat.captures {
            // Captures may match in any order; outer ones push first.
            let mut map: Vec<((usize, i32), ScopeStackOp)> = Vec::new();
            for (cap_index, scopes) in capture_map {
                if let Some((cap_start, cap_end)) = region.pos(*cap_index) {
                    if cap_start == cap_end {
                        continue;
                    }
                    for &scope in scopes {
                        map.push((
                            (cap_start, -((cap_end - cap_start) as i32)),
                            ScopeStackOp::Push(scope),
                        ));
                    }
                    map.push(((cap_end, i32::MIN), ScopeStackOp::Pop(scopes.len())));
                }
            }
            map.sort_by_key(|a| a.0);
            ops.extend(map.into_iter().map(|((index, _), op)| (index, op)));
        }
        if !pat.scope.is_empty() {
            ops.push((match_end, ScopeStackOp::Pop(pat.scope.len())));
        }
        self.push_meta_ops(false, match_end, level_context, &pat.operation, ops)?;
        self.perform_op(grammars, line, region, pat)
    }

    fn push_meta_ops(
        &self,
        initial: bool,
        index: usize,
        cur_context: &Context,
        match_op: &MatchOperation,
        ops: &mut Vec<(usize, ScopeStackOp)>,
    ) -> Result<(), String> {
        let set = syntaxes();
        let resolve = |r: &ContextReference| r.resolve(set).map_err(|e| e.to_string());
        match match_op {
            MatchOperation::Pop => {
                let scopes = if initial {
                    &cur_context.meta_content_scope
                } else {
                    &cur_context.meta_scope
                };
                if !scopes.is_empty() {
                    ops.push((index, ScopeStackOp::Pop(scopes.len())));
                }
                // Cleared scopes come back after the popping match's own.
                if !initial && cur_context.clear_scopes.is_some() {
                    ops.push((index, ScopeStackOp::Restore));
                }
            }
            MatchOperation::Push(refs) | MatchOperation::Set(refs) => {
                let is_set = matches!(match_op, MatchOperation::Set(_));
                if initial {
                    if is_set && cur_context.clear_scopes.is_some() {
                        ops.push((index, ScopeStackOp::Restore));
                    }
                    for r in refs {
                        let ctx = resolve(r)?;
                        if !is_set && let Some(amount) = ctx.clear_scopes {
                            ops.push((index, ScopeStackOp::Clear(amount)));
                        }
                        for &scope in &ctx.meta_scope {
                            ops.push((index, ScopeStackOp::Push(scope)));
                        }
                    }
                } else {
                    let mut repush = is_set
                        && (!cur_context.meta_scope.is_empty()
                            || !cur_context.meta_content_scope.is_empty());
                    for r in refs {
                        let ctx = resolve(r)?;
                        repush = repush
                            || !ctx.meta_content_scope.is_empty()
                            || (ctx.clear_scopes.is_some() && is_set);
                    }
                    if repush {
                        // Pop the meta scopes just pushed, so that meta
                        // content scopes apply in the right order.
                        let mut num_to_pop = 0;
                        for r in refs {
                            num_to_pop += resolve(r)?.meta_scope.len();
                        }
                        if is_set {
                            num_to_pop +=
                                cur_context.meta_content_scope.len() + cur_context.meta_scope.len();
                        }
                        if num_to_pop > 0 {
                            ops.push((index, ScopeStackOp::Pop(num_to_pop)));
                        }
                        for r in refs {
                            let ctx = resolve(r)?;
                            if is_set && let Some(amount) = ctx.clear_scopes {
                                ops.push((index, ScopeStackOp::Clear(amount)));
                            }
                            for &scope in ctx.meta_scope.iter().chain(&ctx.meta_content_scope) {
                                ops.push((index, ScopeStackOp::Push(scope)));
                            }
                        }
                    }
                }
            }
            MatchOperation::None => {}
        }
        Ok(())
    }

    fn perform_op(
        &mut self,
        grammars: &mut Grammars,
        line: &str,
        region: &Region,
        pat: &MatchPattern,
    ) -> Result<(), String> {
        let (refs, old_prototypes) = match &pat.operation {
            MatchOperation::Push(refs) => (refs, None),
            // A with_prototype stays while its level is set to another
            // context.
            MatchOperation::Set(refs) => (refs, self.stack.pop().map(|l| l.prototypes)),
            MatchOperation::Pop => {
                self.stack.pop();
                return Ok(());
            }
            MatchOperation::None => return Ok(()),
        };
        let mut captures: Option<Rc<(Region, String)>> = None;
        for (i, r) in refs.iter().enumerate() {
            let mut prototypes = if i == 0 {
                old_prototypes.clone().unwrap_or_default()
            } else {
                Vec::new()
            };
            // A with_prototype applies to the last context pushed.
            if i == refs.len() - 1
                && let Some(p) = &pat.with_prototype
            {
                prototypes.push(p.id().map_err(|e| e.to_string())?);
            }
            let id = r.id().map_err(|e| e.to_string())?;
            let flat = grammars.flat(id)?;
            let mut uses_backrefs = flat.context.uses_backrefs;
            for &p in &prototypes {
                uses_backrefs = uses_backrefs || grammars.flat(p)?.context.uses_backrefs;
            }
            let level_captures = if uses_backrefs {
                Some(
                    captures
                        .get_or_insert_with(|| Rc::new((region.clone(), line.to_owned())))
                        .clone(),
                )
            } else {
                None
            };
            self.stack.push(Level {
                flat,
                prototypes,
                captures: level_captures,
            });
        }
        Ok(())
    }
}

/// syntect's `regex_with_refs`: the pattern with each back reference `\N`
/// replaced by the escaped text of group N of the match that pushed the
/// context.
fn with_refs(pattern: &str, region: &Region, text: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut last_was_escape = false;
    for c in pattern.chars() {
        if last_was_escape && c.is_ascii_digit() {
            let group = c.to_digit(10).unwrap_or_default() as usize;
            if let Some((start, end)) = region.pos(group) {
                out.push_str(&regex_syntax::escape(&text[start..end]));
            }
        } else if last_was_escape {
            out.push('\\');
            out.push(c);
        } else if c != '\\' {
            out.push(c);
        }
        last_was_escape = c == '\\' && !last_was_escape;
    }
    if last_was_escape {
        out.push('\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use pulldown_cmark::{CodeBlockKind, Event, Parser as Markdown, Tag, TagEnd};
    use syntect::parsing::ParseState;

    use super::*;
    use crate::highlight::find_syntax;

    /// Every distinct (language, code) fenced block of the corpus, and
    /// whether it was the whole corpus (see [`crate::test_corpus`]).
    fn corpus_blocks(test: &str) -> (BTreeSet<(String, String)>, bool) {
        let (roots, whole) = crate::test_corpus::roots(test);
        let mut blocks = BTreeSet::new();
        for entry in roots
            .iter()
            .flat_map(|r| walkdir::WalkDir::new(r).sort_by_file_name())
        {
            let entry = entry.expect("the corpus is readable");
            if entry.path().extension().is_none_or(|x| x != "md") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).expect("the corpus is UTF-8");
            let mut current: Option<(String, String)> = None;
            for event in Markdown::new(&text) {
                match event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                        let lang = info.split_whitespace().next().unwrap_or("").to_string();
                        current = Some((lang, String::new()));
                    }
                    Event::Text(t) => {
                        if let Some((_, code)) = &mut current {
                            code.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
                    _ => {}
                }
            }
        }
        (blocks, whole)
    }

    /// Code in the languages troubleshooting notes use beyond the corpora,
    /// with the constructs that exercise a grammar's stack: nesting,
    /// heredocs (back references), embedded languages, multi-line strings.
    const SNIPPETS: &[(&str, &str)] = &[
        (
            "bash",
            "cat <<EOF > /etc/app.conf\nkey=\"$HOME\"\nEOF\nfor f in *.log; do gzip \"$f\" & done\ncase $1 in\n  start) run ;;\nesac\necho $(( 1 + $(nproc) ))\nf() { local x=${1:-default}; }\n",
        ),
        (
            "bash",
            "cat <<-'END'\n\tliteral $x\n\tEND\nread -r line <<< \"$input\"\narr=(one two)\necho \"${arr[@]}\" | tr a-z A-Z 2>&1 >/dev/null\n",
        ),
        (
            "python",
            "def f(x: int) -> str:\n    '''doc\n    more'''\n    return f\"{x!r:>10} {'nested'}\"\n\n@decorator(arg=[1, 2])\nclass A(B, metaclass=M):\n    async def g(self):\n        await h(lambda y: y ** 2)\n",
        ),
        (
            "python",
            "import re\nPATTERN = re.compile(r'(?P<name>\\w+)\\s*=\\s*(\\d+)')\ntry:\n    1 / 0\nexcept ZeroDivisionError as e:\n    raise ValueError(\"bad\") from e\n",
        ),
        (
            "yaml",
            "services:\n  web:\n    image: \"nginx:1.25\"\n    command: >\n      sh -c 'echo hi'\n    ports: [\"80:80\"]  # comment\nanchors: &a\n  x: 1\nref: *a\n",
        ),
        (
            "json",
            "{\"a\": [1, 2.5e3, true, null], \"b\": {\"c\": \"d\\n\"}}\n",
        ),
        (
            "toml",
            "[package]\nname = \"notes\"\nversion = \"0.1.0\"\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\n",
        ),
        (
            "dockerfile",
            "FROM python:3.12-slim AS base\nRUN apt-get update && \\\n    apt-get install -y curl\nENV PATH=\"/app:$PATH\"\nCMD [\"python\", \"-m\", \"app\"]\n",
        ),
        (
            "sql",
            "SELECT u.name, COUNT(*) AS n FROM users u\nJOIN orders o ON o.user_id = u.id -- join\nWHERE u.created_at > '2024-01-01'\nGROUP BY u.name HAVING n > 2;\n",
        ),
        (
            "html",
            "<!DOCTYPE html>\n<html><head><style>p { color: red; }</style>\n<script>let x = `t ${1 + 2}`;</script></head>\n<body><p class=\"a\">hi &amp; bye</p><!-- c --></body></html>\n",
        ),
        (
            "css",
            "@media (max-width: 600px) {\n  .a > b:hover::after { content: \"\\201C\"; margin: 0 auto !important; }\n}\n",
        ),
        (
            "javascript",
            "const re = /ab+c/gi;\nasync function f({a, b = 2}) {\n  return `x ${await g(a)}`;\n}\nclass C extends D { #p = 1; static m() {} }\n",
        ),
        (
            "typescript",
            "interface N<T> { t: T }\nconst n: N<string> = { t: 'x' } as const;\nexport default function <U>(u: U): U { return u; }\n",
        ),
        (
            "rust",
            "fn main() -> Result<(), Box<dyn std::error::Error>> {\n    let s = r#\"raw \"str\"\"#;\n    match s.len() { 0 => {}, n @ 1..=9 => println!(\"{n}\"), _ => () }\n    Ok(())\n}\n",
        ),
        (
            "go",
            "package main\nimport \"fmt\"\nfunc main() {\n\tch := make(chan int)\n\tgo func() { ch <- 1 }()\n\tfmt.Printf(\"%d\\n\", <-ch)\n}\n",
        ),
        (
            "c",
            "#include <stdio.h>\n#define MAX(a, b) ((a) > (b) ? (a) : (b))\nint main(void) { /* c */ return printf(\"%d\\n\", MAX(1, 2)); }\n",
        ),
        (
            "cpp",
            "template <typename T> struct S { T t; };\nint main() { auto v = std::vector<int>{1, 2}; return v[0]; }\n",
        ),
        (
            "java",
            "public class Main {\n  @Override public String toString() { return \"hi\" + 1; }\n}\n",
        ),
        (
            "powershell",
            "$ErrorActionPreference = 'Stop'\nGet-ChildItem -Path C:\\ | Where-Object { $_.Length -gt 1kb }\n@\"\nhere $string\n\"@\n",
        ),
        (
            "diff",
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-old\n+new\n context\n",
        ),
        ("ini", "[section]\nkey = value ; comment\n"),
        (
            "makefile",
            "all: build\n\nbuild: $(SRC)\n\t$(CC) -o $@ $^\n",
        ),
        (
            "xml",
            "<?xml version=\"1.0\"?>\n<a b=\"c\"><![CDATA[x < y]]><!-- c --></a>\n",
        ),
        (
            "ruby",
            "def f(x) = x * 2\nputs \"#{f(1)}\" if defined?(f)\n%w[a b].each { |s| puts s }\n",
        ),
        (
            "php",
            "<?php\n$x = ['a' => 1];\necho \"v: {$x['a']}\";\n?>\n<p>html</p>\n",
        ),
        (
            "lua",
            "local t = { a = 1 }\nfor k, v in pairs(t) do print(k, v) end\n--[[ long\ncomment ]]\n",
        ),
        (
            "perl",
            "my @a = (1, 2);\nprint \"$_\\n\" for grep { /\\d/ } @a;\n",
        ),
        (
            "haskell",
            "main :: IO ()\nmain = mapM_ print [x * 2 | x <- [1..3]]\n",
        ),
        (
            "nginx",
            "server {\n  listen 80;\n  location / { proxy_pass http://127.0.0.1:8000; }\n}\n",
        ),
        (
            "markdown",
            "# Title\n\nSome *text* and `code`.\n\n```bash\necho hi\n```\n",
        ),
    ];

    /// The ops of every line of `code` from the engine and from syntect.
    fn both(syntax: &'static SyntaxReference, code: &str) -> (Vec<String>, Vec<String>) {
        let mut engine = Parser::new(syntax).expect("the engine starts");
        let mut reference = ParseState::new(syntax);
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for line in code.lines() {
            let line = format!("{line}\n");
            ours.push(format!("{:?}", engine.parse_line(&line)));
            theirs.push(format!(
                "{:?}",
                reference
                    .parse_line(&line, syntaxes())
                    .map_err(|e| e.to_string())
            ));
        }
        (ours, theirs)
    }

    #[test]
    fn engine_matches_syntect_on_every_block() {
        let (blocks, whole) = corpus_blocks("engine_matches_syntect_on_every_block");
        let least = if whole { 40_000 } else { 20 };
        let mut blocks: Vec<(String, String)> = blocks.into_iter().collect();
        assert!(
            blocks.len() > least,
            "the corpora hold {} blocks",
            blocks.len()
        );
        blocks.extend(SNIPPETS.iter().map(|(l, c)| (l.to_string(), c.to_string())));
        let mut compared = 0;
        for (lang, code) in &blocks {
            let Some(syntax) = find_syntax(lang) else {
                continue;
            };
            let (ours, theirs) = both(syntax, code);
            assert_eq!(ours, theirs, "```{lang}\n{code}```");
            compared += 1;
        }
        assert!(compared > least, "compared {compared} blocks");
    }

    /// syntect's fallback is for a syntect whose internals moved; with this
    /// one the engine runs every grammar of the set.
    #[test]
    fn the_engine_starts_on_every_grammar() {
        let set = syntaxes();
        assert!(set.syntaxes().len() > 100);
        for syntax in set.syntaxes() {
            assert!(Parser::new(syntax).is_some(), "{}", syntax.name);
        }
    }

    #[test]
    fn every_snippet_has_a_grammar() {
        for (lang, _) in SNIPPETS {
            assert!(find_syntax(lang).is_some(), "{lang}");
        }
    }

    /// Every pattern reachable from the start of every grammar.
    fn every_pattern() -> Vec<Rc<Pattern>> {
        let set = syntaxes();
        with_grammars(|grammars| {
            let mut todo: Vec<ContextId> = set
                .syntaxes()
                .iter()
                .filter_map(|syntax| start_context(syntax, set))
                .collect();
            let mut seen = std::collections::HashSet::new();
            let mut patterns = Vec::new();
            while let Some(id) = todo.pop() {
                if !seen.insert(id) {
                    continue;
                }
                let flat = grammars.flat(id).expect("contexts resolve");
                if let Some(p) = flat.context.prototype {
                    todo.push(p);
                }
                for pattern in &flat.patterns {
                    if let MatchOperation::Push(refs) | MatchOperation::Set(refs) =
                        &pattern.def.operation
                    {
                        todo.extend(refs.iter().filter_map(|r| r.id().ok()));
                    }
                    if let Some(p) = &pattern.def.with_prototype {
                        todo.extend(p.id().ok());
                    }
                    patterns.push(pattern.clone());
                }
            }
            patterns
        })
    }

    /// The prefilter never turns away a pattern that matches: for every
    /// pattern of every grammar with required literals, on lines of real
    /// code and the snippets, from several start positions.
    #[test]
    fn required_literals_hold_for_every_grammar() {
        let mut lines: BTreeSet<String> = BTreeSet::new();
        let (blocks, whole) = corpus_blocks("required_literals_hold_for_every_grammar");
        for (_, code) in blocks.iter().step_by(if whole { 400 } else { 1 }) {
            lines.extend(code.lines().map(|l| format!("{l}\n")));
        }
        for (_, code) in SNIPPETS {
            lines.extend(code.lines().map(|l| format!("{l}\n")));
        }
        let patterns = every_pattern();
        let with_literals: Vec<_> = patterns.iter().filter(|p| p.required.is_some()).collect();
        assert!(patterns.len() > 10_000, "{} patterns", patterns.len());
        assert!(
            with_literals.len() > patterns.len() / 4,
            "{} with literals",
            with_literals.len()
        );
        assert!(lines.len() > 150, "{} lines", lines.len());
        let mut last = [0u32; 256];
        let mut region = Region::new();
        for line in &lines {
            literals::last_positions(line.as_bytes(), &mut last);
            for start in [0, line.len() / 2] {
                for pattern in &with_literals {
                    let (Some(regex), Some(required)) = (&pattern.regex, &pattern.required) else {
                        continue;
                    };
                    let matched = matches!(
                        regex.search_with_param(
                            line,
                            start,
                            line.len(),
                            SearchOptions::SEARCH_OPTION_NONE,
                            Some(&mut region),
                            MatchParam::default(),
                        ),
                        Ok(Some(_))
                    );
                    assert!(
                        !matched || literals::may_match(required, line.as_bytes(), start, &last),
                        "{:?} requires {required:?} yet matches {line:?} from {start}",
                        pattern.def.regex().regex_str()
                    );
                }
            }
        }
    }
}
