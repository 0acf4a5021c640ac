//! Bad input never stops a run, never crashes, never loses a finding.

mod support;

use std::collections::BTreeMap;
use std::process::Output;

use ctxlint::checker::Checker;
use ctxlint::diagnostic::{Diagnostic, Level};
use ctxlint::engine::{self, INTERNAL_ERROR, Outcome, Settings};
use ctxlint::lints::{Hooks, Rule};
use ctxlint::model::catalog::Catalog;
use serde_json::Value;
use support::cli::{FINDING, ctxlint};

/// The diagnostic codes per file of a JSON run.
fn codes_by_file(output: &Output) -> BTreeMap<String, Vec<String>> {
    let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let message: Value = serde_json::from_str(line).expect("JSON line");
        let diagnostic = &message["message"];
        let file = diagnostic["spans"][0]["file_name"].as_str().unwrap().to_string();
        let code = diagnostic["code"]["code"].as_str().unwrap().to_string();
        codes.entry(file).or_default().push(code);
    }
    codes
}

/// Every kind of bad input, next to files with real findings.
fn bad_inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("finding.rs", FINDING.as_bytes());
    write(
        "syntax.rs",
        b"use tokio_util::sync::CancellationToken;\nfn f( {\n",
    );
    write("latin1.rs", b"// caf\xe9\nfn f() {}\n");
    write("binary.rs", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    write("empty.rs", b"");
    let deep = format!(
        "use tokio_util::sync::CancellationToken;\nfn f() {{ let x = {}1{}; }}\n",
        "(".repeat(60_000),
        ")".repeat(60_000)
    );
    write("deep.rs", deep.as_bytes());
    // Deep in the syntax tree but not in brackets: parsed and linted like any file.
    let long = format!(
        "use tokio_util::sync::CancellationToken;\nfn f(token: CancellationToken) {{\n    let x = 1{};\n    let _ = token.drop_guard();\n}}\n",
        " + 1".repeat(200_000)
    );
    write("long.rs", long.as_bytes());
    #[cfg(target_os = "linux")]
    {
        // Reading this fails (EIO) even for root, unlike a file with mode 000.
        std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("unreadable.rs")).unwrap();
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("missing.rs"), dir.path().join("dangling.rs")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    }
    dir
}

#[test]
fn every_bad_file_gets_one_diagnostic_and_the_rest_is_linted() {
    let dir = bad_inputs();
    for extra in [&[][..], &["--no-prefilter"][..]] {
        let mut args = vec!["--message-format", "json"];
        args.extend(extra);
        let output = ctxlint(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let codes = codes_by_file(&output);
        let expect = |file: &str, code: &str| {
            assert_eq!(
                codes.get(file).map(Vec::as_slice),
                Some(&[format!("ctxlint::{code}")][..]),
                "{file}: {codes:?}"
            );
        };
        expect("finding.rs", "dropped_cancel_guard");
        expect("long.rs", "dropped_cancel_guard");
        expect("syntax.rs", "parse_error");
        expect("deep.rs", "parse_error");
        expect("latin1.rs", "io_error");
        expect("binary.rs", "io_error");
        #[cfg(target_os = "linux")]
        expect("unreadable.rs", "io_error");
        assert!(!codes.contains_key("empty.rs"));
        // Dangling links and loops are skipped with a note, not reported.
        #[cfg(unix)]
        {
            assert!(
                !codes
                    .keys()
                    .any(|file| file.contains("dangling") || file.contains("loop")),
                "{codes:?}"
            );
            assert!(stderr.contains("note: skipped"), "{stderr}");
        }
    }
}

#[test]
fn fixing_leaves_bad_files_byte_identical() {
    let dir = bad_inputs();
    let names = ["syntax.rs", "latin1.rs", "binary.rs", "deep.rs", "empty.rs"];
    let before: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(dir.path().join(n)).unwrap())
        .collect();
    let output = ctxlint(
        dir.path(),
        &["--fix", "--unsafe-fixes", "--message-format", "short"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    for (name, bytes) in names.iter().zip(before) {
        assert_eq!(
            std::fs::read(dir.path().join(name)).unwrap(),
            bytes,
            "{name} changed"
        );
    }
    let fixed = std::fs::read_to_string(dir.path().join("finding.rs")).unwrap();
    assert!(fixed.contains("let _guard = token.drop_guard();"), "{fixed}");
    // What is left are the bad files' diagnostics.
    assert_eq!(output.status.code(), Some(1));
}

/// A file with a BOM, a shebang, CRLF line ends, tabs and non-ASCII text before a finding.
#[test]
fn positions_are_right_in_every_format() {
    let text = "\u{feff}#!/usr/bin/env rust-script\r\nuse tokio_util::sync::CancellationToken;\r\n// héllo wörld\r\nfn f(tøken: CancellationToken) {\r\n\tlet café = \"ü\"; let _ = tøken.drop_guard();\r\n}\r\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("odd.rs"), text).unwrap();
    let byte = text.find("let _").unwrap() + 4;
    let line = 5;
    let column = text
        .lines()
        .nth(4)
        .unwrap()
        .chars()
        .take_while(|&c| c != '_')
        .count()
        + 1;
    // The finding's column counts characters: the tab is one.
    assert_eq!(column, 22);
    let run = |format: &str| {
        String::from_utf8(ctxlint(dir.path(), &["--message-format", format, "odd.rs"]).stdout).unwrap()
    };

    let short = run("short");
    assert!(
        short.starts_with(&format!("odd.rs:{line}:{column}: warning")),
        "{short}"
    );
    let human = run("human");
    assert!(human.contains(&format!("--> odd.rs:{line}:{column}")), "{human}");
    let json: Value = serde_json::from_str(run("json").lines().next().unwrap()).unwrap();
    let span = &json["message"]["spans"][0];
    assert_eq!(span["byte_start"], byte);
    assert_eq!(span["line_start"], line);
    assert_eq!(span["column_start"], column);
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], line);
    assert_eq!(region["startColumn"], column);
    let github = run("github");
    assert!(
        github.contains(&format!("line={line},")) && github.contains(&format!("col={column},")),
        "{github}"
    );

    // rustfix, applying by byte offsets, gets the same fix as `--fix`.
    let diagnostics: Vec<String> = run("json")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["message"].to_string())
        .collect();
    let suggestions = rustfix::get_suggestions_from_json(
        &diagnostics.join("\n"),
        &std::collections::HashSet::<String>::new(),
        rustfix::Filter::MachineApplicableOnly,
    )
    .unwrap();
    let by_rustfix = rustfix::apply_suggestions(text, &suggestions).unwrap();
    assert_eq!(by_rustfix, text.replace("let _ = tøken", "let _guard = tøken"));
    ctxlint(dir.path(), &["--fix", "odd.rs"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("odd.rs")).unwrap(),
        by_rustfix
    );
}

