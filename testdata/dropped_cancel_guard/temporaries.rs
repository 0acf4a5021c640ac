//@ fix: unsafe
// A guard used as a temporary is dropped at the end of its statement.
use stop_token::StopSource;
use tokio_context::context::Context;
use tokio_context::task::TaskController;
use tokio_util::sync::CancellationToken;

fn stop_token_of_a_temporary_source() {
    let token = StopSource::new().token(); //~ dropped_cancel_guard
    spawn(worker(token));
}

async fn context_of_a_temporary_pair() {
    let ctx = Context::new().0; //~ dropped_cancel_guard
    work(ctx).await;
}

fn spawned_on_a_temporary_controller() {
    TaskController::new(None).spawn(async {}); //~ dropped_cancel_guard
}

fn token_of_a_temporary_guard(token: CancellationToken) {
    let inner = token.clone().drop_guard().token().clone(); //~ dropped_cancel_guard
    spawn(watch(inner));
}

fn inside_a_closure() {
    let make = || StopSource::new().token(); //~ dropped_cancel_guard
    spawn(worker(make()));
}

// Consuming the temporary guard is fine.

fn disarmed_temporary(token: CancellationToken) -> CancellationToken {
    token.child_token().drop_guard().disarm()
}

fn handle_of_a_temporary_pair() {
    // The context half may go: contexts are spawned from the handle.
    let mut handle = Context::new().1;
    spawn(worker(handle.spawn_ctx()));
}

fn source_kept() {
    let source = StopSource::new();
    let token = source.token();
    spawn(worker(token));
    drop(source);
}
