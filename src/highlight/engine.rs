//! The grammar engine: runs syntect's grammars over a line exactly as
//! syntect's `ParseState::parse_line` does, op for op, with less work
//! around each regex search.
//!
//! Highlighting is most of a cold build (60% of its instructions on the tldr
//! corpus), and half of that was not the regex engine but what syntect does
//! around each of its 140 searches per line of bash: a hash map of search
//! results made afresh for every line, a hash of the pattern's address per
//! lookup, two allocated copies of every match's capture positions, a walk
//! through the grammar's `include`s for every token. Here each context's
//! patterns are listed once per thread, with their regexes compiled once;
//! search results live in a vector indexed by pattern and stamped with the
//! line they belong to; a match is read where it was found.
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
    /// `None` if the regex does not compile: it never matches (syntect
    /// would panic).
    regex: Option<Regex>,
}

/// A context and its patterns in syntect's order, includes followed.
struct Flat {
    context: &'static Context,
    patterns: Vec<Rc<Pattern>>,
}

/// What one thread has prepared of the grammars: regexes compile once per
/// thread, and no lock is taken while highlighting.
struct Grammars {
    set: &'static SyntaxSet,
    contexts: FxHashMap<ContextId, Rc<Flat>>,
    patterns: FxHashMap<*const MatchPattern, Rc<Pattern>>,
}

thread_local! {
    static GRAMMARS: RefCell<Option<Grammars>> = const { RefCell::new(None) };
}

impl Grammars {
    fn flat(&mut self, id: ContextId) -> Result<Rc<Flat>, String> {
        if let Some(flat) = self.contexts.get(&id) {
            return Ok(flat.clone());
        }
        let context = resolve(self.set, id)?;
        let mut patterns = Vec::new();
        for (holder, index) in context_iter(self.set, context) {
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
}

/// Runs `f` with this thread's grammars.
fn with_grammars<T>(set: &'static SyntaxSet, f: impl FnOnce(&mut Grammars) -> T) -> T {
    GRAMMARS.with(|cell| {
        let mut slot = cell.borrow_mut();
        let grammars = slot.get_or_insert_with(|| Grammars {
            set,
            contexts: FxHashMap::default(),
            patterns: FxHashMap::default(),
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
/// parser starts in.
fn start_context(syntax: &SyntaxReference) -> Option<ContextId> {
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

/// Where the best match so far is.
#[derive(Clone, Copy)]
enum Place {
    Found(usize),
    Scratch(usize),
}

struct Best {
    place: Place,
    start: usize,
    pattern: Rc<Pattern>,
    from_with_prototype: bool,
    would_loop: bool,
}

/// The state of one grammar across the lines of a block.
pub(crate) struct Parser {
    set: &'static SyntaxSet,
    stack: Vec<Level>,
    first_line: bool,
    proto_starts: Vec<usize>,
    line: u64,
    found: Vec<Found>,
    /// Regions of matches that are not cached (patterns with back
    /// references): two, so a new one never overwrites the best.
    scratch: [Region; 2],
}

impl Parser {
    /// A parser at the start of `syntax`, or `None` if syntect's start state
    /// could not be read (see the module comment).
    pub(crate) fn new(syntax: &SyntaxReference, set: &'static SyntaxSet) -> Option<Parser> {
        let start = start_context(syntax)?;
        let flat = with_grammars(set, |g| g.flat(start)).ok()?;
        Some(Parser {
            set,
            stack: vec![Level {
                flat,
                prototypes: Vec::new(),
                captures: None,
            }],
            first_line: true,
            proto_starts: Vec::new(),
            line: 0,
            found: Vec::new(),
            scratch: [Region::with_capacity(8), Region::with_capacity(8)],
        })
    }

    /// The scope operations of `line` (which ends with its newline), as
    /// syntect's `ParseState::parse_line` gives them.
    pub(crate) fn parse_line(&mut self, line: &str) -> Result<Vec<(usize, ScopeStackOp)>, String> {
        let set = self.set;
        with_grammars(set, |grammars| self.parse_with(grammars, line))
    }

    fn parse_with(
        &mut self,
        grammars: &mut Grammars,
        line: &str,
    ) -> Result<Vec<(usize, ScopeStackOp)>, String> {
        if self.stack.is_empty() {
            return Err("the grammar popped its main context".into());
        }
        self.line += 1;
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
        while self.next_token(grammars, line, &mut start, &mut non_consuming_push_at, &mut ops)? {}
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
        let (match_start, match_end) = self.region(best.place).pos(0).unwrap_or_default();
        debug_assert_eq!(match_start, best.start);
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
        let mut chain: Vec<(bool, Rc<Flat>, Option<Rc<(Region, String)>>)> = Vec::new();
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
                        start: match_start,
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
        let matched = regex.is_some_and(|regex| {
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
        });
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
            found.line = if matched && !does_something { 0 } else { line_no };
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
        let region = self.region(best.place).clone();
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
            map.sort_by(|a, b| a.0.cmp(&b.0));
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
        let set = self.set;
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
                        if !is_set {
                            if let Some(amount) = ctx.clear_scopes {
                                ops.push((index, ScopeStackOp::Clear(amount)));
                            }
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
                            if is_set {
                                if let Some(amount) = ctx.clear_scopes {
                                    ops.push((index, ScopeStackOp::Clear(amount)));
                                }
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
        region: Region,
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
            if i == refs.len() - 1 {
                if let Some(p) = &pat.with_prototype {
                    prototypes.push(p.id().map_err(|e| e.to_string())?);
                }
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
