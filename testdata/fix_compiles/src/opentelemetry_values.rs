use opentelemetry::Context;

#[derive(Clone, Debug)]
struct User(u64);
#[derive(Clone, Debug)]
struct Tenant(u64);
#[derive(Clone, Debug)]
struct RequestId(u64);

pub fn attach_and_drop(cx: Context) {
    let _ = cx.attach();
}

pub fn layers(cx: &Context) -> Context {
    cx.with_value(User(1)).with_value(Tenant(2)).with_value(RequestId(3))
}

pub fn lookups(cx: &Context, items: &[u64]) -> u64 {
    let mut total = 0;
    for item in items {
        let user = cx.get::<User>().map_or(0, |u| u.0);
        total += item + user;
    }
    total
}

pub fn self_derivation(mut cx: Context, items: &[u64]) -> Context {
    for item in items {
        cx = cx.with_value(RequestId(*item));
    }
    cx
}
