//@ fix: unsafe
// A service starts an operation under a fresh root and keeps it in a struct literal. When
// nothing ever cancels the operation through that field, only the service's own shutdown
// could stop it, and the root does not listen to it. When something does cancel it (an
// endpoint that stops the operation), the root has an owner. (Fields are told apart by name:
// a `x.cancel.cancel()` anywhere in the file spares every root kept in a field `cancel`.)
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

struct Operation {
    name: &'static str,
    cancel: CancellationToken,
}

struct Drain {
    stop: CancellationToken,
}

struct Service {
    cancel: CancellationToken,
    ongoing: Mutex<Option<Operation>>,
    drains: Mutex<Vec<Drain>>,
}

impl Service {
    fn start_fill(&self) {
        let cancel = CancellationToken::new(); //~ background_in_handler
        *self.ongoing.lock().unwrap() = Some(Operation {
            name: "fill",
            cancel: cancel.clone(),
        });
        tokio::spawn(async move { cancel.cancelled().await });
    }

    fn start_drain(&self) {
        let cancel = CancellationToken::new();
        self.drains.lock().unwrap().push(Drain { stop: cancel.clone() });
        tokio::spawn(async move { cancel.cancelled().await });
    }

    fn stop_drains(&self) {
        for drain in self.drains.lock().unwrap().drain(..) {
            drain.stop.cancel();
        }
    }

    fn start_task(&self, tasks: &mut Vec<(tokio::task::JoinHandle<()>, CancellationToken)>) {
        let cancel = CancellationToken::new();
        let handle = tokio::spawn({
            let cancel = cancel.clone();
            async move { cancel.cancelled().await }
        });
        tasks.push((handle, cancel));
    }

    fn shutdown(&self) {
        self.cancel.cancel();
    }
}
