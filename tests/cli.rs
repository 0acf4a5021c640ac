//! The built binaries, run as users run them.

mod support;

use std::path::Path;
use std::process::Command;

use support::cli::{CLEAN, FINDING, ctxlint, project, stdout};

#[test]
fn exit_codes() {
    let dir = project(&[("finding.rs", FINDING), ("clean.rs", CLEAN)]);
    assert_eq!(ctxlint(dir.path(), &["clean.rs"]).status.code(), Some(0));
    assert_eq!(ctxlint(dir.path(), &["finding.rs"]).status.code(), Some(1));
    assert_eq!(
        ctxlint(dir.path(), &["--exit-zero", "finding.rs"]).status.code(),
        Some(0)
    );
    assert_eq!(
        ctxlint(dir.path(), &["-A", "dropped_cancel_guard", "finding.rs"])
            .status
            .code(),
        Some(0)
    );
    let unknown_rule = ctxlint(dir.path(), &["-D", "no_such_rule", "finding.rs"]);
    assert_eq!(unknown_rule.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown_rule.stderr).contains("unknown rule `no_such_rule`"));
    assert_eq!(ctxlint(dir.path(), &["--no-such-flag"]).status.code(), Some(2));
    assert_eq!(
        ctxlint(dir.path(), &["--message-format", "xml"]).status.code(),
        Some(2)
    );
}

