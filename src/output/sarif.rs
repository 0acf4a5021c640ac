//! SARIF 2.1.0, as GitHub code scanning reads it: one run, a rule descriptor per lint (summary,
//! docs, default level), results with repository-relative URIs, character columns, stable
//! `partialFingerprints` and the fixes as `fixes`.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};

use crate::baseline::Key;
use crate::diagnostic::{Diagnostic, Level, Severity};
use crate::engine::{self, Report};
use crate::lints::{self, Rule};
use crate::paths::relative_name;
use crate::source::{SourceFile, Span};

/// Rule metadata for the diagnostics about input rather than code.
const INPUT_RULES: [(&str, &str, &str); 2] = [
    (
        engine::IO_ERROR,
        "a file could not be read",
        "ctxlint could not read this file (missing, unreadable, binary or not UTF-8), so it was not linted.",
    ),
    (
        engine::INTERNAL_ERROR,
        "ctxlint failed on a file",
        "ctxlint crashed while linting this file; this is a bug in ctxlint. The other files were linted.",
    ),
];

pub fn write(out: &mut dyn Write, report: &Report, root: &Path) -> io::Result<()> {
    let log = log(report, root);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// A log for a run that could not start (a usage error): no results, and
/// `executionSuccessful: false` with the reason, so that code scanning shows the failure.
pub fn write_failed(out: &mut dyn Write, message: &str) -> io::Result<()> {
    let mut log = log(&Report::default(), Path::new("."));
    log["runs"][0]["invocations"][0] = json!({
        "executionSuccessful": false,
        "toolExecutionNotifications": [{ "level": "error", "message": { "text": message } }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn log(report: &Report, root: &Path) -> Value {
    let mut rules: Vec<Value> = lints::ALL.iter().map(|rule| lint_rule(rule)).collect();
    let mut index: HashMap<&str, usize> = lints::ALL
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.name, i))
        .collect();
    let used: Vec<&str> = report
        .files
        .iter()
        .flat_map(|f| &f.diagnostics)
        .map(|d| d.rule)
        .collect();
    for (id, summary, help) in INPUT_RULES {
        if used.contains(&id) {
            index.insert(id, rules.len());
            rules.push(input_rule(id, summary, help));
        }
    }
    let mut results = Vec::new();
    for file in &report.files {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for diagnostic in &file.diagnostics {
            let fingerprint = Key::new(diagnostic, &file.source, root).fingerprint();
            let occurrence = seen.entry(fingerprint.clone()).or_default();
            *occurrence += 1;
            let rule_index = index.get(diagnostic.rule).copied();
            results.push(result(
                diagnostic,
                &file.source,
                root,
                rule_index,
                format!("{fingerprint}:{occurrence}"),
            ));
        }
    }
    let mut driver = json!({
        "name": "ctxlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    let repository = env!("CARGO_PKG_REPOSITORY");
    if !repository.is_empty() {
        driver["informationUri"] = json!(repository);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{ "executionSuccessful": true }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn lint_rule(rule: &Rule) -> Value {
    let docs = rule.explanation();
    let (level, severity) = match rule.default_level {
        Level::Allow => ("none", "recommendation"),
        Level::Warn => ("warning", "warning"),
        Level::Deny => ("error", "error"),
    };
    let mut tags = vec!["ctxlint", "cancellation"];
    tags.extend(rule.group.map(lints::Group::name));
    let mut value = json!({
        "id": rule.name,
        "name": camel_case(rule.name),
        "shortDescription": { "text": sentence(rule.summary) },
        "fullDescription": { "text": what_it_does(&docs).unwrap_or_else(|| sentence(rule.summary)) },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": level },
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": severity,
        }
    });
    if let Some(group) = rule.group {
        value["properties"]["group"] = json!(group.name());
    }
    value
}

fn input_rule(id: &str, summary: &str, help: &str) -> Value {
    json!({
        "id": id,
        "name": camel_case(id),
        "shortDescription": { "text": sentence(summary) },
        "fullDescription": { "text": help },
        "help": { "text": help },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["ctxlint"], "problem.severity": "error" }
    })
}

fn result(
    diagnostic: &Diagnostic,
    source: &SourceFile,
    root: &Path,
    rule_index: Option<usize>,
    fingerprint: String,
) -> Value {
    let uri = uri(&source.path, root);
    let mut result = json!({
        "ruleId": diagnostic.rule,
        "level": match diagnostic.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        },
        "message": { "text": message_text(diagnostic) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": region(source, diagnostic.span),
            }
        }],
        "partialFingerprints": { "ctxlint/v1": fingerprint },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !diagnostic.labels.is_empty() {
        result["relatedLocations"] = diagnostic
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                json!({
                    "id": i,
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region(source, label.span),
                    },
                    "message": { "text": label.message },
                })
            })
            .collect();
    }
    if let Some(fix) = diagnostic.fix.as_ref().filter(|fix| !fix.edits.is_empty()) {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region(source, edit.span),
                    "insertedContent": { "text": edit.replacement },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": sentence(&fix.message) },
            "artifactChanges": [{
                "artifactLocation": { "uri": uri },
                "replacements": replacements,
            }],
            "properties": { "applicability": fix.applicability.as_str() },
        }]);
    }
    result
}

