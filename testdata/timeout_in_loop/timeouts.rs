//@ fix: unsafe
// A fresh timeout context per iteration, from the same parent with the same duration.
use std::time::{Duration, Instant};

use go_lib::context::{with_cancel, with_deadline, with_timeout, Context};

const PER_CALL: Duration = Duration::from_secs(5);

fn same_parent_same_duration(parent: &Context, requests: Vec<Request>) {
    for request in requests {
        let (ctx, _cancel) = with_timeout(parent, PER_CALL); //~ timeout_in_loop
        send(&ctx, request);
    }
}

fn literal_duration(parent: Context, rx: Receiver<Job>) {
    while let Ok(job) = rx.recv() {
        let ctx = with_timeout(&parent, Duration::from_millis(250)).0; //~ timeout_in_loop
        job.run(&ctx);
    }
}

fn cancel_called_each_iteration(parent: Context, jobs: Vec<Job>) {
    for job in jobs {
        let (ctx, cancel) = with_timeout(&parent, PER_CALL); //~ timeout_in_loop
        job.run(&ctx);
        cancel.cancel();
    }
}

fn fixed_deadline(parent: Context, deadline: Instant, jobs: Vec<Job>) {
    for job in jobs {
        let (ctx, _cancel) = with_deadline(&parent, deadline); //~ timeout_in_loop
        job.run(&ctx);
    }
}

fn goish_timeout(parent: goish::context::Context, jobs: Vec<Job>) {
    for job in jobs {
        let (ctx, cancel) = goish::context::WithTimeout(parent.clone(), Duration::from_secs(1)); //~ timeout_in_loop
        defer! { cancel.call(); }
        job.run(&ctx);
    }
}

fn halo_in_an_iterator(parent: core::context::Context, jobs: &[Job]) -> Vec<Outcome> {
    jobs.iter()
        .map(|job| job.run(&core::context::WithTimeout(&parent, PER_CALL).0)) //~ timeout_in_loop
        .collect()
}

fn ctx_crate_in_a_select_arm(parent: ctx::Context, rx: Receiver<Job>, stop: Receiver<()>) {
    loop {
        crossbeam_channel::select! {
            recv(rx) -> job => {
                let (ctx, _cancel) = ctx::with_timeout(parent.clone(), PER_CALL); //~ timeout_in_loop
                job.unwrap().run(ctx);
            }
            recv(stop) -> _ => break,
        }
    }
}

// No findings.

fn derived_once_before_the_loop(parent: &Context, requests: Vec<Request>) {
    let (ctx, _cancel) = with_timeout(parent, PER_CALL);
    for request in requests {
        send(&ctx, request);
    }
}

fn duration_from_the_item(parent: &Context, jobs: Vec<Job>) {
    for job in jobs {
        let (ctx, _cancel) = with_timeout(parent, job.budget());
        job.run(&ctx);
    }
}

fn deadline_from_now(parent: &Context, jobs: Vec<Job>) {
    for job in jobs {
        let (ctx, _cancel) = with_deadline(parent, Instant::now() + PER_CALL);
        job.run(&ctx);
    }
}

fn parent_changes(jobs: Vec<Job>) {
    for job in jobs {
        let parent = job.context();
        let (ctx, _cancel) = with_timeout(&parent, PER_CALL);
        job.run(&ctx);
    }
}

fn backoff_grows(parent: &Context, mut delay: Duration) {
    loop {
        let (ctx, _cancel) = with_timeout(parent, delay);
        if try_once(&ctx).is_ok() {
            break;
        }
        delay *= 2;
    }
}

fn cancel_without_duration(parent: &Context, conns: Vec<Conn>) {
    for conn in conns {
        let (ctx, cancel) = with_cancel(parent);
        spawn_conn(ctx, cancel, conn);
    }
}

fn child_tokens_per_job(token: &CancellationToken, jobs: Vec<Job>) {
    for job in jobs {
        tokio::spawn(job.run(token.child_token()));
    }
}

fn runs_once(parent: &Context) {
    loop {
        let (ctx, _cancel) = with_timeout(parent, PER_CALL);
        return work(&ctx);
    }
}

fn spawned_closure_per_job(parent: Context, jobs: Vec<Job>) {
    for job in jobs {
        let parent = parent.clone();
        std::thread::spawn(move || {
            let (ctx, _cancel) = with_timeout(&parent, PER_CALL);
            job.run(&ctx);
        });
    }
}
