//! Every applied fix compiles: `testdata/fix_compiles` (a crate with findings of every rule,
//! built against the real tokio, tokio-util, opentelemetry and the catalog crates whose APIs
//! the fixes call) passes `cargo check` before and after `ctxlint --fix --unsafe-fixes`.
//!
//! It needs the crates.io registry and builds those crates once (into `target/fix-compiles`,
//! shared between runs), so it is ignored by a plain `cargo test`; `.ci/run` runs it with
//! `cargo test --test fix_compiles -- --ignored`.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::cli::{command, copy_dir, ctxlint, stderr, stdout};

fn cargo_check(dir: &Path) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fix-compiles");
    command(&cargo, dir)
        .args([
            "check",
            "--locked",
            "--quiet",
            "--message-format",
            "short",
            "--target-dir",
        ])
        .arg(target)
        .output()
        .expect("run cargo check")
}

#[test]
#[ignore = "needs the crates.io registry; .ci/run runs it"]
fn unsafe_fixes_compile() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fix_compiles"),
        dir.path(),
    );
    let before = cargo_check(dir.path());
    assert!(
        before.status.success(),
        "the crate compiles as written:\n{}",
        stderr(&before)
    );

    // Findings of every rule, pedantic ones included (parse errors aside: the crate compiles).
    let output = ctxlint(
        dir.path(),
        &["-W", "pedantic", "--message-format", "short", "src"],
    );
    let rules: BTreeSet<String> = stdout(&output)
        .lines()
        .filter_map(|line| {
            line.split("[ctxlint::")
                .nth(1)?
                .split(']')
                .next()
                .map(String::from)
        })
        .collect();
    for rule in ctxlint::lints::ALL {
        if rule.name != "parse_error" {
            assert!(
                rules.contains(rule.name),
                "no `{}` finding in the crate: {rules:?}",
                rule.name
            );
        }
    }

    let fixed = ctxlint(dir.path(), &["-W", "pedantic", "--fix", "--unsafe-fixes", "src"]);
    assert!(stderr(&fixed).contains("fixed"), "{}", stderr(&fixed));
    let after = cargo_check(dir.path());
    assert!(
        after.status.success(),
        "the fixed crate does not compile:\n{}",
        stderr(&after)
    );
    // The fixes did their work: what remains needs editing by hand.
    let output = ctxlint(dir.path(), &["-W", "pedantic", "--diff", "--unsafe-fixes", "src"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}
