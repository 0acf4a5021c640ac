//! ctxlint's diagnostics and edits in LSP terms.

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, TextEdit, Url};

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::server::document::LineIndex;
use crate::source::Span;

pub const SOURCE: &str = "ctxlint";

/// A text and its line index: what spans are converted against.
pub struct Text<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
}

impl Text<'_> {
    pub fn range(&self, span: Span) -> lsp_types::Range {
        self.index.range(self.text, span.start, span.end)
    }

    pub fn text_edit(&self, edit: &Edit) -> TextEdit {
        TextEdit::new(self.range(edit.span), edit.replacement.clone())
    }
}

/// The LSP form of a finding: the rule as its code, labels, notes and the fix's message as
/// related information (at the finding when they have no place of their own).
pub fn diagnostic(finding: &Diagnostic, text: &Text, uri: &Url) -> lsp_types::Diagnostic {
    let at = |span: Span, message: String| DiagnosticRelatedInformation {
        location: Location::new(uri.clone(), text.range(span)),
        message,
    };
    let mut related = Vec::new();
    if let Some(label) = &finding.label {
        related.push(at(finding.span, label.clone()));
    }
    related.extend(
        finding
            .labels
            .iter()
            .map(|label| at(label.span, label.message.clone())),
    );
    related.extend(
        finding
            .notes
            .iter()
            .map(|note| at(finding.span, format!("note: {note}"))),
    );
    if let Some(fix) = &finding.fix {
        let span = fix.edits.first().map_or(finding.span, |edit| edit.span);
        related.push(at(span, format!("help: {}", fix.message)));
    }
    lsp_types::Diagnostic {
        range: text.range(finding.span),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
