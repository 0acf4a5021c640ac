// An unreadable method leaves its `impl` readable, and the other methods checked.
use tokio_util::sync::CancellationToken;

struct Worker {
    token: CancellationToken,
}

impl Worker {
    fn stop_later(&self) {
        let _ = self.token.clone().drop_guard(); //~ dropped_cancel_guard
    }

    fn odd(&self) -> impl for<'a> { //~ parse_error
        self.token.cancel();
    }
}

mod nested {
    use tokio_util::sync::CancellationToken;

    struct Half; struct Broken match; //~ parse_error

    pub fn run(token: CancellationToken) {
        let _ = token.drop_guard(); //~ dropped_cancel_guard
    }
}
