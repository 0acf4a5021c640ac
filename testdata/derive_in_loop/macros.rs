//@ fix: unsafe
// Derivations inside macro bodies.
use std::time::Duration;

use go_lib::context::{with_timeout, Context};
use opentelemetry::Context as OtelContext;

async fn in_a_select_arm(mut cx: OtelContext, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            Some(msg) = rx.recv() => {
                cx = cx.with_value(MsgId(msg.id)); //~ derive_in_loop
                handle(&cx, msg).await;
            }
            else => break,
        }
    }
}

fn in_a_channel_select_arm(parent: Context, rx: Receiver<Job>, stop: Receiver<()>) {
    loop {
        crossbeam_channel::select! {
            recv(rx) -> job => job.unwrap().run(&with_timeout(&parent, Duration::from_secs(1)).0), //~ derive_in_loop
            recv(stop) -> _ => break,
        }
    }
}

fn in_defer(mut cx: OtelContext, items: Vec<Item>) {
    for item in items {
        defer! {
            cx = cx.with_value(Done(item.id)); //~ derive_in_loop
        }
    }
}

fn in_a_format_argument(parent: &Context, jobs: &[Job]) {
    for job in jobs {
        println!("{:?}", with_timeout(parent, Duration::from_secs(1)).0); //~ derive_in_loop
    }
}

// No findings.

async fn shadowed_in_a_select_arm(cx: OtelContext, mut rx: Receiver<Msg>) {
    loop {
        tokio::select! {
            Some(msg) = rx.recv() => {
                let cx = cx.with_value(MsgId(msg.id));
                handle(&cx, msg).await;
            }
            else => break,
        }
    }
}

async fn select_outside_a_loop(mut cx: OtelContext, mut rx: Receiver<Msg>) {
    tokio::select! {
        Some(msg) = rx.recv() => cx = cx.with_value(MsgId(msg.id)),
    }
    handle(&cx);
}

async fn arm_pattern_binds_the_context(mut rx: Receiver<OtelContext>) {
    loop {
        tokio::select! {
            Some(mut cx) = rx.recv() => {
                cx = cx.with_value(Seen);
                handle(&cx).await;
            }
        }
    }
}

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

fn unparsed_macro(mut cx: OtelContext, items: Vec<Item>) {
    for item in items {
        my_dsl! { cx = cx.with_value(item) }
    }
}
