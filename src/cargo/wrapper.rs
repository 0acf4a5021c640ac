//! `--with-check[=clippy]`: rust-analyzer runs a single check command, so ctxlint can run
//! `cargo check` (or clippy) itself, pass its output through line by line as it comes, and
//! add its own messages at the end — before cargo's closing `build-finished` line.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

pub struct Check {
    child: Child,
    /// Copies cargo's stdout to ours; returns the `build-finished` line it held back.
    copier: JoinHandle<Option<String>>,
}

/// How the wrapped command ended.
pub struct Finished {
    pub status: ExitStatus,
    pub build_finished: Option<String>,
}

/// Starts `$CARGO <subcommand> <args>`, its stderr shared with ours.
pub fn spawn(cargo: &OsString, subcommand: &str, args: &[OsString]) -> Result<Check, String> {
    let mut child = Command::new(cargo)
        .arg(subcommand)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run `{} {subcommand}`: {e}", cargo.to_string_lossy()))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let copier = std::thread::spawn(move || {
        let mut held = None;
        let out = std::io::stdout();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if is_build_finished(&line) {
                held = Some(line);
                continue;
            }
            let mut out = out.lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        held
    });
    Ok(Check { child, copier })
}

impl Check {
    pub fn wait(mut self) -> Result<Finished, String> {
        let status = self
            .child
            .wait()
            .map_err(|e| format!("cannot wait for cargo: {e}"))?;
        let build_finished = self.copier.join().unwrap_or(None);
        Ok(Finished {
            status,
            build_finished,
        })
    }
}

fn is_build_finished(line: &str) -> bool {
    line.starts_with('{')
        && serde_json::from_str::<serde_json::Value>(line)
            .is_ok_and(|v| v.get("reason").and_then(|r| r.as_str()) == Some("build-finished"))
}
