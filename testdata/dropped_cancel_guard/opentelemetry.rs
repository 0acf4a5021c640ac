// OpenTelemetry: dropping the guard undoes the attach.
use opentelemetry::Context;

fn attach_discarded(cx: Context) {
    let _ = cx.attach(); //~ dropped_cancel_guard
    handle();
}

fn attach_as_statement() {
    Context::current().with_value(RequestId(7)).attach(); //~ dropped_cancel_guard
    handle();
}

fn attach_old_path(cx: opentelemetry_api::Context) {
    let _ = cx.attach(); //~ dropped_cancel_guard
}

// Kept: no findings.

fn attach_kept(cx: Context) {
    let _guard = cx.attach();
    handle();
}

fn attach_returned(cx: &Context) -> opentelemetry::ContextGuard {
    cx.clone().attach()
}
