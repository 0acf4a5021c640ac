//@ fix: unsafe
// Go-style contexts (go-lib, goish, halo-core, ctx, rs_ctx) come first, as in Go
// (revive's context-as-argument, cases P01-P14).
use go_lib::context::Context;

// P01, P02: a lone context, or a context first.
fn p01(ctx: Context) {}
fn p02(ctx: Context, s: &str) {}

// P03, P04: a context after other parameters; one finding per function.
fn p03(s: &str, ctx: Context) {} //~ context_param_order
fn p04(s: &str, r: i32, ctx: &Context, x: i32) {} //~ context_param_order

// P05: contexts may follow contexts; P06: but not come back after something else.
fn p05(ctx1: Context, ctx2: &Context, x: i32) {}
fn p06(ctx1: Context, ctx2: Context, x: i32, ctx3: Context) {} //~ context_param_order

// P07 (default): a test handle before the context is flagged unless configured.
fn p07(t: &mut Harness, ctx: Context) {} //~ context_param_order

// P10: the receiver is not a parameter.
struct Service;

impl Service {
    fn p10(&self, ctx: Context, x: i32) {}
    fn p10_late(&self, x: i32, ctx: &Context) {} //~ context_param_order
    fn p10_arc(self: &std::sync::Arc<Self>, ctx: Context, x: i32) {}
}

// A trait declaration fixes the signature of every implementation: it is checked; the
// implementations are not.
trait Store {
    fn get(&self, key: &str, ctx: &Context) -> Option<String>; //~ context_param_order
}

impl Store for Service {
    fn get(&self, key: &str, ctx: &Context) -> Option<String> {
        None
    }
}

// P11: closures are not checked.
fn p11() {
    let f = |x: i32, ctx: Context| x;
    f(1, go_lib::context::background());
}

// P12: a slice of contexts, a generic bound, an Option are not context parameters.
fn p12(x: i32, ctxs: &[Context]) {}
fn p12_generic(x: i32, ctx: impl AsRef<Context>) {}
fn p12_option(x: i32, ctx: Option<Context>) {}

// extern functions follow a foreign ABI.
extern "C" fn callback(x: i32, ctx: *const Context) {}

// The other Go-style crates.
fn goish_late(name: String, ctx: goish::context::Context) {} //~ context_param_order
fn halo_late(id: u64, ctx: &core::context::Context) {} //~ context_param_order
fn rs_ctx_late(id: u64, ctx: rs_ctx::Context) {} //~ context_param_order
fn ctx_first(ctx: ctx::Context, id: u64) {}

// Multi-line signatures keep their layout.
pub fn fetch(
    url: &str,
    retries: u32,
    ctx: &Context, //~ context_param_order
) -> Result<(), Error> {
    Ok(())
}

fn callers(ctx: Context) {
    p03("a", ctx.clone());
    let service = Service;
    service.p10_late(1, &ctx);
    fetch("https://example.com", 3, &ctx).unwrap();
}
