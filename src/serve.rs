//! `notes serve`: live preview. The site is built in memory (a `Session`)
//! and served by axum from there; a file watcher (notify, debounced) turns
//! saves into `Change`s, the session re-does only what they affect, and
//! every open page that changed reloads itself through server-sent events,
//! keeping its scroll position. A note that fails to parse keeps the last
//! good site served and shows an overlay with `path:line:col: message` on
//! every open page until it is fixed.
//!
//! Only pages of the built site are served (from memory, so no path can
//! reach the file system), and only on 127.0.0.1 unless `--bind` says
//! otherwise.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::broadcast;

use crate::config::CONFIG_FILE;
use crate::error::Error;
use crate::output::{Content, OutputFile};
use crate::session::{Change, Session, Update};
use crate::{BuildOptions, Quiet};

/// What `notes serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// The first port to try; the next free one is used when it is taken.
    /// 0 lets the system choose.
    pub port: u16,
    pub open: bool,
}

/// The path of the live-reload script and event stream: under a prefix no
/// site uses.
const LIVE_JS: &str = "/__notes/live.js";
const EVENTS: &str = "/__notes/events";
const LIVE_SCRIPT: &str = include_str!("live.js");

/// How long a file must be quiet before its events are passed on, and how
/// long the rebuild waits for more after a batch, so that a `git checkout`
/// of many files is one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(10);
const QUIET: Duration = Duration::from_millis(10);

type Pages = Arc<BTreeMap<String, OutputFile>>;

/// What the server shares between requests and the rebuild thread.
struct Shared {
    pages: RwLock<Pages>,
    /// The current build error, shown as an overlay.
    error: RwLock<Option<String>>,
    events: broadcast::Sender<String>,
}

/// Runs the server until Ctrl-C.
pub fn serve(options: ServeOptions) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Output(format!("could not start the server: {e}")))?;
    runtime.block_on(run(options))
}

async fn run(options: ServeOptions) -> Result<(), Error> {
    let listener = bind(options.bind, options.port).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Output(format!("could not read the server's address: {e}")))?;
    let url = format!("http://{}/", display_addr(addr));
    let mut build = options.build.clone();
    build.overrides.site_url = Some(url.clone());

    let (events, _) = broadcast::channel(64);
    let shared = Arc::new(Shared {
        pages: RwLock::new(Arc::new(BTreeMap::new())),
        error: RwLock::new(None),
        events,
    });
    let started = Instant::now();
    let session = match Session::new(&build, &Quiet) {
        Ok(session) => {
            publish(&shared, &session);
            println!(
                "built {} notes in {:.2}s",
                session.site().notes.len(),
                started.elapsed().as_secs_f64()
            );
            Some(session)
        }
        Err(e) => {
            eprintln!("{e}");
            *write(&shared.error) = Some(e.to_string());
            None
        }
    };
    spawn_watcher(build, session, shared.clone())?;
    // Listen for Ctrl-C before saying we are up, so that an early one stops
    // the server cleanly instead of killing it.
    let stop = stop_signal()?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {addr}, reachable from other machines: the preview has no access control"
        );
    }
    println!("serving at {url} (Ctrl-C to stop)");
    if options.open
        && let Err(e) = opener::open(&url)
    {
        eprintln!("warning: could not open a browser: {e}");
    }

    let app = Router::new()
        .route(LIVE_JS, get(live_js))
        .route(EVENTS, get(event_stream))
        .fallback(page)
        .with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .map_err(|e| Error::Output(format!("the server stopped: {e}")))?;
    println!("stopped");
    Ok(())
}

/// A future that completes on Ctrl-C (SIGINT) or SIGTERM; the handlers
/// are installed when this is called.
#[cfg(unix)]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, Error> {
    use tokio::signal::unix::{SignalKind, signal};
    let fail = |e: std::io::Error| Error::Output(format!("could not listen for Ctrl-C: {e}"));
    let mut interrupt = signal(SignalKind::interrupt()).map_err(fail)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(fail)?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, Error> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn display_addr(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("127.0.0.1:{}", addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("[::1]:{}", addr.port()),
        _ => addr.to_string(),
    }
}

