//! UI tests: every fixture under `testdata/<lint>/` is linted with that lint alone; the
//! findings must start exactly on the marked lines, the fixes must give the `.fixed` file (and
//! a second round must change nothing), and pinned `.stderr` renderings must match.

mod support;

use std::collections::BTreeMap;

use ctxlint::config;
use ctxlint::engine::{self, Settings};
use ctxlint::fix::{self, Fixing, Mode};
use ctxlint::lints;
use ctxlint::model::catalog::Catalog;
use ctxlint::output::{self, Format, Options};
use ctxlint::source::SourceFile;
use support::{Fixture, blessing, fixtures};

fn settings_for(fixture: &Fixture) -> Settings {
    let rule = lints::by_name(&fixture.lint)
        .unwrap_or_else(|| panic!("testdata/{}: no lint of that name", fixture.lint));
    let mut specs = Catalog::builtin_specs();
    let config = fixture
        .config()
        .map(|path| config::load(&path).expect("fixture config"));
    if let Some(config) = &config {
        specs.extend(config.api.iter().cloned());
    }
    let mut settings = Settings::only(Catalog::build(&specs).expect("catalog"), rule);
    if let Some(config) = config {
        // Levels a fixture sets for other rules (suppression fixtures need the rules they
        // suppress).
        for (name, level) in &config.rules {
            settings
                .levels
                .insert(lints::by_name(name).expect("known rule").name, *level);
        }
        settings.config = config;
    }
    settings
}

fn lint(fixture: &Fixture, text: String) -> engine::FileReport {
    let mut settings = settings_for(fixture);
    // As the command line does: the file's own declarations are indexed first.
    let input = engine::Input {
        path: fixture.path.clone(),
        name: fixture.name(),
    };
    engine::index_workspace(&mut settings, &[input], &[]);
    let rules = settings.enabled_rules();
    let source = SourceFile::new(&fixture.path, fixture.name(), text);
    engine::lint_source(source, &settings, &rules)
}

fn check(fixture: &Fixture) -> Vec<String> {
    let mut failures = Vec::new();
    let report = lint(fixture, fixture.text.clone());
    let name = fixture.name();

    // Findings: exactly the marked lines.
    let mut actual: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for diagnostic in &report.diagnostics {
        let line = report.source.location(diagnostic.span.start).line;
        *actual.entry((line, diagnostic.rule.to_string())).or_insert(0) += 1;
    }
    for (key, &count) in &fixture.expected {
        let found = actual.get(key).copied().unwrap_or(0);
        if found != count {
            failures.push(format!(
                "{name}:{}: expected {count} `{}` finding(s), found {found}",
                key.0, key.1
            ));
        }
    }
    for (key, &count) in &actual {
        if !fixture.expected.contains_key(key) {
            let shown: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| report.source.location(d.span.start).line == key.0)
                .map(|d| d.message.clone())
                .collect();
            failures.push(format!(
                "{name}:{}: unexpected {count} `{}` finding(s): {}",
                key.0,
                key.1,
                shown.join("; ")
            ));
        }
    }

    // Every finding has a fix whose edits lie inside the file.
    for diagnostic in &report.diagnostics {
        match &diagnostic.fix {
            // Code ctxlint cannot read has nothing to fix.
            None if diagnostic.rule == "parse_error" => {}
            None => failures.push(format!("{name}: finding without a fix: {}", diagnostic.message)),
            Some(fix) if fix.edits.iter().any(|e| e.span.end > fixture.text.len()) => {
                failures.push(format!("{name}: fix outside the file: {}", diagnostic.message))
            }
            Some(_) => {}
        }
    }

    // Fixes, through the same rounds as `--fix` (the CLI also writes, see tests/fix.rs).
    let mode = if fixture.unsafe_fixes {
        Mode::Unsafe
    } else {
        Mode::Safe
    };
    let settings = settings_for(fixture);
    let rules = settings.enabled_rules();
    let fixed_path = fixture.sibling("fixed");
    match fix::fix_report(&report, &settings, &rules, mode) {
        Fixing::Fixed { report: fixed, .. } => {
            let fixed = fixed.source.text;
            if blessing() {
                std::fs::write(&fixed_path, &fixed).unwrap();
            } else {
                match std::fs::read_to_string(&fixed_path) {
                    Ok(expected) if expected == fixed => {}
                    Ok(_) => failures.push(format!(
                        "{name}: fixes do not give {} (CTXLINT_BLESS=1 to update)",
                        fixed_path.display()
                    )),
                    Err(_) => failures.push(format!(
                        "{name}: fixes apply but {} is missing",
                        fixed_path.display()
                    )),
                }
            }
            // Fixing stops only when no fix applies any more.
            let again = lint(fixture, fixed);
            if !matches!(fix::fix_report(&again, &settings, &rules, mode), Fixing::Nothing) {
                failures.push(format!("{name}: fixing the fixed file changes it again"));
            }
        }
        Fixing::Broken(diagnostic) => failures.push(format!("{name}: {}", diagnostic.message)),
        Fixing::Nothing if fixed_path.exists() => failures.push(format!(
            "{name}: no fix applies, but {} exists",
            fixed_path.display()
        )),
        Fixing::Nothing => {}
    }

    // Pinned human rendering.
    let stderr_path = fixture.sibling("stderr");
    if stderr_path.exists() {
        let mut rendered = Vec::new();
        output::write_file(&mut rendered, &report, &Options::new(Format::Human, false)).unwrap();
        let rendered = String::from_utf8(rendered).unwrap();
        if blessing() {
            std::fs::write(&stderr_path, &rendered).unwrap();
        } else if std::fs::read_to_string(&stderr_path).unwrap() != rendered {
            failures.push(format!(
                "{name}: rendering differs from {} (CTXLINT_BLESS=1 to update):\n{rendered}",
                stderr_path.display()
            ));
        }
    }
    failures
}

#[test]
fn ui_fixtures() {
    let fixtures = fixtures();
    assert!(!fixtures.is_empty(), "no fixtures found");
    let failures: Vec<String> = fixtures.iter().flat_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_lint_has_fixtures() {
    let fixtures = fixtures();
    for rule in lints::ALL {
        let flagged: usize = fixtures
            .iter()
            .filter(|f| f.lint == rule.name)
            .flat_map(|f| f.expected.values())
            .sum();
        assert!(flagged > 0, "{} has no must-flag fixture", rule.name);
    }
}
