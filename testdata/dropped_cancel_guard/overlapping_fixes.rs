//@ fix: unsafe
// Two fixes insert at the same point: one round applies the first, the next round the second.
use go_lib::context::{with_cancel, Context};

fn two_unused_cancels(parent: &Context) {
    let (a, cancel) = with_cancel(parent); //~ dropped_cancel_guard
    let (b, stop) = with_cancel(parent); //~ dropped_cancel_guard
    work(&a);
    work(&b);
}
