//! Which files to lint. A file named on the command line is linted whatever its name; a
//! directory is walked for `*.rs` files, skipping `target/`, hidden entries and whatever
//! `.gitignore` files ignore (also outside a git repository). Symlinks are followed; loops and
//! dangling links are skipped with a note. The walk streams: linting starts with the first file.

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

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("notes lock"))
    }
}

/// The files under `paths`, as they are found; a file reached twice (`src src/lib.rs`) once.
pub fn files(paths: &[PathBuf], notes: Notes) -> impl Iterator<Item = Input> + Send + use<> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let paths = paths.to_vec();
    let mut seen = HashSet::new();
    let walk_cwd = cwd.clone();
    paths
        .into_iter()
        .flat_map(move |root| walk(root, walk_cwd.clone(), notes.clone()))
        // `components()` drops `.` segments: `./src/a.rs` and `src/a.rs` are one file.
        .filter(move |input| seen.insert(cwd.join(&input.path).components().collect::<PathBuf>()))
}

fn walk(root: PathBuf, cwd: PathBuf, notes: Notes) -> Box<dyn Iterator<Item = Input> + Send> {
    if !root.is_dir() {
        // Named explicitly: lint it whatever its extension; a missing file is reported by the
        // engine as unreadable.
        let name = display_name(&root, &cwd);
        return Box::new(std::iter::once(Input { path: root, name }));
    }
    let walker = ignore::WalkBuilder::new(&root)
        .follow_links(true)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(false)
        .parents(true)
        .filter_entry(|entry| {
            !(entry.file_name() == "target" && entry.file_type().is_some_and(|t| t.is_dir()))
        })
        .build();
    Box::new(walker.filter_map(move |entry| match entry {
        Ok(entry) => {
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            let is_rust = entry.path().extension().is_some_and(|ext| ext == "rs");
            (is_file && is_rust).then(|| Input {
                name: display_name(entry.path(), &cwd),
                path: entry.into_path(),
            })
        }
        Err(error) => {
            notes.push(format!("skipped: {}", error.to_string().trim()));
            None
        }
    }))
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
