//! SARIF (checked by Microsoft's SARIF validator when it is installed), GitHub annotations, and
//! levels and exit codes in every format.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::cli::{CLEAN, FINDING, ctxlint, project, stderr, stdout};

/// A finding split over two lines (its span covers both).
const MULTILINE: &str = "use tokio_util::sync::CancellationToken;\n\
fn f(token: CancellationToken) {\n    token\n        .drop_guard();\n}\n";

/// Findings of every kind: fixes, an unused suppression with a partial fix, an unreadable file,
/// a file name needing escapes, and a multi-line span.
fn rich_project() -> tempfile::TempDir {
    let dir = project(&[
        ("src/lib.rs", FINDING),
        ("src/multi.rs", MULTILINE),
        ("src/odd name:1%,x.rs", FINDING),
        (
            "src/suppressed.rs",
            "use tokio_util::sync::CancellationToken;\nfn f(t: CancellationToken) {\n    let _ = t.drop_guard(); // ctxlint: allow(dropped_cancel_guard, typo)\n    // ctxlint: allow(dropped_cancel_guard)\n    let _keep = 1;\n}\n",
        ),
        ("src/clean.rs", CLEAN),
    ]);
    std::fs::write(dir.path().join("src/binary.rs"), b"\xff\xfe").unwrap();
    dir
}

/// The validator: `$SARIF_MULTITOOL` (the native executable), or the npm package's
/// `sarif-multitool` on `PATH` (resolved to its executable, since its Node wrapper passes
/// arguments through a shell).
fn multitool() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(path));
    }
    let script = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("sarif-multitool"))
        .find(|p| p.is_file())?
        .canonicalize()
        .ok()?;
    let package = script.parent()?;
    let output = Command::new("node")
        .args(["-e", "process.stdout.write(require(process.argv[1]))"])
        .arg(package)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// Runs the validator with the SARIF and GitHub rules; returns its errors.
fn validation_errors(tool: &Path, sarif: &Path) -> Vec<String> {
    let log = sarif.with_extension("validation.sarif");
    let output = Command::new(tool)
        .arg("validate")
        .args(["--rule-kind", "Gh;Ghas;Sarif"])
        .arg(sarif)
        .arg("--output")
        .arg(&log)
        .args(["--log", "ForceOverwrite"])
        .output()
        .expect("run the SARIF validator");
    assert!(
        output.status.success(),
        "validator failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error")
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect()
}

fn sarif_of(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--message-format", "sarif"];
    all.extend(args);
    let output = ctxlint(dir, &all);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("one JSON document")
}

#[test]
fn sarif_passes_the_validator() {
    let Some(tool) = multitool() else {
        eprintln!(
            "skipped: the SARIF validator is not installed (npm @microsoft/sarif-multitool; set SARIF_MULTITOOL)"
        );
        return;
    };
    let dir = rich_project();
    for args in [&[][..], &["-D", "warnings"]] {
        let output = ctxlint(dir.path(), &[&["--message-format", "sarif"][..], args].concat());
        let path = dir.path().join("ctxlint.sarif");
        std::fs::write(&path, stdout(&output)).unwrap();
        let errors = validation_errors(&tool, &path);
        assert!(errors.is_empty(), "{args:?}:\n{}", errors.join("\n"));
    }
    // An empty run is valid too.
    let clean = project(&[("lib.rs", CLEAN)]);
    let output = ctxlint(clean.path(), &["--message-format", "sarif"]);
    assert_eq!(output.status.code(), Some(0));
    let path = clean.path().join("clean.sarif");
    std::fs::write(&path, stdout(&output)).unwrap();
    assert_eq!(validation_errors(&tool, &path), Vec::<String>::new());
}

