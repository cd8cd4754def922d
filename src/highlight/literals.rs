//! Which text a grammar pattern cannot match without: a prefilter that
//! spares the regex engine most of its searches.
//!
//! On a line of bash, syntect's algorithm searches 140 patterns, and 86% of
//! those searches find nothing: `(\d*)(<<-)\s*(")…` on a line without
//! `<<-`, `\bcoproc(?![-=\w])` on a line without `coproc`. Each costs a
//! call into Oniguruma. [`required`] reads a pattern once and finds
//! literals one of which every match must contain (in the matched text or
//! in a lookahead, so at or after where the search starts); a line without
//! any of them after that point cannot match, and the search is answered
//! without the regex engine.
//!
//! The reading is conservative: anything it does not fully understand
//! (case-insensitive or extended mode, back references, unusual escapes,
//! conditionals) gives no literals, and the pattern is always searched.
//! Debug builds check every answer against a real search.

/// Literals of which every match of `pattern` (Oniguruma's Ruby syntax, as
/// syntect compiles grammars) contains one, at or after the position the
/// search starts from; `None` when that cannot be told.
pub(crate) fn required(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let mut reader = Reader {
        s: pattern.as_bytes(),
        i: 0,
    };
    let found = reader.alternation().ok()?;
    // A stray `)` ends the top level early: do not guess.
    if reader.i != reader.s.len() {
        return None;
    }
    found
}

/// The pattern's syntax is beyond this reader: no literals.
struct Unknown;

type Set = Vec<Vec<u8>>;

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

