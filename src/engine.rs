//! Runs the enabled lints over files, in parallel, one file at a time per thread.
//!
//! Each file is independent: read, pre-filtered by a byte scan, parsed, modelled and checked
//! on its own. Whatever goes wrong with one file (unreadable, not UTF-8, not Rust, a panic in
//! a lint) becomes one diagnostic for that file, and the run goes on.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once, OnceLock};

use crate::words::Words;
use rayon::prelude::*;

use crate::checker;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Level, Severity};
use crate::lints::{self, Rule};
use crate::model::Model;
use crate::model::catalog::{Catalog, Needles};
use crate::model::workspace::WorkspaceIndex;
use crate::parse;
use crate::source::{SourceFile, Span, nesting_depth};
use crate::suppress;

/// Codes of diagnostics about the input rather than the code in it.
pub const PARSE_ERROR: &str = "parse_error";
pub const IO_ERROR: &str = "io_error";
pub const INTERNAL_ERROR: &str = "internal_error";

/// Stack for parsing and walking one file: deeply nested code recurses deeply in syn and in
/// the walkers. The memory is reserved, not committed.
pub const STACK_SIZE: usize = 512 << 20;

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
    /// What the run's other files declare (see [`index_workspace`]).
    pub workspace: Option<Arc<WorkspaceIndex>>,
    /// Settings for files whose configuration is not the run's (a package's own, layered on
    /// the workspace's).
    pub per_file: Option<PerFile>,
    /// The pre-filter for this catalog, built on first use.
    words: OnceLock<Prefilter>,
    /// Files larger than this many bytes are reported, not read.
    pub max_file_size: u64,
    /// `--fix` writes only files inside these directories (or these files), symlinks resolved;
    /// `None` puts no bound (library use).
    pub write_roots: Option<Vec<PathBuf>>,
}

/// Makes the settings for a directory, or `None` when the run's apply there.
type MakeSettings = Box<dyn Fn(&Path) -> Result<Option<Settings>, String> + Send + Sync>;

/// How a file whose directory has another configuration than the run's is linted: its
/// settings, made once per directory.
pub struct PerFile {
    make: MakeSettings,
    cache: Mutex<HashMap<PathBuf, Option<Arc<Settings>>>>,
    /// Configurations that did not load (the run reports them and exits with 2).
    errors: Mutex<Vec<String>>,
}

impl PerFile {
    pub fn new(make: impl Fn(&Path) -> Result<Option<Settings>, String> + Send + Sync + 'static) -> PerFile {
        PerFile {
            make: Box::new(make),
            cache: Mutex::new(HashMap::new()),
            errors: Mutex::new(Vec::new()),
        }
    }

    /// The configuration errors met so far, each once.
    pub fn take_errors(&self) -> Vec<String> {
        let mut errors = std::mem::take(&mut *self.errors.lock().expect("errors lock"));
        errors.sort();
        errors.dedup();
        errors
    }
}

impl Settings {
    pub fn new(catalog: Catalog) -> Settings {
        Settings {
            catalog,
            config: Config::default(),
            levels: HashMap::new(),
            prefilter: true,
            jobs: 0,
            workspace: None,
            per_file: None,
            words: OnceLock::new(),
            max_file_size: crate::read::DEFAULT_MAX_FILE_SIZE,
            write_roots: None,
        }
    }

    /// The settings for a file whose configuration differs from the run's; `None` when the
    /// run's apply to it.
    pub fn for_file(&self, path: &Path) -> Option<Arc<Settings>> {
        let per_file = self.per_file.as_ref()?;
        let path = crate::paths::absolute(path);
        let dir = path.parent()?.to_path_buf();
        if let Some(known) = per_file.cache.lock().expect("cache lock").get(&dir) {
            return known.clone();
        }
        let made = match (per_file.make)(&dir) {
            // A package's own configuration still sees the rest of the workspace.
            Ok(settings) => settings.map(|mut settings| {
                if let Some(index) = &self.workspace {
                    use_workspace(&mut settings, index.clone());
                }
                Arc::new(settings)
            }),
            Err(error) => {
                per_file.errors.lock().expect("errors lock").push(error);
                None
            }
        };
        per_file
            .cache
            .lock()
            .expect("cache lock")
            .insert(dir, made.clone());
        made
    }

    /// The byte pre-filter over this catalog's names.
    /// Whether code in `path` can write `word` as the workspace declares it.
    pub fn sees(&self, word: &str, path: &Path) -> bool {
        self.workspace
            .as_ref()
            .is_none_or(|index| index.sees(word, index.origin(path)))
    }

