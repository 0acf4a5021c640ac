//@ fix: unsafe
// tokio-util tokens polled in loops that only sleep or spin.
use std::time::Duration;
use tokio::time::{sleep, sleep_until};
use tokio_util::sync::CancellationToken;

struct Reporter {
    cancel: CancellationToken,
}

async fn sleep_poll(token: CancellationToken) {
    while !token.is_cancelled() { //~ done_polling
        sleep(Duration::from_secs(1)).await;
    }
}

async fn sleep_beside_sync_work(token: &CancellationToken, stats: &Stats) {
    while !token.is_cancelled() { //~ done_polling
        stats.flush();
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
}

async fn loop_with_poll_exit(token: CancellationToken, stats: Stats) {
    loop {
        if token.is_cancelled() { //~ done_polling
            break;
        }
        stats.report();
        sleep(Duration::from_secs(1)).await;
    }
}

impl Reporter {
    async fn run(&self) -> Result<(), Error> {
        let mut last = Instant::now();
        loop {
            if self.cancel.is_cancelled() { //~ done_polling
                return Ok(());
            }
            sleep_until(last + PERIOD).await;
            last = Instant::now();
            self.report(last);
        }
    }
}

async fn sleep_in_a_branch(token: CancellationToken, queue: Queue) {
    while !token.is_cancelled() { //~ done_polling
        match queue.try_pop() {
            Some(job) => job.run_blocking(),
            None => sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn two_sleeps(token: CancellationToken) {
    while !token.is_cancelled() { //~ done_polling
        sleep(Duration::from_millis(1)).await;
        tick();
        sleep(Duration::from_millis(1)).await;
    }
}

async fn spin_until_cancelled(token: CancellationToken) {
    while !token.is_cancelled() {} //~ done_polling
}

// An alias of a smart pointer names what it holds.
type SharedToken = std::sync::Arc<CancellationToken>;

async fn spin_through_an_alias(token: SharedToken) {
    while !token.is_cancelled() {} //~ done_polling
}

async fn yield_until_cancelled(token: CancellationToken) {
    while !token.is_cancelled() { //~ done_polling
        tokio::task::yield_now().await;
    }
    cleanup();
}

fn spin_in_sync_code(token: CancellationToken) {
    while !token.is_cancelled() { //~ done_polling
        std::hint::spin_loop();
    }
}

fn thread_sleep_poll(token: &CancellationToken) {
    loop {
        if token.is_cancelled() { //~ done_polling
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn now_or_never_poll(token: CancellationToken) {
    while token.cancelled().now_or_never().is_none() { //~ done_polling
        sleep(Duration::from_millis(100)).await;
    }
}

// Cooperative cancellation and proper waits: no findings.

async fn real_awaited_work(token: CancellationToken, mut rx: Receiver<Job>) {
    while !token.is_cancelled() {
        let Some(job) = rx.recv().await else { break };
        job.run().await;
    }
}

async fn raced_in_select(token: CancellationToken) {
    while !token.is_cancelled() {
        tick();
        tokio::select! {
            _ = token.cancelled() => break,
            _ = sleep(Duration::from_secs(1)) => {}
        }
    }
}

async fn run_until_cancelled(token: CancellationToken) {
    while !token.is_cancelled() {
        token.run_until_cancelled(sleep(Duration::from_secs(1))).await;
    }
}

async fn awaits_cancellation_in_the_body(token: CancellationToken, cfg: Config) {
    loop {
        if token.is_cancelled() {
            break;
        }
        if cfg.paused() {
            token.cancelled().await;
        }
        sleep(Duration::from_secs(1)).await;
    }
}

fn sync_work(token: &CancellationToken, chunks: &[Chunk]) {
    let mut i = 0;
    while !token.is_cancelled() && i < chunks.len() {
        compress(&chunks[i]);
        i += 1;
    }
    while !token.is_cancelled() {
        compress_next();
    }
}

fn sync_work_beside_a_sleep(token: &CancellationToken) {
    while !token.is_cancelled() {
        poll_device();
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn join_error_is_not_a_token(handle: JoinHandle<()>) {
    let err = handle.await.unwrap_err();
    while !err.is_cancelled() {
        sleep(Duration::from_secs(1)).await;
    }
}

async fn check_in_a_for_loop(token: CancellationToken, items: Vec<Item>) {
    for item in items {
        if token.is_cancelled() {
            break;
        }
        sleep(item.delay()).await;
    }
}

async fn endless_loop_without_exit(token: CancellationToken) {
    loop {
        sleep(Duration::from_secs(1)).await;
        if token.is_cancelled() {
            println!("cancelled, still running");
        }
    }
}

