//! Highlighting of every language a troubleshooting note uses: snapshots of
//! the HTML (reviewed by eye), and checks that the stylesheet colours what
//! matters in both themes.

use notes::highlight::{self, Highlighter};

/// Pieces of a sample that must be styled: (text, what it is).
type Pieces = &'static [(&'static str, &'static str)];

/// One sample per must-have language: (info string, code, pieces).
const SAMPLES: &[(&str, &str, Pieces)] = &[
    (
        "bash",
        "# install the backend\npip install --force-reinstall cffi  # again\nexport PATH=\"$HOME/.local/bin:$PATH\"\nif [ -f /etc/os-release ]; then echo 'ok'; fi\n",
        &[
            ("# install the backend", "comment"),
            ("if", "keyword"),
            ("'ok'", "string"),
        ],
    ),
    (
        "console",
        "$ python3 -c 'import cffi'\nTraceback (most recent call last):\n# apt install python3-cffi\nReading package lists... Done\n",
        &[
            ("$ ", "prompt"),
            ("# ", "prompt"),
            ("'import cffi'", "string"),
        ],
    ),
    (
        "python",
        "import sys\n\n# find the module\ndef find(name: str) -> bool:\n    \"\"\"Doc.\"\"\"\n    return name in sys.modules  # True or False\n\n@cache\nclass Finder(object):\n    pass\n",
        &[
            ("import", "keyword"),
            ("# find the module", "comment"),
            ("\"\"\"Doc.\"\"\"", "docstring"),
        ],
    ),
    (
        "pycon",
        ">>> import cffi\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nModuleNotFoundError: No module named 'cffi'\n>>> 1 + 1\n2\n",
        &[
            (">>> ", "prompt"),
            ("ModuleNotFoundError", "exception name"),
            ("import", "keyword"),
        ],
    ),
    (
        "pytb",
        "Traceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/cryptography/hazmat/_oid.py\", line 9, in <module>\n    from cryptography.hazmat.bindings._rust import (\npyo3_runtime.PanicException: Python API call failed\n",
        &[
            ("pyo3_runtime.PanicException", "exception name"),
            (
                "\"/usr/lib/python3/dist-packages/cryptography/hazmat/_oid.py\"",
                "string",
            ),
            ("Traceback (most recent call last):", "traceback header"),
        ],
    ),
    (
        "json",
        "{\"name\": \"notes\", \"version\": 1, \"ok\": true, \"list\": [null]}\n",
        &[("\"notes\"", "string")],
    ),
    (
        "yaml",
        "# config\nname: notes\nport: 8080\nenabled: true\n",
        &[("# config", "comment")],
    ),
    (
        "toml",
        "# build\n[package]\nname = \"notes\"\nversion = \"0.1.0\"\n",
        &[("# build", "comment"), ("\"notes\"", "string")],
    ),
    (
        "ini",
        "; settings\n[server]\nhost = localhost\n",
        &[("; settings", "comment")],
    ),
    (
        "dockerfile",
        "FROM python:3.12-slim\n# deps\nRUN pip install cffi\nCMD [\"python\", \"app.py\"]\n",
        &[("FROM", "keyword"), ("# deps", "comment")],
    ),
    (
        "powershell",
        "# list\nGet-ChildItem -Path C:\\ | Where-Object { $_.Length -gt 1kb }\n$name = \"x\"\n",
        &[("# list", "comment"), ("\"x\"", "string")],
    ),
    (
        "javascript",
        "// fetch\nconst res = await fetch('/api');\nif (!res.ok) throw new Error(`bad ${res.status}`);\n",
        &[
            ("// fetch", "comment"),
            ("const", "keyword"),
            ("'/api'", "string"),
        ],
    ),
    (
        "typescript",
        "// typed\ninterface Note { title: string }\nconst n: Note = { title: 'x' };\n",
        &[
            ("// typed", "comment"),
            ("interface", "keyword"),
            ("'x'", "string"),
        ],
    ),
    (
        "java",
        "// main\npublic class Main {\n  public static void main(String[] args) { System.out.println(\"hi\"); }\n}\n",
        &[("// main", "comment"), ("\"hi\"", "string")],
    ),
    (
        "kotlin",
        "// main\nfun main() { val x = \"hi\"; println(x) }\n",
        &[("// main", "comment"), ("\"hi\"", "string")],
    ),
    (
        "go",
        "// main\npackage main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hi\") }\n",
        &[
            ("// main", "comment"),
            ("package", "keyword"),
            ("\"hi\"", "string"),
        ],
    ),
    (
        "rust",
        "// main\nfn main() -> Result<(), Box<dyn std::error::Error>> { let s = \"hi\"; Ok(()) }\n",
        &[
            ("// main", "comment"),
            ("let", "keyword"),
            ("\"hi\"", "string"),
        ],
    ),
    (
        "c",
        "/* main */\n#include <stdio.h>\nint main(void) { return printf(\"hi\"); }\n",
        &[
            ("/* main */", "comment"),
            ("return", "keyword"),
            ("\"hi\"", "string"),
        ],
    ),
    (
        "cpp",
        "// main\n#include <iostream>\nint main() { std::cout << \"hi\"; return 0; }\n",
        &[
            ("// main", "comment"),
            ("return", "keyword"),
            ("\"hi\"", "string"),
        ],
    ),
    (
        "csharp",
        "// main\nusing System;\nclass P { static void Main() { Console.WriteLine(\"hi\"); } }\n",
        &[
            ("// main", "comment"),
            ("using", "keyword"),
            ("\"hi\"", "string"),
        ],
    ),
    (
        "sql",
        "-- users\nSELECT name FROM users WHERE id = 'x';\n",
        &[
            ("-- users", "comment"),
            ("SELECT", "keyword"),
            ("'x'", "string"),
        ],
    ),
    (
        "html",
        "<!-- page -->\n<a href=\"/x\" class=\"y\">link</a>\n",
        &[("<!-- page -->", "comment"), ("\"/x\"", "string")],
    ),
    (
        "xml",
        "<!-- conf -->\n<server port=\"8080\"><name>x</name></server>\n",
        &[("<!-- conf -->", "comment"), ("\"8080\"", "string")],
    ),
    (
        "css",
        "/* layout */\n.sort-container { display: flex; gap: 10px; }\n",
        &[("/* layout */", "comment")],
    ),
    (
        "diff",
        "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-import cffi\n+import cffi_backend\n",
        &[
            ("+import cffi_backend", "inserted line"),
            ("-import cffi", "deleted line"),
        ],
    ),
    (
        "makefile",
        "# build\nall: notes\n\tcargo build --release\n",
        &[("# build", "comment")],
    ),
    (
        "nginx",
        "# site\nserver { listen 80; server_name example.org; }\n",
        &[("# site", "comment")],
    ),
];

