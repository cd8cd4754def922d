//! Highlighting for what has no Sublime grammar but fills troubleshooting
//! notes: terminal sessions (`$ ` prompts, then output), Python REPL
//! sessions (`>>> `) and Python tracebacks. The code inside them is
//! highlighted with the bash and Python grammars.
//!
//! In a console block each command is wrapped in `<span class="cl">`, so
//! that the copy button can copy the commands without prompts or output.

use super::{Budget, CodeParser, LineWriter, find_syntax};

/// A terminal session: prompt lines are bash, the rest is output.
pub(super) fn console(lines: &[&str], budget: &Budget) -> Result<Vec<String>, String> {
    let bash = find_syntax("bash").ok_or("no bash grammar")?;
    let mut parser = CodeParser::new(bash);
    let mut continued = false;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        budget.check()?;
        let mut w = LineWriter::default();
        let command = if continued {
            Some(*line)
        } else {
            split_prompt(line).map(|(prompt, command)| {
                w.push(Some("gp"), prompt);
                command
            })
        };
        match command {
            Some(command) => {
                w.raw("<span class=\"cl\">");
                parser.line(command, &mut w)?;
                w.raw("</span>");
                continued = command.trim_end().ends_with('\\');
            }
            None => w.push(Some("go"), line),
        }
        out.push(w.finish());
    }
    Ok(out)
}

/// Splits a prompt (`$ `, `# `, `% `, `user@host:~/dir$ `, `(venv) $ `)
/// from its command.
fn split_prompt(line: &str) -> Option<(&str, &str)> {
    let mut start = 0;
    if line.starts_with('(') {
        // A virtualenv or conda prefix: `(venv) $ ls`.
        let close = line.find(") ")?;
        start = close + 2;
    }
    let rest = &line[start..];
    let (token, after) = match rest.find(' ') {
        Some(i) => (&rest[..i], i + 1),
        None => (rest, rest.len()),
    };
    let is_prompt = matches!(token.chars().last(), Some('$' | '#' | '%'))
        || (token.ends_with('>') && token.contains(":\\"));
    if !is_prompt || token.is_empty() {
        return None;
    }
    let prompt_end = start + after;
    Some((&line[..prompt_end], &line[prompt_end..]))
}

/// A Python REPL session: `>>> ` and `... ` lines are Python, tracebacks
/// are tracebacks, the rest is output.
pub(super) fn pycon(lines: &[&str], budget: &Budget) -> Result<Vec<String>, String> {
    let python = find_syntax("python").ok_or("no Python grammar")?;
    let mut parser = CodeParser::new(python);
    let mut in_traceback = false;
    let mut after_file = false;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        budget.check()?;
        let mut w = LineWriter::default();
        let prompt = [">>> ", "... "]
            .iter()
            .find(|p| line.starts_with(**p))
            .map(|p| p.len())
            .or_else(|| (*line == ">>>" || *line == "...").then_some(3));
        if let Some(n) = prompt {
            in_traceback = false;
            w.push(Some("gp"), &line[..n]);
            parser.line(&line[n..], &mut w)?;
        } else if in_traceback || is_traceback_header(line) {
            in_traceback = true;
            let kind = traceback_line(line, after_file, &mut w)?;
            after_file = kind == TracebackLine::File;
            if kind == TracebackLine::Exception {
                in_traceback = false;
            }
        } else {
            w.push(Some("go"), line);
        }
        out.push(w.finish());
    }
    Ok(out)
}

/// A Python traceback, possibly chained.
pub(super) fn traceback(lines: &[&str], budget: &Budget) -> Result<Vec<String>, String> {
    let mut after_file = false;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        budget.check()?;
        let mut w = LineWriter::default();
        after_file = traceback_line(line, after_file, &mut w)? == TracebackLine::File;
        out.push(w.finish());
    }
    Ok(out)
}

