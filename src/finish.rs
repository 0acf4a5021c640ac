//! What happens to a report once the files are linted: baselines, the output, the exit code.
//! Shared by `ctxlint [PATHS]` and `cargo ctxlint`.

use std::io::Write;
use std::path::PathBuf;

use crate::baseline::{self, Baseline};
use crate::cli::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::engine::Report;
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
            let count = baseline::write(path, &report)?;
            eprintln!(
                "ctxlint: recorded {count} finding{} in {}",
                if count == 1 { "" } else { "s" },
                path.display()
            );
            return Ok(EXIT_CLEAN);
        }
        if let Some(path) = &self.baseline {
            let filtered = Baseline::load(path)?.filter(&mut report);
            if matches!(options.format, Format::Human | Format::Short) && filtered.known > 0 {
                eprintln!(
                    "note: {} finding{} in the baseline not shown",
                    filtered.known,
                    if filtered.known == 1 { "" } else { "s" }
                );
            }
            if filtered.stale > 0 {
                eprintln!(
                    "note: {} baseline {} no finding any more; `--write-baseline {}` drops them",
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
        let write_error = |e: std::io::Error| format!("cannot write the report: {e}");
        output::write_report(out, &report, options).map_err(write_error)?;
        out.flush().map_err(write_error)?;
        Ok(if report.diagnostic_count() > 0 && !self.exit_zero {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        })
    }
}
