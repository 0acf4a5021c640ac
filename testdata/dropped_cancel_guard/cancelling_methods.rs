// A method whose job is to cancel may swap its guard out and drop it: the cancellation is what
// it is for. The same swap elsewhere still cancels by surprise.
use tokio_util::sync::{CancellationToken, DropGuard};

struct Running {
    token: CancellationToken,
    guard: DropGuard,
}

impl Running {
    async fn cancel(mut self) {
        let _ = std::mem::replace(&mut self.guard, self.token.clone().drop_guard());
        self.close().await;
    }

    fn shutdown_now(&mut self) {
        let _ = std::mem::replace(&mut self.guard, CancellationToken::new().drop_guard());
    }

    fn rearm(&mut self, fresh: CancellationToken) {
        let _ = std::mem::replace(&mut self.guard, fresh.drop_guard()); //~ dropped_cancel_guard
    }
}
