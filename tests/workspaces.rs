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

/// A package's manifest with `dependencies` (lines of its `[dependencies]` table).
fn manifest(name: &str, dependencies: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{dependencies}"
    )
}

/// A test, bench, example or binary is a crate of its own that sees its package's public
/// words and those of its package's dependencies, and no other crate's. A file that names a
/// word only another crate could write is not parsed (the two broken files below would be
/// reported if they were).
#[test]
fn a_test_target_sees_what_its_package_sees() {
    let (a, b) = (manifest("a", "tokio-util = \"0.7\"\n"), manifest("b", ""));
    let dir = support::cli::project(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n"),
        ("a/Cargo.toml", &a),
        (
            "a/src/lib.rs",
            "mod m;\npub use tokio_util::sync::CancellationToken as Stop;\n",
        ),
        (
            "a/src/m.rs",
            "use tokio_util::sync::CancellationToken as Hidden;\n",
        ),
        (
            "a/tests/uses.rs",
            "use a::Stop;\n\nfn f(t: &Stop) {\n    t.clone().drop_guard();\n}\n",
        ),
        ("a/tests/hidden.rs", "fn f(t: Hidden) { fn ( }\n"),
        ("b/Cargo.toml", &b),
        ("b/src/lib.rs", ""),
        ("b/tests/other.rs", "fn f(t: Stop) { fn ( }\n"),
    ]);
    let findings = |extra: &[&str]| {
        let output = ctxlint(dir.path(), &[&["--message-format", "short", "."], extra].concat());
        let found: BTreeSet<(String, String)> = short_findings(&output)
            .into_iter()
            .map(|(file, _, code)| (file, code))
            .collect();
        (found, stderr(&output))
    };
    let pair = |file: &str, code: &str| (file.to_string(), code.to_string());
    let (found, err) = findings(&[]);
    assert_eq!(
        found,
        BTreeSet::from([pair("a/tests/uses.rs", "ctxlint::dropped_cancel_guard")]),
        "{err}"
    );
    let (unfiltered, err) = findings(&["--no-prefilter"]);
    for broken in ["a/tests/hidden.rs", "b/tests/other.rs"] {
        assert!(
            unfiltered.contains(&pair(broken, "ctxlint::parse_error")),
            "{err}"
        );
    }
}

/// A later round of the workspace index reads only the files that can write one of its words:
/// `Stop`, declared `pub` by `a`, is looked for in `b`, which depends on `a`, and not in `c`.
#[test]
fn a_later_round_reads_only_the_crates_that_can_see_its_words() {
    let (a, b, c) = (
        manifest("a", "tokio-util = \"0.7\"\n"),
        manifest("b", "a = { path = \"../a\" }\n"),
        manifest("c", ""),
    );
    let dir = support::cli::project(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\", \"c\"]\n"),
        ("a/Cargo.toml", &a),
        (
            "a/src/lib.rs",
            "pub use tokio_util::sync::CancellationToken as Stop;\n",
        ),
        ("b/Cargo.toml", &b),
        (
            "b/src/lib.rs",
            "pub fn f(t: &a::Stop) {\n    t.clone().drop_guard();\n}\n",
        ),
        ("c/Cargo.toml", &c),
        ("c/src/lib.rs", "pub struct Stop;\nmod x;\n"),
        ("c/src/x.rs", "pub fn g(_: super::Stop) {}\n"),
    ]);
    let output = ctxlint(dir.path(), &["--stats", "--message-format", "short", "."]);
    let found: BTreeSet<(String, String)> = short_findings(&output)
        .into_iter()
        .map(|(file, _, code)| (file, code))
        .collect();
    let expected = (
        "b/src/lib.rs".to_string(),
        "ctxlint::dropped_cancel_guard".to_string(),
    );
    assert_eq!(found, BTreeSet::from([expected]), "{}", stderr(&output));
    // Round one reads all four files; round two only b's.
    assert!(
        stderr(&output).contains("(2 rounds: 1 + 1; 5 files read)"),
        "{}",
        stderr(&output)
    );
}
