//! Configuration discovery, its keys, and its errors (exit code 2, naming the file and the key).

mod support;

use support::cli::{FINDING, ctxlint, project, short_findings, stderr};

const DENY: &str = "[rules]\ndropped_cancel_guard = \"deny\"\n";

fn codes(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--message-format", "short"];
    all.extend(args);
    let output = ctxlint(dir, &all);
    support::cli::stdout(&output)
        .lines()
        .map(|l| l.split(": ").nth(1).unwrap().to_string())
        .collect()
}

#[test]
fn discovery_walks_up_and_the_nearest_wins() {
    for name in ["ctxlint.toml", ".ctxlint.toml"] {
        let dir = project(&[(name, DENY), ("a/b/lib.rs", FINDING)]);
        // Found from the linted path, walking up.
        assert_eq!(
            codes(dir.path(), &["a/b"]),
            ["error[ctxlint::dropped_cancel_guard]"],
            "{name}"
        );
        assert_eq!(
            codes(&dir.path().join("a/b"), &[]),
            ["error[ctxlint::dropped_cancel_guard]"]
        );
    }
    // The nearest configuration wins, whole (no merging).
    let dir = project(&[
        ("ctxlint.toml", DENY),
        ("a/ctxlint.toml", "[rules]\n"),
        ("a/lib.rs", FINDING),
    ]);
    assert_eq!(
        codes(dir.path(), &["a"]),
        ["warning[ctxlint::dropped_cancel_guard]"]
    );
}

/// One run looks at each directory once: a directory without configuration, seen first,
/// does not hide a sibling's or a nested one's.
#[test]
fn a_directory_without_configuration_hides_no_other() {
    let dir = project(&[
        ("b/lib.rs", FINDING),
        ("c/ctxlint.toml", DENY),
        ("c/lib.rs", FINDING),
        ("c/d/lib.rs", FINDING),
        ("c/d/e/lib.rs", FINDING),
    ]);
    assert_eq!(
        codes(dir.path(), &[]),
        [
            "warning[ctxlint::dropped_cancel_guard]",
            "error[ctxlint::dropped_cancel_guard]",
            "error[ctxlint::dropped_cancel_guard]",
            "error[ctxlint::dropped_cancel_guard]",
        ]
    );
}

#[test]
fn cargo_manifest_metadata() {
    for (manifest, section) in [
        ("[workspace]\nmembers = []\n", "workspace"),
        ("[package]\nname = \"p\"\nversion = \"0.1.0\"\n", "package"),
    ] {
        let text =
            format!("{manifest}\n[{section}.metadata.ctxlint.rules]\ndropped_cancel_guard = \"deny\"\n");
        let dir = project(&[("Cargo.toml", &text), ("src/lib.rs", FINDING)]);
        assert_eq!(
            codes(dir.path(), &["src"]),
            ["error[ctxlint::dropped_cancel_guard]"],
            "{section}"
        );
        // A ctxlint.toml nearer to the code wins over the manifest.
        std::fs::write(
            dir.path().join("src/ctxlint.toml"),
            "[rules]\ndropped_cancel_guard = \"allow\"\n",
        )
        .unwrap();
        assert_eq!(codes(dir.path(), &["src"]), Vec::<String>::new());
        // Errors name the manifest and the section.
        let bad = format!("{manifest}\n[{section}.metadata.ctxlint]\nrulez = {{}}\n");
        let dir = project(&[("Cargo.toml", &bad), ("src/lib.rs", FINDING)]);
        let output = ctxlint(dir.path(), &["src"]);
        assert_eq!(output.status.code(), Some(2));
        let err = stderr(&output);
        assert!(
            err.contains("Cargo.toml")
                && err.contains(&format!("[{section}.metadata.ctxlint]"))
                && err.contains("rulez"),
            "{err}"
        );
    }
}

