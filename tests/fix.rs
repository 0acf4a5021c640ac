//! `--fix`, `--unsafe-fixes` and `--diff`, run as users run them: what is written, what is left
//! alone, and that every fixture's `.fixed` file is what the real `--fix` path writes.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::SystemTime;

use ctxlint::checker::Checker;
use ctxlint::diagnostic::{Diagnostic, Edit, Fix, Level};
use ctxlint::engine::{self, Report, Settings};
use ctxlint::fix::{self, Action, Mode};
use ctxlint::lints::{self, Hooks, Rule};
use ctxlint::model::catalog::Catalog;
use ctxlint::source::SourceFile;
use support::cli::{FINDING, ctxlint, project, stderr, stdout};
use support::{Fixture, fixtures};

/// A safe fix: `let _` becomes `let _guard`.
const SAFE: &str = FINDING;
const SAFE_FIXED: &str = support::cli::CLEAN;
/// Nothing to fix.
const CLEAN: &str = SAFE_FIXED;
/// Only a MaybeIncorrect fix: call the unused cancel function at the end of the block.
const UNSAFE: &str = "use go_lib::context::{with_cancel, Context};\n\
fn f(parent: &Context) {\n    let (ctx, cancel) = with_cancel(parent);\n    work(&ctx);\n}\n";
const UNSAFE_FIXED: &str = "use go_lib::context::{with_cancel, Context};\n\
fn f(parent: &Context) {\n    let (ctx, cancel) = with_cancel(parent);\n    work(&ctx);\n    cancel.cancel();\n}\n";

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// What changes when a file is written: its bytes, its mtime and (a rename gives a new one) its
/// inode.
#[derive(Debug, PartialEq)]
struct Stamp {
    bytes: Vec<u8>,
    modified: SystemTime,
    inode: u64,
}