/// A path that does not exist is a typo, not a clean run: exit 2 whatever `--exit-zero` says,
/// the reason on stderr, and a failed invocation in SARIF. The paths that exist are not linted.
#[test]
fn a_missing_path_is_a_usage_error() {
    let dir = project(&[("finding.rs", FINDING)]);
    for args in [
        &["no/such/path"][..],
        &["finding.rs", "no/such/path", "--exit-zero"],
        &["--message-format", "json", "nosuch.rs"],
    ] {
        let output = ctxlint(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = support::cli::stderr(&output);
        assert!(err.contains("no such file or directory"), "{args:?}: {err}");
        assert!(stdout(&output).is_empty(), "{args:?}: {}", stdout(&output));
    }
    let output = ctxlint(
        dir.path(),
        &["--message-format", "sarif", "--exit-zero", "/no/such/path"],
    );
    assert_eq!(output.status.code(), Some(2));
    let log: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{log}");
    let note = invocation["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(note.contains("/no/such/path"), "{note}");
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn human_output_shows_the_snippet_and_the_fix() {
    let dir = project(&[("finding.rs", FINDING)]);
    let out = stdout(&ctxlint(dir.path(), &["finding.rs"]));
    assert!(
        out.contains("warning[ctxlint::dropped_cancel_guard]: `DropGuard` is dropped at once"),
        "{out}"
    );
    assert!(out.contains("--> finding.rs:3:9"), "{out}");
    assert!(out.contains("3 |     let _ = token.drop_guard();"), "{out}");
    assert!(out.contains("help: bind it to a named variable"), "{out}");
    assert!(out.contains("3 +     let _guard = token.drop_guard();"), "{out}");
    assert!(out.trim_end().ends_with("warning: 1 finding in 1 file"), "{out}");
    assert!(!out.contains('\x1b'), "no colour when not on a terminal");
}

#[test]
fn short_output_is_one_line_per_finding() {
    let dir = project(&[("finding.rs", FINDING)]);
    let out = stdout(&ctxlint(dir.path(), &["--message-format", "short", "finding.rs"]));
    assert_eq!(
        out,
        "finding.rs:3:9: warning[ctxlint::dropped_cancel_guard]: `DropGuard` is dropped at once, which cancels immediately\n"
    );
}

#[test]
fn deny_makes_findings_errors() {
    let dir = project(&[("finding.rs", FINDING)]);
    for args in [["-D", "dropped_cancel_guard"], ["-D", "warnings"]] {
        let mut all = vec!["--message-format", "short"];
        all.extend(args);
        all.push("finding.rs");
        let out = stdout(&ctxlint(dir.path(), &all));
        assert!(out.contains(": error[ctxlint::dropped_cancel_guard]:"), "{out}");
    }
    // The last flag for a rule wins, as in rustc.
    let out = ctxlint(
        dir.path(),
        &[
            "-D",
            "dropped_cancel_guard",
            "-A",
            "dropped_cancel_guard",
            "finding.rs",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn colour_follows_flags_and_environment() {
    let dir = project(&[("finding.rs", FINDING)]);
    assert!(stdout(&ctxlint(dir.path(), &["--color", "always", "finding.rs"])).contains('\x1b'));
    let forced = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .arg("finding.rs")
        .current_dir(dir.path())
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(stdout(&forced).contains('\x1b'));
    let no_color = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .arg("finding.rs")
        .current_dir(dir.path())
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&no_color).contains('\x1b'));
    // JSON is never coloured, except in `rendered` with json-diagnostic-rendered-ansi.
    let json = stdout(&ctxlint(
        dir.path(),
        &["--color", "always", "--message-format", "json", "finding.rs"],
    ));
    assert!(!json.contains("\\u001b"));
    let ansi = stdout(&ctxlint(
        dir.path(),
        &["--message-format", "json-diagnostic-rendered-ansi", "finding.rs"],
    ));
    assert!(ansi.contains("\\u001b["));
}

#[test]
fn directories_skip_target_hidden_and_ignored_files() {
    let dir = project(&[
        ("src/lib.rs", FINDING),
        ("target/debug/build/out.rs", FINDING),
        (".hidden/x.rs", FINDING),
        ("generated/gen.rs", FINDING),
        (".gitignore", "generated/\n"),
        ("notes.txt", FINDING),
    ]);
    let out = stdout(&ctxlint(dir.path(), &["--message-format", "short"]));
    let files: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(files, ["src/lib.rs"], "{out}");
    // A file named on the command line is linted whatever its name.
    let out = stdout(&ctxlint(dir.path(), &["--message-format", "short", "notes.txt"]));
    assert!(out.starts_with("notes.txt:3:9:"), "{out}");
}

#[test]
fn a_file_reached_by_overlapping_paths_is_linted_once() {
    let dir = project(&[("src/lib.rs", FINDING)]);
    let out = ctxlint(
        dir.path(),
        &[
            "--message-format",
            "short",
            "src",
            "src/lib.rs",
            "./src/lib.rs",
            ".",
        ],
    );
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_are_skipped_with_a_note() {
    let dir = project(&[("src/lib.rs", FINDING)]);
    std::os::unix::fs::symlink(dir.path().join("src"), dir.path().join("src/loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("missing.rs"), dir.path().join("src/dangling.rs")).unwrap();
    let out = ctxlint(dir.path(), &["--message-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: skipped"), "{stderr}");
}

#[test]
fn rules_and_explain() {
    let dir = project(&[]);
    let rules = stdout(&ctxlint(dir.path(), &["rules"]));
    assert!(
        rules
            .lines()
            .any(|l| l.starts_with("dropped_cancel_guard") && l.contains("warn")),
        "{rules}"
    );
    // The levels are this project's.
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\nvalue_chain = \"deny\"\n",
    )
    .unwrap();
    let rules = stdout(&ctxlint(dir.path(), &["rules"]));
    let value_chain = rules.lines().find(|l| l.starts_with("value_chain")).unwrap();
    assert!(
        value_chain.contains(" deny ") && value_chain.ends_with("(configured)"),
        "{rules}"
    );
    let explain = ctxlint(dir.path(), &["explain", "dropped_cancel_guard"]);
    assert_eq!(explain.status.code(), Some(0));
    let text = stdout(&explain);
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "Use instead:",
    ] {
        assert!(text.contains(section), "missing {section}:\n{text}");
    }
    assert_eq!(ctxlint(dir.path(), &["explain", "nope"]).status.code(), Some(2));
}

#[test]
fn cargo_subcommand_drops_its_name() {
    let dir = project(&[
        (
            "Cargo.toml",
            "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("src/lib.rs", FINDING),
    ]);
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-ctxlint"))
        .args(["ctxlint", "--message-format", "short"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("src/lib.rs:3:9:"), "{}", stdout(&out));
}

#[test]
fn config_file_sets_levels_and_rejects_unknown_keys() {
    let dir = project(&[
        ("src/lib.rs", FINDING),
        ("ctxlint.toml", "[rules]\ndropped_cancel_guard = \"deny\"\n"),
    ]);
    let out = stdout(&ctxlint(dir.path(), &["--message-format", "short"]));
    assert!(out.contains("error[ctxlint::dropped_cancel_guard]"), "{out}");
    let dir = project(&[("src/lib.rs", FINDING), ("ctxlint.toml", "[rulez]\n")]);
    let out = ctxlint(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ctxlint.toml") && stderr.contains("rulez"),
        "{stderr}"
    );
}

#[test]
fn prefilter_does_not_change_findings() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let with = stdout(&ctxlint(&testdata, &["--message-format", "short"]));
    let without = stdout(&ctxlint(
        &testdata,
        &["--message-format", "short", "--no-prefilter"],
    ));
    assert!(!with.is_empty());
    assert_eq!(with, without);
}

#[test]
fn positions_are_on_disk_bytes_and_character_columns() {
    // A BOM, CRLF line ends and non-ASCII text before the finding.
    let text = "\u{feff}use tokio_util::sync::CancellationToken;\r\n// é\r\nfn f(t: CancellationToken) { let é = 1; let _ = t.drop_guard(); }\r\n";
    let dir = project(&[("bom.rs", text)]);
    let out = stdout(&ctxlint(dir.path(), &["--message-format", "json", "bom.rs"]));
    let message: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let span = &message["message"]["spans"][0];
    let start = span["byte_start"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..start + 1], "_");
    assert_eq!(span["line_start"], 3);
    let column = text
        .lines()
        .nth(2)
        .unwrap()
        .chars()
        .take_while(|&c| c != '_')
        .count()
        + 1;
    assert_eq!(span["column_start"].as_u64().unwrap() as usize, column);
}

/// An item ctxlint cannot read is a `parse_error` warning that the levels, the configuration
/// and suppressions govern like any rule; the rest of the file is still linted.
#[test]
fn parse_error_is_a_rule() {
    let broken = "use tokio_util::sync::CancellationToken;\n\
        fn odd(token: CancellationToken) { let = token; }\n\
        fn lost(token: CancellationToken) { let _ = token.drop_guard(); }\n";
    let dir = project(&[("broken.rs", broken)]);
    let out = ctxlint(dir.path(), &["--message-format", "short", "broken.rs"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("broken.rs:2:1: warning[ctxlint::parse_error]"),
        "{text}"
    );
    assert!(
        text.contains("broken.rs:3:41: warning[ctxlint::dropped_cancel_guard]"),
        "{text}"
    );
    assert!(!text.contains("cargo check"), "{text}");

    let allowed = ctxlint(
        dir.path(),
        &["-A", "parse_error", "-A", "dropped_cancel_guard", "broken.rs"],
    );
    assert_eq!(allowed.status.code(), Some(0), "{}", stdout(&allowed));
    let denied = stdout(&ctxlint(dir.path(), &["-D", "parse_error", "broken.rs"]));
    assert!(denied.contains("error[ctxlint::parse_error]"), "{denied}");

    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\nparse_error = \"allow\"\ndropped_cancel_guard = \"allow\"\n",
    )
    .unwrap();
    assert_eq!(ctxlint(dir.path(), &["broken.rs"]).status.code(), Some(0));
    let rules = stdout(&ctxlint(dir.path(), &["rules"]));
    assert!(
        rules
            .lines()
            .any(|l| l.starts_with("parse_error") && l.contains("allow") && l.ends_with("(configured)")),
        "{rules}"
    );
    std::fs::remove_file(dir.path().join("ctxlint.toml")).unwrap();
    std::fs::write(
        dir.path().join("broken.rs"),
        format!("// ctxlint: allow-file(parse_error)\n{broken}"),
    )
    .unwrap();
    let text = stdout(&ctxlint(dir.path(), &["--message-format", "short", "broken.rs"]));
    assert!(!text.contains("parse_error"), "{text}");
    assert!(text.contains("dropped_cancel_guard"), "{text}");
}

/// A project template's `.rs` files hold placeholders and are not Rust yet: a directory walk
/// leaves them out.
#[test]
fn project_templates_are_not_walked() {
    let dir = project(&[
        ("app/src/lib.rs", FINDING),
        (
            "templates/http/content/Cargo.toml.tmpl",
            "[package]\nname = \"{{project-name}}\"\n",
        ),
        ("templates/http/content/src/lib.rs", FINDING),
        ("templates/worker/cargo-generate.toml", "[template]\n"),
        ("templates/worker/src/lib.rs", "fn handle_{{crate_name}}() {}\n"),
    ]);
    let out = ctxlint(dir.path(), &["--message-format", "short", "."]);
    let text = stdout(&out);
    assert!(text.contains("app/src/lib.rs"), "{text}");
    assert!(!text.contains("templates"), "{text}");
}

/// Rules come in clippy's groups: a group name selects its rules in `-A/-W/-D` and in
/// `[rules]` (a rule's own entry wins), and `rules`, `explain` and SARIF show it.
#[test]
fn groups_select_rules() {
    let code = "use tokio_util::sync::CancellationToken;\n\
        async fn fetch(cancel: &CancellationToken, url: &str) {}\n";
    let dir = project(&[("order.rs", code)]);
    // Pedantic: allowed by default.
    assert_eq!(ctxlint(dir.path(), &["order.rs"]).status.code(), Some(0));
    let out = stdout(&ctxlint(
        dir.path(),
        &["-W", "pedantic", "--message-format", "short", "order.rs"],
    ));
    assert!(out.contains("warning[ctxlint::token_param_order]"), "{out}");
    let out = ctxlint(
        dir.path(),
        &["-D", "pedantic", "-A", "token_param_order", "order.rs"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let rules = stdout(&ctxlint(dir.path(), &["rules"]));
    let line = |name: &str| {
        rules
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("token_param_order").contains(" allow  pedantic "), "{rules}");
    assert!(line("context_param_order").contains(" warn   style "), "{rules}");
    assert!(line("dropped_cancel_guard").contains("correctness"), "{rules}");
    assert!(line("timeout_in_loop").contains(" allow  pedantic "), "{rules}");
    let explain = stdout(&ctxlint(dir.path(), &["explain", "timeout_in_loop"]));
    assert!(
        explain.contains("Group: pedantic. Default level: allow."),
        "{explain}"
    );

    std::fs::write(dir.path().join("ctxlint.toml"), "[rules]\npedantic = \"deny\"\n").unwrap();
    let out = stdout(&ctxlint(dir.path(), &["--message-format", "short", "order.rs"]));
    assert!(out.contains("error[ctxlint::token_param_order]"), "{out}");
    let rules = stdout(&ctxlint(dir.path(), &["rules"]));
    assert!(
        rules
            .lines()
            .any(|l| l.starts_with("timeout_in_loop") && l.contains(" deny ") && l.ends_with("(configured)")),
        "{rules}"
    );
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\npedantic = \"deny\"\ntoken_param_order = \"allow\"\n",
    )
    .unwrap();
    assert_eq!(ctxlint(dir.path(), &["order.rs"]).status.code(), Some(0));
    std::fs::write(dir.path().join("ctxlint.toml"), "[rules]\npedantik = \"warn\"\n").unwrap();
    let out = ctxlint(dir.path(), &["order.rs"]);
    assert_eq!(out.status.code(), Some(2));

    std::fs::remove_file(dir.path().join("ctxlint.toml")).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&ctxlint(
        dir.path(),
        &["--message-format", "sarif", "order.rs"],
    )))
    .unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "token_param_order").unwrap();
    assert_eq!(rule["properties"]["group"], "pedantic");
    assert_eq!(rule["defaultConfiguration"]["level"], "none");
}

#[test]
fn counts_take_the_singular_for_one() {
    let dir = project(&[("finding.rs", FINDING)]);
    let out = ctxlint(dir.path(), &["--stats", "finding.rs"]);
    assert!(
        support::cli::stderr(&out).contains("ctxlint: 1 file, 1 parsed, 1 finding\n"),
        "{}",
        support::cli::stderr(&out)
    );
}

/// A reader that stops early (`ctxlint | head -1`) ends the run without a word on stderr.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // Far more output than a pipe buffers, so that writing must hit the closed pipe.
    let mut text =
        String::from("use tokio_util::sync::CancellationToken;\nfn f(token: CancellationToken) {\n");
    for _ in 0..3000 {
        text.push_str("    let _ = token.clone().drop_guard();\n");
    }
    text.push_str("}\n");
    let dir = project(&[("many.rs", &text)]);
    for args in [
        &["many.rs"][..],
        &["--message-format", "json", "many.rs"],
        &["--diff", "many.rs"],
    ] {
        let mut child = support::cli::command(env!("CARGO_BIN_EXE_ctxlint"), dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The read end is closed here, as `head -1` closes it.
        let out = child.wait_with_output().unwrap();
        assert!(!first.is_empty(), "{args:?}");
        let stderr = support::cli::stderr(&out);
        assert!(
            !stderr.contains("error") && !stderr.contains("panicked") && !stderr.contains("pipe"),
            "{args:?}: {stderr}"
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
}
