use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub struct Worker {
    cancel: CancellationToken,
}

impl Worker {
    // The token between two ordinary parameters; the calls below change with it.
    pub fn submit(&self, job: u32, cancel: &CancellationToken, retries: u32) -> u32 {
        job + retries + u32::from(cancel.is_cancelled())
    }

    pub fn submit_all(&self, jobs: &[u32]) -> u32 {
        let mut total = 0;
        for job in jobs {
            total += self.submit(*job, &self.cancel, 3);
        }
        total + Self::submit(self, 0, &self.cancel, 1)
    }
}

pub fn fetch(url: &str, cancel: &CancellationToken, attempts: u32) -> usize {
    url.len() + attempts as usize + usize::from(cancel.is_cancelled())
}

pub async fn caller(worker: &Worker, cancel: CancellationToken) -> usize {
    let a = fetch("a", &cancel, 2);
    let b = tokio::select! {
        n = async { fetch("b", &cancel, 1) } => n,
        _ = cancel.cancelled() => 0,
    };
    let nested = fetch("n", &cancel, fetch("m", &cancel, 1) as u32);
    a + b + nested + worker.submit(1, &cancel, 2) as usize
}

pub fn start(token: &CancellationToken) {
    let _ = token.clone().drop_guard();
    token.child_token().drop_guard();
    // ctxlint: allow(dropped_cancel_guard) -- nothing here to suppress
    let kept = token.clone();
}

pub async fn serve(parent: &CancellationToken) {
    let fresh = CancellationToken::new();
    fresh.cancelled().await;
}

pub async fn poll_until_cancelled(token: CancellationToken) {
    while !token.is_cancelled() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
