//@ fix: unsafe
// A root token made where a token is already in scope (contextcheck, gosec G118; cases B01-B24).
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

// B01: the caller's token is ignored.
async fn b01(cancel: CancellationToken) {
    run(CancellationToken::new()).await; //~ background_in_handler
}

async fn bound_then_spawned(conn: Conn, cancel: &CancellationToken) {
    let token = CancellationToken::default(); //~ background_in_handler
    tokio::spawn(pump(conn, token.clone()));
    token.cancelled().await;
}

// B06: a parameter re-assigned to a root.
async fn b06(mut cancel: CancellationToken) {
    run(cancel.clone()).await;
    cancel = CancellationToken::new(); //~ background_in_handler
    run(cancel).await;
}

// B07, B19, B20, B21: closures and spawned tasks that capture a token.
fn b07(jobs: Vec<Job>) {
    let parent = CancellationToken::new();
    for job in jobs {
        let parent = parent.clone();
        tokio::spawn(async move {
            let token = CancellationToken::new(); //~ background_in_handler
            tokio::select! {
                _ = parent.cancelled() => {}
                _ = job.run(token) => {}
            }
        });
    }
}

fn b20(cancel: CancellationToken) {
    std::thread::spawn(move || block_on(work(CancellationToken::new()))); //~ background_in_handler
}

fn b21(cancel: CancellationToken) {
    tokio::spawn(async move {
        tokio::spawn(async move {
            work(CancellationToken::new()).await; //~ background_in_handler
        });
    });
}

// A closure parameter is in scope too.
fn closure_param(tasks: &Tasks) {
    tasks.each(|cancel: CancellationToken| run(CancellationToken::new())); //~ background_in_handler
}

// B14: generic functions and methods.
struct Server;

impl Server {
    async fn b14<T: Send>(&self, item: T, cancel: &CancellationToken) {
        process(item, CancellationToken::new()).await; //~ background_in_handler
    }
}

// B15: a closure returned by a function that has a token.
fn b15(cancel: CancellationToken) -> impl Fn() {
    move || spawn_worker(CancellationToken::new()) //~ background_in_handler
}

// A guard that is dropped at once does not tie anything.
async fn guard_dropped(cancel: CancellationToken) {
    let token = CancellationToken::new(); //~ background_in_handler
    let _ = token.clone().drop_guard();
    run(token).await;
}

// ---- No findings below. ----

// B02, B03: derived or passed on.
async fn b02(cancel: CancellationToken) {
    run(cancel.child_token()).await;
    run(cancel.clone()).await;
    tokio::spawn(async move { run(cancel).await });
}

// B08: functions that return a token detach on purpose.
fn b08(_parent: &CancellationToken) -> CancellationToken {
    CancellationToken::new()
}

fn b08_pair(cancel: &CancellationToken) -> (CancellationToken, JoinHandle<()>) {
    let token = CancellationToken::new();
    (token.clone(), tokio::spawn(run(token)))
}

// B16, B18: nothing in scope; `main`.
fn b16(jobs: Vec<Job>) {
    for job in jobs {
        let token = CancellationToken::new();
        job.start(token);
    }
}

fn main() {
    let shutdown = CancellationToken::new();
    tokio::spawn(async move {
        let inner = CancellationToken::new();
        serve(shutdown, inner);
    });
}

// Locals of the same body are not a caller's token.
fn two_roots() {
    let first = CancellationToken::new();
    let second = CancellationToken::new();
    run_both(first, second);
}

// Escapes: returned (in a struct), tied to a kept guard. With a parent in scope, a root
// stored in a field or a collection is still detached from it.
struct Worker {
    cancel: CancellationToken,
    tokens: Vec<CancellationToken>,
}

impl Worker {
    fn new(cancel: &CancellationToken) -> Self {
        Worker {
            cancel: CancellationToken::new(),
            tokens: Vec::new(),
        }
    }

    fn restart(&mut self, parent: &CancellationToken) {
        // Stored where the worker cancels them: reset on purpose, not detached.
        self.cancel = CancellationToken::new();
        let token = CancellationToken::new();
        self.tokens.push(token.clone());
    }

    fn build(parent: &CancellationToken) -> Result<Arc<Worker>, Error> {
        let token = CancellationToken::new();
        Ok(Arc::new(Worker::from_token(token)))
    }
}

// Sent to whoever manages it; stored in a collection whose owner cancels it.
async fn registered(jobs: &Jobs, tx: Sender<CancellationToken>, cancel: &CancellationToken) {
    let token = CancellationToken::new();
    jobs.insert(7, token.clone());
    tx.send(CancellationToken::new()).await;
    spawn_job(token);
}

async fn connection_handler(conn: Conn, cancellation_token: CancellationToken) {
    let cancel = CancellationToken::new();
    let _cancel_guard = cancel.clone().drop_guard();
    let guard = CancellationToken::new().drop_guard();
    serve(conn, cancel, guard).await;
}

fn in_struct_literal(cancel: &CancellationToken) -> Connections {
    let connections_cancel = CancellationToken::new();
    spawn_all(connections_cancel.clone());
    Connections {
        cancel: connections_cancel,
    }
}

// A token named `_…` is deliberately unused.
async fn ignored(_cancel: CancellationToken, _: CancellationToken) {
    run(CancellationToken::new()).await;
}

// Linked by hand: wait for the parent, then cancel the root (a separate shutdown phase).
async fn two_phases(cancel: CancellationToken) {
    let handlers = CancellationToken::new();
    spawn_handlers(handlers.clone());
    cancel.cancelled().await;
    drain().await;
    handlers.cancel();
}

// A token this function cancels is its own.
async fn shutdown_driver(shutdown: CancellationToken) {
    let signal = CancellationToken::new();
    tokio::spawn(signal_handler(signal.clone()));
    signal.cancelled().await;
    shutdown.cancel();
}

// stop-token has no way to derive a source from a token.
fn stop_sources(stop: stop_token::StopToken) {
    let source = stop_token::StopSource::new();
    run(source.token());
}

// B22, B23: tests.
#[test]
fn b22() {
    let parent = CancellationToken::new();
    let run = |cancel: CancellationToken| work(CancellationToken::new());
}

#[tokio::test]
async fn b23(cancel: CancellationToken) {
    work(CancellationToken::new()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn helper(cancel: CancellationToken) {
        work(CancellationToken::new()).await;
    }
}
