use std::sync::Arc;
use std::time::Duration;

use crate::state::Shared;
use crate::types::Stop;

pub struct Server {
    shared: Arc<Shared>,
}

impl Server {
    pub fn guard(&self) -> common::util::tokio_util::sync::DropGuard {
        self.shared.shutdown.clone().drop_guard()
    }

    pub async fn run(&self) {
        let _ = self.guard(); //~ dropped_cancel_guard
        while !self.shared.shutdown.is_cancelled() { //~ done_polling
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    pub fn stop_now(&self, stop: &Stop) {
        let _ = stop.clone().drop_guard(); //~ dropped_cancel_guard
    }

    /// `Shared`, declared in state.rs, holds the service's token.
    pub fn start_operation(&self, running: &mut Vec<tokio::task::JoinHandle<()>>) {
        let operation = Stop::new(); //~ background_in_handler
        running.push(tokio::spawn(async move { operation.cancelled().await }));
    }

    pub fn kept(&self) {
        let _guard = self.guard();
    }
}

pub struct Endpoint {
    runtime: crate::state::Runtime,
}

impl Endpoint {
    /// `runtime.cancel` is private to state.rs: no parent this file can name.
    pub fn start(&self, running: &mut Vec<Stop>) {
        let fresh = Stop::new();
        running.push(fresh.clone());
    }
}
