//! `cargo ctxlint`: lints the workspace's packages the way `cargo clippy` checks them.
//!
//! `cargo metadata --no-deps` (through `$CARGO`) gives the members, their targets and package
//! ids; each selected target's module tree gives its files. Every message names the package id
//! and target owning its file, and file names are relative to the workspace root, as cargo's
//! are, so rust-analyzer files them under the right package. Every flag rust-analyzer and
//! `cargo check` pass is accepted; those that mean nothing to a syntactic linter (features,
//! `--target`, profiles…) are ignored, or passed on to `cargo metadata` and to the wrapped
//! check command (`--with-check`).

pub mod metadata;
pub mod modules;
pub mod package;
pub mod wrapper;

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{ArgAction, ArgMatches, CommandFactory, Parser};

use crate::cli::{self, ColorWhen, MessageFormat};
use crate::config;
use crate::engine::{self, Input};
use crate::exit;
use crate::finish::{Finish, quiet_on_broken_pipe};
use crate::output::json::{Origin, Target as JsonTarget};
use crate::output::{self, Format, plural};
use crate::paths::relative_name;
use metadata::{PackageSelection, TargetSelection};

#[derive(Parser, Debug)]
#[command(
    name = "cargo-ctxlint",
    bin_name = "cargo ctxlint",
    version,
    about = "Lints the workspace's Rust code that passes contexts and cancellation tokens around",
    after_help = "Also: `cargo ctxlint rules`, `cargo ctxlint explain <RULE>`. Arguments after `--` go to the --with-check command."
)]
struct CargoArgs {
    /// human, short, json (and cargo's json-diagnostic-rendered-ansi, json-diagnostic-short,
    /// json-render-diagnostics), sarif or github; comma-separated or repeated.
    #[arg(long, value_name = "FMT", help_heading = "Output")]
    message_format: Vec<String>,

    /// Colour: auto, always or never.
    #[arg(long, value_name = "WHEN", help_heading = "Output")]
    color: Option<ColorWhen>,

    /// Exit with 0 even when findings are reported.
    #[arg(long, help_heading = "Output")]
    exit_zero: bool,

    /// Set a rule to allow. Repeatable.
    #[arg(short = 'A', long = "allow", value_name = "RULE", help_heading = "Levels")]
    allow: Vec<String>,

    /// Set a rule to warn. Repeatable.
    #[arg(short = 'W', long = "warn", value_name = "RULE", help_heading = "Levels")]
    warn: Vec<String>,

    /// Set a rule to deny; `-D warnings` denies every enabled rule.
    #[arg(short = 'D', long = "deny", value_name = "RULE", help_heading = "Levels")]
    deny: Vec<String>,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    baseline: Option<PathBuf>,

    /// Record the current findings in this baseline file, report nothing and exit 0.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    write_baseline: Option<PathBuf>,

