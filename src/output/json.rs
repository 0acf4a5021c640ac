//! cargo's JSON message stream: one `compiler-message` object per line, holding a rustc
//! diagnostic. rust-analyzer reads it (through `cargo_metadata::Message`) and turns the `help`
//! child's suggestion into a quick fix; rustfix (`cargo fix`) applies it by byte offsets.

use std::io::{self, Write};

use serde::Serialize;

use super::{Options, human, short};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// The cargo package and target a file belongs to.
#[derive(Clone, Debug, Serialize)]
pub struct Origin {
    pub package_id: String,
    pub manifest_path: Option<String>,
    pub target: Target,
}

#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub kind: Vec<String>,
    pub crate_types: Vec<String>,
    pub name: String,
    pub src_path: String,
    pub edition: String,
    pub doc: bool,
    pub doctest: bool,
    pub test: bool,
}

impl Origin {
    /// For files linted outside a cargo package: what cargo gives a single-file package (a
    /// cargo script, `cargo foo.rs`): the file is its own manifest and its only target, a
    /// binary of the newest edition, versioned 0.0.0.
    pub fn standalone(source: &SourceFile) -> Origin {
        let src_path = std::path::absolute(&source.path).unwrap_or_else(|_| source.path.clone());
        let stem = source.path.file_stem().unwrap_or_default().to_string_lossy();
        let name = script_name(&stem);
        let file = src_path.to_string_lossy().into_owned();
        Origin {
            package_id: format!("{}#{name}@0.0.0", crate::cargo::package::path_source(&src_path)),
            manifest_path: Some(file.clone()),
            target: Target {
                kind: vec!["bin".into()],
                crate_types: vec!["bin".into()],
                name,
                src_path: file,
                edition: "2024".into(),
                doc: true,
                doctest: false,
                test: true,
            },
        }
    }
}

/// cargo's package name for a script file's stem: it starts at the first letter or `_`, and
/// later characters a package name cannot hold become `_` (`-` when the stem has no `_`).
fn script_name(stem: &str) -> String {
    let placeholder = if stem.contains('_') { '_' } else { '-' };
    let Some(start) = stem.find(|c: char| c.is_alphabetic() || c == '_') else {
        return "package".to_string();
    };
    stem[start..]
        .chars()
        .map(|c| match c.is_alphanumeric() || c == '-' || c == '_' {
            true => c,
            false => placeholder,
        })
        .collect()
}

#[derive(Serialize)]
struct CompilerMessage<'a> {
    reason: &'static str,
    package_id: &'a str,
    manifest_path: Option<&'a str>,
    target: &'a Target,
    message: RustcDiagnostic,
}

#[derive(Serialize)]
struct RustcDiagnostic {
    #[serde(rename = "$message_type")]
    message_type: &'static str,
    message: String,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<JsonSpan>,
    children: Vec<RustcDiagnostic>,
    rendered: Option<String>,
}

#[derive(Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

#[derive(Serialize)]
struct JsonSpan {
    file_name: String,
    byte_start: usize,
    byte_end: usize,
    line_start: usize,
    line_end: usize,
    column_start: usize,
    column_end: usize,
    is_primary: bool,
    text: Vec<SpanLine>,
    label: Option<String>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<&'static str>,
    expansion: Option<()>,
}

#[derive(Serialize)]
struct SpanLine {
    text: String,
    highlight_start: usize,
    highlight_end: usize,
}

pub fn write(
    out: &mut dyn Write,
    diagnostic: &Diagnostic,
    source: &SourceFile,
    options: &Options,
) -> io::Result<()> {
    write_with_origin(
        out,
        diagnostic,
        source,
        options,
        &Origin::standalone(source),
        None,
    )
}

