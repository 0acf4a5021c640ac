//! One line per finding: `path:line:col: warning[ctxlint::rule]: message`.

use std::io::{self, Write};

use crate::diagnostic::Diagnostic;
use crate::output::escape;
use crate::source::SourceFile;

pub fn write(out: &mut dyn Write, diagnostic: &Diagnostic, source: &SourceFile) -> io::Result<()> {
    out.write_all(render(diagnostic, source).as_bytes())
}

/// The line, with its line end (as rustc's short `rendered`).
pub fn render(diagnostic: &Diagnostic, source: &SourceFile) -> String {
    let at = source.location(diagnostic.span.start);
    format!(
        "{}:{}:{}: {}[{}]: {}\n",
        escape::name(&source.name),
        at.line,
        at.column,
        diagnostic.severity.as_str(),
        diagnostic.code(),
        escape::name(&diagnostic.message)
    )
}
