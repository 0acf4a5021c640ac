//! Hostile input: special files, huge files, unreadable directories, symlinked directories.
//! Nothing may hang, grow without bound, or be reported twice.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::cli::{FINDING, command, project, short_findings, stderr, stdout};

/// Runs `command`, killing it (and failing) if it has not finished after a minute: the point
/// of these tests is that nothing blocks.
fn finishes(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("still running after a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn ctxlint(dir: &Path, args: &[&str]) -> Output {
    let mut run = command(env!("CARGO_BIN_EXE_ctxlint"), dir);
    run.args(args);
    finishes(run)
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
}

/// The (file, code) pairs of a `short` run.
fn codes(output: &Output) -> Vec<(String, String)> {
    short_findings(output)
        .into_iter()
        .map(|(file, _, code)| (file, code))
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn special_files_named_or_found_get_one_io_error() {
    let dir = project(&[("finding.rs", FINDING)]);
    let root = dir.path();
    mkfifo(&root.join("pipe.rs"));
    for (name, target) in [
        ("zero.rs", "/dev/zero"),
        ("pagemap.rs", "/proc/self/pagemap"),
        ("status.rs", "/proc/self/status"),
    ] {
        std::os::unix::fs::symlink(target, root.join(name)).unwrap();
    }
    // Named on the command line: the FIFO would block in `open`, /dev/zero never ends.
    let named = ctxlint(
        root,
        &[
            "--message-format",
            "short",
            "pipe.rs",
            "/dev/zero",
            "pagemap.rs",
            "finding.rs",
        ],
    );
    let mut got = codes(&named);
    got.sort();
    assert_eq!(
        got,
        [
            ("/dev/zero".to_string(), "ctxlint::io_error".to_string()),
            ("finding.rs".into(), "ctxlint::dropped_cancel_guard".into()),
            ("pagemap.rs".into(), "ctxlint::io_error".into()),
            ("pipe.rs".into(), "ctxlint::io_error".into()),
        ],
        "{}",
        stderr(&named)
    );
    assert!(
        stdout(&named).contains("a FIFO, not a regular file"),
        "{}",
        stdout(&named)
    );
    // Found by the walk: files in /proc look regular to the walker (the FIFO and the device
    // do not, and are passed over).
    let walked = ctxlint(root, &["--message-format", "short", "--no-prefilter"]);
    let got = codes(&walked);
    for name in ["pagemap.rs", "status.rs"] {
        assert!(
            got.contains(&(name.to_string(), "ctxlint::io_error".to_string())),
            "{name}: {got:?}"
        );
    }
    assert!(got.contains(&("finding.rs".into(), "ctxlint::dropped_cancel_guard".into())));
}

#[test]
fn a_file_over_the_size_cap_is_one_diagnostic() {
    let big = format!("{FINDING}\n// {}\n", "x".repeat(500));
    let dir = project(&[
        ("ctxlint.toml", "max_file_size = 400\n"),
        ("big.rs", &big),
        ("small.rs", FINDING),
    ]);
    let output = ctxlint(dir.path(), &["--message-format", "short"]);
    assert_eq!(
        codes(&output),
        [
            ("big.rs".to_string(), "ctxlint::io_error".to_string()),
            ("small.rs".into(), "ctxlint::dropped_cancel_guard".into()),
        ]
    );
    assert!(
        stdout(&output).contains("larger than 400 bytes"),
        "{}",
        stdout(&output)
    );
    let bad = project(&[("ctxlint.toml", "max_file_size = -1\n"), ("a.rs", FINDING)]);
    assert_eq!(ctxlint(bad.path(), &[]).status.code(), Some(2));
}

#[cfg(target_os = "linux")]
#[test]
fn cargo_mode_reads_no_special_file() {
    let dir = project(&[
        (
            "Cargo.toml",
            "[package]\nname = \"hostile\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("src/lib.rs", "mod pagemap;\nmod pipe;\nmod finding;\n"),
        ("src/finding.rs", FINDING),
    ]);
    std::os::unix::fs::symlink("/proc/self/pagemap", dir.path().join("src/pagemap.rs")).unwrap();
    mkfifo(&dir.path().join("src/pipe.rs"));
    let mut run = command(env!("CARGO_BIN_EXE_cargo-ctxlint"), dir.path());
    run.args(["ctxlint", "--message-format", "short"]);
    if let Some(cargo) = option_env!("CARGO") {
        run.env("CARGO", cargo);
    }
    let output = finishes(run);
    let got = codes(&output);
    assert!(
        got.contains(&("src/pagemap.rs".into(), "ctxlint::io_error".into())),
        "{got:?} {}",
        stderr(&output)
    );
    assert!(got.contains(&("src/finding.rs".into(), "ctxlint::dropped_cancel_guard".into())));
}

/// Runs ctxlint as an unprivileged user when the tests run as root (root reads anything).
#[cfg(unix)]
fn unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    // SAFETY: no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let mut run = if root {
        let setpriv = Path::new("/usr/bin/setpriv");
        if !setpriv.exists() {
            return None;
        }
        let mut run = command(setpriv.to_str().unwrap(), dir);
        run.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        run.arg(env!("CARGO_BIN_EXE_ctxlint"));
        run
    } else {
        command(env!("CARGO_BIN_EXE_ctxlint"), dir)
    };
    run.args(args);
    Some(finishes(run))
}

#[cfg(unix)]
#[test]
fn an_unreadable_directory_named_is_a_usage_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("open/a.rs", FINDING), ("closed/b.rs", FINDING)]);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.path().join("open"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        dir.path().join("open/a.rs"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(dir.path().join("closed"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let Some(output) = unprivileged(dir.path(), &["open", "closed"]) else {
        return;
    };
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot read the directory `closed`"),
        "{}",
        stderr(&output)
    );
    let fine = unprivileged(dir.path(), &["open"]).unwrap();
    assert_eq!(fine.status.code(), Some(1), "{}", stderr(&fine));
}

#[cfg(unix)]
#[test]
fn a_file_behind_a_symlinked_directory_is_reported_once() {
    let dir = project(&[("src/a.rs", FINDING)]);
    std::os::unix::fs::symlink(dir.path().join("src"), dir.path().join("alias")).unwrap();
    let output = ctxlint(dir.path(), &["--message-format", "short", "src", "alias"]);
    assert_eq!(
        codes(&output),
        [(
            "src/a.rs".to_string(),
            "ctxlint::dropped_cancel_guard".to_string()
        )]
    );
    // In the walk's order, the first lexical path wins.
    let output = ctxlint(dir.path(), &["--message-format", "short", "alias", "src"]);
    assert_eq!(
        codes(&output),
        [(
            "alias/a.rs".to_string(),
            "ctxlint::dropped_cancel_guard".to_string()
        )]
    );
}

/// A function that uses a token (so the pre-filter keeps its body) around `deep`.
fn deep_file(deep: &str) -> String {
    format!(
        "use tokio_util::sync::CancellationToken;\nfn f(token: CancellationToken) {{\n    let _ = token.drop_guard();\n    {deep}\n}}\n"
    )
}

/// Nesting syn recurses through without brackets: each file is one parse_error, not an abort
/// of the whole run.
#[test]
fn deep_nesting_of_every_kind_is_one_parse_error() {
    let cases = [
        ("bangs.rs", format!("let x = {}true;", "!".repeat(400_000))),
        ("negations.rs", format!("let x = {}1;", "-".repeat(200_000))),
        ("derefs.rs", format!("let x = {}y;", "*".repeat(200_000))),
        ("refs.rs", format!("let x: {}u8 = 0;", "&".repeat(250_000))),
        ("ref_exprs.rs", format!("let x = {}1;", "& ".repeat(200_000))),
        (
            "generics.rs",
            format!("let x: {}u8{} = 0;", "Vec<".repeat(50_000), ">".repeat(50_000)),
        ),
        ("returns.rs", format!("{}1;", "return ".repeat(100_000))),
        ("breaks.rs", format!("loop {{ {}1; }}", "break ".repeat(100_000))),
        ("closures.rs", format!("let f = {}1;", "|x| ".repeat(100_000))),
        ("assignments.rs", format!("{}1;", "a = ".repeat(100_000))),
        ("else_ifs.rs", format!("{}{{}}", "if a {} else ".repeat(100_000))),
        (
            "hidden.rs",
            // `br"\"` ends at its second quote: the parentheses after it are code.
            format!(
                "let s = br\"\\\"; let x = {}1{};",
                "(".repeat(60_000),
                ")".repeat(60_000)
            ),
        ),
    ];
    let mut files: Vec<(String, String)> = cases
        .iter()
        .map(|(name, deep)| (name.to_string(), deep_file(deep)))
        .collect();
    files.push(("finding.rs".into(), FINDING.into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let dir = project(&refs);
    for extra in [&[][..], &["--no-prefilter"][..]] {
        let mut args = vec!["--message-format", "short"];
        args.extend(extra);
        let output = ctxlint(dir.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let got = codes(&output);
        for (name, _) in &cases {
            assert_eq!(
                got.iter().filter(|(file, _)| file == name).collect::<Vec<_>>(),
                [&(name.to_string(), "ctxlint::parse_error".to_string())],
                "{name}"
            );
        }
        assert!(got.contains(&("finding.rs".into(), "ctxlint::dropped_cancel_guard".into())));
    }
}

/// Raw strings have no escapes: a quote after `br"\"` starts a string, it does not end one.
#[test]
fn a_raw_string_ending_in_a_backslash_hides_no_finding() {
    let text = format!(
        "use tokio_util::sync::CancellationToken;\nconst A: &[u8] = br\"\\\";\nconst B: &std::ffi::CStr = cr\"\\\";\nconst C: &str = \"{}\";\nfn f(token: CancellationToken) {{\n    let _ = token.drop_guard();\n}}\n",
        "(".repeat(1002)
    );
    let dir = project(&[("a.rs", &text)]);
    let output = ctxlint(dir.path(), &["--message-format", "short"]);
    assert_eq!(
        codes(&output),
        [("a.rs".to_string(), "ctxlint::dropped_cancel_guard".to_string())],
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_deep_type_in_the_configuration_is_a_configuration_error() {
    let deep = format!(
        "[[api]]\nname = \"tokio-util\"\nallow_types_before = [\"{}u8{}\"]\n",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    let dir = project(&[("ctxlint.toml", &deep), ("a.rs", FINDING)]);
    let output = ctxlint(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("nests"), "{}", stderr(&output));
    // Within the bound, it is read (on the main thread) like any type.
    let fine = format!(
        "[[api]]\nname = \"tokio-util\"\nallow_types_before = [\"{}u8{}\"]\n",
        "&".repeat(900),
        ""
    );
    let dir = project(&[("ctxlint.toml", &fine), ("a.rs", FINDING)]);
    let output = ctxlint(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

/// `--fix` reads the file as linting did: a body the pre-filter left out is not parsed again,
/// so a syntax error in it stops nothing.
#[test]
fn fixing_parses_only_what_linting_parsed() {
    let text = format!("{FINDING}\nfn unrelated() {{\n    let x = ;\n}}\n");
    let dir = project(&[("a.rs", &text)]);
    let output = ctxlint(dir.path(), &["--fix", "--message-format", "short"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let fixed = std::fs::read_to_string(dir.path().join("a.rs")).unwrap();
    assert!(fixed.contains("let _guard = token.drop_guard();"), "{fixed}");
    assert!(fixed.contains("let x = ;"), "{fixed}");
}

/// `--fix` lints what symlinks lead to, but writes only inside the paths it was given.
#[cfg(unix)]
#[test]
fn fixing_never_writes_through_a_symlink_out_of_the_tree() {
    let outside = project(&[("victim.rs", FINDING), ("lib/other.rs", FINDING)]);
    let dir = project(&[("own.rs", FINDING)]);
    std::os::unix::fs::symlink(outside.path().join("victim.rs"), dir.path().join("link.rs")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("lib"), dir.path().join("linked_dir")).unwrap();
    let output = ctxlint(dir.path(), &["--fix", "--message-format", "short", "."]);
    let out = stdout(&output);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("victim.rs")).unwrap(),
        FINDING
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("lib/other.rs")).unwrap(),
        FINDING
    );
    assert_ne!(
        std::fs::read_to_string(dir.path().join("own.rs")).unwrap(),
        FINDING
    );
    assert!(out.contains("outside the paths being linted"), "{out}");
    let got = codes(&output);
    for name in ["link.rs", "linked_dir/other.rs"] {
        assert!(
            got.contains(&(name.into(), "ctxlint::dropped_cancel_guard".into())),
            "{name} is still linted: {got:?}"
        );
    }
}

/// Whether a file may be written is the kernel's answer for this user, not its mode bits:
/// another user's 0644 file in a directory anyone can write is left alone, and keeps its owner.
#[cfg(unix)]
#[test]
fn fixing_leaves_other_users_files_alone() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = project(&[("theirs.rs", FINDING)]);
    let path = dir.path().join("theirs.rs");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let owner = std::fs::metadata(&path).unwrap().uid();
    let Some(output) = unprivileged(dir.path(), &["--fix", "--message-format", "short"]) else {
        return;
    };
    // SAFETY: no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        // Not root: there is no other user to be here.
        return;
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        FINDING,
        "{}",
        stdout(&output)
    );
    assert_eq!(std::fs::metadata(&path).unwrap().uid(), owner);
    assert!(
        stdout(&output).contains("could not write the fixes"),
        "{}",
        stdout(&output)
    );
}

/// A rename would break hard links: such a file is reported, not replaced.
#[cfg(unix)]
#[test]
fn fixing_keeps_hard_links() {
    let dir = project(&[("a.rs", FINDING)]);
    std::fs::hard_link(dir.path().join("a.rs"), dir.path().join("b.txt")).unwrap();
    let output = ctxlint(dir.path(), &["--fix", "--message-format", "short", "a.rs"]);
    assert!(stdout(&output).contains("2 hard links"), "{}", stdout(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.txt")).unwrap(),
        FINDING
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("a.rs")).unwrap(), FINDING);
}

/// A shebang line is not code: a `// ctxlint:` in it is no directive, and no fix touches it.
#[test]
fn a_shebang_line_is_never_rewritten() {
    let shebang = "#!/usr/bin/env run-cargo-script // ctxlint: allow(value_chain)\n";
    let text = format!("{shebang}{FINDING}");
    let dir = project(&[("a.rs", &text)]);
    let diff = stdout(&ctxlint(dir.path(), &["--diff", "--unsafe-fixes", "a.rs"]));
    assert!(!diff.contains("-#!"), "{diff}");
    ctxlint(dir.path(), &["--fix", "--unsafe-fixes", "a.rs"]);
    let fixed = std::fs::read_to_string(dir.path().join("a.rs")).unwrap();
    assert!(fixed.starts_with(shebang), "{fixed}");
    assert!(fixed.contains("let _guard"), "{fixed}");
}

/// Numbers from the configuration and baselines are range-checked, not wrapped.
#[test]
fn out_of_range_integers_are_errors() {
    let config = "[[api]]\nname = \"acme\"\ncrates = [\"acme\"]\n[api.types.Ctx]\npath = \"acme::Ctx\"\nkind = \"context\"\nmethods.with = { role = \"value_set\", key_arg = 18446744073709551615 }\n";
    let dir = project(&[("ctxlint.toml", config), ("a.rs", FINDING)]);
    let output = ctxlint(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    // TOML itself refuses a number above i64; ctxlint refuses what fits there but not in u8.
    let said = stderr(&output);
    assert!(
        said.contains("out of range") || said.contains("too large"),
        "{said}"
    );

    let dir = project(&[("a.rs", FINDING)]);
    assert_eq!(
        ctxlint(dir.path(), &["--write-baseline", "base.json"])
            .status
            .code(),
        Some(0)
    );
    let base = std::fs::read_to_string(dir.path().join("base.json")).unwrap();
    let entry = base.find("\"count\": 1").expect("a count");
    let mut doubled = base.clone();
    doubled.replace_range(
        entry..entry + "\"count\": 1".len(),
        "\"count\": 18446744073709551615",
    );
    // The same entry twice: the counts would add up past the largest integer.
    let json: serde_json::Value = serde_json::from_str(&doubled).unwrap();
    let mut json = json;
    let findings = json["findings"].as_array_mut().unwrap();
    findings.push(findings[0].clone());
    std::fs::write(dir.path().join("base.json"), json.to_string()).unwrap();
    let output = ctxlint(dir.path(), &["--baseline", "base.json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("out of range"), "{}", stderr(&output));
}

/// Terminal escapes in source and file names are shown as control pictures, as rustc shows
/// them; a line end in a file name does not split a line of output.
#[cfg(unix)]
#[test]
fn control_characters_never_reach_the_terminal() {
    let text = FINDING.replace(
        "let _ = token.drop_guard();",
        "let _ = token.drop_guard(); let s = \"\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\";",
    );
    let name = "evil\n\u{1b}[31m.rs";
    let dir = project(&[(name, &text)]);
    let raw_controls = |out: &str| out.bytes().any(|b| b == 0x1b || b == 0x07);
    for format in ["human", "short", "github"] {
        let output = ctxlint(dir.path(), &["--message-format", format, "--color", "never"]);
        let out = stdout(&output);
        assert!(out.contains('\u{241b}'), "{format}: {out}");
        assert!(!raw_controls(&out), "{format}: {out:?}");
        if format == "short" {
            assert_eq!(out.lines().count(), 1, "{out:?}");
        }
    }
    let json = stdout(&ctxlint(dir.path(), &["--message-format", "json"]));
    let message: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    let rendered = message["message"]["rendered"].as_str().unwrap();
    assert!(!raw_controls(rendered), "{rendered:?}");
    // The diff's body is a patch and stays byte for byte; its header names the file.
    let diff = stdout(&ctxlint(dir.path(), &["--diff"]));
    assert!(
        diff.starts_with("--- a/evil\u{240a}\u{241b}[31m.rs\n+++ "),
        "{diff:?}"
    );
}

/// Names that are not UTF-8 are shown lossily; files whose lossy names collide still come out
/// in one order, by their raw bytes.
#[cfg(target_os = "linux")]
#[test]
fn files_with_colliding_lossy_names_come_out_in_one_order() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    for (i, raw) in [&b"a\xff.rs"[..], b"a\xfe.rs", b"a\xfd.rs"].iter().enumerate() {
        let text = FINDING.replace("let _ =", &format!("let _ = {i};\n    let _ ="));
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(raw)), text).unwrap();
    }
    let first = stdout(&ctxlint(dir.path(), &["--message-format", "short"]));
    assert_eq!(first.lines().count(), 3, "{first}");
    for _ in 0..5 {
        assert_eq!(
            stdout(&ctxlint(dir.path(), &["--message-format", "short", "-j", "3"])),
            first
        );
    }
    // Ordered by raw bytes: \xfd, \xfe, \xff.
    let lines: Vec<&str> = first.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("a\u{fffd}.rs:4:")), "{first}");
}

/// Skipped entries are noted in a fixed order, whichever walking thread met them first.
#[cfg(unix)]
#[test]
fn notes_of_skipped_entries_come_sorted() {
    let dir = project(&[("a/lib.rs", ""), ("b/lib.rs", ""), ("c/lib.rs", "")]);
    for name in ["c/gone.rs", "a/gone.rs", "b/gone.rs"] {
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join(name)).unwrap();
    }
    let output = ctxlint(dir.path(), &["--message-format", "short", "."]);
    let notes: Vec<String> = stderr(&output)
        .lines()
        .filter(|line| line.starts_with("note: skipped"))
        .map(str::to_string)
        .collect();
    assert_eq!(notes.len(), 3, "{}", stderr(&output));
    let mut sorted = notes.clone();
    sorted.sort();
    assert_eq!(notes, sorted);
}
