//! `cargo ctxlint` on the two-member workspace in `testdata/cli/workspace` (copied to a scratch
//! directory first), with the command lines rust-analyzer sends, and `--with-check`.
//! Everything works offline: `cargo metadata --no-deps`, and path dependencies only.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use cargo_metadata::{Edition, Message, MetadataCommand, TargetKind};
use support::cli::{command, copy_dir, stderr, stdout};

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| option_env!("CARGO").unwrap_or("cargo").to_string())
}

/// A fresh copy of the workspace fixture.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cli/workspace");
    copy_dir(&fixture, dir.path());
    dir
}

/// `cargo ctxlint <args>`, through cargo itself: `cargo-ctxlint` is found on `PATH`.
fn cargo_ctxlint(dir: &Path, args: &[&str]) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-ctxlint")).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    command(&cargo(), dir)
        .arg("ctxlint")
        .args(args)
        .env("PATH", path)
        .env("CARGO_LOG", "cargo::core::compiler::fingerprint=info")
        .output()
        .expect("run cargo ctxlint")
}

/// Package ids by package name, from cargo itself.
fn package_ids(dir: &Path) -> Vec<(String, String)> {
    let metadata = MetadataCommand::new()
        .cargo_path(cargo())
        .manifest_path(dir.join("Cargo.toml"))
        .no_deps()
        .exec()
        .unwrap();
    metadata
        .packages
        .iter()
        .map(|p| (p.name.to_string(), p.id.repr.clone()))
        .collect()
}

fn id_of(ids: &[(String, String)], name: &str) -> String {
    ids.iter().find(|(n, _)| n == name).unwrap().1.clone()
}

/// (package id, target name, target kind, file name) of every ctxlint message.
fn messages(output: &Output) -> Vec<(String, String, String, String)> {
    let text = stdout(output);
    let mut found = Vec::new();
    for message in Message::parse_stream(text.as_bytes()) {
        if let Message::CompilerMessage(message) = message.expect("a cargo message")
            && message
                .message
                .code
                .as_ref()
                .is_some_and(|c| c.code.starts_with("ctxlint::"))
        {
            let primary = message.message.spans.iter().find(|s| s.is_primary).unwrap();
            found.push((
                message.package_id.repr,
                message.target.name,
                message.target.kind[0].to_string(),
                primary.file_name.clone(),
            ));
        }
    }
    found.sort();
    found
}

fn files(output: &Output) -> BTreeSet<String> {
    messages(output).into_iter().map(|m| m.3).collect()
}

