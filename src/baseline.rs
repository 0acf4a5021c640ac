//! Baselines, to adopt ctxlint on a large codebase: `--write-baseline FILE` records today's
//! findings, `--baseline FILE` reports only findings that are not in it.
//!
//! A finding is known by its rule, its file (relative to the baseline's directory, so the
//! baseline works from any working directory) and the whitespace-normalised text of the line it
//! starts on — never by line numbers, so edits elsewhere in the file do not bring old findings
//! back. Identical findings are counted: a third copy of a line recorded twice is new.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::engine::Report;
use crate::paths::{self, relative_name};
use crate::source::SourceFile;

const VERSION: u32 = 1;

/// More copies of one line than any file can hold: a larger count is a corrupt baseline.
const MAX_COUNT: usize = u32::MAX as usize;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    file: String,
    /// The finding's first line, whitespace-normalised.
    text: String,
    count: usize,
}

/// What identifies a finding across edits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub rule: String,
    pub file: String,
    pub text: String,
}

impl Key {
    /// `root` is the directory file names are relative to.
    pub fn new(diagnostic: &Diagnostic, source: &SourceFile, root: &Path) -> Key {
        Key {
            rule: diagnostic.rule.to_string(),
            file: relative_name(&source.path, root),
            text: normalized_line(source, diagnostic),
        }
    }

    /// A stable hash of the key (FNV-1a, 64 bits), for SARIF's `partialFingerprints`.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [&self.rule, &self.file, &self.text] {
            for byte in part.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }
}

/// The line a finding starts on, trimmed, with runs of whitespace made one space.
pub fn normalized_line(source: &SourceFile, diagnostic: &Diagnostic) -> String {
    let line = source.line_text(source.line_index(diagnostic.span.start));
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The directory a baseline's file names are relative to: its own.
pub fn root_of(baseline: &Path) -> PathBuf {
    paths::absolute(baseline)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The names (as a baseline's root sees them) of the files a run linted.
fn linted_names(report: &Report, root: &Path) -> HashSet<String> {
    report
        .linted
        .iter()
        .map(|path| relative_name(path, root))
        .collect()
}

/// Writes every finding of `report` to `path`; returns how many were recorded, and how many
/// entries of the old baseline were kept. Entries an
/// existing baseline holds for files this run did not lint (`ctxlint --write-baseline b.json
/// one_file.rs`) are kept while those files exist.
pub fn write(path: &Path, report: &Report) -> Result<(usize, usize), String> {
    let root = root_of(path);
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    let mut kept = 0;
    if let Ok(old) = Baseline::load(path) {
        let linted = linted_names(report, &root);
        for (key, count) in old.counts {
            if !linted.contains(&key.file) && root.join(&key.file).is_file() {
                *counts.entry(key).or_default() += count;
                kept += count;
            }
        }
    }
    for file in &report.files {
        for diagnostic in &file.diagnostics {
            *counts
                .entry(Key::new(diagnostic, &file.source, &root))
                .or_default() += 1;
        }
    }
    let total = counts.values().sum::<usize>() - kept;
    let file = File {
        version: VERSION,
        findings: counts
            .into_iter()
            .map(|(key, count)| Entry {
                rule: key.rule,
                file: key.file,
                text: key.text,
                count,
            })
            .collect(),
    };
    let mut json = serde_json::to_string_pretty(&file).expect("a baseline serialises");
    json.push('\n');
    std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((total, kept))
}

/// A loaded baseline: how many findings of each key are known.
pub struct Baseline {
    root: PathBuf,
    counts: HashMap<Key, usize>,
}

/// What filtering did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Filtered {
    /// Findings hidden because the baseline knows them.
    pub known: usize,
    /// Entries for linted files that no finding matched any more (fixed, or the line
    /// changed); entries for files this run did not lint are not judged.
    pub stale: usize,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a ctxlint baseline: {e}", path.display()))?;
        if file.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (expected {VERSION}); write it again with --write-baseline",
                path.display(),
                file.version
            ));
        }
        let mut counts = HashMap::new();
        for entry in file.findings {
            let key = Key {
                rule: entry.rule,
                file: entry.file,
                text: entry.text,
            };
            let count: &mut usize = counts.entry(key).or_default();
            *count = count
                .checked_add(entry.count)
                .filter(|&total| total <= MAX_COUNT)
                .ok_or_else(|| format!("{}: a finding's count is out of range", path.display()))?;
        }
        Ok(Baseline {
            root: root_of(path),
            counts,
        })
    }

    /// Drops the findings the baseline knows from `report` (in each file, the first ones of
    /// each key, up to the recorded count).
    pub fn filter(&self, report: &mut Report) -> Filtered {
        let mut left = self.counts.clone();
        let mut known = 0;
        for file in &mut report.files {
            let source = &file.source;
            file.diagnostics.retain(|diagnostic| {
                let key = Key::new(diagnostic, source, &self.root);
                match left.get_mut(&key) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        known += 1;
                        false
                    }
                    _ => true,
                }
            });
        }
        report.files.retain(|file| !file.diagnostics.is_empty());
        let linted = linted_names(report, &self.root);
        let stale = left
            .iter()
            .filter(|(key, _)| linted.contains(&key.file))
            .map(|(_, count)| count)
            .sum();
        Filtered { known, stale }
    }
}
