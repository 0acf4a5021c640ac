//! Suppression comments through the command line (the forms themselves are pinned by the UI
//! fixtures in `testdata/unused_suppression/`).

mod support;

use serde_json::Value;
use support::cli::{ctxlint, project, short_findings, stdout};

const FILE: &str = "use tokio_util::sync::CancellationToken;
// Suppressions, used and unused.
fn f(token: CancellationToken) {
    let _ = token.clone().drop_guard(); // ctxlint: allow(dropped_cancel_guard) -- on purpose
    // ctxlint: allow(dropped_cancel_guard)
    let _ = token.clone().drop_guard();
    // ctxlint: allow(dropped_cancel_guard)
    let _guard = token.clone().drop_guard();
    let _ = token.drop_guard(); // ctxlint: allow(dropped_cancel_gaurd)
}
";

/// A file that mentions no context API, only a stale suppression: the pre-filter must let it
/// through, or its unused suppression would go unreported.
const ONLY_A_COMMENT: &str = "fn g() {\n    // ctxlint: allow(dropped_cancel_guard)\n    let x = 1;\n}\n";

#[test]
fn suppressions_and_unused_reports() {
    let dir = project(&[("src/lib.rs", FILE), ("src/plain.rs", ONLY_A_COMMENT)]);
    let expected = vec![
        (
            "src/lib.rs".to_string(),
            7,
            "ctxlint::unused_suppression".to_string(),
        ),
        ("src/lib.rs".into(), 9, "ctxlint::dropped_cancel_guard".into()),
        ("src/lib.rs".into(), 9, "ctxlint::unused_suppression".into()),
        ("src/plain.rs".into(), 2, "ctxlint::unused_suppression".into()),
    ];
    for extra in [&[][..], &["--no-prefilter"]] {
        let output = ctxlint(dir.path(), &[&["--message-format", "short"][..], extra].concat());
        let mut found = short_findings(&output);
        found.sort();
        assert_eq!(found, expected, "{extra:?}");
    }
    // Unused suppressions are a rule like any other.
    let output = ctxlint(
        dir.path(),
        &["--message-format", "short", "-A", "unused_suppression"],
    );
    assert_eq!(short_findings(&output).len(), 1);
    let output = ctxlint(
        dir.path(),
        &["--message-format", "short", "-D", "unused_suppression"],
    );
    assert!(stdout(&output).contains("error[ctxlint::unused_suppression]"));
    // A suppression of a rule that is not checked is not judged.
    let output = ctxlint(
        dir.path(),
        &["--message-format", "short", "-A", "dropped_cancel_guard"],
    );
    let lines: Vec<usize> = short_findings(&output)
        .into_iter()
        .map(|(_, line, _)| line)
        .collect();
    assert_eq!(lines, [9], "only the typo");
    // `allow-file(unused_suppression)` silences the reports of a file.
    let silenced = FILE.replace(
        "// Suppressions, used and unused.",
        "// ctxlint: allow-file(unused_suppression) -- being cleaned up",
    );
    std::fs::write(dir.path().join("src/lib.rs"), silenced).unwrap();
    let output = ctxlint(dir.path(), &["--message-format", "short", "src/lib.rs"]);
    let found: Vec<(usize, String)> = short_findings(&output)
        .into_iter()
        .map(|(_, l, c)| (l, c))
        .collect();
    assert_eq!(found, [(9, "ctxlint::dropped_cancel_guard".to_string())]);
}

#[test]
fn unused_suppressions_carry_a_removal_fix() {
    let dir = project(&[("plain.rs", ONLY_A_COMMENT)]);
    let output = ctxlint(dir.path(), &["--message-format", "json", "plain.rs"]);
    let message: Value = serde_json::from_str(stdout(&output).lines().next().unwrap()).unwrap();
    assert_eq!(message["message"]["code"]["code"], "ctxlint::unused_suppression");
    let help = message["message"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["level"] == "help")
        .unwrap();
    let span = &help["spans"][0];
    // A safe `--fix` never deletes a suppression the user wrote.
    assert_eq!(span["suggestion_applicability"], "MaybeIncorrect");
    assert_eq!(span["suggested_replacement"], "");
    // The whole line goes, its line end included.
    let (start, end) = (
        span["byte_start"].as_u64().unwrap() as usize,
        span["byte_end"].as_u64().unwrap() as usize,
    );
    let mut fixed = ONLY_A_COMMENT.to_string();
    fixed.replace_range(start..end, "");
    assert_eq!(fixed, "fn g() {\n    let x = 1;\n}\n");
}

/// A misspelt suppression on the line: plain `--fix` corrects the name and keeps the code the
/// user meant to keep (it neither deletes the comment nor rewrites `let _ =`).
#[test]
fn fix_keeps_what_a_misspelt_suppression_meant() {
    let code = "use tokio_util::sync::CancellationToken;\n\
        fn f(token: CancellationToken) {\n    \
        let _ = token.drop_guard(); // ctxlint: allow(dropped_cancel_gaurd)\n}\n";
    let dir = project(&[("lib.rs", code)]);
    let report = stdout(&ctxlint(dir.path(), &["lib.rs"]));
    assert!(
        report.contains("did you mean `dropped_cancel_guard`?"),
        "{report}"
    );
    let output = ctxlint(dir.path(), &["--fix", "lib.rs"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let fixed = std::fs::read_to_string(dir.path().join("lib.rs")).unwrap();
    assert_eq!(fixed, code.replace("gaurd", "guard"));
}
