use common::util::tokio_util::sync::CancellationToken;

/// Declared here, used in server.rs.
pub struct Shared {
    pub shutdown: CancellationToken,
    pub name: String,
}

/// Its token is private to this module: code elsewhere cannot derive from it.
pub struct Runtime {
    cancel: CancellationToken,
}
