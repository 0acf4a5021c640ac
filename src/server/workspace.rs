//! The workspace: its folders, the configuration that applies to each document, and the
//! workspace-wide step that runs at start and whenever files change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{self, FileReport, Prefilter, Settings};
use crate::lints::Rule;
use crate::model::workspace::WorkspaceIndex;
use crate::source::SourceFile;
use crate::{config, discover};

/// Buffers larger than this are not linted as you type (`ctxlint` on the command line still
/// lints them). Real source files stay far below it.
pub const MAX_BUFFER: usize = 8 << 20;

/// Configuration files whose change reloads the configuration.
pub const CONFIG_FILES: [&str; 3] = ["ctxlint.toml", ".ctxlint.toml", "Cargo.toml"];

/// What linting a document needs: the settings of its configuration, compiled once.
pub struct Setup {
    pub settings: Settings,
    pub rules: Vec<&'static Rule>,
    pub prefilter: Prefilter,
}

impl Setup {
    fn new(settings: Settings) -> Setup {
        Setup {
            rules: settings.enabled_rules(),
            prefilter: Prefilter::new(&settings.catalog),
            settings,
        }
    }

    pub fn default_setup() -> Setup {
        Setup::new(crate::cli::configured(config::Loaded::default()).expect("the built-in catalog builds"))
    }
}

/// A buffer's findings, or why it was not linted.
pub struct Linted {
    pub report: FileReport,
    pub skipped: Option<String>,
}

/// Lints a buffer's text as the command line lints a file (a panic in a lint becomes an
/// `internal_error` finding).
pub fn lint(setup: &Setup, path: &Path, text: String) -> Linted {
    let name = path.display().to_string();
    let skip = |reason: String| Linted {
        report: FileReport {
            source: SourceFile::new(path, name.clone(), String::new()),
            diagnostics: Vec::new(),
        },
        skipped: Some(reason),
    };
    if text.len() > MAX_BUFFER {
        return skip(format!(
            "{name}: {} bytes is more than ctxlint lints as you type ({MAX_BUFFER}); run `ctxlint` on it instead",
            text.len()
        ));
    }
    if text.contains('\0') {
        return skip(format!("{name}: the buffer holds NUL bytes; it is not linted"));
    }
    let source = SourceFile::new(path, name.clone(), text);
    // Excluded by the configuration, or naming no context API: nothing to report.
    if setup.settings.config.is_excluded(path)
        || !setup
            .prefilter
            .may_match(source.text.as_bytes(), |word| setup.settings.sees(word, path))
    {
        return Linted {
            report: FileReport {
                source,
                diagnostics: Vec::new(),
            },
            skipped: None,
        };
    }
    Linted {
        report: engine::lint_guarded(source, &setup.settings, &setup.rules),
        skipped: None,
    }
}

pub struct Workspace {
    /// The client's workspace folders (empty: files are linted on their own).
    pub folders: Vec<PathBuf>,
    /// Setups by the directory of the documents they were made for.
    setups: HashMap<PathBuf, Arc<Setup>>,
    /// What the folders' files declare, as on disk (see [`crate::model::workspace`]).
    index: Option<Arc<WorkspaceIndex>>,
}

impl Workspace {
    pub fn new(folders: Vec<PathBuf>) -> Workspace {
        Workspace {
            folders,
            setups: HashMap::new(),
            index: None,
        }
    }

    /// The setup for a document at `path` (`None`: not a file; the first folder's
    /// configuration applies), and a message if its configuration is broken (defaults are used
    /// then, and the message is given once until the next reload).
    pub fn setup_for(&mut self, path: Option<&Path>) -> (Arc<Setup>, Option<String>) {
        let dir = match path.and_then(Path::parent) {
            Some(dir) => dir.to_path_buf(),
            None => self
                .folders
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from(".")),
        };
        if let Some(setup) = self.setups.get(&dir) {
            return (setup.clone(), None);
        }
        let (setup, problem) = match config::discover(&dir)
            .map_err(|e| e.to_string())
            .and_then(crate::cli::configured)
        {
            Ok(mut settings) => {
                if let Some(index) = &self.index {
                    engine::use_workspace(&mut settings, index.clone());
                }
                (Setup::new(settings), None)
            }
            Err(error) => (
                Setup::default_setup(),
                Some(format!(
                    "{error}; ctxlint uses its default configuration until it is fixed"
                )),
            ),
        };
        let setup = Arc::new(setup);
        self.setups.insert(dir, setup.clone());
        (setup, problem)
    }

    /// The workspace-wide step, at start (`changed` empty) and whenever files change on disk or
    /// are saved: the workspace index is built at start and again when a Rust file changes (a
    /// re-export or a field type may have changed), and a changed configuration file drops
    /// every compiled configuration, so that the next lint reads them again. Returns whether
    /// open documents must be linted again.
    pub fn refresh(&mut self, changed: &[PathBuf]) -> bool {
        let configuration = changed.iter().any(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| CONFIG_FILES.contains(&name))
        });
        let sources = changed
            .iter()
            .any(|path| path.extension().is_some_and(|e| e == "rs"));
        if changed.is_empty() || sources {
            self.index = self.build_index();
        }
        if configuration || sources {
            self.setups.clear();
        }
        configuration || sources
    }

    fn build_index(&self) -> Option<Arc<WorkspaceIndex>> {
        if self.folders.is_empty() {
            return None;
        }
        let files: Vec<PathBuf> = discover::files(&self.folders, discover::Notes::default(), |_| true)
            .into_iter()
            .map(|input| input.path)
            .collect();
        let catalog = &Setup::default_setup().settings.catalog;
        Some(Arc::new(WorkspaceIndex::build(&files, catalog)))
    }

    /// Forgets every compiled configuration (on save: it may have been edited elsewhere).
    pub fn reload_configuration(&mut self) {
        self.setups.clear();
    }
}
