//@ fix: unsafe
// A root made while a parent is reachable and handed to a constructor or a task is detached
// from that parent. Each shape is followed by its fixed, silent form. A root stored where its
// owner cancels it (a map of operations, a field) is managed on purpose.
use std::collections::HashMap;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

async fn retry_with_placeholder(cancel: &CancellationToken, client: &Client) -> Result<(), Error> {
    // TODO: use a cancellation token
    let policy = Backoff::new(CancellationToken::new(), || fatal()); //~ background_in_handler
    retry(policy, || client.put()).await
}

async fn retry_with_parent(cancel: &CancellationToken, client: &Client) -> Result<(), Error> {
    let policy = Backoff::new(cancel.clone(), || fatal());
    retry(policy, || client.put()).await
}

async fn sub_operation(cancel: &CancellationToken, disk: Disk) {
    let io = CancellationToken::new(); //~ background_in_handler
    tokio::spawn(flush(disk, io.clone()));
    cancel.cancelled().await;
}

fn spawn_per_item(items: Vec<Item>, cancel: CancellationToken) {
    let spawn_one = |item: Item| {
        let scratch = CancellationToken::new(); //~ background_in_handler
        tokio::spawn(process(item, scratch));
    };
    for item in items {
        spawn_one(item);
    }
    drop(cancel);
}

struct OperationHandler {
    cancel: CancellationToken,
}

struct Service {
    cancel: CancellationToken,
    operations: HashMap<u64, OperationHandler>,
}

impl Service {
    fn new() -> Self {
        // The service's own token: nothing above it yet.
        Service {
            cancel: CancellationToken::new(),
            operations: HashMap::new(),
        }
    }

    // Registered per operation: the owner of the map cancels it when the operation goes.
    fn start_drain(&mut self, id: u64) {
        let cancel = CancellationToken::new();
        self.operations.insert(id, OperationHandler { cancel: cancel.clone() });
        tokio::spawn(drain(id, cancel));
    }

    fn start_fill(&mut self, id: u64) {
        let cancel = self.cancel.child_token();
        self.operations.insert(id, OperationHandler { cancel: cancel.clone() });
        tokio::spawn(fill(id, cancel));
    }

    fn reset(&mut self) {
        // Replacing its own token is no detachment.
        self.cancel = CancellationToken::new();
    }
}

struct Server {
    cancel_token: CancellationToken,
}

struct Inner {
    server: Server,
}

struct Proxy {
    inner: Arc<Inner>,
}

impl Proxy {
    async fn on_invite(&self, call: Call) {
        let bridge = MediaBridge::new(CancellationToken::new()); //~ background_in_handler
        bridge.run(call).await;
    }

    async fn on_invite_fixed(&self, call: Call) {
        let bridge = MediaBridge::new(self.inner.server.cancel_token.child_token());
        bridge.run(call).await;
    }
}

// No findings.

struct Plain {
    name: String,
}

impl Plain {
    fn start(&self) {
        let token = CancellationToken::new();
        tokio::spawn(run(self.name.clone(), token.clone()));
        keep(token);
    }
}

async fn per_connection(conn: Conn, server: CancellationToken) {
    let cancel = CancellationToken::new();
    let _guard = cancel.clone().drop_guard();
    serve(conn, cancel).await;
}

fn handed_back(parent: &CancellationToken) -> Handle {
    let cancel = CancellationToken::new();
    tokio::spawn(run_until(cancel.clone()));
    Handle { cancel }
}
