//@ fix: unsafe
// `select!` in loops: a cancellation arm that stays in the loop, and polling `default` arms.
use futures::FutureExt;
use tokio_util::sync::CancellationToken;

async fn s12_arm_only_logs(token: CancellationToken, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => { //~ done_polling
                tracing::info!("cancelled")
            }
            Some(msg) = rx.recv() => handle(msg).await,
        }
    }
}

async fn s12_empty_arm(token: CancellationToken, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            biased;
            _ = token.cancelled() => {} //~ done_polling
            msg = rx.recv() => match msg {
                Some(msg) => handle(msg).await,
                None => break,
            },
        }
    }
}

async fn s12_expression_arm(token: CancellationToken, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => notify_shutdown(), //~ done_polling
            Some(msg) = rx.recv() => handle(msg).await,
        }
    }
}

async fn s12_continue(token: &CancellationToken, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => { //~ done_polling
                drain(&mut rx);
                continue;
            }
            Some(msg) = rx.recv() => handle(msg).await,
        }
    }
}

async fn futures_select_default(token: CancellationToken, mut work: Work) {
    loop {
        futures::select! {
            _ = token.cancelled().fuse() => break,
            default => {} //~ done_polling
        }
    }
}

async fn futures_select_default_sleeps(token: CancellationToken) {
    loop {
        futures::select_biased! {
            _ = token.cancelled().fuse() => break,
            default => tokio::time::sleep(PERIOD).await, //~ done_polling
        }
    }
}

// No findings.

async fn arm_breaks(token: CancellationToken, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => {
                tracing::info!("cancelled");
                break;
            }
            Some(msg) = rx.recv() => handle(msg).await,
        }
    }
}

async fn arm_returns(token: CancellationToken, mut rx: Receiver<Msg>) -> Result<(), Error> {
    loop {
        tokio::select! {
            _ = token.cancelled() => return Err(Error::Cancelled),
            msg = rx.recv() => handle(msg?).await,
        }
    }
}

async fn labelled_break(token: CancellationToken, mut rx: Receiver<Msg>) {
    'outer: loop {
        tokio::select! {
            _ = token.cancelled() => {
                loop {
                    if flush().await {
                        break 'outer;
                    }
                }
            }
            Some(msg) = rx.recv() => handle(msg).await,
        }
    }
}

async fn guarded_arm(token: CancellationToken, mut rx: Receiver<Msg>) {
    let mut shutting_down = false;
    loop {
        tokio::select! {
            _ = token.cancelled(), if !shutting_down => {
                shutting_down = true;
                rx.close();
            }
            msg = rx.recv() => match msg {
                Some(msg) => handle(msg).await,
                None => break,
            },
        }
    }
}

async fn exit_after_the_select(token: CancellationToken, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => tracing::info!("cancelled"),
            Some(msg) = rx.recv() => handle(msg).await,
        }
        if token.is_cancelled() {
            break;
        }
    }
}

async fn while_loop_rechecks(token: CancellationToken, mut rx: Receiver<Msg>) {
    while !token.is_cancelled() {
        tokio::select! {
            _ = token.cancelled() => {}
            Some(msg) = rx.recv() => handle(msg).await,
        }
    }
}

async fn tokio_else_is_not_a_poll(token: CancellationToken, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => break,
            Some(msg) = rx.recv() => handle(msg).await,
            else => break,
        }
    }
}

async fn one_shot_futures_select(token: CancellationToken) {
    futures::select! {
        _ = token.cancelled().fuse() => {},
        default => {}
    }
}

async fn select_in_a_spawned_task(token: CancellationToken, jobs: Vec<Job>) {
    for job in jobs {
        let token = token.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = job.run() => {}
            }
        });
    }
}

async fn default_does_work(token: CancellationToken, queue: Queue) {
    loop {
        futures::select! {
            _ = token.cancelled().fuse() => break,
            default => queue.process_one(),
        }
    }
}

async fn run_until_cancelled_in_loop(token: CancellationToken, mut rx: Receiver<Msg>) {
    while let Some(Some(msg)) = token.run_until_cancelled(rx.recv()).await {
        handle(msg).await;
    }
}