fn is_traceback_header(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("Traceback (most recent call last):")
        || t.starts_with("During handling of the above exception")
        || t.starts_with("The above exception was the direct cause")
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum TracebackLine {
    Header,
    File,
    Code,
    Exception,
    Other,
}

/// Writes one traceback line: headers, `File "…", line N, in f` frames,
/// the source line under a frame, and the final `Name: message`.
fn traceback_line(
    line: &str,
    after_file: bool,
    w: &mut LineWriter,
) -> Result<TracebackLine, String> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if is_traceback_header(line) {
        w.push(None, indent);
        w.push(Some("gt"), trimmed);
        return Ok(TracebackLine::Header);
    }
    if let Some(frame) = trimmed.strip_prefix("File \"") {
        w.push(None, indent);
        w.push(None, "File ");
        match frame.split_once("\", line ") {
            Some((path, rest)) => {
                w.push(Some("s"), &format!("\"{path}\""));
                w.push(None, ", line ");
                let digits =
                    rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                w.push(Some("m"), &rest[..digits]);
                let rest = &rest[digits..];
                match rest.strip_prefix(", in ") {
                    Some(func) => {
                        w.push(None, ", in ");
                        w.push(Some("nf"), func);
                    }
                    None => w.push(None, rest),
                }
            }
            None => w.push(Some("s"), &format!("\"{frame}")),
        }
        return Ok(TracebackLine::File);
    }
    if !trimmed.is_empty() && trimmed.chars().all(|c| matches!(c, '^' | '~' | ' ')) {
        w.push(None, indent);
        w.push(Some("err"), trimmed);
        return Ok(TracebackLine::Other);
    }
    if after_file && !indent.is_empty() {
        let python = find_syntax("python").ok_or("no Python grammar")?;
        w.push(None, indent);
        CodeParser::new(python).line(trimmed, w)?;
        return Ok(TracebackLine::Code);
    }
    if let Some(name_len) = exception_name(line) {
        w.push(Some("ne"), &line[..name_len]);
        w.push(None, &line[name_len..]);
        return Ok(TracebackLine::Exception);
    }
    w.push(None, line);
    Ok(TracebackLine::Other)
}

/// The length of an exception name at the start of `line`
/// (`ModuleNotFoundError`, `pyo3_runtime.PanicException`), followed by `:`
/// or the end of the line.
fn exception_name(line: &str) -> Option<usize> {
    let len = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(line.len());
    let name = &line[..len];
    let rest = &line[len..];
    let last = name.rsplit('.').next()?;
    let looks_like_class = last.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    (looks_like_class && (rest.is_empty() || rest.starts_with(':'))).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts() {
        assert_eq!(split_prompt("$ ls -la"), Some(("$ ", "ls -la")));
        assert_eq!(split_prompt("# apt update"), Some(("# ", "apt update")));
        assert_eq!(
            split_prompt("user@host:~/src$ make"),
            Some(("user@host:~/src$ ", "make"))
        );
        assert_eq!(
            split_prompt("(venv) $ pip install cffi"),
            Some(("(venv) $ ", "pip install cffi"))
        );
        assert_eq!(
            split_prompt("C:\\Users\\me> dir"),
            Some(("C:\\Users\\me> ", "dir"))
        );
        assert_eq!(split_prompt("$"), Some(("$", "")));
        assert_eq!(split_prompt("echo $ x"), None);
        assert_eq!(split_prompt("total 0"), None);
    }

    #[test]
    fn exception_names() {
        assert_eq!(
            exception_name("ModuleNotFoundError: No module named 'x'"),
            Some(19)
        );
        assert_eq!(
            exception_name("pyo3_runtime.PanicException: Python API call failed"),
            Some(27)
        );
        assert_eq!(exception_name("KeyboardInterrupt"), Some(17));
        assert_eq!(exception_name("during: x"), None);
        assert_eq!(exception_name("Some words here"), None);
    }
}
