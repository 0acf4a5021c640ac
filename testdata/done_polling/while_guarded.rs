//@ fix: unsafe
// `while` loops whose condition is something else, with cancellation checked by an `if` in the
// body: the sleep still holds shutdown up. Bounded retries that block, loops driven by a
// channel, and raced sleeps stay silent.
use std::time::Duration;
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

async fn retry_until_done(cancel: CancellationToken, job: Job) -> bool {
    let mut finished = false;
    while !finished {
        finished = job.attempt().await;
        if cancel.is_cancelled() { //~ done_polling
            return false;
        }
        sleep(Duration::from_secs(10)).await;
    }
    finished
}

async fn bounded_retries(cancel: CancellationToken, job: Job) {
    let mut tries = 3;
    while tries > 0 {
        if cancel.is_cancelled() { //~ done_polling
            break;
        }
        job.attempt().await;
        sleep(Duration::from_secs(30)).await;
        tries -= 1;
    }
}

async fn bounded_retries_raced(cancel: CancellationToken, job: Job) {
    let mut tries = 3;
    while tries > 0 {
        if cancel.is_cancelled() {
            break;
        }
        job.attempt().await;
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = sleep(Duration::from_secs(30)) => {}
        }
        tries -= 1;
    }
}

fn blocking_bounded_retries(cancel: &CancellationToken, job: &SyncJob) {
    let mut tries = 3;
    while tries > 0 {
        if cancel.is_cancelled() {
            break;
        }
        job.attempt();
        std::thread::sleep(Duration::from_millis(10));
        tries -= 1;
    }
}

async fn driven_by_a_channel(cancel: CancellationToken, mut jobs: tokio::sync::mpsc::Receiver<Job>) {
    while let Some(job) = jobs.recv().await {
        if cancel.is_cancelled() {
            break;
        }
        job.attempt().await;
        sleep(Duration::from_millis(100)).await;
    }
}

struct Job;
struct SyncJob;
impl Job {
    async fn attempt(&self) -> bool {
        true
    }
}
impl SyncJob {
    fn attempt(&self) {}
}
