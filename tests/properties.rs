//! Properties over mutated fixtures: linting never panics, every reported position lies in the
//! file, and fixing (all rounds, re-linting in between) never makes parsing code unparsable and
//! never reports a position outside the fixed file.

mod support;

use ctxlint::diagnostic::Diagnostic;
use ctxlint::engine::{self, INTERNAL_ERROR, Settings};
use ctxlint::fix::{self, Fixing, Mode};
use ctxlint::model::catalog::Catalog;
use ctxlint::source::SourceFile;
use proptest::prelude::*;
use support::fixtures;

/// Lines that bring context APIs into places they were not.
const SNIPPETS: &[&str] = &[
    "    let _ = token.clone().drop_guard();",
    "    let (c, _) = go_lib::context::with_timeout(&ctx, d);",
    "    loop { if token.is_cancelled() { break; } std::thread::sleep(d); }",
    "    let root = tokio_util::sync::CancellationToken::new();",
    "    ctx = ctx.with_value(1);",
    "    for i in 0..3 { let v = ctx.value(\"k\"); }",
    "    // ctxlint: allow(dropped_cancel_guard)",
    "    tokio::select! { _ = token.cancelled() => {}, else => {} }",
    "}",
    "fn extra(token: CancellationToken, n: u8, ctx: Context) {",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Move(usize, usize),
    Insert(usize, usize),
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for mutation in mutations {
        if lines.is_empty() {
            break;
        }
        let at = |i: usize| i % lines.len();
        match *mutation {
            Mutation::Delete(i) => {
                lines.remove(at(i));
            }
            Mutation::Duplicate(i) => {
                let line = lines[at(i)].clone();
                lines.insert(at(i), line);
            }
            Mutation::Move(i, j) => {
                let line = lines.remove(at(i));
                let j = if lines.is_empty() { 0 } else { j % lines.len() };
                lines.insert(j, line);
            }
            Mutation::Insert(i, snippet) => {
                let i = at(i);
                lines.insert(i, SNIPPETS[snippet % SNIPPETS.len()].to_string());
            }
        }
    }
    lines.join("\n")
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::Move(i, j)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, s)| Mutation::Insert(i, s)),
    ]
}

fn check_positions(text: &str, diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for diagnostic in diagnostics {
        prop_assert_ne!(diagnostic.rule, INTERNAL_ERROR, "{}", diagnostic.message);
        let mut spans = vec![diagnostic.span];
        spans.extend(diagnostic.labels.iter().map(|l| l.span));
        spans.extend(diagnostic.fix.iter().flat_map(|f| f.edits.iter().map(|e| e.span)));
        for span in spans {
            prop_assert!(
                span.start <= span.end && span.end <= text.len(),
                "{span:?} outside the file"
            );
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn linting_and_fixing_stay_inside_the_file(
        which in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 0..6),
    ) {
        let fixtures = fixtures();
        let fixture = &fixtures[which % fixtures.len()];
        let text = mutate(&fixture.text, &mutations);
        let settings = Settings::new(Catalog::build(&Catalog::builtin_specs()).unwrap());
        let rules = settings.enabled_rules();
        let report = engine::lint_guarded(SourceFile::new("p.rs", "p.rs", text.clone()), &settings, &rules);
        check_positions(&text, &report.diagnostics)?;
        let parses = syn::parse_file(&text).is_ok();
        match fix::fix_report(&report, &settings, &rules, Mode::Unsafe) {
            Fixing::Nothing => {}
            Fixing::Fixed { report: fixed, .. } => {
                prop_assert!(!parses || syn::parse_file(&fixed.source.text).is_ok());
                check_positions(&fixed.source.text, &fixed.diagnostics)?;
            }
            Fixing::Broken(diagnostic) => {
                prop_assert!(!parses, "a fix broke parsing code: {}\n{text}", diagnostic.message);
            }
        }
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}