    /// Run `cargo check` (or `cargo clippy`) with the same arguments first and pass its
    /// output through: for rust-analyzer, which runs a single check command.
    #[arg(
        long,
        value_name = "COMMAND",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "check",
        value_parser = ["check", "clippy"]
    )]
    with_check: Option<String>,

    /// Parse every file, even those that mention no context API.
    #[arg(long)]
    no_prefilter: bool,

    #[command(flatten)]
    fix: crate::fix::FixArgs,

    /// Accepted for `cargo clippy --fix` compatibility: ctxlint never refuses a dirty tree
    /// (it writes a file only when the fixed text parses, atomically).
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    allow_dirty: bool,

    /// Accepted for `cargo clippy --fix` compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    allow_staged: bool,

    /// Accepted for `cargo clippy --fix` compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    allow_no_vcs: bool,

    /// Package(s) to lint (package ID specifications, globs allowed).
    #[arg(
        short = 'p',
        long = "package",
        value_name = "SPEC",
        help_heading = "Package Selection"
    )]
    package: Vec<String>,

    /// Lint every workspace member.
    #[arg(long, visible_alias = "all", help_heading = "Package Selection")]
    workspace: bool,

    /// Leave packages out (with --workspace).
    #[arg(long, value_name = "SPEC", help_heading = "Package Selection")]
    exclude: Vec<String>,

    /// Lint only the library (without target flags: every target).
    #[arg(long, help_heading = "Target Selection")]
    lib: bool,

    /// Lint the binaries.
    #[arg(long, help_heading = "Target Selection")]
    bins: bool,

    /// Lint this binary.
    #[arg(long, value_name = "NAME", help_heading = "Target Selection")]
    bin: Vec<String>,

    /// Lint the examples.
    #[arg(long, help_heading = "Target Selection")]
    examples: bool,

    /// Lint this example.
    #[arg(long, value_name = "NAME", help_heading = "Target Selection")]
    example: Vec<String>,

    /// Lint the targets that have `test = true`.
    #[arg(long, help_heading = "Target Selection")]
    tests: bool,

    /// Lint this test target.
    #[arg(long, value_name = "NAME", help_heading = "Target Selection")]
    test: Vec<String>,

    /// Lint the benches.
    #[arg(long, help_heading = "Target Selection")]
    benches: bool,

    /// Lint this bench target.
    #[arg(long, value_name = "NAME", help_heading = "Target Selection")]
    bench: Vec<String>,

    /// Lint every target (the default).
    #[arg(long, help_heading = "Target Selection")]
    all_targets: bool,

    /// Accepted for cargo compatibility (ctxlint lints code under every `cfg`).
    #[arg(
        short = 'F',
        long,
        value_name = "FEATURES",
        help_heading = "Ignored (cargo compatibility)"
    )]
    features: Vec<String>,

    /// Accepted for cargo compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    all_features: bool,

    /// Accepted for cargo compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    no_default_features: bool,

    /// Accepted for cargo compatibility.
    #[arg(long, value_name = "TRIPLE", help_heading = "Ignored (cargo compatibility)")]
    target: Vec<String>,

    /// Accepted for cargo compatibility (ctxlint builds nothing).
    #[arg(
        long,
        value_name = "DIRECTORY",
        help_heading = "Ignored (cargo compatibility)"
    )]
    target_dir: Option<PathBuf>,

    /// Accepted for cargo compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    keep_going: bool,

    /// Accepted for cargo compatibility.
    #[arg(short = 'r', long, help_heading = "Ignored (cargo compatibility)")]
    release: bool,

    /// Accepted for cargo compatibility.
    #[arg(
        long,
        value_name = "PROFILE-NAME",
        help_heading = "Ignored (cargo compatibility)"
    )]
    profile: Option<String>,

    /// Accepted for cargo compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    timings: bool,

    /// Accepted for cargo compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    future_incompat_report: bool,

    /// Accepted for cargo compatibility.
    #[arg(long, help_heading = "Ignored (cargo compatibility)")]
    ignore_rust_version: bool,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N", allow_hyphen_values = true)]
    jobs: Option<String>,

    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH", help_heading = "Manifest Options")]
    manifest_path: Option<PathBuf>,

    /// Passed to `cargo metadata`.
    #[arg(long, help_heading = "Manifest Options")]
    locked: bool,

    /// Passed to `cargo metadata`.
    #[arg(long, help_heading = "Manifest Options")]
    offline: bool,

    /// Passed to `cargo metadata`.
    #[arg(long, help_heading = "Manifest Options")]
    frozen: bool,

    /// Override a cargo configuration value (passed to `cargo metadata`).
    #[arg(long, value_name = "KEY=VALUE|PATH")]
    config: Vec<String>,

    /// Unstable cargo flags (passed to `cargo metadata`).
    #[arg(short = 'Z', value_name = "FLAG")]
    unstable: Vec<String>,

    /// Print what was linted to stderr (-vv: also every target).
    #[arg(short = 'v', long, action = ArgAction::Count)]
    verbose: u8,

    /// Accepted for cargo compatibility (passed to the --with-check command).
    #[arg(short = 'q', long)]
    quiet: bool,

    /// Arguments for the --with-check command (after `--`).
    #[arg(last = true, value_name = "ARGS")]
    check_args: Vec<OsString>,
}

