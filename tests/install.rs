//! What the README promises about installing and running ctxlint in CI, checked against the
//! manifest it describes.

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// The README's section under `## <title>`.
fn section(readme: &str, title: &str) -> String {
    let start = readme
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no section {title}"));
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

#[test]
fn install_section_gives_a_locked_install_and_the_minimum_rust() {
    let readme = read("README.md");
    let install = section(&readme, "Install");
    assert!(install.contains("cargo install --locked --path ."), "{install}");
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let package = &manifest["package"];
    let rust_version = package["rust-version"].as_str().unwrap();
    let edition = package["edition"].as_str().unwrap();
    assert!(install.contains(&format!("Rust {rust_version}")), "{install}");
    assert!(install.contains(&format!("edition {edition}")), "{install}");
    assert!(install.contains("cargo +stable ctxlint"), "{install}");
    assert!(!install.contains("BINARY_SIZE"), "{install}");
}

/// Release binaries are lean, and panics still unwind (the engine catches a panic per file).
#[test]
fn release_profile_is_lean_and_unwinds() {
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let release = &manifest["profile"]["release"];
    assert!(
        matches!(release.get("strip"), Some(toml::Value::Boolean(true)))
            || matches!(
                release.get("strip").and_then(|s| s.as_str()),
                Some("symbols" | "debuginfo")
            ),
        "{release:?}"
    );
    assert_ne!(release.get("panic").and_then(|p| p.as_str()), Some("abort"));
    assert!(
        release
            .get("debug")
            .is_none_or(|d| matches!(d, toml::Value::Boolean(false)))
    );
}

/// The CI workflow can be used as written: no placeholder to edit, the install cached on the
/// ctxlint revision.
#[test]
fn ci_snippet_works_as_written_and_caches_the_install() {
    let readme = read("README.md");
    let ci = section(&readme, "CI: GitHub Actions");
    let yaml = ci
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    assert!(!yaml.contains('<'), "a placeholder in:\n{yaml}");
    assert!(yaml.contains("actions/cache@"), "{yaml}");
    assert!(yaml.contains("~/.cargo/bin/ctxlint") && yaml.contains("~/.cargo/bin/cargo-ctxlint"));
    assert!(
        yaml.contains("key: ctxlint-${{ runner.os }}-${{ vars.CTXLINT_REV }}"),
        "{yaml}"
    );
    assert!(
        yaml.contains("if: steps.cache.outputs.cache-hit != 'true'")
            && yaml.contains("cargo install --locked --git \"$CTXLINT_GIT\" --rev \"$CTXLINT_REV\" ctxlint"),
        "{yaml}"
    );
}
