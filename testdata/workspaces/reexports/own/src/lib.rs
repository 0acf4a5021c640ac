//! Near misses: this crate's own `CancellationToken`, a same-named struct whose field is no
//! token, and a `sleep` that is not awaited.
mod token;

use token::CancellationToken;

pub struct Shared {
    pub shutdown: bool,
}

pub fn start(token: &CancellationToken) {
    let _ = token.clone().drop_guard();
}

pub fn check(shared: &Shared) -> bool {
    shared.shutdown
}
