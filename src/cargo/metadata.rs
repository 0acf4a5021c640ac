//! `cargo metadata --no-deps`: the workspace's members, their targets and package ids, and
//! which of them a command line selects (`-p`/`--workspace`/`--exclude`, target flags).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Metadata {
    pub packages: Vec<Package>,
    pub workspace_members: Vec<String>,
    #[serde(default)]
    pub workspace_default_members: Option<Vec<String>>,
    pub workspace_root: PathBuf,
}

#[derive(Debug, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub id: String,
    pub manifest_path: PathBuf,
    pub targets: Vec<Target>,
}

/// A cargo target, as `cargo metadata` describes it and cargo's JSON messages repeat it.
#[derive(Clone, Debug, Deserialize)]
pub struct Target {
    pub name: String,
    pub kind: Vec<String>,
    #[serde(default)]
    pub crate_types: Vec<String>,
    pub src_path: PathBuf,
    #[serde(default = "default_edition")]
    pub edition: String,
    #[serde(default = "yes")]
    pub doc: bool,
    #[serde(default = "yes")]
    pub doctest: bool,
    #[serde(default = "yes")]
    pub test: bool,
}

fn default_edition() -> String {
    "2015".into()
}

fn yes() -> bool {
    true
}

const LIB_KINDS: [&str; 6] = ["lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"];

impl Target {
    pub fn is_lib(&self) -> bool {
        self.kind.iter().any(|k| LIB_KINDS.contains(&k.as_str()))
    }

    fn is(&self, kind: &str) -> bool {
        self.kind.iter().any(|k| k == kind)
    }

    /// The order targets claim files shared between them: libraries, binaries, examples,
    /// tests, benches, build scripts.
    pub fn rank(&self) -> usize {
        if self.is_lib() {
            0
        } else if self.is("bin") {
            1
        } else if self.is("example") {
            2
        } else if self.is("test") {
            3
        } else if self.is("bench") {
            4
        } else {
            5
        }
    }
}

