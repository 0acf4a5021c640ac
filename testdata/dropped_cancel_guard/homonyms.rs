// Same names, other types: nothing here is a cancellation guard.
use std::task::{Context, Poll};

struct DropGuard;

impl DropGuard {
    fn new() -> Self {
        DropGuard
    }
}

struct CancellationToken;

impl CancellationToken {
    fn new() -> Self {
        CancellationToken
    }

    fn drop_guard(&self) -> DropGuard {
        DropGuard
    }
}

fn local_types_with_catalog_names() {
    let _ = DropGuard::new();
    let token = CancellationToken::new();
    let _ = token.drop_guard();
    token.drop_guard();
}

fn poll_context(cx: &mut Context<'_>) -> Poll<()> {
    let _ = cx.waker().clone();
    Poll::Pending
}

fn unrelated_pairs() {
    let (a, _) = split();
    let (_, b) = "k=v".split_once('=').unwrap();
    let _ = std::mem::replace(&mut vec![1], vec![2]);
    consume(a, b);
}

async fn join_errors(handle: tokio::task::JoinHandle<()>) {
    if let Err(e) = handle.await {
        let _ = e.is_cancelled();
    }
}

mod coroutines {
    use context::Context;

    fn resume(ctx: Context) {
        let _ = ctx.resume(0);
    }
}

struct Manager {
    registry: Registry,
}

impl Manager {
    fn release(&mut self, id: u64) {
        // Another type's `drop_guard(id)`: tokio-util's takes no argument.
        self.registry.drop_guard(id);
        let _ = self.registry.drop_guard(id);
    }
}