/// The class of the span whose text is exactly `text`.
fn class_of<'a>(html: &'a str, text: &str) -> Option<&'a str> {
    let escaped = highlight::escape(text);
    let end = html.find(&format!("\">{escaped}</span>"))?;
    let start = html[..end].rfind("class=\"")? + "class=\"".len();
    Some(&html[start..end])
}

#[test]
fn snapshots_of_every_must_have_language() {
    let h = Highlighter::new();
    for (info, code, _) in SAMPLES {
        let block = h.block(info, code);
        assert_eq!(block.fallback, None, "{info}");
        insta::assert_snapshot!(format!("lang_{info}"), block.html.as_ref(), code);
    }
}

#[test]
fn the_stylesheet_colours_what_matters_in_both_themes() {
    let h = Highlighter::new();
    let css = highlight::stylesheet(
        highlight::DEFAULT_LIGHT_THEME,
        highlight::DEFAULT_DARK_THEME,
    )
    .unwrap();
    for (info, code, pieces) in SAMPLES {
        let html = h.block(info, code).html;
        for (text, what) in *pieces {
            let class = class_of(&html, text)
                .unwrap_or_else(|| panic!("{info}: `{text}` ({what}) is not one span:\n{html}"));
            for scope in [
                "pre.code",
                ":root[data-theme=\"dark\"] pre.code",
                ":root:not([data-theme=\"light\"]) pre.code",
            ] {
                let rule = format!("{scope} .{class} {{ color: #");
                assert!(
                    css.contains(&rule),
                    "{info}: `{text}` ({what}) has class {class}, which `{scope}` does not colour"
                );
            }
        }
    }
}

