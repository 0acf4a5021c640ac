//@ fix: unsafe
// Timeouts derived inside macro bodies.
use std::time::Duration;

use go_lib::context::{with_timeout, Context};

fn in_a_channel_select_arm(parent: Context, rx: Receiver<Job>, stop: Receiver<()>) {
    loop {
        crossbeam_channel::select! {
            recv(rx) -> job => job.unwrap().run(&with_timeout(&parent, Duration::from_secs(1)).0), //~ timeout_in_loop
            recv(stop) -> _ => break,
        }
    }
}

fn in_a_format_argument(parent: &Context, jobs: &[Job]) {
    for job in jobs {
        println!("{:?}", with_timeout(parent, Duration::from_secs(1)).0); //~ timeout_in_loop
    }
}

// No findings.

async fn per_task_timeout_in_join(parent: Context, jobs: Vec<Job>) {
    for job in jobs {
        tokio::join!(async {
            let (ctx, _cancel) = with_timeout(&parent, Duration::from_secs(1));
            job.run(&ctx).await;
        });
    }
}

fn duration_from_the_arm(parent: Context, rx: Receiver<Job>) {
    loop {
        crossbeam_channel::select! {
            recv(rx) -> job => {
                let job = job.unwrap();
                let (ctx, _cancel) = with_timeout(&parent, job.budget());
                job.run(&ctx);
            }
        }
    }
}
