//! A token behind a global getter returning `Option`: the raced sleep takes the token out of
//! the `Option` in an `async` block.
use std::sync::OnceLock;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

static TOKEN: OnceLock<CancellationToken> = OnceLock::new();

pub fn shutdown_token() -> Option<CancellationToken> {
    TOKEN.get().cloned()
}

async fn sweep() {}

pub async fn sweep_until_stopped() {
    loop {
        if shutdown_token().is_none_or(|token| token.is_cancelled()) {
            break;
        }
        sweep().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

pub async fn sweep_while_running() {
    while !shutdown_token().is_some_and(|token| token.is_cancelled()) {
        sweep().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}
