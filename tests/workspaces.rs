//! Multi-crate fixtures: every folder under `testdata/workspaces/` is a cargo workspace whose
//! files carry `//~ <lint>` marks as the UI fixtures do. Each is linted with the built binary in
//! directory mode (`ctxlint <dir>`) and in cargo mode (`cargo ctxlint --workspace`): both must
//! find exactly the marked lines, so one file's findings depend on what the others declare.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use support::cli::{command, ctxlint, short_findings, stderr};
use support::testdata;

fn workspaces() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(testdata().join("workspaces"))
        .expect("testdata/workspaces")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (file relative to the workspace, line, `ctxlint::<lint>`) for every mark.
fn marks(root: &Path) -> BTreeSet<(String, usize, String)> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut expected = BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let fixture = support::parse("workspace", path, text);
        for (line, lint) in fixture.expected.keys() {
            expected.insert((name.clone(), *line, format!("ctxlint::{lint}")));
        }
    }
    expected
}

fn found(output: &std::process::Output) -> BTreeSet<(String, usize, String)> {
    short_findings(output).into_iter().collect()
}

#[test]
fn directory_and_cargo_mode_find_the_marked_lines() {
    for root in workspaces() {
        let expected = marks(&root);
        assert!(!expected.is_empty(), "{}: no marks", root.display());

        let directory = ctxlint(&root, &["--message-format", "short", "."]);
        assert_eq!(
            found(&directory),
            expected,
            "directory mode in {}\n{}",
            root.display(),
            stderr(&directory)
        );

        let cargo = command(env!("CARGO_BIN_EXE_cargo-ctxlint"), &root)
            .args(["ctxlint", "--workspace", "--message-format", "short"])
            .output()
            .expect("run cargo-ctxlint");
        assert_eq!(
            found(&cargo),
            expected,
            "cargo mode in {}\n{}",
            root.display(),
            stderr(&cargo)
        );

        // The pre-filter never hides what the workspace makes reachable.
        let unfiltered = ctxlint(&root, &["--message-format", "short", "--no-prefilter", "."]);
        assert_eq!(
            found(&unfiltered),
            expected,
            "--no-prefilter in {}",
            root.display()
        );
    }
}

#[test]
fn one_member_alone_still_sees_through_the_others_in_cargo_mode() {
    let root = testdata().join("workspaces/reexports");
    let output = command(env!("CARGO_BIN_EXE_cargo-ctxlint"), &root.join("api"))
        .args(["ctxlint", "--message-format", "short"])
        .output()
        .expect("run cargo-ctxlint");
    let files: BTreeSet<String> = found(&output).into_iter().map(|(file, _, _)| file).collect();
    assert_eq!(
        files,
        BTreeSet::from(["api/src/lib.rs".to_string()]),
        "{}",
        stderr(&output)
    );
}

/// A crate's own `CancellationToken` is not tokio-util's even when the file declaring it is
/// not part of the run: a path into a crate of the workspace is that crate's.
#[test]
fn a_crates_own_token_type_is_its_own_when_linted_alone() {
    let root = testdata().join("workspaces/reexports/own");
    for args in [
        &["--message-format", "short", "."][..],
        &["--message-format", "short", "src/lib.rs"],
    ] {
        let output = ctxlint(&root, args);
        assert!(found(&output).is_empty(), "{args:?}\n{}", stderr(&output));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
}
