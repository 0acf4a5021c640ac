//@ fix: unsafe
// The note names the calls in this file that must change with the signature.
use tokio_util::sync::CancellationToken;

async fn download(url: &str, cancel: &CancellationToken, retries: u32) {} //~ token_param_order

struct Client;

impl Client {
    async fn upload(&self, body: Vec<u8>, cancel: CancellationToken, retries: u32) {} //~ token_param_order
}

trait Uploader {
    async fn put(&self, key: &str, cancel: &CancellationToken, body: Vec<u8>); //~ token_param_order
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
    fn new(size: usize, cancel: CancellationToken, name: &str) -> Self { //~ token_param_order
        Pool
    }

    fn spare(&self, cancel: &CancellationToken) -> Self {
        // Another type's `new` is not a call of `Pool::new`.
        let _ = Other::new(1, cancel.clone(), "x");
        Self::new(1, cancel.clone(), "y")
    }
}

struct Cache;

impl Cache {
    fn upload(&self, body: Vec<u8>, cancel: CancellationToken, retries: u32) {} //~ token_param_order

    fn flush(&self, cancel: CancellationToken) {
        // `Cache::upload`, not `Client::upload`: each finding rewrites only its own.
        self.upload(vec![], cancel, 1);
    }
}

fn elsewhere(cancel: &CancellationToken) {
    // Passed as a value, and called on a receiver of unknown type: named in the note only.
    let later = download;
    make_client().upload(vec![], cancel.clone(), 3);
}

struct Holder(u8);

impl Holder {
    fn tok(&self) -> &CancellationToken {
        unimplemented!()
    }
}

fn relay(holder: &Holder) {
    // A body that names no context API (the pre-filtered parse leaves it out) is still read.
    download("c", holder.tok(), 2);
}

fn nested(cancel: &CancellationToken) -> usize {
    // Calls inside the arguments of a call move with them, rewritten too.
    measure(1, cancel, measure(2, cancel, 3))
}

fn measure(size: usize, cancel: &CancellationToken, extra: usize) -> usize { //~ token_param_order
    size + extra
}
