//! TeX math rendered to MathML at build time: no JavaScript, no CDN. The
//! page carries `<math>` (which every current browser lays out), with the
//! TeX source in an `<annotation encoding="application/x-tex">` so that it
//! copies.
//!
//! `$…$` and `$$…$$` are pulldown-cmark's (GitHub's rules: no space inside
//! the dollars of inline math, so `$PATH and $HOME` stays text). `\(…\)` and
//! `\[…\]` (and, under the kramdown flavour, the `\\(…\\)` and `\\[…\\]`
//! that Jekyll blogs write for MathJax) are taken out of the Markdown before
//! it is parsed, so that `_` and `*` inside them are not emphasis, and put
//! back as MathML; a placeholder of private-use characters holds their
//! place, with the source's line breaks kept so that every line number
//! stays right.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// One formula taken out of the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    pub tex: String,
    pub display: bool,
    /// 1-based line of its opening delimiter.
    pub line: usize,
}

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Takes every `\(…\)` and `\[…\]` (`\\(…\\)` and `\\[…\\]` when `doubled`)
/// outside code out of `markdown`, leaving placeholders.
pub fn protect(markdown: &str, doubled: bool) -> (String, Vec<Formula>) {
    let (inline, display) = if doubled {
        (("\\\\(", "\\\\)"), ("\\\\[", "\\\\]"))
    } else {
        (("\\(", "\\)"), ("\\[", "\\]"))
    };
    let mut out = String::with_capacity(markdown.len());
    let mut formulas = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let lines: Vec<&str> = markdown.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(open) = fence {
            if closes_fence(line, open) {
                fence = None;
            }
            out.push_str(line);
            i += 1;
            continue;
        }
        if let Some(open) = opens_fence(line) {
            fence = Some(open);
            out.push_str(line);
            i += 1;
            continue;
        }
        // The paragraph from here: a formula may run over its lines.
        let end = (i..lines.len())
            .find(|&k| k > i && (lines[k].trim().is_empty() || opens_fence(lines[k]).is_some()))
            .unwrap_or(lines.len());
        let block: String = lines[i..end].concat();
        out.push_str(&protect_block(
            &block,
            i + 1,
            inline,
            display,
            &mut formulas,
        ));
        i = end;
    }
    (out, formulas)
}

/// Replaces the formulas of one paragraph, skipping inline code spans.
fn protect_block(
    block: &str,
    first_line: usize,
    inline: (&str, &str),
    display: (&str, &str),
    formulas: &mut Vec<Formula>,
) -> String {
    let mut out = String::with_capacity(block.len());
    let mut rest = block;
    let mut line = first_line;
    while !rest.is_empty() {
        let next = [inline.0, display.0, "`"]
            .iter()
            .filter_map(|d| rest.find(d).map(|at| (at, *d)))
            .min_by_key(|(at, d)| (*at, std::cmp::Reverse(d.len())));
        let Some((at, delim)) = next else {
            out.push_str(rest);
            break;
        };
        let (before, from) = rest.split_at(at);
        line += before.matches('\n').count();
        out.push_str(before);
        if delim == "`" {
            // A code span: copied as it is, up to the same run of backticks.
            let run = from.len() - from.trim_start_matches('`').len();
            let ticks = &from[..run];
            let skip = from[run..].find(ticks).map_or(run, |e| run + e + run);
            line += from[..skip].matches('\n').count();
            out.push_str(&from[..skip]);
            rest = &from[skip..];
            continue;
        }
        let (close, is_display) = if delim == display.0 {
            (display.1, true)
        } else {
            (inline.1, false)
        };
        let body = &from[delim.len()..];
        match body.find(close) {
            Some(end) if !body[..end].trim().is_empty() => {
                let tex = &body[..end];
                let breaks = tex.matches('\n').count();
                out.push(OPEN);
                out.push_str(&formulas.len().to_string());
                out.push(CLOSE);
                out.push_str(&"\n".repeat(breaks));
                formulas.push(Formula {
                    tex: tex.trim().to_string(),
                    display: is_display,
                    line,
                });
                line += breaks;
                rest = &body[end + close.len()..];
            }
            _ => {
                out.push_str(delim);
                rest = body;
            }
        }
    }
    out
}

