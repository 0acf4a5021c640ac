//! The command line: argument parsing, and the glue from arguments to the library.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::cargo::package::Packages;
use crate::config;
use crate::diagnostic::Level;
use crate::discover;
use crate::engine::{self, Settings};
use crate::exit;
use crate::finish::{Finish, quiet_on_broken_pipe};
use crate::fix;
use crate::lints;
use crate::model::catalog::Catalog;
use crate::output::{Format, Options, plural};

#[derive(Parser, Debug)]
#[command(
    name = "ctxlint",
    version,
    about = "Lints Rust code that passes contexts and cancellation tokens around",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the lints with their level here (the configuration found from the current
    /// directory applied) and a summary.
    Rules,
    /// Print a lint's documentation.
    Explain {
        /// The lint's name, e.g. `dropped_cancel_guard`.
        rule: String,
    },
    /// Run the language server on stdin/stdout (diagnostics as you type, quick fixes).
    Server {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files and directories to lint.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// human, short, json (cargo's JSON messages; also json-diagnostic-rendered-ansi and
    /// friends), sarif (SARIF 2.1.0) or github (GitHub Actions annotations).
    #[arg(long, value_name = "FMT", default_value = "human")]
    message_format: String,

    /// Colour: auto (on a terminal), always or never. `NO_COLOR`, `CLICOLOR_FORCE` and
    /// `CARGO_TERM_COLOR` are honoured when this is auto.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    color: ColorWhen,

    /// Exit with 0 even when findings are reported.
    #[arg(long)]
    exit_zero: bool,

    /// Set a rule, or a group (correctness, suspicious, perf, style, pedantic), to allow (not
    /// checked). Repeatable.
    #[arg(short = 'A', long = "allow", value_name = "RULE")]
    allow: Vec<String>,

    /// Set a rule or a group to warn. Repeatable.
    #[arg(short = 'W', long = "warn", value_name = "RULE")]
    warn: Vec<String>,

    /// Set a rule or a group to deny (reported as an error); `-D warnings` denies every
    /// enabled rule.
    #[arg(short = 'D', long = "deny", value_name = "RULE")]
    deny: Vec<String>,

    /// Parse every file, even those that mention no context API (for checking the pre-filter).
    #[arg(long)]
    no_prefilter: bool,

    /// Print how many files were found and parsed (to stderr).
    #[arg(long)]
    stats: bool,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,

    #[command(flatten)]
    fix: fix::FixArgs,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// Record the current findings in this baseline file, report nothing and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Parses arguments with clap. `--help` and `--version` print and give exit code 0, usage
/// errors print and give 2.
pub(crate) fn parse_args<T: FromArgMatches>(
    command: clap::Command,
    args: impl IntoIterator<Item = OsString>,
) -> Result<(T, ArgMatches), i32> {
    let matches = command.try_get_matches_from(args).map_err(|error| {
        let _ = error.print();
        if error.use_stderr() {
            exit::ERROR
        } else {
            exit::CLEAN
        }
    })?;
    let parsed = T::from_arg_matches(&matches).map_err(|error| {
        let _ = error.print();
        exit::ERROR
    })?;
    Ok((parsed, matches))
}

/// Runs `ctxlint` with these arguments (the program name first) and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let (cli, matches) = match parse_args::<Cli>(Cli::command(), args) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    match cli.command {
        Some(Command::Rules) => list_rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Server { stdio: _ }) => crate::server::run(),
        None => match check(cli.check, &matches) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                exit::ERROR
            }
        },
    }
}

