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
    /// Rule and group levels: `dropped_cancel_guard = "deny"`, `pedantic = "warn"` (a rule's
    /// own entry wins over its group's).
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
    /// Files larger than this many bytes are reported instead of read (default 32 MiB).
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// `exclude` and `per_path_ignores`, compiled against the configuration's directory.
    #[serde(skip)]
    paths: PathRules,
}

#[derive(Clone, Debug, Default)]
struct PathRules {
    /// One matcher per configuration layer (each relative to its own directory).
    exclude: Vec<Gitignore>,
    ignores: Vec<(Gitignore, Vec<&'static str>)>,
}

/// A configuration and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    /// The nearest file it came from.
    pub path: Option<PathBuf>,
    /// Every file it came from: the workspace's, then the package's layered on it.
    pub layers: Vec<PathBuf>,
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

/// Finds and loads the configuration for `start` (a file or directory): the nearest one
/// walking up; when that is a package's own (a `ctxlint.toml` beside a member's `Cargo.toml`,
/// or its `[package.metadata.ctxlint]`), it is layered on the workspace's (found walking up
/// from the workspace root).
pub fn discover(start: &Path) -> Result<Loaded, ConfigError> {
    Discovery::default().discover(start)
}

/// [`discover`] for the many directories of one run: a directory found to have no
/// configuration at or above it is not looked at again (a walk up per directory costs a few
/// file checks per level).
#[derive(Default)]
pub struct Discovery {
    none_at_or_above: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl Discovery {
    /// See [`discover`].
    pub fn discover(&self, start: &Path) -> Result<Loaded, ConfigError> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let dir = if start.is_dir() {
            start.as_path()
        } else {
            start.parent().unwrap_or(Path::new("/"))
        };
        let Some((found_in, path, config)) = self.nearest(dir)? else {
            return Ok(Loaded::default());
        };
        let mut loaded = Loaded {
            config,
            path: Some(path.clone()),
            layers: vec![path],
        };
        let Some(root) = workspace_root_above(found_in) else {
            return Ok(loaded);
        };
        if let Some((_, base_path, mut base)) = self.nearest(&root)?
            && !loaded.layers.contains(&base_path)
        {
            base.layer(std::mem::take(&mut loaded.config));
            loaded.config = base;
            loaded.layers.insert(0, base_path);
        }
        Ok(loaded)
    }

    /// The nearest configuration walking up from `dir`: the directory it was found in, its
    /// file and the configuration.
    fn nearest<'a>(&self, dir: &'a Path) -> Result<Option<(&'a Path, PathBuf, Config)>, ConfigError> {
        let known_none = |here: &Path| {
            self.none_at_or_above
                .lock()
                .expect("discovery lock")
                .contains(here)
        };
        let mut walked = Vec::new();
        let mut current = Some(dir);
        while let Some(here) = current {
            if known_none(here) {
                break;
            }
            if let Some(found) = config_in(here)? {
                return Ok(Some(found));
            }
            walked.push(here.to_path_buf());
            current = here.parent();
        }
        self.none_at_or_above
            .lock()
            .expect("discovery lock")
            .extend(walked);
        Ok(None)
    }
}

/// The configuration in `here` itself, if any: its directory, its file and the configuration.
fn config_in(here: &Path) -> Result<Option<(&Path, PathBuf, Config)>, ConfigError> {
    for name in FILE_NAMES {
        let path = here.join(name);
        if path.is_file() {
            return load(&path).map(|config| Some((here, path, config)));
        }
    }
    let manifest = here.join("Cargo.toml");
    if manifest.is_file()
        && let Some(config) = load_from_manifest(&manifest)?
    {
        return Ok(Some((here, manifest, config)));
    }
    Ok(None)
}

/// For a configuration found in `dir`: the root of the workspace `dir` is a member package of,
/// when that lies above it (a package that is its own workspace has none).
fn workspace_root_above(dir: &Path) -> Option<PathBuf> {
    let manifest = read_manifest(&dir.join("Cargo.toml"))?;
    if manifest.get("package").is_none() || manifest.get("workspace").is_some() {
        return None;
    }
    let (root, workspace) = dir.ancestors().skip(1).find_map(|above| {
        let manifest = read_manifest(&above.join("Cargo.toml"))?;
        Some((above, manifest.get("workspace")?.clone()))
    })?;
    // As cargo does: a package under the root is a member unless the workspace excludes it.
    let relative = dir.strip_prefix(root).ok()?;
    let excluded = workspace
        .get("exclude")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .any(|path| relative.starts_with(path));
    (!excluded).then(|| root.to_path_buf())
}

