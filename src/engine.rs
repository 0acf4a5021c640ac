//! Runs the enabled lints over files, in parallel, one file at a time per thread.
//!
//! Each file is independent: read, pre-filtered by a byte scan, parsed, modelled and checked
//! on its own. Whatever goes wrong with one file (unreadable, not UTF-8, not Rust, a panic in
//! a lint) becomes one diagnostic for that file, and the run goes on.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use rayon::prelude::*;

use crate::checker;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Level, Severity};
use crate::lints::{self, Rule};
use crate::model::Model;
use crate::model::catalog::Catalog;
use crate::parse;
use crate::source::{SourceFile, Span, bracket_depth};
use crate::suppress;

/// Codes of diagnostics about the input rather than the code in it.
pub const PARSE_ERROR: &str = "parse_error";
pub const IO_ERROR: &str = "io_error";
pub const INTERNAL_ERROR: &str = "internal_error";

/// Stack for parsing and walking one file: deeply nested code recurses deeply in syn and in
/// the walkers. The memory is reserved, not committed.
const STACK_SIZE: usize = 512 << 20;

pub struct Settings {
    pub catalog: Catalog,
    /// The project's configuration (lint options are read from it).
    pub config: Config,
    /// Level of every rule (rules not listed are at their default).
    pub levels: HashMap<&'static str, Level>,
    /// Skip files that mention no catalog name (they cannot produce a finding).
    pub prefilter: bool,
    /// Worker threads (0: one per core).
    pub jobs: usize,
}

impl Settings {
    pub fn new(catalog: Catalog) -> Settings {
        Settings {
            catalog,
            config: Config::default(),
            levels: HashMap::new(),
            prefilter: true,
            jobs: 0,
        }
    }

    pub fn level(&self, rule: &Rule) -> Level {
        self.levels.get(rule.name).copied().unwrap_or(rule.default_level)
    }

    /// Settings with only `rule` enabled (for tests).
    pub fn only(catalog: Catalog, rule: &Rule) -> Settings {
        let mut settings = Settings::new(catalog);
        for other in lints::ALL {
            settings.levels.insert(
                other.name,
                if other.name == rule.name {
                    Level::Warn
                } else {
                    Level::Allow
                },
            );
        }
        settings
    }

    /// The rules to run, at a level above `allow`.
    pub fn enabled_rules(&self) -> Vec<&'static Rule> {
        lints::ALL
            .iter()
            .copied()
            .filter(|rule| self.level(rule) != Level::Allow)
            .collect()
    }
}

/// One file's findings, with the text they point into.
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Default)]
pub struct Report {
    /// Files with at least one diagnostic, sorted by name.
    pub files: Vec<FileReport>,
    pub files_seen: usize,
    pub files_parsed: usize,
}

impl Report {
    pub fn diagnostic_count(&self) -> usize {
        self.files.iter().map(|f| f.diagnostics.len()).sum()
    }
}

/// Decides from a file's bytes whether it can use any catalog API.
pub struct Prefilter {
    words: AhoCorasick,
    /// Groups of word indices; a file passes if it holds every word of one group.
    groups: Vec<Vec<usize>>,
    /// For each word, the groups it belongs to.
    groups_of_word: Vec<Vec<usize>>,
}

impl Prefilter {
    pub fn new(catalog: &Catalog) -> Prefilter {
        let mut words: Vec<String> = Vec::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut needle_groups = catalog.needle_groups();
        // A suppression comment can be unused, which is itself reported.
        needle_groups.push(vec!["ctxlint".to_string()]);
        for group in needle_groups {
            let indices = group
                .into_iter()
                .map(|word| match words.iter().position(|w| *w == word) {
                    Some(i) => i,
                    None => {
                        words.push(word);
                        words.len() - 1
                    }
                })
                .collect();
            groups.push(indices);
        }
        let mut groups_of_word: Vec<Vec<usize>> = vec![Vec::new(); words.len()];
        for (g, group) in groups.iter().enumerate() {
            for &w in group {
                groups_of_word[w].push(g);
            }
        }
        let words = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(&words)
            .expect("needles build");
        Prefilter {
            words,
            groups,
            groups_of_word,
        }
    }

