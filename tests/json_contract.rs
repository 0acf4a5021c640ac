//! The JSON stream as its consumers read it: every line must parse as a
//! `cargo_metadata::Message` (what rust-analyzer does), and rustfix (what `cargo fix` uses)
//! applying the suggestions (round after round, as `cargo fix` does) must give each fixture's
//! `.fixed` file.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

use cargo_metadata::Message;
use serde_json::Value;
use support::{Fixture, fixtures};

fn json_for(fixture: &Fixture) -> String {
    let output = run_json(fixture, &fixture.path);
    let expected_code = if fixture.expected.is_empty() { 0 } else { 1 };
    assert_eq!(
        output.status.code(),
        Some(expected_code),
        "{}: stderr: {}",
        fixture.name(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn run_json(fixture: &Fixture, path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(["--message-format=json", "-A", "warnings", "-W", &fixture.lint])
        .arg(path)
        .output()
        .expect("run ctxlint")
}

#[test]
fn every_line_is_a_cargo_compiler_message() {
    for fixture in fixtures() {
        if fixture.config().is_some() {
            continue;
        }
        let stdout = json_for(&fixture);
        let mut count = 0;
        for message in Message::parse_stream(stdout.as_bytes()) {
            let Message::CompilerMessage(message) = message.expect("readable") else {
                panic!("{}: a line is not a compiler message:\n{stdout}", fixture.name());
            };
            count += 1;
            let diagnostic = &message.message;
            let code = diagnostic.code.as_ref().expect("a code");
            assert_eq!(code.code, format!("ctxlint::{}", fixture.lint));
            assert!(
                diagnostic
                    .rendered
                    .as_deref()
                    .is_some_and(|r| r.contains(&code.code))
            );
            let primary = diagnostic
                .spans
                .iter()
                .find(|s| s.is_primary)
                .expect("a primary span");
            assert!(!primary.text.is_empty(), "spans carry their lines");
            let line = &primary.text[0];
            let shown: String = line
                .text
                .chars()
                .skip(line.highlight_start - 1)
                .take(line.highlight_end - line.highlight_start)
                .collect();
            let on_disk = &fixture.text[primary.byte_start as usize..primary.byte_end as usize];
            assert!(
                on_disk.starts_with(&shown),
                "{}: columns ({shown:?}) and bytes ({on_disk:?}) disagree",
                fixture.name()
            );
            let help = diagnostic
                .children
                .iter()
                .find(|child| child.spans.iter().any(|s| s.suggested_replacement.is_some()))
                .expect("every finding carries a suggestion");
            assert!(
                help.spans
                    .iter()
                    .all(|s| s.is_primary && s.suggestion_applicability.is_some())
            );
        }
        let expected: usize = fixture.expected.values().sum();
        assert_eq!(count, expected, "{}: one message per finding", fixture.name());
    }
}

/// As `cargo fix` does: apply rustfix's suggestions, lint the result again, and repeat while
/// something changes.
#[test]
fn rustfix_applies_the_suggestions_to_give_the_fixed_files() {
    for fixture in fixtures() {
        if fixture.config().is_some() {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(fixture.path.file_name().unwrap());
        let mut text = fixture.text.clone();
        let mut stdout = json_for(&fixture);
        for _ in 0..ctxlint::fix::MAX_ROUNDS {
            let fixed = rustfix_round(&fixture, &text, &stdout);
            if fixed == text {
                break;
            }
            text = fixed;
            std::fs::write(&path, &text).unwrap();
            stdout = String::from_utf8(run_json(&fixture, &path).stdout).unwrap();
        }
        let expected =
            std::fs::read_to_string(fixture.sibling("fixed")).unwrap_or_else(|_| fixture.text.clone());
        assert_eq!(
            text,
            expected,
            "{}: rustfix result differs from the .fixed file",
            fixture.name()
        );
    }
}

fn rustfix_round(fixture: &Fixture, text: &str, stdout: &str) -> String {
    // `cargo fix` hands rustfix the rustc diagnostic inside each cargo message.
    let mut diagnostics = Vec::new();
    for line in stdout.lines() {
        let mut message: Value = serde_json::from_str(line).unwrap();
        let mut diagnostic = message["message"].take();
        if fixture.unsafe_fixes {
            // As `--fix --unsafe-fixes`: everything but suggestions with placeholders.
            diagnostic["children"]
                .as_array_mut()
                .unwrap()
                .retain(|child| !child.to_string().contains("\"HasPlaceholders\""));
        }
        diagnostics.push(diagnostic.to_string());
    }
    let filter = if fixture.unsafe_fixes {
        rustfix::Filter::Everything
    } else {
        rustfix::Filter::MachineApplicableOnly
    };
    let suggestions =
        rustfix::get_suggestions_from_json(&diagnostics.join("\n"), &HashSet::<String>::new(), filter)
            .expect("rustfix reads the diagnostics");
    // In order, skipping a suggestion that overlaps one already applied (a later round picks it
    // up), as `--fix` does; `cargo fix` walks them in reverse, which can only change the order of
    // insertions at one point.
    let mut fix = rustfix::CodeFix::new(text);
    for suggestion in &suggestions {
        match fix.apply(suggestion) {
            Ok(()) | Err(rustfix::Error::AlreadyReplaced { .. }) => {}
            Err(error) => panic!("{}: rustfix cannot apply a suggestion: {error}", fixture.name()),
        }
    }
    fix.finish().expect("rustfix applies them")
}