fn stamp(path: &Path) -> Stamp {
    let metadata = std::fs::metadata(path).unwrap();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
    #[cfg(not(unix))]
    let inode = 0;
    Stamp {
        bytes: std::fs::read(path).unwrap(),
        modified: metadata.modified().unwrap(),
        inode,
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn fix_applies_safe_fixes_and_leaves_other_files_untouched() {
    let dir = project(&[("safe.rs", SAFE), ("clean.rs", CLEAN), ("unsafe.rs", UNSAFE)]);
    let clean = stamp(&dir.path().join("clean.rs"));
    let unsafe_only = stamp(&dir.path().join("unsafe.rs"));

    let out = ctxlint(dir.path(), &["--fix", "--message-format", "short"]);
    assert_eq!(read(dir.path(), "safe.rs"), SAFE_FIXED);
    assert_eq!(
        stamp(&dir.path().join("clean.rs")),
        clean,
        "a clean file is not touched"
    );
    assert_eq!(
        stamp(&dir.path().join("unsafe.rs")),
        unsafe_only,
        "an unsafe fix waits for --unsafe-fixes"
    );
    // What remains is reported as usual.
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert_eq!(report.lines().count(), 1, "{report}");
    assert!(
        report.starts_with("unsafe.rs:3:15: warning[ctxlint::dropped_cancel_guard]"),
        "{report}"
    );
    assert_eq!(
        stderr(&out),
        "fixed 1 finding in 1 file (1 more needs --unsafe-fixes)\n"
    );

    let out = ctxlint(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(read(dir.path(), "unsafe.rs"), UNSAFE_FIXED);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "fixed 1 finding in 1 file\n");

    // Once fixed, a second run changes nothing and says nothing.
    let before: Vec<Stamp> = ["safe.rs", "clean.rs", "unsafe.rs"]
        .iter()
        .map(|name| stamp(&dir.path().join(name)))
        .collect();
    let out = ctxlint(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
    let after: Vec<Stamp> = ["safe.rs", "clean.rs", "unsafe.rs"]
        .iter()
        .map(|name| stamp(&dir.path().join(name)))
        .collect();
    assert_eq!(before, after);
    assert_eq!(entries(dir.path()), ["clean.rs", "safe.rs", "unsafe.rs"]);
}

#[test]
fn a_file_named_twice_is_fixed_once() {
    let dir = project(&[("safe.rs", SAFE)]);
    let out = ctxlint(dir.path(), &["--fix", "safe.rs", "./safe.rs", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stderr(&out), "fixed 1 finding in 1 file\n");
    assert_eq!(read(dir.path(), "safe.rs"), SAFE_FIXED);
}

#[test]
fn a_module_wide_fix_counts_every_finding_it_resolves() {
    // Every finding carries the same fix: one key constant per string, used by every call.
    let text = "use goish::prelude::*;\n\
fn f(parent: context::Context) {\n    let c = context::WithValue(parent, \"user\", 1);\n    let v = c.Value(\"user\");\n    let w = c.Value(\"role\");\n}\n";
    let dir = project(&[("keys.rs", text)]);
    let out = ctxlint(dir.path(), &["--fix", "--unsafe-fixes", "keys.rs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stderr(&out), "fixed 3 findings in 1 file\n");
    assert_eq!(read(dir.path(), "keys.rs").matches("const ").count(), 2);
}

#[test]
fn overlapping_fixes_are_applied_in_later_rounds() {
    // Both fixes insert after `work(&b);`: one round applies the first, the next the second.
    let text = "use go_lib::context::{with_cancel, Context};\n\
fn f(parent: &Context) {\n    let (a, cancel) = with_cancel(parent);\n    let (b, stop) = with_cancel(parent);\n    work(&a);\n    work(&b);\n}\n";
    let dir = project(&[("two.rs", text)]);
    let out = ctxlint(dir.path(), &["--fix", "--unsafe-fixes", "two.rs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stderr(&out), "fixed 2 findings in 1 file\n");
    let fixed = read(dir.path(), "two.rs");
    assert!(
        fixed.ends_with("    work(&b);\n    cancel.cancel();\n    stop.cancel();\n}\n"),
        "{fixed}"
    );
}

#[test]
fn crlf_a_bom_and_a_shebang_survive() {
    let text = "\u{feff}#!/usr/bin/env run-cargo-script\r\n\
use stop_token::StopSource;\r\n\
use tokio_util::sync::CancellationToken;\r\n\
fn f(token: CancellationToken) {\r\n    let _ = token.drop_guard();\r\n    let t = StopSource::new().token();\r\n    spawn(t);\r\n}\r\n";
    let expected = "\u{feff}#!/usr/bin/env run-cargo-script\r\n\
use stop_token::StopSource;\r\n\
use tokio_util::sync::CancellationToken;\r\n\
fn f(token: CancellationToken) {\r\n    let _guard = token.drop_guard();\r\n    let guard = StopSource::new();\r\n    let t = guard.token();\r\n    spawn(t);\r\n}\r\n";
    let dir = project(&[("crlf.rs", text)]);
    let diff = ctxlint(dir.path(), &["--diff", "--unsafe-fixes", "crlf.rs"]);
    assert_eq!(diff.status.code(), Some(1));
    assert_eq!(read(dir.path(), "crlf.rs"), text, "--diff writes nothing");
    assert!(
        stdout(&diff).contains("+    let guard = StopSource::new();\r\n"),
        "{}",
        stdout(&diff)
    );
    let out = ctxlint(dir.path(), &["--fix", "--unsafe-fixes", "crlf.rs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(read(dir.path(), "crlf.rs"), expected);
}

#[test]
fn read_only_files_are_reported_and_left_as_they_were() {
    let dir = project(&[("safe.rs", SAFE)]);
    let path = dir.path().join("safe.rs");
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).unwrap();
    let before = stamp(&path);

    let out = ctxlint(dir.path(), &["--fix", "--message-format", "short", "safe.rs"]);
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(
        report.contains(
            "safe.rs:1:1: error[ctxlint::io_error]: could not write the fixes to this file: it is read-only"
        ),
        "{report}"
    );
    assert!(
        report.contains("safe.rs:3:9: warning[ctxlint::dropped_cancel_guard]"),
        "{report}"
    );
    assert_eq!(stamp(&path), before);
    assert_eq!(
        entries(dir.path()),
        ["safe.rs"],
        "no temporary file is left behind"
    );

    // --diff still shows what the fix would be.
    let diff = ctxlint(dir.path(), &["--diff", "safe.rs"]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(stdout(&diff).contains("+    let _guard = token.drop_guard();"));
    assert_eq!(stamp(&path), before);
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let dir = project(&[("safe.rs", SAFE), ("clean.rs", CLEAN), ("unsafe.rs", UNSAFE)]);
    let stamps = |dir: &Path| -> Vec<Stamp> {
        ["safe.rs", "clean.rs", "unsafe.rs"]
            .iter()
            .map(|name| stamp(&dir.join(name)))
            .collect()
    };
    let before = stamps(dir.path());

    let out = ctxlint(dir.path(), &["--diff"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "--- a/safe.rs\n+++ b/safe.rs\n@@ -1,4 +1,4 @@\n use tokio_util::sync::CancellationToken;\n \
fn f(token: CancellationToken) {\n-    let _ = token.drop_guard();\n+    let _guard = token.drop_guard();\n }\n"
    );
    assert_eq!(
        stderr(&out),
        "would fix 1 finding in 1 file (1 more needs --unsafe-fixes)\n"
    );

    let out = ctxlint(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = stdout(&out);
    assert!(
        diff.contains("--- a/safe.rs\n") && diff.contains("--- a/unsafe.rs\n"),
        "{diff}"
    );
    assert!(diff.contains("\n+    cancel.cancel();\n"), "{diff}");
    assert_eq!(stderr(&out), "would fix 2 findings in 2 files\n");
    assert_eq!(stamps(dir.path()), before);

    // Nothing to fix: no diff, exit 0, even with findings whose fix is not applied.
    let out = ctxlint(dir.path(), &["--diff", "clean.rs", "unsafe.rs"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "1 finding needs --unsafe-fixes; none has a safe fix\n"
    );
    assert_eq!(stamps(dir.path()), before);

    // Input that cannot be fixed because it does not parse is shown on stderr; it fails only
    // when `parse_error` is denied.
    std::fs::write(
        dir.path().join("broken.rs"),
        "use tokio_util::sync::CancellationToken;\nfn (\n",
    )
    .unwrap();
    let out = ctxlint(dir.path(), &["--diff", "clean.rs", "broken.rs"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("warning[ctxlint::parse_error]"),
        "{}",
        stderr(&out)
    );
    let out = ctxlint(dir.path(), &["--diff", "-D", "parse_error", "broken.rs"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error[ctxlint::parse_error]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unsafe_fixes_need_fix_or_diff() {
    let dir = project(&[("safe.rs", SAFE)]);
    let before = stamp(&dir.path().join("safe.rs"));
    for args in [
        &["--unsafe-fixes", "safe.rs"][..],
        &["--fix", "--diff", "safe.rs"][..],
    ] {
        let out = ctxlint(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(stamp(&dir.path().join("safe.rs")), before);
}

#[cfg(unix)]
#[test]
fn fixing_through_a_symlink_keeps_the_link_and_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("real.rs", SAFE)]);
    let real = dir.path().join("real.rs");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o750)).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("link.rs")).unwrap();
    let out = ctxlint(dir.path(), &["--fix", "link.rs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.rs"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(dir.path(), "real.rs"), SAFE_FIXED);
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o750
    );
}

/// A lint that exists only in this test: its fix turns `let` into `let let`, which does not
/// parse. A test-only lint cannot be triggered by users (it is not in the binary's registry),
/// unlike a flag or an environment variable, and it keeps working once every real fix is
/// correct, unlike a fixture that relies on a fix bug.
static BREAKS_ITS_FIX: Rule = Rule {
    name: "breaks_its_fix",
    summary: "test only",
    docs: "",
    default_level: Level::Warn,
    group: None,
    hooks: Hooks {
        on_stmt: Some(break_let),
        ..Hooks::NONE
    },
};

fn break_let(checker: &Checker, stmt: &syn::Stmt) {
    let syn::Stmt::Local(local) = stmt else {
        return;
    };
    let span = checker.span_of(local.let_token.span);
    checker.report(Diagnostic::new("breaks_its_fix", span, "test finding").with_fix(
        Fix::machine_applicable("break it", vec![Edit::replace(span, "let let")]),
    ));
}

#[test]
fn a_fix_that_would_not_parse_leaves_the_file_as_it_was() {
    // The same path the CLI takes after linting (`fix::run` calls `fix::fix_files` with the
    // enabled lints), with the test-only lint beside a real one whose fix is fine.
    let rules = [&BREAKS_ITS_FIX, lints::by_name("dropped_cancel_guard").unwrap()];
    let settings = Settings::new(Catalog::build(&Catalog::builtin_specs()).unwrap());
    for action in [Action::Write, Action::Diff] {
        let dir = project(&[("safe.rs", SAFE)]);
        let path = dir.path().join("safe.rs");
        let before = stamp(&path);
        let source = SourceFile::new(&path, "safe.rs", SAFE.to_string());
        let mut report = Report {
            files: vec![engine::lint_source(source, &settings, &rules)],
            files_seen: 1,
            files_parsed: 1,
            linted: vec![path.clone()],
        };
        assert_eq!(report.diagnostic_count(), 2);
        let summary = fix::fix_files(&mut report, &settings, &rules, Mode::Safe, action);
        assert_eq!(summary.applied, 0);
        assert!(summary.diffs.is_empty());
        assert_eq!(stamp(&path), before);
        assert_eq!(entries(dir.path()), ["safe.rs"]);
        // The findings are reported against the file as it is, with an internal error naming
        // the lint whose fix broke it (not the other one).
        let file = &report.files[0];
        assert_eq!(file.source.text, SAFE);
        let rules: Vec<&str> = file.diagnostics.iter().map(|d| d.rule).collect();
        assert_eq!(
            rules,
            ["breaks_its_fix", "internal_error", "dropped_cancel_guard"]
        );
        let error = &file.diagnostics[1];
        assert_eq!(
            error.message,
            "the fixes of `ctxlint::breaks_its_fix` would leave this file unparsable, so it was not fixed"
        );
        assert_eq!(error.span, file.diagnostics[0].span);
    }
}

/// A copy of a fixture in a directory of its own, with its config as `ctxlint.toml`.
fn copy_fixture(fixture: &support::Fixture) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(fixture.path.file_name().unwrap());
    std::fs::copy(&fixture.path, &path).unwrap();
    if let Some(config) = fixture.config() {
        std::fs::copy(config, dir.path().join("ctxlint.toml")).unwrap();
    }
    (dir, path)
}

fn run_fix(dir: &Path, path: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--fix", "--message-format", "short"];
    all.extend(args);
    all.push(path.to_str().unwrap());
    let out = ctxlint(dir, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1))
            && !stdout(&out).contains("[ctxlint::internal_error]")
            && !stdout(&out).contains("[ctxlint::io_error]"),
        "{}: {all:?}:\n{}{}",
        path.display(),
        stdout(&out),
        stderr(&out)
    );
    out
}

/// `[rules]` of a fixture's `.toml` config, if it has one.
fn fixture_rule_levels(fixture: &Fixture) -> Vec<(String, String)> {
    let Some(path) = fixture.config() else {
        return Vec::new();
    };
    let config: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let Some(rules) = config.get("rules").and_then(|r| r.as_table()) else {
        return Vec::new();
    };
    rules
        .iter()
        .map(|(rule, level)| (rule.clone(), level.as_str().unwrap_or("warn").to_string()))
        .collect()
}

/// Every lint's `.fixed` files, as `--fix` (or `--fix --unsafe-fixes` for `//@ fix: unsafe`
/// fixtures) writes them with only that lint enabled; and a second `--fix --unsafe-fixes` with
/// every lint after a first one changes nothing.
#[test]
fn fixed_files_are_what_fix_writes() {
    let fixtures = fixtures();
    assert!(!fixtures.is_empty());
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let name = fixture.name();
        let (dir, path) = copy_fixture(fixture);
        let mut args: Vec<String> = ["-A", "warnings", "-W", &fixture.lint].map(String::from).to_vec();
        // Levels the fixture's config sets for other rules (suppression fixtures need the rules
        // they suppress), as the UI harness applies them.
        for (rule, level) in fixture_rule_levels(fixture) {
            let flag = match level.as_str() {
                "allow" => "-A",
                "deny" => "-D",
                _ => "-W",
            };
            args.extend([flag.to_string(), rule]);
        }
        if fixture.unsafe_fixes {
            args.push("--unsafe-fixes".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = stamp(&path);
        run_fix(dir.path(), &path, &args);
        match std::fs::read_to_string(fixture.sibling("fixed")) {
            Ok(expected) if std::fs::read_to_string(&path).unwrap() != expected => {
                failures.push(format!("{name}: --fix does not write the .fixed file"))
            }
            Ok(_) => {}
            Err(_) if stamp(&path) != before => {
                failures.push(format!("{name}: no .fixed file, but --fix touched the file"))
            }
            Err(_) => {}
        }

        run_fix(dir.path(), &path, &["--unsafe-fixes"]);
        let first = stamp(&path);
        // As well as the fixture did (some fixtures hold an item syn cannot read on purpose).
        let unreadable = |text: &str| {
            let source = SourceFile::new("f.rs", "f.rs", text.to_string());
            ctxlint::parse::parse(source.code(), None).map(|parsed| parsed.unreadable.len())
        };
        let written = unreadable(std::str::from_utf8(&first.bytes).unwrap());
        if written.is_err() || written.ok() > unreadable(&fixture.text).ok() {
            failures.push(format!(
                "{name}: the text --fix --unsafe-fixes wrote does not parse"
            ));
        }
        run_fix(dir.path(), &path, &["--unsafe-fixes"]);
        if stamp(&path) != first {
            failures.push(format!("{name}: a second --fix --unsafe-fixes changed the file"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `git apply` takes the diff as printed (paths with `a/` and `b/`), from the repository's root
/// and for files in subdirectories.
#[test]
fn git_apply_takes_the_diff() {
    let dir = project(&[("safe.rs", SAFE), ("src/nested/safe.rs", SAFE)]);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    };
    git(&["init", "-q"]);
    let out = ctxlint(dir.path(), &["--diff", "."]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(dir.path().join("fix.patch"), stdout(&out)).unwrap();
    git(&["apply", "--check", "fix.patch"]);
    git(&["apply", "fix.patch"]);
    assert_eq!(
        read(dir.path(), "src/nested/safe.rs"),
        read(dir.path(), "safe.rs")
    );
    assert!(read(dir.path(), "safe.rs").contains("let _guard = token.drop_guard();"));
}

/// `kill -9` during `--fix` can leave a temporary file: the next `--fix` writing in that
/// directory removes ours once they are old, and nothing else.
#[test]
fn temporary_files_a_killed_run_left_are_removed_by_the_next_fix() {
    let old = SystemTime::now() - std::time::Duration::from_secs(3600);
    let dir = project(&[
        ("safe.rs", SAFE),
        (".ctxlint-a1B2c3.tmp", "left by a killed run"),
        (".ctxlint-d4E5f6.tmp", "being written by another run"),
        (".ctxlint-notes.tmp.bak", "not ours"),
        (".ctxlint-g7H8i9.tmp.keep", "not ours either"),
    ]);
    for name in [
        ".ctxlint-a1B2c3.tmp",
        ".ctxlint-notes.tmp.bak",
        ".ctxlint-g7H8i9.tmp.keep",
    ] {
        let file = std::fs::File::options()
            .write(true)
            .open(dir.path().join(name))
            .unwrap();
        file.set_modified(old).unwrap();
    }
    let out = ctxlint(dir.path(), &["--fix", "safe.rs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        entries(dir.path()),
        [
            ".ctxlint-d4E5f6.tmp",
            ".ctxlint-g7H8i9.tmp.keep",
            ".ctxlint-notes.tmp.bak",
            "safe.rs"
        ]
    );
}