    /// Whether `text` contains every word of some group, each as a whole identifier.
    pub fn may_match(&self, text: &[u8]) -> bool {
        let mut seen = vec![false; self.groups_of_word.len()];
        for found in self.words.find_overlapping_iter(text) {
            let word = found.pattern().as_usize();
            if seen[word] {
                continue;
            }
            let before = found.start().checked_sub(1).map(|i| text[i]);
            let after = text.get(found.end()).copied();
            if before.is_some_and(is_ident_byte) || after.is_some_and(is_ident_byte) {
                continue;
            }
            seen[word] = true;
            let complete = |&g: &usize| self.groups[g].iter().all(|&w| seen[w]);
            if self.groups_of_word[word].iter().any(complete) {
                return true;
            }
        }
        false
    }
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// What happened to one file.
pub enum Outcome {
    /// Mentions no catalog name: not parsed.
    Skipped,
    Linted(FileReport),
}

/// Deeper bracket nesting than this is rejected before parsing (real code stays far below it;
/// syn and the walkers recurse per level).
pub const MAX_NESTING: usize = 1000;

/// Lints one file's text.
pub fn lint_source(source: SourceFile, settings: &Settings, rules: &[&'static Rule]) -> FileReport {
    let depth = bracket_depth(source.code());
    if depth > MAX_NESTING {
        let message = format!("brackets nest {depth} levels deep here; ctxlint reads up to {MAX_NESTING}");
        let mut diagnostic = Diagnostic::new(PARSE_ERROR, Span::empty_at(source.code_start), message)
            .with_note("ctxlint skipped this file");
        diagnostic.severity = Severity::Error;
        return FileReport {
            source,
            diagnostics: vec![diagnostic],
        };
    }
    // `per_path_ignores` turns rules off file by file.
    let rules: Vec<&'static Rule> = rules
        .iter()
        .copied()
        .filter(|rule| !settings.config.is_ignored(&source.path, rule.name))
        .collect();
    // With the pre-filter, functions nothing of the catalog can enter are left out of the parse.
    let catalog = settings.prefilter.then_some(&settings.catalog);
    let mut diagnostics = match parse::parse(source.code(), catalog) {
        Ok(file) => {
            let model = Model::build(&file, &settings.catalog);
            let mut found = checker::check(&file, &source, &model, &settings.config, &rules);
            suppress::apply(&source, &file, &rules, &mut found);
            found
        }
        Err(error) => vec![parse_error(&source, &error)],
    };
    for diagnostic in &mut diagnostics {
        if let Some(rule) = lints::by_name(diagnostic.rule) {
            diagnostic.severity = settings.level(rule).severity().unwrap_or(Severity::Warning);
        }
    }
    diagnostics.sort_by(|a, b| (a.span, a.rule, &a.message).cmp(&(b.span, b.rule, &b.message)));
    diagnostics.dedup();
    // Spans point into this file's token map; drop it before the next file (memory stays flat).
    proc_macro2::extra::invalidate_current_thread_spans();
    FileReport { source, diagnostics }
}

fn parse_error(source: &SourceFile, error: &syn::Error) -> Diagnostic {
    let range = error.span().byte_range();
    let span = if range.is_empty() && range.start == 0 {
        Span::empty_at(source.code_start)
    } else {
        source.span_from_code(range)
    };
    let mut diagnostic = Diagnostic::new(PARSE_ERROR, span, format!("could not parse this file: {error}"))
        .with_note("ctxlint skipped this file; `cargo check` reports the syntax error in full");
    diagnostic.severity = Severity::Error;
    diagnostic
}

fn file_error(path: &Path, name: String, code: &'static str, message: String) -> FileReport {
    let mut diagnostic = Diagnostic::new(code, Span::default(), message);
    diagnostic.severity = Severity::Error;
    FileReport {
        source: SourceFile::new(path, name, String::new()),
        diagnostics: vec![diagnostic],
    }
}

/// Reads and lints one file; never panics.
pub fn lint_file(
    path: &Path,
    name: String,
    settings: &Settings,
    rules: &[&'static Rule],
    prefilter: Option<&Prefilter>,
) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Outcome::Linted(file_error(
                path,
                name,
                IO_ERROR,
                format!("could not read this file: {error}"),
            ));
        }
    };
    // Checked before the pre-filter, so that unreadable input is reported whatever it mentions.
    let text = match String::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => text,
        Ok(_) => {
            return Outcome::Linted(file_error(
                path,
                name,
                IO_ERROR,
                "this file is binary, not Rust source".into(),
            ));
        }
        Err(error) => {
            let message = format!(
                "this file is not UTF-8 (invalid byte at offset {})",
                error.utf8_error().valid_up_to()
            );
            return Outcome::Linted(file_error(path, name, IO_ERROR, message));
        }
    };
    if let Some(prefilter) = prefilter
        && !prefilter.may_match(text.as_bytes())
    {
        return Outcome::Skipped;
    }
    Outcome::Linted(lint_guarded(SourceFile::new(path, name, text), settings, rules))
}

