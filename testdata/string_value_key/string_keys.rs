//@ fix: unsafe
// goish only takes string keys: a named, namespaced constant is the fix, and is spared.
use goish::prelude::*;

const REQUEST_ID_KEY: &str = concat!(module_path!(), "::request_id");

fn handle(ctx: Context, user: User, request_id: String) {
    let ctx = context::WithValue(ctx, "user_id", user.id); //~ string_value_key
    let ctx = context::WithValue(ctx, "role".to_string(), user.role); //~ string_value_key
    let ctx = context::WithValue(ctx, String::from("team"), user.team); //~ string_value_key
    let id = ctx.Value::<u64>("user_id"); //~ string_value_key
    // Named constants, computed keys and parameters are what a string API allows.
    let ctx = context::WithValue(ctx, REQUEST_ID_KEY, request_id);
    let ctx = context::WithValue(ctx, format!("{}::trace", module_path!()), user.trace);
    let ctx = context::WithValue(ctx, user.key(), user.trace);
    consume((ctx, id));
}

fn lookup(ctx: &Context, key: &str) -> Option<String> {
    ctx.Value::<String>(key)
}

fn rs_ctx_keys(ctx: &rs_ctx::Context, id: u64) {
    let ctx = rs_ctx::with_value(ctx, "user_id", id); //~ string_value_key
    let _ = ctx.value("user_id"); //~ string_value_key
    let _ = ctx.value(r"raw-key"); //~ string_value_key
}
