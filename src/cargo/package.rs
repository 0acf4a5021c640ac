//! The cargo package around a file linted by path (`ctxlint <dir>`), read from its `Cargo.toml`
//! without running cargo, so that JSON messages name the package and edition cargo would.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::output::json::{Origin, Target};

/// The packages found so far, by manifest directory (`None`: a directory without one).
#[derive(Default)]
pub struct Packages {
    manifests: HashMap<PathBuf, Option<Arc<Manifest>>>,
}

/// What a package's `Cargo.toml` says about it.
struct Manifest {
    dir: PathBuf,
    name: String,
    id: String,
    edition: String,
    /// The library's crate name, if the package has one.
    lib: Option<(String, PathBuf)>,
}

impl Packages {
    /// The package and target of a file inside a cargo package; `None` outside any package.
    pub fn origin(&mut self, file: &Path) -> Option<Origin> {
        let file = crate::paths::absolute(file);
        let manifest = file.ancestors().skip(1).find_map(|dir| self.manifest_in(dir))?;
        Some(manifest.origin(&file))
    }

    fn manifest_in(&mut self, dir: &Path) -> Option<Arc<Manifest>> {
        if let Some(known) = self.manifests.get(dir) {
            return known.clone();
        }
        let found = Manifest::read(dir).map(Arc::new);
        self.manifests.insert(dir.to_path_buf(), found.clone());
        found
    }
}

impl Manifest {
    /// `dir/Cargo.toml`, if it declares a `[package]`; inherited `version`/`edition` are read
    /// from the workspace root above it.
    fn read(dir: &Path) -> Option<Manifest> {
        let toml = read_toml(&dir.join("Cargo.toml"))?;
        let package = toml.get("package")?.as_table()?;
        let name = package.get("name")?.as_str()?.to_string();
        let field = |key: &str| match package.get(key) {
            Some(toml::Value::String(value)) => Some(value.clone()),
            Some(toml::Value::Table(table))
                if table.get("workspace").and_then(toml::Value::as_bool) == Some(true) =>
            {
                workspace_package_field(dir, key)
            }
            _ => None,
        };
        // cargo's defaults for a manifest that leaves them out.
        let version = field("version").unwrap_or_else(|| "0.0.0".into());
        let edition = field("edition").unwrap_or_else(|| "2015".into());
        let lib_name = toml
            .get("lib")
            .and_then(|lib| lib.get("name"))
            .and_then(toml::Value::as_str)
            .map_or_else(|| name.replace('-', "_"), str::to_string);
        let lib_path = toml
            .get("lib")
            .and_then(|lib| lib.get("path"))
            .and_then(toml::Value::as_str)
            .map_or_else(|| dir.join("src/lib.rs"), |path| dir.join(path));
        let lib = lib_path.is_file().then_some((lib_name, lib_path));
        Some(Manifest {
            dir: dir.to_path_buf(),
            id: package_id(dir, &name, &version),
            name,
            edition,
            lib,
        })
    }

    /// The target a file most likely belongs to, by cargo's layout conventions: `src/bin/`,
    /// `tests/`, `examples/`, `benches/`, `build.rs`, `src/main.rs`, else the library (or the
    /// binary of a package without one).
    fn origin(&self, file: &Path) -> Origin {
        let relative = file.strip_prefix(&self.dir).unwrap_or(file);
        let mut parts = relative.iter().map(|part| part.to_string_lossy().into_owned());
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        let stem = |path: &Path| {
            path.file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        };
        // `dir/name.rs`, or `dir/name/main.rs` and the modules beside it.
        let under = |dir: &str| -> (String, PathBuf) {
            let rest = relative.strip_prefix(dir).unwrap_or(relative);
            match rest.iter().next() {
                Some(top) if rest.iter().count() > 1 => {
                    let top = top.to_string_lossy().into_owned();
                    let root = self.dir.join(dir).join(&top).join("main.rs");
                    (top, root)
                }
                _ => (stem(rest), file.to_path_buf()),
            }
        };
        let (kind, name, src_path) = match (first.as_str(), second.as_deref()) {
            ("src", Some("bin")) => {
                let (name, path) = under("src/bin");
                ("bin", name, path)
            }
            ("tests", _) => {
                let (name, path) = under("tests");
                ("test", name, path)
            }
            ("examples", _) => {
                let (name, path) = under("examples");
                ("example", name, path)
            }
            ("benches", _) => {
                let (name, path) = under("benches");
                ("bench", name, path)
            }
            ("build.rs", None) => (
                "custom-build",
                "build-script-build".to_string(),
                file.to_path_buf(),
            ),
            ("src", Some("main.rs")) => ("bin", self.name.clone(), file.to_path_buf()),
            _ => match &self.lib {
                Some((name, path)) => ("lib", name.clone(), path.clone()),
                None => ("bin", self.name.clone(), self.dir.join("src/main.rs")),
            },
        };
        let crate_type = match kind {
            "lib" => "lib",
            _ => "bin",
        };
        Origin {
            package_id: self.id.clone(),
            manifest_path: Some(self.dir.join("Cargo.toml").to_string_lossy().into_owned()),
            target: Target {
                kind: vec![kind.to_string()],
                crate_types: vec![crate_type.to_string()],
                name,
                src_path: src_path.to_string_lossy().into_owned(),
                edition: self.edition.clone(),
                doc: matches!(kind, "lib" | "bin"),
                doctest: kind == "lib",
                test: !matches!(kind, "custom-build" | "example"),
            },
        }
    }
}

/// `path+file:///…` for a local path, percent-encoded as cargo writes it (`my%20crate`).
pub fn path_source(path: &Path) -> String {
    match url::Url::from_file_path(path) {
        Ok(url) => format!("path+{url}"),
        Err(()) => format!("path+file://{}", path.to_string_lossy()),
    }
}

fn read_toml(path: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(path).ok()?.parse().ok()
}

/// `[workspace.package].<key>` of the nearest `Cargo.toml` above `dir` (or in it) with a
/// `[workspace]`.
fn workspace_package_field(dir: &Path, key: &str) -> Option<String> {
    dir.ancestors().find_map(|dir| {
        let toml = read_toml(&dir.join("Cargo.toml"))?;
        let workspace = toml.get("workspace")?;
        Some(workspace.get("package")?.get(key)?.as_str()?.to_string())
    })
}

/// cargo's package id of a path package: `path+file:///dir#version` when the directory is
/// named like the package, `path+file:///dir#name@version` otherwise.
fn package_id(dir: &Path, name: &str, version: &str) -> String {
    let url = path_source(dir);
    match dir.file_name().is_some_and(|last| last == name) {
        true => format!("{url}#{version}"),
        false => format!("{url}#{name}@{version}"),
    }
}
