//@ fix: unsafe
// OpenTelemetry: typed lookups and reads of the ambient context in loops.
use opentelemetry::Context;

struct RequestId(u64);

fn typed_lookup(cx: &Context, items: &[Item]) {
    for item in items {
        if let Some(id) = cx.get::<RequestId>() { //~ value_lookup_in_loop
            item.tag(id.0);
        }
    }
}

fn current_in_loop(items: Vec<Item>) {
    for item in items {
        let cx = Context::current(); //~ value_lookup_in_loop
        export(item, cx);
    }
}

fn current_as_receiver(items: Vec<Item>) {
    for item in items {
        let id = Context::current().get::<RequestId>().map(|id| id.0); //~ value_lookup_in_loop
        item.tag(id);
    }
}

fn current_in_iterator(items: &[Item]) -> Vec<Span> {
    items.iter().map(|item| start_span(item, &Context::current())).collect() //~ value_lookup_in_loop
}

// No findings.

fn attached_in_loop(items: Vec<Item>) {
    for item in items {
        let _guard = Context::current().with_value(item.id()).attach();
        export(item, Context::current());
    }
}

fn span_marked_active_in_loop(tracer: &Tracer, items: Vec<Item>) {
    for item in items {
        let _guard = opentelemetry::trace::mark_span_as_active(tracer.start("item"));
        export(item, Context::current());
    }
}

fn guards_released_in_loop(mut guards: Vec<ContextGuard>) {
    for _ in 0..guards.len() {
        guards.pop();
        export_current(Context::current());
    }
    while let Some(guard) = next_guard() {
        drop(guard);
        export_current(Context::current());
    }
}

fn context_replaced_in_loop(mut cx: Context, items: Vec<Item>) {
    for item in items {
        cx = cx.with_value(RequestId(item.id));
        export(item, cx.get::<RequestId>());
    }
}

fn one_lookup_per_context(contexts: Vec<Context>) {
    for cx in &contexts {
        export_id(cx.get::<RequestId>());
    }
}

fn map_current_takes_a_closure(items: Vec<Item>) {
    for item in items {
        Context::map_current(|cx| export(item, cx));
    }
}

fn std_task_context(cx: &mut std::task::Context<'_>, wakers: &[Waker]) {
    for waker in wakers {
        poll_one(waker, cx.waker());
    }
}

fn another_crates_context(items: Vec<Item>) {
    for item in items {
        let cx = tauri::Context::current();
        export(item, cx);
    }
}
