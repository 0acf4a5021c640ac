//@ fix: unsafe
// A handle built with the only canceller of the task it spawned.
use tokio_util::sync::{CancellationToken, DropGuard};

async fn read_loop(conn: Conn, cancel: CancellationToken) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = conn.read_all() => {}
    }
}

pub struct Reader {
    cancel: CancellationToken,
}

impl Reader {
    pub fn start(conn: Conn) -> Reader {
        let cancel = CancellationToken::new();
        tokio::spawn(read_loop(conn, cancel.clone()));
        Reader { cancel } //~ no_cancel_on_drop
    }

    pub fn stop(&self) {
        self.cancel.cancel();
    }
}

pub struct Writer {
    stop: CancellationToken,
}

impl Writer {
    pub fn start(conn: Conn) -> Self {
        let token = CancellationToken::new();
        tokio::spawn(read_loop(conn, token.clone()));
        Self { stop: token } //~ no_cancel_on_drop
    }
}

// Silent: a guard field, or an `impl Drop`.
pub struct Guarded {
    _guard: DropGuard,
}

impl Guarded {
    pub fn start(conn: Conn) -> Guarded {
        let cancel = CancellationToken::new();
        tokio::spawn(read_loop(conn, cancel.clone()));
        Guarded { _guard: cancel.drop_guard() }
    }
}

pub struct Dropping {
    cancel: CancellationToken,
}

impl Drop for Dropping {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl Dropping {
    pub fn start(conn: Conn) -> Dropping {
        let cancel = CancellationToken::new();
        tokio::spawn(read_loop(conn, cancel.clone()));
        Dropping { cancel }
    }
}

// An `impl Drop` in the struct's module counts too.
mod inner {
    use tokio_util::sync::CancellationToken;

    pub struct Pump {
        cancel: CancellationToken,
    }

    impl Drop for Pump {
        fn drop(&mut self) {
            self.cancel.cancel();
        }
    }

    impl Pump {
        pub fn start(conn: super::Conn) -> Pump {
            let cancel = CancellationToken::new();
            tokio::spawn(super::read_loop(conn, cancel.clone()));
            Pump { cancel }
        }
    }
}
