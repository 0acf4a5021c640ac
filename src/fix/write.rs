//! Replacing a file's text without ever leaving it half-written, losing a concurrent write, or
//! writing where the user did not point: the new text goes to a temporary file in the same
//! directory (same file system), which is then renamed over the file.
//!
//! A rename makes a new inode: it would break hard links and give the file to whoever runs
//! ctxlint. So a file with more than one link, or owned by another user, is refused with a
//! reason rather than replaced (the user can fix it by hand or run as its owner).
//!
//! Against concurrent writers: the file is opened once and held under an advisory lock
//! (`flock`), its content is compared with what was fixed on that descriptor right before the
//! rename, the rename is refused if the path no longer names that inode or its size or
//! modification time moved, and a write that still lands on the old inode in the instant
//! between the check and the rename is detected afterwards and put back.

use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

/// Replaces the file at `path` with `text`, if it still holds `expected` (what was read and
/// fixed). Keeps its permissions; through a symlink, replaces the file it points to, but only
/// if that file lies inside `roots` (when given). On error the file is as it was, and the
/// reason is returned.
pub fn replace(path: &Path, expected: &str, text: &str, roots: Option<&[PathBuf]>) -> Result<(), String> {
    replace_with(path, expected, text, roots, || {})
}

/// [`replace`], calling `before_rename` after the last check (tests race it there).
fn replace_with(
    path: &Path,
    expected: &str,
    text: &str,
    roots: Option<&[PathBuf]>,
    before_rename: impl FnOnce(),
) -> Result<(), String> {
    let target = fs::canonicalize(path).map_err(|e| format!("cannot resolve its path: {e}"))?;
    if let Some(roots) = roots
        && !roots.iter().any(|root| target.starts_with(root))
    {
        return Err(format!(
            "it leads to `{}`, outside the paths being linted, so it was linted but not written",
            target.display()
        ));
    }
    let file = crate::read::open_regular(&target).map_err(|e| e.to_string())?;
    refuse_unsafe_targets(&file, &target)?;
    lock(&file)?;
    let before = Stamp::of(&file)?;
    if read_all(&file)? != expected.as_bytes() {
        return Err("it changed on disk since ctxlint read it".into());
    }
    let dir = target.parent().ok_or("it has no parent directory")?;
    remove_leftovers(dir);
    let _writing = WRITES.read().unwrap_or_else(|e| e.into_inner());
    let mut temp = tempfile::Builder::new()
        .prefix(".ctxlint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file beside it: {e}"))?;
    let permissions = file.metadata().map_err(|e| e.to_string())?.permissions();
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().set_permissions(permissions))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| format!("cannot write a temporary file beside it: {e}"))?;
    // Checked last, so that the window for an edit to slip in is as small as it can be.
    let checked = Stamp::of(&file)?;
    let still_there = fs::metadata(&target).is_ok_and(|m| Stamp::from(&m).same_inode(&checked));
    if checked != before || !still_there || read_all(&file)? != expected.as_bytes() {
        return Err("it changed on disk since ctxlint read it".into());
    }
    before_rename();
    temp.persist(&target)
        .map_err(|e| format!("cannot replace it: {}", e.error))?;
    // A writer that opened the file before the rename may have written to the old inode in
    // the instant since the check: its write wins over the fix. (Timestamps can be coarser
    // than that instant, so the content is compared too.)
    let theirs = read_all(&file)?;
    if Stamp::of(&file)? != checked || theirs != expected.as_bytes() {
        restore(dir, &target, &theirs, &file)?;
        return Err("it was written to while ctxlint replaced it; the other write was kept".into());
    }
    Ok(())
}

