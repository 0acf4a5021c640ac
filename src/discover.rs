//! Which files to lint. A file named on the command line is linted whatever its name; a
//! directory is walked for `*.rs` files, skipping `target/`, project templates, hidden entries
//! and whatever `.gitignore` files ignore (also outside a git repository). Symlinks are followed; loops and
//! dangling links are skipped with a note.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::engine::Input;

/// Notes about entries that were skipped (dangling symlinks, loops, unreadable directories).
#[derive(Clone, Default)]
pub struct Notes(Arc<Mutex<Vec<String>>>);

impl Notes {
    fn push(&self, note: String) {
        self.0.lock().expect("notes lock").push(note);
    }

    /// The notes, sorted: the walk's threads add them in no fixed order.
    pub fn take(&self) -> Vec<String> {
        let mut notes = std::mem::take(&mut *self.0.lock().expect("notes lock"));
        notes.sort();
        notes
    }
}

/// The directories among `paths` that cannot be listed: naming one is a usage error, not a
/// note (the user asked for it and would otherwise get a clean run).
pub fn unreadable_roots(paths: &[PathBuf]) -> Result<(), String> {
    for path in paths {
        if path.is_dir()
            && let Err(error) = std::fs::read_dir(path)
        {
            return Err(format!("cannot read the directory `{}`: {error}", path.display()));
        }
    }
    Ok(())
}

/// The files under `paths`; a file reached twice (`src src/lib.rs`, or through a symlinked
/// directory) once, under the first path it was found by. Each directory is walked on several
/// threads (most of a walk is waiting on system calls); the files come back sorted by path
/// within each of `paths`, so every run sees them in the same order. Only files `keep` accepts
/// come back (it runs on the walking threads).
pub fn files(paths: &[PathBuf], notes: Notes, keep: impl Fn(&Path) -> bool + Sync) -> Vec<Input> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for root in paths {
        for (input, identity) in walk(root, &cwd, &notes, &keep) {
            if seen.insert(identity) {
                files.push(input);
            }
        }
    }
    files
}

/// What makes two paths one file: its device and inode where the file exists, else the path
/// without `.` segments (`./src/a.rs` and `src/a.rs` are one file).
#[derive(PartialEq, Eq, Hash)]
enum Identity {
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(cwd: &Path, path: &Path) -> Identity {
    #[cfg(unix)]
    if let Ok(metadata) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        return Identity::Inode(metadata.dev(), metadata.ino());
    }
    Identity::Path(cwd.join(path).components().collect())
}

fn walk(
    root: &Path,
    cwd: &Path,
    notes: &Notes,
    keep: &(impl Fn(&Path) -> bool + Sync),
) -> Vec<(Input, Identity)> {
    if !root.is_dir() {
        if !keep(root) {
            return Vec::new();
        }
        // Named explicitly: lint it whatever its extension; a missing file is reported by the
        // engine as unreadable.
        let input = Input {
            path: root.to_path_buf(),
            name: display_name(root, cwd),
        };
        return vec![(input, identity(cwd, root))];
    }
    let found = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .follow_links(true)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(false)
        .parents(true)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && (entry.file_name() == "target" || is_project_template(entry.path())))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        let is_rust = entry.path().extension().is_some_and(|ext| ext == "rs");
                        if is_file && is_rust && keep(entry.path()) {
                            let input = Input {
                                name: display_name(entry.path(), cwd),
                                path: entry.into_path(),
                            };
                            let identity = identity(cwd, &input.path);
                            found.lock().expect("walk lock").push((input, identity));
                        }
                    }
                    Err(error) => notes.push(format!("skipped: {}", error.to_string().trim())),
                }
                ignore::WalkState::Continue
            })
        });
    let mut found = found.into_inner().expect("walk lock");
    found.sort_by(|(a, _), (b, _)| a.path.cmp(&b.path));
    found
}

/// A cargo-generate or Spin project template (`cargo-generate.toml`, `Cargo.toml.tmpl`): its
/// `.rs` files hold placeholders such as `{{project-name}}` and are Rust only once generated.
fn is_project_template(dir: &Path) -> bool {
    ["cargo-generate.toml", "Cargo.toml.tmpl"]
        .iter()
        .any(|name| dir.join(name).is_file())
}

/// The path as users should see it: relative to the current directory when below it.
pub fn display_name(path: &Path, cwd: &Path) -> String {
    let shown = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path.strip_prefix(".").unwrap_or(path)
    };
    shown.to_string_lossy().into_owned()
}
