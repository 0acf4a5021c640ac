use std::time::Duration;

use rs_ctx::{Context, ContextTrait};

pub async fn store(parent: &Context, user: u64) -> Context {
    rs_ctx::with_value(parent, "user_id", user).await
}

pub async fn discard_cancel(parent: &Context) {
    let (ctx, _) = rs_ctx::with_timeout(parent, Duration::from_secs(1));
    let _ = ctx.err();
}

pub async fn unused_cancel(parent: &Context) {
    let (ctx, cancel) = rs_ctx::with_cancel(parent);
    let _ = ctx.err();
}

pub fn unused_cancel_sync(parent: &Context) {
    let (ctx, cancel) = rs_ctx::with_cancel(parent);
    let _ = ctx.err();
}

pub fn fresh_root(parent: &Context) -> bool {
    let ctx = rs_ctx::background();
    ctx.err().is_some()
}