#[test]
fn sarif_describes_rules_and_results() {
    let dir = rich_project();
    let log = sarif_of(dir.path(), &[]);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let guard = rules.iter().find(|r| r["id"] == "dropped_cancel_guard").unwrap();
    for field in ["shortDescription", "fullDescription", "help"] {
        assert!(
            guard[field]["text"].as_str().is_some_and(|t| t.len() > 10),
            "{field}"
        );
    }
    assert!(
        guard["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?")
    );
    assert_eq!(guard["defaultConfiguration"]["level"], "warning");
    // The full description is the whole "What it does" section, list items included, not
    // the sentence that introduces them.
    for rule in rules {
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.trim_end().ends_with(':'), "{}: {full}", rule["id"]);
    }
    let polling = rules.iter().find(|r| r["id"] == "done_polling").unwrap();
    let full = polling["fullDescription"]["text"].as_str().unwrap();
    assert!(
        full.contains("polling it:\n\n- a loop that stops on a cancellation check")
            && full.contains("`thread::sleep`"),
        "{full}"
    );
    let results = run["results"].as_array().unwrap();
    let mut fingerprints = Vec::new();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("src/"), "repository-relative: {uri}");
        fingerprints.push(result["partialFingerprints"]["ctxlint/v1"].clone());
    }
    fingerprints.sort_by_key(|f| f.to_string());
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), results.len(), "fingerprints are unique");
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"src/odd%20name%3A1%25%2Cx.rs"), "{uris:?}");
    // The fix: `_` becomes `_guard` on line 3, columns 9..10.
    let lib = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/lib.rs")
        .unwrap();
    let replacement = &lib["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "_guard");
    assert_eq!(replacement["deletedRegion"]["startLine"], 3);
    assert_eq!(replacement["deletedRegion"]["startColumn"], 9);
    assert_eq!(replacement["deletedRegion"]["endColumn"], 10);
    // The input errors carry their own rule descriptors.
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "io_error" && r["level"] == "error")
    );
    assert!(rules.iter().any(|r| r["id"] == "io_error"));
    // Fingerprints ignore line numbers: the same findings after inserting lines above them.
    let before: Vec<Value> = results.iter().map(|r| r["partialFingerprints"].clone()).collect();
    let lib_path = dir.path().join("src/lib.rs");
    std::fs::write(&lib_path, format!("// new\n// lines\n{FINDING}")).unwrap();
    let after = sarif_of(dir.path(), &[]);
    let after: Vec<Value> = after["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"].clone())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root() {
    let dir = project(&[("crate/src/lib.rs", FINDING)]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let log = sarif_of(&dir.path().join("crate"), &[]);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "crate/src/lib.rs");
}

