//@ fix: unsafe
// A `cancel()` that an early exit skips after spawned work started waiting on the token.
use tokio_util::sync::CancellationToken;

async fn worker(jobs: Jobs, cancel: CancellationToken) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = jobs.run() => {}
    }
}

async fn sync(jobs: Jobs, peer: Peer) -> Result<(), Error> {
    let cancel = CancellationToken::new();
    tokio::spawn(worker(jobs, cancel.clone()));
    peer.handshake().await?; //~ lost_cancel
    peer.transfer().await?;
    cancel.cancel();
    Ok(())
}

async fn with_return(jobs: Jobs, peer: Peer) -> Result<(), Error> {
    let cancel = CancellationToken::new();
    tokio::spawn(worker(jobs, cancel.clone()));
    if !peer.ready() {
        return Err(Error::NotReady); //~ lost_cancel
    }
    // One finding per token: its note counts the other exits.
    let Some(session) = peer.session() else {
        return Err(Error::NoSession);
    };
    session.finish().await;
    cancel.cancel();
    Ok(())
}

// Fixed: a guard from the start cancels on every path.
async fn sync_fixed(jobs: Jobs, peer: Peer) -> Result<(), Error> {
    let cancel = CancellationToken::new();
    let _guard = cancel.clone().drop_guard();
    tokio::spawn(worker(jobs, cancel.clone()));
    peer.handshake().await?;
    peer.transfer().await?;
    Ok(())
}

// Each exit cancels first, or comes before the task starts.
async fn every_exit_cancels(jobs: Jobs, peer: Peer) -> Result<(), Error> {
    peer.connect().await?;
    let cancel = CancellationToken::new();
    tokio::spawn(worker(jobs, cancel.clone()));
    if !peer.ready() {
        cancel.cancel();
        return Err(Error::NotReady);
    }
    let outcome = peer.transfer().await;
    cancel.cancel();
    outcome
}

// `?` inside the spawned task leaves the task, not this function.
async fn exits_inside_the_task(jobs: Jobs, peer: Peer) -> Result<(), Error> {
    let cancel = CancellationToken::new();
    let task_cancel = cancel.clone();
    tokio::spawn(async move {
        task_cancel.cancelled().await;
        jobs.flush().await?;
        Ok::<(), Error>(())
    });
    peer.wait().await;
    cancel.cancel();
    Ok(())
}
