use std::time::Duration;

use go_lib::context::{self, Context};

pub fn lookup(key: &str, ctx: &Context) -> usize {
    key.len() + usize::from(ctx.is_done())
}

pub fn caller(ctx: &Context) -> usize {
    lookup("k", ctx) + lookup("j", ctx)
}

pub fn discard_cancel(parent: &Context) {
    let (ctx, _) = context::with_timeout(parent, Duration::from_secs(1));
    lookup("x", &ctx);
}

pub fn unused_cancel(parent: &Context) {
    let (ctx, cancel) = context::with_cancel(parent);
    lookup("y", &ctx);
}

pub fn fresh_root(parent: &Context) -> usize {
    let ctx = context::background();
    lookup("z", &ctx)
}

pub fn per_job(parent: &Context, jobs: &[&str]) -> usize {
    let mut total = 0;
    for job in jobs {
        let (ctx, cancel) = context::with_timeout(parent, Duration::from_secs(1));
        total += lookup(job, &ctx);
        cancel.cancel();
    }
    total
}
