//! Applying fixes: to a text ([`apply`]), and to one file's findings round after round until
//! nothing changes ([`fix_report`]).

use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity};
use crate::engine::{self, FileReport, INTERNAL_ERROR, Settings};
use crate::lints::Rule;
use crate::source::{SourceFile, Span};

/// Rounds of fixing per file: overlapping fixes wait for the next round, and a fix may reveal
/// another finding. Real files settle in one or two.
pub const MAX_ROUNDS: usize = 10;

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
/// fix's is left out whole (a later round picks it up). Returns the new text and how many fixes
/// were applied.
pub fn apply(text: &str, diagnostics: &[Diagnostic], mode: Mode) -> (String, usize) {
    let chosen = select(text, diagnostics, mode);
    (splice(text, &chosen), chosen.len())
}

/// The findings whose fixes one round applies: allowed by `mode`, inside the text, and not
/// overlapping a fix that starts earlier.
fn select<'d>(text: &str, diagnostics: &'d [Diagnostic], mode: Mode) -> Vec<&'d Diagnostic> {
    let mut candidates: Vec<(&Diagnostic, &[Edit])> = diagnostics
        .iter()
        .filter_map(|d| {
            let fix = d.fix.as_ref()?;
            let usable =
                mode.applies(fix.applicability) && !fix.edits.is_empty() && well_formed(text, &fix.edits);
            usable.then_some((d, fix.edits.as_slice()))
        })
        .collect();
    candidates.sort_by_key(|(_, edits)| edits[0].span.start);
    let mut chosen: Vec<(&Diagnostic, &[Edit])> = Vec::new();
    for (diagnostic, edits) in candidates {
        let overlaps = edits.iter().any(|edit| {
            chosen
                .iter()
                .flat_map(|(_, taken)| *taken)
                .any(|taken| overlap(edit, taken))
        });
        if !overlaps {
            chosen.push((diagnostic, edits));
        }
    }
    chosen.into_iter().map(|(diagnostic, _)| diagnostic).collect()
}

/// Edits inside the text, on character boundaries, sorted and not overlapping each other.
fn well_formed(text: &str, edits: &[Edit]) -> bool {
    let inside = |at: usize| at <= text.len() && text.is_char_boundary(at);
    edits
        .iter()
        .all(|e| e.span.start <= e.span.end && inside(e.span.start) && inside(e.span.end))
        && edits
            .windows(2)
            .all(|pair| pair[0].span.end <= pair[1].span.start)
}

/// The text with the fixes of `chosen` applied, bottom-up in effect: every edit is placed by its
/// offset in the original text. In a CRLF file, line breaks in replacements become CRLF too.
fn splice(text: &str, chosen: &[&Diagnostic]) -> String {
    let mut edits: Vec<&Edit> = chosen
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|fix| &fix.edits)
        .collect();
    // Stable: insertions at one point keep the order of their fix.
    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let crlf = text.find('\n').is_some_and(|i| text[..i].ends_with('\r'));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in edits {
        out.push_str(&text[cursor..edit.span.start]);
        if crlf {
            push_crlf(&mut out, &edit.replacement);
        } else {
            out.push_str(&edit.replacement);
        }
        cursor = edit.span.end;
    }
    out.push_str(&text[cursor..]);
    out
}

