//! Applying fixes: to a text ([`apply`]), to one file's findings round after round until nothing
//! changes ([`fix_report`], which the UI harness uses too), and to the files on disk behind
//! `--fix`, `--unsafe-fixes` and `--diff` ([`run`]).
//!
//! The guarantees: a file is only written when its fixed text parses, atomically, and only if it
//! is still what was read; files without an applicable fix are never touched.

mod write;

pub use write::defer_signals;

use std::collections::HashSet;
use std::io::Write;

use rayon::prelude::*;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity};
use crate::engine::{self, FileReport, INTERNAL_ERROR, IO_ERROR, PARSE_ERROR, Report, Settings};
use crate::exit;
use crate::lints::Rule;
use crate::output::{human, plural};
use crate::parse;
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
        if let Err(error) = parses(&source, &from.source, settings) {
            return Fixing::Broken(unparsable(report, from, &chosen, &error, settings));
        }
        applied += resolved(&from.diagnostics, &chosen);
        current = Some(engine::lint_guarded(source, settings, rules));
    }
    match current {
        Some(report) => Fixing::Fixed { report, applied },
        None => Fixing::Nothing,
    }
}

/// How many findings the chosen fixes resolve: the chosen ones, and those carrying the same
/// edits as one of them (a module-wide fix is carried by every finding it resolves).
fn resolved(diagnostics: &[Diagnostic], chosen: &[&Diagnostic]) -> usize {
    let edits = |d: &Diagnostic| d.fix.as_ref().map(|fix| fix.edits.clone());
    let applied: Vec<_> = chosen.iter().filter_map(|d| edits(d)).collect();
    diagnostics
        .iter()
        .filter(|d| edits(d).is_some_and(|e| applied.contains(&e)))
        .count()
}

