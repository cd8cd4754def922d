//! `notes init`, `notes new` and `notes deploy` end to end, in a temporary
//! git repository with a local bare repository as `origin`.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn notes(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    crate::common::git_at(dir, args, "2025-01-01T00:00:00Z")
}

/// Runs git with `input` on its standard input; returns its output.
fn git_stdin(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository with a bare `origin`, and a commit identity.
fn repository() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("site");
    fs::create_dir(&repo).unwrap();
    git(tmp.path(), &["init", "-q", "--bare", "origin.git"]);
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["config", "user.name", "Test"]);
    git(&repo, &["config", "user.email", "test@example.org"]);
    git(&repo, &["remote", "add", "origin", "../origin.git"]);
    (tmp, repo)
}

/// Files of the output folder, as the branch should hold them.
fn output_files(out: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != ".notes-build")
        .collect()
}

fn branch_files(repo: &Path, rev: &str) -> BTreeSet<String> {
    git(repo, &["ls-tree", "-r", "--name-only", rev])
        .lines()
        .map(String::from)
        .collect()
}

/// What a deploy must not change: the status, the index and HEAD.
fn user_state(repo: &Path) -> (String, Vec<u8>, String) {
    (
        git(repo, &["status", "--porcelain", "--untracked-files=all"]),
        fs::read(repo.join(".git/index")).unwrap(),
        git(repo, &["rev-parse", "HEAD"]),
    )
}

#[test]
fn init_new_build_and_deploy_publish_exactly_the_site() {
    let (_tmp, repo) = repository();
    let out = ok(notes(&repo, &["init", "--languages", "en,de"]));
    for file in [
        "book.toml",
        ".gitignore",
        ".github/workflows/pages.yml",
        "content/_posts/en",
        "content/_posts/de",
    ] {
        assert!(repo.join(file).exists(), "{file}: {out}");
    }
    assert!(
        !repo.join("templates").exists(),
        "built-in templates are used"
    );
    let workflow = fs::read_to_string(repo.join(".github/workflows/pages.yml")).unwrap();
    assert!(workflow.contains("notes build --site-url \"${{ steps.pages.outputs.base_url }}/\""));
    assert!(
        workflow.contains("actions/upload-pages-artifact") && workflow.contains("path: public")
    );

    let paths = ok(notes(
        &repo,
        &[
            "new",
            "Fix: pip says externally-managed-environment",
            "--translations",
        ],
    ));
    let paths: Vec<&str> = paths.lines().collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    let note = repo.join(paths[0]);
    let stub = fs::read_to_string(repo.join(paths[1])).unwrap();
    assert!(paths[0].ends_with("-fix-pip-says-externally-managed-environment-en.md"));
    assert!(paths[1].contains("content/_posts/de/"), "{paths:?}");
    assert!(
        stub.contains("lang: de\n") && stub.contains("translated: true\n"),
        "{stub}"
    );
    assert!(stub.ends_with("---\n"), "an empty body: {stub}");
    let text = fs::read_to_string(&note).unwrap();
    assert!(
        text.contains("title: 'Fix: pip says externally-managed-environment'\n"),
        "{text}"
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "First notes"]);
    // Something the deploy must leave alone: a staged and an unstaged edit.
    fs::write(repo.join("draft.txt"), "staged\n").unwrap();
    git(&repo, &["add", "draft.txt"]);
    fs::write(repo.join("draft.txt"), "staged, then edited\n").unwrap();
    let before = user_state(&repo);

    let said = ok(notes(&repo, &["deploy", "--push"]));
    assert!(
        said.contains("on gh-pages") && said.contains("pushed gh-pages to origin"),
        "{said}"
    );
    assert_eq!(
        user_state(&repo),
        before,
        "working tree, index and HEAD untouched"
    );
    let public = repo.join("public");
    assert_eq!(branch_files(&repo, "gh-pages"), output_files(&public));
    assert!(branch_files(&repo, "gh-pages").contains(".nojekyll"));
    let tip = git(&repo, &["rev-parse", "gh-pages"]);
    let origin = repo.join("../origin.git");
    assert_eq!(
        git(&origin, &["rev-parse", "gh-pages"]),
        tip,
        "the push reached origin"
    );
    assert!(
        git(&repo, &["log", "-1", "--format=%s", "gh-pages"]).starts_with("Deploy "),
        "the message names the source commit"
    );

    // Nothing changed: no commit.
    let said = ok(notes(&repo, &["deploy"]));
    assert!(said.contains("nothing to commit"), "{said}");
    assert_eq!(git(&repo, &["rev-parse", "gh-pages"]), tip);

    // One edited note: only the files it affects change.
    let text = fs::read_to_string(&note).unwrap();
    fs::write(
        &note,
        text.replace("Why, and the commands", "Why, and the two commands"),
    )
    .unwrap();
    let before = user_state(&repo);
    ok(notes(&repo, &["deploy", "-m", "One note edited"]));
    assert_eq!(user_state(&repo), before);
    let new_tip = git(&repo, &["rev-parse", "gh-pages"]);
    assert_eq!(
        git(&repo, &["rev-parse", "gh-pages^"]),
        tip,
        "on the previous tip"
    );
    assert_eq!(
        git(&repo, &["log", "-1", "--format=%s", "gh-pages"]),
        "One note edited"
    );
    let changed: BTreeSet<String> = git(&repo, &["diff", "--name-only", &tip, &new_tip])
        .lines()
        .map(String::from)
        .collect();
    assert!(
        changed.contains("fix-pip-says-externally-managed-environment/index.html"),
        "{changed:?}"
    );
    for path in &changed {
        // The note's page, its translation's (now marked stale), its
        // language's home and feed, and the search index.
        let affected = path.contains("fix-pip-says-externally-managed-environment/")
            || path.starts_with("search/")
            || ["index.html", "atom.xml"].contains(&path.as_str());
        assert!(affected, "{path} changed; all: {changed:?}");
    }
    assert_eq!(branch_files(&repo, "gh-pages"), output_files(&public));
}

