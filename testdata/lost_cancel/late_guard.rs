//@ fix: unsafe
// A token the function takes charge of (it ties it to a guard), but only after an early exit.
use std::time::Duration;
use tokio_util::sync::{CancellationToken, DropGuard};

struct Connection {
    stream: Stream,
    _guard: DropGuard,
}

async fn connect(addr: Addr, token: CancellationToken) -> Result<Connection, Error> {
    let stream = tokio::time::timeout(Duration::from_secs(5), open(addr)).await??; //~ lost_cancel
    Ok(Connection {
        stream,
        _guard: token.drop_guard(),
    })
}

// Fixed: the guard comes first.
async fn connect_fixed(addr: Addr, token: CancellationToken) -> Result<Connection, Error> {
    let guard = token.drop_guard();
    let stream = tokio::time::timeout(Duration::from_secs(5), open(addr)).await??;
    Ok(Connection { stream, _guard: guard })
}

// Borrowed: the caller owns it.
async fn borrowed(addr: Addr, token: &CancellationToken) -> Result<Connection, Error> {
    let stream = open(addr).await?;
    Ok(Connection {
        stream,
        _guard: token.clone().drop_guard(),
    })
}