fn list_rules() -> i32 {
    // A broken configuration does not hide the list: it is said, and defaults are shown.
    let loaded = config::discover(std::path::Path::new(".")).unwrap_or_else(|error| {
        eprintln!("warning: {error}; showing default levels");
        config::Loaded::default()
    });
    let width = lints::ALL.iter().map(|rule| rule.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for rule in lints::ALL {
        let level = loaded.config.rule_level(rule).unwrap_or(rule.default_level);
        let changed = if level == rule.default_level {
            ""
        } else {
            " (configured)"
        };
        text.push_str(&format!(
            "{:width$}  {:5}  {:11}  {}{changed}\n",
            rule.name,
            level.as_str(),
            rule.group.map_or("-", lints::Group::name),
            rule.summary
        ));
    }
    let groups: Vec<&str> = lints::Group::ALL.iter().map(|group| group.name()).collect();
    text.push_str(&format!(
        "\ngroups (for -A/-W/-D and [rules]): {}; pedantic rules are allowed by default\n",
        groups.join(", ")
    ));
    print(&text)
}

fn explain(name: &str) -> i32 {
    let Some(rule) = lints::by_name(name.strip_prefix("ctxlint::").unwrap_or(name)) else {
        eprintln!("error: unknown rule `{name}` (`ctxlint rules` lists them)");
        return exit::ERROR;
    };
    let level = match rule.group {
        Some(group) => format!(
            "Group: {}. Default level: {}.",
            group.name(),
            rule.default_level.as_str()
        ),
        None => format!("Default level: {}.", rule.default_level.as_str()),
    };
    print(&format!("# {}\n\n{level}\n\n{}", rule.name, rule.explanation()))
}

/// Writes `text` to stdout; a closed pipe (`ctxlint rules | head -1`) is no error.
fn print(text: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match quiet_on_broken_pipe(out.write_all(text.as_bytes()).and_then(|()| out.flush())) {
        Ok(()) => exit::CLEAN,
        Err(message) => {
            eprintln!("error: {message}");
            exit::ERROR
        }
    }
}

fn check(args: CheckArgs, matches: &ArgMatches) -> Result<i32, String> {
    let message_format = MessageFormat::parse(&args.message_format)?;
    // A path that does not exist is a typo: a usage error, whatever `--exit-zero` says, and a
    // failed run for code scanning.
    if let Some(missing) = args.paths.iter().find(|path| !path.exists()) {
        let message = format!("`{}`: no such file or directory", missing.display());
        if message_format.format == Format::Sarif {
            let stdout = std::io::stdout();
            crate::output::sarif::write_failed(&mut stdout.lock(), &message)
                .map_err(|e| format!("cannot write the report: {e}"))?;
        }
        return Err(message);
    }
    let loaded = config::discover(
        args.paths
            .first()
            .map_or(std::path::Path::new("."), PathBuf::as_path),
    )
    .map_err(|e| e.to_string())?;
    let layers = loaded.layers.clone();
    let mut settings = settings(loaded, matches)?;
    settings.prefilter = !args.no_prefilter;
    settings.jobs = args.jobs.unwrap_or(0);
    settings.per_file = Some(per_package(layers, matches, settings.prefilter));

    discover::unreadable_roots(&args.paths)?;
    if let Some((_, fix::Action::Write)) = args.fix.request() {
        // Before any thread starts: they inherit the deferral.
        fix::defer_signals();
        settings.write_roots = Some(
            args.paths
                .iter()
                .filter_map(|p| std::fs::canonicalize(p).ok())
                .collect(),
        );
    }
    let notes = discover::Notes::default();
    let settings_ref = &settings;
    let inputs = discover::files(&args.paths, notes.clone(), |path| {
        !is_excluded(settings_ref, path)
    });
    let indexing = std::time::Instant::now();
    engine::index_workspace(&mut settings, &inputs, &[]);
    let indexing = indexing.elapsed();
    let mut report = engine::lint_inputs(inputs.into_iter(), &settings);
    config_errors(&settings)?;
    for note in notes.take() {
        eprintln!("note: {note}");
    }
    if args.stats {
        let scanned = settings.workspace.as_ref().map_or(0, |index| index.files_scanned);
        let rounds = settings.workspace.as_ref().map_or(String::new(), |index| {
            let counts: Vec<String> = index.rounds.iter().map(usize::to_string).collect();
            format!(
                " ({} rounds: {}; {} read)",
                index.rounds.len(),
                counts.join(" + "),
                plural(index.files_read, "file")
            )
        });
        eprintln!(
            "ctxlint: workspace index: {} scanned{rounds} in {} ms",
            plural(scanned, "file"),
            indexing.as_millis()
        );
        eprintln!(
            "ctxlint: {}, {} parsed, {}",
            plural(report.files_seen, "file"),
            report.files_parsed,
            plural(report.diagnostic_count(), "finding")
        );
    }
    if let Some(request) = args.fix.request()
        && let Some(code) = fix::run(request, &mut report, &settings, args.exit_zero)
    {
        return Ok(code);
    }
    let mut options = message_format.options(args.color);
    if options.format == Format::Json {
        // JSON names each file's cargo package and target, as cargo would.
        let mut packages = Packages::default();
        for file in &report.files {
            if let Some(origin) = packages.origin(&file.source.path) {
                options.origins.insert(file.source.name.clone(), Arc::new(origin));
            }
        }
    }
    let finish = Finish {
        baseline: args.baseline,
        write_baseline: args.write_baseline,
        exit_zero: args.exit_zero,
    };
    let stdout = std::io::stdout();
    let code = finish.report(report, &options, &mut stdout.lock());
    // The process ends next: freeing the workspace index node by node would only cost time.
    std::mem::forget(settings);
    code
}

/// Settings for the files whose configuration is not the run's (`layers`): a package's own,
/// layered on the workspace's, with the same flags.
pub(crate) fn per_package(layers: Vec<PathBuf>, matches: &ArgMatches, prefilter: bool) -> engine::PerFile {
    let matches = matches.clone();
    let discovery = config::Discovery::default();
    engine::PerFile::new(move |dir| {
        let loaded = discovery.discover(dir).map_err(|e| e.to_string())?;
        if loaded.layers == layers {
            return Ok(None);
        }
        let mut settings = settings(loaded, &matches)?;
        settings.prefilter = prefilter;
        Ok(Some(settings))
    })
}

/// Whether the configuration that applies to `path` leaves it out.
pub(crate) fn is_excluded(settings: &Settings, path: &std::path::Path) -> bool {
    match settings.for_file(path) {
        Some(own) => own.config.is_excluded(path),
        None => settings.config.is_excluded(path),
    }
}

/// A package configuration that did not load is an error of the run (exit code 2).
pub(crate) fn config_errors(settings: &Settings) -> Result<(), String> {
    let errors = settings
        .per_file
        .as_ref()
        .map(engine::PerFile::take_errors)
        .unwrap_or_default();
    match errors.split_last() {
        None => Ok(()),
        Some((last, others)) => {
            for error in others {
                eprintln!("error: {error}");
            }
            Err(last.clone())
        }
    }
}

/// The catalog, rule levels (config, then `-A`/`-W`/`-D`) and configuration of a run.
pub(crate) fn settings(loaded: config::Loaded, matches: &ArgMatches) -> Result<Settings, String> {
    let mut settings = configured(loaded)?;
    apply_level_flags(&mut settings, matches)?;
    Ok(settings)
}

/// The catalog, rule levels and configuration that a loaded configuration gives (no flags).
pub fn configured(loaded: config::Loaded) -> Result<Settings, String> {
    let mut specs = Catalog::builtin_specs();
    specs.extend(loaded.config.api.iter().cloned());
    let catalog = Catalog::build(&specs).map_err(|e| match &loaded.path {
        Some(path) => format!("{}: {e}", path.display()),
        None => e.to_string(),
    })?;
    let mut settings = Settings::new(catalog);
    for rule in lints::ALL {
        if let Some(level) = loaded.config.rule_level(rule) {
            settings.levels.insert(rule.name, level);
        }
    }
    if let Some(limit) = loaded.config.max_file_size {
        settings.max_file_size = limit;
    }
    settings.config = loaded.config;
    Ok(settings)
}

/// Applies `-A`/`-W`/`-D` in the order given (the last one for a rule wins, as in rustc).
pub(crate) fn apply_level_flags(settings: &mut Settings, matches: &ArgMatches) -> Result<(), String> {
    let mut flags: Vec<(usize, Level, String)> = Vec::new();
    for (id, level) in [
        ("allow", Level::Allow),
        ("warn", Level::Warn),
        ("deny", Level::Deny),
    ] {
        let (Some(indices), Some(values)) = (matches.indices_of(id), matches.get_many::<String>(id)) else {
            continue;
        };
        flags.extend(
            indices
                .zip(values)
                .map(|(index, value)| (index, level, value.clone())),
        );
    }
    flags.sort_by_key(|(index, _, _)| *index);
    for (_, level, name) in flags {
        if name == "warnings" {
            // `-D warnings`: every rule that would warn is denied (likewise -A/-W warnings).
            for rule in lints::ALL {
                if settings.level(rule) != Level::Allow {
                    settings.levels.insert(rule.name, level);
                }
            }
            continue;
        }
        let Some(rules) = lints::select(&name) else {
            return Err(format!("unknown rule `{name}` (`ctxlint rules` lists them)"));
        };
        for rule in rules {
            settings.levels.insert(rule.name, level);
        }
    }
    Ok(())
}

/// What `--message-format` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MessageFormat {
    pub format: Format,
    /// `json-diagnostic-rendered-ansi`: ANSI colour in JSON's `rendered`.
    pub ansi: bool,
    /// `json-diagnostic-short`: JSON's `rendered` is the one-line rendering.
    pub short: bool,
    /// `json-render-diagnostics`: diagnostics are rendered to stderr instead of sent as JSON.
    pub render_diagnostics: bool,
}