    pub fn prefilter(&self) -> &Prefilter {
        self.words.get_or_init(|| Prefilter::new(&self.catalog))
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
    /// Every file this run linted (or read and skipped), findings or not: a baseline keeps
    /// what it knows about the others.
    pub linted: Vec<PathBuf>,
}

impl Report {
    pub fn diagnostic_count(&self) -> usize {
        self.files.iter().map(|f| f.diagnostics.len()).sum()
    }
}

/// Decides from a file's bytes whether it can use any catalog API.
pub struct Prefilter {
    words: Words,
    /// A file passes if it holds every word of one group.
    groups: Vec<Group>,
    /// For each word, the groups it belongs to.
    groups_of_word: Vec<Vec<usize>>,
    /// Whether each word is the crate of some group's path.
    crate_words: Vec<bool>,
    /// Words that are crates named like built-in ones, with the modules their paths go on into
    /// (see `Catalog::builtin_named_crates`).
    builtin_named: HashMap<usize, HashSet<String>>,
}

/// [`Needles`] by word index.
struct Group {
    words: Vec<usize>,
    /// A word the file must be able to write (see `WorkspaceIndex::sees`).
    gate: Option<String>,
    /// A word that must appear where it can name a crate.
    krate: Option<usize>,
}

impl Prefilter {
    pub fn new(catalog: &Catalog) -> Prefilter {
        let mut words: Vec<String> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut needle_groups = catalog.needle_groups();
        // A suppression comment can be unused, which is itself reported.
        needle_groups.push(Needles {
            words: vec!["ctxlint".to_string()],
            gate: None,
            krate: None,
        });
        let mut indices: HashMap<String, usize> = HashMap::new();
        let mut index_of = |word: String| {
            *indices.entry(word).or_insert_with_key(|word| {
                words.push(word.clone());
                words.len() - 1
            })
        };
        for group in needle_groups {
            let krate = group.krate.map(&mut index_of);
            let indices = group.words.into_iter().map(&mut index_of).collect();
            groups.push(Group {
                words: indices,
                gate: group.gate,
                krate,
            });
        }
        let mut groups_of_word: Vec<Vec<usize>> = vec![Vec::new(); words.len()];
        let mut crate_words = vec![false; words.len()];
        for (g, group) in groups.iter().enumerate() {
            for &w in &group.words {
                groups_of_word[w].push(g);
            }
            if let Some(w) = group.krate {
                crate_words[w] = true;
            }
        }
        let builtin_named = catalog
            .builtin_named_crates()
            .into_iter()
            .filter_map(|(krate, modules)| Some((words.iter().position(|w| *w == krate)?, modules)))
            .collect();
        let words = Words::new(&words).expect("needles build");
        Prefilter {
            words,
            groups,
            groups_of_word,
            crate_words,
            builtin_named,
        }
    }