impl CargoArgs {
    /// The flags `cargo metadata` takes.
    fn metadata_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        if let Some(path) = &self.manifest_path {
            args.push("--manifest-path".into());
            args.push(path.into());
        }
        for (set, flag) in [
            (self.locked, "--locked"),
            (self.offline, "--offline"),
            (self.frozen, "--frozen"),
        ] {
            if set {
                args.push(flag.into());
            }
        }
        for value in &self.config {
            args.push("--config".into());
            args.push(value.into());
        }
        for value in &self.unstable {
            args.push(format!("-Z{value}").into());
        }
        args
    }

    /// The command line for the wrapped `cargo check`/`cargo clippy`: every cargo flag given,
    /// none of ctxlint's.
    fn check_command_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        let mut flag = |set: bool, name: &str| {
            if set {
                args.push(name.into());
            }
        };
        flag(self.workspace, "--workspace");
        flag(self.lib, "--lib");
        flag(self.bins, "--bins");
        flag(self.examples, "--examples");
        flag(self.tests, "--tests");
        flag(self.benches, "--benches");
        flag(self.all_targets, "--all-targets");
        flag(self.all_features, "--all-features");
        flag(self.no_default_features, "--no-default-features");
        flag(self.keep_going, "--keep-going");
        flag(self.release, "--release");
        flag(self.timings, "--timings");
        flag(self.future_incompat_report, "--future-incompat-report");
        flag(self.ignore_rust_version, "--ignore-rust-version");
        flag(self.quiet, "--quiet");
        for _ in 0..self.verbose {
            args.push("--verbose".into());
        }
        let mut valued = |name: &str, values: &[String]| {
            for value in values {
                args.push(name.into());
                args.push(value.into());
            }
        };
        valued("--package", &self.package);
        valued("--exclude", &self.exclude);
        valued("--bin", &self.bin);
        valued("--example", &self.example);
        valued("--test", &self.test);
        valued("--bench", &self.bench);
        valued("--features", &self.features);
        valued("--target", &self.target);
        valued("--message-format", &self.message_format);
        if let Some(profile) = &self.profile {
            valued("--profile", std::slice::from_ref(profile));
        }
        if let Some(jobs) = &self.jobs {
            valued("--jobs", std::slice::from_ref(jobs));
        }
        if let Some(color) = self.color {
            let name = match color {
                ColorWhen::Auto => "auto",
                ColorWhen::Always => "always",
                ColorWhen::Never => "never",
            };
            valued("--color", &[name.to_string()]);
        }
        if let Some(dir) = &self.target_dir {
            args.push("--target-dir".into());
            args.push(dir.into());
        }
        // --manifest-path, --locked/--offline/--frozen, --config and -Z, as for metadata.
        args.extend(self.metadata_args());
        if !self.check_args.is_empty() {
            args.push("--".into());
            args.extend(self.check_args.iter().cloned());
        }
        args
    }

    fn targets(&self) -> TargetSelection {
        TargetSelection {
            lib: self.lib,
            bins: self.bins,
            bin: self.bin.clone(),
            examples: self.examples,
            example: self.example.clone(),
            tests: self.tests,
            test: self.test.clone(),
            benches: self.benches,
            bench: self.bench.clone(),
            all_targets: self.all_targets,
        }
    }
}

/// Runs `cargo-ctxlint` with these arguments (the program name first, then `ctxlint` when
/// cargo runs it) and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|arg| arg == "ctxlint") {
        args.remove(1);
    }
    // `cargo ctxlint rules` and `cargo ctxlint explain <rule>` are the plain subcommands.
    if args.get(1).is_some_and(|arg| arg == "rules" || arg == "explain") {
        return cli::run(args);
    }
    let (args, matches) = match cli::parse_args::<CargoArgs>(CargoArgs::command(), args) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    match run(&args, &matches) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            exit::ERROR
        }
    }
}

/// cargo's exit code for a failed command.
const EXIT_CARGO_ERROR: i32 = 101;