#[test]
fn every_theme_in_the_set_gives_a_stylesheet() {
    for name in highlight::theme_names() {
        let css = highlight::stylesheet(name, name).unwrap();
        assert!(
            css.contains("pre.code .c {"),
            "{name} does not colour comments"
        );
    }
}

#[test]
fn console_commands_are_marked_for_copying() {
    let html = Highlighter::new()
        .block(
            "console",
            "$ pip install cffi \\\n    --upgrade\nSuccessfully installed\n# apt update\n",
        )
        .html;
    let commands: Vec<String> = html
        .split("<span class=\"cl\">")
        .skip(1)
        .map(|s| crate::common::strip_tags(&s[..s.find("\n").unwrap()]))
        .collect();
    assert_eq!(
        commands,
        ["pip install cffi \\", "    --upgrade", "apt update"]
    );
    assert!(html.contains("<span class=\"go\">Successfully installed</span>"));
}

#[test]
fn tagged_bash_and_python_in_the_corpus_never_fall_back() {
    let h = Highlighter::new();
    let mut blocks = 0;
    // The repository's notes always; tldr's pages when the corpus is there.
    let tldr = crate::common::corpus("tagged_bash_and_python_in_the_corpus_never_fall_back");
    let least = if tldr.is_some() { 57_000 } else { 10 };
    let roots = [
        Some(crate::common::sites().join("notes")),
        tldr.map(|c| c.join("tldr")),
    ];
    for root in roots.into_iter().flatten() {
        for rel in crate::common::markdown_files(&root) {
            let text = std::fs::read_to_string(root.join(&rel)).unwrap();
            let rendered = notes::markdown::render(
                &text,
                &notes::markdown::RenderOptions {
                    highlighter: &h,
                    base_path: "/",
                    links: &notes::markdown::NoLinks,
                    markdown: Default::default(),
                },
            );
            assert!(
                rendered.fallbacks.is_empty(),
                "{rel}: {:?}",
                rendered.fallbacks
            );
            blocks += text.matches("```bash").count() + text.matches("```python").count();
        }
    }
    assert!(blocks > least, "{blocks}");
}

#[test]
fn fallbacks_warn_with_file_and_line() {
    let site = crate::common::TestSite::empty("");
    let long = format!("echo {}\n", "\"$(echo '".repeat(2000));
    site.write(
        "content/2025-01-01-odd.md",
        format!("---\ntitle: odd\n---\n\n```bash\n{long}```\n\n```nosuchlang\nx\n```\n"),
    );
    let quiet = site.build_ok(&[]);
    assert!(quiet.contains("content/2025-01-01-odd.md:5:1: code block shown as plain text: its line 1 has 18005 characters, more than the 10000 highlighted per line"), "{quiet}");
    assert!(
        !quiet.contains("nosuchlang"),
        "unknown languages warn only with --verbose: {quiet}"
    );
    let verbose = site.build_ok(&["--verbose"]);
    assert!(verbose.contains("content/2025-01-01-odd.md:9:1: no grammar for code block language `nosuchlang`: shown as plain text"), "{verbose}");
    let html = site.read("odd/index.html");
    assert!(
        html.contains("<code class=\"language-bash\">echo &quot;$(echo &#39;"),
        "escaped plain text"
    );
}
