//@ fix: unsafe
// Derivations inside macro bodies.
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

fn in_defer(mut cx: OtelContext, items: Vec<Item>) {
    for item in items {
        defer! {
            cx = cx.with_value(Done(item.id)); //~ derive_in_loop
        }
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

fn unparsed_macro(mut cx: OtelContext, items: Vec<Item>) {
    for item in items {
        my_dsl! { cx = cx.with_value(item) }
    }
}
