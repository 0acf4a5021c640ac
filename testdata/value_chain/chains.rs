// Three or more value layers on one context.
use goish::context::{self, Context as GoishContext};
use opentelemetry::Context;

fn let_shadowing(ctx: GoishContext, user: User, tenant: Tenant, id: u64) -> GoishContext {
    let ctx = context::WithValue(ctx, "user", user);
    let ctx = context::WithValue(ctx, "tenant", tenant);
    let ctx = context::WithValue(ctx, "request_id", id); //~ value_chain
    ctx
}

fn method_chain(cx: &Context) -> Context {
    cx.with_value(User(1)).with_value(Tenant(2)).with_value(RequestId(3)) //~ value_chain
}

fn nested_calls(ctx: GoishContext) -> GoishContext {
    context::WithValue( //~ value_chain
        context::WithValue(context::WithValue(ctx, "a", 1), "b", 2),
        "c", 3,
    )
}

fn distinct_names(parent: &Context) {
    let with_user = parent.with_value(User(1));
    let with_tenant = with_user.with_value(Tenant(2));
    let full = with_tenant.with_value(RequestId(3)); //~ value_chain
    handle(&full);
}

fn reassigned(mut cx: Context) -> Context {
    cx = cx.with_value(User(1));
    cx = cx.with_value(Tenant(2));
    cx = cx.with_value(RequestId(3)); //~ value_chain
    cx
}

fn four_layers_one_finding(cx: Context) -> Context {
    let cx = cx.with_value(A);
    let cx = cx.with_value(B);
    let cx = cx.with_value(C); //~ value_chain
    cx.with_value(D)
}

fn from_the_ambient_context() -> Context {
    let cx = Context::current_with_value(User(1));
    let cx = cx.with_value(Tenant(2));
    cx.with_value(RequestId(3)) //~ value_chain
}

fn through_clone_and_references(cx: &Context) {
    let one = cx.with_value(A);
    let two = (&one).with_value(B);
    let three = two.clone().with_value(C); //~ value_chain
    handle(three);
}

fn halo_layers(ctx: core::context::Context) -> core::context::Context {
    let ctx = core::context::WithValue(&ctx, UserKey, 1);
    let ctx = core::context::WithValue(&ctx, TenantKey, 2);
    core::context::WithValue(&ctx, RequestKey, 3) //~ value_chain
}

async fn in_a_closure(cx: Context) {
    let work = move || {
        let cx = cx.with_value(A);
        let cx = cx.with_value(B);
        cx.with_value(C) //~ value_chain
    };
    run(work);
}

fn two_chains_from_one_base(cx: &Context) {
    let base = cx.with_value(A).with_value(B);
    let left = base.with_value(Left); //~ value_chain
    let right = base.with_value(Right);
    handle(left, right);
}

// No findings.

fn two_layers(cx: &Context) -> Context {
    cx.with_value(A).with_value(B)
}

fn three_layers_on_different_contexts(a: &Context, b: &Context, c: &Context) {
    let x = a.with_value(One);
    let y = b.with_value(Two);
    let z = c.with_value(Three);
    handle(x, y, z);
}

fn layer_in_a_branch(cx: Context, admin: bool) -> Context {
    let mut cx = cx.with_value(A);
    if admin {
        cx = cx.with_value(Admin);
    }
    cx.with_value(B)
}

fn derivation_in_between(ctx: GoishContext) -> GoishContext {
    let ctx = context::WithValue(ctx, "a", 1);
    let (ctx, _cancel) = context::WithCancel(ctx);
    let ctx = context::WithValue(ctx, "b", 2);
    context::WithValue(ctx, "c", 3)
}

fn different_functions(cx: &Context) -> Context {
    let cx = cx.with_value(A);
    let cx = cx.with_value(B);
    helper(cx)
}

fn helper(cx: Context) -> Context {
    cx.with_value(C)
}

fn reassigned_in_a_loop(mut cx: Context, items: &[Item]) {
    let one = cx.with_value(A);
    for item in items {
        handle(cx.with_value(B));
        cx = one.with_value(ItemId(item.id));
    }
}

fn unrelated_with_value(field: Field) {
    field.with_value(&"a").with_value(&"b").with_value(&"c");
}

fn unknown_context_type(cx: Unknown) -> Unknown {
    cx.with_value(A).with_value(B).with_value(C)
}

fn other_methods_in_between(cx: &Context) -> Context {
    let one = cx.with_value(A);
    let two = one.with_baggage(vec![KeyValue::new("k", "v")]);
    two.with_value(B).with_value(C)
}
