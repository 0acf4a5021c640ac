// Guards inside macro bodies are seen too.
use tokio_util::sync::CancellationToken;

async fn inside_select(token: CancellationToken, mut rx: Receiver<Job>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => break,
            Some(job) = rx.recv() => {
                job.token.clone().drop_guard(); //~ dropped_cancel_guard
                job.run().await;
            }
        }
    }
}

async fn inside_join(token: CancellationToken) {
    tokio::join!(
        async {
            let _ = token.child_token().drop_guard(); //~ dropped_cancel_guard
        },
        run(token.clone()),
    );
}

fn kept_inside_select_is_fine(token: CancellationToken) {
    tokio::select! {
        _guard = keep(token.drop_guard()) => {}
    }
}
