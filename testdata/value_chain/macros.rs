// Value layers inside macro bodies.
use opentelemetry::Context;

async fn in_a_select_arm(cx: Context, mut rx: Receiver<Msg>) {
    tokio::select! {
        Some(msg) = rx.recv() => {
            let cx = cx.with_value(User(msg.user));
            let cx = cx.with_value(Tenant(msg.tenant));
            handle(cx.with_value(RequestId(msg.id))).await; //~ value_chain
        }
    }
}

async fn across_select_arms_is_not_one_chain(cx: Context, mut rx: Receiver<Msg>) {
    let cx = cx.with_value(User(1));
    tokio::select! {
        Some(_) = rx.recv() => handle(cx.with_value(Tenant(2))).await,
        else => handle(cx.with_value(RequestId(3))).await,
    }
}

async fn in_join(cx: Context) {
    let base = cx.with_value(A).with_value(B);
    tokio::join!(
        send(base.with_value(Left)), //~ value_chain
        send(cx.with_value(Right)),
    );
}

fn in_a_format_macro(cx: &Context) {
    println!("{:?}", cx.with_value(A).with_value(B).with_value(C)); //~ value_chain
}

fn in_assert(cx: &Context) {
    let two = cx.with_value(A).with_value(B);
    assert!(two.with_value(C).get::<C>().is_some()); //~ value_chain
}

fn in_vec(cx: &Context) -> Vec<Context> {
    let one = cx.with_value(A);
    let two = one.with_value(B);
    vec![two.with_value(C), one.with_value(D)] //~ value_chain
}

fn in_defer(cx: Context) {
    defer! {
        let cx = cx.with_value(A);
        let cx = cx.with_value(B);
        flush(cx.with_value(C)); //~ value_chain
    }
}

fn through_a_channel_select(cx: Context, rx: Receiver<Msg>, done: Receiver<()>) {
    loop {
        crossbeam_channel::select! {
            recv(rx) -> msg => {
                let cx = cx.with_value(A).with_value(B);
                handle(cx.with_value(Msg(msg.unwrap()))); //~ value_chain
            }
            recv(done) -> _ => break,
        }
    }
}

// No findings.

fn two_layers_in_macros(cx: &Context) {
    let one = cx.with_value(A);
    println!("{:?}", one.with_value(B));
    assert!(one.with_value(C).get::<C>().is_some());
}

fn unparsed_macro_hides_its_layers(cx: &Context) {
    let two = cx.with_value(A).with_value(B);
    html! { <p>{ two.with_value(C) }</p> };
}

fn rebound_in_a_select_arm(cx: Context, mut rx: Receiver<Context>) {
    let cx = cx.with_value(A).with_value(B);
    loop {
        tokio::select! {
            Some(cx) = rx.recv() => handle(cx.with_value(C)),
        }
    }
}

fn macro_assigns_the_binding(mut cx: Context) {
    cx = cx.with_value(A).with_value(B);
    reset!(cx);
    handle(cx.with_value(C));
}

fn separate_closures(cx: Context) {
    let a = || cx.with_value(A).with_value(B);
    let b = |c: Context| c.with_value(C);
    b(a());
}
