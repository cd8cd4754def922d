//! `notes deploy`: publishes the built site as the tip of a branch of the
//! site's own git repository (`gh-pages` by default), as ghp-import does,
//! without touching the user's working tree, index or current branch.
//!
//! The output folder is added to a temporary index (`GIT_INDEX_FILE`, with
//! the output as the work tree), written as a tree, and committed on the
//! branch's previous tip with `git commit-tree`; the branch is moved with
//! `git update-ref`, checking that it still points where it did. A build
//! that changes nothing makes no commit. This drives the `git` command
//! rather than a git library: it is what the user already has, with their
//! identity, hooks-free plumbing and their credentials for `--push`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::error::Error;

#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The site's folder (inside the repository).
    pub root: PathBuf,
    /// The built site to publish.
    pub output: PathBuf,
    pub branch: String,
    pub remote: String,
    pub push: bool,
    pub message: Option<String>,
}

/// What a deploy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployed {
    /// A new commit on the branch.
    Committed { commit: String, files: usize },
    /// The branch already holds exactly this site.
    Unchanged { commit: String },
}

/// Checks, before anything is built, that the site is in a git repository
/// and that `branch` can be moved without touching the working tree.
pub fn preflight(root: &Path, branch: &str) -> Result<(), Error> {
    Repo::find(root)?.check_branch(branch).map(drop)
}