impl MessageFormat {
    /// cargo's rules: comma-separated and repeatable values; `human`, `short`, `json` (and
    /// ctxlint's `sarif`, `github`) are kinds, of which one may be given; the `json-…` values
    /// imply `json` and combine with it and with each other.
    pub(crate) fn parse(value: &str) -> Result<MessageFormat, String> {
        let mut kind: Option<Format> = None;
        let mut parsed = MessageFormat {
            format: Format::Human,
            ansi: false,
            short: false,
            render_diagnostics: false,
        };
        let two_kinds = || "cannot specify two kinds of `message-format` arguments".to_string();
        for part in value.split(',').map(|part| part.trim().to_ascii_lowercase()) {
            let format = match part.as_str() {
                "human" => Format::Human,
                "short" => Format::Short,
                "json" => Format::Json,
                "sarif" => Format::Sarif,
                "github" => Format::Github,
                modifier => {
                    match kind {
                        None => kind = Some(Format::Json),
                        Some(Format::Json) => {}
                        Some(_) => return Err(two_kinds()),
                    }
                    match modifier {
                        "json-diagnostic-rendered-ansi" => parsed.ansi = true,
                        "json-diagnostic-short" => parsed.short = true,
                        "json-render-diagnostics" => parsed.render_diagnostics = true,
                        other => {
                            return Err(format!(
                                "unknown message format `{other}` (human, short, json, \
                                 json-diagnostic-short, json-diagnostic-rendered-ansi, \
                                 json-render-diagnostics, sarif, github)"
                            ));
                        }
                    }
                    continue;
                }
            };
            if kind.is_some() {
                return Err(two_kinds());
            }
            kind = Some(format);
        }
        parsed.format = kind.unwrap_or(Format::Human);
        Ok(parsed)
    }

    /// Output options, with colour from `--color` and the terminal the rendering goes to.
    pub(crate) fn options(&self, when: ColorWhen) -> Options {
        let color = match self.format {
            Format::Json if self.render_diagnostics => use_color(when, std::io::stderr().is_terminal()),
            Format::Json => self.ansi,
            _ => use_color(when, std::io::stdout().is_terminal()),
        };
        let mut options = Options::new(self.format, color);
        options.json_short = self.short;
        options.render_diagnostics = self.render_diagnostics;
        options
    }
}

/// Whether to colour output going to a stream (a terminal or not) under `--color` and the
/// environment.
pub(crate) fn use_color(when: ColorWhen, terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto if set("NO_COLOR") => false,
        ColorWhen::Auto if set("CLICOLOR_FORCE") || set("FORCE_COLOR") => true,
        ColorWhen::Auto => match std::env::var("CARGO_TERM_COLOR").as_deref() {
            Ok("always") => true,
            Ok("never") => false,
            _ => terminal,
        },
    }
}
