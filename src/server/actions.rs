//! Code actions: each finding's fix as a quick fix, a suppression comment, and fix-all.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionDisabled, CodeActionKind, CodeActionOrCommand, TextEdit, Url, WorkspaceEdit,
};

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::engine::FileReport;
use crate::fix::{self, Fixing, Mode};
use crate::lex::{self, Kind, Token};
use crate::lints;
use crate::server::convert::{self, Text};
use crate::server::document::LineIndex;
use crate::server::workspace::Setup;
use crate::source::{SourceFile, Span};

/// The kind of the action that applies every safe fix.
pub const FIX_ALL: &str = "source.fixAll.ctxlint";

/// What a `textDocument/codeAction` request asks about.
pub struct Request<'a> {
    pub uri: &'a Url,
    /// The selection or cursor.
    pub range: lsp_types::Range,
    /// The diagnostics the client shows there.
    pub diagnostics: &'a [lsp_types::Diagnostic],
    /// The kinds asked for (`None`: all).
    pub only: Option<&'a [CodeActionKind]>,
    /// Whether the client shows disabled actions with their reason.
    pub disabled_support: bool,
}

impl Request<'_> {
    fn wants(&self, kind: &CodeActionKind) -> bool {
        let Some(only) = self.only else {
            return true;
        };
        only.iter().any(|asked| {
            let (kind, asked) = (kind.as_str(), asked.as_str());
            kind == asked || kind.strip_prefix(asked).is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

pub fn code_actions(
    report: &FileReport,
    index: &LineIndex,
    setup: &Setup,
    request: &Request,
) -> Vec<CodeActionOrCommand> {
    let text = Text {
        text: &report.source.text,
        index,
    };
    let (start, end) = index.offsets(text.text, request.range);
    // Lexed once for every suppression (a selection may hold many findings).
    let mut tokens: Option<Vec<Token>> = None;
    let mut actions = Vec::new();
    for finding in &report.diagnostics {
        let lsp = convert::diagnostic(finding, &text, request.uri);
        let shown = request
            .diagnostics
            .iter()
            .any(|d| d.range == lsp.range && d.code == lsp.code && d.message == lsp.message);
        // Inclusive: a cursor at either end of a finding is on it.
        let touched = finding.span.start <= end && start <= finding.span.end;
        if !(touched || shown) {
            continue;
        }
        if request.wants(&CodeActionKind::QUICKFIX) {
            if let Some(action) = quick_fix(finding, &lsp, &text, request) {
                actions.push(action);
            }
            let tokens = tokens.get_or_insert_with(|| lex::tokens(&report.source.text).collect());
            if let Some(action) = suppression(finding, &lsp, &report.source, tokens, &text, request.uri) {
                actions.push(action);
            }
        }
    }
    if request.wants(&CodeActionKind::from(FIX_ALL))
        && let Some(action) = fix_all(report, &text, setup, request.uri)
    {
        actions.push(action);
    }
    actions.into_iter().map(CodeActionOrCommand::CodeAction).collect()
}

fn workspace_edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The finding's fix: preferred if safe, titled as risky if it may change behaviour, and shown
/// disabled if it has placeholders to fill in.
fn quick_fix(
    finding: &Diagnostic,
    lsp: &lsp_types::Diagnostic,
    text: &Text,
    request: &Request,
) -> Option<CodeAction> {
    let fix = finding.fix.as_ref()?;
    let message = capitalised(&fix.message);
    let edits: Vec<TextEdit> = fix.edits.iter().map(|edit| text.text_edit(edit)).collect();
    let mut action = CodeAction {
        title: message.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![lsp.clone()]),
        edit: (!edits.is_empty()).then(|| workspace_edit(request.uri, edits)),
        ..CodeAction::default()
    };
    match fix.applicability {
        Applicability::MachineApplicable => action.is_preferred = Some(true),
        Applicability::MaybeIncorrect => action.title = format!("{message} (may change behaviour)"),
        Applicability::HasPlaceholders => {
            action.title = format!("{message} (has placeholders: edit by hand)");
            action.disabled = Some(CodeActionDisabled {
                reason: "this suggestion has placeholders to fill in; it is not applied automatically".into(),
            });
            // A client that cannot show it disabled would apply it: give it nothing to apply.
            if !request.disabled_support {
                action.edit = None;
            }
        }
    }
    Some(action)
}

/// "Suppress `rule` on this line": an allow comment after the code, added to one already
/// there, or on a line of its own above when the line ends in another comment or inside a
/// multi-line literal.
fn suppression(
    finding: &Diagnostic,
    lsp: &lsp_types::Diagnostic,
    source: &SourceFile,
    tokens: &[Token],
    text: &Text,
    uri: &Url,
) -> Option<CodeAction> {
    let rule = lints::by_name(finding.rule)?.name;
    let edit = suppression_edit(source, tokens, finding.span.start, rule);
    Some(CodeAction {
        title: format!("Suppress `{rule}` on this line"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![lsp.clone()]),
        edit: Some(workspace_edit(uri, vec![text.text_edit(&edit)])),
        ..CodeAction::default()
    })
}

/// `tokens`: the file's, in order.
fn suppression_edit(source: &SourceFile, tokens: &[Token], at: usize, rule: &str) -> Edit {
    let line = source.line_index(at);
    let range = source.line_range(line);
    // The last token that starts before the line's end, if it reaches into the line.
    let before_end = tokens.partition_point(|token| token.start < range.end);
    let last = before_end
        .checked_sub(1)
        .map(|i| tokens[i])
        .filter(|token| token.end > range.start);
    let above = || {
        let indent = source.indent_at(at);
        Edit::insert(
            range.start,
            format!("{indent}// ctxlint: allow({rule}){}", source.newline()),
        )
    };
    match last {
        // The line ends inside a string or block comment.
        Some(token) if token.end > range.end => above(),
        Some(token) if matches!(token.kind, Kind::LineComment { .. }) => {
            match existing_list_end(source, Span::new(token.start, token.end)) {
                Some(close) => Edit::insert(close, format!(", {rule}")),
                None => above(),
            }
        }
        _ => Edit::insert(range.end, format!(" // ctxlint: allow({rule})")),
    }
}

/// Where the list of an `// ctxlint: allow(…)` comment ends (its `)`), to add a rule to it.
fn existing_list_end(source: &SourceFile, comment: Span) -> Option<usize> {
    let body = source.slice(comment).strip_prefix("//")?.trim_start();
    let rest = body.strip_prefix("ctxlint:")?.trim_start();
    let list = rest.strip_prefix("allow")?.trim_start().strip_prefix('(')?;
    let close = list.find(')')?;
    let list_start = comment.end - list.len();
    Some(list_start + close)
}

/// Every safe fix of the document, as one edit of the part that changes.
fn fix_all(report: &FileReport, text: &Text, setup: &Setup, uri: &Url) -> Option<CodeAction> {
    let safe = |d: &Diagnostic| {
        d.fix
            .as_ref()
            .is_some_and(|fix| fix.applicability == Applicability::MachineApplicable)
    };
    if !report.diagnostics.iter().any(safe) {
        return None;
    }
    let Fixing::Fixed { report: fixed, .. } =
        fix::fix_report(report, &setup.settings, &setup.rules, Mode::Safe)
    else {
        return None;
    };
    let edit = changed_part(text.text, &fixed.source.text)?;
    Some(CodeAction {
        title: "Fix all safe ctxlint findings".into(),
        kind: Some(CodeActionKind::from(FIX_ALL)),
        edit: Some(workspace_edit(uri, vec![text.text_edit(&edit)])),
        ..CodeAction::default()
    })
}

/// The smallest single replacement turning `old` into `new` (`None`: they are equal).
fn changed_part(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(Edit::replace(
        Span::new(prefix, old.len() - suffix),
        &new[prefix..new.len() - suffix],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suppressed(text: &str, at: &str, rule: &str) -> String {
        let source = SourceFile::new("a.rs", "a.rs", text.to_string());
        let tokens: Vec<Token> = lex::tokens(text).collect();
        let edit = suppression_edit(&source, &tokens, text.find(at).unwrap(), rule);
        let mut out = text.to_string();
        out.replace_range(edit.span.range(), &edit.replacement);
        out
    }

    #[test]
    fn suppression_comments() {
        assert_eq!(
            suppressed("fn f() {\n    let _ = g();\n}\n", "let", "value_chain"),
            "fn f() {\n    let _ = g(); // ctxlint: allow(value_chain)\n}\n"
        );
        assert_eq!(
            suppressed(
                "    let _ = g(); // ctxlint: allow(value_chain)\r\n",
                "let",
                "derive_in_loop"
            ),
            "    let _ = g(); // ctxlint: allow(value_chain, derive_in_loop)\r\n"
        );
        assert_eq!(
            suppressed(
                "fn f() {\r\n    let _ = g(); // why\r\n}\r\n",
                "let",
                "value_chain"
            ),
            "fn f() {\r\n    // ctxlint: allow(value_chain)\r\n    let _ = g(); // why\r\n}\r\n"
        );
        assert_eq!(
            suppressed("    let _ = g(\"a\n b\");\n", "let", "value_chain"),
            "    // ctxlint: allow(value_chain)\n    let _ = g(\"a\n b\");\n"
        );
    }

    #[test]
    fn changed_part_is_minimal() {
        let edit = changed_part("let _ = a;", "let _guard = a;").unwrap();
        assert_eq!((edit.span, edit.replacement.as_str()), (Span::new(5, 5), "guard"));
        let edit = changed_part("aéb", "aüb").unwrap();
        assert_eq!((edit.span, edit.replacement.as_str()), (Span::new(1, 3), "ü"));
        assert!(changed_part("x", "x").is_none());
    }
}
