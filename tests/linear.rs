//! Inputs shaped to hit a super-linear path cost about what a flat input of the same size
//! costs. Each test compares the two (best of a few runs, one test at a time, a wide margin):
//! a quadratic path makes the shaped input tens of times dearer at these sizes, a linear one
//! keeps it within a small factor. No absolute timings.

use std::time::{Duration, Instant};

use ctxlint::engine::{self, Settings};
use ctxlint::model::catalog::{Catalog, glob_match};
use ctxlint::source::SourceFile;

/// How much dearer than the flat input a shaped one may be.
const MARGIN: f64 = 4.5;

fn settings() -> Settings {
    Settings::new(Catalog::build(&Catalog::builtin_specs()).unwrap())
}

/// One measurement at a time: the tests of this file run on parallel threads, and a
/// comparison of two timings means nothing while another test competes for the cores.
static MEASURING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The best of three wall times of `run`.
fn cost(mut run: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// The cost of linting `text`, on the engine's threads (their stacks fit deep code).
/// Writes `count` files `f{i}.rs`, holding `text(i)`, into a new folder `name` of `dir`.
fn write_files(
    dir: &std::path::Path,
    name: &str,
    count: usize,
    text: impl Fn(usize) -> String,
) -> Vec<std::path::PathBuf> {
    let folder = dir.join(name);
    std::fs::create_dir(&folder).unwrap();
    (0..count)
        .map(|i| {
            let path = folder.join(format!("f{i}.rs"));
            std::fs::write(&path, text(i)).unwrap();
            path
        })
        .collect()
}

/// Eight times the input: about 8 times the cost when linear, about 64 when quadratic.
fn assert_eightfold_is_linear(small: Duration, large: Duration) {
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    assert!(
        ratio < 3.0 * 8.0,
        "{large:?} against {small:?} (ratio {ratio:.1})"
    );
}

fn lint_cost(settings: &Settings, text: &str) -> Duration {
    let rules = settings.enabled_rules();
    let pool = engine::pool(settings);
    cost(|| {
        pool.install(|| {
            let source = SourceFile::new("a.rs", "a.rs", text.to_string());
            let report = engine::lint_source(source, settings, &rules);
            assert!(!report.diagnostics.iter().any(|d| d.rule == engine::PARSE_ERROR));
        })
    })
}

/// A function of plain statements, `bytes` long.
fn flat(bytes: usize) -> String {
    let line = "    let y = x + 1;\n";
    in_function(&line.repeat(bytes / line.len() + 1))
}

/// One function around `body`.
fn in_function(body: &str) -> String {
    format!(
        "use tokio_util::sync::CancellationToken;\nfn f(token: CancellationToken, x: u64) {{\n    let _ = token.drop_guard();\n{body}}}\n"
    )
}

fn assert_linear(name: &str, shaped: &str) {
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let settings = settings();
    let flat = flat(shaped.len());
    let flat_cost = lint_cost(&settings, &flat);
    let shaped_cost = lint_cost(&settings, shaped);
    let ratio = shaped_cost.as_secs_f64() / flat_cost.as_secs_f64().max(1e-3);
    assert!(
        ratio < MARGIN,
        "{name}: {shaped_cost:?} for {} bytes against {flat_cost:?} for {} flat bytes (ratio {ratio:.1})",
        shaped.len(),
        flat.len()
    );
}

/// `model::extent` found the start and end of each link of a chain by walking it again.
#[test]
fn long_chains_are_linear() {
    assert_linear(
        "or chain",
        &in_function(&format!("    let y = x{};\n", " || x".repeat(10_000))),
    );
    assert_linear(
        "casts",
        &in_function(&format!("    let y = x{};\n", " as u64".repeat(5_000))),
    );
    assert_linear(
        "method chain",
        &in_function(&format!("    let y = x{};\n", ".f()".repeat(10_000))),
    );
    // Assignments nest to the right; the depth bound keeps each chain below 1,000 links.
    assert_linear(
        "assignment chains",
        &in_function(&format!("    {}1;\n", "a = ".repeat(900)).repeat(10)),
    );
}

/// `background_in_handler` walked the whole function for each root made in it.
#[test]
fn many_roots_in_one_function_are_linear() {
    assert_linear(
        "roots",
        &in_function(&"    let t = CancellationToken::new();\n".repeat(6_000)),
    );
}

/// `lost_cancel` follows each token through its function and lists the function's early
/// exits: once per token would be quadratic.
#[test]
fn many_spawned_tokens_in_one_function_are_linear() {
    let one = "    let t = CancellationToken::new();\n    tokio::spawn(async move { t.cancelled().await });\n    step()?;\n    t.cancel();\n";
    assert_linear("spawned tokens", &in_function(&one.repeat(1_500)));
}

/// `done_polling` asked, for each `select!`, how its enclosing loop can be left, walking the
/// whole loop each time (41 times a flat file at 150 levels); then, at the deepest nesting
/// ctxlint reads (300 levels), each level's macro body was copied whole by syn's parser with
/// every level below it, and each use of the token looked through all its ancestors for a
/// spawn (5.5–6.2 times; 1.7 now).
#[test]
fn nested_selects_in_a_loop_are_linear() {
    let depth = 300;
    let level = "tokio::select! { _ = token.cancelled() => break, _ = sleep(d) => {\n";
    let body = format!(
        "    loop {{\n{}x();{}\n    }}\n",
        level.repeat(depth),
        "} }".repeat(depth)
    );
    assert_linear("nested select!", &in_function(&body));
}

/// `context_param_order` walked the whole file for the calls of each function it reported.
#[test]
fn many_misordered_functions_are_linear() {
    let mut text = String::from("use tokio_util::sync::CancellationToken;\n");
    for i in 0..6_000 {
        text.push_str(&format!(
            "fn f{i}(x: u64, token: CancellationToken, y: u64) {{ f{i}(x, token, y); }}\n"
        ));
    }
    assert_linear("misordered functions", &text);
}

/// Configuration patterns were matched by backtracking at every `*`: exponential.
#[test]
fn glob_patterns_are_not_exponential() {
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let text = "a".repeat(40);
    let shaped = format!("{}b", "a*".repeat(10));
    let plain = format!("{}b", "a".repeat(20));
    let shaped_cost = cost(|| {
        for _ in 0..200 {
            assert!(!glob_match(&shaped, &text));
        }
    });
    let plain_cost = cost(|| {
        for _ in 0..200 {
            assert!(!glob_match(&plain, &text));
        }
    });
    // Pattern times text at worst: ten stars over forty characters. Backtracking at every
    // star tries millions of splits.
    let ratio = shaped_cost.as_secs_f64() / plain_cost.as_secs_f64().max(1e-6);
    assert!(ratio < 20.0 * MARGIN, "{shaped_cost:?} against {plain_cost:?}");
}

/// The workspace index worked out the root of package-less files once per file: quadratic in
/// the number of files (10,000 one-line files took a minute).
#[test]
fn many_files_outside_any_package_are_linear() {
    use ctxlint::model::workspace::WorkspaceIndex;
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let files =
        |name: &str, count: usize| write_files(dir.path(), name, count, |i| format!("fn f{i}() {{}}\n"));
    let (few, many) = (files("few", 1_000), files("many", 8_000));
    let catalog = Catalog::build(&Catalog::builtin_specs()).unwrap();
    let few_cost = cost(|| drop(WorkspaceIndex::build(&few, &catalog)));
    let many_cost = cost(|| drop(WorkspaceIndex::build(&many, &catalog)));
    assert_eightfold_is_linear(few_cost, many_cost);
}

/// Each file's import of the token is an alias of it, whose path was a pre-filter group of its
/// own that every file naming the token checked: quadratic in the files (100,000 tiny files,
/// a tenth importing the token, took 26 s).
#[test]
fn many_files_importing_the_token_are_linear() {
    use ctxlint::engine::Prefilter;
    use ctxlint::model::workspace::WorkspaceIndex;
    use std::path::PathBuf;
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let text = "use tokio_util::sync::CancellationToken;\nfn f(t: CancellationToken) { t.cancel(); }\n";
    let files = |name: &str, count: usize| write_files(dir.path(), name, count, |_| text.to_string());
    let run = |paths: &[PathBuf]| {
        let mut settings = settings();
        let index = WorkspaceIndex::build(paths, &settings.catalog);
        engine::use_workspace(&mut settings, std::sync::Arc::new(index));
        let prefilter = Prefilter::new(&settings.catalog);
        for path in paths {
            let text = std::fs::read(path).unwrap();
            assert!(prefilter.may_match(&text, |word| settings.sees(word, path)));
        }
    };
    let (few, many) = (files("few", 500), files("many", 4_000));
    let few_cost = cost(|| run(&few));
    let many_cost = cost(|| run(&many));
    assert_eightfold_is_linear(few_cost, many_cost);
}

/// The index asks of each catalog crate's name it finds whether it can name the crate; a
/// `//` comment was looked for back to the start of the line, however long the line.
#[test]
fn crate_names_on_one_long_line_are_linear() {
    use ctxlint::model::workspace::WorkspaceIndex;
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, count: usize| -> Vec<std::path::PathBuf> {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("fn f() {{ {} }}", "let a = core; ".repeat(count))).unwrap();
        vec![path]
    };
    let (short, long) = (file("short.rs", 1_000), file("long.rs", 8_000));
    let catalog = Catalog::build(&Catalog::builtin_specs()).unwrap();
    let short_cost = cost(|| drop(WorkspaceIndex::build(&short, &catalog)));
    let long_cost = cost(|| drop(WorkspaceIndex::build(&long, &catalog)));
    // Eight times the line.
    assert_eightfold_is_linear(short_cost, long_cost);
}
