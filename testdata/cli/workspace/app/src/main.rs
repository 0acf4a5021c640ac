use tokio_util::sync::CancellationToken;

fn main() {
    let token = CancellationToken::new();
    let _ = token.clone().drop_guard();
    app::server::serve(&token);
}
