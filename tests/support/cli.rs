//! Running the built binaries in scratch projects.

use std::path::Path;
use std::process::{Command, Output};

/// A file with one `dropped_cancel_guard` finding, on line 3.
pub const FINDING: &str = "use tokio_util::sync::CancellationToken;\n\
fn f(token: CancellationToken) {\n    let _ = token.drop_guard();\n}\n";

/// The same file, fixed.
pub const CLEAN: &str = "use tokio_util::sync::CancellationToken;\n\
fn f(token: CancellationToken) {\n    let _guard = token.drop_guard();\n}\n";

/// A command for a built binary, run in `dir`, with no colour from the environment.
pub fn command(binary: &str, dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("CARGO_TERM_COLOR");
    command
}

pub fn ctxlint(dir: &Path, args: &[&str]) -> Output {
    command(env!("CARGO_BIN_EXE_ctxlint"), dir)
        .args(args)
        .output()
        .expect("run ctxlint")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A scratch directory holding `files` (path, text).
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    dir
}

pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// `short` output as (file, line, code) triples.
pub fn short_findings(output: &Output) -> Vec<(String, usize, String)> {
    stdout(output)
        .lines()
        .map(|line| {
            let (location, rest) = line.split_once(": ").expect("path:line:col: …");
            let mut parts = location.rsplitn(3, ':');
            let _column = parts.next();
            let line_number = parts.next().unwrap().parse().unwrap();
            let file = parts.next().unwrap().to_string();
            let code = rest
                .split_once('[')
                .and_then(|(_, r)| r.split_once(']'))
                .map(|(code, _)| code.to_string())
                .unwrap_or_default();
            (file, line_number, code)
        })
        .collect()
}

/// Copies a directory tree (a fixture project into a temporary directory).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
