//@ fix: unsafe
// Shapes of lost cancellations real projects fixed, written afresh: each is followed by its
// fixed form, which is silent.
use std::time::Duration;
use tokio_util::sync::{CancellationToken, DropGuard};

// A watchdog that interrupts a long query: its token is moved into the watchdog alone, so
// the watchdog always fires, even long after the query finished.
fn run_query(conn: Conn, query: Query) {
    tokio::spawn(async move {
        let token = CancellationToken::new(); //~ lost_cancel
        let interrupt = conn.interrupt_handle();
        tokio::spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = tokio::time::sleep(Duration::from_secs(300)) => interrupt.interrupt(),
            }
        });
        conn.execute(query);
    });
}

fn run_query_fixed(conn: Conn, query: Query) {
    tokio::spawn(async move {
        let token = CancellationToken::new();
        let interrupt = conn.interrupt_handle();
        let watchdog = token.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = watchdog.cancelled() => {}
                _ = tokio::time::sleep(Duration::from_secs(300)) => interrupt.interrupt(),
            }
        });
        let _stop_watchdog = token.drop_guard();
        conn.execute(query);
    });
}

// Listeners started by a helper for one probe run, with nothing left to stop them (a refactor
// lost the guard).
fn spawn_listener(socket: Socket, stop: CancellationToken) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                packet = socket.recv() => handle(packet),
            }
        }
    });
}

async fn probe(sockets: Vec<Socket>) {
    let stop = CancellationToken::new(); //~ lost_cancel
    for socket in sockets {
        spawn_listener(socket, stop.clone());
    }
    tokio::spawn(report());
}

async fn probe_fixed(sockets: Vec<Socket>) {
    let stop = CancellationToken::new();
    for socket in sockets {
        spawn_listener(socket, stop.clone());
    }
    tokio::spawn(async move {
        let _stop_listeners = stop.drop_guard();
        report().await
    });
}

// A client whose connection task is tied to it by a guard, made only after a fallible step.
struct Client {
    inner: Inner,
    _stop_connection: DropGuard,
}

impl Client {
    async fn connect(config: Config) -> Result<Client, Error> {
        let (inner, connection) = open(config).await?;
        let cancel = CancellationToken::new();
        let task_cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = task_cancel.cancelled() => {}
                _ = connection => {}
            }
        });
        inner.start_streaming().await?; //~ lost_cancel
        Ok(Client {
            inner,
            _stop_connection: cancel.drop_guard(),
        })
    }

    async fn connect_fixed(config: Config) -> Result<Client, Error> {
        let (inner, connection) = open(config).await?;
        let cancel = CancellationToken::new();
        let guard = cancel.clone().drop_guard();
        tokio::spawn(async move {
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = connection => {}
            }
        });
        inner.start_streaming().await?;
        Ok(Client { inner, _stop_connection: guard })
    }
}
