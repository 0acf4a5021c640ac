//! Renderings of a report. Formats know diagnostics and source files, never lints.

pub mod human;
pub mod json;
pub mod short;

use std::io::{self, Write};

use crate::engine::{FileReport, Report};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style snippets (codespan-reporting).
    Human,
    /// One `path:line:col: warning[code]: message` line per finding.
    Short,
    /// cargo `compiler-message` objects, one per line.
    Json,
}

pub struct Options {
    pub format: Format,
    /// ANSI colour in human output, and in JSON's `rendered` with
    /// `json-diagnostic-rendered-ansi`.
    pub color: bool,
}

/// Writes every file's diagnostics.
pub fn write_report(out: &mut dyn Write, report: &Report, options: &Options) -> io::Result<()> {
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
            Format::Json => json::write(out, diagnostic, &file.source, options.color)?,
        }
    }
    Ok(())
}
