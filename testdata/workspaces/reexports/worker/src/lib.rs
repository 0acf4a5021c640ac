use common::util::tokio_util::sync::CancellationToken;

pub fn start(token: &CancellationToken) {
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
}

pub async fn wait_idle(token: CancellationToken, clock: &dyn common::util::time::TimeProvider) {
    let _ = clock.now();
    while !token.is_cancelled() { //~ done_polling
        common::util::time::pause(std::time::Duration::from_secs(5)).await;
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}
pub mod jobs;
