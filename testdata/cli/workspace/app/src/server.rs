use tokio_util::sync::CancellationToken;

pub fn serve(token: &CancellationToken) {
    let _ = token.clone().drop_guard();
    engine_core::run(token.child_token());
}
