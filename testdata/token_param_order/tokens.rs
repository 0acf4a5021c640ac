//@ fix: unsafe
// Tokens and framework contexts go last, together, as Rust code takes them.
use std::future::Future;
use std::task::{Context, Poll};

use rmcp::service::RequestContext;
use tokio_util::sync::CancellationToken;

// Last (the usual Rust habit), not first.
async fn last(url: &str, retries: u32, cancel: CancellationToken) {}
async fn first(cancel: &CancellationToken, url: &str) {} //~ token_param_order
async fn only(cancel: CancellationToken) {}

// In the middle.
async fn middle(url: &str, cancel: &CancellationToken, retries: u32) {} //~ token_param_order
async fn two_apart(a: CancellationToken, url: &str, b: CancellationToken) {} //~ token_param_order

// Several tokens side by side.
async fn together(url: &str, shutdown: CancellationToken, abort: &CancellationToken) {}
async fn together_split(url: &str, shutdown: CancellationToken, abort: &CancellationToken, n: u8) {} //~ token_param_order

// The receiver does not count.
struct Worker;

impl Worker {
    async fn run(&mut self, jobs: Vec<Job>, cancel: CancellationToken) {}
    async fn run_first(&mut self, cancel: CancellationToken, jobs: Vec<Job>) {} //~ token_param_order
    async fn step(&mut self, job: Job, cancel: &CancellationToken, retries: u32) {} //~ token_param_order
}

// An in-house context or a tracing span may follow the token, and a callback or future
// goes last, as in `tokio::time::timeout(duration, future)`.
async fn with_request_context(lsn: u64, cancel: &CancellationToken, ctx: &RequestCtx) {}
async fn with_in_house_context(lsn: u64, cancel: &CancellationToken, ctx: &ConnectionContext) {}
fn with_span(file: File, cancel: CancellationToken, span: tracing::Span) {}
async fn with_future<F>(duration: Duration, cancel: &CancellationToken, future: F)
where
    F: Future<Output = ()>,
{
}
async fn with_bounded_closure<F: FnMut(u32)>(n: u32, cancel: &CancellationToken, visit: F) {}
fn with_impl_closure(n: u32, cancel: CancellationToken, on_done: impl FnOnce() + Send) {}
fn with_boxed_callback(n: u32, cancel: CancellationToken, on_done: Box<dyn FnOnce() + Send>) {}
// But not every generic goes last.
fn with_plain_generic<T: Clone>(n: u32, cancel: CancellationToken, item: T) {} //~ token_param_order

// rmcp's request context and scuffle's context are framework contexts: last too.
impl Counter {
    async fn tool(&self, params: Params, context: RequestContext<RoleServer>) {}
    async fn tool_middle(&self, params: Params, context: RequestContext<RoleServer>, extra: u8) {} //~ token_param_order
}
async fn scuffle_middle(addr: SocketAddr, ctx: scuffle_context::Context, port: u16) {} //~ token_param_order

// Not contexts: std's poll context, OpenTelemetry's value carrier, unknown `Context`s.
fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>, limit: usize) -> Poll<()> {
    Poll::Pending
}
fn traced(name: &str, cx: opentelemetry::Context, n: u32) {}
fn coroutine(a: u32, ctx: ::context::Context, b: u32) {}

// Methods of trait implementations follow the trait.
impl Handler for Worker {
    async fn handle(&self, job: Job, cancel: CancellationToken, retries: u32) {}
}

// A token the function only stores is part of the value it builds, not this call's context.
impl Poller {
    fn new(client: Client, shutdown: CancellationToken, queue: String) -> Self {
        Self { client, shutdown, queue }
    }

    fn with_copy(client: Client, shutdown: &CancellationToken, queue: String) -> Self {
        Self { client, shutdown: shutdown.clone(), queue }
    }

    async fn insert(&self, id: i32, cancel: CancellationToken, secret: i32) {
        self.map.write().await.insert(id, CancelInfo { cancel, secret });
    }

    // Stored, but also waited on here: a context of the call.
    fn spawned(client: Client, shutdown: CancellationToken, queue: String) -> Self { //~ token_param_order
        let watch = shutdown.clone();
        tokio::spawn(async move { watch.cancelled().await });
        Self { client, shutdown, queue }
    }

    // One token used, one stored: the group is checked as a whole.
    async fn serve(self, io: Io, cancel: CancellationToken, drain: CancellationToken) {
        let state = State { drain };
        run(io, state, cancel).await;
    }

    // Used inside a macro too.
    fn logged(client: Client, shutdown: CancellationToken, queue: String) -> Self { //~ token_param_order
        tracing::debug!(cancelled = shutdown.is_cancelled());
        Self { client, shutdown, queue }
    }
}

fn callers(cancel: CancellationToken) {
    middle("u", &cancel, 3);
    let mut worker = Worker;
    worker.step(job(), &cancel, 1);
}
