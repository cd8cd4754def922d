//! Edit-to-reload latency of `notes serve` on the tldr corpus (15,000+
//! pages): from the write of a file to the reload message reaching a
//! connected client, for an edited note and for a template edit.
//!
//! Run: `cargo bench --bench serve`. The corpus is copied to a temporary
//! folder (../shared is read-only). Prints median, min and max; nothing is
//! asserted.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LANGUAGES: &str = "[languages.en]\n[languages.zh]\n[languages.ja]\n[languages.es]\n[languages.hi]\n[languages.fr]\n[languages.de]\n[languages.ar]\n[languages.hant]\n";

/// Lays out the corpus in `to`: hard links where the file system allows
/// (creating 15,000 files is slow on some machines), copies otherwise. The
/// note the benchmark edits is always a copy, so the corpus is never
/// written.
fn copy_dir(from: &Path, to: &Path, edited: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if rel == edited || std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Reads events until one whose data contains `needle`.
fn wait_for(events: &mut BufReader<TcpStream>, needle: &str) {
    loop {
        let mut line = String::new();
        assert!(
            events.read_line(&mut line).unwrap() > 0,
            "event stream closed"
        );
        if line.starts_with("data: ") && line.contains(needle) {
            return;
        }
    }
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:>14}: median {:.1} ms, min {:.1} ms, max {:.1} ms ({} runs)",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/tldr/_posts");
    let site = tempfile::tempdir().unwrap();
    let edited = Path::new("en/2025-06-10-common-tar-en.md");
    copy_dir(&corpus, &site.path().join("content/_posts"), edited);
    std::fs::write(site.path().join("book.toml"), LANGUAGES).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let host = loop {
        let line = lines.next().unwrap().unwrap();
        println!("{line}");
        if let Some(rest) = line.strip_prefix("serving at http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let mut stream = TcpStream::connect(&host).unwrap();
    write!(
        stream,
        "GET /__notes/events HTTP/1.1\r\nHost: {host}\r\n\r\n"
    )
    .unwrap();
    let mut events = BufReader::new(stream);
    wait_for(&mut events, "\"error\"");

    let note = site
        .path()
        .join("content/_posts/en/2025-06-10-common-tar-en.md");
    let original = std::fs::read_to_string(&note).unwrap();
    let mut note_samples = Vec::new();
    for i in 0..21 {
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        std::fs::write(&note, format!("{original}\nEdit number {i}.\n")).unwrap();
        wait_for(&mut events, "\"/common-tar/\"");
        note_samples.push(started.elapsed());
    }
    report("edited note", note_samples);

    let template = site.path().join("templates/note.html");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();
    let builtin =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/note.html"))
            .unwrap();
    // A first edit that changes every page (an identical copy of the
    // built-in template changes nothing, and nothing reloads).
    std::fs::write(
        &template,
        builtin.replace("{% endblock main %}", "<!-- first -->{% endblock main %}"),
    )
    .unwrap();
    wait_for(&mut events, "reload");
    let mut template_samples = Vec::new();
    for i in 0..7 {
        std::thread::sleep(Duration::from_millis(500));
        let started = Instant::now();
        let edited = builtin.replace(
            "{% endblock main %}",
            &format!("<!-- edit {i} -->{{% endblock main %}}"),
        );
        std::fs::write(&template, edited).unwrap();
        wait_for(&mut events, "reload");
        template_samples.push(started.elapsed());
    }
    report("template edit", template_samples);
    let _ = server.kill();
    let _ = server.wait();
}
