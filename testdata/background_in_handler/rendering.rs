//@ fix: unsafe
use tokio_util::sync::CancellationToken;

async fn handle(conn: Conn, cancel: CancellationToken) {
    let token = CancellationToken::new(); //~ background_in_handler
    tokio::spawn(pump(conn, token.clone()));
}