fn panic_on_boom(checker: &Checker, _: &syn::Expr) {
    if checker.source.text.contains("boom") {
        panic!("boom in a lint");
    }
}

static PANICS: Rule = Rule {
    name: "panics",
    summary: "panics on files that say boom (test only)",
    docs: "",
    default_level: Level::Warn,
    group: None,
    hooks: Hooks {
        on_expr: Some(panic_on_boom),
        ..Hooks::NONE
    },
};

fn report_finding(checker: &Checker, expr: &syn::Expr) {
    if let syn::Expr::Lit(_) = expr {
        checker.report(Diagnostic::new("finds", checker.span(expr), "a literal"));
    }
}

static FINDS: Rule = Rule {
    name: "finds",
    summary: "reports literals (test only)",
    docs: "",
    default_level: Level::Warn,
    group: None,
    hooks: Hooks {
        on_expr: Some(report_finding),
        ..Hooks::NONE
    },
};

/// A panic in one file's analysis is that file's `internal_error`; other files are linted.
#[test]
fn a_panic_in_a_lint_is_one_files_internal_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("a.rs", "fn a() { 1; }"),
        ("boom.rs", "fn boom() { 2; }"),
        ("c.rs", "fn c() { 3; }"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut settings = Settings::new(Catalog::build(&Catalog::builtin_specs()).unwrap());
    // The test rules look at code no catalog name marks: analyse every function.
    settings.prefilter = false;
    let rules: Vec<&'static Rule> = vec![&FINDS, &PANICS];
    let pool = engine::pool(&settings);
    let mut results: Vec<(String, Vec<Diagnostic>)> = pool.install(|| {
        use rayon::prelude::*;
        ["a.rs", "boom.rs", "c.rs"]
            .par_iter()
            .map(|name| {
                let outcome =
                    engine::lint_file(&dir.path().join(name), name.to_string(), &settings, &rules, None);
                let Outcome::Linted(report) = outcome else {
                    panic!("not linted")
                };
                (name.to_string(), report.diagnostics)
            })
            .collect()
    });
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let codes: Vec<(String, Vec<&str>)> = results
        .iter()
        .map(|(name, ds)| (name.clone(), ds.iter().map(|d| d.rule).collect()))
        .collect();
    assert_eq!(
        codes,
        [
            ("a.rs".to_string(), vec!["finds"]),
            ("boom.rs".to_string(), vec![INTERNAL_ERROR]),
            ("c.rs".to_string(), vec!["finds"]),
        ]
    );
    let crash = &results[1].1[0];
    assert!(crash.message.contains("boom in a lint"), "{}", crash.message);
}
