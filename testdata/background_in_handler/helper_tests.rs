// A file holding tests (`*_tests.rs`, `tests.rs`, or under `tests/`): helpers may make roots.
use tokio_util::sync::CancellationToken;

async fn spawn_server(cancel: &CancellationToken) -> Server {
    start(CancellationToken::new()).await
}