#[test]
fn github_annotations_are_escaped() {
    let dir = rich_project();
    let output = ctxlint(dir.path(), &["--message-format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    // `%`, `:` and `,` are escaped in properties; `%` and newlines in the message.
    let odd = lines.iter().find(|l| l.contains("odd")).unwrap();
    assert_eq!(
        *odd,
        "::warning title=ctxlint (dropped_cancel_guard),file=src/odd name%3A1%25%2Cx.rs,line=3,col=9,endLine=3,endColumn=10::src/odd name:1%25,x.rs:3:9: `DropGuard` is dropped at once, which cancels immediately%0A  help: bind it to a named variable, so that it lives until the end of the scope"
    );
    // Columns only for a finding on one line.
    let multi = lines.iter().find(|l| l.contains("file=src/multi.rs")).unwrap();
    assert!(multi.contains(",line=3,endLine=4::"), "{multi}");
    assert!(!multi.contains("col="), "{multi}");
    // Notes become further lines of the message.
    let unused = lines.iter().find(|l| l.contains("unused_suppression")).unwrap();
    assert!(unused.contains("%0A  = note: "), "{unused}");
    assert!(!unused.contains('\n'));
    // Errors first (a step shows only ten of each), then a summary.
    assert!(lines[0].starts_with("::error title=ctxlint (io_error),file=src/binary.rs,line=1,col=1"));
    assert_eq!(
        *lines.last().unwrap(),
        "ctxlint: 6 findings (1 error, 5 warnings)"
    );
}

/// Deny-level findings are errors in every format.
#[test]
fn levels_in_every_format_and_exit_codes() {
    let dir = project(&[("finding.rs", FINDING), ("clean.rs", CLEAN)]);
    let run = |args: &[&str]| ctxlint(dir.path(), args);
    for deny in [
        &["-D", "dropped_cancel_guard"][..],
        &["-D", "warnings"],
        &["-W", "dropped_cancel_guard", "-D", "dropped_cancel_guard"],
    ] {
        let with = |format: &str| {
            let output = run(&[&["--message-format", format][..], deny, &["finding.rs"]].concat());
            assert_eq!(output.status.code(), Some(1));
            stdout(&output)
        };
        let human = with("human");
        assert!(
            human.starts_with("error[ctxlint::dropped_cancel_guard]"),
            "{human}"
        );
        assert!(
            human.trim_end().ends_with("error: 1 finding in 1 file"),
            "{human}"
        );
        assert!(with("short").contains(":3:9: error[ctxlint::dropped_cancel_guard]"));
        let json: Value = serde_json::from_str(with("json").lines().next().unwrap()).unwrap();
        assert_eq!(json["message"]["level"], "error");
        assert!(
            json["message"]["rendered"]
                .as_str()
                .unwrap()
                .starts_with("error[")
        );
        let sarif: Value = serde_json::from_str(&with("sarif")).unwrap();
        assert_eq!(sarif["runs"][0]["results"][0]["level"], "error");
        assert!(with("github").starts_with("::error title=ctxlint (dropped_cancel_guard)"));
    }
    // A later flag wins; `-A` turns a rule off.
    let output = run(&[
        "--message-format",
        "short",
        "-D",
        "warnings",
        "-W",
        "dropped_cancel_guard",
        "finding.rs",
    ]);
    assert!(stdout(&output).contains("warning[ctxlint::dropped_cancel_guard]"));
    assert_eq!(
        run(&["-A", "dropped_cancel_guard", "finding.rs"]).status.code(),
        Some(0)
    );
    assert_eq!(run(&["-A", "warnings", "finding.rs"]).status.code(), Some(0));
    // Exit codes: 0 clean, 1 findings (warnings too), 0 with --exit-zero, 2 for usage errors.
    assert_eq!(run(&["clean.rs"]).status.code(), Some(0));
    assert_eq!(run(&["finding.rs"]).status.code(), Some(1));
    assert_eq!(
        run(&["--exit-zero", "-D", "warnings", "finding.rs"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(run(&["-W", "nope", "finding.rs"]).status.code(), Some(2));
    assert_eq!(run(&["--message-format", "xml"]).status.code(), Some(2));
    // Config levels, overridden by flags.
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\ndropped_cancel_guard = \"deny\"\n",
    )
    .unwrap();
    assert!(stdout(&run(&["--message-format", "github", "finding.rs"])).starts_with("::error "));
    assert!(
        stdout(&run(&[
            "--message-format",
            "github",
            "-W",
            "dropped_cancel_guard",
            "finding.rs"
        ]))
        .starts_with("::warning ")
    );
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\ndropped_cancel_guard = \"allow\"\n",
    )
    .unwrap();
    assert_eq!(run(&["finding.rs"]).status.code(), Some(0));
}

/// cargo's JSON variants: `json-diagnostic-short` puts the one-line rendering in `rendered`;
/// `json-render-diagnostics` renders the diagnostics on stderr and sends no JSON for them.
#[test]
fn cargo_json_variants_do_what_cargo_does() {
    let dir = project(&[("finding.rs", FINDING)]);
    let short_line = stdout(&ctxlint(dir.path(), &["--message-format", "short", "finding.rs"]));
    assert!(short_line.starts_with("finding.rs:3:9: warning[ctxlint::dropped_cancel_guard]"));

    let out = ctxlint(
        dir.path(),
        &["--message-format", "json-diagnostic-short", "finding.rs"],
    );
    let message: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(message["message"]["rendered"], short_line.as_str());

    for format in ["json-render-diagnostics", "json,json-render-diagnostics"] {
        let out = ctxlint(
            dir.path(),
            &["--message-format", format, "--color", "never", "finding.rs"],
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_eq!(stdout(&out), "", "{format}");
        let err = stderr(&out);
        assert!(
            err.starts_with("warning[ctxlint::dropped_cancel_guard]: "),
            "{format}: {err}"
        );
        assert!(err.contains("help: "), "{err}");
        assert!(err.trim_end().ends_with("warning: 1 finding in 1 file"), "{err}");
    }
    let out = ctxlint(
        dir.path(),
        &[
            "--message-format",
            "json-render-diagnostics,json-diagnostic-short",
            "finding.rs",
        ],
    );
    assert_eq!((stdout(&out).as_str(), stderr(&out)), ("", short_line.clone()));

    // Repeated or combined JSON variants are one JSON stream, as in cargo.
    let out = ctxlint(
        dir.path(),
        &[
            "--message-format",
            "json,json-diagnostic-rendered-ansi",
            "finding.rs",
        ],
    );
    let message: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert!(
        message["message"]["rendered"]
            .as_str()
            .unwrap()
            .contains("\u{1b}[")
    );
}

/// Two kinds of output (`json,sarif`, `human,short`, even `json,json`) are refused, as cargo
/// refuses them, instead of one silently winning.
#[test]
fn two_kinds_of_message_format_are_refused() {
    let dir = project(&[("finding.rs", FINDING)]);
    for format in [
        "json,sarif",
        "human,short",
        "json,json",
        "sarif,github",
        "short,json-diagnostic-short",
        "json-render-diagnostics,human",
    ] {
        let out = ctxlint(dir.path(), &["--message-format", format, "finding.rs"]);
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert_eq!(stdout(&out), "", "{format}");
        assert!(
            stderr(&out).contains("cannot specify two kinds of `message-format` arguments"),
            "{format}: {}",
            stderr(&out)
        );
    }
}

/// A fix shared by several findings (string_value_key's module-wide one) is drawn under the
/// first only, in the human output and JSON's `rendered`; every finding keeps the suggestion
/// itself, for rustfix and editors.
#[test]
fn a_shared_fix_is_drawn_once() {
    let text = "use core::context::{Context, WithValue};\n\
fn f(ctx: &Context, id: u64) -> Context {\n    let ctx = WithValue(ctx, \"tenant\", id);\n    WithValue(&ctx, \"user\", id)\n}\n\
fn g(ctx: &Context) {\n    let _ = ctx.value(&\"tenant\");\n}\n";
    let dir = project(&[("keys.rs", text)]);
    let human = stdout(&ctxlint(dir.path(), &["keys.rs"]));
    assert_eq!(human.matches("struct TenantKey;").count(), 1, "{human}");
    assert_eq!(
        human
            .matches("the same change as for the finding on line 3")
            .count(),
        2,
        "{human}"
    );

    let json = stdout(&ctxlint(dir.path(), &["--message-format", "json", "keys.rs"]));
    let messages: Vec<Value> = json
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(messages.len(), 3);
    let rendered: Vec<&str> = messages
        .iter()
        .map(|m| m["message"]["rendered"].as_str().unwrap())
        .collect();
    assert!(rendered[0].contains("struct TenantKey;"));
    assert!(!rendered[1].contains("struct TenantKey;") && !rendered[2].contains("struct TenantKey;"));
    for message in &messages {
        let help = &message["message"]["children"].as_array().unwrap().last().unwrap();
        assert_eq!(help["level"], "help");
        let spans = help["spans"].as_array().unwrap();
        assert!(spans.iter().any(|s| {
            s["suggested_replacement"]
                .as_str()
                .unwrap()
                .contains("struct TenantKey;")
        }));
    }
}