/// Commits `options.output` as the new tip of `options.branch` (and pushes
/// it with `--push`).
pub fn deploy(options: &DeployOptions) -> Result<(Deployed, Option<String>), Error> {
    let repo = Repo::find(&options.root)?;
    let branch_ref = repo.check_branch(&options.branch)?;
    let previous = repo
        .git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{branch_ref}^{{commit}}"),
        ])
        .ok();
    let tree = repo.tree_of(&options.output, previous.as_deref())?;
    let files = repo
        .git(&["ls-tree", "-r", "--name-only", &tree])?
        .lines()
        .count();
    let unchanged = match &previous {
        Some(tip) => repo.git(&["rev-parse", &format!("{tip}^{{tree}}")])? == tree,
        None => false,
    };
    let deployed = if unchanged {
        Deployed::Unchanged {
            commit: previous.clone().unwrap_or_default(),
        }
    } else {
        let message = options
            .message
            .clone()
            .unwrap_or_else(|| repo.default_message());
        let mut args = vec!["commit-tree", tree.as_str()];
        if let Some(tip) = &previous {
            args.extend(["-p", tip.as_str()]);
        }
        args.extend(["-m", message.as_str()]);
        let commit = repo.git(&args).map_err(|e| {
            fail(format!(
                "{e}\n(git needs a name and email for the commit: git config user.name \"Your Name\"; git config user.email you@example.org)"
            ))
        })?;
        // Moves the branch only if it still points where it did.
        let old = previous.clone().unwrap_or_else(|| "0".repeat(40));
        repo.git(&[
            "update-ref",
            "-m",
            "notes deploy",
            &branch_ref,
            &commit,
            &old,
        ])?;
        Deployed::Committed { commit, files }
    };
    let pushed = if options.push {
        let spec = format!("{branch_ref}:{branch_ref}");
        let out = repo.run(&["push", "--porcelain", &options.remote, &spec])?;
        if !out.status.success() {
            return Err(fail(format!(
                "git push {} {} was refused (the branch is committed here; fix the cause and run notes deploy --push again):\n{}",
                options.remote,
                options.branch,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Some(options.remote.clone())
    } else {
        None
    };
    Ok((deployed, pushed))
}

fn fail(message: String) -> Error {
    Error::Output(message)
}

/// A git command's trimmed output, or an error with what git said.
fn text(args: &[&str], out: Output) -> Result<String, Error> {
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(fail(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// The git repository holding the site.
struct Repo {
    /// Where git commands run (the site's folder).
    cwd: PathBuf,
    git_dir: PathBuf,
}

impl Repo {
    fn find(root: &Path) -> Result<Repo, Error> {
        let probe = Command::new("git")
            .args(["rev-parse", "--absolute-git-dir"])
            .current_dir(root)
            .output()
            .map_err(|e| fail(format!("could not run git ({e}): install git to deploy")))?;
        if !probe.status.success() {
            return Err(fail(format!(
                "{} is not in a git repository: notes deploy commits the site to a branch of the site's repository; run `git init` (and commit your notes) first",
                root.display()
            )));
        }
        Ok(Repo {
            cwd: root.to_path_buf(),
            git_dir: PathBuf::from(String::from_utf8_lossy(&probe.stdout).trim()),
        })
    }

    fn run(&self, args: &[&str]) -> Result<Output, Error> {
        self.command(args)
            .output()
            .map_err(|e| fail(format!("could not run git: {e}")))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.args(args).current_dir(&self.cwd);
        // Never ask for anything on a terminal in the middle of a deploy.
        c.env("GIT_TERMINAL_PROMPT", "0");
        c
    }

    /// Runs git and returns its trimmed output, or its error text.
    fn git(&self, args: &[&str]) -> Result<String, Error> {
        text(args, self.run(args)?)
    }

    fn current_branch(&self) -> Option<String> {
        self.git(&["symbolic-ref", "--quiet", "HEAD"]).ok()
    }

    /// `refs/heads/<branch>`, if that is a valid name and not checked out.
    fn check_branch(&self, branch: &str) -> Result<String, Error> {
        let branch_ref = format!("refs/heads/{branch}");
        self.git(&["check-ref-format", &branch_ref])
            .map_err(|_| fail(format!("`{branch}` is not a valid branch name")))?;
        if self.current_branch().as_deref() == Some(branch_ref.as_str()) {
            return Err(fail(format!(
                "the branch `{branch}` is checked out here: deploying would change the files under your feet; switch to your source branch first (git switch main)"
            )));
        }
        Ok(branch_ref)
    }

    /// The tree of `output` as git objects, written through an index of our
    /// own so that the user's index is not touched. The `.notes-build`
    /// marker is notes' record, not part of the site; a `CNAME` the branch
    /// has (GitHub writes one when a domain is set in its settings) is kept
    /// when the site has none.
    fn tree_of(&self, output: &Path, previous: Option<&str>) -> Result<String, Error> {
        let output = output
            .canonicalize()
            .map_err(|e| Error::io(output, "find the built site", e))?;
        let index = self.git_dir.join("notes-deploy.index");
        let _ = std::fs::remove_file(&index);
        let result = (|| {
            let git_dir = self.git_dir.to_string_lossy();
            let work_tree = output.to_string_lossy();
            let add = self
                .command(&[
                    "--git-dir",
                    &git_dir,
                    "--work-tree",
                    &work_tree,
                    "add",
                    "--all",
                    "--force",
                    "--",
                    ".",
                ])
                .env("GIT_INDEX_FILE", &index)
                .current_dir(&output)
                .output()
                .map_err(|e| fail(format!("could not run git: {e}")))?;
            if !add.status.success() {
                return Err(fail(format!(
                    "git could not add the built site: {}",
                    String::from_utf8_lossy(&add.stderr).trim()
                )));
            }
            let with_index = |args: &[&str]| -> Result<String, Error> {
                let out = self
                    .command(args)
                    .env("GIT_INDEX_FILE", &index)
                    .output()
                    .map_err(|e| fail(format!("could not run git: {e}")))?;
                text(args, out)
            };
            with_index(&[
                "rm",
                "--cached",
                "--quiet",
                "--ignore-unmatch",
                "--",
                crate::output::MARKER,
            ])?;
            if !output.join("CNAME").exists()
                && let Some(tip) = previous
                && let Ok(blob) =
                    self.git(&["rev-parse", "--verify", "--quiet", &format!("{tip}:CNAME")])
            {
                with_index(&[
                    "update-index",
                    "--add",
                    "--cacheinfo",
                    &format!("100644,{blob},CNAME"),
                ])?;
            }
            with_index(&["write-tree"])
        })();
        let _ = std::fs::remove_file(&index);
        result
    }

    /// `Deploy 1a2b3c4: <subject of HEAD>`, noting uncommitted changes.
    fn default_message(&self) -> String {
        let head = self
            .git(&["log", "-1", "--format=%h: %s"])
            .unwrap_or_default();
        let dirty = self
            .git(&["status", "--porcelain", "--untracked-files=no"])
            .is_ok_and(|s| !s.is_empty());
        match (head.is_empty(), dirty) {
            (true, _) => "Deploy the site with notes".to_string(),
            (false, false) => format!("Deploy {head}"),
            (false, true) => format!("Deploy {head} (with uncommitted changes)"),
        }
    }
}
