//! The default theme, built into the binary so that a site with only
//! `content/` and `book.toml` builds: its templates and its assets. A
//! site's own `templates/` and `static/` files of the same names win.

/// The templates, by name.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("note.html", include_str!("../templates/note.html")),
    ("post.html", include_str!("../templates/post.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("atom.xml", include_str!("../templates/atom.xml")),
    ("sitemap.xml", include_str!("../templates/sitemap.xml")),
    (
        "sitemap_index.xml",
        include_str!("../templates/sitemap_index.xml"),
    ),
    ("search.html", include_str!("../templates/search.html")),
    ("redirect.html", include_str!("../templates/redirect.html")),
    ("rss.xml", include_str!("../templates/rss.xml")),
];

/// The default theme's assets, written at the root of the output unless
/// the site's `static/` has a file of the same name (`search.js` only for
/// a site with search).
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("notes.css", include_bytes!("../static/notes.css")),
    ("notes.js", include_bytes!("../static/notes.js")),
    ("search.js", include_bytes!("../static/search.js")),
];