fn opens_fence(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start();
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3 && !(c == '`' && t[n..].contains('`'))).then_some((c, n))
}

fn closes_fence(line: &str, (c, n): (char, usize)) -> bool {
    let t = line.trim();
    t.len() >= n && t.chars().all(|x| x == c)
}

/// The pieces of a text event: text, and the formulas whose placeholders
/// it holds (by index).
pub fn pieces(text: &str) -> Vec<Result<&str, usize>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let Some(len) = rest[start..].find(CLOSE) else {
            break;
        };
        let Ok(n) = rest[start + OPEN.len_utf8()..start + len].parse() else {
            break;
        };
        if start > 0 {
            out.push(Ok(&rest[..start]));
        }
        out.push(Err(n));
        rest = &rest[start + len + CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Ok(rest));
    }
    out
}

/// Whether a text holds a placeholder.
pub fn has_placeholder(text: &str) -> bool {
    text.contains(OPEN)
}

/// `text` with every placeholder put back as the formula's source (for
/// heading ids and plain-text summaries).
pub fn restore(text: &str, formulas: &[Formula]) -> String {
    pieces(text)
        .into_iter()
        .map(|p| match p {
            Ok(t) => t.to_string(),
            Err(n) => formulas.get(n).map_or(String::new(), |f| f.tex.clone()),
        })
        .collect()
}

/// The MathML of a formula, or why TeX does not read.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(tex, &storage).collect();
    if let Some(Err(e)) = events.iter().find(|e| e.is_err()) {
        return Err(e.to_string());
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(tex),
        ..RenderConfig::default()
    };
    let mut out = String::new();
    push_mathml(&mut out, events.into_iter(), config).map_err(|e| e.to_string())?;
    Ok(out)
}

/// A formula that does not read, shown as its source in code, as written.
pub fn as_code(tex: &str, display: bool) -> String {
    let escaped = crate::highlight::escape(tex);
    if display {
        format!("<pre class=\"math-error\"><code>{escaped}</code></pre>")
    } else {
        format!("<code class=\"math-error\">{escaped}</code>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_outside_code_are_taken_out_and_lines_kept() {
        let md = "a \\(x_1\\) b `\\(not\\)` c\n\n```\n\\(code\\)\n```\n\\[\ny^2\n\\]\nend";
        let (out, f) = protect(md, false);
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0],
            Formula {
                tex: "x_1".into(),
                display: false,
                line: 1
            }
        );
        assert_eq!(
            f[1],
            Formula {
                tex: "y^2".into(),
                display: true,
                line: 6
            }
        );
        assert!(out.contains("`\\(not\\)`") && out.contains("\\(code\\)"));
        assert_eq!(out.matches('\n').count(), md.matches('\n').count());
    }

    #[test]
    fn the_doubled_forms_of_jekyll_blogs() {
        let md =
            "RMS is \\\\( V_{rms} = \\frac{V_{max}}{\\sqrt{2}} \\\\) and\n\\\\[ P = I^2 R \\\\]";
        let (_, f) = protect(md, true);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].tex, "V_{rms} = \\frac{V_{max}}{\\sqrt{2}}");
        assert!(f[1].display);
        // Single backslashes are escapes there, not math.
        assert!(protect("\\(a\\)", true).1.is_empty());
    }

    #[test]
    fn placeholders_split_and_restore() {
        let (out, f) = protect("x \\(a^2\\) y", false);
        let parts = pieces(&out);
        assert_eq!(parts, vec![Ok("x "), Err(0), Ok(" y")]);
        assert_eq!(restore(&out, &f), "x a^2 y");
    }

    #[test]
    fn mathml_keeps_the_source_and_errors_are_reported() {
        let m = to_mathml("\\frac{a}{b}", false).unwrap();
        assert!(m.starts_with("<math") && m.contains("<mfrac>"), "{m}");
        assert!(
            m.contains("<annotation encoding=\"application/x-tex\">\\frac{a}{b}</annotation>"),
            "{m}"
        );
        let d = to_mathml("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", true).unwrap();
        assert!(
            d.contains("display=\"block\"") && d.contains("<mtable"),
            "{d}"
        );
        assert!(to_mathml("\\frac{a}{", false).is_err());
        assert!(to_mathml("\\nosuchcommand", false).is_err());
    }
}
