//! What notes written for kramdown (Jekyll's Markdown) need beyond
//! CommonMark, as Jekyll publishes them: inline attribute lists
//! (`{: .class #id key="value"}`), abbreviations (`*[HTML]: …`), and the
//! `{% raw %}` tags Jekyll's Liquid removes. The parsing is here; where
//! the attributes go is `markdown`'s.

/// The attributes of an IAL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(String, String)>,
}

impl Attrs {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.classes.is_empty() && self.pairs.is_empty()
    }

    /// Adds `other`'s attributes (a second IAL on the same element).
    pub fn merge(&mut self, other: Attrs) {
        if other.id.is_some() {
            self.id = other.id;
        }
        self.classes.extend(other.classes);
        self.pairs.extend(other.pairs);
    }

    /// ` id="…" class="…" key="…"`, escaped.
    pub fn html(&self) -> String {
        let mut out = String::new();
        if let Some(id) = &self.id {
            out.push_str(&format!(" id=\"{}\"", escape(id)));
        }
        if !self.classes.is_empty() {
            out.push_str(&format!(" class=\"{}\"", escape(&self.classes.join(" "))));
        }
        for (k, v) in &self.pairs {
            out.push_str(&format!(" {}=\"{}\"", escape(k), escape(v)));
        }
        out
    }
}

/// Reads an IAL at the start of `text` (`{: .a #b c="d"}`), giving its
/// attributes and the text after it. kramdown's other `{:…}` forms
/// (attribute list definitions `{:ref: …}`, extensions `{::…}`) give no
/// attributes but are not text either: they are taken out too.
pub fn ial(text: &str) -> Option<(Attrs, &str)> {
    let body = text.strip_prefix("{:")?;
    let end = closing_brace(body)?;
    let rest = &body[end + 1..];
    // Typographic quotes, where smart punctuation reached the IAL first.
    let inner = body[..end]
        .replace(['“', '”'], "\"")
        .replace(['‘', '’'], "'");
    let inner = inner.as_str();
    let mut attrs = Attrs::default();
    if inner.starts_with(':') || inner.trim_start().contains(": ") && !inner.contains('=') {
        return Some((attrs, rest));
    }
    let mut chars = inner.trim();
    while !chars.is_empty() {
        chars = chars.trim_start();
        if let Some(r) = chars.strip_prefix('.') {
            let (word, r) = word(r);
            attrs.classes.push(word.to_string());
            chars = r;
        } else if let Some(r) = chars.strip_prefix('#') {
            let (word, r) = word(r);
            attrs.id = Some(word.to_string());
            chars = r;
        } else {
            let (key, r) = word(chars);
            if key.is_empty() {
                // Not a word: skip one character (kramdown ignores it too).
                chars = &chars[chars.chars().next().map_or(0, char::len_utf8)..];
                continue;
            }
            match r.strip_prefix('=') {
                Some(r) => {
                    let (value, r) = quoted(r);
                    attrs.pairs.push((key.to_string(), value));
                    chars = r;
                }
                // A reference to an attribute list definition.
                None => chars = r,
            }
        }
    }
    Some((attrs, rest))
}

/// The `}` that ends an IAL, outside quoted values.
fn closing_brace(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        let closer = match c {
            '“' => '”',
            '‘' => '’',
            c => c,
        };
        match (quote, c) {
            (None, '"' | '\'' | '“' | '‘') => quote = Some(closer),
            (Some(q), c) if c == q => quote = None,
            (None, '}') => return Some(i),
            (None, '\n') => return None,
            _ => {}
        }
    }
    None
}

fn word(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| c.is_whitespace() || c == '=' || c == '.' || c == '#' || c == '}')
        .unwrap_or(s.len());
    s.split_at(end)
}

fn quoted(s: &str) -> (String, &str) {
    match s.chars().next() {
        Some(q @ ('"' | '\'')) => match s[1..].find(q) {
            Some(end) => (s[1..1 + end].replace("\\\"", "\""), &s[end + 2..]),
            None => (s[1..].to_string(), ""),
        },
        _ => {
            let end = s.find(char::is_whitespace).unwrap_or(s.len());
            (s[..end].to_string(), &s[end..])
        }
    }
}

