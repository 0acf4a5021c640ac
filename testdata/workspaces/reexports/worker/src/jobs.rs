//! Closures whose token parameter is typed only by the workspace function they are passed to.
use std::time::Duration;

use common::util::task::{spawn_cancellable, with_count, with_label};

pub fn start_transfer() {
    let _ = spawn_cancellable(move |cancel| async move {
        let mut tries = 3;
        while tries > 0 {
            if cancel.is_cancelled() { //~ done_polling
                return false;
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
            tries -= 1;
        }
        true
    });
}

pub fn labelled() {
    with_label("sync", |_, stop| {
        let _ = stop.drop_guard(); //~ dropped_cancel_guard
    });
}

/// The same loop over a number: no token, nothing to report.
pub async fn counted() {
    with_count(|n| {
        let _ = n.is_cancelled();
    });
}

trait Flag {
    fn is_cancelled(&self) -> bool;
}

impl Flag for u32 {
    fn is_cancelled(&self) -> bool {
        false
    }
}
