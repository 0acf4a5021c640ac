//@ fix: unsafe
// The note names the calls in this file that must change with the signature.
use tokio_util::sync::CancellationToken;

async fn download(url: &str, cancel: &CancellationToken, retries: u32) {} //~ context_param_order

struct Client;

impl Client {
    async fn upload(&self, body: Vec<u8>, cancel: CancellationToken, retries: u32) {} //~ context_param_order
}

trait Uploader {
    async fn put(&self, key: &str, cancel: &CancellationToken, body: Vec<u8>); //~ context_param_order
}

async fn run(client: Client, cancel: CancellationToken) {
    download("a", &cancel, 3).await;
    tokio::select! {
        _ = download("b", &cancel, 1) => {}
        _ = cancel.cancelled() => {}
    }
    client.upload(vec![], cancel.clone(), 2).await;
}

struct Pool;

impl Pool {
    fn new(size: usize, cancel: CancellationToken, name: &str) -> Self { //~ context_param_order
        Pool
    }

    fn spare(&self, cancel: &CancellationToken) -> Self {
        // Another type's `new` is not a call of `Pool::new`.
        let _ = Other::new(1, cancel.clone(), "x");
        Self::new(1, cancel.clone(), "y")
    }
}
