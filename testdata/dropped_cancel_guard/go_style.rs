//@ fix: unsafe
// Go-style cancel functions do nothing when dropped: losing one leaks the context.
use go_lib::context::{self, with_cancel, with_timeout, Context};
use std::time::Duration;

fn discarded_cancel(parent: &Context) {
    let (ctx, _) = with_timeout(parent, Duration::from_secs(1)); //~ dropped_cancel_guard
    work(&ctx);
}

fn named_but_never_used(parent: &Context) {
    let (ctx, cancel) = with_cancel(parent); //~ dropped_cancel_guard
    work(&ctx);
}

fn goish_discarded(parent: goish::context::Context) {
    let (ctx, _) = goish::context::WithTimeout(parent, Duration::from_secs(1)); //~ dropped_cancel_guard
    work(&ctx);
}

fn halo_discarded() {
    let parent = core::context::Background();
    let (ctx, _) = core::context::WithCancel(&parent); //~ dropped_cancel_guard
    work(&ctx);
}

fn ctx_crate_discarded() {
    let (ctx, _) = ctx::with_timeout(ctx::background(), Duration::from_secs(1)); //~ dropped_cancel_guard
    work(&ctx);
}

// rs_ctx's cancel is `async fn cancel(&self)`: awaited in async code, only suggested elsewhere.
fn rs_ctx_unused() {
    let root = rs_ctx::background();
    let (ctx, cancel) = rs_ctx::with_deadline(&root, deadline()); //~ dropped_cancel_guard
    work(&ctx);
}

async fn rs_ctx_unused_async() {
    let root = rs_ctx::background();
    let (ctx, cancel) = rs_ctx::with_cancel(&root); //~ dropped_cancel_guard
    work(&ctx);
}

fn discarded_pair(parent: &Context) {
    let _ = with_cancel(parent); //~ dropped_cancel_guard
}

fn with_early_return(parent: &Context) -> Result<(), Error> {
    let (ctx, _) = context::with_timeout(parent, Duration::from_secs(1)); //~ dropped_cancel_guard
    check(&ctx)?;
    work(&ctx);
    Ok(())
}

// Any use of the cancel function counts (go vet's rule): no findings.

fn deferred_cancel(parent: &Context) {
    let (ctx, cancel) = with_cancel(parent);
    work(&ctx);
    cancel.cancel();
}

fn cancel_moved_into_a_closure(parent: &Context) {
    let (ctx, cancel) = with_timeout(parent, Duration::from_secs(1));
    std::thread::spawn(move || {
        work(&ctx);
        cancel.cancel();
    });
}

fn cancel_returned(parent: &Context) -> (Context, context::CancelFn) {
    let (ctx, cancel) = with_cancel(parent);
    (ctx, cancel)
}

fn cancel_stored(parent: &Context, job: &mut Job) {
    let (ctx, cancel) = with_cancel(parent);
    job.cancel = Some(cancel);
    job.ctx = ctx;
}

fn cancel_in_defer(parent: goish::context::Context) {
    let (ctx, cancel) = goish::context::WithCancel(parent);
    goish::defer! { cancel.call(); }
    work(&ctx);
}

fn cancel_in_format_string(parent: &Context) {
    let (ctx, cancel) = with_cancel(parent);
    tracing::debug!("holding {cancel:?}");
    work(&ctx);
}

fn underscore_name_is_deliberate(parent: &Context) {
    let (ctx, _cancel) = with_cancel(parent);
    work(&ctx);
}

fn shadowed_cancel_is_a_different_binding(parent: &Context) {
    let (ctx, cancel) = with_cancel(parent);
    {
        let cancel = other_cancel();
        cancel.cancel();
    }
    work(&ctx);
    cancel.cancel();
}