/// A text that is nothing but IALs (a block IAL on its own line).
pub fn only_ials(text: &str) -> Option<Attrs> {
    let mut rest = text.trim();
    if !rest.starts_with("{:") {
        return None;
    }
    let mut attrs = Attrs::default();
    while !rest.is_empty() {
        let (a, r) = ial(rest)?;
        attrs.merge(a);
        rest = r.trim();
    }
    Some(attrs)
}

/// Removes Liquid's `{% raw %}` and `{% endraw %}` tags (Jekyll shows
/// what they enclose as written, and the tags not at all). Whitespace
/// control (`{%- raw -%}`) is read too; line breaks are kept.
pub fn remove_raw_tags(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("{%") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        // The `%}` after the `{%` (in `{%}` they share the `%`).
        let Some(len) = rest[start + 2..].find("%}") else {
            break;
        };
        let end = start + 2 + len + 2;
        let inner = rest[start + 2..end - 2].trim_matches('-').trim();
        out.push_str(&rest[..start]);
        if inner != "raw" && inner != "endraw" {
            out.push_str(&rest[start..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.into()
}

/// kramdown reads a fence that is never closed (on a line of its own) as
/// text, not as a code block running to the end of the note: its opening
/// fence is escaped so that CommonMark reads it as text too.
pub fn unclosed_fences_as_text(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let fence_of = |line: &str| -> Option<(char, usize, usize)> {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim_start();
        let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let n = t.chars().take_while(|x| *x == c).count();
        (n >= 3).then_some((c, n, indent))
    };
    let mut escaped = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((c, n, _)) = fence_of(lines[i]) else {
            i += 1;
            continue;
        };
        let close = (i + 1..lines.len()).find(|&k| {
            let t = lines[k].trim();
            t.len() >= n && t.chars().all(|x| x == c)
        });
        match close {
            Some(k) => i = k + 1,
            None => {
                escaped.push(i);
                i += 1;
            }
        }
    }
    let mut out = String::with_capacity(text.len() + escaped.len());
    for (i, line) in lines.iter().enumerate() {
        if escaped.contains(&i) {
            let indent = line.len() - line.trim_start().len();
            out.push_str(&line[..indent]);
            out.push('\\');
            out.push_str(&line[indent..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// An abbreviation definition: `*[HTML]: Hyper Text Markup Language`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbreviation {
    pub abbr: String,
    pub title: String,
}

/// Takes the abbreviation definitions out of `text` (each line left empty,
/// so that line numbers stay), outside fenced code.
pub fn take_abbreviations(text: &str) -> (std::borrow::Cow<'_, str>, Vec<Abbreviation>) {
    if !text.contains("*[") {
        return (text.into(), Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if marker.len() >= 3 {
            match &fence {
                Some(open) if marker.starts_with(open.as_str()) && t.trim() == marker => {
                    fence = None
                }
                None => fence = Some(marker),
                _ => {}
            }
        }
        let definition = fence
            .is_none()
            .then(|| t.strip_prefix("*[")?.split_once("]:"))
            .flatten()
            .filter(|(abbr, _)| !abbr.is_empty() && !abbr.contains(']'));
        match definition {
            Some((abbr, title)) => {
                found.push(Abbreviation {
                    abbr: abbr.to_string(),
                    title: title.trim().to_string(),
                });
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    (out.into(), found)
}

/// `text` as HTML with every whole-word occurrence of an abbreviation in
/// `<abbr title>`; `None` when there is none.
pub fn mark_abbreviations(text: &str, abbreviations: &[Abbreviation]) -> Option<String> {
    let mut hits: Vec<(usize, usize, &Abbreviation)> = Vec::new();
    for a in abbreviations {
        for (at, _) in text.match_indices(a.abbr.as_str()) {
            let end = at + a.abbr.len();
            let before = text[..at].chars().next_back();
            let after = text[end..].chars().next();
            let bounded = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
            if bounded(before)
                && bounded(after)
                && !hits.iter().any(|(s, e, _)| at < *e && *s < end)
            {
                hits.push((at, end, a));
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    hits.sort_by_key(|h| h.0);
    let mut out = String::with_capacity(text.len() + hits.len() * 24);
    let mut last = 0;
    for (start, end, a) in hits {
        out.push_str(&escape(&text[last..start]));
        out.push_str(&format!(
            "<abbr title=\"{}\">{}</abbr>",
            escape(&a.title),
            escape(&a.abbr)
        ));
        last = end;
    }
    out.push_str(&escape(&text[last..]));
    Some(out)
}

pub use crate::highlight::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ial_form() {
        let (a, rest) = ial("{: .centered } tail").unwrap();
        assert_eq!(a.classes, ["centered"]);
        assert_eq!(rest, " tail");
        let (a, _) = ial("{: #intro .a.b lang=\"fr\" data-x='1 2' width=300}").unwrap();
        assert_eq!(a.id.as_deref(), Some("intro"));
        assert_eq!(a.classes, ["a", "b"]);
        assert_eq!(
            a.pairs,
            [
                ("lang".into(), "fr".into()),
                ("data-x".into(), "1 2".into()),
                ("width".into(), "300".into())
            ]
        );
        assert_eq!(
            a.html(),
            " id=\"intro\" class=\"a b\" lang=\"fr\" data-x=\"1 2\" width=\"300\""
        );
        // An attribute list definition or an extension: no attributes, gone.
        assert!(ial("{:ref: .x}").unwrap().0.is_empty());
        assert!(ial("{::comment}").unwrap().0.is_empty());
        assert!(ial("{: .x").is_none());
        assert!(ial("{{ site.url }}").is_none());
        assert_eq!(
            only_ials("  {: .a }{: #b}  ").unwrap().id.as_deref(),
            Some("b")
        );
        assert!(only_ials("{: .a } text").is_none());
        assert_eq!(
            ial("{: title=\"a } b\"}").unwrap().0.pairs,
            [("title".into(), "a } b".into())]
        );
    }

    #[test]
    fn an_unclosed_fence_is_text() {
        assert_eq!(
            unclosed_fences_as_text("a\n```\nb\n```\n```\n"),
            "a\n```\nb\n```\n\\```\n"
        );
        assert_eq!(unclosed_fences_as_text("```x\ny\n"), "\\```x\ny\n");
    }

    #[test]
    fn raw_tags_go_and_what_they_enclose_stays() {
        assert_eq!(
            remove_raw_tags("{% raw %}{{ site.url }}{% endraw %}"),
            "{{ site.url }}"
        );
        assert_eq!(remove_raw_tags("a {%- raw -%} b {%endraw%}\nc"), "a  b \nc");
        assert_eq!(
            remove_raw_tags("{% if x %}y{% endif %}"),
            "{% if x %}y{% endif %}"
        );
    }

    #[test]
    fn abbreviations_are_taken_out_and_marked() {
        let (text, abbrs) = take_abbreviations(
            "HTML and CSS.\n\n*[HTML]: Hyper Text Markup Language\n```\n*[X]: not\n```\n",
        );
        assert_eq!(
            abbrs,
            [Abbreviation {
                abbr: "HTML".into(),
                title: "Hyper Text Markup Language".into()
            }]
        );
        assert_eq!(text.matches('\n').count(), 6);
        assert!(text.contains("*[X]: not"));
        assert_eq!(
            mark_abbreviations("HTML, XHTML and HTML5 <b>", &abbrs).unwrap(),
            "<abbr title=\"Hyper Text Markup Language\">HTML</abbr>, XHTML and HTML5 &lt;b&gt;"
        );
        assert!(mark_abbreviations("nothing", &abbrs).is_none());
    }
}
