//@ fix: unsafe
// The key types a fix declares: named after the literal, or after the value stored with a
// key that says nothing (a number), in the order the keys first appear.
use core::context::{Context, WithValue};

fn nested(ctx: &Context, tenant: String, user: User) -> Context {
    WithValue(
        WithValue(WithValue(ctx, "tenant", tenant), 1, user.id), //~ string_value_key //~ string_value_key
        2, //~ string_value_key
        user.region.clone(),
    )
}

fn read(ctx: &Context) {
    let tenant = ctx.value(&"tenant"); //~ string_value_key
    let id = ctx.value(&1); //~ string_value_key
    let region = ctx.value(&2); //~ string_value_key
    let again = ctx.value(&3); //~ string_value_key
    consume((tenant, id, region, again));
}
