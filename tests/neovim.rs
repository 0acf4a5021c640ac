//! `ctxlint server` in a real client: Neovim, headless, driven by `tests/neovim/lsp_session.lua`.
//!
//! Skipped (with a message on stderr) when `nvim` is not on `PATH`, unless
//! `CTXLINT_REQUIRE_NVIM=1` (set by `.ci/run`, which installs Neovim) makes that a failure.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::cli::{FINDING, project};

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether process `pid` is gone (a zombie no one reaped has ended too).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (name) S …`: the state follows the name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

#[test]
fn neovim_shows_live_diagnostics_and_applies_a_fix() {
    if !nvim_available() {
        assert!(
            std::env::var_os("CTXLINT_REQUIRE_NVIM").is_none_or(|v| v != "1"),
            "CTXLINT_REQUIRE_NVIM=1 but nvim is not on PATH"
        );
        // Straight to stderr: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED neovim_shows_live_diagnostics_and_applies_a_fix: nvim is not on PATH \
             (apt-get install neovim to run it)"
        );
        return;
    }
    let dir = project(&[("src/lib.rs", FINDING)]);
    let file = dir.path().join("src/lib.rs");
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    let result = dir.path().join("result.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/lsp_session.lua");

    let mut nvim = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir.path())
        .env("CTXLINT_BIN", env!("CARGO_BIN_EXE_ctxlint"))
        .env("CTXLINT_FILE", &file)
        .env("CTXLINT_RESULT", &result)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    // A hang guard, not a timing assertion: the script gives up on its own long before.
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = nvim.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = nvim.kill();
            panic!("nvim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let outcome = std::fs::read_to_string(&result).unwrap_or_else(|_| "no result written".into());
    let mut stderr = String::new();
    if let Some(mut pipe) = nvim.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    assert!(status.success(), "nvim: {status}; {outcome}\n{stderr}");
    let pid: u32 = outcome
        .trim()
        .strip_prefix("ok ")
        .unwrap_or_else(|| panic!("the session failed: {outcome}\n{stderr}"))
        .parse()
        .expect("the server's pid");

    // The buffer was edited and fixed; the file on disk never was.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FINDING);
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), before);
    assert!(ended(pid), "the server (pid {pid}) is still running");
}
