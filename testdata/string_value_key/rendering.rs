//@ fix: unsafe
use core::context::{Context, WithValue};

fn set(ctx: &Context, name: &str) {
    let ctx = WithValue(ctx, "request-id", 1); //~ string_value_key
    let ctx = WithValue(&ctx, name, 2); //~ string_value_key
    consume(ctx);
}
