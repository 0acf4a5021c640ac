//@ fix: unsafe
// ctxlint: allow-file(dropped_cancel_guard) -- this module shuts down at once on purpose
// ctxlint: allow-file(dropped_cancel_guard) -- a second one allows nothing more //~ unused_suppression
use tokio_util::sync::CancellationToken;

fn a(token: CancellationToken) {
    let _ = token.clone().drop_guard();
}

fn b(token: CancellationToken) {
    token.drop_guard();
}