    /// Whether `text` contains every word of some group, each as a whole identifier, where
    /// `sees` says the group's gate word can be written and, for a path, where its crate's
    /// name can name a crate. A crate named like a built-in one counts only where its path may
    /// go on into one of its modules (`core::context`).
    pub fn may_match(&self, text: &[u8], sees: impl Fn(&str) -> bool) -> bool {
        let mut seen = vec![false; self.groups_of_word.len()];
        let mut names_crate = vec![false; self.groups_of_word.len()];
        self.words.any_at(text, |word, at| {
            if self
                .builtin_named
                .get(&word)
                .is_some_and(|modules| !crate::words::may_go_on_into(text, at.end, modules))
            {
                return false;
            }
            let newly_names_crate = self.crate_words[word]
                && !names_crate[word]
                && crate::words::may_name_crate(text, at.clone());
            if seen[word] && !newly_names_crate {
                return false;
            }
            seen[word] = true;
            names_crate[word] |= newly_names_crate;
            let complete = |&g: &usize| {
                let group = &self.groups[g];
                group.words.iter().all(|&w| seen[w])
                    && group.krate.is_none_or(|w| names_crate[w])
                    && group.gate.as_deref().is_none_or(&sees)
            };
            self.groups_of_word[word].iter().any(complete)
        })
    }
}

/// What happened to one file.
pub enum Outcome {
    /// Mentions no catalog name: not parsed.
    Skipped,
    Linted(FileReport),
}

/// Deeper nesting than this ([`nesting_depth`]: brackets, prefix operators, generics, …) is
/// rejected before parsing (real code stays far below it; syn and the walkers recurse per level).
pub const MAX_NESTING: usize = 1000;

/// Lints one file's text.
pub fn lint_source(source: SourceFile, settings: &Settings, rules: &[&'static Rule]) -> FileReport {
    // Debug builds only: lets tests make the analysis panic where the real engine does not, to
    // prove that a panic stays with its file (the server's and the command line's isolation).
    #[cfg(debug_assertions)]
    if let Some(marker) = std::env::var_os("CTXLINT_DEBUG_PANIC_ON")
        && let Some(marker) = marker.to_str()
        && !marker.is_empty()
        && source.text.contains(marker)
    {
        panic!("CTXLINT_DEBUG_PANIC_ON matched this file");
    }
    // `per_path_ignores` turns rules off file by file.
    let rules: Vec<&'static Rule> = rules
        .iter()
        .copied()
        .filter(|rule| !settings.config.is_ignored(&source.path, rule.name))
        .collect();
    let report_unreadable = rules.iter().any(|rule| rule.name == PARSE_ERROR);
    let (depth, at) = nesting_depth(source.code());
    let mut diagnostics = if depth > MAX_NESTING {
        let message =
            format!("the code nests about {depth} levels deep here; ctxlint reads up to {MAX_NESTING}");
        let diagnostic = Diagnostic::new(PARSE_ERROR, Span::empty_at(source.code_start + at), message)
            .with_note("brackets, prefix operators, generics, `return` chains and closures all nest")
            .with_note("nothing in this file was checked");
        let mut found: Vec<Diagnostic> = report_unreadable.then_some(diagnostic).into_iter().collect();
        suppress::apply(&source, &empty_file(), &rules, &[whole(&source)], &mut found);
        found
    } else {
        lint_parsed(&source, settings, &rules, report_unreadable)
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

/// Parses (with item-level recovery), checks and applies suppressions. Items ctxlint could
/// not read become `parse_error` findings when that rule is checked.
fn lint_parsed(
    source: &SourceFile,
    settings: &Settings,
    rules: &[&'static Rule],
    report_unreadable: bool,
) -> Vec<Diagnostic> {
    // With the pre-filter, functions nothing of the catalog can enter are left out of the parse.
    let catalog = settings.prefilter.then_some(&settings.catalog);
    match parse::parse(source.code(), catalog) {
        Ok(parsed) => {
            let mut found = crate::model::extent::memoized(|| {
                let model = match &settings.workspace {
                    Some(index) => {
                        Model::build_in(&parsed.file, &settings.catalog, index, index.origin(&source.path))
                    }
                    None => Model::build(&parsed.file, &settings.catalog),
                };
                checker::check(&parsed.file, source, &model, &settings.config, rules)
            });
            let unread: Vec<Span> = parsed
                .unreadable
                .iter()
                .map(|item| source.span_from_code(item.range.clone()))
                .collect();
            if report_unreadable {
                found.extend(parsed.unreadable.iter().map(|item| unreadable_item(source, item)));
            }
            suppress::apply(source, &parsed.file, rules, &unread, &mut found);
            found
        }
        Err(error) => {
            let mut found: Vec<Diagnostic> = report_unreadable
                .then(|| unreadable_file(source, &error))
                .into_iter()
                .collect();
            suppress::apply(source, &empty_file(), rules, &[whole(source)], &mut found);
            found
        }
    }
}

fn empty_file() -> syn::File {
    syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items: Vec::new(),
    }
}

fn whole(source: &SourceFile) -> Span {
    Span::new(0, source.text.len())
}

fn unreadable_file(source: &SourceFile, error: &syn::Error) -> Diagnostic {
    let range = error.span().byte_range();
    let span = if range.is_empty() && range.start == 0 {
        Span::empty_at(source.code_start)
    } else {
        source.span_from_code(range)
    };
    Diagnostic::new(
        PARSE_ERROR,
        span,
        format!("ctxlint could not parse this file, so nothing in it was checked: {error}"),
    )
}

fn unreadable_item(source: &SourceFile, item: &parse::Unreadable) -> Diagnostic {
    let error_span = source.span_from_code(item.error.span().byte_range());
    let item_span = source.span_from_code(item.range.clone());
    let diagnostic = Diagnostic::new(
        PARSE_ERROR,
        source.span_from_code(item.head.clone()),
        "ctxlint could not parse this item, so it was not checked",
    )
    .with_label("not checked")
    .with_note("the rest of the file was checked");
    if item_span.contains(error_span) {
        diagnostic.with_secondary(error_span, item.error.to_string())
    } else {
        diagnostic.with_note(format!("the parser stopped with: {}", item.error))
    }
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
    let bytes = match crate::read::read_source(path, settings.max_file_size) {
        Ok(bytes) => bytes,
        Err(error) => return Outcome::Linted(file_error(path, name, IO_ERROR, error.to_string())),
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
        && !prefilter.may_match(text.as_bytes(), |word| settings.sees(word, path))
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

/// More worker threads than this many per core only cost memory (each reserves a large stack).
const THREADS_PER_CORE: usize = 4;

/// The threads `-j jobs` gets: one per core for 0, and never more than a few per core.
pub fn thread_count(jobs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if jobs == 0 {
        cores
    } else {
        jobs.min(cores * THREADS_PER_CORE)
    }
}

/// The worker threads files are linted on (their stacks are deep enough for any file).
pub fn pool(settings: &Settings) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(thread_count(settings.jobs))
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

/// Indexes what the run's files (and `others`, the rest of the workspace) declare, and extends
/// the catalog with the workspace's re-exports of catalog items, before linting.
pub fn index_workspace(settings: &mut Settings, inputs: &[Input], others: &[PathBuf]) {
    let files: Vec<PathBuf> = inputs
        .iter()
        .map(|input| input.path.clone())
        .chain(others.iter().cloned())
        .collect();
    let index = pool(settings).install(|| WorkspaceIndex::build(&files, &settings.catalog));
    use_workspace(settings, Arc::new(index));
}

/// Lints with what `index` knows of the workspace: its re-exports extend the catalog.
pub fn use_workspace(settings: &mut Settings, index: Arc<WorkspaceIndex>) {
    settings.catalog =
        settings
            .catalog
            .with_workspace(&index.aliases, index.words.iter().cloned(), &index.holders);
    // The pre-filter's words come from the catalog.
    settings.words = OnceLock::new();
    settings.workspace = Some(index);
}

/// Lints files in parallel; the report is sorted by file name whatever the thread count.
pub fn lint_inputs<I>(inputs: I, settings: &Settings) -> Report
where
    I: Iterator<Item = Input> + Send,
{
    let rules = settings.enabled_rules();
    let outcomes: Vec<(PathBuf, bool, Option<FileReport>)> = pool(settings).install(|| {
        inputs
            .par_bridge()
            .map(|input| {
                // A package's own configuration: its levels, rules and catalog.
                let own = settings.for_file(&input.path);
                let own_rules = own.as_ref().map(|own| own.enabled_rules());
                let settings = own.as_deref().unwrap_or(settings);
                let rules = own_rules.as_deref().unwrap_or(&rules);
                let prefilter = settings.prefilter.then(|| settings.prefilter());
                match lint_file(&input.path, input.name, settings, rules, prefilter) {
                    Outcome::Skipped => (input.path, false, None),
                    Outcome::Linted(report) => {
                        let kept = (!report.diagnostics.is_empty()).then_some(report);
                        (input.path, true, kept)
                    }
                }
            })
            .collect()
    });
    let mut report = Report {
        files_seen: outcomes.len(),
        files_parsed: outcomes.iter().filter(|(_, parsed, _)| *parsed).count(),
        ..Report::default()
    };
    for (path, _, file) in outcomes {
        report.linted.push(path);
        report.files.extend(file);
    }
    // Names are lossy for paths that are not UTF-8: the raw bytes break ties, so the order is
    // the same on every run.
    report.files.sort_by(|a, b| {
        (&a.source.name, a.source.path.as_os_str().as_encoded_bytes())
            .cmp(&(&b.source.name, b.source.path.as_os_str().as_encoded_bytes()))
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path's crate counts where it names a crate, not as a variable of the same name.
    #[test]
    fn a_paths_crate_counts_where_it_names_a_crate() {
        let prefilter = Prefilter::new(Catalog::builtin());
        let passes = |text: &str| prefilter.may_match(text.as_bytes(), |_| true);
        assert!(!passes("fn f(ctx: &mut Context<'_>) { ctx.waker(); }"));
        for text in [
            "use ctx::Context; fn f(ctx: Context) {}",
            "fn f(c: ctx :: Context) {}",
            "use ctx; fn f(c: ctx::Context) {}",
            "use {ctx, std::task::Context};",
            "extern crate ctx; fn f(c: &Context) {}",
        ] {
            assert!(passes(text), "{text}");
        }
    }

    #[test]
    fn thread_count_is_capped_by_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(thread_count(0), cores);
        assert_eq!(thread_count(1), 1);
        assert_eq!(thread_count(5000), cores * THREADS_PER_CORE);
    }
}
