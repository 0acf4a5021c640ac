//! Reading a source file without trusting what the path names: only a regular file on a real
//! file system is read, never more than a size cap, and opening never blocks.
//!
//! The checks are made on the opened descriptor, not the path, so a path swapped for a FIFO or
//! a device between a check and the open cannot get through.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Files larger than this are not read unless the configuration says otherwise
/// (`max_file_size`); real source files stay far below it.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 32 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A FIFO, a device, a socket or a directory.
    NotRegular(&'static str),
    /// A file of a kernel pseudo file system (`/proc`, `/sys`, …): its size means nothing and
    /// reading it can block or never end.
    Pseudo,
    TooLarge {
        limit: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(error) => write!(f, "could not read this file: {error}"),
            ReadError::NotRegular(what) => write!(f, "this is {what}, not a regular file; it was not read"),
            ReadError::Pseudo => {
                f.write_str("this file is on a kernel pseudo file system (/proc, /sys); it was not read")
            }
            ReadError::TooLarge { limit } => write!(
                f,
                "this file is larger than {limit} bytes (`max_file_size`); it was not read"
            ),
        }
    }
}

/// Opens `path` for reading without blocking (a FIFO would block in `open`), and checks that
/// it is a regular file on a real file system.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    open_with_size(path).map(|(file, _)| file)
}

/// [`open_regular`], with the file's size when it was opened.
fn open_with_size(path: &Path) -> Result<(File, u64), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    let kind = metadata.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotRegular(describe(&kind)));
    }
    if on_pseudo_file_system(&file, &metadata) {
        return Err(ReadError::Pseudo);
    }
    Ok((file, metadata.len()))
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read_source(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_with_size(path)?;
    read_sized(file, size, limit)
}

/// Reads an opened file of `size` bytes to its end, failing if it holds more than `limit`
/// bytes (the size is not trusted: the file may grow while it is read).
fn read_sized(mut file: File, size: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
    if size > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Whether `file` lives on procfs, sysfs or another kernel file system whose files are not
/// data on a disk. A block device once found to hold a real file system is not asked about
/// again (a run reads thousands of files from a few devices); an anonymous device number
/// (major 0: tmpfs, overlay, FUSE, and /proc itself) is asked every time, as it may be reused
/// by another mount in a long-running server.
#[cfg(target_os = "linux")]
fn on_pseudo_file_system(file: &File, metadata: &std::fs::Metadata) -> bool {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    use std::sync::Mutex;
    static REAL_DEVICES: Mutex<Vec<u64>> = Mutex::new(Vec::new());
    let device = metadata.dev();
    let known_real = |devices: &Vec<u64>| devices.contains(&device);
    if REAL_DEVICES.lock().is_ok_and(|devices| known_real(&devices)) {
        return false;
    }
    // Magic numbers from linux/magic.h.
    const PSEUDO: [i64; 11] = [
        0x9fa0,      // proc
        0x6265_6572, // sysfs
        0x6462_6720, // debugfs
        0x7472_6163, // tracefs
        0x7363_6673, // securityfs
        0x0027_e0eb, // cgroup
        0x6367_7270, // cgroup2
        0x6265_6570, // configfs
        0xcafe_4a11, // bpf
        0xde5e_81e4, // efivarfs
        0x6165_676c, // pstore
    ];
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: the descriptor is open and `stat` is a valid out pointer for fstatfs.
    let result = unsafe { libc::fstatfs(file.as_raw_fd(), stat.as_mut_ptr()) };
    if result != 0 {
        return false;
    }
    // SAFETY: fstatfs succeeded and filled the struct.
    // `f_type`'s width differs between platforms.
    #[allow(clippy::unnecessary_cast)]
    let kind = unsafe { stat.assume_init() }.f_type as i64;
    if PSEUDO.contains(&kind) {
        return true;
    }
    if libc::major(device) != 0
        && let Ok(mut devices) = REAL_DEVICES.lock()
        && !known_real(&devices)
    {
        devices.push(device);
    }
    false
}

#[cfg(not(target_os = "linux"))]
fn on_pseudo_file_system(_: &File, _: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        std::fs::write(&path, "fn f() {}").unwrap();
        assert_eq!(read_source(&path, 100).unwrap(), b"fn f() {}");
        assert!(matches!(
            read_source(&path, 3),
            Err(ReadError::TooLarge { limit: 3 })
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn refuses_devices_fifos_and_proc() {
        // A real file read first: its device is remembered as real, /proc's is not.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.rs"), "").unwrap();
        assert!(read_source(&dir.path().join("a.rs"), 100).is_ok());
        assert!(matches!(
            read_source(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular("a device"))
        ));
        assert!(matches!(
            read_source(Path::new("/proc/self/status"), 1 << 20),
            Err(ReadError::Pseudo)
        ));
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.rs");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        // Without O_NONBLOCK this open would wait for a writer forever.
        assert!(matches!(
            read_source(&fifo, 100),
            Err(ReadError::NotRegular("a FIFO"))
        ));
    }
}
