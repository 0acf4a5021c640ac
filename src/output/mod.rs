//! Renderings of a report. Formats know diagnostics and source files, never lints.

pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Edit;
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
    /// JSON's `rendered` holds the one-line (`short`) rendering (`json-diagnostic-short`).
    pub json_short: bool,
    /// JSON diagnostics are rendered as text for a person (on stderr) instead of written as
    /// JSON (`json-render-diagnostics`).
    pub render_diagnostics: bool,
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
            json_short: false,
            render_diagnostics: false,
        }
    }

    /// The format diagnostics are written in: JSON rendered for a person is `human` or `short`.
    pub fn rendering(&self) -> Format {
        match self.format {
            Format::Json if self.render_diagnostics && self.json_short => Format::Short,
            Format::Json if self.render_diagnostics => Format::Human,
            format => format,
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

/// `1 finding`, `2 findings`: a count and an English noun that takes `s`.
pub fn plural(n: usize, word: &str) -> String {
    match n {
        1 => format!("{n} {word}"),
        _ => format!("{n} {word}s"),
    }
}

/// Writes every file's diagnostics.
pub fn write_report(out: &mut dyn Write, report: &Report, options: &Options) -> io::Result<()> {
    match options.rendering() {
        Format::Sarif => return sarif::write(out, report, &options.root),
        Format::Github => return github::write(out, report, &options.root),
        _ => {}
    }
    for file in &report.files {
        write_file(out, file, options)?;
    }
    if options.rendering() == Format::Human {
        human::write_summary(out, report, options.color)?;
    }
    Ok(())
}

/// Writes one file's diagnostics (no summary; not for SARIF or GitHub, which are written whole).
pub fn write_file(out: &mut dyn Write, file: &FileReport, options: &Options) -> io::Result<()> {
    let standalone;
    let origin = match options.origins.get(&file.source.name) {
        Some(origin) => origin,
        None => {
            standalone = json::Origin::standalone(&file.source);
            &standalone
        }
    };
    // A fix that several findings share (one change for a whole module) is drawn once, under
    // the first of them; the others name its line.
    let mut fixes_shown: HashMap<&[Edit], usize> = HashMap::new();
    for diagnostic in &file.diagnostics {
        let line = file.source.location(diagnostic.span.start).line;
        let fix_shown_at = diagnostic
            .fix
            .as_ref()
            .filter(|fix| !fix.edits.is_empty())
            .and_then(|fix| match fixes_shown.entry(&fix.edits) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(entry) => {
                    entry.insert(line);
                    None
                }
            });
        match options.rendering() {
            Format::Human => out.write_all(
                human::render_with(diagnostic, &file.source, options.color, fix_shown_at).as_bytes(),
            )?,
            Format::Short => short::write(out, diagnostic, &file.source)?,
            Format::Json => {
                json::write_with_origin(out, diagnostic, &file.source, options, origin, fix_shown_at)?
            }
            Format::Sarif | Format::Github => unreachable!("written whole"),
        }
    }
    Ok(())
}