#[test]
fn errors_name_the_file_and_the_key() {
    for (text, key) in [
        ("colour = true\n", "colour"),
        ("[rules]\nno_such_rule = \"deny\"\n", "no_such_rule"),
        ("[rules]\ndropped_cancel_guard = \"forbid\"\n", "forbid"),
        (
            "[per_path_ignores]\n\"tests/\" = [\"no_such_rule\"]\n",
            "no_such_rule",
        ),
        ("exclude = \"generated\"\n", "exclude"),
    ] {
        let dir = project(&[("ctxlint.toml", text), ("lib.rs", FINDING)]);
        let output = ctxlint(dir.path(), &[]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(output.stdout.is_empty());
        let err = stderr(&output);
        assert!(err.contains("ctxlint.toml") && err.contains(key), "{text}: {err}");
    }
}

#[test]
fn exclude_leaves_paths_out() {
    let dir = project(&[
        (
            "ctxlint.toml",
            "exclude = [\"generated/\", \"/src/legacy_*.rs\", \"!generated/keep.rs\"]\n",
        ),
        ("src/lib.rs", FINDING),
        ("src/legacy_io.rs", FINDING),
        ("src/nested/legacy_io.rs", FINDING),
        ("generated/out.rs", FINDING),
        ("generated/keep.rs", FINDING),
    ]);
    let files: Vec<String> = short_findings(&ctxlint(dir.path(), &["--message-format", "short"]))
        .into_iter()
        .map(|(file, _, _)| file)
        .collect();
    assert_eq!(
        files,
        ["generated/keep.rs", "src/lib.rs", "src/nested/legacy_io.rs"]
    );
    // Files named on the command line are excluded too (pre-commit passes file names).
    let output = ctxlint(dir.path(), &["generated/out.rs", "src/legacy_io.rs"]);
    assert_eq!(output.status.code(), Some(0));
    // Patterns are relative to the configuration's directory, wherever ctxlint runs.
    let output = ctxlint(&dir.path().join("src"), &["--message-format", "short", "."]);
    let files: Vec<String> = short_findings(&output).into_iter().map(|(f, _, _)| f).collect();
    assert_eq!(files, ["lib.rs", "nested/legacy_io.rs"]);
}

#[test]
fn per_path_ignores_turn_rules_off() {
    let dir = project(&[
        (
            "ctxlint.toml",
            "[per_path_ignores]\n\"tests/\" = [\"dropped_cancel_guard\"]\n\"*_bench.rs\" = [\"ctxlint::dropped_cancel_guard\"]\n",
        ),
        ("src/lib.rs", FINDING),
        ("src/speed_bench.rs", FINDING),
        ("tests/it.rs", FINDING),
        // Suppressions of a rule that is off are not judged.
        (
            "tests/suppressed.rs",
            "// ctxlint: allow-file(dropped_cancel_guard)\nfn f() {}\n",
        ),
    ]);
    let files: Vec<String> = short_findings(&ctxlint(dir.path(), &["--message-format", "short"]))
        .into_iter()
        .map(|(file, _, _)| file)
        .collect();
    assert_eq!(files, ["src/lib.rs"]);
}

/// A top-level key after a table header belongs to that table in TOML; the error says so.
#[test]
fn a_top_level_key_inside_a_table_is_explained() {
    let text = "[rules]\ndropped_cancel_guard = \"deny\"\nexclude = [\"generated/\"]\n";
    let dir = project(&[("ctxlint.toml", text), ("lib.rs", FINDING)]);
    let output = ctxlint(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`exclude` is inside [rules]: top-level keys go before the first table"),
        "{}",
        stderr(&output)
    );
    let manifest =
        "[workspace]\n[workspace.metadata.ctxlint.per_path_ignores]\n\"tests/\" = []\nexclude = []\n";
    let dir = project(&[("Cargo.toml", manifest), ("lib.rs", FINDING)]);
    let output = ctxlint(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`exclude` is inside [workspace.metadata.ctxlint.per_path_ignores]"),
        "{}",
        stderr(&output)
    );
}

/// A member's configuration that does not load fails the run, even when the run started at the
/// workspace root (whose own configuration is fine).
#[test]
fn a_broken_package_config_is_an_error() {
    let dir = project(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"m\"]\n"),
        (
            "m/Cargo.toml",
            "[package]\nname = \"m\"\nversion = \"0.1.0\"\n\n[package.metadata.ctxlint]\nnope = 1\n",
        ),
        ("m/src/lib.rs", FINDING),
    ]);
    let output = ctxlint(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("m/Cargo.toml"), "{}", stderr(&output));
    assert!(stderr(&output).contains("nope"), "{}", stderr(&output));
}

/// A package the workspace excludes keeps its own configuration alone.
#[test]
fn an_excluded_package_is_not_layered() {
    let dir = project(&[
        (
            "Cargo.toml",
            "[workspace]\nexclude = [\"vendor/x\"]\n\n[workspace.metadata.ctxlint.rules]\ndropped_cancel_guard = \"deny\"\n",
        ),
        (
            "vendor/x/Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.ctxlint]\nexclude = []\n",
        ),
        ("vendor/x/src/lib.rs", FINDING),
        (
            "vendor/y/Cargo.toml",
            "[package]\nname = \"y\"\nversion = \"0.1.0\"\n\n[package.metadata.ctxlint]\nexclude = []\n",
        ),
        ("vendor/y/src/lib.rs", FINDING),
    ]);
    assert_eq!(
        codes(dir.path(), &["vendor/x", "vendor/y"]),
        [
            "warning[ctxlint::dropped_cancel_guard]",
            "error[ctxlint::dropped_cancel_guard]"
        ]
    );
}