/// A rename gives the file a new inode owned by whoever runs ctxlint: refuse where that would
/// break hard links, change the owner, or write what the user may not write.
fn refuse_unsafe_targets(file: &File, target: &Path) -> Result<(), String> {
    let metadata = file
        .metadata()
        .map_err(|e| format!("cannot read its metadata: {e}"))?;
    // Its mode says it is not to be edited, even for root (renaming would replace it).
    if metadata.permissions().readonly() {
        return Err("it is read-only".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::MetadataExt;
        if metadata.nlink() > 1 {
            return Err(format!(
                "it has {} hard links, which replacing it would break",
                metadata.nlink()
            ));
        }
        // SAFETY: no preconditions.
        let user = unsafe { libc::geteuid() };
        if metadata.uid() != user {
            return Err(format!(
                "it belongs to another user (uid {}), and replacing it would make it yours",
                metadata.uid()
            ));
        }
        let name = std::ffi::CString::new(target.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
        // The kernel's answer, not the mode bits: ACLs, read-only mounts and capabilities count.
        // SAFETY: a valid C string and flags.
        let allowed = unsafe { libc::faccessat(libc::AT_FDCWD, name.as_ptr(), libc::W_OK, libc::AT_EACCESS) };
        if allowed != 0 {
            return Err(format!(
                "you may not write it: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

/// An exclusive advisory lock, held until the descriptor closes: two ctxlint runs (or an
/// editor that locks) never interleave on one file.
fn lock(file: &File) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: an open descriptor.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err("another process holds a lock on it".into());
        }
    }
    Ok(())
}

/// How old a temporary file of ours must be to count as left behind: a write holds one for
/// milliseconds, so one this old belongs to a run that was killed (`kill -9`).
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the temporary files a killed run left in `dir` (`.ctxlint-XXXXXX.tmp`, regular
/// files older than [`LEFTOVER_AGE`]), once per directory per run.
fn remove_leftovers(dir: &Path) {
    static SWEPT: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>> = std::sync::Mutex::new(None);
    let mut swept = SWEPT.lock().unwrap_or_else(|e| e.into_inner());
    if !swept
        .get_or_insert_with(Default::default)
        .insert(dir.to_path_buf())
    {
        return;
    }
    drop(swept);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        if !is_temporary_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > LEFTOVER_AGE);
        if meta.file_type().is_file() && old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// `.ctxlint-` + tempfile's six random characters + `.tmp`.
fn is_temporary_name(name: &str) -> bool {
    name.strip_prefix(".ctxlint-")
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|random| random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn read_all(mut file: &File) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    file.rewind()
        .and_then(|()| file.read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read it again: {e}"))?;
    Ok(bytes)
}

/// Puts back what another writer wrote to the old inode during the rename.
fn restore(dir: &Path, target: &Path, bytes: &[u8], old: &File) -> Result<(), String> {
    let mut temp = tempfile::Builder::new()
        .prefix(".ctxlint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot put back a concurrent write: {e}"))?;
    let permissions = old.metadata().map_err(|e| e.to_string())?.permissions();
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().set_permissions(permissions))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| format!("cannot put back a concurrent write: {e}"))?;
    temp.persist(target)
        .map_err(|e| format!("cannot put back a concurrent write: {}", e.error))?;
    Ok(())
}

/// What tells that a file changed without reading it.
#[derive(Debug, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    size: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(file: &File) -> Result<Stamp, String> {
        file.metadata()
            .map(|m| Stamp::from(&m))
            .map_err(|e| format!("cannot read its metadata: {e}"))
    }

    fn same_inode(&self, other: &Stamp) -> bool {
        (self.device, self.inode) == (other.device, other.inode)
    }
}

impl From<&fs::Metadata> for Stamp {
    fn from(metadata: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (device, inode) = {
            use std::os::unix::fs::MetadataExt;
            (metadata.dev(), metadata.ino())
        };
        #[cfg(not(unix))]
        let (device, inode) = (0, 0);
        Stamp {
            device,
            inode,
            size: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }
}

/// Writes hold it shared; an interrupting signal takes it exclusively (waiting for the writes
/// in flight, so that their temporary files are gone) before the process exits.
static WRITES: RwLock<()> = RwLock::new(());

/// Defers SIGINT, SIGTERM and SIGHUP while files are being replaced, so that no temporary file
/// is left behind: they are blocked in this thread (and every thread it starts afterwards, so
/// call it before any) and taken by a thread of their own, which waits for the writes in
/// flight and then exits as the signal would have.
#[cfg(unix)]
pub fn defer_signals() {
    // SAFETY: plain libc signal-set calls on a local set.
    unsafe {
        let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        libc::sigemptyset(set.as_mut_ptr());
        let mut set = set.assume_init();
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        std::thread::spawn(move || {
            let mut signal = 0;
            if libc::sigwait(&set, &mut signal) == 0 {
                let _idle = WRITES.write().unwrap_or_else(|e| e.into_inner());
                // Exit as the signal would have: unblock it and raise it again.
                libc::signal(signal, libc::SIG_DFL);
                libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::raise(signal);
                libc::_exit(128 + signal);
            }
        });
    }
}

#[cfg(not(unix))]
pub fn defer_signals() {}

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
        replace(&path, "old", "new", None).unwrap();
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
        let error = replace(&path, "old", "new", None).unwrap_err();
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
        let root = [fs::canonicalize(dir.path()).unwrap()];
        replace(&link, "old", "new", Some(&root)).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_roots_is_not_written() {
        let inside = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let real = outside.path().join("real.rs");
        fs::write(&real, "old").unwrap();
        let link = inside.path().join("link.rs");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let root = [fs::canonicalize(inside.path()).unwrap()];
        let error = replace(&link, "old", "new", Some(&root)).unwrap_err();
        assert!(error.contains("outside the paths being linted"), "{error}");
        assert_eq!(fs::read_to_string(&real).unwrap(), "old");
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_and_other_owners_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        fs::write(&path, "old").unwrap();
        fs::hard_link(&path, dir.path().join("b.rs")).unwrap();
        let error = replace(&path, "old", "new", None).unwrap_err();
        assert!(error.contains("2 hard links"), "{error}");
        assert_eq!(fs::read_to_string(dir.path().join("b.rs")).unwrap(), "old");
        fs::remove_file(dir.path().join("b.rs")).unwrap();
        // SAFETY: no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
            let error = replace(&path, "old", "new", None).unwrap_err();
            assert!(error.contains("another user"), "{error}");
            assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        }
        assert_eq!(entries(dir.path()), ["a.rs"]);
    }

    /// A writer that opened the file before the rename and writes to it after the last check
    /// writes to the old inode: that write is put back, not lost.
    #[test]
    fn a_write_racing_the_rename_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        fs::write(&path, "old").unwrap();
        let race = || {
            let mut writer = fs::OpenOptions::new().write(true).open(&path).unwrap();
            writer.write_all(b"new").unwrap();
        };
        let error = replace_with(&path, "old", "fix", None, race).unwrap_err();
        assert!(error.contains("the other write was kept"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(entries(dir.path()), ["a.rs"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_locked_file_is_left_alone() {
        use std::os::fd::AsRawFd;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        fs::write(&path, "old").unwrap();
        let holder = File::open(&path).unwrap();
        // SAFETY: an open descriptor.
        assert_eq!(unsafe { libc::flock(holder.as_raw_fd(), libc::LOCK_EX) }, 0);
        let error = replace(&path, "old", "new", None).unwrap_err();
        assert!(error.contains("lock"), "{error}");
        drop(holder);
        replace(&path, "old", "new", None).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    }
}
