//! The command line: argument parsing, and the glue from arguments to the library.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config;
use crate::diagnostic::Level;
use crate::discover;
use crate::engine::{self, Settings};
use crate::finish::Finish;
use crate::fix;
use crate::lints;
use crate::model::catalog::Catalog;
use crate::output::{Format, Options};

/// Exit codes: nothing reported, findings reported, ctxlint could not do its job.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

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

    /// Set a rule to allow (not checked). Repeatable.
    #[arg(short = 'A', long = "allow", value_name = "RULE")]
    allow: Vec<String>,

    /// Set a rule to warn. Repeatable.
    #[arg(short = 'W', long = "warn", value_name = "RULE")]
    warn: Vec<String>,

    /// Set a rule to deny (reported as an error); `-D warnings` denies every enabled rule.
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
            EXIT_ERROR
        } else {
            EXIT_CLEAN
        }
    })?;
    let parsed = T::from_arg_matches(&matches).map_err(|error| {
        let _ = error.print();
        EXIT_ERROR
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
        None => match check(cli.check, &matches) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                EXIT_ERROR
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
    for rule in lints::ALL {
        let level = loaded
            .config
            .rules
            .get(rule.name)
            .copied()
            .unwrap_or(rule.default_level);
        let changed = if level == rule.default_level {
            ""
        } else {
            " (configured)"
        };
        println!(
            "{:width$}  {:5}  {}{changed}",
            rule.name,
            level.as_str(),
            rule.summary
        );
    }
    EXIT_CLEAN
}

fn explain(name: &str) -> i32 {
    let Some(rule) = lints::by_name(name.strip_prefix("ctxlint::").unwrap_or(name)) else {
        eprintln!("error: unknown rule `{name}` (`ctxlint rules` lists them)");
        return EXIT_ERROR;
    };
    println!("# {}\n", rule.name);
    println!("Default level: {}.\n", rule.default_level.as_str());
    print!("{}", rule.explanation());
    EXIT_CLEAN
}

fn check(args: CheckArgs, matches: &ArgMatches) -> Result<i32, String> {
    let (format, ansi_in_json) = parse_message_format(&args.message_format)?;
    let loaded = config::discover(
        args.paths
            .first()
            .map_or(std::path::Path::new("."), PathBuf::as_path),
    )
    .map_err(|e| e.to_string())?;
    let mut settings = settings(loaded, matches)?;
    settings.prefilter = !args.no_prefilter;
    settings.jobs = args.jobs.unwrap_or(0);

    let notes = discover::Notes::default();
    let config = &settings.config;
    let inputs = discover::files(&args.paths, notes.clone()).filter(|input| !config.is_excluded(&input.path));
    let mut report = engine::lint_inputs(inputs, &settings);
    for note in notes.take() {
        eprintln!("note: {note}");
    }
    if args.stats {
        eprintln!(
            "ctxlint: {} files, {} parsed, {} findings",
            report.files_seen,
            report.files_parsed,
            report.diagnostic_count()
        );
    }
    if let Some(request) = args.fix.request()
        && let Some(code) = fix::run(request, &mut report, &settings, args.exit_zero)
    {
        return Ok(code);
    }
    let color = match format {
        Format::Json => ansi_in_json,
        _ => use_color(args.color),
    };
    let options = Options::new(format, color);
    let finish = Finish {
        baseline: args.baseline,
        write_baseline: args.write_baseline,
        exit_zero: args.exit_zero,
    };
    let stdout = std::io::stdout();
    finish.report(report, &options, &mut stdout.lock())
}

/// The catalog, rule levels (config, then `-A`/`-W`/`-D`) and configuration of a run.
pub(crate) fn settings(loaded: config::Loaded, matches: &ArgMatches) -> Result<Settings, String> {
    let mut specs = Catalog::builtin_specs();
    specs.extend(loaded.config.api.iter().cloned());
    let catalog = Catalog::build(&specs).map_err(|e| match &loaded.path {
        Some(path) => format!("{}: {e}", path.display()),
        None => e.to_string(),
    })?;
    let mut settings = Settings::new(catalog);
    for (name, level) in &loaded.config.rules {
        let rule = lints::by_name(name).expect("validated");
        settings.levels.insert(rule.name, *level);
    }
    settings.config = loaded.config;
    apply_level_flags(&mut settings, matches)?;
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
        let Some(rule) = lints::by_name(name.strip_prefix("ctxlint::").unwrap_or(&name)) else {
            return Err(format!("unknown rule `{name}` (`ctxlint rules` lists them)"));
        };
        settings.levels.insert(rule.name, level);
    }
    Ok(())
}

/// cargo's `--message-format` values (comma-separated): returns the format and whether JSON's
/// `rendered` field carries ANSI colour.
pub(crate) fn parse_message_format(value: &str) -> Result<(Format, bool), String> {
    let mut format = Format::Human;
    let mut ansi = false;
    for part in value.split(',').map(str::trim) {
        match part {
            "human" => format = Format::Human,
            "short" => format = Format::Short,
            "json" | "json-diagnostic-short" | "json-render-diagnostics" => format = Format::Json,
            "json-diagnostic-rendered-ansi" => {
                format = Format::Json;
                ansi = true;
            }
            "sarif" => format = Format::Sarif,
            "github" => format = Format::Github,
            other => {
                return Err(format!(
                    "unknown message format `{other}` (human, short, json, sarif, github)"
                ));
            }
        }
    }
    Ok((format, ansi))
}

pub(crate) fn use_color(when: ColorWhen) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto if set("NO_COLOR") => false,
        ColorWhen::Auto if set("CLICOLOR_FORCE") || set("FORCE_COLOR") => true,
        ColorWhen::Auto => match std::env::var("CARGO_TERM_COLOR").as_deref() {
            Ok("always") => true,
            Ok("never") => false,
            _ => std::io::stdout().is_terminal(),
        },
    }
}
