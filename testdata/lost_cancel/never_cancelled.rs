//@ fix: unsafe
// A root that spawned work waits on, and that nothing can ever cancel.
use tokio_util::sync::CancellationToken;

async fn heartbeat(peer: Peer, cancel: CancellationToken) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = peer.ping() => {}
        }
    }
}

fn watch(path: String, stop: CancellationToken) {
    while !stop.is_cancelled() {
        poll(&path);
    }
}

// The node's token: "effectively unused", handed to tasks that only wait on it.
async fn start_node(peer: Peer, path: String) {
    let cancel = CancellationToken::new(); //~ lost_cancel
    tokio::spawn(heartbeat(peer, cancel.clone()));
    std::thread::spawn(move || watch(path, cancel.child_token()));
}

async fn start_inline(peer: Peer) {
    let shutdown = CancellationToken::default(); //~ lost_cancel
    let task_shutdown = shutdown.clone();
    tokio::spawn(async move {
        task_shutdown.cancelled().await;
        peer.close().await;
    });
}

// Fixed: the guard lives as long as the node's task.
async fn start_node_fixed(peer: Peer) {
    let cancel = CancellationToken::new();
    let guard = cancel.clone().drop_guard();
    tokio::spawn(async move {
        let _guard = guard;
        heartbeat(peer, cancel).await
    });
}

// Someone can cancel it: a clone goes to a handler, to storage, back to the caller, or to a
// function that may cancel it.
async fn cancelled_by_signal(peer: Peer) {
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        tokio::signal::ctrl_c().await.ok();
        on_signal.cancel();
    });
    tokio::spawn(heartbeat(peer, cancel.clone()));
}

struct Node {
    cancel: CancellationToken,
}

impl Node {
    fn start(peer: Peer) -> Node {
        let cancel = CancellationToken::new();
        tokio::spawn(heartbeat(peer, cancel.clone()));
        Node { cancel }
    }

    fn restart(&mut self, peer: Peer) {
        let cancel = CancellationToken::new();
        tokio::spawn(heartbeat(peer, cancel.clone()));
        self.cancel = cancel;
    }
}

fn handed_back(peer: Peer) -> CancellationToken {
    let cancel = CancellationToken::new();
    tokio::spawn(heartbeat(peer, cancel.clone()));
    cancel
}

async fn handed_to_unknown(peer: Peer, registry: &Registry) {
    let cancel = CancellationToken::new();
    tokio::spawn(heartbeat(peer, cancel.clone()));
    register_shutdown(cancel);
}

fn register_shutdown(cancel: CancellationToken) {
    SHUTDOWN.lock().unwrap().push(cancel);
}

// No spawned work waits on it: the awaited call ends with this function.
async fn awaited_in_place(peer: Peer) {
    let never = CancellationToken::new();
    heartbeat(peer, never.clone()).await;
}

// Tasks in a local `JoinSet` are aborted when it is dropped.
async fn joinset(peer: Peer) {
    let cancel = CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(heartbeat(peer, cancel.clone()));
    tasks.join_next().await;
}

fn main() {
    let cancel = CancellationToken::new();
    std::thread::spawn(move || watch(String::new(), cancel));
}

#[tokio::test]
async fn a_test() {
    let cancel = CancellationToken::new();
    tokio::spawn(heartbeat(Peer::default(), cancel.clone()));
}

// The task's handle aborts it when its owner is dropped: the unused token stops nothing, but
// nothing runs on either.
struct Reloader {
    _task: tokio_util::task::AbortOnDropHandle<()>,
}

async fn reloader(peer: Peer) -> Reloader {
    let cancel = CancellationToken::new();
    let task_cancel = cancel.clone();
    let task = tokio::spawn(async move {
        task_cancel.cancelled().await;
        peer.close().await;
    });
    Reloader {
        _task: tokio_util::task::AbortOnDropHandle::new(task),
    }
}

// A kept handle is awaited: the function waits for the task, which ends by itself.
async fn awaited_handle(peer: Peer) {
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(heartbeat(peer, cancel.clone()));
    handle.await.ok();
}
