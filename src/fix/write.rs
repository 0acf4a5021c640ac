//! Replacing a file's text without ever leaving it half-written: the new text goes to a
//! temporary file in the same directory (same file system), which is then renamed over it.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Replaces the file at `path` with `text`, if it still holds `expected` (what was read and
/// fixed). Keeps its permissions; through a symlink, replaces the file it points to. On error
/// the file is as it was, and the reason is returned.
pub fn replace(path: &Path, expected: &str, text: &str) -> Result<(), String> {
    let target = fs::canonicalize(path).map_err(|e| format!("cannot resolve its path: {e}"))?;
    let metadata = fs::metadata(&target).map_err(|e| format!("cannot read its metadata: {e}"))?;
    // Renaming would replace a read-only file too; its mode says it is not to be edited.
    if metadata.permissions().readonly() {
        return Err("it is read-only".into());
    }
    let dir = target.parent().ok_or("it has no parent directory")?;
    let mut temp = tempfile::Builder::new()
        .prefix(".ctxlint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file beside it: {e}"))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().set_permissions(metadata.permissions()))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| format!("cannot write a temporary file beside it: {e}"))?;
    // Checked last, so that the window for an edit to slip in is as small as it can be.
    let now = fs::read(&target).map_err(|e| format!("cannot read it again: {e}"))?;
    if now != expected.as_bytes() {
        return Err("it changed on disk since ctxlint read it".into());
    }
    temp.persist(&target)
        .map_err(|e| format!("cannot replace it: {}", e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_text_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        replace(&path, "old", "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        }
        assert_eq!(entries(dir.path()), ["a.rs"]);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        fs::write(&path, "edited meanwhile").unwrap();
        let error = replace(&path, "old", "new").unwrap_err();
        assert!(error.contains("changed on disk"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "edited meanwhile");
        assert_eq!(entries(dir.path()), ["a.rs"], "no temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.rs");
        let link = dir.path().join("link.rs");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace(&link, "old", "new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }
}