/// [`lint_source`], with a panic in a lint turned into an `internal_error` diagnostic.
pub fn lint_guarded(source: SourceFile, settings: &Settings, rules: &[&'static Rule]) -> FileReport {
    let (path, name) = (source.path.clone(), source.name.clone());
    install_panic_hook();
    ANALYSING.with(|flag| flag.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| lint_source(source, settings, rules)));
    ANALYSING.with(|flag| flag.set(false));
    result.unwrap_or_else(|_| {
        proc_macro2::extra::invalidate_current_thread_spans();
        let message = LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .unwrap_or_default();
        let mut report = file_error(
            &path,
            name,
            INTERNAL_ERROR,
            format!("ctxlint crashed while linting this file: {message}"),
        );
        report.diagnostics[0]
            .notes
            .push("this is a bug in ctxlint; please report it with the file".into());
        report
    })
}

thread_local! {
    /// Set while this thread analyses a file: a panic then becomes that file's diagnostic.
    static ANALYSING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Turns a panic inside a file's analysis into a message for that file's diagnostic instead
/// of a backtrace on stderr.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if ANALYSING.with(Cell::get) {
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into());
                LAST_PANIC.with(|last| *last.borrow_mut() = Some(format!("{payload}{location}")));
            } else {
                default(info);
            }
        }));
    });
}

/// The worker threads files are linted on (their stacks are deep enough for any file).
pub fn pool(settings: &Settings) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("ctxlint-{i}"))
        .build()
        .expect("thread pool")
}

/// A file to lint and the name to show for it.
pub struct Input {
    pub path: PathBuf,
    pub name: String,
}

/// Lints files in parallel; the report is sorted by file name whatever the thread count.
pub fn lint_inputs<I>(inputs: I, settings: &Settings) -> Report
where
    I: Iterator<Item = Input> + Send,
{
    let rules = settings.enabled_rules();
    let prefilter = settings.prefilter.then(|| Prefilter::new(&settings.catalog));
    let outcomes: Vec<(bool, Option<FileReport>)> = pool(settings).install(|| {
        inputs
            .par_bridge()
            .map(
                |input| match lint_file(&input.path, input.name, settings, &rules, prefilter.as_ref()) {
                    Outcome::Skipped => (false, None),
                    Outcome::Linted(report) => (true, (!report.diagnostics.is_empty()).then_some(report)),
                },
            )
            .collect()
    });
    let mut report = Report {
        files_seen: outcomes.len(),
        files_parsed: outcomes.iter().filter(|(parsed, _)| *parsed).count(),
        files: outcomes.into_iter().filter_map(|(_, file)| file).collect(),
    };
    report.files.sort_by(|a, b| a.source.name.cmp(&b.source.name));
    report
}
