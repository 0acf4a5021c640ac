//! Configuration: `ctxlint.toml` or `.ctxlint.toml`, found by walking up from the directory
//! being linted, or `[workspace.metadata.ctxlint]` / `[package.metadata.ctxlint]` in a
//! `Cargo.toml` on the way. The first one found wins. Unknown keys are errors. Paths in it are
//! relative to its directory.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

use crate::diagnostic::Level;
use crate::lints;
use crate::model::catalog::ApiSpec;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rule levels: `dropped_cancel_guard = "deny"`.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    /// Paths not to lint, in `.gitignore` syntax: `exclude = ["generated/", "/src/gen_*.rs"]`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rules not checked in some paths (`.gitignore` syntax): `"tests/" = ["rule", …]`.
    #[serde(default)]
    pub per_path_ignores: BTreeMap<String, Vec<String>>,
    /// The project's own context APIs, in the catalog's shape.
    #[serde(default)]
    pub api: Vec<ApiSpec>,
    /// `exclude` and `per_path_ignores`, compiled against the configuration's directory.
    #[serde(skip)]
    paths: PathRules,
}

#[derive(Debug, Default)]
struct PathRules {
    exclude: Option<Gitignore>,
    ignores: Vec<(Gitignore, Vec<&'static str>)>,
}

/// A configuration and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    pub path: Option<PathBuf>,
}

#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

const FILE_NAMES: [&str; 2] = ["ctxlint.toml", ".ctxlint.toml"];

/// Finds and loads the configuration for `start` (a file or directory).
pub fn discover(start: &Path) -> Result<Loaded, ConfigError> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(current) = dir {
        for name in FILE_NAMES {
            let path = current.join(name);
            if path.is_file() {
                return load(&path).map(|config| Loaded {
                    config,
                    path: Some(path),
                });
            }
        }
        let manifest = current.join("Cargo.toml");
        if manifest.is_file()
            && let Some(config) = load_from_manifest(&manifest)?
        {
            return Ok(Loaded {
                config,
                path: Some(manifest),
            });
        }
        dir = current.parent();
    }
    Ok(Loaded::default())
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let error = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    let mut config: Config =
        toml::from_str(&text).map_err(|e| error(e.to_string().trim_end().to_string()))?;
    config.validate().map_err(error)?;
    config
        .compile(path.parent().unwrap_or(Path::new(".")))
        .map_err(error)?;
    Ok(config)
}

/// `[workspace.metadata.ctxlint]` or `[package.metadata.ctxlint]`, if the manifest has one.
fn load_from_manifest(path: &Path) -> Result<Option<Config>, ConfigError> {
    let error = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    // A manifest that does not parse is cargo's business, not ours.
    let Ok(manifest) = toml::from_str::<toml::Table>(&text) else {
        return Ok(None);
    };
    for section in ["workspace", "package"] {
        let Some(table) = manifest
            .get(section)
            .and_then(|s| s.get("metadata"))
            .and_then(|m| m.get("ctxlint"))
        else {
            continue;
        };
        let section_error = |message: String| error(format!("[{section}.metadata.ctxlint]: {message}"));
        let mut config: Config = table
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| section_error(e.to_string().trim_end().to_string()))?;
        config.validate().map_err(section_error)?;
        config
            .compile(path.parent().unwrap_or(Path::new(".")))
            .map_err(section_error)?;
        return Ok(Some(config));
    }
    Ok(None)
}

impl Config {
    fn validate(&self) -> Result<(), String> {
        for name in self.rules.keys() {
            if lints::by_name(name).is_none() {
                return Err(format!(
                    "[rules]: unknown rule `{name}` (`ctxlint rules` lists them)"
                ));
            }
        }
        Ok(())
    }

    /// Compiles the path patterns, relative to `root` (the configuration's directory).
    fn compile(&mut self, root: &Path) -> Result<(), String> {
        let root = crate::paths::absolute(root);
        let matcher = |key: &str, patterns: &[String]| -> Result<Gitignore, String> {
            let mut builder = GitignoreBuilder::new(&root);
            for pattern in patterns {
                builder
                    .add_line(None, pattern)
                    .map_err(|e| format!("{key}: bad pattern `{pattern}`: {e}"))?;
            }
            builder.build().map_err(|e| format!("{key}: {e}"))
        };
        if !self.exclude.is_empty() {
            self.paths.exclude = Some(matcher("exclude", &self.exclude)?);
        }
        for (pattern, names) in &self.per_path_ignores {
            let key = format!("[per_path_ignores] \"{pattern}\"");
            let mut rules = Vec::new();
            for name in names {
                let bare = name.strip_prefix("ctxlint::").unwrap_or(name);
                let rule = lints::by_name(bare)
                    .ok_or_else(|| format!("{key}: unknown rule `{name}` (`ctxlint rules` lists them)"))?;
                rules.push(rule.name);
            }
            let matcher = matcher(&key, std::slice::from_ref(pattern))?;
            self.paths.ignores.push((matcher, rules));
        }
        Ok(())
    }

    /// Whether `exclude` leaves `path` (a file) out.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.paths
            .exclude
            .as_ref()
            .is_some_and(|matcher| matches(matcher, path))
    }

    /// Whether `per_path_ignores` turns `rule` off for `path`.
    pub fn is_ignored(&self, path: &Path, rule: &str) -> bool {
        self.paths
            .ignores
            .iter()
            .any(|(matcher, rules)| rules.contains(&rule) && matches(matcher, path))
    }
}

fn matches(matcher: &Gitignore, path: &Path) -> bool {
    let path = crate::paths::absolute(path);
    // The matcher only takes paths below its root.
    path.starts_with(matcher.path()) && matcher.matched_path_or_any_parents(&path, false).is_ignore()
}
