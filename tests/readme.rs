//! The README's examples work: every ```toml block loads as a configuration, and every
//! ```sh command line runs (the ctxlint ones against a copy of the cargo workspace fixture).

mod support;

use std::path::Path;

use support::cli::{FINDING, command, copy_dir, ctxlint, project, stderr, stdout};

/// The fenced blocks of the README in a language, in order.
fn blocks(language: &str) -> Vec<String> {
    let readme = include_str!("../README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{language}") => current = Some(String::new()),
            Some(text) if line.trim_start() == "```" => {
                blocks.push(std::mem::take(text));
                current = None;
            }
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_toml_example_loads() {
    let examples = blocks("toml");
    assert!(examples.len() >= 2, "{examples:?}");
    for example in examples {
        // An editor's configuration (Helix's languages.toml, Zed's extension.toml) is the
        // editor's to read: it must at least be TOML, and name ctxlint's server.
        if example.contains("[language-server") || example.contains("[language_servers") {
            let table: toml::Table = example.parse().expect("an editor's example is TOML");
            assert!(example.contains("ctxlint"), "{table:?}");
            continue;
        }
        let dir = project(&[("ctxlint.toml", &example), ("src/lib.rs", FINDING)]);
        let output = ctxlint(dir.path(), &["--message-format", "short"]);
        assert_ne!(output.status.code(), Some(2), "{example}\n{}", stderr(&output));
        assert!(
            !stderr(&output).contains("error"),
            "{example}\n{}",
            stderr(&output)
        );
        // In Cargo.toml, the same keys under [workspace.metadata.ctxlint].
        let manifest = format!(
            "[workspace]\n\n{}",
            example
                .replace("[rules]", "[workspace.metadata.ctxlint.rules]")
                .replace(
                    "[per_path_ignores]",
                    "[workspace.metadata.ctxlint.per_path_ignores]"
                )
                .replace("[[api]]", "[[workspace.metadata.ctxlint.api]]")
                .replace("\nexclude", "\n[workspace.metadata.ctxlint]\nexclude")
        );
        let dir = project(&[("Cargo.toml", &manifest), ("src/lib.rs", FINDING)]);
        let output = ctxlint(dir.path(), &["--message-format", "short", "src"]);
        assert_ne!(output.status.code(), Some(2), "{manifest}\n{}", stderr(&output));
    }
}

/// Commands the test does not run: installing, and the repository's own test suite (which
/// is running this).
const NOT_RUN: [&str; 2] = ["cargo install --locked --path .", "cargo test"];

#[test]
fn every_shell_example_runs() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cli/workspace"),
        dir.path(),
    );
    let mut ran = 0;
    for block in blocks("sh") {
        for line in block.lines() {
            let command_line = line.split(" #").next().unwrap().trim();
            if command_line.is_empty() || NOT_RUN.contains(&command_line) {
                continue;
            }
            let words: Vec<&str> = command_line.split_whitespace().collect();
            let mut run = match words.as_slice() {
                ["ctxlint", ..] => command(env!("CARGO_BIN_EXE_ctxlint"), dir.path()),
                ["cargo", "ctxlint", ..] => {
                    let mut run = command(env!("CARGO_BIN_EXE_cargo-ctxlint"), dir.path());
                    run.arg("ctxlint");
                    run
                }
                _ => panic!("a README command this test does not know: `{command_line}`"),
            };
            let skip = if words[0] == "cargo" { 2 } else { 1 };
            let output = run.args(&words[skip..]).output().unwrap();
            // 0 or 1 (findings, or something to fix for --diff); never a usage error.
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "`{command_line}`: {:?}\n{}{}",
                output.status,
                stdout(&output),
                stderr(&output)
            );
            assert!(
                !stderr(&output).contains("error"),
                "`{command_line}`: {}",
                stderr(&output)
            );
            ran += 1;
        }
    }
    assert!(ran >= 10, "{ran} commands");
}
