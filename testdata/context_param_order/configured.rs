//@ fix: unsafe
// With ctxlint.toml: types allowed before Go-style contexts (revive's allowTypesBefore), and
// tokio-util configured `first`.
use go_lib::context::Context;
use tokio_util::sync::CancellationToken;

// P07: a test handle before the context.
fn p07(t: &mut Harness, ctx: Context) {}
// P08: several allowed parameters before the context.
fn p08(a: Allowed, b: Allowed, ctx: Context, x: u8) {}
// P09: `&AllowedBeforePtr` is allowed, the value type is not.
fn p09(p: AllowedBeforePtr, ctx: Context) {} //~ context_param_order
fn p09_ref(p: &AllowedBeforePtr, ctx: Context) {}
// Spelling is compared without lifetimes and module paths.
fn display(f: &mut std::fmt::Formatter<'_>, ctx: &Context) {}
// An allowed type does not excuse a context in the middle.
fn still_middle(t: &mut Harness, x: u8, ctx: Context) {} //~ context_param_order

// P14: the allowed type may also follow the context (test helpers written either way).
fn helper(ctx: Context, t: &mut Harness) {}

// tokio-util configured `first`: checked here, as Go-style contexts are.
async fn token_first(cancel: CancellationToken, url: &str) {}
async fn token_last(url: &str, cancel: CancellationToken) {} //~ context_param_order
async fn tripwire_then_token(tripwire: Tripwire, cancel: CancellationToken, url: &str) {}
