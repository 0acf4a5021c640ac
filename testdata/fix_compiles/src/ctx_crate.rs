use std::time::Duration;

use ctx::{Context, with_cancel, with_timeout};

pub fn discard_cancel(parent: Context) {
    let (ctx, _) = with_timeout(parent, Duration::from_secs(1));
    let _ = ctx.value::<u32>();
}

pub fn unused_cancel(parent: Context) {
    let (ctx, cancel) = with_cancel(parent);
    let _ = ctx.value::<u32>();
}

pub fn fresh_root(parent: &Context) -> Option<u32> {
    let ctx = ctx::background();
    ctx.value::<u32>()
}

pub fn count(limit: u32, ctx: &Context) -> u32 {
    limit + ctx.value::<u32>().unwrap_or(0)
}

pub fn caller(ctx: Context) -> u32 {
    count(1, &ctx)
}
