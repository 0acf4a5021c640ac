//@ fix: unsafe
// A context re-assigned to a child of itself in a loop (fatcontext's cases F01-F20).
use core::context::{self as halo, Context as HaloContext};
use opentelemetry::Context;
use std::time::Duration;

struct Request {
    cx: Context,
}

fn f02_value_on_outer_binding(mut cx: Context, items: Vec<Item>) {
    for item in items {
        cx = cx.with_value(ItemId(item.id)); //~ derive_in_loop
        handle(&cx, item);
    }
}

fn f04_first_of_several(mut cx: Context, items: Vec<Item>) {
    for item in &items {
        cx = cx.with_value(ItemId(item.id)); //~ derive_in_loop
        cx = cx.with_value(Owner(item.owner));
        handle(&cx);
    }
}

fn f08_in_an_if(mut cx: Context, items: Vec<Item>) {
    for item in items {
        if item.traced() {
            cx = cx.with_value(Traced); //~ derive_in_loop
        }
    }
}

fn f08_in_a_match_arm(mut cx: Context, rx: Receiver<Event>) {
    while let Ok(event) = rx.recv() {
        match event {
            Event::Tag(tag) => cx = cx.with_value(tag), //~ derive_in_loop
            Event::Other => handle(&cx),
        }
    }
}

fn f08_in_a_block(mut cx: Context) {
    loop {
        {
            cx = cx.with_value(Tick); //~ derive_in_loop
        }
        if done() {
            break;
        }
    }
}

fn f20_in_an_else_branch(mut cx: Context, items: Vec<Item>) {
    for item in items {
        if item.skip() {
            continue;
        } else {
            cx = cx.with_value(ItemId(item.id)); //~ derive_in_loop
        }
    }
}

fn halo_with_value(mut ctx: HaloContext, items: Vec<Item>) {
    for item in items {
        ctx = halo::WithValue(&ctx, ItemKey, item.id); //~ derive_in_loop
    }
}

fn go_lib_timeout_pair(mut ctx: go_lib::context::Context, attempts: u32) {
    for _ in 0..attempts {
        let cancel;
        (ctx, cancel) = go_lib::context::with_timeout(&ctx, Duration::from_secs(1)); //~ derive_in_loop
        try_once(&ctx);
        cancel.cancel();
    }
}

fn go_lib_timeout_first_element(mut ctx: go_lib::context::Context, attempts: u32) {
    for _ in 0..attempts {
        ctx = go_lib::context::with_cancel(&ctx).0; //~ derive_in_loop
        try_once(&ctx);
    }
}

fn field_of_a_struct_outside(req: &mut Request, items: Vec<Item>) {
    for item in items {
        req.cx = req.cx.with_value(ItemId(item.id)); //~ derive_in_loop
    }
}

fn iterator_closure(mut cx: Context, items: Vec<Item>) {
    items.iter().for_each(|item| cx = cx.with_value(ItemId(item.id))); //~ derive_in_loop
}

fn inner_loop_grows(parent: Context, batches: Vec<Vec<Item>>) {
    for batch in batches {
        let mut cx = parent.clone();
        for item in batch {
            cx = cx.with_value(ItemId(item.id)); //~ derive_in_loop
        }
        send(cx);
    }
}

// Shadowing, resets and per-iteration contexts: no findings.

fn f01_shadow_then_assign(cx: Context, items: Vec<Item>) {
    for item in items {
        let mut cx = cx.with_value(ItemId(item.id));
        cx = cx.with_value(Owner(item.owner));
        handle(&cx);
    }
}

fn f03_reset_to_a_root_first(mut cx: Context, items: Vec<Item>) {
    for item in items {
        cx = Context::new();
        cx = cx.with_value(ItemId(item.id));
        handle(&cx);
    }
}

fn f03_reset_to_a_copy_of_the_parent(parent: Context, mut cx: Context, items: Vec<Item>) {
    for item in items {
        cx = parent.clone();
        cx = cx.with_value(ItemId(item.id));
        handle(&cx);
    }
}

fn f05_runs_once(mut cx: Context) {
    loop {
        cx = cx.with_value(Once);
        break;
    }
    handle(&cx);
}

fn f06_shadows_in_nested_blocks(cx: Context, items: Vec<Item>) {
    for item in items {
        if item.traced() {
            let mut cx = cx.clone();
            cx = cx.with_value(Traced);
            handle(&cx);
        }
        match item.kind() {
            Kind::A => {
                let mut cx = cx.with_value(KindA);
                cx = cx.with_value(Extra);
                handle(&cx);
            }
            Kind::B => {}
        }
    }
}

fn f09_shadow_at_the_top(cx: Context, items: Vec<Item>) {
    for item in items {
        let mut cx = cx.with_value(ItemId(item.id));
        if item.failed() {
            cx = cx.with_value(Failed);
        }
        handle(&cx);
    }
}

fn f12_if_let_binding(items: Vec<Item>) {
    for item in items {
        if let Some(mut cx) = item.context() {
            cx = cx.with_value(ItemId(item.id));
            handle(&cx);
        }
    }
}

fn f13_struct_declared_in_the_loop(parent: Context, items: Vec<Item>) {
    for item in items {
        let mut req = Request { cx: parent.clone() };
        req.cx = req.cx.with_value(ItemId(item.id));
        send(req);
    }
}

fn derived_from_another_context(parent: Context, mut cx: Context, items: Vec<Item>) {
    for item in items {
        cx = parent.with_value(ItemId(item.id));
        handle(&cx);
    }
}

fn per_iteration_child_tokens(token: CancellationToken, mut child: CancellationToken, jobs: Vec<Job>) {
    for job in jobs {
        child = child.child_token();
        job.spawn(child.clone());
    }
}

fn closure_outside_a_loop(mut cx: Context) -> impl FnMut() {
    move || cx = cx.with_value(Tick)
}

fn unknown_wrapper(mut cx: Context, items: Vec<Item>) {
    for item in items {
        cx = wrap(cx, item);
    }
}

fn tuple_assigned_again_later(mut ctx: go_lib::context::Context, attempts: u32) {
    for _ in 0..attempts {
        let cancel;
        (ctx, cancel) = go_lib::context::with_timeout(&ctx, Duration::from_secs(1)); //~ derive_in_loop
        ctx = next(ctx);
        try_once(&ctx);
        cancel.cancel();
    }
}