/// Binds `port`, or the next free one of the 20 after it.
async fn bind(ip: IpAddr, port: u16) -> Result<tokio::net::TcpListener, Error> {
    let tries = if port == 0 { 1 } else { 20 };
    let mut last = None;
    for p in (0..tries).map(|i| port.saturating_add(i)) {
        match tokio::net::TcpListener::bind((ip, p)).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(Error::Output(format!(
        "could not listen on {ip} ports {port}–{}: {}; choose another with --port",
        port.saturating_add(tries - 1),
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn publish(shared: &Shared, session: &Session) {
    *write(&shared.pages) = Arc::new(session.pages().clone());
}

/// Watches the site's sources and applies changes on a thread of its own.
fn spawn_watcher(
    build: BuildOptions,
    session: Option<Session>,
    shared: Arc<Shared>,
) -> Result<(), Error> {
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |r: DebounceEventResult| {
        let _ = tx.send(r);
    })
    .map_err(|e| Error::Output(format!("could not watch files: {e}")))?;
    let root = build.root.clone();
    let config = crate::Config::load(&root, &build.overrides)
        .ok()
        .map(|(c, _)| c);
    let content = config
        .as_ref()
        .map_or_else(|| root.join("content"), |c| c.content_dir.clone());
    let output = config.as_ref().map(|c| c.output_dir.clone());
    // The root itself without recursion (book.toml, and folders that
    // appear later), and each source folder with it: never the whole root,
    // which may hold a build's target/ or the output.
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Error::Output(format!("could not watch {}: {e}", root.display())))?;
    let mut paths = Watched {
        root,
        content,
        output,
        watching: Vec::new(),
    };
    let _ = paths.watch_new_folders(&mut debouncer);
    std::thread::spawn(move || {
        // The debouncer lives as long as the loop.
        let mut debouncer = debouncer;
        rebuild_loop(rx, build, session, shared, &mut paths, &mut debouncer);
    });
    Ok(())
}

type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// The folders whose changes matter, to classify events.
struct Watched {
    root: PathBuf,
    content: PathBuf,
    output: Option<PathBuf>,
    /// Source folders watched so far.
    watching: Vec<PathBuf>,
}

impl Watched {
    /// Starts watching source folders that exist now but did not before,
    /// and returns them: what was written in them before the watch began
    /// was not seen, so the caller treats them as changed.
    fn watch_new_folders(&mut self, debouncer: &mut Debouncer) -> Vec<PathBuf> {
        let mut added = Vec::new();
        let folders = [
            self.content.clone(),
            self.root.join("templates"),
            self.root.join("static"),
            self.root.join("i18n"),
        ];
        for dir in folders {
            if dir.is_dir()
                && !self.watching.contains(&dir)
                && debouncer.watch(&dir, RecursiveMode::Recursive).is_ok()
            {
                self.watching.push(dir.clone());
                added.push(dir);
            }
        }
        self.watching.retain(|d| d.is_dir());
        added
    }

    /// The change an event on `path` means, if any.
    fn classify(&self, path: &Path) -> Option<Change> {
        if self.output.as_ref().is_some_and(|o| path.starts_with(o)) || is_temporary(path) {
            return None;
        }
        if path == self.root.join(CONFIG_FILE) {
            Some(Change::Config)
        } else if path.starts_with(self.root.join("templates"))
            || path.starts_with(self.root.join("i18n"))
        {
            Some(Change::Templates)
        } else if path.starts_with(self.root.join("static")) {
            Some(Change::Static)
        } else if path.starts_with(&self.content) && path.extension().is_some_and(|x| x != "md") {
            // A file copied as it is (`copy-other-files`), or nothing.
            Some(Change::Static)
        } else if path.starts_with(&self.content) {
            Some(Change::Notes(vec![path.to_path_buf()]))
        } else if path.starts_with(self.root.join("templates"))
            || path.starts_with(self.root.join("i18n"))
        {
            Some(Change::Templates)
        } else if path.starts_with(self.root.join("static")) {
            Some(Change::Static)
        } else {
            None
        }
    }
}

/// Editors' swap, backup and lock files, and hidden files.
fn is_temporary(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
}

fn rebuild_loop(
    rx: Receiver<DebounceEventResult>,
    build: BuildOptions,
    mut session: Option<Session>,
    shared: Arc<Shared>,
    paths: &mut Watched,
    debouncer: &mut Debouncer,
) {
    while let Ok(first) = rx.recv() {
        // Gather everything that arrives while the writes go on.
        let mut batch = vec![first];
        loop {
            match rx.recv_timeout(QUIET) {
                Ok(more) => batch.push(more),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let added = paths.watch_new_folders(debouncer);
        let mut changes = changes(paths, batch);
        for dir in added {
            match paths.classify(&dir) {
                Some(Change::Notes(p)) => changes.push(Change::Notes(p)),
                Some(change) if !changes.contains(&change) => changes.push(change),
                _ => {}
            }
        }
        if changes.is_empty() {
            continue;
        }
        let started = Instant::now();
        let result = apply(&build, &mut session, &changes);
        match result {
            Ok(update) => {
                let had_error = write(&shared.error).take().is_some();
                if let Some(s) = &session {
                    publish(&shared, s);
                }
                let reload = reload_paths(&update);
                if !update.is_empty() {
                    println!(
                        "rebuilt in {} ms: {} changed, {} removed",
                        started.elapsed().as_millis(),
                        update.changed.len(),
                        update.removed.len()
                    );
                }
                if !reload.is_empty() || had_error {
                    let message = serde_json::json!({ "error": null, "reload": reload });
                    let _ = shared.events.send(message.to_string());
                }
                // The search index after the reload: no page shows it.
                if let Some(s) = &mut session
                    && !s.refresh_search().is_empty()
                {
                    publish(&shared, s);
                }
            }
            Err(e) => {
                let text = e.to_string();
                eprintln!("{text}");
                *write(&shared.error) = Some(text.clone());
                let _ = shared
                    .events
                    .send(serde_json::json!({ "error": text }).to_string());
            }
        }
    }
}

fn changes(paths: &Watched, batch: Vec<DebounceEventResult>) -> Vec<Change> {
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for result in batch {
        let Ok(events) = result else { continue };
        // Reading a file is no change (and the rebuild itself reads them).
        for event in events
            .iter()
            .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
        {
            for path in &event.paths {
                match paths.classify(path) {
                    Some(Change::Notes(p)) => notes.extend(p),
                    Some(other) if !out.contains(&other) => out.push(other),
                    _ => {}
                }
            }
        }
    }
    if !notes.is_empty() {
        out.push(Change::Notes(notes));
    }
    out
}

fn apply(
    build: &BuildOptions,
    session: &mut Option<Session>,
    changes: &[Change],
) -> Result<Update, Error> {
    let Some(s) = session else {
        // No good build yet: try from scratch.
        let fresh = Session::new(build, &Quiet)?;
        let update = Update {
            changed: vec!["*".into()],
            removed: Vec::new(),
        };
        *session = Some(fresh);
        return Ok(update);
    };
    let mut update = Update::default();
    for change in changes {
        let u = s.apply(change)?;
        update.changed.extend(u.changed);
        update.removed.extend(u.removed);
    }
    Ok(update)
}

/// The URL paths of the pages an update changed, as `location.pathname`
/// shows them; `*` when a stylesheet or script changed, which every page
/// uses.
fn reload_paths(update: &Update) -> Vec<String> {
    // When most pages changed (a template edit), name none: every open
    // page reloads.
    if update.changed.len() + update.removed.len() > 500 {
        return vec!["*".into()];
    }
    let mut out = Vec::new();
    for file in update.changed.iter().chain(&update.removed) {
        if file == "*" || file.ends_with(".css") || file.ends_with(".js") {
            return vec!["*".into()];
        }
        if let Some(dir) = file.strip_suffix("index.html") {
            out.push(format!("/{dir}"));
        }
        if let Some(page) = file.strip_suffix(".html") {
            out.push(format!("/{page}"));
        }
        out.push(format!("/{file}"));
    }
    out
}

async fn live_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_SCRIPT,
    )
}

/// Server-sent events: first the current state, then every rebuild.
async fn event_stream(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let current = match read(&shared.error).clone() {
        Some(e) => serde_json::json!({ "error": e }),
        None => serde_json::json!({ "error": null }),
    };
    let rx = shared.events.subscribe();
    let first = stream::once(async move { Ok(Event::default().data(current.to_string())) });
    let rest = stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(msg) => return Some((Ok(Event::default().data(msg)), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(futures_util::StreamExt::chain(first, rest)).keep_alive(KeepAlive::default())
}

/// Serves a page of the built site, with the live-reload script in HTML.
async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let pages = read(&shared.pages).clone();
    let Some(path) = clean_path(uri.path()) else {
        return not_found(&pages);
    };
    let candidates = if path.is_empty() || path.ends_with('/') {
        vec![format!("{path}index.html")]
    } else {
        vec![path.clone(), format!("{path}.html")]
    };
    if let Some(file) = candidates.iter().find_map(|c| pages.get(c)) {
        return respond(StatusCode::OK, file);
    }
    if pages.contains_key(&format!("{path}/index.html")) {
        // Built from the site path, never from the request as written:
        // `//host` would make a protocol-relative URL to another site.
        let location = format!("/{}/", crate::site::encode_url_path(&path));
        return Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, location)
            .body(Body::empty())
            .unwrap_or_default();
    }
    not_found(&pages)
}

/// The site path of a request, without the leading `/`, or `None` for
/// anything that tries to leave the site: `..` (also percent-encoded),
/// backslashes, NUL.
pub fn clean_path(raw: &str) -> Option<String> {
    let decoded = crate::site::percent_decode(raw)?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let path = decoded.trim_start_matches('/');
    if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return None;
    }
    Some(path.to_string())
}

fn not_found(pages: &Pages) -> Response {
    match pages.get("404.html") {
        Some(file) => respond(StatusCode::NOT_FOUND, file),
        None => {
            let body = format!(
                "<!DOCTYPE html><title>Not found</title><h1>Not found</h1><script src=\"{LIVE_JS}\"></script>"
            );
            html_response(StatusCode::NOT_FOUND, body.into_bytes())
        }
    }
}

fn respond(status: StatusCode, file: &OutputFile) -> Response {
    let bytes: Vec<u8> = match &file.content {
        Content::Bytes(b) => b.to_vec(),
        Content::Copy(p) => std::fs::read(p).unwrap_or_default(),
        // A serve session renders every page: nothing is kept from disk.
        Content::Kept { .. } => Vec::new(),
    };
    if file.path.ends_with(".html") {
        return html_response(status, inject(&bytes));
    }
    let mime = mime_guess::from_path(&file.path).first_or_octet_stream();
    Response::builder()
        .status(status)
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_str(mime.as_ref())
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(bytes))
        .unwrap_or_default()
}

fn html_response(status: StatusCode, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// The tag served pages get before `</body>`.
pub const LIVE_TAG: &str = "<script src=\"/__notes/live.js\"></script>";

/// Adds the live-reload script to a page.
fn inject(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{LIVE_TAG}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{LIVE_TAG}").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        assert_eq!(clean_path("/hi/cffi/"), Some("hi/cffi/".into()));
        assert_eq!(clean_path("/%E5%AE%89/"), Some("安/".into()));
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/x",
            "/a/%2E%2E/%2e%2e/etc/passwd",
            "/..%2fx",
            "/a\\..\\b",
            "/%5c..",
            "/x%00",
            "/%zz",
            "/./x",
        ] {
            assert_eq!(clean_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn reload_paths_cover_both_url_forms() {
        let update = Update {
            changed: vec!["hi/cffi/index.html".into(), "cffi-hi.html".into()],
            removed: vec![],
        };
        let paths = reload_paths(&update);
        for p in [
            "/hi/cffi/",
            "/hi/cffi/index.html",
            "/cffi-hi",
            "/cffi-hi.html",
        ] {
            assert!(paths.contains(&p.to_string()), "{p}");
        }
        let css = Update {
            changed: vec!["notes.css".into()],
            removed: vec![],
        };
        assert_eq!(reload_paths(&css), ["*"]);
    }

    #[test]
    fn editor_files_are_ignored() {
        let w = Watched {
            root: "/s".into(),
            content: "/s/content".into(),
            output: Some("/s/public".into()),
            watching: Vec::new(),
        };
        assert_eq!(w.classify(Path::new("/s/content/.x.md.swp")), None);
        assert_eq!(w.classify(Path::new("/s/content/x.md~")), None);
        assert_eq!(w.classify(Path::new("/s/content/4913")), None);
        assert_eq!(w.classify(Path::new("/s/public/index.html")), None);
        assert_eq!(w.classify(Path::new("/s/book.toml")), Some(Change::Config));
        assert_eq!(
            w.classify(Path::new("/s/templates/note.html")),
            Some(Change::Templates)
        );
        assert_eq!(
            w.classify(Path::new("/s/static/a.css")),
            Some(Change::Static)
        );
        assert!(matches!(
            w.classify(Path::new("/s/content/x.md")),
            Some(Change::Notes(_))
        ));
    }
}
