// Roots made while a parent is reachable, but stored where their owner cancels them on its own
// schedule: a reset after a cancelled run, a one-shot signal kept in a cell, a task's token kept
// beside its handle, a per-item token in a registry. None of these is detached by accident.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

struct Warmup {
    token: CancellationToken,
    done: bool,
}

fn rewarm(state: Arc<Mutex<Warmup>>) {
    let token = state.lock().unwrap().token.clone();
    tokio::spawn(async move {
        let cancelled = warm(token).await;
        let mut state = state.lock().unwrap();
        // The old token is cancelled for good; the next run needs a fresh one.
        if cancelled {
            state.token = CancellationToken::new();
        }
        state.done = true;
    });
}

struct Sizes {
    skip_queue: OnceLock<CancellationToken>,
}

struct Table {
    cancel: CancellationToken,
    sizes: Sizes,
}

impl Table {
    fn start_size_task(self: &Arc<Self>) {
        // A "go ahead" signal, not a shutdown: shutdown is raced beside it.
        let skip = CancellationToken::new();
        self.sizes.skip_queue.set(skip.clone()).ok();
        let this = Arc::clone(self);
        tokio::spawn(async move {
            tokio::select! {
                _ = this.cancel.cancelled() => {}
                _ = skip.cancelled() => {}
            }
        });
    }
}

struct Manager {
    cancel: CancellationToken,
    backup: Option<(JoinHandle<()>, CancellationToken)>,
    imports: HashMap<u64, CancellationToken>,
}

impl Manager {
    fn start_backup(&mut self) {
        let cancel = CancellationToken::new();
        let handle = tokio::spawn(backup(cancel.clone()));
        self.backup = Some((handle, cancel));
    }

    fn start_import(&mut self, id: u64) {
        let cancel = CancellationToken::default();
        self.imports.insert(id, cancel.clone());
        tokio::spawn(import(id, cancel));
    }
}
