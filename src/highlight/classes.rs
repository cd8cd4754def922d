//! Short class names for syntect's scopes, and the stylesheet that colours
//! them from a theme.
//!
//! syntect's own class output names every scope atom (`<span class="source
//! shell bash meta function-call …">`), which makes code-heavy pages several
//! times larger. Like Pygments, we give each token one short class for what
//! it is (`k` keyword, `s` string, `c` comment, …) and generate the CSS for
//! those classes from the chosen Sublime themes.

use std::cell::RefCell;
use std::fmt::Write;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use syntect::highlighting::{Color, FontStyle, Highlighter as ThemeHighlighter, Theme};
use syntect::parsing::Scope;

/// A token class: the short name in the HTML and the scopes that stand for
/// it when asking a theme for its colour (first one the theme styles wins).
pub struct Class {
    pub name: &'static str,
    pub what: &'static str,
    pub theme_scopes: &'static [&'static str],
}

/// Every class the highlighter emits. Order matters only for the CSS.
pub const CLASSES: &[Class] = &[
    Class {
        name: "c",
        what: "comment",
        theme_scopes: &["comment"],
    },
    Class {
        name: "k",
        what: "keyword",
        theme_scopes: &["keyword.control", "keyword"],
    },
    Class {
        name: "o",
        what: "operator",
        theme_scopes: &["keyword.operator", "keyword"],
    },
    Class {
        name: "kd",
        what: "storage modifier",
        theme_scopes: &["storage.modifier", "storage", "keyword"],
    },
    Class {
        name: "kt",
        what: "type keyword",
        theme_scopes: &["storage.type", "storage", "keyword"],
    },
    Class {
        name: "kc",
        what: "language constant",
        theme_scopes: &["constant.language", "constant"],
    },
    Class {
        name: "m",
        what: "number",
        theme_scopes: &["constant.numeric", "constant"],
    },
    Class {
        name: "s",
        what: "string",
        theme_scopes: &["string.quoted", "string"],
    },
    Class {
        name: "se",
        what: "escape",
        theme_scopes: &[
            "constant.character.escape",
            "constant.character",
            "constant",
        ],
    },
    Class {
        name: "sr",
        what: "regexp",
        theme_scopes: &["string.regexp", "string"],
    },
    Class {
        name: "nb",
        what: "builtin",
        theme_scopes: &["support.function", "support", "entity.name.function"],
    },
    Class {
        name: "nf",
        what: "function",
        theme_scopes: &["entity.name.function", "support.function"],
    },
    Class {
        name: "nc",
        what: "class or type",
        theme_scopes: &[
            "entity.name.class",
            "entity.name.type",
            "support.class",
            "storage.type",
        ],
    },
    Class {
        name: "nd",
        what: "decorator",
        theme_scopes: &[
            "entity.name.function.decorator",
            "meta.annotation",
            "entity.name.function",
        ],
    },
    Class {
        name: "nt",
        what: "tag",
        theme_scopes: &["entity.name.tag", "keyword"],
    },
    Class {
        name: "na",
        what: "attribute",
        theme_scopes: &["entity.other.attribute-name", "entity.name"],
    },
    Class {
        name: "nv",
        what: "variable",
        theme_scopes: &["variable.other", "variable", "support.variable"],
    },
    Class {
        name: "bp",
        what: "self/this",
        theme_scopes: &["variable.language", "constant.language"],
    },
    Class {
        name: "ne",
        what: "exception name",
        theme_scopes: &[
            "support.type.exception",
            "entity.name.class",
            "entity.name.type",
            "support.class",
        ],
    },
    Class {
        name: "gi",
        what: "inserted line",
        theme_scopes: &["markup.inserted", "string"],
    },
    Class {
        name: "gd",
        what: "deleted line",
        theme_scopes: &["markup.deleted", "invalid"],
    },
    Class {
        name: "gh",
        what: "heading",
        theme_scopes: &[
            "markup.heading",
            "meta.diff.header",
            "entity.name.section",
            "keyword",
        ],
    },
    Class {
        name: "gu",
        what: "diff range",
        theme_scopes: &["meta.diff.range", "meta.diff.header", "comment"],
    },
    Class {
        name: "gt",
        what: "traceback header",
        theme_scopes: &["markup.heading", "keyword.control", "keyword"],
    },
    Class {
        name: "gp",
        what: "prompt",
        theme_scopes: &["keyword.operator", "keyword"],
    },
    Class {
        name: "go",
        what: "output",
        theme_scopes: &["comment"],
    },
    Class {
        name: "err",
        what: "invalid",
        theme_scopes: &["invalid", "markup.deleted"],
    },
];

/// Scope prefixes mapped to classes, most specific first. A token's class
/// comes from the innermost scope of its stack that matches one.
const RULES: &[(&str, &str)] = &[
    ("punctuation.definition.comment", "c"),
    ("comment", "c"),
    ("punctuation.definition.string", "s"),
    ("string.regexp", "sr"),
    ("string", "s"),
    ("constant.character.escape", "se"),
    ("constant.character", "se"),
    ("constant.numeric", "m"),
    ("constant.language", "kc"),
    ("keyword.operator", "o"),
    ("keyword", "k"),
    ("storage.type", "kt"),
    ("storage.modifier", "kd"),
    ("storage", "kd"),
    ("support.type.exception", "ne"),
    ("support.class", "nc"),
    ("support.type", "nb"),
    ("support.function", "nb"),
    ("support.constant", "kc"),
    ("support.variable", "nv"),
    ("entity.name.function.decorator", "nd"),
    ("entity.name.function", "nf"),
    ("entity.name.class", "nc"),
    ("entity.name.type", "nc"),
    ("entity.name.tag", "nt"),
    ("entity.name.section", "gh"),
    ("entity.name", "nf"),
    ("entity.other.attribute-name", "na"),
    ("entity.other.inherited-class", "nc"),
    ("meta.annotation", "nd"),
    ("variable.language", "bp"),
    ("variable.function", "nf"),
    ("variable.parameter", "nv"),
    ("variable", "nv"),
    ("markup.inserted", "gi"),
    ("markup.deleted", "gd"),
    ("markup.heading", "gh"),
    ("meta.diff.range", "gu"),
    ("meta.diff.header", "gh"),
    ("invalid", "err"),
];

