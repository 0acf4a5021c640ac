//! Configuration: `ctxlint.toml` or `.ctxlint.toml`, found by walking up from the directory
//! being linted, or `[workspace.metadata.ctxlint]` / `[package.metadata.ctxlint]` in a
//! `Cargo.toml` on the way. The first one found wins. Unknown keys are errors.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

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
    /// The project's own context APIs, in the catalog's shape.
    #[serde(default)]
    pub api: Vec<ApiSpec>,
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
    let config: Config = toml::from_str(&text).map_err(|e| error(e.to_string().trim_end().to_string()))?;
    config.validate().map_err(error)?;
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
        let config: Config = table.clone().try_into().map_err(|e: toml::de::Error| {
            error(format!(
                "[{section}.metadata.ctxlint]: {}",
                e.to_string().trim_end()
            ))
        })?;
        config.validate().map_err(error)?;
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
}
