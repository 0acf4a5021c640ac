// Shapes that look like lost cancellations but are not: no findings.
use std::time::Duration;
use tokio_util::sync::CancellationToken;

async fn heartbeat(cancel: CancellationToken) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = tokio::time::sleep(Duration::from_secs(60)) => {}
    }
}

// `let … else { continue }` stays in the loop; a cancel in the `else` block covers its return.
async fn pump(mut rx: Receiver<Raw>, peer: Peer) -> Result<(), Error> {
    let cancel = CancellationToken::new();
    tokio::spawn(heartbeat(cancel.clone()));
    while let Some(raw) = rx.recv().await {
        let Ok(message) = decode(raw) else { continue };
        handle(message).await;
    }
    let Some(session) = peer.session() else {
        cancel.cancel();
        return Err(Error::NoSession);
    };
    session.finish().await;
    cancel.cancel();
    Ok(())
}

// The guard is on a child: the parameter is the server's, not this function's to cancel.
async fn serve_connection(conn: Conn, token: CancellationToken) -> Result<(), Error> {
    let hello = conn.read_hello().await?;
    let token = token.child_token();
    let _guard = token.clone().drop_guard();
    tokio::spawn(heartbeat(token.clone()));
    conn.serve(hello).await
}

// Handed to a registry before the exit: the registry cancels it.
async fn attach(registry: &Registry, addr: Addr, token: CancellationToken) -> Result<Session, Error> {
    registry.track(token.clone());
    let stream = open(addr).await?;
    Ok(Session { stream, _guard: token.drop_guard() })
}

// Made inside the task and awaited there: it ends with the task.
fn start() {
    tokio::spawn(async move {
        let cancel = CancellationToken::new();
        heartbeat(cancel.clone()).await;
    });
}

// The cancel is in the other arm: on the `Ok` path the task has finished.
async fn checksum(path: Path) -> Result<Digest, Error> {
    let cancel = CancellationToken::new();
    let task_cancel = cancel.clone();
    let task = tokio::task::spawn_blocking(move || hash_file(&path, &task_cancel));
    match tokio::time::timeout(Duration::from_secs(5), task).await {
        Ok(joined) => Ok(joined??),
        Err(_) => {
            cancel.cancel();
            Err(Error::Timeout)
        }
    }
}

fn hash_file(path: &Path, cancel: &CancellationToken) -> Result<Digest, Error> {
    while !cancel.is_cancelled() {}
    Ok(Digest)
}

// A `JoinSet` field aborts its tasks when its owner goes, or on `shutdown()`.
struct Supervisor {
    tasks: tokio::task::JoinSet<()>,
}

impl Supervisor {
    fn add(&mut self) {
        let cancel = CancellationToken::new();
        self.tasks.spawn(heartbeat(cancel.clone()));
    }
}

// A closure named like a function of this file: its body is not that function's.
fn stop(token: CancellationToken) {
    tokio::spawn(async move { token.cancelled().await });
}

fn with_closure() {
    let cancel = CancellationToken::new();
    let stop = |t: CancellationToken| t.cancel();
    tokio::spawn(heartbeat(cancel.clone()));
    stop(cancel.clone());
}