#[test]
fn rust_analyzer_workspace_check() {
    let ws = workspace();
    let manifest = ws.path().join("Cargo.toml");
    let target_dir = ws.path().join("target");
    let output = cargo_ctxlint(
        ws.path(),
        &[
            "--workspace",
            "--message-format=json-diagnostic-rendered-ansi",
            "--manifest-path",
            manifest.to_str().unwrap(),
            "--keep-going",
            "--all-targets",
            "--target-dir",
            target_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let ids = package_ids(ws.path());
    let (app, engine) = (id_of(&ids, "app"), id_of(&ids, "engine-core"));
    let expected = vec![
        (
            app.clone(),
            "app".to_string(),
            "bin".to_string(),
            "app/src/main.rs".to_string(),
        ),
        (
            app.clone(),
            "app".into(),
            "lib".into(),
            "app/src/server.rs".into(),
        ),
        (
            app.clone(),
            "demo".into(),
            "example".into(),
            "app/examples/demo.rs".into(),
        ),
        (
            app.clone(),
            "smoke".into(),
            "test".into(),
            "app/tests/smoke.rs".into(),
        ),
        (
            engine,
            "engine_core".into(),
            "lib".into(),
            "crates/engine/src/worker.rs".into(),
        ),
    ];
    let mut expected = expected;
    expected.sort();
    assert_eq!(messages(&output), expected);
    // rust-analyzer's colour variant puts ANSI in `rendered`, and the whole target is there.
    let text = stdout(&output);
    assert!(text.contains("\\u001b["), "{text}");
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let target = &first["target"];
    assert!(Path::new(target["src_path"].as_str().unwrap()).is_absolute());
    assert_eq!(target["edition"], "2021");
    assert!(first["manifest_path"].as_str().unwrap().ends_with("Cargo.toml"));
}

#[test]
fn rust_analyzer_package_check() {
    let ws = workspace();
    let manifest = ws.path().join("Cargo.toml");
    let ids = package_ids(ws.path());
    let engine = id_of(&ids, "engine-core");
    // The id of a member whose directory is not named like it: `path+file:///…#name@version`.
    assert!(engine.contains("#engine-core@0.2.0"), "{engine}");
    let base = [
        "--message-format=json",
        "--manifest-path",
        manifest.to_str().unwrap(),
        "--keep-going",
    ];
    for extra in [
        &["--lib", "--bins", "--examples", "--all-features"][..],
        &["--all-targets", "--no-default-features", "--features", "a b"],
        &[
            "--target",
            "x86_64-unknown-linux-gnu",
            "--config",
            "build.jobs=1",
            "-q",
        ],
    ] {
        let mut args = vec!["-p", engine.as_str()];
        args.extend(base);
        args.extend(extra);
        let output = cargo_ctxlint(ws.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {}", stderr(&output));
        assert_eq!(
            messages(&output),
            vec![(
                engine.clone(),
                "engine_core".to_string(),
                "lib".to_string(),
                "crates/engine/src/worker.rs".to_string()
            )],
            "{args:?}"
        );
    }
    // A per-target check, as rust-analyzer sends after saving a binary's file.
    let app = id_of(&ids, "app");
    let output = cargo_ctxlint(
        ws.path(),
        &[
            "-p",
            &app,
            "--bin",
            "app",
            "--message-format=json",
            "--keep-going",
        ],
    );
    assert_eq!(files(&output), BTreeSet::from(["app/src/main.rs".to_string()]));
}

#[test]
fn package_and_target_selection() {
    let ws = workspace();
    let short = |dir: &Path, args: &[&str]| {
        let mut all = vec!["--message-format", "short"];
        all.extend(args);
        let output = cargo_ctxlint(dir, &all);
        let files: BTreeSet<String> = stdout(&output)
            .lines()
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect();
        (output.status.code(), files)
    };
    let set = |names: &[&str]| -> BTreeSet<String> { names.iter().map(|s| s.to_string()).collect() };
    let all = set(&[
        "app/examples/demo.rs",
        "app/src/main.rs",
        "app/src/server.rs",
        "app/tests/smoke.rs",
        "crates/engine/src/worker.rs",
    ]);
    // The root is a virtual manifest: every member, as cargo does.
    assert_eq!(short(ws.path(), &[]).1, all);
    assert_eq!(short(ws.path(), &["--all"]).1, all);
    // In a member's directory: that member; names stay relative to the workspace root.
    assert_eq!(
        short(&ws.path().join("crates/engine/src"), &[]).1,
        set(&["crates/engine/src/worker.rs"])
    );
    assert_eq!(
        short(ws.path(), &["--workspace", "--exclude", "app"]).1,
        set(&["crates/engine/src/worker.rs"])
    );
    assert_eq!(
        short(ws.path(), &["-p", "engine-*"]).1,
        set(&["crates/engine/src/worker.rs"])
    );
    assert_eq!(
        short(ws.path(), &["-p", "app@0.1.0", "--lib"]).1,
        set(&["app/src/server.rs"])
    );
    assert_eq!(
        short(ws.path(), &["-p", "app", "--tests"]).1,
        set(&["app/src/main.rs", "app/src/server.rs", "app/tests/smoke.rs"])
    );
    assert_eq!(
        short(ws.path(), &["-p", "app", "--test", "smoke"]).1,
        set(&["app/tests/smoke.rs"])
    );
    assert_eq!(
        short(ws.path(), &["-p", "app", "--examples"]).1,
        set(&["app/examples/demo.rs"])
    );
    assert_eq!(
        short(ws.path(), &["-p", "app", "--example", "demo"]).1,
        set(&["app/examples/demo.rs"])
    );
    assert_eq!(short(ws.path(), &["-p", "app", "--benches"]).1, set(&[]));
    // Suppressed findings stay suppressed.
    let (code, _) = short(ws.path(), &["-p", "engine-core"]);
    assert_eq!(code, Some(1));
    // No such package: an error, as in cargo.
    let output = cargo_ctxlint(ws.path(), &["-p", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`nope` did not match"),
        "{}",
        stderr(&output)
    );
}

/// A target flag that selects nothing fails as `cargo check` fails: the same error line,
/// exit code 101. cargo itself is run on the same workspace for the wording (it stops before
/// building anything).
#[test]
fn missing_targets_fail_like_cargo() {
    let ws = workspace();
    support::cli::write_files(
        ws.path(),
        &[
            (
                "tool/Cargo.toml",
                "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
            ),
            ("tool/src/main.rs", "fn main() {}\n"),
        ],
    );
    let cases: [(&str, &[&str]); 8] = [
        ("", &["--bin", "nosuch"]),
        ("", &["--test", "nosuch"]),
        ("", &["--example", "nosuch"]),
        ("", &["--bench", "nosuch"]),
        ("", &["-p", "engine-core", "--bin", "nosuch"]),
        ("", &["--workspace", "--example", "no*"]),
        ("crates/engine", &["--test", "nosuch"]),
        ("tool", &["--lib"]),
    ];
    for (dir, args) in cases {
        let dir = ws.path().join(dir);
        let ours = cargo_ctxlint(&dir, args);
        let theirs = command(&cargo(), &dir)
            .args(["check", "--offline"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(theirs.status.code(), Some(101), "{args:?}: {}", stderr(&theirs));
        assert_eq!(ours.status.code(), Some(101), "{args:?}: {}", stderr(&ours));
        let first_error = |output: &Output| {
            stderr(output)
                .lines()
                .find(|line| line.starts_with("error"))
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(first_error(&ours), first_error(&theirs), "{args:?}");
        assert!(stdout(&ours).is_empty(), "{args:?}: nothing linted");
    }
    // A target that exists is linted.
    assert_eq!(
        cargo_ctxlint(ws.path(), &["-p", "app", "--bin", "app"])
            .status
            .code(),
        Some(1)
    );
}

/// The advice every finding gives (`--fix --unsafe-fixes`) works in cargo mode, with the
/// flags `cargo clippy --fix` takes.
#[test]
fn fix_and_diff_in_cargo_mode() {
    let ws = workspace();
    let worker = ws.path().join("crates/engine/src/worker.rs");
    let before = std::fs::read_to_string(&worker).unwrap();
    let output = cargo_ctxlint(ws.path(), &["-p", "engine-core", "--diff"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("+    let _guard = token.drop_guard();"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&worker).unwrap(),
        before,
        "--diff writes nothing"
    );

    let output = cargo_ctxlint(
        ws.path(),
        &["-p", "engine-core", "--fix", "--allow-dirty", "--allow-no-vcs"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("fixed 1 finding"), "{}", stderr(&output));
    let after = std::fs::read_to_string(&worker).unwrap();
    assert_eq!(
        after,
        before.replace("let _ = token.drop_guard()", "let _guard = token.drop_guard()")
    );

    let output = cargo_ctxlint(ws.path(), &["--workspace", "--fix", "--unsafe-fixes"]);
    assert!(stderr(&output).contains("fixed"), "{}", stderr(&output));
    let output = cargo_ctxlint(ws.path(), &["--workspace", "--diff", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(0), "nothing left: {}", stdout(&output));

    let output = cargo_ctxlint(ws.path(), &["--fix", "--with-check"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Each file gets its package's configuration on top of the workspace's, wherever ctxlint is
/// started: the package's levels win, the workspace's apply where the package says nothing.
#[test]
fn package_config_is_layered_on_the_workspace_config() {
    const TWO_FINDINGS: &str = "use tokio_util::sync::CancellationToken;\n\
        pub fn f(parent: &CancellationToken) {\n    let _ = parent.drop_guard_ref();\n    let root = CancellationToken::new();\n    root.cancel();\n}\n";
    let root_manifest = "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\n\
        [workspace.metadata.ctxlint.rules]\ndropped_cancel_guard = \"deny\"\nbackground_in_handler = \"deny\"\n";
    let member = |name: &str, metadata: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{metadata}")
    };
    for own in ["manifest", "ctxlint.toml"] {
        let (a_manifest, a_file) = match own {
            "manifest" => (
                member(
                    "a",
                    "\n[package.metadata.ctxlint.rules]\nbackground_in_handler = \"allow\"\n",
                ),
                None,
            ),
            _ => (
                member("a", ""),
                Some("[rules]\nbackground_in_handler = \"allow\"\n"),
            ),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut files = vec![
            ("Cargo.toml", root_manifest.to_string()),
            ("a/Cargo.toml", a_manifest),
            ("a/src/lib.rs", TWO_FINDINGS.to_string()),
            ("b/Cargo.toml", member("b", "")),
            ("b/src/lib.rs", TWO_FINDINGS.to_string()),
        ];
        if let Some(text) = a_file {
            files.push(("a/ctxlint.toml", text.to_string()));
        }
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        support::cli::write_files(dir.path(), &files);
        let a_expected = ["error[ctxlint::dropped_cancel_guard]"];
        let b_expected = [
            "error[ctxlint::dropped_cancel_guard]",
            "error[ctxlint::background_in_handler]",
        ];
        let codes = |output: &Output, file: &str| -> Vec<String> {
            stdout(output)
                .lines()
                .filter(|line| line.contains(file))
                .map(|line| line.split(": ").nth(1).unwrap().to_string())
                .collect()
        };
        // cargo mode from the root, and from inside each member.
        let output = cargo_ctxlint(dir.path(), &["--workspace", "--message-format", "short"]);
        assert_eq!(
            codes(&output, "a/src/lib.rs"),
            a_expected,
            "{own}: {}",
            stdout(&output)
        );
        assert_eq!(
            codes(&output, "b/src/lib.rs"),
            b_expected,
            "{own}: {}",
            stdout(&output)
        );
        let output = cargo_ctxlint(&dir.path().join("a"), &["--message-format", "short"]);
        assert_eq!(
            codes(&output, "a/src/lib.rs"),
            a_expected,
            "{own}: {}{}",
            stdout(&output),
            stderr(&output)
        );
        let output = cargo_ctxlint(&dir.path().join("b/src"), &["--message-format", "short"]);
        assert_eq!(
            codes(&output, "b/src/lib.rs"),
            b_expected,
            "{own}: {}",
            stdout(&output)
        );
        // Directory mode, from the root and from inside a member.
        let output = support::cli::ctxlint(dir.path(), &["--message-format", "short"]);
        assert_eq!(
            codes(&output, "a/src/lib.rs"),
            a_expected,
            "{own}: {}",
            stdout(&output)
        );
        assert_eq!(
            codes(&output, "b/src/lib.rs"),
            b_expected,
            "{own}: {}",
            stdout(&output)
        );
        let output = support::cli::ctxlint(&dir.path().join("a"), &["--message-format", "short"]);
        assert_eq!(
            codes(&output, "src/lib.rs"),
            a_expected,
            "{own}: {}",
            stdout(&output)
        );
        // The package's setting wins over the workspace's, in that direction too.
        let output = support::cli::ctxlint(
            dir.path(),
            &["--message-format", "short", "b/src/lib.rs", "a/src/lib.rs"],
        );
        assert_eq!(
            codes(&output, "a/src/lib.rs"),
            a_expected,
            "{own}: {}",
            stdout(&output)
        );
        assert_eq!(
            codes(&output, "b/src/lib.rs"),
            b_expected,
            "{own}: {}",
            stdout(&output)
        );
        // Flags still win over both.
        let output = cargo_ctxlint(
            dir.path(),
            &[
                "--workspace",
                "--message-format",
                "short",
                "-W",
                "background_in_handler",
            ],
        );
        assert_eq!(
            codes(&output, "a/src/lib.rs"),
            [
                "error[ctxlint::dropped_cancel_guard]",
                "warning[ctxlint::background_in_handler]"
            ],
            "{own}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn levels_config_and_subcommands_in_cargo_mode() {
    let ws = workspace();
    let output = cargo_ctxlint(ws.path(), &["--message-format=short", "-D", "warnings"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).lines().all(|l| l.contains(": error[ctxlint::")),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        cargo_ctxlint(ws.path(), &["-A", "dropped_cancel_guard"])
            .status
            .code(),
        Some(0)
    );
    // `[workspace.metadata.ctxlint]` in the root manifest.
    let manifest = ws.path().join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[workspace.metadata.ctxlint]\nexclude = [\"app/tests/\"]\n\n[workspace.metadata.ctxlint.rules]\ndropped_cancel_guard = \"deny\"\n");
    std::fs::write(&manifest, &text).unwrap();
    let output = cargo_ctxlint(ws.path(), &["--message-format=short"]);
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(!out.contains("smoke.rs"), "{out}");
    assert!(out.lines().all(|l| l.contains(": error[")), "{out}");
    std::fs::write(
        &manifest,
        text.replace(
            "dropped_cancel_guard = \"deny\"",
            "dropped_cancel_gaurd = \"deny\"",
        ),
    )
    .unwrap();
    let output = cargo_ctxlint(ws.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("Cargo.toml") && err.contains("dropped_cancel_gaurd"),
        "{err}"
    );
    // The plain subcommands work through cargo too.
    let rules = cargo_ctxlint(ws.path(), &["rules"]);
    assert!(stdout(&rules).contains("dropped_cancel_guard"));
    // `--` is for the wrapped check command only.
    assert_eq!(
        cargo_ctxlint(ws.path(), &["--", "-D", "warnings"]).status.code(),
        Some(2)
    );
}

#[test]
fn with_check_streams_cargo_then_appends_ctxlint() {
    let ws = workspace();
    let manifest = ws.path().join("Cargo.toml");
    let target_dir = ws.path().join("target");
    let args = [
        "--with-check",
        "--workspace",
        "--message-format=json",
        "--manifest-path",
        manifest.to_str().unwrap(),
        "--keep-going",
        "--all-targets",
        "--target-dir",
        target_dir.to_str().unwrap(),
    ];
    let output = cargo_ctxlint(ws.path(), &args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let reasons: Vec<(String, bool)> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("JSON lines only");
            let ours = value["message"]["code"]["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("ctxlint::"));
            (value["reason"].as_str().unwrap().to_string(), ours)
        })
        .collect();
    // cargo's artifacts (and rustc's own messages), then ctxlint's, then one build-finished.
    let first_ours = reasons.iter().position(|(_, ours)| *ours).unwrap();
    assert!(
        reasons[..first_ours]
            .iter()
            .any(|(r, _)| r == "compiler-artifact"),
        "{text}"
    );
    assert!(
        reasons[first_ours..reasons.len() - 1]
            .iter()
            .all(|(_, ours)| *ours),
        "{text}"
    );
    assert_eq!(reasons.last().unwrap().0, "build-finished");
    assert_eq!(reasons.iter().filter(|(r, _)| r == "build-finished").count(), 1);
    assert_eq!(files(&output).len(), 5);

    // A build that fails: cargo's exit code, and ctxlint's findings all the same.
    let server = ws.path().join("app/src/server.rs");
    let mut broken = std::fs::read_to_string(&server).unwrap();
    broken.push_str("\npub fn broken() -> u32 { \"not a number\" }\n");
    std::fs::write(&server, broken).unwrap();
    let output = cargo_ctxlint(ws.path(), &args);
    assert_eq!(output.status.code(), Some(101), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("\"level\":\"error\"") && text.contains("mismatched types"),
        "{text}"
    );
    assert_eq!(files(&output).len(), 5);
    // A human-format wrapper needs no JSON; SARIF cannot be mixed with cargo's output.
    let output = cargo_ctxlint(ws.path(), &["--with-check", "--message-format=sarif"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn with_check_runs_clippy() {
    let probe = command(&cargo(), Path::new("."))
        .args(["clippy", "--version"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: cargo clippy is not installed");
        return;
    }
    let ws = workspace();
    let target_dir: PathBuf = ws.path().join("target");
    let output = cargo_ctxlint(
        ws.path(),
        &[
            "--with-check=clippy",
            "--workspace",
            "--message-format=json",
            "--target-dir",
            target_dir.to_str().unwrap(),
            "--",
            "-W",
            "clippy::let_underscore_untyped",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("\"reason\":\"compiler-artifact\""), "{text}");
    // Clippy's own lints come through, with the arguments after `--`.
    assert!(text.contains("clippy::let_underscore_untyped"), "{text}");
    assert_eq!(files(&output).len(), 5);
}

#[test]
fn outside_a_cargo_project_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(env!("CARGO_BIN_EXE_cargo-ctxlint"), dir.path())
        .arg("ctxlint")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cargo metadata"), "{}", stderr(&output));
}

#[test]
fn verbose_counts_take_the_singular_for_one() {
    let ws = workspace();
    let out = cargo_ctxlint(ws.path(), &["-v", "-p", "engine-core", "--lib"]);
    let err = stderr(&out);
    assert!(err.contains("ctxlint: 1 package, 1 target, "), "{err}");
}

/// `ctxlint <dir>` (no cargo run) names in JSON the package and edition cargo has for each file:
/// the same package id as `cargo metadata`, the target by cargo's layout.
#[test]
fn directory_mode_json_names_the_enclosing_package() {
    let ws = workspace();
    // A loose script beside the packages: in no package at all.
    std::fs::create_dir(ws.path().join("scripts")).unwrap();
    std::fs::write(
        ws.path().join("scripts/clean-up.rs"),
        "use tokio_util::sync::CancellationToken;\n\n\
         fn main() {\n    let token = CancellationToken::new();\n    \
         let _ = token.clone().drop_guard();\n}\n",
    )
    .unwrap();
    let ids = package_ids(ws.path());
    let output = command(env!("CARGO_BIN_EXE_ctxlint"), ws.path())
        .args(["--message-format", "json", "."])
        .output()
        .unwrap();
    let messages: Vec<Message> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let metadata = MetadataCommand::new()
        .cargo_path(cargo())
        .manifest_path(ws.path().join("Cargo.toml"))
        .no_deps()
        .exec()
        .unwrap();
    let mut checked = 0;
    let mut standalone = 0;
    for message in &messages {
        let Message::CompilerMessage(message) = message else {
            continue;
        };
        let file = &message.message.spans[0].file_name;
        let package = metadata
            .packages
            .iter()
            .filter(|p| {
                ws.path()
                    .join(file)
                    .starts_with(p.manifest_path.parent().unwrap())
            })
            .max_by_key(|p| p.manifest_path.as_str().len());
        let Some(package) = package else {
            // Outside any package: what cargo gives a single-file package (cargo script).
            let path = ws.path().join(file);
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let expected = format!("path+file://{}#{stem}@0.0.0", path.display());
            assert_eq!(message.package_id.repr, expected, "{file}");
            assert_eq!(message.target.src_path, path.to_str().unwrap(), "{file}");
            assert_eq!(message.target.kind, [TargetKind::Bin], "{file}");
            assert_eq!(message.target.edition, Edition::E2024, "{file}");
            standalone += 1;
            continue;
        };
        assert_eq!(message.package_id.repr, id_of(&ids, &package.name), "{file}");
        assert_eq!(message.target.edition, package.edition, "{file}");
        let target = package
            .targets
            .iter()
            .find(|t| t.name == message.target.name && t.kind == message.target.kind)
            .unwrap_or_else(|| panic!("{file}: no target {:?}", message.target));
        assert_eq!(target.src_path, message.target.src_path, "{file}");
        checked += 1;
    }
    assert!(checked >= 2, "{}", stdout(&output));
    assert!(standalone >= 1, "{}", stdout(&output));
    // The file is its own manifest, as for cargo.
    for line in stdout(&output).lines() {
        let message: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = message["package_id"].as_str().unwrap();
        if id.ends_with("@0.0.0") {
            assert_eq!(message["manifest_path"], message["target"]["src_path"], "{line}");
        }
    }
}
