// tokio-context, scuffle-context, stop-token, tokio-tree-context: dropping the handle cancels.
use scuffle_context::{Context as ScuffleContext, Handler};
use stop_token::StopSource;
use tokio_context::context::{Context, RefContext};

async fn tokio_context_handle() {
    let (ctx, _) = Context::new(); //~ dropped_cancel_guard
    work(ctx).await;
}

async fn tokio_context_with_timeout() {
    let (ctx, _) = Context::with_timeout(Duration::from_secs(1)); //~ dropped_cancel_guard
    work(ctx).await;
}

async fn tokio_context_child(parent: &RefContext) {
    let (ctx, _) = Context::with_parent(parent, None); //~ dropped_cancel_guard
    work(ctx).await;
}

async fn scuffle_context() {
    let (ctx, _) = ScuffleContext::new(); //~ dropped_cancel_guard
    serve(ctx).await;
}

async fn scuffle_child(parent: &ScuffleContext) {
    let (ctx, _) = parent.new_child(); //~ dropped_cancel_guard
    serve(ctx).await;
}

fn scuffle_handler() {
    let _ = Handler::new(); //~ dropped_cancel_guard
}

fn stop_source_as_statement() {
    StopSource::new(); //~ dropped_cancel_guard
}

fn tree_context() {
    let _ = tokio_tree_context::Context::new(); //~ dropped_cancel_guard
}

// Kept: no findings.

async fn tokio_context_kept() {
    let (mut ctx, _handle) = Context::new();
    work(ctx.clone()).await;
}

async fn context_half_discarded() {
    let (_, mut handle) = Context::new();
    work(handle.spawn_ctx()).await;
}

async fn scuffle_kept() {
    let (ctx, handler) = ScuffleContext::new();
    serve(ctx).await;
    handler.shutdown().await;
}

async fn global_handler_is_borrowed() {
    // `Handler::global()` is a `&'static Handler`: nothing is dropped.
    scuffle_context::Handler::global().shutdown().await;
    let _ = Handler::global();
}

fn stop_source_kept() -> StopSource {
    let source = StopSource::new();
    start(source.token());
    source
}
