//! Baselines: recorded findings stay hidden through edits elsewhere in their files; new ones
//! are reported.

mod support;

use std::path::Path;

use support::cli::{FINDING, ctxlint, project, short_findings, stderr, stdout};

const TWO: &str = "use tokio_util::sync::CancellationToken;
fn f(token: CancellationToken) {
    let _ = token.clone().drop_guard();
    let _ = token.drop_guard();
}
";

fn edit(dir: &Path, file: &str, change: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, change(text)).unwrap();
}

#[test]
fn baseline_survives_edits_and_reports_new_findings() {
    let dir = project(&[("src/a.rs", TWO), ("src/b.rs", FINDING)]);
    let output = ctxlint(dir.path(), &["--write-baseline", "ctxlint-baseline.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("recorded 3 findings"),
        "{}",
        stderr(&output)
    );
    let baseline = std::fs::read_to_string(dir.path().join("ctxlint-baseline.json")).unwrap();
    assert!(
        baseline.contains("\"text\": \"let _ = token.drop_guard();\""),
        "{baseline}"
    );
    assert!(!baseline.contains("\"line\""), "no line numbers: {baseline}");

    let check = |args: &[&str]| {
        let mut all = vec!["--message-format", "short", "--baseline", "ctxlint-baseline.json"];
        all.extend(args);
        ctxlint(dir.path(), &all)
    };
    assert_eq!(check(&[]).status.code(), Some(0));

    // Lines inserted above the old findings, and their indentation changed: still known.
    edit(dir.path(), "src/a.rs", |text| {
        let text = text.replace("    let _", "        let _");
        format!("// A new header.\n\nfn helper() {{}}\n\n{text}")
    });
    edit(dir.path(), "src/b.rs", |text| format!("\n\n\n{text}"));
    let output = check(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // A new finding is reported; so is a third copy of a line recorded once.
    edit(dir.path(), "src/a.rs", |text| {
        text.replace(
            "        let _ = token.drop_guard();",
            "        let _ = token.child_token().drop_guard();\n        let _ = token.clone().drop_guard();\n        let _ = token.drop_guard();",
        )
    });
    let output = check(&[]);
    assert_eq!(output.status.code(), Some(1));
    let found: Vec<usize> = short_findings(&output)
        .into_iter()
        .map(|(_, line, _)| line)
        .collect();
    assert_eq!(found, [8, 9], "{}", stdout(&output));

    // Fixed findings leave stale entries, reported as a note.
    std::fs::write(dir.path().join("src/b.rs"), "").unwrap();
    let output = check(&[]);
    assert!(
        stderr(&output).contains("1 baseline entry matches no finding"),
        "{}",
        stderr(&output)
    );

    // File names are relative to the baseline, so it works from anywhere.
    let output = ctxlint(
        &dir.path().join("src"),
        &[
            "--message-format",
            "short",
            "--baseline",
            "../ctxlint-baseline.json",
            ".",
        ],
    );
    let found: Vec<(String, usize)> = short_findings(&output)
        .into_iter()
        .map(|(f, l, _)| (f, l))
        .collect();
    assert_eq!(found, [("a.rs".to_string(), 8), ("a.rs".to_string(), 9)]);
}

#[test]
fn bad_baselines_are_errors() {
    let dir = project(&[("a.rs", FINDING), ("bad.json", "{\"findings\": 3}")]);
    for name in ["missing.json", "bad.json"] {
        let output = ctxlint(dir.path(), &["--baseline", name]);
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains(name), "{}", stderr(&output));
    }
}

/// pre-commit passes only the changed files: a baseline checked or written on a subset keeps
/// what it knows about the other files, and judges only the files linted.
#[test]
fn baseline_on_a_subset_keeps_the_other_files() {
    let dir = project(&[("src/a.rs", TWO), ("src/b.rs", FINDING)]);
    let output = ctxlint(dir.path(), &["--write-baseline", "b.json"]);
    assert!(
        stderr(&output).contains("recorded 3 findings"),
        "{}",
        stderr(&output)
    );
    let entries = |dir: &Path| {
        let text = std::fs::read_to_string(dir.join("b.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut files: Vec<(String, u64)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["file"].as_str().unwrap().to_string(),
                    e["count"].as_u64().unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let all = entries(dir.path());
    assert_eq!(all.iter().map(|(_, c)| c).sum::<u64>(), 3, "{all:?}");

    // Checking one file: the other file's entries are not "stale", and no advice is given.
    let output = ctxlint(dir.path(), &["--baseline", "b.json", "src/b.rs"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        !stderr(&output).contains("no finding any more"),
        "{}",
        stderr(&output)
    );

    // One file fixed and checked alone: only its entry is named.
    std::fs::write(dir.path().join("src/b.rs"), "fn f() {}\n").unwrap();
    let output = ctxlint(dir.path(), &["--baseline", "b.json", "src/b.rs"]);
    assert!(
        stderr(&output).contains("1 baseline entry matches no finding any more in the files linted"),
        "{}",
        stderr(&output)
    );

    // Writing on a subset keeps the entries of the files not linted, and drops the fixed one's.
    let output = ctxlint(dir.path(), &["--write-baseline", "b.json", "src/b.rs"]);
    assert!(
        stderr(&output).contains("recorded 0 findings in b.json (and kept 2 entries"),
        "{}",
        stderr(&output)
    );
    let kept = entries(dir.path());
    assert_eq!(kept.iter().map(|(_, c)| c).sum::<u64>(), 2, "{kept:?}");
    assert!(kept.iter().all(|(file, _)| file == "src/a.rs"), "{kept:?}");
    let output = ctxlint(dir.path(), &["--baseline", "b.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // Entries of a file that no longer exists are dropped by the next write.
    std::fs::remove_file(dir.path().join("src/a.rs")).unwrap();
    ctxlint(dir.path(), &["--write-baseline", "b.json", "src/b.rs"]);
    assert!(entries(dir.path()).is_empty());
}
