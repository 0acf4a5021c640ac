//! Fixture conventions shared by the UI and CLI tests.
//!
//! A fixture is `testdata/<lint>/<name>.rs`:
//! - `//~ <lint>` at the end of a line: a finding of `<lint>` must start on that line (repeat
//!   the marker for several findings on one line); unmarked lines must have none;
//! - `//@ fix: unsafe` anywhere: its `.fixed` file applies MaybeIncorrect fixes too (as
//!   `--fix --unsafe-fixes` does), not only MachineApplicable ones;
//! - `<name>.fixed`: the file after fixing (required whenever a fix applies);
//! - `<name>.stderr`: the pinned human rendering (optional);
//! - `<name>.toml`: a ctxlint config to lint it with (optional).
//!
//! `CTXLINT_BLESS=1 cargo test` rewrites `.fixed` and existing `.stderr` files.

#![allow(dead_code)]

pub mod cli;
pub mod lsp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct Fixture {
    pub lint: String,
    pub path: PathBuf,
    pub text: String,
    /// (1-based line, lint) → how many findings must start there.
    pub expected: BTreeMap<(usize, String), usize>,
    pub unsafe_fixes: bool,
}

impl Fixture {
    pub fn sibling(&self, extension: &str) -> PathBuf {
        self.path.with_extension(extension)
    }

    pub fn config(&self) -> Option<PathBuf> {
        let path = self.sibling("toml");
        path.is_file().then_some(path)
    }

    pub fn name(&self) -> String {
        format!(
            "{}/{}",
            self.lint,
            self.path.file_name().unwrap().to_string_lossy()
        )
    }
}

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

pub fn blessing() -> bool {
    std::env::var_os("CTXLINT_BLESS").is_some_and(|v| v != "0")
}

/// Every fixture of every lint folder (`testdata/cli` holds CLI inputs and
/// `testdata/workspaces` multi-crate fixtures, see tests/workspaces.rs).
pub fn fixtures() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(testdata())
        .expect("testdata")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir() && !["cli", "workspaces"].contains(&&*p.file_name().unwrap().to_string_lossy())
        })
        .collect();
    dirs.sort();
    for dir in dirs {
        let lint = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            fixtures.push(parse(&lint, path, text));
        }
    }
    fixtures
}

pub fn parse(lint: &str, path: PathBuf, text: String) -> Fixture {
    let mut expected = BTreeMap::new();
    let mut unsafe_fixes = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("//@") && line.contains("fix: unsafe") {
            unsafe_fixes = true;
        }
        let mut rest = line;
        while let Some(at) = rest.find("//~") {
            rest = &rest[at + 3..];
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                !name.is_empty(),
                "{}:{}: `//~` without a lint name",
                path.display(),
                index + 1
            );
            *expected.entry((index + 1, name)).or_insert(0) += 1;
        }
    }
    Fixture {
        lint: lint.to_string(),
        path,
        text,
        expected,
        unsafe_fixes,
    }
}
