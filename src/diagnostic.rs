//! What a lint reports. Lints build [`Diagnostic`]s; output formats render them; neither knows
//! the other.

use crate::source::Span;

/// How a finding is reported. Levels of *rules* (allow/warn/deny) live in `config`; a reported
/// diagnostic is always a warning or an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule's level, as set by its default, the config and `-A`/`-W`/`-D`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    /// How findings of a rule at this level are reported (`None`: not checked at all).
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// rustc's applicability levels, which rustfix and rust-analyzer read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Safe to apply automatically (`--fix`).
    MachineApplicable,
    /// Valid code that may change behaviour; applied with `--fix --unsafe-fixes`.
    MaybeIncorrect,
    /// Shown to the user, never applied.
    HasPlaceholders,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
            Applicability::HasPlaceholders => "HasPlaceholders",
        }
    }
}

/// Replace the text at `span` with `replacement` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn replace(span: Span, replacement: impl Into<String>) -> Self {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit::replace(Span::empty_at(at), text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Imperative summary, shown as `help: <message>`.
    pub message: String,
    pub applicability: Applicability,
    /// Non-overlapping edits, sorted by position.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(message: impl Into<String>, applicability: Applicability, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
        Fix {
            message: message.into(),
            applicability,
            edits,
        }
    }

    pub fn machine_applicable(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(message, Applicability::MachineApplicable, edits)
    }

    pub fn maybe_incorrect(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(message, Applicability::MaybeIncorrect, edits)
    }

    pub fn has_placeholders(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(message, Applicability::HasPlaceholders, edits)
    }
}

/// A secondary location with an explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule's name, e.g. `dropped_cancel_guard` (rendered as `ctxlint::dropped_cancel_guard`).
    pub rule: &'static str,
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    /// Text under the primary span.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: Severity::Warning,
            span,
            message: message.into(),
            label: None,
            labels: Vec::new(),
            notes: Vec::new(),
            fix: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// The code shown to users and in JSON: `ctxlint::<rule>`.
    pub fn code(&self) -> String {
        format!("ctxlint::{}", self.rule)
    }
}
