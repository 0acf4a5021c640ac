use std::time::Duration;

use core::context::{self as halo, Context};

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Marker;

pub fn store(parent: Context, user: u64) -> Context {
    halo::WithValue(parent, "user_id", user)
}

pub fn tagged(key: u32, ctx: Context) -> Context {
    halo::WithValue(ctx, Marker, key)
}

pub fn discard_cancel(parent: Context) {
    let (ctx, _) = halo::WithTimeout(parent, Duration::from_secs(1));
    let _ = ctx.err();
}

pub fn unused_cancel(parent: Context) {
    let (ctx, cancel) = halo::WithCancel(parent);
    let _ = ctx.err();
}

pub fn fresh_root(parent: &Context) -> bool {
    let ctx = halo::Background();
    ctx.err().is_some()
}

pub fn lookups(ctx: &Context, items: &[u64]) -> usize {
    let mut found = 0;
    for item in items {
        if ctx.value(&Marker).is_some() {
            found += *item as usize;
        }
    }
    found
}
