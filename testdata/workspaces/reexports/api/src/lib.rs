use shutdown::CancellationToken;

pub fn handle(token: CancellationToken) {
    let _ = token.drop_guard(); //~ dropped_cancel_guard
}