/// Whether the fixed text parses as well as the text before the fixes (`before`), read as the
/// lint phase read the original: within the same nesting bound, with the same function bodies
/// left out (a body the pre-filter skipped is not parsed now either, so an error or a deep
/// expression in it cannot stop the fix), and with no item that was readable becoming
/// unreadable (a file with an item syn cannot read stays fixable).
fn parses(source: &SourceFile, before: &SourceFile, settings: &Settings) -> Result<(), String> {
    let (depth, _) = crate::source::nesting_depth(source.code());
    if depth > engine::MAX_NESTING {
        return Err(format!("it nests {depth} levels deep"));
    }
    let catalog = settings.prefilter.then_some(&settings.catalog);
    let unreadable = |source: &SourceFile| match parse::parse(source.code(), catalog) {
        Ok(parsed) => Ok(parsed
            .unreadable
            .iter()
            .map(|u| u.error.to_string())
            .collect::<Vec<_>>()),
        Err(error) => Err(error.to_string()),
    };
    let result = match (unreadable(source), unreadable(before)) {
        (Err(error), _) => Err(error),
        (Ok(after), Ok(was)) if after.len() > was.len() => Err(after
            .into_iter()
            .find(|e| !was.contains(e))
            .unwrap_or_else(|| "an item no longer parses".into())),
        (Ok(after), Err(_)) if !after.is_empty() => Err(after[0].clone()),
        _ => Ok(()),
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

/// The internal diagnostic for a round of fixes (`chosen`, in the text of `from`) that broke
/// the file. It names the lints whose fixes alone break it, or all the round's lints if none
/// does alone.
fn unparsable(
    original: &FileReport,
    from: &FileReport,
    chosen: &[&Diagnostic],
    error: &str,
    settings: &Settings,
) -> Diagnostic {
    let mut rules: Vec<&'static str> = chosen.iter().map(|d| d.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let breaks_alone = |rule: &&'static str| {
        let own: Vec<&Diagnostic> = chosen.iter().copied().filter(|d| d.rule == *rule).collect();
        let text = splice(&from.source.text, &own);
        parses(
            &SourceFile::new(&from.source.path, "", text),
            &from.source,
            settings,
        )
        .is_err()
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

/// What `--fix`, `--unsafe-fixes` and `--diff` ask for.
#[derive(clap::Args, Debug, Default)]
pub struct FixArgs {
    /// Apply the fixes that are safe (MachineApplicable), then report the findings that remain.
    #[arg(long, group = "fixing")]
    pub fix: bool,

    /// Also apply fixes that may change behaviour (MaybeIncorrect), with --fix or --diff.
    #[arg(long, requires = "fixing")]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff and write nothing; exit 1 if there is anything to fix.
    #[arg(long, group = "fixing", conflicts_with = "fix")]
    pub diff: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Replace the files.
    Write,
    /// Compute a unified diff per file; write nothing.
    Diff,
}

impl FixArgs {
    /// The mode and action asked for, if any.
    pub fn request(&self) -> Option<(Mode, Action)> {
        let mode = if self.unsafe_fixes {
            Mode::Unsafe
        } else {
            Mode::Safe
        };
        match (self.fix, self.diff) {
            (_, true) => Some((mode, Action::Diff)),
            (true, false) => Some((mode, Action::Write)),
            (false, false) => None,
        }
    }
}

/// What fixing files did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Fixes applied (or, with `--diff`, that would be).
    pub applied: usize,
    /// Files changed.
    pub files: usize,
    /// Findings left whose fix `--unsafe-fixes` would apply.
    pub need_unsafe: usize,
    /// With `--diff`: one unified diff per changed file, in report order.
    pub diffs: Vec<String>,
}

impl Summary {
    /// `fixed 12 findings in 5 files (3 more need --unsafe-fixes)`.
    pub fn line(&self, action: Action) -> Option<String> {
        if self.applied == 0 && self.need_unsafe == 0 {
            return None;
        }
        let verb = match action {
            Action::Write => "fixed",
            Action::Diff => "would fix",
        };
        if self.applied == 0 {
            // `0 fixed (3 more …)` reads oddly: say what is left.
            let need = if self.need_unsafe == 1 { "needs" } else { "need" };
            return Some(format!(
                "{} {need} --unsafe-fixes; none has a safe fix",
                plural(self.need_unsafe, "finding")
            ));
        }
        let mut line = format!(
            "{verb} {} in {}",
            plural(self.applied, "finding"),
            plural(self.files, "file")
        );
        if self.need_unsafe > 0 {
            let need = if self.need_unsafe == 1 { "needs" } else { "need" };
            line.push_str(&format!(" ({} more {need} --unsafe-fixes)", self.need_unsafe));
        }
        Some(line)
    }
}

/// `--fix`/`--diff` after linting: fixes the files of `report` and says so on stderr. With
/// `--fix`, `report` then holds what remains to report and `None` is returned; with `--diff`,
/// the diff is printed and the exit code returned (1 if there is anything to fix).
pub fn run(
    request: (Mode, Action),
    report: &mut Report,
    settings: &Settings,
    exit_zero: bool,
) -> Option<i32> {
    let (mode, action) = request;
    let summary = fix_files(report, settings, &settings.enabled_rules(), mode, action);
    if action == Action::Write {
        if let Some(line) = summary.line(action) {
            eprintln!("{line}");
        }
        return None;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for diff in &summary.diffs {
        let _ = out.write_all(diff.as_bytes());
    }
    let _ = out.flush();
    // Input that could not be read or parsed, and fixes that failed: the diff leaves them out.
    // Unparsed items fail the run only where `parse_error` is denied.
    let mut errors = 0;
    for file in &report.files {
        for diagnostic in file
            .diagnostics
            .iter()
            .filter(|d| [PARSE_ERROR, IO_ERROR, INTERNAL_ERROR].contains(&d.rule))
        {
            eprint!("{}", human::render(diagnostic, &file.source, false));
            if diagnostic.severity == Severity::Error {
                errors += 1;
            }
        }
    }
    if let Some(line) = summary.line(action) {
        eprintln!("{line}");
    }
    let something = summary.applied > 0 || errors > 0;
    Some(if something && !exit_zero {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

/// Fixes, in parallel, every file of `report` that has a fix `mode` allows, re-linting with
/// `rules`. [`Action::Write`] replaces the files and leaves in `report` the findings of the
/// files as they now are on disk (a file that could not be written keeps its findings, plus an
/// error). [`Action::Diff`] leaves `report` with the findings that would remain.
pub fn fix_files(
    report: &mut Report,
    settings: &Settings,
    rules: &[&'static Rule],
    mode: Mode,
    action: Action,
) -> Summary {
    let mut files = std::mem::take(&mut report.files);
    // Discovery lists a path once; a file reached under two names (a symlink) is fixed once.
    let mut seen = HashSet::new();
    files.retain(|file| {
        seen.insert(std::fs::canonicalize(&file.source.path).unwrap_or(file.source.path.clone()))
    });
    let fixed: Vec<(FileReport, Option<Change>)> = engine::pool(settings).install(|| {
        files
            .into_par_iter()
            .map(|file| fix_file(file, settings, rules, mode, action))
            .collect()
    });
    let mut summary = Summary::default();
    for (file, change) in fixed {
        if let Some(change) = change {
            summary.applied += change.applied;
            summary.files += 1;
            summary.diffs.extend(change.diff);
        }
        if mode == Mode::Safe {
            summary.need_unsafe += file
                .diagnostics
                .iter()
                .filter_map(|d| d.fix.as_ref())
                .filter(|fix| fix.applicability == Applicability::MaybeIncorrect)
                .count();
        }
        if !file.diagnostics.is_empty() {
            report.files.push(file);
        }
    }
    summary
}

struct Change {
    applied: usize,
    diff: Option<String>,
}

fn fix_file(
    mut file: FileReport,
    settings: &Settings,
    rules: &[&'static Rule],
    mode: Mode,
    action: Action,
) -> (FileReport, Option<Change>) {
    // A file linted with its package's own configuration is fixed with it too.
    let own = settings.for_file(&file.source.path);
    let own_rules = own.as_ref().map(|own| own.enabled_rules());
    let settings = own.as_deref().unwrap_or(settings);
    let rules = own_rules.as_deref().unwrap_or(rules);
    let (fixed, applied) = match fix_report(&file, settings, rules, mode) {
        Fixing::Nothing => return (file, None),
        Fixing::Broken(diagnostic) => {
            file.diagnostics.push(diagnostic);
            file.diagnostics.sort_by_key(|d| d.span);
            return (file, None);
        }
        Fixing::Fixed { report, applied } => (report, applied),
    };
    if fixed.source.text == file.source.text {
        return (file, None);
    }
    let diff = match action {
        Action::Diff => Some(unified_diff(
            &file.source.name,
            &file.source.text,
            &fixed.source.text,
        )),
        Action::Write => {
            let roots = settings.write_roots.as_deref();
            if let Err(reason) =
                write::replace(&file.source.path, &file.source.text, &fixed.source.text, roots)
            {
                let mut error = Diagnostic::new(
                    IO_ERROR,
                    Span::default(),
                    format!("could not write the fixes to this file: {reason}"),
                )
                .with_note("the file was left as it was");
                error.severity = Severity::Error;
                file.diagnostics.insert(0, error);
                return (file, None);
            }
            None
        }
    };
    (fixed, Some(Change { applied, diff }))
}

/// `--- a/name` / `+++ b/name` and hunks with three lines of context, as `git diff` prints
/// them, so that `git apply` and `patch -p1` take the diff as it is. An absolute name loses its
/// leading `/` under the prefix, as in `git diff --no-index`.
fn unified_diff(name: &str, old: &str, new: &str) -> String {
    // A line end in the name would split the header.
    let name = crate::output::escape::name(name.trim_start_matches('/'));
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
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

    #[test]
    fn summary_line() {
        let summary = Summary {
            applied: 12,
            files: 5,
            need_unsafe: 3,
            diffs: Vec::new(),
        };
        assert_eq!(
            summary.line(Action::Write).unwrap(),
            "fixed 12 findings in 5 files (3 more need --unsafe-fixes)"
        );
        let one = Summary {
            applied: 1,
            files: 1,
            need_unsafe: 1,
            diffs: Vec::new(),
        };
        assert_eq!(
            one.line(Action::Diff).unwrap(),
            "would fix 1 finding in 1 file (1 more needs --unsafe-fixes)"
        );
        let none = Summary {
            need_unsafe: 2,
            ..Summary::default()
        };
        assert_eq!(
            none.line(Action::Write).unwrap(),
            "2 findings need --unsafe-fixes; none has a safe fix"
        );
        assert_eq!(Summary::default().line(Action::Write), None);
    }
}