pub fn write_with_origin(
    out: &mut dyn Write,
    diagnostic: &Diagnostic,
    source: &SourceFile,
    options: &Options,
    origin: &Origin,
    fix_shown_at: Option<usize>,
) -> io::Result<()> {
    let message = CompilerMessage {
        reason: "compiler-message",
        package_id: &origin.package_id,
        manifest_path: origin.manifest_path.as_deref(),
        target: &origin.target,
        message: rustc_diagnostic(diagnostic, source, options, fix_shown_at),
    };
    serde_json::to_writer(&mut *out, &message)?;
    writeln!(out)
}

/// `fix_shown_at`: the line of an earlier finding whose `rendered` already draws the same fix
/// (the fix itself stays in the `help` child, for rustfix and editors).
fn rustc_diagnostic(
    diagnostic: &Diagnostic,
    source: &SourceFile,
    options: &Options,
    fix_shown_at: Option<usize>,
) -> RustcDiagnostic {
    let mut spans = vec![span(source, diagnostic.span, true, diagnostic.label.clone())];
    spans.extend(
        diagnostic
            .labels
            .iter()
            .map(|label| span(source, label.span, false, Some(label.message.clone()))),
    );
    let mut children: Vec<RustcDiagnostic> = diagnostic
        .notes
        .iter()
        .map(|note| child("note", note, Vec::new()))
        .collect();
    if let Some(fix) = &diagnostic.fix {
        let spans = fix
            .edits
            .iter()
            .map(|edit| JsonSpan {
                suggested_replacement: Some(edit.replacement.clone()),
                suggestion_applicability: Some(fix.applicability.as_str()),
                ..span(source, edit.span, true, None)
            })
            .collect();
        children.push(child("help", &fix.message, spans));
    }
    RustcDiagnostic {
        message_type: "diagnostic",
        message: diagnostic.message.clone(),
        code: Some(Code {
            code: diagnostic.code(),
            explanation: None,
        }),
        level: diagnostic.severity.as_str(),
        spans,
        children,
        rendered: Some(match options.json_short {
            true => short::render(diagnostic, source),
            false => human::render_with(diagnostic, source, options.color, fix_shown_at),
        }),
    }
}

fn child(level: &'static str, message: &str, spans: Vec<JsonSpan>) -> RustcDiagnostic {
    RustcDiagnostic {
        message_type: "diagnostic",
        message: message.to_string(),
        code: None,
        level,
        spans,
        children: Vec::new(),
        rendered: None,
    }
}

/// A span with rustc's conventions: 1-based lines, 1-based character columns (end exclusive),
/// byte offsets into the file as it is on disk, and the full text of every line it covers.
fn span(source: &SourceFile, span: Span, is_primary: bool, label: Option<String>) -> JsonSpan {
    let start = source.location(span.start);
    let end = source.location(span.end);
    let text = (start.line..=end.line)
        .map(|line| {
            let text = source.line_text(line - 1).to_string();
            let highlight_start = if line == start.line { start.column } else { 1 };
            let highlight_end = if line == end.line {
                end.column
            } else {
                text.chars().count() + 1
            };
            SpanLine {
                text,
                highlight_start,
                highlight_end,
            }
        })
        .collect();
    JsonSpan {
        file_name: source.name.clone(),
        byte_start: span.start,
        byte_end: span.end,
        line_start: start.line,
        line_end: end.line,
        column_start: start.column,
        column_end: end.column,
        is_primary,
        text,
        label,
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_outside_any_package_is_named_as_a_cargo_script() {
        let source = SourceFile::new("/ws/my scripts/9-lives.rs", "9-lives.rs", String::new());
        let origin = Origin::standalone(&source);
        // Percent-encoded, as cargo writes `path+file:` sources.
        assert_eq!(
            origin.package_id,
            "path+file:///ws/my%20scripts/9-lives.rs#lives@0.0.0"
        );
        assert_eq!(origin.manifest_path.as_deref(), Some("/ws/my scripts/9-lives.rs"));
        assert_eq!(script_name("tidy_up.v2"), "tidy_up_v2");
        assert_eq!(script_name("clean-up"), "clean-up");
        assert_eq!(script_name("42"), "package");
    }
}