fn read_manifest(path: &Path) -> Option<std::sync::Arc<toml::Table>> {
    parsed_manifest(path).ok().flatten()
}

/// A manifest's table (`None` if it does not parse), remembered by path while its size and
/// modification time stay the same: discovery walks up from every directory, and would parse
/// a workspace's root manifest once per directory below it; the server runs for hours.
fn parsed_manifest(path: &Path) -> std::io::Result<Option<std::sync::Arc<toml::Table>>> {
    type Stamp = (std::time::SystemTime, u64);
    type Cache = std::collections::HashMap<PathBuf, (Stamp, Option<std::sync::Arc<toml::Table>>)>;
    static CACHE: std::sync::OnceLock<std::sync::Mutex<Cache>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let meta = std::fs::metadata(path)?;
    let stamp = (meta.modified()?, meta.len());
    if let Some((known, table)) = cache.lock().expect("manifest cache").get(path)
        && *known == stamp
    {
        return Ok(table.clone());
    }
    let text = std::fs::read_to_string(path)?;
    let table = toml::from_str::<toml::Table>(&text).ok().map(std::sync::Arc::new);
    cache
        .lock()
        .expect("manifest cache")
        .insert(path.to_path_buf(), (stamp, table.clone()));
    Ok(table)
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let error = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| error(e.to_string().trim_end().to_string()))?;
    misplaced_keys(&table, "").map_err(error)?;
    let mut config: Config = table
        .try_into()
        .map_err(|e: toml::de::Error| error(e.to_string().trim_end().to_string()))?;
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
    // A manifest that does not parse is cargo's business, not ours.
    let Some(manifest) = parsed_manifest(path).map_err(|e| error(format!("cannot read: {e}")))? else {
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
        if let Some(table) = table.as_table() {
            misplaced_keys(table, &format!("{section}.metadata.ctxlint.")).map_err(section_error)?;
        }
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

/// The configuration's top-level keys.
const TOP_LEVEL_KEYS: [&str; 4] = ["rules", "exclude", "per_path_ignores", "api"];

/// A top-level key written after a table header belongs to that table in TOML: `exclude = […]`
/// below `[rules]` reads as a rule. Says so, rather than "unknown rule" or a type error.
fn misplaced_keys(table: &toml::Table, prefix: &str) -> Result<(), String> {
    for section in ["rules", "per_path_ignores"] {
        let Some(inner) = table.get(section).and_then(toml::Value::as_table) else {
            continue;
        };
        if let Some(key) = inner.keys().find(|key| TOP_LEVEL_KEYS.contains(&key.as_str())) {
            return Err(format!(
                "`{key}` is inside [{prefix}{section}]: top-level keys go before the first table (or under their own [{prefix}{key}] header)"
            ));
        }
    }
    Ok(())
}

impl Config {
    /// Puts `over` (a package's configuration) on top of this one (the workspace's): its
    /// rule levels win, its exclusions, per-path ignores and APIs are added.
    fn layer(&mut self, over: Config) {
        self.rules.extend(over.rules);
        self.exclude.extend(over.exclude);
        self.per_path_ignores.extend(over.per_path_ignores);
        self.api.extend(over.api);
        self.paths.exclude.extend(over.paths.exclude);
        self.paths.ignores.extend(over.paths.ignores);
    }

    fn validate(&self) -> Result<(), String> {
        for name in self.rules.keys() {
            if lints::select(name).is_none() {
                return Err(format!(
                    "[rules]: unknown rule or group `{name}` (`ctxlint rules` lists them)"
                ));
            }
        }
        Ok(())
    }

    /// The level `[rules]` gives a rule: its own entry, else its group's.
    pub fn rule_level(&self, rule: &lints::Rule) -> Option<Level> {
        let bare = |name: &str| name.strip_prefix("ctxlint::").unwrap_or(name).to_string();
        let set = |wanted: &str| {
            self.rules
                .iter()
                .find(|(name, _)| bare(name) == wanted)
                .map(|(_, level)| *level)
        };
        set(rule.name).or_else(|| set(rule.group?.name()))
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
            self.paths.exclude.push(matcher("exclude", &self.exclude)?);
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
        self.paths.exclude.iter().any(|matcher| matches(matcher, path))
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
