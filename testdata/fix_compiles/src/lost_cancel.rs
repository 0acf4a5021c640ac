use std::time::Duration;

use tokio_util::sync::{CancellationToken, DropGuard};

async fn heartbeat(cancel: CancellationToken) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
    }
}

pub fn start_node() {
    let cancel = CancellationToken::new();
    tokio::spawn(heartbeat(cancel.clone()));
}

async fn step(n: u32) -> Result<u32, String> {
    if n > 3 { Err("too far".into()) } else { Ok(n) }
}

pub async fn sync(n: u32) -> Result<u32, String> {
    let cancel = CancellationToken::new();
    tokio::spawn(heartbeat(cancel.clone()));
    let a = step(n).await?;
    let b = step(a + 1).await?;
    cancel.cancel();
    Ok(b)
}

pub struct Connection {
    n: u32,
    _guard: DropGuard,
}

pub async fn connect(n: u32, token: CancellationToken) -> Result<Connection, String> {
    let n = step(n).await?;
    Ok(Connection {
        n,
        _guard: token.drop_guard(),
    })
}

pub struct Reader {
    cancel: CancellationToken,
}

impl Reader {
    pub fn start() -> Reader {
        let cancel = CancellationToken::new();
        tokio::spawn(heartbeat(cancel.clone()));
        Reader { cancel }
    }
}
