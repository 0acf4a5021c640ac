use tokio_util::sync::CancellationToken;

pub fn start(token: CancellationToken) {
    // ctxlint: allow(dropped_cancel_guard) -- shut down at once on purpose
    let _ = token.clone().drop_guard();
    let _ = token.drop_guard();
}