fn rules() -> &'static [(Scope, &'static str)] {
    static RULES_PARSED: OnceLock<Vec<(Scope, &'static str)>> = OnceLock::new();
    RULES_PARSED.get_or_init(|| {
        RULES
            .iter()
            .filter_map(|(s, c)| Scope::new(s).ok().map(|scope| (scope, *c)))
            .collect()
    })
}

/// The class of a token whose scope stack is `stack` (outermost first).
pub fn class_for(stack: &[Scope]) -> Option<&'static str> {
    // A grammar uses a few hundred scopes, each met thousands of times:
    // each is matched against the rules once per thread (the linear scan
    // was a tenth of highlighting time).
    thread_local! {
        static MEMO: RefCell<FxHashMap<Scope, Option<&'static str>>> = RefCell::default();
    }
    MEMO.with_borrow_mut(|memo| {
        stack
            .iter()
            .rev()
            .find_map(|scope| *memo.entry(*scope).or_insert_with(|| class_of(*scope)))
    })
}

/// The class of one scope: the first rule that is a prefix of it.
fn class_of(scope: Scope) -> Option<&'static str> {
    rules()
        .iter()
        .find(|(prefix, _)| prefix.is_prefix_of(scope))
        .map(|(_, class)| *class)
}

/// CSS for every class under `scope` (`pre.code` or a dark-mode selector),
/// plus the block's own foreground and background.
pub fn css_for_theme(theme: &Theme, scope: &str) -> String {
    let highlighter = ThemeHighlighter::new(theme);
    let mut css = String::new();
    let fg = theme.settings.foreground;
    let bg = theme.settings.background;
    let _ = write!(css, "{scope} {{");
    if let Some(c) = fg {
        let _ = write!(css, " color: {};", hex(c));
    }
    if let Some(c) = bg {
        let _ = write!(css, " background-color: {};", hex(c));
    }
    css.push_str(" }\n");
    if let Some(c) = theme.settings.line_highlight.or(theme.settings.selection) {
        let _ = writeln!(css, "{scope} .hl {{ background-color: {}; }}", hex(c));
    }
    for class in CLASSES {
        let style = class.theme_scopes.iter().find_map(|s| {
            let scope = Scope::new(s).ok()?;
            let m = highlighter.style_mod_for_stack(&[scope]);
            m.foreground.map(|f| (f, m.font_style))
        });
        let mut rule = String::new();
        match style {
            Some((color, font)) if Some(color) != fg || font.is_some_and(|f| !f.is_empty()) => {
                let _ = write!(rule, " color: {};", hex(color));
                if let Some(font) = font {
                    if font.contains(FontStyle::BOLD) {
                        rule.push_str(" font-weight: bold;");
                    }
                    if font.contains(FontStyle::ITALIC) {
                        rule.push_str(" font-style: italic;");
                    }
                }
            }
            Some((color, _)) => {
                let _ = write!(rule, " color: {};", hex(color));
            }
            None => {}
        }
        match class.name {
            "gp" => rule.push_str(" font-weight: bold; user-select: none;"),
            "gt" | "ne" | "gh" if !rule.contains("bold") => rule.push_str(" font-weight: bold;"),
            "err" if rule.is_empty() => rule.push_str(" text-decoration: underline wavy;"),
            _ => {}
        }
        if !rule.is_empty() {
            let _ = writeln!(css, "{scope} .{} {{{rule} }}", class.name);
        }
    }
    css
}

fn hex(c: Color) -> String {
    if c.a == 0xFF {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!("#{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(scopes: &[&str]) -> Vec<Scope> {
        scopes.iter().map(|s| Scope::new(s).unwrap()).collect()
    }

    #[test]
    fn innermost_matching_scope_decides() {
        assert_eq!(
            class_for(&stack(&["source.python", "string.quoted.double.python"])),
            Some("s")
        );
        assert_eq!(
            class_for(&stack(&[
                "source.python",
                "string.quoted.double.python",
                "punctuation.definition.string.begin.python"
            ])),
            Some("s")
        );
        assert_eq!(
            class_for(&stack(&[
                "source.shell",
                "string.quoted.double",
                "variable.other.readwrite"
            ])),
            Some("nv")
        );
        assert_eq!(
            class_for(&stack(&[
                "source.python",
                "meta.function-call",
                "punctuation.section.arguments"
            ])),
            None
        );
        assert_eq!(
            class_for(&stack(&["source.python", "keyword.control.import.python"])),
            Some("k")
        );
    }

    #[test]
    fn every_rule_class_is_a_known_class() {
        for (_, class) in RULES {
            assert!(CLASSES.iter().any(|c| c.name == *class), "{class}");
        }
    }
}
