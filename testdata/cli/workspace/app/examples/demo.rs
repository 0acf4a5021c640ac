use tokio_util::sync::CancellationToken;

fn main() {
    let token = CancellationToken::new();
    let _ = token.child_token().drop_guard();
}
