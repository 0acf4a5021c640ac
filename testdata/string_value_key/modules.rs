//@ fix: unsafe
// Declarations go into the module of the call, once per key.
use core::context::{Context, WithValue};

fn outer(ctx: &Context) {
    let ctx = WithValue(ctx, "trace", 1); //~ string_value_key
    let _ = ctx.value(&"trace"); //~ string_value_key
}

mod handlers {
    use core::context::{Context, WithValue};

    pub fn inner(ctx: &Context) {
        let ctx = WithValue(ctx, "trace", 2); //~ string_value_key
        tokio::select! {
            v = fetch(ctx.value(&"trace")) => consume(v), //~ string_value_key
            _ = sleep() => {}
        }
    }

    mod nested {
        fn deepest(ctx: &core::context::Context) {
            // The name `TraceKey` is taken here, so another is chosen.
            struct TraceKey;
            let _ = ctx.value(&"trace"); //~ string_value_key
        }
    }
}