/// Runs `$CARGO metadata --no-deps --format-version 1` with the flags that matter to it.
pub fn load(cargo: &OsString, extra: &[OsString]) -> Result<Metadata, String> {
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .args(extra)
        .output()
        .map_err(|e| format!("cannot run `{} metadata`: {e}", cargo.to_string_lossy()))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata` failed:\n{}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cannot read `cargo metadata`'s output: {e}"))
}

/// How packages are chosen, as cargo does.
pub struct PackageSelection<'a> {
    pub specs: &'a [String],
    pub workspace: bool,
    pub exclude: &'a [String],
    /// `--manifest-path`, if given.
    pub manifest_path: Option<&'a Path>,
}

impl Metadata {
    fn members(&self) -> impl Iterator<Item = &Package> {
        self.packages
            .iter()
            .filter(|p| self.workspace_members.contains(&p.id))
    }

    /// The selected workspace members, in `cargo metadata`'s order.
    pub fn select(&self, selection: &PackageSelection) -> Result<Vec<&Package>, String> {
        if selection.workspace {
            return Ok(self
                .members()
                .filter(|p| !selection.exclude.iter().any(|spec| spec_matches(spec, p)))
                .collect());
        }
        if !selection.specs.is_empty() {
            for spec in selection.specs {
                if !self.members().any(|p| spec_matches(spec, p)) {
                    return Err(format!(
                        "package ID specification `{spec}` did not match any workspace member"
                    ));
                }
            }
            return Ok(self
                .members()
                .filter(|p| selection.specs.iter().any(|spec| spec_matches(spec, p)))
                .collect());
        }
        // No selection: the package of the manifest in use, else the default members.
        let manifest = match selection.manifest_path {
            Some(path) => Some(path.to_path_buf()),
            None => nearest_manifest(&std::env::current_dir().unwrap_or_default()),
        };
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        };
        if let Some(manifest) = &manifest
            && let Some(package) = self.members().find(|p| same(&p.manifest_path, manifest))
        {
            return Ok(vec![package]);
        }
        Ok(match &self.workspace_default_members {
            Some(ids) => self.members().filter(|p| ids.contains(&p.id)).collect(),
            None => self.members().collect(),
        })
    }
}

fn nearest_manifest(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|path| path.is_file())
}

/// Whether a package ID specification names `package`: `name`, `name@version`,
/// `name:version` (with `*`/`?` globs in the name), or a URL form such as
/// `path+file:///abs/crate#0.1.0` or `file:///abs/dir#name@0.1.0` (what rust-analyzer passes).
pub fn spec_matches(spec: &str, package: &Package) -> bool {
    if spec == package.id {
        return true;
    }
    if spec.contains("://") {
        let (url, fragment) = match spec.split_once('#') {
            Some((url, fragment)) => (url, Some(fragment)),
            None => (spec, None),
        };
        if normalize_url(url) != normalize_url(package_url(package)) {
            return false;
        }
        return match fragment {
            None => true,
            Some(fragment) => {
                let (name, version) = split_name_version(fragment);
                let is_version = name.starts_with(|c: char| c.is_ascii_digit());
                if is_version && version.is_none() {
                    version_matches(name, &package.version)
                } else {
                    name == package.name && version.is_none_or(|v| version_matches(v, &package.version))
                }
            }
        };
    }
    let (name, version) = split_name_version(spec);
    glob_matches(name, &package.name) && version.is_none_or(|v| version_matches(v, &package.version))
}

fn split_name_version(text: &str) -> (&str, Option<&str>) {
    match text.split_once('@').or_else(|| text.split_once(':')) {
        Some((name, version)) => (name, Some(version)),
        None => (text, None),
    }
}

/// The URL part of a package id: `path+file:///a/b#0.1.0` (cargo ≥ 1.77) or
/// `name 0.1.0 (path+file:///a/b)` (older cargo).
fn package_url(package: &Package) -> &str {
    if let Some(inner) = package.id.strip_suffix(')').and_then(|s| s.rsplit_once(" (")) {
        return inner.1;
    }
    package.id.split('#').next().unwrap_or(&package.id)
}

fn normalize_url(url: &str) -> String {
    let url = url.strip_prefix("path+").unwrap_or(url);
    percent_decode(url.trim_end_matches('/'))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `1.2` matches `1.2.x`, as cargo's partial versions do.
fn version_matches(spec: &str, version: &str) -> bool {
    version == spec || version.starts_with(&format!("{spec}."))
}

/// `*` and `?` wildcards, as cargo accepts in `-p`, `--exclude` and `--bin`.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Which targets of the selected packages to lint (no flag: all of them).
#[derive(Debug, Default)]
pub struct TargetSelection {
    pub lib: bool,
    pub bins: bool,
    pub bin: Vec<String>,
    pub examples: bool,
    pub example: Vec<String>,
    pub tests: bool,
    pub test: Vec<String>,
    pub benches: bool,
    pub bench: Vec<String>,
    pub all_targets: bool,
}

impl TargetSelection {
    fn is_default(&self) -> bool {
        !(self.lib
            || self.bins
            || self.examples
            || self.tests
            || self.benches
            || !self.bin.is_empty()
            || !self.example.is_empty()
            || !self.test.is_empty()
            || !self.bench.is_empty())
    }

    /// Fails as cargo does when a target flag selects nothing: a named target none of the
    /// packages has, or `--lib` where no package has a library. `specs` are the `-p` values
    /// (cargo names them in the message; otherwise "default-run packages").
    pub fn check(&self, packages: &[&Package], specs: &[String]) -> Result<(), String> {
        if self.all_targets {
            return Ok(());
        }
        if self.lib && !packages.iter().any(|p| p.targets.iter().any(Target::is_lib)) {
            let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
            return Err(match names.as_slice() {
                [one] => format!("no library targets found in package `{one}`"),
                _ => format!("no library targets found in packages: {}", names.join(", ")),
            });
        }
        let place = match specs {
            [] => " in default-run packages".to_string(),
            [one] => format!(" in `{one}` package"),
            _ => format!(" in `{}` packages", specs.join("`, `")),
        };
        for (names, kind) in [
            (&self.bin, "bin"),
            (&self.example, "example"),
            (&self.test, "test"),
            (&self.bench, "bench"),
        ] {
            let targets: Vec<&Target> = packages
                .iter()
                .flat_map(|p| &p.targets)
                .filter(|t| t.is(kind))
                .collect();
            for name in names {
                if targets.iter().any(|t| glob_matches(name, &t.name)) {
                    continue;
                }
                let named = if name.contains(['*', '?', '[']) {
                    "matches pattern"
                } else {
                    "named"
                };
                let mut message = format!("no {kind} target {named} `{name}`{place}");
                if !targets.is_empty() {
                    message.push_str(&format!("\nhelp: available {kind} targets:"));
                    for target in &targets {
                        message.push_str(&format!("\n    {}", target.name));
                    }
                }
                return Err(message);
            }
        }
        Ok(())
    }

    pub fn selects(&self, target: &Target) -> bool {
        if self.all_targets || self.is_default() || target.is("custom-build") {
            // Build scripts are always built, so always linted.
            return true;
        }
        let named = |names: &[String], kind: &str| {
            target.is(kind) && names.iter().any(|n| glob_matches(n, &target.name))
        };
        (self.lib && target.is_lib())
            || (self.bins && target.is("bin"))
            || (self.examples && target.is("example"))
            || (self.tests && (target.is("test") || target.test))
            || (self.benches && target.is("bench"))
            || named(&self.bin, "bin")
            || named(&self.example, "example")
            || named(&self.test, "test")
            || named(&self.bench, "bench")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(id: &str, name: &str, version: &str) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            id: id.into(),
            manifest_path: PathBuf::from("/ws/a/Cargo.toml"),
            targets: Vec::new(),
        }
    }

    #[test]
    fn package_id_specs() {
        let a = package("path+file:///ws/a#0.1.0", "a", "0.1.0");
        let b = package("path+file:///ws/crates/b-dir#beta@2.3.4", "beta", "2.3.4");
        let old = package("gamma 1.0.0 (path+file:///ws/g)", "gamma", "1.0.0");
        for spec in [
            "a",
            "a@0.1.0",
            "a:0.1",
            "a*",
            "path+file:///ws/a#0.1.0",
            "file:///ws/a",
            "path+file:///ws/a#a@0.1.0",
            "file:///ws/a/#0.1",
        ] {
            assert!(spec_matches(spec, &a), "{spec}");
        }
        for spec in ["b", "a@0.2.0", "path+file:///ws/ab#0.1.0", "file:///ws/a#b"] {
            assert!(!spec_matches(spec, &a), "{spec}");
        }
        assert!(spec_matches("path+file:///ws/crates/b-dir#beta@2.3.4", &b));
        assert!(spec_matches("file:///ws/crates/b-dir#beta", &b));
        assert!(spec_matches("be?a", &b));
        assert!(spec_matches("gamma@1", &old));
        assert!(spec_matches("file:///ws/g", &old));
    }

    #[test]
    fn percent_encoded_urls() {
        let a = package("path+file:///ws/my%20crate#0.1.0", "my-crate", "0.1.0");
        assert!(spec_matches("file:///ws/my crate", &a));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("*", "x"));
        assert!(glob_matches("a*c", "abbc"));
        assert!(glob_matches("a?c", "abc"));
        assert!(!glob_matches("a?c", "abbc"));
        assert!(!glob_matches("a", "ab"));
    }
}
