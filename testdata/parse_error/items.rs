// One item syn cannot read is left out; the rest of the file is still checked.
use tokio_util::sync::CancellationToken;

fn before(token: CancellationToken) {
    let _ = token.drop_guard(); //~ dropped_cancel_guard
}

#[some_macro::rewrite]
fn unreadable(token: CancellationToken) -> u8 { //~ parse_error
    let = token;
    0
}

fn after(token: &CancellationToken) {
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
}
