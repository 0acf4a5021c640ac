mod worker;

pub fn run(token: tokio_util::sync::CancellationToken) {
    worker::start(token);
}
