// In tests a loop that stops a second late costs nothing: no findings.
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn sealer_stops() {
    let stop = CancellationToken::new();
    while !stop.is_cancelled() {
        seal().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn poll_until_stopped(stop: CancellationToken) {
        loop {
            if stop.is_cancelled() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
