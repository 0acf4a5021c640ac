// tokio-util: a `DropGuard` cancels its token when dropped.
use std::sync::Arc;
use tokio_util::sync::{CancellationToken, DropGuard};
use tokio_util::task::AbortOnDropHandle;

async fn bound_to_wildcard(token: CancellationToken) {
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
    run(token).await;
}

async fn discarded_as_statement(token: &CancellationToken) {
    token.clone().drop_guard(); //~ dropped_cancel_guard
    run(token.clone()).await;
}

async fn guard_by_reference(token: &CancellationToken) {
    let _ = token.drop_guard_ref(); //~ dropped_cancel_guard
    token.drop_guard_ref(); //~ dropped_cancel_guard
    run(token.clone()).await;
}

async fn annotated_wildcard(token: CancellationToken) {
    let _: DropGuard = token.child_token().drop_guard(); //~ dropped_cancel_guard
    run(token).await;
}

async fn wildcard_element_of_a_tuple(token: CancellationToken) {
    let (_, attempts) = (token.clone().drop_guard(), 1); //~ dropped_cancel_guard
    let ((_, _guard), _) = ((token.clone().drop_guard(), token.clone().drop_guard()), 0); //~ dropped_cancel_guard
    let (_, _) = (token.clone().drop_guard(), token.clone().drop_guard()); //~ dropped_cancel_guard //~ dropped_cancel_guard
    let (_kept, again) = (token.clone().drop_guard(), attempts);
    run(token).await;
    drop((_kept, again));
}

fn child_of_a_fresh_root() {
    let root = CancellationToken::new();
    let _ = root.child_token().drop_guard(); //~ dropped_cancel_guard
    spawn_worker(root);
}

fn destructuring_assignment(token: CancellationToken) {
    _ = token.drop_guard(); //~ dropped_cancel_guard
}

struct Service {
    cancel: CancellationToken,
    dg: DropGuard,
}

impl Service {
    fn restart(&mut self) {
        // The displaced guard is dropped here, which cancels the old token.
        let _ = std::mem::replace(&mut self.dg, self.cancel.clone().drop_guard()); //~ dropped_cancel_guard
    }

    fn guard_through_a_field(&self) {
        self.cancel.clone().drop_guard(); //~ dropped_cancel_guard
    }
}

fn wrapped_in_an_arc(token: CancellationToken) {
    let _ = Arc::new(token.drop_guard()); //~ dropped_cancel_guard
}

fn abort_on_drop(handle: tokio::task::JoinHandle<()>) {
    let _ = AbortOnDropHandle::new(handle); //~ dropped_cancel_guard
}

// Shapes that keep the guard, or give it up on purpose: no findings.

async fn named_guard(token: CancellationToken) {
    let _guard = token.clone().drop_guard();
    let guard = token.child_token().drop_guard();
    run(token).await;
    drop(guard);
}

fn explicitly_dropped(token: CancellationToken) {
    let guard = token.drop_guard();
    drop(guard);
}

fn disarmed_on_success(token: CancellationToken) -> CancellationToken {
    let guard = token.drop_guard();
    setup();
    guard.disarm()
}

fn disarm_as_statement(token: CancellationToken) {
    let guard = token.drop_guard();
    guard.disarm();
}

fn returned(token: &CancellationToken) -> DropGuard {
    token.child_token().drop_guard()
}

fn stored_in_a_struct(token: CancellationToken) -> Holder {
    Holder { _guard: token.drop_guard() }
}

fn stored_in_a_field(holder: &mut Holder, token: CancellationToken) {
    holder._guard = token.drop_guard();
}

fn pushed_into_a_collection(guards: &mut Vec<DropGuard>, token: &CancellationToken) {
    guards.push(token.child_token().drop_guard());
}

fn sent_over_a_channel(tx: std::sync::mpsc::Sender<DropGuard>, token: CancellationToken) {
    let _ = tx.send(token.drop_guard());
}

fn passed_to_a_function(token: CancellationToken) {
    keep_until_done(token.drop_guard());
}

fn kept_in_a_tuple(token: CancellationToken) {
    let guards = (token.clone(), token.drop_guard());
    wait(guards);
}

fn place_expressions_are_not_moved(holder: &Holder, guard: DropGuard) {
    // `let _ = place;` neither moves nor drops the place.
    let _ = holder._guard;
    let _ = guard;
}

fn cancel_is_explicit(token: CancellationToken) {
    let _ = token.cancel();
    token.cancel();
    let _ = token.child_token();
}

fn abort_handle_kept(handle: tokio::task::JoinHandle<()>) -> AbortOnDropHandle<()> {
    let _task = AbortOnDropHandle::new(handle);
    AbortOnDropHandle::new(spawn_other())
}

struct Holder {
    _guard: DropGuard,
}
