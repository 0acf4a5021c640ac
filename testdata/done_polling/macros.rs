//@ fix: unsafe
// Polling loops inside macro bodies, and macros inside polling loops.
use std::time::Duration;
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

async fn poll_loop_in_a_select_arm(token: CancellationToken, mut rx: Receiver<Msg>) {
    tokio::select! {
        Some(msg) = rx.recv() => {
            while !token.is_cancelled() { //~ done_polling
                sleep(msg.delay()).await;
            }
        }
    }
}

async fn poll_loop_in_join(token: CancellationToken) {
    tokio::join!(
        async {
            while !token.is_cancelled() { //~ done_polling
                sleep(Duration::from_secs(1)).await;
            }
        },
        serve(token.clone()),
    );
}

async fn sleep_beside_logging(token: CancellationToken) {
    while !token.is_cancelled() { //~ done_polling
        tracing::debug!(pending = queue_len(), "waiting");
        sleep(Duration::from_secs(1)).await;
    }
}

async fn select_between_sleeps_only(token: CancellationToken) {
    while !token.is_cancelled() { //~ done_polling
        tokio::select! {
            _ = sleep(Duration::from_secs(1)) => {}
            _ = tokio::time::sleep_until(deadline()) => {}
        }
    }
}

fn spawned_loop_with_stay_arm(token: CancellationToken, mut rx: Receiver<Msg>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = token.cancelled() => { //~ done_polling
                    tracing::warn!("cancelled");
                }
                Some(msg) = rx.recv() => handle(msg).await,
            }
        }
    });
}

async fn sleep_beside_an_unknown_macro(token: CancellationToken) {
    while !token.is_cancelled() { //~ done_polling
        bump_counter!(TICKS);
        sleep(Duration::from_secs(1)).await;
    }
}

// No findings.

async fn select_with_real_work_arm(token: CancellationToken, mut rx: Receiver<Msg>) {
    while !token.is_cancelled() {
        tokio::select! {
            Some(msg) = rx.recv() => handle(msg).await,
            _ = sleep(Duration::from_secs(1)) => {}
        }
    }
}

async fn raced_in_a_nested_select(token: CancellationToken) {
    loop {
        if token.is_cancelled() {
            break;
        }
        tokio::select! {
            biased;
            _ = token.cancelled() => break,
            _ = sleep(Duration::from_secs(1)) => tick(),
        }
    }
}

fn loop_in_an_unparsed_macro(token: CancellationToken) {
    my_dsl! {
        while !token.is_cancelled() {}
    }
}

async fn assert_in_real_loop(token: CancellationToken, mut rx: Receiver<Msg>) {
    while !token.is_cancelled() {
        let msg = rx.recv().await;
        assert!(msg.is_some(), "sender gone");
    }
}

async fn select_body_that_does_not_parse(token: CancellationToken) {
    while !token.is_cancelled() {
        tokio::select! { this is => not, a select }
        sleep(Duration::from_secs(1)).await;
    }
}
