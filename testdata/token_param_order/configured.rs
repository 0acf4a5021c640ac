//@ fix: unsafe
// tokio-util configured `either`: the start or the end, never the middle.
use tokio_util::sync::CancellationToken;

async fn token_first(cancel: CancellationToken, url: &str) {}
async fn token_last(url: &str, cancel: CancellationToken) {}
async fn token_then_tripwire(url: &str, cancel: CancellationToken, tripwire: Tripwire) {}
async fn token_middle(url: &str, cancel: CancellationToken, retries: u32) {} //~ token_param_order