fn run(args: &CargoArgs, matches: &ArgMatches) -> Result<i32, String> {
    let formats = match args.message_format.is_empty() {
        true => "human".to_string(),
        false => args.message_format.join(","),
    };
    let message_format = MessageFormat::parse(&formats)?;
    if args.with_check.is_some() && matches!(message_format.format, Format::Sarif | Format::Github) {
        return Err("--with-check needs a cargo message format (human, short or json)".into());
    }
    if args.with_check.is_some() && args.fix.request().is_some() {
        return Err("--fix and --diff do not combine with --with-check".into());
    }
    if args.with_check.is_none() && !args.check_args.is_empty() {
        return Err("arguments after `--` are for the --with-check command; set ctxlint's levels with -A/-W/-D before `--`".into());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let metadata = metadata::load(&cargo, &args.metadata_args())?;
    let manifest_path = args
        .manifest_path
        .as_ref()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()));
    let packages = metadata.select(&PackageSelection {
        specs: &args.package,
        workspace: args.workspace,
        exclude: &args.exclude,
        manifest_path: manifest_path.as_deref(),
    })?;

    // A target flag that selects nothing is an error in cargo: a typo must not pass as clean.
    if let Err(message) = args.targets().check(&packages, &args.package) {
        eprintln!("error: {message}");
        return Ok(EXIT_CARGO_ERROR);
    }

    let config_start = match &manifest_path {
        Some(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => std::env::current_dir().unwrap_or_default(),
    };
    let loaded = config::discover(&config_start).map_err(|e| e.to_string())?;
    let layers = loaded.layers.clone();
    let mut settings = cli::settings(loaded, matches)?;
    settings.prefilter = !args.no_prefilter;
    settings.per_file = Some(cli::per_package(layers, matches, settings.prefilter));
    settings.jobs = args
        .jobs
        .as_deref()
        .and_then(|j| j.parse::<usize>().ok())
        .unwrap_or(0);

    // The check command builds while ctxlint lints.
    let check = match &args.with_check {
        Some(command) => Some(wrapper::spawn(&cargo, command, &args.check_command_args())?),
        None => None,
    };

    let selection = args.targets();
    let mut seen = HashSet::new();
    let mut inputs = Vec::new();
    let mut options = message_format.options(args.color.unwrap_or(ColorWhen::Auto));
    options.root = output::repository_root(&metadata.workspace_root);
    let mut target_count = 0;
    for package in &packages {
        let mut targets: Vec<_> = package.targets.iter().filter(|t| selection.selects(t)).collect();
        targets.sort_by_key(|t| t.rank());
        for target in targets {
            target_count += 1;
            let origin = Arc::new(Origin {
                package_id: package.id.clone(),
                manifest_path: Some(package.manifest_path.to_string_lossy().into_owned()),
                target: JsonTarget {
                    kind: target.kind.clone(),
                    crate_types: target.crate_types.clone(),
                    name: target.name.clone(),
                    src_path: target.src_path.to_string_lossy().into_owned(),
                    edition: target.edition.clone(),
                    doc: target.doc,
                    doctest: target.doctest,
                    test: target.test,
                },
            });
            let files = modules::crate_files(&target.src_path, &mut seen, settings.max_file_size);
            if args.verbose > 1 {
                eprintln!(
                    "ctxlint: {} {} ({}): {}",
                    package.name,
                    target.name,
                    target.kind.join(", "),
                    plural(files.len(), "new file")
                );
            }
            for path in files {
                if cli::is_excluded(&settings, &path) {
                    continue;
                }
                let name = relative_name(&path, &metadata.workspace_root);
                options.origins.insert(name.clone(), origin.clone());
                inputs.push(Input { path, name });
            }
        }
    }
    // The rest of the workspace: a selected package imports through the others.
    let mut others = Vec::new();
    for package in &metadata.packages {
        for target in &package.targets {
            others.extend(modules::crate_files(
                &target.src_path,
                &mut seen,
                settings.max_file_size,
            ));
        }
    }
    engine::index_workspace(&mut settings, &inputs, &others);
    let mut report = engine::lint_inputs(inputs.into_iter(), &settings);
    cli::config_errors(&settings)?;
    if args.verbose > 0 {
        eprintln!(
            "ctxlint: {}, {}, {}, {} parsed, {}",
            plural(packages.len(), "package"),
            plural(target_count, "target"),
            plural(report.files_seen, "file"),
            report.files_parsed,
            plural(report.diagnostic_count(), "finding")
        );
    }
    if let Some(request) = args.fix.request()
        && let Some(code) = crate::fix::run(request, &mut report, &settings, args.exit_zero)
    {
        return Ok(code);
    }
    let finished = match check {
        Some(check) => Some(check.wait()?),
        None => None,
    };
    let finish = Finish {
        baseline: args.baseline.clone(),
        write_baseline: args.write_baseline.clone(),
        exit_zero: args.exit_zero,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = finish.report(report, &options, &mut out)?;
    // The process ends next: freeing the workspace index node by node would only cost time.
    std::mem::forget(settings);
    let Some(finished) = finished else {
        return Ok(code);
    };
    if let Some(line) = &finished.build_finished {
        use std::io::Write;
        quiet_on_broken_pipe(writeln!(out, "{line}"))?;
    }
    if finished.status.success() {
        Ok(code)
    } else {
        // The build failed: cargo's code (101), as cargo check would exit.
        Ok(finished.status.code().unwrap_or(EXIT_CARGO_ERROR))
    }
}
