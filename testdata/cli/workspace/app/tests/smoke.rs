use tokio_util::sync::CancellationToken;

#[test]
fn serves() {
    let token = CancellationToken::new();
    token.clone().drop_guard();
    app::server::serve(&token);
}
