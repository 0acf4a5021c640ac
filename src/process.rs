//! Settings of the process itself, made first thing by both binaries.

/// Turns transparent huge pages off for this process. mimalloc asks the kernel for them
/// (`MADV_HUGEPAGE`), and where memory is fragmented — after a build, or after another tool
/// ran — the kernel compacts memory on each such fault before it can hand out a huge page. On
/// the benchmark corpus that tripled ctxlint's system time; ctxlint's heap is small and
/// short-lived, so it gains nothing from huge pages.
pub fn disable_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integers only and touches no memory of this process;
    // a kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
