//! One line per finding: `path:line:col: warning[ctxlint::rule]: message`.

use std::io::{self, Write};

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

pub fn write(out: &mut dyn Write, diagnostic: &Diagnostic, source: &SourceFile) -> io::Result<()> {
    let at = source.location(diagnostic.span.start);
    writeln!(
        out,
        "{}:{}:{}: {}[{}]: {}",
        source.name,
        at.line,
        at.column,
        diagnostic.severity.as_str(),
        diagnostic.code(),
        diagnostic.message
    )
}
