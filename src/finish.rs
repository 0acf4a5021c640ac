//! What happens to a report once the files are linted: baselines, the output, the exit code.
//! Shared by `ctxlint [PATHS]` and `cargo ctxlint`.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::baseline::{self, Baseline};
use crate::engine::Report;
use crate::exit;
use crate::output::{self, Format, Options};

/// What happens to a report: baselines, then output and the exit code.
pub struct Finish {
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    pub exit_zero: bool,
}

impl Finish {
    pub fn report(&self, mut report: Report, options: &Options, out: &mut dyn Write) -> Result<i32, String> {
        if let Some(path) = &self.write_baseline {
            let (count, kept) = baseline::write(path, &report)?;
            let kept = match kept {
                0 => String::new(),
                1 => " (and kept 1 entry for a file not linted now)".to_string(),
                n => format!(" (and kept {n} entries for files not linted now)"),
            };
            eprintln!(
                "ctxlint: recorded {count} finding{} in {}{kept}",
                if count == 1 { "" } else { "s" },
                path.display()
            );
            return Ok(exit::CLEAN);
        }
        if let Some(path) = &self.baseline {
            let filtered = Baseline::load(path)?.filter(&mut report);
            if matches!(options.rendering(), Format::Human | Format::Short) && filtered.known > 0 {
                eprintln!(
                    "note: {} finding{} in the baseline not shown",
                    filtered.known,
                    if filtered.known == 1 { "" } else { "s" }
                );
            }
            if filtered.stale > 0 {
                eprintln!(
                    "note: {} baseline {} no finding any more in the files linted; `--write-baseline {}` drops them",
                    filtered.stale,
                    if filtered.stale == 1 {
                        "entry matches"
                    } else {
                        "entries match"
                    },
                    path.display()
                );
            }
        }
        // `json-render-diagnostics`: cargo renders compiler messages on stderr, and so do we.
        let written = match options.render_diagnostics && options.format == Format::Json {
            true => output::write_report(&mut io::stderr().lock(), &report, options),
            false => output::write_report(out, &report, options).and_then(|()| out.flush()),
        };
        quiet_on_broken_pipe(written)?;
        Ok(if report.diagnostic_count() > 0 && !self.exit_zero {
            exit::FINDINGS
        } else {
            exit::CLEAN
        })
    }
}

/// A write error, unless the reader went away (`ctxlint | head -1`): then there is nobody to
/// tell, and ctxlint stops quietly, as ripgrep does.
pub fn quiet_on_broken_pipe(written: io::Result<()>) -> Result<(), String> {
    match written {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the report: {error}"))
        }
        _ => Ok(()),
    }
}
