use goish::context::{self, Context};

pub fn store(parent: Context, user: u64) -> Context {
    context::WithValue(parent, "user_id", user)
}

pub fn read(ctx: &Context) -> Option<u64> {
    ctx.Value::<u64>("user_id")
}

pub fn discard_cancel(parent: Context) {
    let (ctx, _) = context::WithCancel(parent);
    read(&ctx);
}

pub fn unused_cancel(parent: Context) {
    let (ctx, cancel) = context::WithCancel(parent);
    read(&ctx);
}

pub fn fresh_root(parent: Context) -> Option<u64> {
    let ctx = context::Background();
    read(&ctx)
}

pub fn reads(ctx: &Context, items: &[u64]) -> u64 {
    let mut total = 0;
    for item in items {
        total += item + ctx.Value::<u64>("user_id").unwrap_or(0);
    }
    total
}