#[test]
fn deploy_keeps_the_branchs_cname_and_refuses_what_it_cannot_do() {
    let (tmp, repo) = repository();
    ok(notes(&repo, &["init", "--languages", "en"]));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "site"]);
    ok(notes(&repo, &["deploy"]));
    // GitHub's settings page commits a CNAME to the branch: it stays.
    let blob = git_stdin(
        &repo,
        &["hash-object", "-w", "--stdin"],
        "notes.example.org\n",
    );
    let listing = git(&repo, &["ls-tree", "gh-pages"]);
    let tree = git_stdin(
        &repo,
        &["mktree"],
        &format!("{listing}\n100644 blob {blob}\tCNAME\n"),
    );
    let commit = git(
        &repo,
        &["commit-tree", &tree, "-p", "gh-pages", "-m", "Create CNAME"],
    );
    git(&repo, &["update-ref", "refs/heads/gh-pages", &commit]);
    let book = repo.join("book.toml");
    let toml = fs::read_to_string(&book).unwrap();
    fs::write(&book, toml.replace("paginate-by = 20", "paginate-by = 10")).unwrap();
    git(&repo, &["commit", "-q", "-am", "ten per page"]);
    ok(notes(&repo, &["deploy"]));
    assert_eq!(
        git(&repo, &["show", "gh-pages:CNAME"]),
        "notes.example.org",
        "the branch's CNAME is kept"
    );

    // The deploy branch checked out: refused, nothing changed.
    git(&repo, &["switch", "-q", "gh-pages"]);
    let out = notes(&repo, &["deploy"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the branch `gh-pages` is checked out here"),
        "{err}"
    );
    git(&repo, &["switch", "-q", "main"]);

    // A remote that refuses: a clear error.
    let out = notes(&repo, &["deploy", "--push", "--remote", "nowhere"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("git push nowhere gh-pages was refused"),
        "{err}"
    );

    // Outside a repository.
    let plain = tmp.path().join("plain");
    fs::create_dir(&plain).unwrap();
    ok(notes(&plain, &["init", "--languages", "en"]));
    let out = notes(&plain, &["deploy"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not in a git repository"), "{err}");
}

#[test]
fn init_refuses_a_folder_with_files_and_force_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mine");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("book.toml"), "# mine\n").unwrap();
    let out = notes(tmp.path(), &["init", "mine"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    let said = ok(notes(
        tmp.path(),
        &["init", "mine", "--force", "--templates"],
    ));
    assert!(said.contains("kept    mine/book.toml"), "{said}");
    assert_eq!(
        fs::read_to_string(dir.join("book.toml")).unwrap(),
        "# mine\n"
    );
    assert!(dir.join("templates/note.html").is_file());
    // A new site in nine languages builds as it is.
    let nine = tmp.path().join("nine");
    ok(notes(tmp.path(), &["init", "nine"]));
    let built = ok(notes(&nine, &["build"]));
    assert!(
        built.contains("built 2 notes into 21 pages in 9 languages"),
        "{built}"
    );
    // `new` refuses an unknown language and an existing note.
    let out = notes(&nine, &["new", "X", "--lang", "pt"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no language `pt`"));
    ok(notes(&nine, &["new", "Same title"]));
    let out = notes(&nine, &["new", "Same title"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}