/// The message, with the primary label and notes on their own lines.
fn message_text(diagnostic: &Diagnostic) -> String {
    let mut text = diagnostic.message.clone();
    if let Some(label) = &diagnostic.label {
        text.push_str(&format!("\n{label}"));
    }
    for note in &diagnostic.notes {
        text.push_str(&format!("\nnote: {note}"));
    }
    if let Some(fix) = &diagnostic.fix {
        text.push_str(&format!("\nhelp: {}", fix.message));
    }
    text
}

/// 1-based lines and character columns; the end column is exclusive, as in SARIF.
fn region(source: &SourceFile, span: Span) -> Value {
    let start = source.location(span.start);
    let end = source.location(span.end);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// A relative URI for files below `root`, else a `file:` URI.
fn uri(path: &Path, root: &Path) -> String {
    let name = relative_name(path, root);
    if Path::new(&name).is_absolute() {
        let name = name.replace('\\', "/");
        let name = if name.starts_with('/') {
            name
        } else {
            format!("/{name}")
        };
        format!("file://{}", percent_encode(&name))
    } else {
        percent_encode(&name)
    }
}

/// Escapes everything but unreserved characters and `/`, so that a name holding `:` or `%`
/// stays a relative reference.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The first paragraph of the docs' "What it does" section.
/// The whole "What it does" section as plain text: its paragraphs and list items (which a
/// paragraph ending in `:` introduces), each on one line.
fn what_it_does(docs: &str) -> Option<String> {
    let section = docs.split("## What it does").nth(1)?;
    let mut text = String::new();
    let mut blank = false;
    for line in section.lines().map(str::trim) {
        if line.starts_with("## ") {
            break;
        }
        if line.is_empty() {
            blank = !text.is_empty();
            continue;
        }
        let separator = match () {
            _ if text.is_empty() => "",
            _ if blank => "\n\n",
            _ if line.starts_with("- ") => "\n",
            _ => " ",
        };
        text.push_str(separator);
        text.push_str(line);
        blank = false;
    }
    (!text.is_empty()).then_some(text)
}

/// Capitalised, ending with a period (SARIF messages are sentences).
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn camel_case(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_escaped() {
        let root = Path::new("/repo");
        assert_eq!(uri(Path::new("/repo/src/a b.rs"), root), "src/a%20b.rs");
        assert_eq!(uri(Path::new("/repo/x:y%.rs"), root), "x%3Ay%25.rs");
        assert_eq!(uri(Path::new("/elsewhere/a.rs"), root), "file:///elsewhere/a.rs");
    }

    #[test]
    fn docs_give_descriptions() {
        let docs = "## What it does\nFinds a thing\nthat is bad.\n\nMore.\n\n## Why is this bad?\nx\n";
        assert_eq!(
            what_it_does(docs).as_deref(),
            Some("Finds a thing that is bad.\n\nMore.")
        );
        let list = "## What it does\nFinds:\n\n- one\n  thing;\n- another.\n\n## Example\n";
        assert_eq!(
            what_it_does(list).as_deref(),
            Some("Finds:\n\n- one thing;\n- another.")
        );
        assert_eq!(sentence("a guard is dropped"), "A guard is dropped.");
        assert_eq!(camel_case("dropped_cancel_guard"), "DroppedCancelGuard");
    }
}
