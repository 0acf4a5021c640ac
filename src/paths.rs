//! Paths as reports show them: absolute without `.`/`..`, and relative to a root with `/`.

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// `path` made absolute (against the current directory) with `.` and `..` removed lexically.
pub fn absolute(path: &Path) -> PathBuf {
    match current_dir() {
        Some(cwd) if path.is_relative() => normalize(&cwd.join(path)),
        _ => normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())),
    }
}

/// The current directory, asked for once: ctxlint never changes it, and asking the kernel
/// for it once per file cost a few milliseconds of a run.
fn current_dir() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `root` with `/` separators, or absolute when it is not below `root`.
pub fn relative_name(path: &Path, root: &Path) -> String {
    let path = absolute(path);
    let root = absolute(root);
    match path.strip_prefix(&root) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
        assert_eq!(
            relative_name(Path::new("/r/x/../src/a.rs"), Path::new("/r/src/..")),
            "src/a.rs"
        );
        assert_eq!(
            relative_name(Path::new("/elsewhere/a.rs"), Path::new("/r")),
            "/elsewhere/a.rs"
        );
    }
}
