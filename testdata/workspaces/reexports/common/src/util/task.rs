//! Hands each task a token of its own, so its closure's parameter is a token although the
//! caller never writes the type.
use super::tokio_util::sync::CancellationToken;

pub struct Spawned<T> {
    pub token: CancellationToken,
    pub output: T,
}

pub fn spawn_cancellable<F, Fut>(f: F) -> Spawned<Fut>
where
    F: FnOnce(CancellationToken) -> Fut,
{
    let token = CancellationToken::new();
    Spawned {
        output: f(token.clone()),
        token,
    }
}

pub fn with_label(label: &str, f: impl FnOnce(&str, CancellationToken)) {
    f(label, CancellationToken::new());
}

/// Takes a closure of plain numbers: its parameters are nothing to ctxlint.
pub fn with_count<F: Fn(u32)>(f: F) {
    f(1);
}
