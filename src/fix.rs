//! Applying fixes to a file's text.

use crate::diagnostic::{Applicability, Diagnostic, Edit};

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// MachineApplicable fixes only (`--fix`).
    Safe,
    /// MachineApplicable and MaybeIncorrect fixes (`--fix --unsafe-fixes`).
    Unsafe,
}

impl Mode {
    pub fn applies(self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::MachineApplicable => true,
            Applicability::MaybeIncorrect => self == Mode::Unsafe,
            Applicability::HasPlaceholders => false,
        }
    }
}

/// Applies the fixes of `diagnostics` that `mode` allows. A fix whose edits overlap an earlier
/// fix's is left out whole (a later pass picks it up). Returns the new text and how many fixes
/// were applied.
pub fn apply(text: &str, diagnostics: &[Diagnostic], mode: Mode) -> (String, usize) {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut fixes: Vec<_> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|fix| mode.applies(fix.applicability) && !fix.edits.is_empty())
        .collect();
    fixes.sort_by_key(|fix| fix.edits[0].span.start);
    for fix in fixes {
        let overlaps = fix
            .edits
            .iter()
            .any(|edit| chosen.iter().any(|taken| overlap(edit, taken)));
        if overlaps {
            continue;
        }
        chosen.extend(&fix.edits);
        applied += 1;
    }
    chosen.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in chosen {
        out.push_str(&text[cursor..edit.span.start]);
        out.push_str(&edit.replacement);
        cursor = edit.span.end;
    }
    out.push_str(&text[cursor..]);
    (out, applied)
}

/// Two edits conflict if their ranges intersect, or if both insert at the same point.
fn overlap(a: &Edit, b: &Edit) -> bool {
    if a.span.is_empty() && b.span.is_empty() {
        return a.span.start == b.span.start;
    }
    a.span.start < b.span.end && b.span.start < a.span.end
        || (a.span.is_empty() && b.span.start < a.span.start && a.span.start < b.span.end)
        || (b.span.is_empty() && a.span.start < b.span.start && b.span.start < a.span.end)
}
