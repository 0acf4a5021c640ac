pub use tokio_util::sync::CancellationToken;

/// The process-wide token, for code that has no other way to reach one.
pub fn global() -> CancellationToken {
    CancellationToken::new()
}