/// One element of a sequence.
enum Item {
    Literal(u8),
    /// A group whose content is matched (capturing, non-capturing, atomic,
    /// positive lookahead), with what its content requires.
    Group(Option<Set>),
    /// Anything else: a class, an anchor, a negative or backward look.
    Other,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }

    fn eat(&mut self, c: u8) -> bool {
        let ate = self.peek() == Some(c);
        if ate {
            self.i += 1;
        }
        ate
    }

    /// Branches separated by `|`, up to a `)` or the end: every branch must
    /// require something.
    fn alternation(&mut self) -> Result<Option<Set>, Unknown> {
        let mut all: Set = Vec::new();
        let mut every_branch = true;
        loop {
            match self.sequence()? {
                Some(set) => {
                    for literal in set {
                        if !all.contains(&literal) {
                            all.push(literal);
                        }
                    }
                }
                None => every_branch = false,
            }
            if !self.eat(b'|') {
                break;
            }
        }
        Ok((every_branch && !all.is_empty()).then_some(all))
    }

    /// A run of items: the best of what its mandatory literal runs and
    /// groups require.
    fn sequence(&mut self) -> Result<Option<Set>, Unknown> {
        let mut candidates: Vec<Set> = Vec::new();
        let mut run: Vec<u8> = Vec::new();
        let flush = |run: &mut Vec<u8>, candidates: &mut Vec<Set>| {
            if !run.is_empty() {
                candidates.push(vec![std::mem::take(run)]);
            }
        };
        while let Some(c) = self.peek() {
            if c == b')' || c == b'|' {
                break;
            }
            let item = self.item()?;
            let min = self.quantifier()?;
            match (item, min) {
                (Item::Literal(b), None) => run.push(b),
                (Item::Literal(b), Some(min)) => {
                    if min > 0 {
                        run.push(b);
                    }
                    flush(&mut run, &mut candidates);
                }
                (Item::Group(set), min) => {
                    flush(&mut run, &mut candidates);
                    if min.is_none_or(|m| m > 0) {
                        candidates.extend(set);
                    }
                }
                (Item::Other, _) => flush(&mut run, &mut candidates),
            }
        }
        flush(&mut run, &mut candidates);
        // The rarest is the longest shortest literal, then the fewest.
        Ok(candidates.into_iter().max_by_key(|set| {
            let shortest = set.iter().map(Vec::len).min().unwrap_or(0);
            (shortest, std::cmp::Reverse(set.len()))
        }))
    }

    fn item(&mut self) -> Result<Item, Unknown> {
        match self.next().ok_or(Unknown)? {
            b'\\' => self.escape(),
            b'[' => self.class(),
            b'(' => self.group(),
            b'.' | b'^' | b'$' => Ok(Item::Other),
            b'*' | b'+' | b'?' => Err(Unknown),
            c if c.is_ascii() => Ok(Item::Literal(c)),
            // A character of several bytes: a quantifier after it would
            // apply to all of them. Skip its continuation bytes.
            _ => {
                while self.peek().is_some_and(|b| b & 0xC0 == 0x80) {
                    self.i += 1;
                }
                Ok(Item::Other)
            }
        }
    }

    fn escape(&mut self) -> Result<Item, Unknown> {
        match self.next().ok_or(Unknown)? {
            b'n' => Ok(Item::Literal(b'\n')),
            b't' => Ok(Item::Literal(b'\t')),
            b'd' | b'D' | b'w' | b'W' | b's' | b'S' | b'h' | b'H' | b'b' | b'B' | b'A' | b'z'
            | b'Z' | b'G' | b'K' => Ok(Item::Other),
            b'p' | b'P' => {
                if !self.eat(b'{') {
                    return Err(Unknown);
                }
                while self.next().ok_or(Unknown)? != b'}' {}
                Ok(Item::Other)
            }
            c if c.is_ascii_punctuation() || c == b' ' => Ok(Item::Literal(c)),
            // Digits (back references, octal), \x, \u, \k, \g, \c, …
            _ => Err(Unknown),
        }
    }

    /// Skips a bracket expression, nested ones included.
    fn class(&mut self) -> Result<Item, Unknown> {
        self.eat(b'^');
        // `[]…]` and `[^]…]`: whether `]` is literal there is not worth
        // guessing.
        if self.peek() == Some(b']') {
            return Err(Unknown);
        }
        let mut depth = 1;
        while depth > 0 {
            match self.next().ok_or(Unknown)? {
                b'\\' => {
                    self.next().ok_or(Unknown)?;
                }
                b'[' => depth += 1,
                b']' => depth -= 1,
                _ => {}
            }
        }
        Ok(Item::Other)
    }

    fn group(&mut self) -> Result<Item, Unknown> {
        let matched = if self.eat(b'?') {
            match self.next().ok_or(Unknown)? {
                b':' | b'>' | b'=' => true,
                b'!' => false,
                b'<' if self.eat(b'=') || self.eat(b'!') => false,
                b'<' => {
                    self.name(b'>')?;
                    true
                }
                b'\'' => {
                    self.name(b'\'')?;
                    true
                }
                b'#' => {
                    while self.next().ok_or(Unknown)? != b')' {}
                    return Ok(Item::Other);
                }
                c if c.is_ascii_alphabetic() || c == b'-' => {
                    // Options: `(?m)`, `(?m:…)`; case-insensitive (`i`,
                    // and Oniguruma's ASCII-only `I`) and extended mode
                    // change what a literal is.
                    let mut c = c;
                    loop {
                        if matches!(c, b'i' | b'I' | b'x' | b'X') {
                            return Err(Unknown);
                        }
                        match c {
                            b')' => return Ok(Item::Other),
                            b':' => break,
                            c if c.is_ascii_alphabetic() || c == b'-' => {}
                            _ => return Err(Unknown),
                        }
                        c = self.next().ok_or(Unknown)?;
                    }
                    true
                }
                _ => return Err(Unknown),
            }
        } else {
            true
        };
        let inner = self.alternation()?;
        if !self.eat(b')') {
            return Err(Unknown);
        }
        Ok(if matched {
            Item::Group(inner)
        } else {
            Item::Other
        })
    }

    fn name(&mut self, end: u8) -> Result<(), Unknown> {
        loop {
            match self.next().ok_or(Unknown)? {
                c if c == end => return Ok(()),
                c if c.is_ascii_alphanumeric() || c == b'_' => {}
                _ => return Err(Unknown),
            }
        }
    }

    /// The least number of times a quantifier after an item allows, or
    /// `None` when there is no quantifier.
    fn quantifier(&mut self) -> Result<Option<u32>, Unknown> {
        let min = match self.peek() {
            Some(b'?' | b'*') => {
                self.i += 1;
                0
            }
            Some(b'+') => {
                self.i += 1;
                1
            }
            Some(b'{') => match self.interval() {
                Some(min) => min,
                // Not an interval: `{` is a literal, read as the next item.
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        // Lazy or possessive.
        if !self.eat(b'?') {
            self.eat(b'+');
        }
        if matches!(self.peek(), Some(b'?' | b'*' | b'+' | b'{')) {
            return Err(Unknown);
        }
        Ok(Some(min))
    }

    /// `{n}`, `{n,}`, `{n,m}` or `{,m}`: its least count, the reader past it.
    fn interval(&mut self) -> Option<u32> {
        let rest = &self.s[self.i..];
        let close = rest.iter().position(|&c| c == b'}')?;
        let inside = std::str::from_utf8(&rest[1..close]).ok()?;
        let (low, high) = match inside.split_once(',') {
            Some((low, high)) => (low, Some(high)),
            None => (inside, None),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(low)
            || !high.is_none_or(digits)
            || (low.is_empty() && high.is_none_or(str::is_empty))
        {
            return None;
        }
        let min = if low.is_empty() { 0 } else { low.parse().ok()? };
        self.i += close + 1;
        Some(min)
    }
}

/// Whether `line` may hold, at or after `start`, one of the literals a
/// pattern requires. `last[b]` is one more than the last position of byte
/// `b` in the line (0: absent), so most answers take no scan.
pub(crate) fn may_match(
    required: &[Vec<u8>],
    line: &[u8],
    start: usize,
    last: &[u32; 256],
) -> bool {
    required.iter().any(|literal| {
        let first = literal[0];
        last[first as usize] as usize > start
            && (literal.len() == 1 || memchr::memmem::find(&line[start..], literal).is_some())
    })
}

/// The `last` table of [`may_match`] for a line.
pub(crate) fn last_positions(line: &[u8], last: &mut [u32; 256]) {
    last.fill(0);
    for (i, &b) in line.iter().enumerate() {
        last[b as usize] = i as u32 + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::required;

    fn lits(pattern: &str) -> Option<Vec<String>> {
        required(pattern).map(|set| {
            set.into_iter()
                .map(|l| String::from_utf8(l).expect("ASCII literals"))
                .collect()
        })
    }

    #[test]
    fn literals_every_match_contains() {
        assert_eq!(lits(r"\bcoproc(?![-=\w])"), Some(vec!["coproc".into()]));
        assert_eq!(
            lits(r"(\d*)(<<-)\s*(')([\p{L}_][\p{L}\p{N}_]*)(')"),
            Some(vec!["<<-".into()])
        );
        assert_eq!(lits(r"\\\n"), Some(vec!["\\\n".into()]));
        assert_eq!(lits(r"\$'"), Some(vec!["$'".into()]));
        assert_eq!(lits(r"(?=\))"), Some(vec![")".into()]));
        assert_eq!(
            lits(r"\s*\b(function)\s+|(?=\s*[^[\s\t\n|&;()<>]\d][^[\s\t\n|&;()<>]=]*\s*\(\s*\))"),
            Some(vec!["function".into(), ")".into()])
        );
        // An optional character is not required; the one before it is.
        assert_eq!(lits("ab?"), Some(vec!["a".into()]));
        assert_eq!(lits("ab+c"), Some(vec!["ab".into()]));
        assert_eq!(lits("a{2,}b"), Some(vec!["b".into()]));
        // `{` that is no interval is a literal.
        assert_eq!(lits(r"\${"), Some(vec!["${".into()]));
        assert_eq!(lits(r"x{a}"), Some(vec!["x{a}".into()]));
    }

    #[test]
    fn what_cannot_be_told_requires_nothing() {
        for pattern in [
            r"(?=\S)",
            r"(?i)select",
            r"(?x) a b",
            r"(?i:select)",
            r"(?I)select",
            r"a(?-i)b",
            r"(['\x22])\1",
            r"a|\s+",
            r"(?:abc)?",
            r"(?<=do)ne",
            r"(?!foo)",
            "é+",
            r"[]a]",
            r"a)",
            "",
        ] {
            let found = required(pattern);
            assert!(
                found.is_none() || pattern == r"(?<=do)ne",
                "{pattern}: {found:?}"
            );
        }
        // A lookbehind's text may lie before the search start.
        assert_eq!(lits(r"(?<=do)ne"), Some(vec!["ne".into()]));
    }
}
