//! rustc-style rendering: codespan-reporting draws the snippet, labels and notes; the fix is
//! drawn below it as a `help:` block with the changed lines, like current rustc.

use std::io::{self, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Chars, Config};
use termcolor::{Ansi, Color, ColorSpec, NoColor, WriteColor};

use super::plural;

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::engine::Report;
use crate::output::escape::Escaping;
use crate::source::SourceFile;

/// codespan-reporting reads positions through this, so its columns match every other format
/// (a BOM is not a column).
struct OneFile<'a>(&'a SourceFile);

impl<'a> Files<'a> for OneFile<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, _: ()) -> Result<&'a str, FilesError> {
        Ok(&self.0.name)
    }

    fn source(&'a self, _: ()) -> Result<&'a str, FilesError> {
        Ok(&self.0.text)
    }

    fn line_index(&'a self, _: (), byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.0.line_index(byte_index))
    }

    fn line_range(&'a self, _: (), line_index: usize) -> Result<Range<usize>, FilesError> {
        if line_index >= self.0.line_count() {
            return Err(FilesError::LineTooLarge {
                given: line_index,
                max: self.0.line_count() - 1,
            });
        }
        Ok(self.0.full_line_range(line_index))
    }
}

/// Renders one diagnostic, with or without ANSI colour.
pub fn render(diagnostic: &Diagnostic, source: &SourceFile, color: bool) -> String {
    render_with(diagnostic, source, color, None)
}

/// Renders one diagnostic; `fix_shown_at` is the line of an earlier finding of the file whose
/// fix makes the same edits: the change is then named, not drawn again.
pub fn render_with(
    diagnostic: &Diagnostic,
    source: &SourceFile,
    color: bool,
    fix_shown_at: Option<usize>,
) -> String {
    let severity = match diagnostic.severity {
        Severity::Warning => CsSeverity::Warning,
        Severity::Error => CsSeverity::Error,
    };
    let mut primary = CsLabel::primary((), diagnostic.span.range());
    if let Some(label) = &diagnostic.label {
        primary = primary.with_message(label);
    }
    let mut labels = vec![primary];
    labels.extend(
        diagnostic
            .labels
            .iter()
            .map(|label| CsLabel::secondary((), label.span.range()).with_message(&label.message)),
    );
    let snippet = CsDiagnostic::new(severity)
        .with_message(&diagnostic.message)
        .with_code(diagnostic.code())
        .with_labels(labels)
        .with_notes(
            diagnostic
                .notes
                .iter()
                .map(|note| format!("note: {note}"))
                .collect(),
        );
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    // Writing to memory cannot fail, and the spans come from this file.
    let mut text = paint(color, |out| {
        let _ = term::emit_to_write_style(out, &config, &OneFile(source), &snippet);
    });
    match &diagnostic.fix {
        Some(fix) => {
            // codespan ends with a blank line; rustc continues the gutter into the help instead.
            if text.ends_with("\n\n") {
                text.pop();
            }
            let width = gutter_width(diagnostic, source);
            let continue_gutter = diagnostic.notes.is_empty();
            text.push_str(&paint(color, |out| {
                let _ = write_fix(out, fix, source, width, continue_gutter, fix_shown_at);
            }));
        }
        None if !text.ends_with("\n\n") => text.push('\n'),
        None => {}
    }
    text
}

