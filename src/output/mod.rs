//! Renderings of a report. Formats know diagnostics and source files, never lints.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{FileReport, Report};
use json::Origin;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style snippets (codespan-reporting).
    Human,
    /// One `path:line:col: warning[code]: message` line per finding.
    Short,
    /// cargo `compiler-message` objects, one per line.
    Json,
    /// One SARIF 2.1.0 log, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::warning file=…::…`), for annotations.
    Github,
}

pub struct Options {
    pub format: Format,
    /// ANSI colour in human output, and in JSON's `rendered` with
    /// `json-diagnostic-rendered-ansi`.
    pub color: bool,
    /// The cargo package and target of each file, by file name (cargo mode); files without
    /// one are reported as standalone files.
    pub origins: HashMap<String, Arc<Origin>>,
    /// The directory SARIF and GitHub paths are relative to: the repository's root.
    pub root: PathBuf,
}

impl Options {
    /// Options for files found from the current directory.
    pub fn new(format: Format, color: bool) -> Options {
        let cwd = std::env::current_dir().unwrap_or_default();
        Options {
            format,
            color,
            origins: HashMap::new(),
            root: repository_root(&cwd),
        }
    }
}

/// The nearest directory from `start` up that holds `.git`, else `start`.
pub fn repository_root(start: &Path) -> PathBuf {
    let start = crate::paths::absolute(start);
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(&start)
        .to_path_buf()
}

/// Writes every file's diagnostics.
pub fn write_report(out: &mut dyn Write, report: &Report, options: &Options) -> io::Result<()> {
    match options.format {
        Format::Sarif => return sarif::write(out, report, &options.root),
        Format::Github => return github::write(out, report, &options.root),
        _ => {}
    }
    for file in &report.files {
        write_file(out, file, options)?;
    }
    if options.format == Format::Human {
        human::write_summary(out, report, options.color)?;
    }
    Ok(())
}

fn write_file(out: &mut dyn Write, file: &FileReport, options: &Options) -> io::Result<()> {
    for diagnostic in &file.diagnostics {
        match options.format {
            Format::Human => {
                out.write_all(human::render(diagnostic, &file.source, options.color).as_bytes())?
            }
            Format::Short => short::write(out, diagnostic, &file.source)?,
            Format::Json => match options.origins.get(&file.source.name) {
                Some(origin) => {
                    json::write_with_origin(out, diagnostic, &file.source, options.color, origin)?
                }
                None => json::write(out, diagnostic, &file.source, options.color)?,
            },
            Format::Sarif | Format::Github => unreachable!("written whole"),
        }
    }
    Ok(())
}