fn push_crlf(out: &mut String, text: &str) {
    let mut previous = None;
    for c in text.chars() {
        if c == '\n' && previous != Some('\r') {
            out.push('\r');
        }
        out.push(c);
        previous = Some(c);
    }
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

/// What fixing one file's findings gives.
pub enum Fixing {
    /// No fix applies.
    Nothing,
    /// The fixed text parses; `report` is its source and the findings that remain in it.
    Fixed { report: FileReport, applied: usize },
    /// A round's fixes gave text that does not parse; the diagnostic names the lint. The file
    /// must be left as it was.
    Broken(Diagnostic),
}

/// Fixes one file's findings in its text (nothing is written): applies the fixes `mode` allows,
/// checks that the result parses, lints it again with `rules` and repeats until no fix applies
/// (at most [`MAX_ROUNDS`] rounds).
pub fn fix_report(report: &FileReport, settings: &Settings, rules: &[&'static Rule], mode: Mode) -> Fixing {
    let mut current: Option<FileReport> = None;
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let from = current.as_ref().unwrap_or(report);
        let chosen = select(&from.source.text, &from.diagnostics, mode);
        if chosen.is_empty() {
            break;
        }
        let source = SourceFile::new(
            &from.source.path,
            from.source.name.clone(),
            splice(&from.source.text, &chosen),
        );
        if let Err(error) = parses(&source) {
            return Fixing::Broken(unparsable(report, from, &chosen, &error));
        }
        applied += chosen.len();
        current = Some(engine::lint_guarded(source, settings, rules));
    }
    match current {
        Some(report) => Fixing::Fixed { report, applied },
        None => Fixing::Nothing,
    }
}

fn parses(source: &SourceFile) -> Result<(), String> {
    let result = syn::parse_str::<syn::File>(source.code())
        .map(drop)
        .map_err(|e| e.to_string());
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

/// The internal diagnostic for a round of fixes (`chosen`, in the text of `from`) that broke
/// the file. It names the lints whose fixes alone break it, or all the round's lints if none
/// does alone.
fn unparsable(original: &FileReport, from: &FileReport, chosen: &[&Diagnostic], error: &str) -> Diagnostic {
    let mut rules: Vec<&'static str> = chosen.iter().map(|d| d.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let breaks_alone = |rule: &&'static str| {
        let own: Vec<&Diagnostic> = chosen.iter().copied().filter(|d| d.rule == *rule).collect();
        let text = splice(&from.source.text, &own);
        parses(&SourceFile::new(&from.source.path, "", text)).is_err()
    };
    let mut culprits: Vec<&'static str> = rules.iter().copied().filter(breaks_alone).collect();
    if culprits.is_empty() {
        culprits = rules;
    }
    let names: Vec<String> = culprits.iter().map(|rule| format!("`ctxlint::{rule}`")).collect();
    let span = original
        .diagnostics
        .iter()
        .find(|d| d.rule == culprits[0])
        .map_or(Span::empty_at(original.source.code_start), |d| d.span);
    let mut diagnostic = Diagnostic::new(
        INTERNAL_ERROR,
        span,
        format!(
            "the fixes of {} would leave this file unparsable, so it was not fixed",
            names.join(" and ")
        ),
    )
    .with_note(format!("the fixed text does not parse: {error}"))
    .with_note("this is a bug in ctxlint; please report it with the file");
    diagnostic.severity = Severity::Error;
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Fix;

    fn finding(edits: Vec<Edit>, applicability: Applicability) -> Diagnostic {
        Diagnostic::new("test", Span::default(), "m").with_fix(Fix::new("f", applicability, edits))
    }

    #[test]
    fn overlapping_fixes_keep_the_first() {
        let text = "abcdef";
        let diagnostics = [
            finding(
                vec![Edit::replace(Span::new(2, 4), "X")],
                Applicability::MachineApplicable,
            ),
            finding(
                vec![Edit::replace(Span::new(0, 3), "Y")],
                Applicability::MachineApplicable,
            ),
            finding(vec![Edit::insert(5, "Z")], Applicability::MachineApplicable),
        ];
        assert_eq!(apply(text, &diagnostics, Mode::Safe), ("YdeZf".to_string(), 2));
    }

    #[test]
    fn applicability_decides_by_mode() {
        let text = "ab";
        let diagnostics = [
            finding(vec![Edit::insert(0, "1")], Applicability::MachineApplicable),
            finding(vec![Edit::insert(1, "2")], Applicability::MaybeIncorrect),
            finding(vec![Edit::insert(2, "3")], Applicability::HasPlaceholders),
        ];
        assert_eq!(apply(text, &diagnostics, Mode::Safe).0, "1ab");
        assert_eq!(apply(text, &diagnostics, Mode::Unsafe).0, "1a2b");
    }

    #[test]
    fn line_breaks_follow_the_file() {
        let text = "a\r\nb\r\n";
        let diagnostics = [finding(
            vec![Edit::insert(3, "x;\n")],
            Applicability::MachineApplicable,
        )];
        assert_eq!(apply(text, &diagnostics, Mode::Safe).0, "a\r\nx;\r\nb\r\n");
        let text = "a\nb\n";
        let diagnostics = [finding(
            vec![Edit::insert(2, "x;\r\n")],
            Applicability::MachineApplicable,
        )];
        assert_eq!(apply(text, &diagnostics, Mode::Safe).0, "a\nx;\r\nb\n");
    }

    #[test]
    fn malformed_fixes_are_left_out() {
        let text = "é";
        let diagnostics = [
            finding(vec![Edit::insert(1, "x")], Applicability::MachineApplicable),
            finding(vec![Edit::insert(9, "x")], Applicability::MachineApplicable),
            finding(
                vec![Edit::replace(Span::new(0, 2), "a"), Edit::insert(1, "b")],
                Applicability::MachineApplicable,
            ),
        ];
        assert_eq!(apply(text, &diagnostics, Mode::Safe), ("é".to_string(), 0));
    }
}
