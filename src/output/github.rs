//! GitHub Actions workflow commands: one `::warning …::…` or `::error …::…` line per finding,
//! which the runner turns into annotations on the pull request. Errors come first (a step
//! shows only the first ten of each kind), then a summary line.

use std::io::{self, Write};
use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Report;
use crate::output::plural;
use crate::paths::relative_name;
use crate::source::SourceFile;

pub fn write(out: &mut dyn Write, report: &Report, root: &Path) -> io::Result<()> {
    let mut all: Vec<(&Diagnostic, &SourceFile)> = report
        .files
        .iter()
        .flat_map(|file| file.diagnostics.iter().map(move |d| (d, &file.source)))
        .collect();
    // Stable: files stay in order within each severity.
    all.sort_by_key(|(d, _)| std::cmp::Reverse(d.severity));
    for (diagnostic, source) in &all {
        writeln!(out, "{}", annotation(diagnostic, source, root))?;
    }
    let errors = all.iter().filter(|(d, _)| d.severity == Severity::Error).count();
    if !all.is_empty() {
        writeln!(
            out,
            "ctxlint: {} ({}, {})",
            plural(all.len(), "finding"),
            plural(errors, "error"),
            plural(all.len() - errors, "warning")
        )?;
    }
    Ok(())
}

/// `::warning title=…,file=…,line=…,col=…,endLine=…,endColumn=…::message`. Columns only when
/// the finding is on one line, as GitHub wants.
pub fn annotation(diagnostic: &Diagnostic, source: &SourceFile, root: &Path) -> String {
    let name = relative_name(&source.path, root);
    let start = source.location(diagnostic.span.start);
    let end = source.location(diagnostic.span.end);
    let mut properties = vec![
        format!("title={}", property(&format!("ctxlint ({})", diagnostic.rule))),
        format!("file={}", property(&name)),
        format!("line={}", start.line),
    ];
    if start.line == end.line {
        properties.push(format!("col={}", start.column));
    }
    properties.push(format!("endLine={}", end.line));
    if start.line == end.line {
        properties.push(format!("endColumn={}", end.column));
    }
    let mut message = format!("{name}:{}:{}: {}", start.line, start.column, diagnostic.message);
    for note in &diagnostic.notes {
        message.push_str(&format!("\n  = note: {note}"));
    }
    if let Some(fix) = &diagnostic.fix {
        message.push_str(&format!("\n  help: {}", fix.message));
    }
    let command = match diagnostic.severity {
        Severity::Warning => "warning",
        Severity::Error => "error",
    };
    format!("::{command} {}::{}", properties.join(","), data(&message))
}

/// A command's message: `%`, CR and LF escaped, other control characters shown as pictures.
pub fn data(text: &str) -> String {
    let text = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    crate::output::escape::controls(&text).into_owned()
}

/// A property value: also `:` and `,`, which separate properties.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50%\r\nnext: a, b"), "50%25%0D%0Anext: a, b");
        assert_eq!(property("a%b:c,d\ne"), "a%25b%3Ac%2Cd%0Ae");
    }
}
