//@ fix: unsafe
// Go-style background contexts where a context is in scope: derive from it instead.
use go_lib::context::{self, background, with_cancel, Context};

fn b01(ctx: &Context, req: Request) {
    handle(background(), req); //~ background_in_handler
}

fn wrapped(ctx: Context) {
    let (child, cancel) = with_cancel(&context::background()); //~ background_in_handler
    work(&child);
    cancel.cancel();
}

mod goish_style {
    use goish::prelude::*;

    fn goish_roots(ctx: context::Context) {
        let a = context::Background(); //~ background_in_handler
        let b = context::TODO(); //~ background_in_handler
        let c = goish::context::Context::default(); //~ background_in_handler
        work3(a, b, c);
    }
}

fn halo(ctx: &core::context::Context) {
    let root = core::context::Background(); //~ background_in_handler
    work(&root);
}

async fn scuffle(ctx: scuffle_context::Context) {
    let (child, handler) = scuffle_context::Context::new(); //~ background_in_handler
    serve(child).await;
    handler.shutdown().await;
}

// ---- No findings below. ----

// B03: derived contexts.
fn b03(ctx: &Context) {
    let (child, cancel) = with_cancel(ctx);
    work(&child);
    cancel.cancel();
}

// B08: a helper returning a detached context.
fn no_inherit_cancel(_ctx: &Context) -> (Context, context::CancelFn) {
    with_cancel(&background())
}

// Nothing in scope.
fn entry() {
    let ctx = background();
    work(&ctx);
}

// scuffle: a handler kept in the struct that is built.
struct Service {
    handler: scuffle_context::Handler,
}

fn service(ctx: scuffle_context::Context) -> Service {
    let (child, handler) = scuffle_context::Context::new();
    spawn(child);
    Service { handler }
}

// OpenTelemetry's `Context` is a value carrier, not a cancellation context.
fn traced(cx: opentelemetry::Context) {
    let ctx = background();
    work(&ctx);
}
