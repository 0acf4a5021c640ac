//! Names only `Shared` (declared in state.rs) and a method of the token it holds: the
//! pre-filter must still let it through.
use std::time::Duration;

pub async fn poll(shared: &crate::state::Shared) {
    loop {
        if shared.shutdown.is_cancelled() { //~ done_polling
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Names `Shared` but no method of its token: nothing to report.
pub fn name(shared: &crate::state::Shared) -> &str {
    &shared.name
}
