//@ fix: unsafe
use tokio_util::sync::CancellationToken;

fn f(token: CancellationToken) {
    // ctxlint: allow dropped_cancel_guard //~ unused_suppression
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
    // ctxlint: allow() //~ unused_suppression
    let _guard = token.drop_guard(); // ctxlint: deny(dropped_cancel_guard) //~ unused_suppression
}
