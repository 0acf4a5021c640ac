//@ fix: unsafe
// halo-core takes keys of any `Eq + Hash` type: a built-in one can collide with another
// crate's (staticcheck SA1029 / revive context-keys-type, cases K01-K16).
use core::context::{self, Background, Context, WithValue};

type Key = &'static str;

const IDENTITY_KEY: &str = "identity";
static TENANT: Key = "tenant";
const NODE: NodeIdKey = NodeIdKey("node");

struct CtxKey;
struct NodeIdKey(&'static str);

fn setters(ctx: &Context, id: u64, user: User) {
    // K01: a string literal; the same string is one key type for the whole module.
    let ctx = WithValue(ctx, "user_id", id); //~ string_value_key
    let ctx = WithValue(&ctx, "user_id", id); //~ string_value_key
    // K11: integer, bool and char literals.
    let ctx = WithValue(&ctx, 1, id); //~ string_value_key
    let ctx = WithValue(&ctx, 7u8, id); //~ string_value_key
    let ctx = WithValue(&ctx, true, id); //~ string_value_key
    let ctx = WithValue(&ctx, 'c', id); //~ string_value_key
    // K15: a constant or static of a built-in type, K14 also through an alias.
    let ctx = WithValue(&ctx, IDENTITY_KEY, user.clone()); //~ string_value_key
    let ctx = context::WithValue(&ctx, TENANT, user.tenant); //~ string_value_key
    // A string made from a literal.
    let ctx = WithValue(&ctx, "role".to_string(), user.role); //~ string_value_key
    let ctx = WithValue(&ctx, String::from("role"), user.role); //~ string_value_key
    consume(ctx);
}

fn getters(ctx: &Context) {
    // K16: lookups too.
    let id = ctx.value(&"user_id"); //~ string_value_key
    let identity = ctx.value(&IDENTITY_KEY); //~ string_value_key
    let flag = ctx.value(&true); //~ string_value_key
    consume((id, identity, flag));
}

// Keys computed at run time.
fn computed(ctx: &Context, name: &str, owned: String, key: CtxKey, id: u64) {
    let ctx = WithValue(ctx, format!("user_{id}"), id); //~ string_value_key
    let ctx = WithValue(&ctx, name, id); //~ string_value_key
    let ctx = WithValue(&ctx, owned.clone(), id); //~ string_value_key
    // K04: a literal through a local binding.
    let v1 = "byte";
    let ctx = WithValue(&ctx, v1, id); //~ string_value_key
    // K06: a key turned back into a string.
    let ctx = WithValue(&ctx, key.to_string(), id); //~ string_value_key
    // K09, K10: tuples of built-ins, the unit value.
    let ctx = WithValue(&ctx, ("user", 1), id); //~ string_value_key
    let ctx = WithValue(&ctx, (), id); //~ string_value_key
    let ctx = WithValue(&ctx, id as u32, id); //~ string_value_key
    consume(ctx);
}

// Keys of one's own types: no findings.
fn own_types<K: std::hash::Hash + Eq + Send + Sync + 'static>(ctx: &Context, generic: K, any: Box<dyn std::any::Any>) {
    // K05, K12: a unit struct, a reference to it, a struct literal, a newtype.
    let ctx = WithValue(ctx, CtxKey, 1);
    let ctx = WithValue(&ctx, CtxKey {}, 1);
    let ctx = WithValue(&ctx, NodeIdKey("node"), 1);
    // K15b: a constant of a newtype.
    let ctx = WithValue(&ctx, NODE, 1);
    // K02: a generic or `dyn Any` key is not known to be built-in.
    let ctx = WithValue(&ctx, generic, 1);
    let ctx = WithValue(&ctx, any, 1);
    // K12: an unknown type.
    let ctx = WithValue(&ctx, Unknown::new(), 1);
    let _ = ctx.value(&CtxKey);
    let _ = ctx.value(&NODE);
}

// K13: other calls, and string keys of things that are not contexts.
fn not_value_calls(map: &mut std::collections::HashMap<&str, u64>, ext: &mut http::Extensions) {
    println!("user_id");
    let root = Background();
    let todo = context::TODO();
    map.insert("user_id", 1);
    ext.insert(7u64);
    let _ = ext.get::<u64>();
    let cx = opentelemetry::Context::current().with_value(Span::default());
    let _ = cx.get::<Span>();
    let local = LocalStore::default().with_value("user_id", 1);
    let _ = local.value("user_id");
    consume((root, todo));
}

// A method called by its path takes the receiver first.
fn by_path(ctx: &Context) {
    let _ = Context::value(ctx, &"user_id"); //~ string_value_key
}
