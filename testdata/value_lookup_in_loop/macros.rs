//@ fix: unsafe
// Lookups inside macro bodies, and loops inside macro bodies.
use core::context::Context;
use opentelemetry::Context as OtelContext;

async fn in_select_handler(ctx: Context, mut rx: Receiver<Job>, token: CancellationToken) {
    loop {
        tokio::select! {
            _ = token.cancelled() => break,
            Some(job) = rx.recv() => {
                job.run(ctx.value(&USER_KEY)).await; //~ value_lookup_in_loop
            }
        }
    }
}

async fn in_select_future(ctx: Context, mut rx: Receiver<Job>) {
    loop {
        tokio::select! {
            Some(job) = rx.recv() => job.run().await,
            _ = audit(ctx.value(&USER_KEY)) => {} //~ value_lookup_in_loop
        }
    }
}

fn in_format_macros(ctx: Context, items: &[Item]) {
    for item in items {
        println!("{} {:?}", item, ctx.value(&USER_KEY)); //~ value_lookup_in_loop
    }
    for item in items {
        assert!(ctx.value(&USER_KEY).is_some(), "no user for {item}"); //~ value_lookup_in_loop
    }
}

fn in_vec_and_channel_select(ctx: Context, rx: Receiver<Job>, done: Receiver<()>) {
    for item in items() {
        let tags = vec![ctx.value(&USER_KEY), item.tag()]; //~ value_lookup_in_loop
        store(tags);
    }
    loop {
        crossbeam_channel::select! {
            recv(rx) -> job => job.unwrap().run(ctx.value(&USER_KEY)), //~ value_lookup_in_loop
            recv(done) -> _ => break,
        }
    }
}

async fn loop_inside_a_select_arm(ctx: Context, mut rx: Receiver<Vec<Job>>) {
    tokio::select! {
        Some(jobs) = rx.recv() => {
            for job in jobs {
                job.run(ctx.value(&USER_KEY)); //~ value_lookup_in_loop
            }
        }
    }
}

fn in_join(items: Vec<Item>) {
    futures::executor::block_on(async {
        for item in items {
            let (a, b) = futures::join!(export(item), send(OtelContext::current())); //~ value_lookup_in_loop
            merge(a, b);
        }
    });
}

fn in_defer(ctx: Context, items: Vec<Item>) {
    for item in items {
        defer! {
            release(item, ctx.value(&USER_KEY)); //~ value_lookup_in_loop
        }
    }
}

// No findings.

async fn select_outside_a_loop(ctx: Context, mut rx: Receiver<Job>) {
    tokio::select! {
        Some(job) = rx.recv() => job.run(ctx.value(&USER_KEY)).await,
    }
}

async fn select_rebinds_the_context(ctx: Context, mut rx: Receiver<Context>) {
    loop {
        tokio::select! {
            Some(ctx) = rx.recv() => audit(ctx.value(&USER_KEY)).await,
        }
    }
}

async fn select_arm_breaks_out_at_once(ctx: Context, mut rx: Receiver<Job>) {
    loop {
        let job = rx.recv().await;
        println!("{:?}", ctx.value(&USER_KEY));
        break;
    }
}

fn key_from_loop_variable_in_macro(ctx: Context, keys: &[Key]) {
    for key in keys {
        println!("{:?}", ctx.value(key));
    }
}

fn unparsed_macro_body(ctx: Context, items: &[Item]) {
    for item in items {
        html! { <p>{ ctx.value(&USER_KEY) }</p> };
    }
}

fn context_reassigned_in_macro(mut ctx: Context, items: &[Item]) {
    for item in items {
        defer! {
            ctx = next(&ctx);
        }
        println!("{:?}", ctx.value(&USER_KEY));
    }
}

fn spawned_per_item(ctx: Context, items: Vec<Item>) {
    for item in items {
        tokio::spawn(async move {
            tokio::select! {
                _ = item.run(ctx.value(&USER_KEY)) => {}
            }
        });
    }
}
