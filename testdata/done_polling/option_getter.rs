//@ fix: unsafe
// The token comes out of a global getter returning `Option`, checked through `is_none_or` or
// `is_some_and`: the sleep still holds shutdown up. The fix takes the token out of the
// `Option` in the raced future. A raced sleep, and a getter of something else, stay silent.
use std::sync::OnceLock;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

static TOKEN: OnceLock<CancellationToken> = OnceLock::new();
static LIMIT: OnceLock<u32> = OnceLock::new();

fn shutdown_token() -> Option<CancellationToken> {
    TOKEN.get().cloned()
}

fn limit() -> Option<u32> {
    LIMIT.get().copied()
}

async fn sweep_until_stopped(store: Store) {
    loop {
        if shutdown_token().is_none_or(|token| token.is_cancelled()) { //~ done_polling
            break;
        }
        store.sweep().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

async fn sweep_while_running(store: Store) {
    while !shutdown_token().is_some_and(|token| token.is_cancelled()) { //~ done_polling
        store.sweep().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

async fn sweep_raced(store: Store) {
    loop {
        if shutdown_token().is_none_or(|token| token.is_cancelled()) {
            break;
        }
        store.sweep().await;
        tokio::select! {
            _ = async { if let Some(token) = shutdown_token() { token.cancelled().await } } => break,
            _ = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
}

async fn below_the_limit(store: Store) {
    while limit().is_some_and(|n| n > store.count()) {
        store.sweep().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

struct Store;
impl Store {
    async fn sweep(&self) {}
    fn count(&self) -> u32 {
        0
    }
}
