//@ fix: unsafe
// Loops that stop on cancellation but hold shutdown up in an idle or back-off sleep, however
// much real work they also await. Each is followed by its fixed, silent form.
use std::sync::Arc;
use std::time::Duration;
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

struct Shared {
    shutdown: CancellationToken,
}

struct Compactor {
    shared: Arc<Shared>,
    clock: Arc<dyn Clock>,
}

async fn flush_then_idle(shutdown: CancellationToken, store: Store) {
    while !shutdown.is_cancelled() { //~ done_polling
        store.flush().await;
        sleep(Duration::from_secs(50)).await;
    }
}

async fn flush_then_idle_raced(shutdown: CancellationToken, store: Store) {
    while !shutdown.is_cancelled() {
        store.flush().await;
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = sleep(Duration::from_secs(50)) => {}
        }
    }
}

async fn backoff_after_failure(token: CancellationToken, client: Client) {
    while !token.is_cancelled() { //~ done_polling
        match client.push().await {
            Ok(()) => {}
            Err(_) => sleep(Duration::from_secs(500)).await,
        }
    }
}

async fn second_exit_by_question_mark(token: CancellationToken, mut conn: Conn) -> Result<(), Error> {
    loop {
        if token.is_cancelled() { //~ done_polling
            break;
        }
        conn.ping().await?;
        sleep(Duration::from_secs(5)).await;
    }
    Ok(())
}

async fn second_exit_raced(token: CancellationToken, mut conn: Conn) -> Result<(), Error> {
    loop {
        if token.is_cancelled() {
            break;
        }
        conn.ping().await?;
        tokio::select! {
            _ = token.cancelled() => break,
            _ = sleep(Duration::from_secs(5)) => {}
        }
    }
    Ok(())
}

impl Compactor {
    async fn run(&self) {
        while !self.shared.shutdown.is_cancelled() { //~ done_polling
            self.compact().await;
            sleep(Duration::from_secs(5)).await;
        }
    }

    // An injected clock's `sleep` is a sleep too.
    async fn run_on_clock(&self, handle: Handle) {
        loop {
            self.clock.sleep(Duration::from_secs(1)).await;
            if self.shared.shutdown.is_cancelled() { //~ done_polling
                handle.abort();
                break;
            }
        }
    }

    async fn run_raced(&self) {
        while !self.shared.shutdown.is_cancelled() {
            self.compact().await;
            self.shared
                .shutdown
                .run_until_cancelled(sleep(Duration::from_secs(5)))
                .await;
        }
    }
}

async fn cloned_parameter(token: &CancellationToken, mut ticker: tokio::time::Interval) {
    let stop = token.clone();
    while !stop.is_cancelled() { //~ done_polling
        report().await;
        ticker.tick().await;
    }
}

// No findings.

async fn receive_with_a_timeout(token: CancellationToken, mut rx: Receiver<Job>) {
    while !token.is_cancelled() {
        if let Ok(Some(job)) = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
            job.run().await;
        }
    }
}

async fn sleep_method_not_awaited(token: CancellationToken, clock: Clock) {
    while !token.is_cancelled() {
        let pending = clock.sleep(Duration::from_secs(1));
        drop(pending);
        work().await;
    }
}

async fn receive_or_tick(token: CancellationToken, mut rx: Receiver<Job>, mut ticker: Interval) {
    while !token.is_cancelled() {
        tokio::select! {
            Some(job) = rx.recv() => job.run().await,
            _ = ticker.tick() => flush(),
        }
    }
}