/// Draws into a string, with ANSI colour or without; control characters in what is drawn
/// (source lines, messages, the file name) are shown as pictures.
fn paint(color: bool, draw: impl FnOnce(&mut dyn WriteColor)) -> String {
    let bytes = if color {
        let mut out = Ansi::new(Vec::new());
        draw(&mut Escaping(&mut out));
        out.into_inner()
    } else {
        let mut out = NoColor::new(Vec::new());
        draw(&mut Escaping(&mut out));
        out.into_inner()
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The width of codespan's line-number gutter for this diagnostic.
fn gutter_width(diagnostic: &Diagnostic, source: &SourceFile) -> usize {
    let mut last_line = source.location(diagnostic.span.end).line;
    for label in &diagnostic.labels {
        last_line = last_line.max(source.location(label.span.end).line);
    }
    last_line.to_string().len()
}

/// `help: <message>`, then each group of nearby edits as `-` (old) and `+` (new) lines.
fn write_fix(
    out: &mut dyn WriteColor,
    fix: &Fix,
    source: &SourceFile,
    width: usize,
    continue_gutter: bool,
    shown_at: Option<usize>,
) -> io::Result<()> {
    let hunks = match shown_at {
        Some(_) => Vec::new(),
        None => hunks(fix, source),
    };
    let number_width = hunks
        .iter()
        .flat_map(|h| h.removed.iter().chain(&h.added))
        .map(|(n, _)| n.to_string().len())
        .max()
        .unwrap_or(0)
        .max(width);
    let border = ColorSpec::new().set_fg(Some(Color::Cyan)).clone();
    let blank_gutter = |out: &mut dyn WriteColor| -> io::Result<()> {
        out.set_color(&border)?;
        writeln!(out, "{} |", " ".repeat(number_width))?;
        out.reset()
    };
    if continue_gutter {
        out.set_color(&border)?;
        writeln!(out, "{} |", " ".repeat(width))?;
        out.reset()?;
    }
    out.set_color(ColorSpec::new().set_fg(Some(Color::Cyan)).set_bold(true))?;
    write!(out, "help")?;
    out.set_color(ColorSpec::new().set_bold(true))?;
    write!(out, ": {}", fix.message)?;
    out.reset()?;
    writeln!(out)?;
    if let Some(line) = shown_at {
        out.set_color(&border)?;
        write!(out, "{} =", " ".repeat(number_width))?;
        out.reset()?;
        writeln!(
            out,
            " note: the same change as for the finding on line {line}, shown there"
        )?;
    }
    for hunk in &hunks {
        blank_gutter(out)?;
        for (sign, lines, color) in [("-", &hunk.removed, Color::Red), ("+", &hunk.added, Color::Green)] {
            for (number, line) in lines {
                out.set_color(&border)?;
                write!(out, "{number:>number_width$} ")?;
                out.set_color(ColorSpec::new().set_fg(Some(color)))?;
                write!(out, "{sign} {line}")?;
                out.reset()?;
                writeln!(out)?;
            }
        }
    }
    if !hunks.is_empty() {
        blank_gutter(out)?;
    }
    let note = match fix.applicability {
        Applicability::MachineApplicable => None,
        Applicability::MaybeIncorrect => {
            Some("this fix may change behaviour; `--fix --unsafe-fixes` applies it")
        }
        Applicability::HasPlaceholders => Some("this suggestion needs editing; ctxlint never applies it"),
    };
    if let Some(note) = note {
        out.set_color(&border)?;
        write!(out, "{} =", " ".repeat(number_width))?;
        out.reset()?;
        writeln!(out, " note: {note}")?;
    }
    writeln!(out)
}

/// Changed lines, numbered as in the old and the new file.
struct Hunk {
    removed: Vec<(usize, String)>,
    added: Vec<(usize, String)>,
}

fn hunks(fix: &Fix, source: &SourceFile) -> Vec<Hunk> {
    // Group edits on the same or adjacent lines.
    let mut groups: Vec<(usize, usize, Vec<&crate::diagnostic::Edit>)> = Vec::new();
    for edit in &fix.edits {
        let first = source.line_index(edit.span.start);
        let last = source.line_index(edit.span.end);
        match groups.last_mut() {
            Some((_, group_last, edits)) if first <= *group_last + 1 => {
                *group_last = (*group_last).max(last);
                edits.push(edit);
            }
            _ => groups.push((first, last, vec![edit])),
        }
    }
    let mut shift: isize = 0;
    let mut hunks = Vec::new();
    for (first, last, edits) in groups {
        let start = source.full_line_range(first).start;
        let end = source.line_range(last).end;
        let mut after = String::new();
        let mut cursor = start;
        for edit in edits {
            after.push_str(&source.text[cursor..edit.span.start]);
            after.push_str(&edit.replacement);
            cursor = edit.span.end;
        }
        after.push_str(&source.text[cursor..end]);
        let before: Vec<&str> = source.text[start..end].lines().collect();
        let after: Vec<&str> = after.lines().collect();
        // Only the lines that differ.
        let prefix = before.iter().zip(&after).take_while(|(a, b)| a == b).count();
        let suffix = before[prefix..]
            .iter()
            .rev()
            .zip(after[prefix..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let removed = &before[prefix..before.len() - suffix];
        let added = &after[prefix..after.len() - suffix];
        let old_start = first + 1 + prefix;
        let new_start = (old_start as isize + shift) as usize;
        hunks.push(Hunk {
            removed: removed
                .iter()
                .enumerate()
                .map(|(i, l)| (old_start + i, l.to_string()))
                .collect(),
            added: added
                .iter()
                .enumerate()
                .map(|(i, l)| (new_start + i, l.to_string()))
                .collect(),
        });
        shift += added.len() as isize - removed.len() as isize;
    }
    hunks
}

/// `warning: 3 findings in 2 files`, after the findings.
pub fn write_summary(out: &mut dyn Write, report: &Report, color: bool) -> io::Result<()> {
    let count = report.diagnostic_count();
    if count == 0 {
        return Ok(());
    }
    let errors = report
        .files
        .iter()
        .flat_map(|f| &f.diagnostics)
        .any(|d| d.severity == Severity::Error);
    let (label, label_color) = if errors {
        ("error", Color::Red)
    } else {
        ("warning", Color::Yellow)
    };
    let text = format!(
        ": {} in {}",
        plural(count, "finding"),
        plural(report.files.len(), "file")
    );
    let line = paint(color, |line| {
        let _ = line.set_color(ColorSpec::new().set_fg(Some(label_color)).set_bold(true));
        let _ = write!(line, "{label}");
        let _ = line.set_color(ColorSpec::new().set_bold(true));
        let _ = write!(line, "{text}");
        let _ = line.reset();
    });
    writeln!(out, "{line}")
}
